package redis_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

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
	key := "trending:viewers:" + now.UTC().Format("2006010215")
	for _, k := range []string{key, key + ":" + hot} {
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
