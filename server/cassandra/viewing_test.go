package cassandra_test

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/streaming"
)

// viewingFixture is the playback of two users on the same three titles, written through WritePartition, over the
// three UTC days [from, to) and one day on either side.
type viewingFixture struct {
	from, to time.Time
	users    []string
	titles   []string
	events   []streaming.PlaybackEvent
}

// writeViewing writes a viewingFixture. The days end yesterday: events must not lie in the future. Each (user, title)
// has up to four events a day at random milliseconds, some played for 0 s, plus events on both sides of both bounds
// (from - 1 ms, from, to - 1 ms, to); users[0] played nothing of titles[2] on the range's second day, though it has
// an event then.
func writeViewing(t *testing.T, ctx context.Context, store *cassandra.Store) viewingFixture {
	t.Helper()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	f := viewingFixture{from: today.AddDate(0, 0, -4), to: today.AddDate(0, 0, -1)}
	for range 2 {
		f.users = append(f.users, uuid.NewString())
	}
	for range 3 {
		f.titles = append(f.titles, uuid.NewString())
	}
	for u, user := range f.users {
		for c, title := range f.titles {
			var events []streaming.PlaybackEvent
			add := func(at time.Time, played int32) {
				events = append(events, streaming.PlaybackEvent{
					EventID: uuid.NewString(), UserID: user, ContentID: title, OccurredAt: at,
					PlayedSeconds: played, PositionSeconds: rand.Int32N(7200),
					Device:    streaming.Devices[rand.IntN(len(streaming.Devices))],
					Quality:   streaming.Qualities[rand.IntN(len(streaming.Qualities))],
					Completed: rand.IntN(4) == 0,
				})
			}
			for d := -1; d <= 3; d++ {
				day := f.from.AddDate(0, 0, d)
				if u == 0 && c == 2 && d == 1 {
					add(day.Add(10*time.Hour), 0)
					continue
				}
				for range rand.IntN(5) {
					add(day.Add(time.Duration(rand.Int64N(int64(24*time.Hour/time.Millisecond)))*time.Millisecond), rand.Int32N(4)*10)
				}
			}
			for _, at := range []time.Time{f.from.Add(-time.Millisecond), f.from, f.to.Add(-time.Millisecond), f.to} {
				add(at, 1+rand.Int32N(600))
			}
			write(t, ctx, store, events)
			f.events = append(f.events, events...)
		}
	}
	return f
}

// dailyViewing is what DailyViewing should return, summed from the events written.
func (f viewingFixture) dailyViewing(user string, from, to time.Time) []streaming.DailyTitleViewing {
	type key struct {
		day     time.Time
		content string
	}
	sums := map[key]int64{}
	for _, e := range f.events {
		if e.UserID == user && !e.OccurredAt.Before(from) && e.OccurredAt.Before(to) {
			sums[key{e.OccurredAt.UTC().Truncate(24 * time.Hour), e.ContentID}] += int64(e.PlayedSeconds)
		}
	}
	var out []streaming.DailyTitleViewing
	for k, seconds := range sums {
		if seconds != 0 {
			out = append(out, streaming.DailyTitleViewing{Day: k.day, ContentID: k.content, Seconds: seconds})
		}
	}
	slices.SortFunc(out, func(a, b streaming.DailyTitleViewing) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		return cmp.Compare(a.ContentID, b.ContentID)
	})
	return out
}

// ranges are the ranges the tests read, [from, to) first.
func (f viewingFixture) ranges() [][2]time.Time {
	day := 24 * time.Hour
	return [][2]time.Time{
		{f.from, f.to},
		// The middle day.
		{f.from.Add(day), f.from.Add(2 * day)},
		// The events at from and at to - 1 ms are out.
		{f.from.Add(time.Millisecond), f.to.Add(-time.Millisecond)},
		// Bounds between milliseconds: the event at from - 1 ms is out, the one at to is in.
		{f.from.Add(-time.Microsecond), f.to.Add(time.Microsecond)},
		// Bounds between milliseconds: the events at from and at to - 1 ms are in, those at from - 1 ms and at to out.
		{f.from.Add(-time.Millisecond + time.Nanosecond), f.to.Add(-time.Millisecond + time.Nanosecond)},
		// Every event.
		{f.from.Add(-day), f.to.Add(day)},
		// Empty.
		{f.from.Add(5 * time.Hour), f.from.Add(5 * time.Hour)},
		{f.to, f.from},
	}
}

// DailyViewing sums each day's played seconds of each title of the user, and of no other user, over [from, to).
func TestDailyViewing(t *testing.T) {
	store, ctx := setup(t)
	f := writeViewing(t, ctx, store)
	for _, user := range f.users {
		for _, r := range f.ranges() {
			got, err := store.DailyViewing(ctx, user, r[0], r[1])
			if err != nil {
				t.Fatalf("DailyViewing(%s, %s): %v", r[0], r[1], err)
			}
			if diff := gocmp.Diff(f.dailyViewing(user, r[0], r[1]), got); diff != "" {
				t.Errorf("DailyViewing(%s, %s) (-want +got):\n%s", r[0], r[1], diff)
			}
		}
	}
	// A title whose events were written before user_titles existed (schema step 3) is found through
	// continue_watching.
	if err := store.Session().Query(`DELETE FROM user_titles WHERE user_id = ? AND content_id = ?`, f.users[1], f.titles[1]).
		WithContext(ctx).Exec(); err != nil {
		t.Fatal(err)
	}
	got, err := store.DailyViewing(ctx, f.users[1], f.from, f.to)
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(f.dailyViewing(f.users[1], f.from, f.to), got); diff != "" {
		t.Errorf("DailyViewing without the user_titles row (-want +got):\n%s", diff)
	}

	if got, err := store.DailyViewing(ctx, uuid.NewString(), f.from, f.to); err != nil || len(got) != 0 {
		t.Errorf("DailyViewing of a user without events = %v, %v; want none", got, err)
	}
	_, err = store.DailyViewing(ctx, "not-a-uuid", f.from, f.to)
	wantInvalid(t, err, "user_id")
}

// ScanEvents hands over every event in [from, to), of every user and title, each once and whole, in batches of at
// most the page size.
func TestScanEvents(t *testing.T) {
	store, ctx := ownStore(t, nil) // a full scan of the shared keyspace would also see the other tests' events
	f := writeViewing(t, ctx, store)
	for _, r := range f.ranges() {
		want := map[string]streaming.PlaybackEvent{}
		for _, e := range f.events {
			if !e.OccurredAt.Before(r[0]) && e.OccurredAt.Before(r[1]) {
				want[e.EventID] = e
			}
		}
		for _, pageSize := range []int{1, 7, 1000} {
			got := map[string]*streaming.PlaybackEvent{} // kept as handed over: fn may keep the events
			batches := 0
			err := store.ScanEvents(ctx, r[0], r[1], pageSize, func(events []*streaming.PlaybackEvent) error {
				batches++
				if len(events) == 0 || len(events) > pageSize {
					t.Errorf("page size %d: batch %d has %d events", pageSize, batches, len(events))
				}
				for _, e := range events {
					if _, dup := got[e.EventID]; dup {
						t.Errorf("page size %d: event %s read twice", pageSize, e.EventID)
					}
					got[e.EventID] = e
				}
				return nil
			})
			if err != nil {
				t.Fatalf("ScanEvents(%s, %s, page size %d): %v", r[0], r[1], pageSize, err)
			}
			gotEvents := map[string]streaming.PlaybackEvent{}
			for id, e := range got {
				gotEvents[id] = *e
			}
			if diff := gocmp.Diff(want, gotEvents); diff != "" {
				t.Errorf("ScanEvents(%s, %s, page size %d) (-want +got):\n%s", r[0], r[1], pageSize, diff)
			}
			if wantBatches := (len(want) + pageSize - 1) / pageSize; batches != wantBatches {
				t.Errorf("page size %d: %d batches for %d events; want %d", pageSize, batches, len(want), wantBatches)
			}
		}
	}

	// fn's error ends the scan and is returned as is.
	stop := errors.New("stop")
	calls := 0
	err := store.ScanEvents(ctx, f.from, f.to, 1, func([]*streaming.PlaybackEvent) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("ScanEvents = %v after %d calls of fn; want fn's error after 1", err, calls)
	}
	for _, n := range []int{0, -1} {
		wantInvalid(t, store.ScanEvents(ctx, f.from, f.to, n, func([]*streaming.PlaybackEvent) error { return nil }), "page_size")
	}
}

func TestViewingReadsReportUnavailable(t *testing.T) {
	_, ctx := setup(t)
	closed, _, err := cassandra.Open(ctx, shared.cfg)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	from := time.Now().Add(-time.Hour)
	if _, err := closed.DailyViewing(ctx, uuid.NewString(), from, time.Now()); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Errorf("DailyViewing after Close: %v; want unavailable", err)
	}
	err = closed.ScanEvents(ctx, from, time.Now(), 10, func([]*streaming.PlaybackEvent) error { return nil })
	if streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Errorf("ScanEvents after Close: %v; want unavailable", err)
	}
}
