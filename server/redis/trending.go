package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Trending keeps time-bucketed viewer counters per title, fed by the viewings of durable playback events:
//
//	trending:{sets}:viewers:<yyyymmddhh>        sorted set, member content id, score distinct viewers in that UTC hour
//	trending:viewers:<yyyymmddhh>:<content id>  HyperLogLog of the user ids already counted for that title and hour
//
// "{sets}" is a Redis Cluster hash tag: every sorted set of trending (the hours and the windows' top lists) hashes
// to one slot, so ZUNIONSTORE can combine them on a cluster; the HyperLogLogs, one per title and hour and far more
// numerous, spread over the cluster's masters. (The hours' sets were trending:viewers:<yyyymmddhh> before the hash
// tag; MigrateKeys moves them.)
//
// A title trends by how many people watch it, not how many events they send: a viewer is counted once per title and
// hour however many events, replays or sessions they produce, so one user (or one client replaying a stream)
// cannot push a title up. Delivery is at least once, and counting tolerates it: a viewer is counted only when PFADD
// of the user id changes the title's HyperLogLog for that hour, which a viewer already counted never does. (A
// HyperLogLog may, rarely, also report "unchanged" for a new viewer: about 1% of viewers can be missed, never
// doubled; fine for trending.) A window sums its hours, so a viewer who came back in another hour counts again
// there. Buckets expire after TrendingRetention, which covers the longest window (a week).
type Trending struct {
	c   rueidis.Client
	now func() time.Time // which top lists Apply keeps current
}

// TrendingRetention is how long hourly buckets live.
const TrendingRetention = 8 * 24 * time.Hour

func NewTrending(c rueidis.Client) *Trending { return &Trending{c: c, now: time.Now} }

func hourBucket(t time.Time) string { return t.UTC().Format("2006010215") }

// trendingIncr is a title's new viewers in one hour.
type trendingIncr struct {
	hour    time.Time
	content string
}

// trendingKey is the hour's sorted set of titles by viewers.
func TrendingHourKey(hour time.Time) string { return "trending:{sets}:viewers:" + hourBucket(hour) }

// viewersKey is the HyperLogLog of a title's viewers in an hour.
func TrendingViewersKey(hour time.Time, contentID string) string {
	return "trending:viewers:" + hourBucket(hour) + ":" + contentID
}

// Apply counts the viewings' viewers. It is the derived-update function behind the ingest observer: one PFADD per
// viewing (per partition write and hour), one ZINCRBY per title whose viewers grew, one EXPIRE per key touched.
func (t *Trending) Apply(ctx context.Context, viewings []streaming.Viewing) error {
	if len(viewings) == 0 {
		return nil
	}
	cmds := make(rueidis.Commands, 0, len(viewings))
	for _, v := range viewings {
		cmds = append(cmds, t.c.B().Pfadd().Key(TrendingViewersKey(v.Hour, v.ContentID)).Element(v.UserID).Build())
	}
	incr := map[trendingIncr]int64{}
	expire := map[string]bool{}
	for i, res := range t.c.DoMulti(ctx, cmds...) {
		changed, err := res.AsInt64()
		if err != nil {
			return streaming.Unavailable("Redis", err)
		}
		v := viewings[i]
		expire[TrendingViewersKey(v.Hour, v.ContentID)] = true
		if changed == 1 {
			incr[trendingIncr{v.Hour.UTC().Truncate(time.Hour), v.ContentID}]++
		}
	}
	cmds = cmds[:0]
	for k, n := range incr {
		cmds = append(cmds, t.c.B().Zincrby().Key(TrendingHourKey(k.hour)).Increment(float64(n)).Member(k.content).Build())
		expire[TrendingHourKey(k.hour)] = true
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
	return t.bumpTopLists(ctx, t.now(), incr)
}

// topListWindows are the windows read from a top list (an hour is read from its own sorted set).
var topListWindows = []int{24, 168}

func topListKey(hours int, now time.Time) string {
	return fmt.Sprintf("trending:{sets}:top:%dh:%s", hours, hourBucket(now))
}

// bumpTopScript adds the new viewers (ARGV: count, content id, ...) to a window's top list, if the list exists:
// one that does not is built from the hours at its next read, and includes them then.
var bumpTopScript = rueidis.NewLuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 1, #ARGV, 2 do redis.call('ZINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`)

// bumpTopLists keeps the current top lists of the longer windows as fresh as the hours: each new viewer counted in
// an hour the window covers is added to the window's list at once. (A list built by a read between the hour's
// increment and this one counts those viewers twice until its rebuild: a few viewers, for at most
// TrendingTopRefresh.)
func (t *Trending) bumpTopLists(ctx context.Context, now time.Time, incr map[trendingIncr]int64) error {
	for _, hours := range topListWindows {
		from := now.Add(-time.Duration(hours-1) * time.Hour).Truncate(time.Hour)
		var args []string
		for k, n := range incr {
			if !k.hour.Before(from) {
				args = append(args, strconv.FormatInt(n, 10), k.content)
			}
		}
		if len(args) == 0 {
			continue
		}
		if err := bumpTopScript.Exec(ctx, t.c, []string{topListKey(hours, now)}, args).Error(); err != nil {
			return streaming.Unavailable("Redis", err)
		}
	}
	return nil
}

// Top returns the most watched titles over the hours ending at now (window 1h, 24h or 168h), most viewers first:
// distinct viewers per hour, summed over the hours; at most TrendingTopSize.
//
// A read costs O(log n + limit), whatever the number of titles counted: an hour is read from its sorted set; a
// longer window from its top list, trending:{sets}:top:<hours>h:<yyyymmddhh>, the union of its hours cut to the best
// TrendingTopSize, which Apply keeps current and which is rebuilt after TrendingTopRefresh (and each hour, as its
// key names the hour). So the union, which grows with the titles, runs a few times an hour on each Redis, not once
// per request. A title below the cut that gains viewers counts only those until the next rebuild.
func (t *Trending) Top(ctx context.Context, now time.Time, window time.Duration, limit int) ([]streaming.TrendingItem, error) {
	hours := max(int(window/time.Hour), 1)
	limit = min(limit, TrendingTopSize)
	if limit <= 0 {
		return nil, nil
	}
	read := func(key string) rueidis.Completed {
		return t.c.B().Zrange().Key(key).Min("0").Max(strconv.Itoa(limit - 1)).Rev().Withscores().Build()
	}
	if hours == 1 {
		return topItems(t.c.Do(ctx, read(TrendingHourKey(now))))
	}
	top := topListKey(hours, now)
	res := t.c.DoMulti(ctx, t.c.B().Exists().Key(top).Build(), read(top))
	if n, err := res[0].AsInt64(); err != nil {
		return nil, streaming.Unavailable("Redis", err)
	} else if n == 1 {
		return topItems(res[1])
	}
	keys := make([]string, 0, hours)
	for h := range hours {
		keys = append(keys, TrendingHourKey(now.Add(-time.Duration(h)*time.Hour)))
	}
	// Replicas that miss at once each build the same list: the last write wins, and they agree.
	res = t.c.DoMulti(ctx,
		t.c.B().Zunionstore().Destination(top).Numkeys(int64(len(keys))).Key(keys...).Build(),
		t.c.B().Zremrangebyrank().Key(top).Start(0).Stop(int64(-TrendingTopSize-1)).Build(),
		t.c.B().Pexpire().Key(top).Milliseconds(TrendingTopRefresh.Milliseconds()).Build(),
		read(top))
	for _, r := range res[:3] {
		if err := r.Error(); err != nil {
			return nil, streaming.Unavailable("Redis", err)
		}
	}
	return topItems(res[3])
}

// TrendingTopSize is how many titles a window's top list keeps, and the most Top returns.
const TrendingTopSize = 5000

// TrendingTopRefresh is how long a window's top list is served before it is built again from its hours. New
// viewers reach it at once (Apply adds them); the rebuild brings back titles below the cut that gained viewers.
const TrendingTopRefresh = 10 * time.Minute

func topItems(r rueidis.RedisResult) ([]streaming.TrendingItem, error) {
	zs, err := r.AsZScores()
	if err != nil {
		return nil, streaming.Unavailable("Redis", err)
	}
	out := make([]streaming.TrendingItem, len(zs))
	for i, z := range zs {
		out[i] = streaming.TrendingItem{ContentID: z.Member, Viewers: int64(z.Score)}
	}
	return out, nil
}

// legacyTrendingKey is an hour's sorted set as versions before the hash tag named it.
func legacyTrendingKey(hour time.Time) string { return "trending:viewers:" + hourBucket(hour) }

// mergeLegacyScript adds an hour's counts under its old name (KEYS[1]) to its set under the new one (KEYS[2]),
// which may already count viewers since the upgrade, keeps the later expiry and drops the old key.
var mergeLegacyScript = rueidis.NewLuaScript(`
local ttl = redis.call('PTTL', KEYS[1])
redis.call('ZUNIONSTORE', KEYS[2], 2, KEYS[2], KEYS[1])
if ttl > redis.call('PTTL', KEYS[2]) then redis.call('PEXPIRE', KEYS[2], ttl) end
redis.call('DEL', KEYS[1])
return 1
`)

// MigrateKeys moves the hours' sorted sets that an earlier version wrote under names without the hash tag to their
// current names, so an upgrade keeps what trending counted. It returns how many hours it moved; with none left it
// costs one pipelined EXISTS per hour of TrendingRetention. On a Redis Cluster it moves nothing: the old names
// only ever held a single Redis's data (the old version's windows could not be read from a cluster), and the merge,
// one atomic script over both names, would span two slots.
func (t *Trending) MigrateKeys(ctx context.Context) (int, error) {
	if t.c.Mode() == rueidis.ClientModeCluster {
		return 0, nil
	}
	hours := int(TrendingRetention / time.Hour)
	now := t.now().Truncate(time.Hour)
	cmds := make(rueidis.Commands, 0, hours+1)
	for h := range hours + 1 {
		cmds = append(cmds, t.c.B().Exists().Key(legacyTrendingKey(now.Add(-time.Duration(h)*time.Hour))).Build())
	}
	moved := 0
	for h, res := range t.c.DoMulti(ctx, cmds...) {
		n, err := res.AsInt64()
		if err != nil {
			return moved, streaming.Unavailable("Redis", err)
		}
		if n == 0 {
			continue
		}
		hour := now.Add(-time.Duration(h) * time.Hour)
		if err := mergeLegacyScript.Exec(ctx, t.c, []string{legacyTrendingKey(hour), TrendingHourKey(hour)}, nil).Error(); err != nil {
			return moved, fmt.Errorf("trending: move %s: %w", legacyTrendingKey(hour), err)
		}
		moved++
	}
	return moved, nil
}
