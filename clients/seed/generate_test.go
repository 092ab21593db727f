package seed

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"buf.build/go/protovalidate"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/ingest"
	"github.com/streamingplatform/streaming/server/payment"
	"github.com/streamingplatform/streaming/server/streaming"
)

func generate(t *testing.T, o Options) *Dataset {
	t.Helper()
	d, err := Generate(o)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", o, err)
	}
	return d
}

func demo(t *testing.T) Options {
	t.Helper()
	o, err := Preset("demo")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// fakeIDs stand in for the ids the server assigns; kind keeps the kinds apart.
func fakeIDs(kind, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", kind, i)
	}
	return ids
}

const (
	userKind = iota + 1
	planKind
)

// everything renders every request of a data set, with fake server ids and a fixed anchor.
func everything(d *Dataset, anchor time.Time) []proto.Message {
	userIDs, planIDs := fakeIDs(userKind, len(d.Users)), fakeIDs(planKind, len(d.Plans))
	var out []proto.Message
	for _, p := range d.Plans {
		out = append(out, p)
	}
	for _, c := range d.Contents {
		out = append(out, &pb.UpsertContentRequest{Content: c})
	}
	for i, u := range d.Users {
		out = append(out, u, d.Subscription(i, userIDs[i], planIDs))
	}
	for _, p := range d.Pairs {
		for _, e := range d.AppendEvents(nil, p, userIDs[p.User], anchor) {
			out = append(out, e)
		}
		if p.Stars > 0 {
			out = append(out, d.Rating(p, userIDs[p.User]))
		}
	}
	return out
}

func TestGenerateIsDeterministic(t *testing.T) {
	anchor := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	o := demo(t)
	a, b := everything(generate(t, o), anchor), everything(generate(t, o), anchor)
	if len(a) != len(b) {
		t.Fatalf("two runs with seed %d made %d and %d requests", o.Seed, len(a), len(b))
	}
	for i := range a {
		if !proto.Equal(a[i], b[i]) {
			t.Fatalf("two runs with seed %d differ at request %d (-first +second):\n%s", o.Seed, i,
				cmp.Diff(a[i], b[i], protocmp.Transform()))
		}
	}
	if pa, pb := generate(t, o).Pairs, generate(t, o).Pairs; !slices.Equal(pa, pb) {
		t.Fatal("pairs differ between two runs with one seed")
	}

	o2 := o
	o2.Seed = 2
	c, same := everything(generate(t, o2), anchor), 0
	for i := range min(len(a), len(c)) {
		if proto.Equal(a[i], c[i]) {
			same++
		}
	}
	if same > len(a)/10 {
		t.Fatalf("seeds 1 and 2 share %d of %d requests", same, len(a))
	}
}

// A bigger data set extends a smaller one: title i and user i do not depend on the size.
func TestItemsDoNotDependOnSize(t *testing.T) {
	small := generate(t, Options{Users: 10, Titles: 30, Watches: 40, Ratings: 5, Seed: 7})
	big := generate(t, Options{Users: 100, Titles: 300, Watches: 900, Ratings: 50, Seed: 7})
	if diff := cmp.Diff(small.Contents, big.Contents[:30], protocmp.Transform()); diff != "" {
		t.Errorf("titles differ:\n%s", diff)
	}
	if diff := cmp.Diff(small.Users, big.Users[:10], protocmp.Transform()); diff != "" {
		t.Errorf("users differ:\n%s", diff)
	}
}

// Every request the seed sends passes the contract's protovalidate rules and, for events, the ingest service's own
// checks (canonical ids, the clock window); the counts are exactly the options'.
func TestGeneratedRequestsAreValid(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name string
		opts Options
	}{
		{"demo", demo(t)},
		{"namespace", Options{Users: 20, Titles: 40, Watches: 100, Ratings: 30, Seed: 3, Namespace: "e2e-0a1b"}},
		{"one of each", Options{Users: 1, Titles: 1, Watches: 1, Ratings: 1, Seed: 4}},
		{"catalog saturated", Options{Users: 3, Titles: 10, Watches: 15, Ratings: 15, Seed: 5}},
		{"no watches", Options{Users: 2, Titles: 3, Seed: 6}},
		{"other seed", Options{Users: 40, Titles: 500, Watches: 1200, Ratings: 200, Seed: -99}},
	}
	genre := regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := generate(t, tt.opts)
			anchor := now.Add(-time.Minute)
			msgs := everything(d, anchor)
			for _, m := range msgs {
				if err := protovalidate.Validate(m); err != nil {
					t.Fatalf("%T %v: %v", m, m, err)
				}
			}

			if len(d.Plans) != 3 || len(d.Contents) != tt.opts.Titles || len(d.Users) != tt.opts.Users ||
				len(d.Pairs) != tt.opts.Watches {
				t.Fatalf("got %d plans, %d titles, %d users, %d pairs; want 3, %d, %d, %d", len(d.Plans), len(d.Contents),
					len(d.Users), len(d.Pairs), tt.opts.Titles, tt.opts.Users, tt.opts.Watches)
			}
			names, titles, emails := map[string]bool{}, map[string]bool{}, map[string]bool{}
			for _, p := range d.Plans {
				names[p.GetName()] = true
				if tt.opts.Namespace != "" && !strings.Contains(p.GetName(), tt.opts.Namespace) {
					t.Errorf("plan %q does not carry the namespace", p.GetName())
				}
			}
			for i, c := range d.Contents {
				if titles[c.GetTitle()] {
					t.Errorf("title %q twice", c.GetTitle())
				}
				titles[c.GetTitle()] = true
				if c.GetId() != d.ContentID(i) {
					t.Errorf("title %d: id %s, want ContentID %s", i, c.GetId(), d.ContentID(i))
				}
				for _, g := range c.GetGenres() {
					if !slices.Contains(Genres, g) || !genre.MatchString(g) {
						t.Errorf("title %q: genre %q is not one of %v", c.GetTitle(), g, Genres)
					}
				}
				if (c.GetType() == pb.ContentType_CONTENT_TYPE_SERIES) != (c.GetSeasons() > 0) {
					t.Errorf("title %q: type %s with %d seasons", c.GetTitle(), c.GetType(), c.GetSeasons())
				}
			}
			for i, u := range d.Users {
				if sub := d.Subscription(i, "u", fakeIDs(planKind, 3)); !slices.Contains(payment.ApprovedTokens, sub.GetPaymentToken()) {
					t.Errorf("user %d pays with %q, which the local processor does not approve", i, sub.GetPaymentToken())
				}
				if emails[u.GetEmail()] {
					t.Errorf("email %s twice", u.GetEmail())
				}
				emails[u.GetEmail()] = true
				if tt.opts.Namespace != "" && !strings.Contains(u.GetEmail(), "+"+tt.opts.Namespace+"@") {
					t.Errorf("email %s does not carry the namespace", u.GetEmail())
				}
			}

			pairs, rated, events := map[[2]int32]bool{}, 0, 0
			eventIDs := map[string]bool{}
			userIDs := fakeIDs(userKind, len(d.Users))
			for _, p := range d.Pairs {
				if pairs[[2]int32{p.User, p.Title}] {
					t.Fatalf("pair %v twice", p)
				}
				pairs[[2]int32{p.User, p.Title}] = true
				if p.Stars != 0 {
					rated++
					if p.Stars < 1 || p.Stars > 5 {
						t.Errorf("pair %v: stars %d", p, p.Stars)
					}
				}
				evs := d.AppendEvents(nil, p, userIDs[p.User], anchor)
				if len(evs) != int(p.Events) || len(evs) < 1 || len(evs) > 4 {
					t.Fatalf("pair %v: %d events", p, len(evs))
				}
				events += len(evs)
				checkSession(t, d, p, evs, anchor, now)
				for _, e := range evs {
					if eventIDs[e.GetEventId()] {
						t.Fatalf("event id %s twice", e.GetEventId())
					}
					eventIDs[e.GetEventId()] = true
				}
			}
			if rated != tt.opts.Ratings {
				t.Errorf("%d pairs rated, want %d", rated, tt.opts.Ratings)
			}
			if events != d.Events() {
				t.Errorf("Events() = %d, the pairs have %d", d.Events(), events)
			}
			for i := range d.Users {
				hasRating := slices.ContainsFunc(d.Pairs, func(p Pair) bool { return int(p.User) == i && p.Stars > 0 })
				if d.Rater(i) != hasRating {
					t.Errorf("Rater(%d) = %v, want %v", i, d.Rater(i), hasRating)
				}
			}
		})
	}
}

// checkSession checks one pair's events the way the ingest service does, and that they tell a coherent viewing.
func checkSession(t *testing.T, d *Dataset, p Pair, evs []*pb.PlaybackEvent, anchor, now time.Time) {
	t.Helper()
	duration := d.Contents[p.Title].GetDurationSeconds()
	prevPos, prevTime := int32(0), time.Time{}
	plan := planSpecs[d.UserPlan(int(p.User))]
	for k, e := range evs {
		se := streaming.PlaybackEvent{EventID: e.GetEventId(), UserID: e.GetUserId(), ContentID: e.GetContentId(),
			OccurredAt: e.GetOccurTime().AsTime(), PlayedSeconds: e.GetPlayedSeconds(), PositionSeconds: e.GetPositionSeconds(),
			Device:  strings.ToLower(strings.TrimPrefix(e.GetDevice().String(), "DEVICE_")),
			Quality: strings.ToLower(strings.TrimPrefix(e.GetQuality().String(), "VIDEO_QUALITY_")), Completed: e.GetCompleted()}
		if err := ingest.Validate(&se, now, ingest.DefaultMaxSkew, ingest.DefaultMaxAge); err != nil {
			t.Fatalf("pair %v event %d: the ingest service would reject it: %v", p, k, err)
		}
		at := e.GetOccurTime().AsTime()
		if !at.Before(anchor) || at.Before(anchor.Add(-HistoryWindow)) || !at.After(prevTime) {
			t.Errorf("pair %v event %d at %s: want increasing times within the week before %s", p, k, at, anchor)
		}
		if e.GetPositionSeconds() < prevPos || e.GetPlayedSeconds() != e.GetPositionSeconds()-prevPos ||
			e.GetPositionSeconds() > duration {
			t.Errorf("pair %v event %d: position %d after %d, played %d, duration %d", p, k, e.GetPositionSeconds(),
				prevPos, e.GetPlayedSeconds(), duration)
		}
		if e.GetQuality() > plan.quality {
			t.Errorf("pair %v event %d: quality %s above the plan's %s", p, k, e.GetQuality(), plan.quality)
		}
		last := k == len(evs)-1
		if e.GetCompleted() != (last && p.Completed) {
			t.Errorf("pair %v event %d: completed = %v", p, k, e.GetCompleted())
		}
		if last && p.Completed && e.GetPositionSeconds() != duration {
			t.Errorf("pair %v: completed at %d of %d seconds", p, e.GetPositionSeconds(), duration)
		}
		prevPos, prevTime = e.GetPositionSeconds(), at
	}
}

// Popular titles are watched by many users, the long tail by few (what trending and co-watching need), and the
// batches the seed sends fit the contract.
func TestWatchesAreSkewedByPopularity(t *testing.T) {
	d := generate(t, demo(t))
	count := make([]int, len(d.Contents))
	for _, p := range d.Pairs {
		count[p.Title]++
	}
	top := 0
	for _, n := range count[:len(count)/10] {
		top += n
	}
	if share := float64(top) / float64(len(d.Pairs)); share < 0.25 {
		t.Errorf("the 10%% most popular titles have %.0f%% of the watches, want at least 25%%", 100*share)
	}
	if count[0] < len(d.Users)/2 {
		t.Errorf("the most popular title is watched by %d of %d users", count[0], len(d.Users))
	}
	req := &pb.IngestPlaybackEventsRequest{}
	for _, p := range d.Pairs[:200] {
		req.Events = d.AppendEvents(req.Events, p, fakeIDs(userKind, len(d.Users))[p.User], time.Now())
	}
	req.Events = req.Events[:min(len(req.Events), 1000)]
	if err := protovalidate.Validate(req); err != nil {
		t.Fatalf("a batch of %d events: %v", len(req.Events), err)
	}
}

func TestOptionsAreChecked(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no users", Options{Titles: 10}, "users = 0"},
		{"no titles", Options{Users: 10}, "titles = 0"},
		{"more watches than half the catalog per user", Options{Users: 2, Titles: 10, Watches: 11}, "watches = 11"},
		{"ratings of unwatched titles", Options{Users: 2, Titles: 10, Watches: 3, Ratings: 4}, "ratings = 4"},
		{"bad namespace", Options{Users: 1, Titles: 1, Namespace: "Has Space"}, "namespace"},
		{"batch above the contract's 1000", Options{Users: 1, Titles: 1, BatchSize: 1001}, "batch size"},
		{"negative concurrency", Options{Users: 1, Titles: 1, Concurrency: -1}, "concurrency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Generate(%+v) = %v, want an error about %q", tt.opts, err, tt.want)
			}
		})
	}
	if _, err := Preset("huge"); err == nil {
		t.Error("Preset(huge) did not fail")
	}
	for name := range Presets {
		o, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := o.validate(); err != nil {
			t.Errorf("preset %s: %v", name, err)
		}
	}
}

func TestChooseAnchor(t *testing.T) {
	now := time.Date(2026, 5, 10, 12, 30, 15, 500, time.UTC)
	recent := now.Add(-3 * time.Hour)
	prev := &Manifest{Seed: 1, Anchor: recent}
	tests := []struct {
		name string
		opts Options
		want time.Time
	}{
		{"no earlier run: now", Options{Seed: 1}, now.Truncate(time.Second)},
		{"explicit anchor wins", Options{Seed: 1, Anchor: recent.Add(time.Minute), Previous: prev}, recent.Add(time.Minute)},
		{"earlier run of the same seed today: reuse", Options{Seed: 1, Previous: prev}, recent},
		{"earlier run of another seed", Options{Seed: 2, Previous: prev}, now.Truncate(time.Second)},
		{"earlier run in another namespace", Options{Seed: 1, Namespace: "x", Previous: prev}, now.Truncate(time.Second)},
		{"earlier run over a day ago", Options{Seed: 1, Previous: &Manifest{Seed: 1, Anchor: now.Add(-25 * time.Hour)}}, now.Truncate(time.Second)},
		{"earlier anchor in the future", Options{Seed: 1, Previous: &Manifest{Seed: 1, Anchor: now.Add(time.Hour)}}, now.Truncate(time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := chooseAnchor(now, tt.opts); !got.Equal(tt.want) {
				t.Errorf("chooseAnchor = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestManifestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "manifest.json")
	if _, err := ReadManifest(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadManifest of a missing file = %v, want fs.ErrNotExist", err)
	}
	m := &Manifest{Seed: 3, Anchor: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Password: Password,
		Plans:  []PlanRef{{ID: "p1", Name: "Basic"}, {ID: "p2", Name: "Standard"}},
		Phases: []Phase{{Name: "plans", Count: 3, Seconds: 0.5, Rate: 6}}, Counts: Counts{Plans: 3}}
	if err := WriteManifest(path, m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Fatalf("round trip (-wrote +read):\n%s", diff)
	}
	if got.PlanID("Standard") != "p2" || got.PlanID("Premium") != "" || (*Manifest)(nil).PlanID("Basic") != "" {
		t.Error("PlanID does not find plans by name")
	}
}
