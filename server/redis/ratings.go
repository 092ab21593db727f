package redis

import (
	"context"
	"maps"
	"slices"
	"strconv"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/streaming"
)

// ratingWrite replaces the rating figures inside a cached title's JSON, only when the figures are newer than the
// last ones applied ("v:rating" holds their RatingSeq). It is a partial update: the rest of the title is kept as
// written, and a title that is not cached stays uncached (a miss rebuilds it from PostgreSQL with the published
// figures). The figures are replaced as text: the JSON is encoding/json's encoding of streaming.Content, whose
// field order puts "RatingAvg" then "RatingCount" as top-level keys, and a string value cannot contain the pattern
// (its quotes are escaped).
//
//	KEYS[1]  content:{id}
//	ARGV[1]  rating seq, ARGV[2] average, ARGV[3] count
const ratingWrite = `
local cur = tonumber(redis.call('HGET', KEYS[1], 'v:rating'))
if cur ~= nil and cur >= tonumber(ARGV[1]) then
  return 0
end
local doc = redis.call('HGET', KEYS[1], 'content')
if not doc then
  return 0
end
local repl = '"RatingAvg":' .. ARGV[2] .. ',"RatingCount":' .. ARGV[3] .. ','
local new, n = string.gsub(doc, '"RatingAvg":[^,]*,"RatingCount":[^,]*,', function() return repl end, 1)
if n ~= 1 then
  return redis.error_reply('content JSON of ' .. KEYS[1] .. ' has no rating fields')
end
redis.call('HSET', KEYS[1], 'content', new, 'v:rating', ARGV[1])
return 1
`

var ratingScript = rueidis.NewLuaScript(ratingWrite)

// applyRatings writes the titles' new rating figures into their cached views, pipelined.
func (m *ReadModel) applyRatings(ctx context.Context, ratings map[string]streaming.RatingAggregatePayload) error {
	if len(ratings) == 0 {
		return nil
	}
	execs := make([]rueidis.LuaExec, 0, len(ratings))
	for _, id := range slices.Sorted(maps.Keys(ratings)) {
		r := ratings[id]
		execs = append(execs, rueidis.LuaExec{Keys: []string{contentKey(id)}, Args: []string{
			strconv.FormatInt(r.RatingSeq, 10), strconv.FormatFloat(r.RatingAvg, 'f', -1, 64),
			strconv.FormatInt(r.RatingCount, 10)}})
	}
	for chunk := range slices.Chunk(execs, maxPipeline) {
		for _, res := range ratingScript.ExecMulti(ctx, m.c, chunk...) {
			if err := res.Error(); err != nil {
				if _, ok := rueidis.IsRedisErr(err); ok {
					return err // the script refused the stored JSON: a bug, not an outage
				}
				return streaming.Unavailable("Redis", err)
			}
		}
	}
	return nil
}
