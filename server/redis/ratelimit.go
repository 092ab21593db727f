package redis

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/streaming"
)

// RateLimiter keeps token buckets as hashes ratelimit:{key} -> tokens, ms. One Lua script refills and spends
// atomically on Redis's own clock, so every replica shares the bucket and no replica's clock skews it. A bucket left
// alone refills completely within Per, so it expires then: an idle key costs nothing.
type RateLimiter struct {
	c rueidis.Client
}

func NewRateLimiter(c rueidis.Client) *RateLimiter { return &RateLimiter{c: c} }

// takeScript returns {1, 0} when a token was spent, {0, ms until one is back} when the bucket is empty.
var takeScript = rueidis.NewLuaScript(`
local burst = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = burst / per
local v = redis.call('HMGET', KEYS[1], 'tokens', 'ms')
local tokens = tonumber(v[1]) or burst
local last = tonumber(v[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - last) * rate)
if tokens < 1 then
  return {0, math.ceil((1 - tokens) / rate)}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ms', now)
redis.call('PEXPIRE', KEYS[1], per)
return {1, 0}
`)

func rateKey(key string) string { return "ratelimit:" + key }

func (r *RateLimiter) Take(ctx context.Context, key string, l streaming.Limit) (bool, time.Duration, error) {
	per := l.Per.Milliseconds()
	if l.Burst < 1 || per < 1 {
		return true, 0, nil // no limit
	}
	res, err := takeScript.Exec(ctx, r.c, []string{rateKey(key)},
		[]string{strconv.Itoa(l.Burst), strconv.FormatInt(per, 10)}).AsIntSlice()
	if err != nil || len(res) != 2 {
		return false, 0, streaming.Unavailable("Redis", err)
	}
	return res[0] == 1, time.Duration(res[1]) * time.Millisecond, nil
}
