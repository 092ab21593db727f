package redis_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

func TestTrendingCountsViewersOnceAndRanks(t *testing.T) {
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	tr := redis.NewTrending(c)
	// A random far-future hour among ~80 years of them, so other runs' counters (kept 8 days) practically never
	// mix in.
	now := time.Date(2100, 1, 2, 15, 30, 0, 0, time.UTC).Add(time.Duration(rand.Int64N(700_000)) * time.Hour)
	hour := now.Truncate(time.Hour)
	hot, warm, old, flooded := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	var viewings []streaming.Viewing
	add := func(content string, viewers, each int, at time.Time) {
		for range viewers {
			user := uuid.NewString()
			for range each { // several partition writes of one viewer in the hour
				viewings = append(viewings, streaming.Viewing{UserID: user, ContentID: content, Hour: at})
			}
		}
	}
	add(hot, 30, 3, hour)
	add(warm, 10, 1, hour.Add(-2*time.Hour))
	add(old, 50, 1, hour.Add(-30*time.Hour))
	add(flooded, 2, 500, hour) // two viewers sending a flood of events: still two viewers
	if err := tr.Apply(ctx, viewings); err != nil {
		t.Fatal(err)
	}
	if err := tr.Apply(ctx, viewings); err != nil { // a replay of everything
		t.Fatal(err)
	}
	check := func(window time.Duration, want ...string) {
		t.Helper()
		top, err := tr.Top(ctx, now, window, 10)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(ids(top)) != fmt.Sprint(want) {
			t.Errorf("top over %v = %v, want %v", window, top, want)
		}
	}
	check(time.Hour, hot, flooded)
	check(24*time.Hour, hot, warm, flooded)
	check(7*24*time.Hour, old, hot, warm, flooded)
	top, _ := tr.Top(ctx, now, time.Hour, 2)
	// Counted once per viewer despite three viewings each and the replay (HLL: ~1% may be missed).
	if len(top) != 2 || top[0].Viewers < 29 || top[0].Viewers > 30 || top[1].Viewers != 2 {
		t.Errorf("viewers = %v, want hot 30 (not 90 or 180) and flooded 2 (not 1000)", top)
	}
	// The key names are a stored format: pinned here as literals.
	bucket := now.UTC().Format("2006010215")
	for _, k := range []string{"trending:{sets}:viewers:" + bucket, "trending:viewers:" + bucket + ":" + hot} {
		if ttl, _ := c.Do(ctx, c.B().Ttl().Key(k).Build()).AsInt64(); ttl <= 0 {
			t.Errorf("%s TTL = %d, want set", k, ttl)
		}
	}
}

func ids(items []streaming.TrendingItem) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.ContentID)
	}
	return out
}

// A longer window is read from its top list: built once from the union of its hours, cut to TrendingTopSize, kept
// for TrendingTopRefresh; the hour itself is always read live.
func TestTrendingTopListOfALongerWindow(t *testing.T) {
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	tr := redis.NewTrending(c)
	now := time.Date(2100, 1, 2, 15, 30, 0, 0, time.UTC).Add(time.Duration(rand.Int64N(700_000)) * time.Hour)
	tr.SetClock(func() time.Time { return now })
	hour := now.Truncate(time.Hour)
	var viewings []streaming.Viewing
	for i := range redis.TrendingTopSize + 10 { // more titles than a list keeps, one viewer each...
		viewings = append(viewings, streaming.Viewing{UserID: "u", ContentID: fmt.Sprintf("t%05d", i), Hour: hour.Add(-time.Hour)})
	}
	best := uuid.NewString()
	for range 3 { // ...and one title with three
		viewings = append(viewings, streaming.Viewing{UserID: uuid.NewString(), ContentID: best, Hour: hour})
	}
	if err := tr.Apply(ctx, viewings); err != nil {
		t.Fatal(err)
	}
	top, err := tr.Top(ctx, now, 24*time.Hour, 3)
	if err != nil || len(top) != 3 || top[0].ContentID != best || top[0].Viewers != 3 {
		t.Fatalf("day top = %v, %v; want %s with 3 first", top, err, best)
	}
	list := fmt.Sprintf("trending:{sets}:top:24h:%s", now.UTC().Format("2006010215"))
	if n, _ := c.Do(ctx, c.B().Zcard().Key(list).Build()).AsInt64(); n != redis.TrendingTopSize {
		t.Errorf("the day's top list holds %d titles, want %d", n, redis.TrendingTopSize)
	}
	if ttl, _ := c.Do(ctx, c.B().Pttl().Key(list).Build()).AsInt64(); ttl <= 0 || ttl > redis.TrendingTopRefresh.Milliseconds() {
		t.Errorf("the day's top list expires in %d ms, want within %s", ttl, redis.TrendingTopRefresh)
	}
	late := uuid.NewString()
	var more []streaming.Viewing
	for range 5 {
		more = append(more, streaming.Viewing{UserID: uuid.NewString(), ContentID: late, Hour: hour})
	}
	if err := tr.Apply(ctx, more); err != nil {
		t.Fatal(err)
	}
	if top, _ := tr.Top(ctx, now, time.Hour, 1); len(top) != 1 || top[0].ContentID != late {
		t.Errorf("hour top = %v, want %s at once", top, late)
	}
	// Apply adds new viewers to the current top list at once (it is not rebuilt here: the list keeps its size).
	if top, _ := tr.Top(ctx, now, 24*time.Hour, 2); len(top) != 2 || top[0].ContentID != late || top[0].Viewers != 5 || top[1].ContentID != best {
		t.Errorf("day top = %v, want %s with 5 then %s, without waiting for a rebuild", top, late, best)
	}
	c.Do(ctx, c.B().Del().Key(list).Build()) // as if TrendingTopRefresh had passed: rebuilt from the hours, the same
	if top, _ := tr.Top(ctx, now, 24*time.Hour, 2); len(top) != 2 || top[0].ContentID != late || top[0].Viewers != 5 {
		t.Errorf("day top after the rebuild = %v, want %s with 5 first", top, late)
	}
}

// An upgrade keeps what trending counted: hours an earlier version wrote under names without the hash tag are merged
// into their current sets (which may already count viewers since the upgrade), keep their expiry, and are gone under
// the old name; a second start moves nothing.
func TestTrendingMigrateKeysMovesEarlierHours(t *testing.T) {
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	tr := redis.NewTrending(c)
	now := time.Date(2100, 1, 2, 15, 30, 0, 0, time.UTC).Add(time.Duration(rand.Int64N(700_000)) * time.Hour)
	tr.SetClock(func() time.Time { return now })
	hour := now.Truncate(time.Hour)
	a, b := uuid.NewString(), uuid.NewString()
	legacy := func(h time.Time) string { return "trending:viewers:" + h.UTC().Format("2006010215") }
	for _, cmd := range [][]string{
		{"ZADD", legacy(hour), "7", a, "2", b},
		{"PEXPIRE", legacy(hour), "3600000"},
		{"ZADD", legacy(hour.Add(-30 * time.Hour)), "4", a},
		{"EXPIRE", legacy(hour.Add(-30 * time.Hour)), "3600"},
	} {
		if err := c.Do(ctx, c.B().Arbitrary(cmd...).Build()).Error(); err != nil {
			t.Fatal(err)
		}
	}
	// Since the upgrade, the new version counted one more viewer of b in this hour.
	if err := tr.Apply(ctx, []streaming.Viewing{{UserID: uuid.NewString(), ContentID: b, Hour: hour}}); err != nil {
		t.Fatal(err)
	}
	moved, err := tr.MigrateKeys(ctx)
	if c.Mode() == rueidis.ClientModeCluster {
		// On a cluster nothing is moved (the merge would span two slots), and nothing fails.
		if err != nil || moved != 0 {
			t.Errorf("MigrateKeys on a cluster = %d, %v; want nothing moved, no error", moved, err)
		}
		for _, h := range []time.Time{hour, hour.Add(-30 * time.Hour)} {
			c.Do(ctx, c.B().Del().Key(legacy(h)).Build())
		}
		return
	}
	if err != nil || moved != 2 {
		t.Fatalf("MigrateKeys = %d, %v; want 2 hours moved", moved, err)
	}
	top, err := tr.Top(ctx, now, time.Hour, 10)
	if err != nil || len(top) != 2 || top[0].ContentID != a || top[0].Viewers != 7 || top[1].ContentID != b || top[1].Viewers != 3 {
		t.Errorf("hour top after the move = %v, %v; want %s 7, %s 3", top, err, a, b)
	}
	if top, err := tr.Top(ctx, now, 48*time.Hour, 10); err != nil || len(top) != 2 || top[0].Viewers != 11 {
		t.Errorf("two-day top after the move = %v, %v; want %s with 7+4", top, err, a)
	}
	for _, h := range []time.Time{hour, hour.Add(-30 * time.Hour)} {
		if n, _ := c.Do(ctx, c.B().Exists().Key(legacy(h)).Build()).AsInt64(); n != 0 {
			t.Errorf("%s still exists", legacy(h))
		}
		key := "trending:{sets}:viewers:" + h.UTC().Format("2006010215")
		if ttl, _ := c.Do(ctx, c.B().Ttl().Key(key).Build()).AsInt64(); ttl <= 0 {
			t.Errorf("%s TTL = %d, want set", key, ttl)
		}
	}
	if moved, err := tr.MigrateKeys(ctx); err != nil || moved != 0 {
		t.Errorf("a second MigrateKeys = %d, %v; want nothing to move", moved, err)
	}
}
