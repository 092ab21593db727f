package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/search"
	"github.com/streamingplatform/streaming/server/streaming"
)

// The rebuild's source data holds together: every rating is of a watched title, watches are distinct pairs, one
// subscription per subscriber, and the Redis hashes and graph counts the sides are checked against follow from it.
func TestRebuildDataConsistent(t *testing.T) {
	size := rebuildSize{Users: 2000, Titles: 200, Watches: 20_000, Subscriptions: 1000, Ratings: 2000}
	d, err := newRebuildData(context.Background(), size)
	if err != nil {
		t.Fatal(err)
	}
	type pair struct{ user, content string }
	watched := map[pair]bool{}
	for _, w := range d.watches {
		if watched[pair{w.UserID, w.ContentID}] {
			t.Fatalf("watch %v twice", w)
		}
		watched[pair{w.UserID, w.ContentID}] = true
	}
	for _, r := range d.ratings {
		if !watched[pair{r.UserID, r.ContentID}] {
			t.Fatalf("rating %v of a title not watched", r)
		}
	}
	subscribers := map[string]bool{}
	for _, s := range d.subs {
		if subscribers[s.UserID] {
			t.Fatalf("user %s subscribed twice", s.UserID)
		}
		subscribers[s.UserID] = true
	}
	if len(d.subs) != size.Subscriptions || len(d.users) != size.Users {
		t.Errorf("%d subscriptions of %d users, want %d of %d", len(d.subs), len(d.users), size.Subscriptions, size.Users)
	}
	if n := len(d.ratings); n < size.Ratings*8/10 || n > size.Ratings*12/10 {
		t.Errorf("%d ratings, want about %d", n, size.Ratings)
	}
	hashes, err := d.redisHashes()
	if err != nil {
		t.Fatal(err)
	}
	if want := size.Users + size.Titles + len(d.plans); len(hashes) != want {
		t.Errorf("%d Redis hashes, want %d", len(hashes), want)
	}
	for _, s := range d.subs {
		if _, ok := hashes["user_profile:"+s.UserID]["sub:"+s.ID]; !ok {
			t.Fatalf("subscription %s missing from its user's hash", s.ID)
		}
	}
	g := d.expectedGraph()
	if g.Watched != int64(len(d.watches)) || g.Genres != int64(len(baseGenres)) || g.Cards == 0 || g.Cards > g.PaidWith {
		t.Errorf("expected graph %v", g)
	}
}

// The analytics mix: distinct roll-ups of the month's whole hours, and queries the store accepts.
func TestAnalyticsMix(t *testing.T) {
	titles := uuids(300)
	last := time.Date(2026, 12, 3, 21, 0, 0, 0, time.UTC)
	rollups := analyticsRollupSet(5000, titles, last, 1)
	if len(rollups) != 5000 {
		t.Fatalf("%d roll-ups, want 5000", len(rollups))
	}
	first := last.Add(-time.Duration(analyticsDays*24-1) * time.Hour)
	seen := map[streaming.Rollup]bool{}
	for _, r := range rollups {
		k := streaming.Rollup{ContentID: r.ContentID, Hour: r.Hour, Country: r.Country, Device: r.Device}
		switch {
		case seen[k]:
			t.Fatalf("roll-up %v twice", k)
		case r.Hour.Before(first) || r.Hour.After(last) || !r.Hour.Equal(r.Hour.Truncate(time.Hour)):
			t.Fatalf("roll-up of hour %s, outside [%s, %s]", r.Hour, first, last)
		case !slices.Contains(streaming.Devices, r.Device) || r.Plays < 1 || r.Completions > r.Plays:
			t.Fatalf("roll-up %+v", r)
		}
		seen[k] = true
	}
	index, closeIndex, err := search.Open(context.Background(), search.Config{URLs: []string{"http://127.0.0.1:1"}, Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	defer closeIndex()
	store, err := index.Analytics("")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[int]bool{}
	for _, q := range analyticsQueries(200, titles, last.Add(time.Hour), 2) {
		if _, err := store.Request(q.q); err != nil {
			t.Fatalf("%s: %+v: %v", analyticsKinds[q.kind], q.q, err)
		}
		if r := analyticsRequestPB(q.q); (q.q.Device != "") != (r.GetDevice() != 0) {
			t.Fatalf("device %q became %v", q.q.Device, r.GetDevice())
		}
		kinds[q.kind] = true
	}
	if len(kinds) != len(analyticsKinds) {
		t.Errorf("the mix has %d kinds of query, want %d", len(kinds), len(analyticsKinds))
	}
}
