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

func TestTrendingCountsOnceAndRanks(t *testing.T) {
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	tr := redis.NewTrending(c)
	// A random far-future hour among ~80 years of them, so other runs' counters (kept 8 days) practically never
	// mix in.
	now := time.Date(2100, 1, 2, 15, 30, 0, 0, time.UTC).Add(time.Duration(rand.Int64N(700_000)) * time.Hour)
	hot, warm, old := uuid.NewString(), uuid.NewString(), uuid.NewString()
	var events []streaming.PlaybackEvent
	add := func(content string, n int, at time.Time) {
		for range n {
			events = append(events, streaming.PlaybackEvent{EventID: uuid.NewString(), ContentID: content, OccurredAt: at})
		}
	}
	add(hot, 30, now)
	add(warm, 10, now.Add(-2*time.Hour))
	add(old, 50, now.Add(-30*time.Hour))
	if err := tr.Apply(ctx, events); err != nil {
		t.Fatal(err)
	}
	if err := tr.Apply(ctx, events); err != nil { // a replay of every event
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
	check(time.Hour, hot)
	check(24*time.Hour, hot, warm)
	check(7*24*time.Hour, old, hot, warm)
	top, _ := tr.Top(ctx, now, 24*time.Hour, 1)
	if len(top) != 1 || top[0].Plays < 29 || top[0].Plays > 30 { // counted once despite the replay (HLL: ~1% may be missed)
		t.Errorf("plays of the hot title = %v, want 30 (not 60)", top)
	}
	ttl, _ := c.Do(ctx, c.B().Ttl().Key("trending:"+now.UTC().Format("2006010215")).Build()).AsInt64()
	if ttl <= 0 {
		t.Errorf("bucket TTL = %d, want set", ttl)
	}
}

func ids(items []streaming.TrendingItem) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.ContentID)
	}
	return out
}
