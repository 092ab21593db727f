package redis

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/streaming"
)

// The recommendation cache keeps the brief's structure, one hash per user expiring after RecommendationTTL, plus the
// ranked list the server reads:
//
//	recommendations:{user id}   content:{content id} -> score (the brief's HSET, readable by hand)
//	                            list                 -> the titles best first, one line each (see encodeRecLine);
//	                                                    "" when the user has no recommendations (an empty answer
//	                                                    is worth caching too)
//
// A read is one HGET of list, decoded only as far as the caller's limit: a warm call costs a few substrings, not a
// parse of the whole hash. A hash without list (written by an older version, or by hand) is a miss and is
// recomputed.
func recommendationsKey(userID string) string { return "recommendations:" + userID }

const (
	prefixRecContent = "content:"
	fieldRecList     = "list"
)

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

// encodeRecLine appends one title of the list: its id, reason and title quoted (Go syntax, so none holds a raw tab
// or newline) and its score, tab-separated, ending in a newline.
func encodeRecLine(b []byte, r streaming.Recommendation) []byte {
	b = strconv.AppendQuote(b, r.ContentID)
	b = append(b, '\t')
	b = strconv.AppendFloat(b, r.Score, 'g', -1, 64)
	b = append(b, '\t')
	b = strconv.AppendQuote(b, r.Reason)
	b = append(b, '\t')
	b = strconv.AppendQuote(b, r.Title)
	return append(b, '\n')
}

// decodeRecLine reads one line written by encodeRecLine (without its newline).
func decodeRecLine(line string) (streaming.Recommendation, error) {
	var r streaming.Recommendation
	var parts [4]string
	for i := range 3 {
		var ok bool
		if parts[i], line, ok = strings.Cut(line, "\t"); !ok {
			return r, fmt.Errorf("%d fields, want 4", i+1)
		}
	}
	parts[3] = line
	var err error
	if r.ContentID, err = strconv.Unquote(parts[0]); err != nil {
		return r, fmt.Errorf("content id: %w", err)
	}
	if r.Score, err = strconv.ParseFloat(parts[1], 64); err != nil {
		return r, fmt.Errorf("score: %w", err)
	}
	if r.Reason, err = strconv.Unquote(parts[2]); err != nil {
		return r, fmt.Errorf("reason: %w", err)
	}
	if r.Title, err = strconv.Unquote(parts[3]); err != nil {
		return r, fmt.Errorf("title: %w", err)
	}
	return r, nil
}

// CachedRecommendations returns the user's first limit cached recommendations (all of them when limit <= 0), best
// first; ok is false on a miss. An empty list with ok true means the user was found to have none. With ClientCache
// the read is served from the client-side cache, which Redis invalidates when the key changes (asynchronously: a
// cached read right after a write may still see the old list; the writer has the new list in hand and needs no read
// back).
func (m *ReadModel) CachedRecommendations(ctx context.Context, userID string, limit int) ([]streaming.Recommendation, bool, error) {
	var res rueidis.RedisResult
	if m.opts.ClientCache {
		res = m.c.DoCache(ctx, m.c.B().Hget().Key(recommendationsKey(userID)).Field(fieldRecList).Cache(), m.opts.CacheTTL)
	} else {
		res = m.c.Do(ctx, m.c.B().Hget().Key(recommendationsKey(userID)).Field(fieldRecList).Build())
	}
	list, err := res.ToString()
	if rueidis.IsRedisNil(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, streaming.Unavailable("Redis", err)
	}
	n := strings.Count(list, "\n")
	if limit > 0 {
		n = min(n, limit)
	}
	recs := make([]streaming.Recommendation, 0, n)
	for len(recs) < n {
		line, rest, _ := strings.Cut(list, "\n")
		r, err := decodeRecLine(line)
		if err != nil {
			return nil, false, fmt.Errorf("decode %s %s line %d: %w", recommendationsKey(userID), fieldRecList, len(recs)+1, err)
		}
		recs = append(recs, r)
		list = rest
	}
	return recs, true, nil
}

// CacheRecommendations replaces the user's cached recommendations (best first) for RecommendationTTL, in one script
// call. An empty list is cached as such. A title listed twice keeps its first, better, place.
func (m *ReadModel) CacheRecommendations(ctx context.Context, userID string, recs []streaming.Recommendation) error {
	args := make([]string, 1, 3+2*len(recs))
	args[0] = strconv.FormatInt(m.opts.RecommendationTTL.Milliseconds(), 10)
	var list []byte
	seen := make(map[string]bool, len(recs))
	for _, r := range recs {
		if seen[r.ContentID] {
			continue
		}
		seen[r.ContentID] = true
		list = encodeRecLine(list, r)
		args = append(args, prefixRecContent+r.ContentID, strconv.FormatFloat(r.Score, 'g', -1, 64))
	}
	args = append(args, fieldRecList, string(list))
	if err := replaceHash.Exec(ctx, m.c, []string{recommendationsKey(userID)}, args).Error(); err != nil {
		return streaming.Unavailable("Redis", err)
	}
	return nil
}

// InvalidateRecommendations drops the users' cached recommendations: one DEL per user, pipelined (on a Redis Cluster
// the users' keys sit in different slots).
func (m *ReadModel) InvalidateRecommendations(ctx context.Context, userIDs ...string) error {
	keys := make([]string, len(userIDs))
	for i, id := range userIDs {
		keys[i] = recommendationsKey(id)
	}
	return m.apply(ctx, nil, keys)
}
