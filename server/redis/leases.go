package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Leases keeps each user's stream-slot leases in one hash, leases:{user id}: field = device id, value =
//
//	<expires at, Unix ms>:<started at, Unix ms>:<leaseDoc JSON>
//
// The times lead the value so the scripts read and rewrite them with a pattern match, without decoding JSON. Every
// call touches that one key, so it works on a Redis Cluster as on one Redis; each check-and-write is one Lua script,
// atomic on the key's master, so all replicas of the server share one count and two devices starting at once never
// both get the last slot. Times are Redis's own clock (TIME inside the script), so no replica's clock skews a lease.
// Expired leases are dropped by the next script that sees them, and the key expires once its last lease could have
// (its TTL is kept at least the lease TTL), so a user who stops playing leaves nothing behind.
type Leases struct {
	c rueidis.Client
}

func NewLeases(c rueidis.Client) *Leases { return &Leases{c: c} }

var _ streaming.LeaseStore = (*Leases)(nil)

func leasesKey(userID string) string { return "leases:" + userID }

// leaseDoc is what a lease holds besides its times. Its JSON is a stored format (docs/stored-formats.md).
type leaseDoc struct {
	DeviceID  string `json:"device_id"`
	Device    string `json:"device"`
	ContentID string `json:"content_id"`
	Quality   string `json:"quality"`
	Network   string `json:"net,omitempty"` // added for the risk signals; absent from older leases
}

// leaseNow is the scripts' prelude: now, in Unix ms on the server's clock.
const leaseNow = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

// leaseKeep makes the key live at least ttl ms (it holds a lease that ends then).
const leaseKeep = `
local function keep(ttl)
  local pttl = redis.call('PTTL', KEYS[1])
  if pttl < ttl then
    redis.call('PEXPIRE', KEYS[1], ttl)
  end
end
`

// acquireScript prunes expired leases, counts the live ones of other devices and, below the limit, writes the
// device's lease. It returns {1, {the lease written, the other devices' leases...}} or {0, the other devices'
// leases}.
//
//	ARGV[1] device id, ARGV[2] leaseDoc JSON, ARGV[3] limit, ARGV[4] lease TTL in ms
var acquireScript = rueidis.NewLuaScript(leaseNow + leaseKeep + `
local ttl = tonumber(ARGV[4])
local others = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local exp = tonumber(string.match(all[i + 1], '^(%d+):'))
  if exp == nil or exp <= now then
    redis.call('HDEL', KEYS[1], all[i])
  elseif all[i] ~= ARGV[1] then
    others[#others + 1] = all[i + 1]
  end
end
if #others >= tonumber(ARGV[3]) then
  return {0, others}
end
local v = string.format('%d:%d:', now + ttl, now) .. ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], v)
keep(ttl)
table.insert(others, 1, v)
return {1, others}
`)

// renewScript moves a live lease's end to ttl ms from now and returns it; nil when the lease is gone or expired
// (an expired one is dropped).
//
//	ARGV[1] device id, ARGV[2] lease TTL in ms
var renewScript = rueidis.NewLuaScript(leaseNow + leaseKeep + `
local ttl = tonumber(ARGV[2])
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then
  return false
end
local exp, rest = string.match(v, '^(%d+)(:%d+:.*)$')
if exp == nil or tonumber(exp) <= now then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return false
end
v = string.format('%d', now + ttl) .. rest
redis.call('HSET', KEYS[1], ARGV[1], v)
keep(ttl)
return v
`)

// liveScript returns the live leases (it writes nothing: expired ones are dropped by the next acquire or renew).
var liveScript = rueidis.NewLuaScript(leaseNow + `
local out = {}
local vals = redis.call('HVALS', KEYS[1])
for i = 1, #vals do
  local exp = tonumber(string.match(vals[i], '^(%d+):'))
  if exp ~= nil and exp > now then
    out[#out + 1] = vals[i]
  end
end
return out
`)

func (s *Leases) Acquire(ctx context.Context, userID string, l streaming.Lease, limit int, ttl time.Duration) (streaming.Lease, []streaming.Lease, bool, error) {
	doc, err := json.Marshal(leaseDoc{DeviceID: l.DeviceID, Device: l.Device, ContentID: l.ContentID, Quality: l.Quality,
		Network: l.Network})
	if err != nil {
		return streaming.Lease{}, nil, false, fmt.Errorf("encode lease: %w", err)
	}
	res, err := acquireScript.Exec(ctx, s.c, []string{leasesKey(userID)},
		[]string{l.DeviceID, string(doc), strconv.Itoa(limit), strconv.FormatInt(ttlMillis(ttl), 10)}).ToArray()
	if err != nil {
		return streaming.Lease{}, nil, false, streaming.Unavailable("Redis", err)
	}
	if len(res) != 2 {
		return streaming.Lease{}, nil, false, fmt.Errorf("acquire lease: %d replies, want 2", len(res))
	}
	ok, err := res[0].AsInt64()
	if err != nil {
		return streaming.Lease{}, nil, false, fmt.Errorf("acquire lease: %w", err)
	}
	vals, err := res[1].AsStrSlice()
	if err != nil {
		return streaming.Lease{}, nil, false, fmt.Errorf("acquire lease: %w", err)
	}
	leases, err := decodeLeases(userID, vals)
	if err != nil {
		return streaming.Lease{}, nil, false, err
	}
	if ok != 1 {
		return streaming.Lease{}, leases, false, nil
	}
	if len(leases) == 0 {
		return streaming.Lease{}, nil, false, errors.New("acquire lease: no lease written")
	}
	return leases[0], leases[1:], true, nil
}

func (s *Leases) Renew(ctx context.Context, userID, deviceID string, ttl time.Duration) (*streaming.Lease, error) {
	v, err := renewScript.Exec(ctx, s.c, []string{leasesKey(userID)},
		[]string{deviceID, strconv.FormatInt(ttlMillis(ttl), 10)}).ToString()
	if rueidis.IsRedisNil(err) {
		return nil, streaming.Errorf(streaming.CodeNotFound, "no live lease for device %q: it expired or was stopped; start playback again", deviceID)
	}
	if err != nil {
		return nil, streaming.Unavailable("Redis", err)
	}
	l, err := decodeLease(userID, v)
	if err != nil {
		return nil, err
	}
	return &l, nil
}

func (s *Leases) Release(ctx context.Context, userID, deviceID string) error {
	if err := s.c.Do(ctx, s.c.B().Hdel().Key(leasesKey(userID)).Field(deviceID).Build()).Error(); err != nil {
		return streaming.Unavailable("Redis", err)
	}
	return nil
}

func (s *Leases) Leases(ctx context.Context, userID string) ([]streaming.Lease, error) {
	vals, err := liveScript.Exec(ctx, s.c, []string{leasesKey(userID)}, nil).AsStrSlice()
	if err != nil {
		return nil, streaming.Unavailable("Redis", err)
	}
	leases, err := decodeLeases(userID, vals)
	if err != nil {
		return nil, err
	}
	streaming.SortLeases(leases)
	return leases, nil
}

// ttlMillis is ttl in whole ms, at least 1 (PEXPIRE refuses 0).
func ttlMillis(ttl time.Duration) int64 { return max(ttl.Milliseconds(), 1) }

func decodeLeases(userID string, vals []string) ([]streaming.Lease, error) {
	out := make([]streaming.Lease, 0, len(vals))
	for _, v := range vals {
		l, err := decodeLease(userID, v)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// decodeLease reads one stored lease value (see Leases).
func decodeLease(userID, v string) (streaming.Lease, error) {
	exp, rest, ok1 := strings.Cut(v, ":")
	start, doc, ok2 := strings.Cut(rest, ":")
	expMs, err1 := strconv.ParseInt(exp, 10, 64)
	startMs, err2 := strconv.ParseInt(start, 10, 64)
	if !ok1 || !ok2 || err1 != nil || err2 != nil {
		return streaming.Lease{}, fmt.Errorf("decode %s lease %q: malformed", leasesKey(userID), v)
	}
	var d leaseDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return streaming.Lease{}, fmt.Errorf("decode %s lease: %w", leasesKey(userID), err)
	}
	return streaming.Lease{DeviceID: d.DeviceID, Device: d.Device, ContentID: d.ContentID, Quality: d.Quality,
		Network: d.Network, StartedAt: time.UnixMilli(startMs).UTC(), ExpiresAt: time.UnixMilli(expMs).UTC()}, nil
}

// encodeLease is the stored value of l (what the scripts write), for the format test.
func encodeLease(l streaming.Lease) (string, error) {
	doc, err := json.Marshal(leaseDoc{DeviceID: l.DeviceID, Device: l.Device, ContentID: l.ContentID, Quality: l.Quality,
		Network: l.Network})
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(l.ExpiresAt.UnixMilli(), 10) + ":" + strconv.FormatInt(l.StartedAt.UnixMilli(), 10) + ":" + string(doc), nil
}
