package redis

import (
	"context"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Trending keeps time-bucketed play counters per title, fed by durable playback events:
//
//	trending:{YYYYMMDDHH}        sorted set, member content id, score plays in that UTC hour
//	trending:seen:{YYYYMMDDHH}:{content id}   HyperLogLog of the event ids already counted
//
// Delivery of events is at least once, so counting must tolerate replays: an event is counted only when PFADD of
// its id changes the title's HyperLogLog for that hour, which a replayed id never does. (A HyperLogLog may, rarely,
// also report "unchanged" for a new id: about 1% of counts can be missed, never doubled; fine for trending.)
// Buckets expire after TrendingRetention, which covers the longest window (a week).
type Trending struct {
	c rueidis.Client
}

// TrendingRetention is how long hourly buckets live.
const TrendingRetention = 8 * 24 * time.Hour

func NewTrending(c rueidis.Client) *Trending { return &Trending{c: c} }

func hourBucket(t time.Time) string { return t.UTC().Format("2006010215") }

// Apply counts the events. It is the derived-update function behind the ingest observer.
func (t *Trending) Apply(ctx context.Context, events []streaming.PlaybackEvent) error {
	if len(events) == 0 {
		return nil
	}
	cmds := make(rueidis.Commands, 0, len(events))
	for _, e := range events {
		cmds = append(cmds, t.c.B().Pfadd().Key("trending:seen:"+hourBucket(e.OccurredAt)+":"+e.ContentID).Element(e.EventID).Build())
	}
	type key struct{ bucket, content string }
	incr := map[key]int64{}
	expire := map[string]bool{}
	for i, res := range t.c.DoMulti(ctx, cmds...) {
		changed, err := res.AsInt64()
		if err != nil {
			return streaming.Unavailable("Redis", err)
		}
		e := events[i]
		b := hourBucket(e.OccurredAt)
		expire["trending:seen:"+b+":"+e.ContentID] = true
		if changed == 1 {
			incr[key{b, e.ContentID}]++
		}
	}
	cmds = cmds[:0]
	for k, n := range incr {
		cmds = append(cmds, t.c.B().Zincrby().Key("trending:"+k.bucket).Increment(float64(n)).Member(k.content).Build())
		expire["trending:"+k.bucket] = true
	}
	ttl := int64(TrendingRetention / time.Second)
	for k := range expire {
		cmds = append(cmds, t.c.B().Expire().Key(k).Seconds(ttl).Build())
	}
	for _, res := range t.c.DoMulti(ctx, cmds...) {
		if err := res.Error(); err != nil {
			return streaming.Unavailable("Redis", err)
		}
	}
	return nil
}

// Top returns the most played titles over the hours ending at now (window 1h, 24h or 168h), most played first.
func (t *Trending) Top(ctx context.Context, now time.Time, window time.Duration, limit int) ([]streaming.TrendingItem, error) {
	hours := int(window / time.Hour)
	if hours < 1 {
		hours = 1
	}
	keys := make([]string, 0, hours)
	for h := 0; h < hours; h++ {
		keys = append(keys, "trending:"+hourBucket(now.Add(-time.Duration(h)*time.Hour)))
	}
	// ZUNION (Redis 6.2+) sums the buckets without a temporary key; it returns ascending scores.
	res, err := t.c.Do(ctx, t.c.B().Zunion().Numkeys(int64(len(keys))).Key(keys...).Withscores().Build()).AsZScores()
	if err != nil {
		return nil, streaming.Unavailable("Redis", err)
	}
	out := make([]streaming.TrendingItem, 0, min(limit, len(res)))
	for i := len(res) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, streaming.TrendingItem{ContentID: res[i].Member, Plays: int64(res[i].Score)})
	}
	return out, nil
}
