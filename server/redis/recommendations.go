package redis

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/streaming"
)

// The recommendation cache keeps the seed's structure, one hash per user expiring after RecommendationTTL:
//
//	recommendations:{user id}   content:{content id} -> score (the seed's HSET)
//	                            meta:{content id}    -> {"title", "reason", "rank"}
//	                            empty                -> "1" when the user has no recommendations (a hash cannot be
//	                                                    empty, and an empty answer is worth caching too)
func recommendationsKey(userID string) string { return "recommendations:" + userID }

const (
	prefixRecContent = "content:"
	prefixRecMeta    = "meta:"
	fieldRecEmpty    = "empty"
)

type recMeta struct {
	Title  string `json:"title"`
	Reason string `json:"reason"`
	Rank   int    `json:"rank"`
}

// replaceHash replaces a hash and sets its TTL atomically, so a reader sees the old list or the new one, never half.
//
//	KEYS[1]  the hash
//	ARGV[1]  TTL in milliseconds
//	ARGV[2:] field, value pairs
var replaceHash = rueidis.NewLuaScript(`
redis.call('DEL', KEYS[1])
for i = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`)

// CachedRecommendations returns the user's cached recommendations, best first; ok is false on a miss. An empty list
// with ok true means the user was found to have none. With ClientCache the read is served from the client-side
// cache, which Redis invalidates when the key changes (asynchronously: a cached read right after a write may still
// see the old list; the writer has the new list in hand and needs no read back).
func (m *ReadModel) CachedRecommendations(ctx context.Context, userID string) ([]streaming.Recommendation, bool, error) {
	var res rueidis.RedisResult
	if m.opts.ClientCache {
		res = m.c.DoCache(ctx, m.c.B().Hgetall().Key(recommendationsKey(userID)).Cache(), m.opts.CacheTTL)
	} else {
		res = m.c.Do(ctx, m.c.B().Hgetall().Key(recommendationsKey(userID)).Build())
	}
	fields, err := res.AsStrMap()
	if err != nil {
		return nil, false, streaming.Unavailable("Redis", err)
	}
	if len(fields) == 0 {
		return nil, false, nil
	}
	type ranked struct {
		rec  streaming.Recommendation
		rank int
	}
	var list []ranked
	for f, v := range fields {
		id, isContent := strings.CutPrefix(f, prefixRecContent)
		if !isContent {
			continue
		}
		score, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, false, fmt.Errorf("decode %s %s: %w", recommendationsKey(userID), f, err)
		}
		raw, ok := fields[prefixRecMeta+id]
		if !ok {
			// Written by something else than CacheRecommendations (which writes both at once): recompute.
			return nil, false, nil
		}
		var meta recMeta
		if err := json.Unmarshal([]byte(raw), &meta); err != nil {
			return nil, false, fmt.Errorf("decode %s %s%s: %w", recommendationsKey(userID), prefixRecMeta, id, err)
		}
		list = append(list, ranked{streaming.Recommendation{ContentID: id, Title: meta.Title, Score: score, Reason: meta.Reason}, meta.Rank})
	}
	if len(list) == 0 && fields[fieldRecEmpty] != "1" {
		return nil, false, nil
	}
	slices.SortFunc(list, func(a, b ranked) int { return cmp.Compare(a.rank, b.rank) })
	recs := make([]streaming.Recommendation, len(list))
	for i, r := range list {
		recs[i] = r.rec
	}
	return recs, true, nil
}

// CacheRecommendations replaces the user's cached recommendations (best first) for RecommendationTTL, in one script
// call. An empty list is cached as such. A title listed twice keeps its first, better, place.
func (m *ReadModel) CacheRecommendations(ctx context.Context, userID string, recs []streaming.Recommendation) error {
	args := []string{strconv.FormatInt(m.opts.RecommendationTTL.Milliseconds(), 10)}
	if len(recs) == 0 {
		args = append(args, fieldRecEmpty, "1")
	}
	seen := make(map[string]bool, len(recs))
	for _, r := range recs {
		if seen[r.ContentID] {
			continue
		}
		seen[r.ContentID] = true
		meta, err := json.Marshal(recMeta{Title: r.Title, Reason: r.Reason, Rank: len(seen)})
		if err != nil {
			return fmt.Errorf("encode recommendation %s: %w", r.ContentID, err)
		}
		args = append(args, prefixRecContent+r.ContentID, strconv.FormatFloat(r.Score, 'g', -1, 64),
			prefixRecMeta+r.ContentID, string(meta))
	}
	if err := replaceHash.Exec(ctx, m.c, []string{recommendationsKey(userID)}, args).Error(); err != nil {
		return streaming.Unavailable("Redis", err)
	}
	return nil
}

// InvalidateRecommendations drops the users' cached recommendations, with one DEL per 1000 users, pipelined.
// (On a Redis Cluster the keys of one DEL would have to share a slot; this platform runs a single Redis.)
func (m *ReadModel) InvalidateRecommendations(ctx context.Context, userIDs ...string) error {
	keys := make([]string, len(userIDs))
	for i, id := range userIDs {
		keys[i] = recommendationsKey(id)
	}
	return m.apply(ctx, nil, keys)
}
