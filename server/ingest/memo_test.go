package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

func viewing(user, content string, completed bool) streaming.Viewing {
	return streaming.Viewing{UserID: user, ContentID: content, Completed: completed, Device: "tv", Events: 1}
}

func TestWatchMemoWritesOnlyWhatChangesAnEdge(t *testing.T) {
	m := NewWatchMemo(0, 0)
	type step struct {
		name      string
		viewings  []streaming.Viewing
		remember  bool // the write succeeded
		want      []streaming.Watch
		wantUsers []string
	}
	steps := []step{
		{"new pairs, folded, users once", []streaming.Viewing{viewing("u1", "c1", false), viewing("u1", "c1", false),
			viewing("u2", "c1", false), viewing("u1", "c2", false)}, true,
			[]streaming.Watch{{UserID: "u1", ContentID: "c1"}, {UserID: "u2", ContentID: "c1"}, {UserID: "u1", ContentID: "c2"}},
			[]string{"u1", "u2"}},
		{"the same again: nothing", []streaming.Viewing{viewing("u1", "c1", false), viewing("u2", "c1", false)}, true, nil, nil},
		{"a completion changes the edge", []streaming.Viewing{viewing("u1", "c1", false), viewing("u1", "c1", true),
			viewing("u2", "c1", false)}, false,
			[]streaming.Watch{{UserID: "u1", ContentID: "c1", Completed: true}}, []string{"u1"}},
		{"not remembered (the write failed): written again", []streaming.Viewing{viewing("u1", "c1", true)}, true,
			[]streaming.Watch{{UserID: "u1", ContentID: "c1", Completed: true}}, []string{"u1"}},
		{"completed stays completed", []streaming.Viewing{viewing("u1", "c1", false), viewing("u1", "c1", true)}, true, nil, nil},
		{"a pair never seen among known ones", []streaming.Viewing{viewing("u2", "c1", true), viewing("u3", "c1", false),
			viewing("u1", "c2", false)}, true,
			[]streaming.Watch{{UserID: "u2", ContentID: "c1", Completed: true}, {UserID: "u3", ContentID: "c1"}},
			[]string{"u2", "u3"}},
		// The ids are hashed with a separator: ("u1", "c1x") is not ("u1c", "1x").
		{"ids are not run together", []streaming.Viewing{viewing("u1c", "1", false)}, true,
			[]streaming.Watch{{UserID: "u1c", ContentID: "1"}}, []string{"u1c"}},
	}
	for _, s := range steps {
		got, users := m.Changes(s.viewings)
		if !slices.Equal(got, s.want) || !slices.Equal(users, s.wantUsers) {
			t.Fatalf("%s: Changes = %+v, users %v; want %+v, users %v", s.name, got, users, s.want, s.wantUsers)
		}
		if s.remember {
			m.Remember(got)
		}
	}
	if w, u := m.Written(), m.Unchanged(); w != 7 || u != 5 {
		t.Errorf("Written, Unchanged = %d, %d; want 7, 5", w, u)
	}
}

func TestWatchMemoForgetsAfterTwoGenerations(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	m := NewWatchMemo(3, time.Minute)
	m.m.now = func() time.Time { return now }
	watch := func(i int) streaming.Viewing { return viewing(fmt.Sprintf("u%d", i), "c", false) }
	remember := func(vs ...streaming.Viewing) {
		w, _ := m.Changes(vs)
		m.Remember(w)
	}
	known := func(i int) bool {
		w, _ := m.Changes([]streaming.Viewing{watch(i)})
		return len(w) == 0
	}

	// By size: a generation holds 3 pairs; the fourth starts the next, the seventh drops the first.
	remember(watch(1), watch(2), watch(3), watch(4))
	if !known(1) || !known(4) {
		t.Fatal("a pair of the current or the previous generation is forgotten")
	}
	remember(watch(5), watch(6), watch(7))
	if known(1) || known(3) || !known(4) || !known(7) {
		t.Fatalf("after two generations by size: known 1=%v 3=%v 4=%v 7=%v; want false false true true",
			known(1), known(3), known(4), known(7))
	}
	// By time: a pair is written again within two periods however few pairs come.
	remember(watch(8))
	now = now.Add(time.Minute)
	remember(watch(9))
	if !known(8) {
		t.Fatal("a pair of the previous generation is forgotten after one period")
	}
	now = now.Add(time.Minute)
	remember(watch(10))
	if known(8) || !known(9) {
		t.Fatalf("after two periods: known 8=%v 9=%v; want false true", known(8), known(9))
	}
	// A pair remembered completed in the older generation stays completed when remembered again not completed.
	now = now.Add(time.Minute)
	remember(viewing("u20", "c", true))
	now = now.Add(time.Minute)
	remember(viewing("u20", "c", false)) // what a replay racing a later write could hand over
	if w, _ := m.Changes([]streaming.Viewing{viewing("u20", "c", true)}); len(w) != 0 {
		t.Fatalf("a completed pair lost its completion: %+v", w)
	}
}

func TestWatchMemoConcurrentUse(t *testing.T) {
	m := NewWatchMemo(64, time.Hour)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				w, _ := m.Changes([]streaming.Viewing{viewing(fmt.Sprintf("u%d", i%100), fmt.Sprintf("c%d", g), i%7 == 0)})
				m.Remember(w)
			}
		})
	}
	wg.Wait()
	if m.Written()+m.Unchanged() != 4000 {
		t.Fatalf("written %d + unchanged %d, want 4000 watches in all", m.Written(), m.Unchanged())
	}
}

func TestViewerMemoSendsEachViewerOncePerTitleAndHour(t *testing.T) {
	h := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	at := func(user, content string, hour time.Time, device string) streaming.Viewing {
		return streaming.Viewing{UserID: user, ContentID: content, Hour: hour, Device: device, Events: 1}
	}
	m := NewViewerMemo(0, 0)
	first := []streaming.Viewing{at("u1", "c1", h, "tv"), at("u2", "c1", h, "tv"), at("u1", "c2", h, "tv")}
	if got := m.New(first); !slices.Equal(got, first) {
		t.Fatalf("New(first) = %+v, want all of them", got)
	}
	if got := m.New(first); !slices.Equal(got, first) {
		t.Fatalf("before Remember (the update failed): New = %+v, want all again", got)
	}
	m.Remember(first)
	next := []streaming.Viewing{
		at("u1", "c1", h, "mobile"),                           // same viewer, title and hour on another device: counted
		at("u1", "c1", h.Add(time.Hour), "tv"),                // the next hour: new
		at("u3", "c1", h, "tv"),                               // a new viewer
		at("u2", "c1", h.In(time.FixedZone("X", 3600)), "tv"), // the same hour in another zone: counted
	}
	want := []streaming.Viewing{next[1], next[2]}
	if got := m.New(next); !slices.Equal(got, want) {
		t.Fatalf("New(next) = %+v, want %+v", got, want)
	}
	m.Remember(want)
	if m.Sent() != 5 || m.Known() != 2 {
		t.Errorf("Sent, Known = %d, %d; want 5, 2", m.Sent(), m.Known())
	}
}

// viewerSets is a fake of the viewer sets (our port, streaming.RollupViewers): sets of viewers per roll-up, and
// every call's marks recorded.
type viewerSets struct {
	plays, done map[string]bool
	calls       [][]streaming.ViewerMark
	fail        error
}

func (v *viewerSets) MarkViewers(_ context.Context, marks []streaming.ViewerMark) (plays, completions []bool, err error) {
	v.calls = append(v.calls, slices.Clone(marks))
	if v.fail != nil {
		return nil, nil, v.fail
	}
	plays, completions = make([]bool, len(marks)), make([]bool, len(marks))
	for i, mk := range marks {
		id := fmt.Sprint(mk.Key, mk.UserID)
		plays[i], v.plays[id] = !v.plays[id], true
		if mk.Completed {
			completions[i], v.done[id] = !v.done[id], true
		}
	}
	return plays, completions, nil
}

// The memo answers what the sets would answer — each new viewer one play and at most one completion per roll-up —
// sending each mark of a call once and no mark the sets already hold; a failed call remembers nothing.
func TestMarkMemoSendsOnlyWhatTheSetsLack(t *testing.T) {
	sets := &viewerSets{plays: map[string]bool{}, done: map[string]bool{}}
	m := NewMarkMemo(sets, 0, 0)
	hour := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	k1 := streaming.RollupKey{ContentID: "t1", Hour: hour, Country: "ES", Device: "tv"}
	k2 := streaming.RollupKey{ContentID: "t2", Hour: hour, Country: "ES", Device: "tv"}
	mark := func(k streaming.RollupKey, user string, completed bool) streaming.ViewerMark {
		return streaming.ViewerMark{Key: k, UserID: user, Completed: completed}
	}
	count := func(bs []bool) (n int) {
		for _, b := range bs {
			if b {
				n++
			}
		}
		return n
	}
	call := func(marks ...streaming.ViewerMark) (plays, completions int, sent int) {
		t.Helper()
		before := len(sets.calls)
		p, c, err := m.MarkViewers(context.Background(), marks)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != len(marks) || len(c) != len(marks) {
			t.Fatalf("%d answers for %d marks", len(p), len(marks))
		}
		if len(sets.calls) > before {
			sent = len(sets.calls[len(sets.calls)-1])
		}
		return count(p), count(c), sent
	}

	// u1 twice in k1 (once completed), u2 in k1 completed: two viewers, two completions, two marks sent.
	if p, c, s := call(mark(k1, "u1", false), mark(k1, "u1", true), mark(k1, "u2", true)); p != 2 || c != 2 || s != 2 {
		t.Errorf("first call: %d plays, %d completions, %d marks sent; want 2, 2, 2", p, c, s)
	}
	// The same again: nothing new, nothing sent.
	if p, c, s := call(mark(k1, "u1", true), mark(k1, "u2", false)); p != 0 || c != 0 || s != 0 {
		t.Errorf("repeated marks: %d plays, %d completions, %d marks sent; want none", p, c, s)
	}
	// u3 plays k1 (new), then completes it later: one play, then one completion, each sent once.
	if p, c, s := call(mark(k1, "u3", false)); p != 1 || c != 0 || s != 1 {
		t.Errorf("u3 plays: %d plays, %d completions, %d sent; want 1, 0, 1", p, c, s)
	}
	if p, c, s := call(mark(k1, "u3", true), mark(k1, "u3", false)); p != 0 || c != 1 || s != 1 {
		t.Errorf("u3 completes: %d plays, %d completions, %d sent; want 0, 1, 1", p, c, s)
	}
	// A failed call remembers nothing: the mark goes again, and counts then.
	sets.fail = errors.New("down")
	if _, _, err := m.MarkViewers(context.Background(), []streaming.ViewerMark{mark(k2, "u1", false)}); err == nil {
		t.Fatal("the sets' error was not returned")
	}
	sets.fail = nil
	if p, _, s := call(mark(k2, "u1", false)); p != 1 || s != 1 {
		t.Errorf("after a failure: %d plays, %d sent; want 1, 1", p, s)
	}
	if m.Sent() != 5 || m.Known() != 4 {
		t.Errorf("Sent %d, Known %d; want 5 and 4", m.Sent(), m.Known())
	}
}
