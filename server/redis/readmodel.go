package redis

import (
	"cmp"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/streaming"
)

// ReadModel holds the query side's views of the command side's aggregates, and the recommendation cache:
//
//	user_profile:{user id}     hash: "user" -> user JSON (no password hash), "sub:{subscription id}" -> subscription
//	                           JSON, "complete" -> "1" once a full rebuild from PostgreSQL wrote it; after the user's
//	                           erasure, only a tombstone "erased" -> version, "v:user" -> version (see erase.go)
//	plan:{plan id}             hash: "plan" -> plan JSON
//	content:{content id}       hash: "content" -> title JSON
//	recommendations:{user id}  hash: see recommendations.go (expires after RecommendationTTL)
//
// Every part of a read model is written with its aggregate's version beside it ("v:"+field), by one Lua script that
// writes a part only when the stored version is absent or lower. So an older event, a replayed one or a rebuild read
// before a newer event never overwrites newer state, whatever order they arrive in.
//
// The read models carry no TTL: projectors keep them current and a miss is rebuilt from PostgreSQL. Under an
// allkeys-* maxmemory policy an evicted key therefore only costs a rebuild; under a volatile-* policy (the local
// stack's) they are never evicted, only the expiring recommendation cache is.
type ReadModel struct {
	c    rueidis.Client
	opts ReadModelOptions
}

// ReadModelOptions tune a ReadModel. Zero values take the defaults.
type ReadModelOptions struct {
	// ClientCache makes CachedRecommendations read through rueidis' client-side cache (DoCache). It needs a client
	// built without DisableCache against a server with RESP3 tracking (Redis 6+); Redis invalidates the local copy
	// when the key changes. Other reads always go to the server, so a writer reads its own writes.
	ClientCache bool
	// CacheTTL bounds how long a client-side cached copy is used (1m); the key's own TTL bounds it too.
	CacheTTL time.Duration
	// RecommendationTTL is how long cached recommendations live in Redis (1h, the brief's).
	RecommendationTTL time.Duration
}

// NewReadModel returns the read models kept in c.
func NewReadModel(c rueidis.Client, opts ReadModelOptions) *ReadModel {
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = time.Minute
	}
	if opts.RecommendationTTL <= 0 {
		opts.RecommendationTTL = time.Hour
	}
	return &ReadModel{c: c, opts: opts}
}

var (
	_ streaming.ReadModels          = (*ReadModel)(nil)
	_ streaming.RecommendationCache = (*ReadModel)(nil)
)

// versionedWrite sets each field whose stored version ("v:"+field) is absent or lower than the given one. It returns
// how many fields it wrote. Lua numbers are doubles: versions are exact up to 2^53.
//
// A hash holding the "erased" marker is an erased user's tombstone (see Eraser) and takes no write at all, whatever
// the versions: subscription parts carry their subscription's version, which says nothing about the user's, so the
// user's version cannot fence them; and an erased user has nothing left to project.
//
//	KEYS[1]  the hash
//	ARGV[1]  "1" to also set complete=1 (a full rebuild), else "0"
//	ARGV[2:] field, version, value triples
const versionedWrite = `
if redis.call('HEXISTS', KEYS[1], 'erased') == 1 then
  return 0
end
local written = 0
for i = 2, #ARGV, 3 do
  local vf = 'v:' .. ARGV[i]
  local cur = tonumber(redis.call('HGET', KEYS[1], vf))
  if cur == nil or cur < tonumber(ARGV[i + 1]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2], vf, ARGV[i + 1])
    written = written + 1
  end
end
if ARGV[1] == '1' then
  redis.call('HSET', KEYS[1], 'complete', '1')
end
return written
`

var (
	versionedScript = rueidis.NewLuaScript(versionedWrite)
	// versionedSHA is the script's EVALSHA name, so a whole batch of writes goes out in one DoMulti; the Lua type
	// computes the same digest but only uses it one call at a time.
	versionedSHA = func() string { s := sha1.Sum([]byte(versionedWrite)); return hex.EncodeToString(s[:]) }()
)

// maxPipeline bounds the commands of one DoMulti, so a huge batch does not become one huge
// request and reply held in memory at once.
const maxPipeline = 1000

// part is one versioned field of a read model hash.
type part struct {
	field   string
	version int64
	value   []byte
}

// write is one call of the versioned-write script on one hash.
type write struct {
	key      string
	complete bool
	parts    []part
}

func (w write) exec() rueidis.LuaExec {
	args := make([]string, 0, 1+3*len(w.parts))
	complete := "0"
	if w.complete {
		complete = "1"
	}
	args = append(args, complete)
	for _, p := range w.parts {
		args = append(args, p.field, strconv.FormatInt(p.version, 10), string(p.value))
	}
	return rueidis.LuaExec{Keys: []string{w.key}, Args: args}
}

// apply runs the versioned writes and then deletes the keys, pipelined: one round trip per maxPipeline commands.
func (m *ReadModel) apply(ctx context.Context, writes []write, del []string) error {
	execs := make([]rueidis.LuaExec, len(writes))
	cmds := make(rueidis.Commands, 0, len(writes)+len(del))
	for i, w := range writes {
		execs[i] = w.exec()
		cmds = append(cmds, m.c.B().Evalsha().Sha1(versionedSHA).Numkeys(1).Key(w.key).Arg(execs[i].Args...).Build())
	}
	// One DEL per key: on a Redis Cluster the keys of one DEL must share a slot, and these do not.
	for _, k := range dedupe(del) {
		cmds = append(cmds, m.c.B().Del().Key(k).Build())
	}
	var unloaded []rueidis.LuaExec
	i := 0
	for chunk := range slices.Chunk(cmds, maxPipeline) {
		for _, res := range m.c.DoMulti(ctx, chunk...) {
			if err := res.Error(); err != nil {
				if rerr, ok := rueidis.IsRedisErr(err); ok && rerr.IsNoScript() && i < len(execs) {
					// The server lost its script cache (restart, SCRIPT FLUSH): those writes did not run.
					unloaded = append(unloaded, execs[i])
				} else {
					return streaming.Unavailable("Redis", err)
				}
			}
			i++
		}
	}
	// ExecMulti loads the script and runs the writes again; versioned writes may run in any order.
	for chunk := range slices.Chunk(unloaded, maxPipeline) {
		for _, res := range versionedScript.ExecMulti(ctx, m.c, chunk...) {
			if err := res.Error(); err != nil {
				return streaming.Unavailable("Redis", err)
			}
		}
	}
	return nil
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func userProfileKey(userID string) string { return "user_profile:" + userID }
func planKey(planID string) string        { return "plan:" + planID }
func contentKey(contentID string) string  { return "content:" + contentID }

const (
	fieldUser     = "user"
	fieldComplete = "complete"
	fieldErased   = "erased"
	fieldPlan     = "plan"
	fieldContent  = "content"
	prefixSub     = "sub:"
)

// userDoc is a user as the read model keeps it: everything but the password hash.
type userDoc struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Country     string    `json:"country"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
}

func userPart(u streaming.User) (part, error) {
	if u.ID == "" {
		return part{}, streaming.Invalid("user.id", "is empty")
	}
	b, err := json.Marshal(userDoc{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Country: u.Country,
		Version: u.Version, CreatedAt: u.CreatedAt})
	if err != nil {
		return part{}, fmt.Errorf("encode user %s: %w", u.ID, err)
	}
	return part{field: fieldUser, version: u.Version, value: b}, nil
}

func subscriptionPart(s streaming.Subscription) (part, error) {
	if s.ID == "" || s.UserID == "" {
		return part{}, streaming.Invalid("subscription.id", "subscription %q of user %q: ids must not be empty", s.ID, s.UserID)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return part{}, fmt.Errorf("encode subscription %s: %w", s.ID, err)
	}
	return part{field: prefixSub + s.ID, version: s.Version, value: b}, nil
}

// UserView reads the user's view with a plain Do, so a caller reads its own writes. ok is false when the view was
// never fully built (a key holding only projected parts is incomplete: the caller rebuilds it with PutUserView),
// and for an erased user's tombstone: it holds no view to serve, so the caller falls back to PostgreSQL, which
// answers for an erased user (and whose rebuild PutUserView does not write over the tombstone). Subscriptions come
// newest first (StartDate descending, then id).
func (m *ReadModel) UserView(ctx context.Context, userID string) (*streaming.UserView, bool, error) {
	fields, err := m.c.Do(ctx, m.c.B().Hgetall().Key(userProfileKey(userID)).Build()).AsStrMap()
	if err != nil {
		return nil, false, streaming.Unavailable("Redis", err)
	}
	// The scripts write nothing next to a tombstone, but a binary older than the marker (a rolling deploy) does
	// not know the marker: whatever it wrote there, the marker wins.
	if _, erased := fields[fieldErased]; erased {
		return nil, false, nil
	}
	raw, hasUser := fields[fieldUser]
	if fields[fieldComplete] != "1" || !hasUser {
		return nil, false, nil
	}
	var u userDoc
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		return nil, false, fmt.Errorf("decode %s user: %w", userProfileKey(userID), err)
	}
	v := &streaming.UserView{
		User:          streaming.User{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Country: u.Country, Version: u.Version, CreatedAt: u.CreatedAt},
		Subscriptions: []streaming.Subscription{},
	}
	for f, raw := range fields {
		if !strings.HasPrefix(f, prefixSub) {
			continue
		}
		var s streaming.Subscription
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			return nil, false, fmt.Errorf("decode %s %s: %w", userProfileKey(userID), f, err)
		}
		v.Subscriptions = append(v.Subscriptions, s)
	}
	slices.SortFunc(v.Subscriptions, func(a, b streaming.Subscription) int {
		if c := b.StartDate.Compare(a.StartDate); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return v, true, nil
}

// PutUserView writes a view rebuilt from PostgreSQL after a miss: every part versioned, plus the complete marker, in
// one script call. Parts a projector has already written at a newer version are kept.
func (m *ReadModel) PutUserView(ctx context.Context, v streaming.UserView) error {
	up, err := userPart(v.User)
	if err != nil {
		return err
	}
	w := write{key: userProfileKey(v.User.ID), complete: true, parts: []part{up}}
	for _, s := range v.Subscriptions {
		if s.UserID != v.User.ID {
			return streaming.Invalid("subscription.user_id", "subscription %s belongs to user %s, not %s", s.ID, s.UserID, v.User.ID)
		}
		sp, err := subscriptionPart(s)
		if err != nil {
			return err
		}
		w.parts = append(w.parts, sp)
	}
	return m.apply(ctx, []write{w}, nil)
}

// ApplyUser writes the user part of their view if u is newer than what it holds. It does not mark the view complete.
func (m *ReadModel) ApplyUser(ctx context.Context, u streaming.User) error {
	w, err := applyUserWrite(u)
	if err != nil {
		return err
	}
	return m.apply(ctx, []write{w}, nil)
}

func applyUserWrite(u streaming.User) (write, error) {
	p, err := userPart(u)
	return write{key: userProfileKey(u.ID), parts: []part{p}}, err
}

// ApplySubscription writes one subscription into its user's view if s is newer than what it holds. It does not mark
// the view complete.
func (m *ReadModel) ApplySubscription(ctx context.Context, s streaming.Subscription) error {
	w, err := applySubscriptionWrite(s)
	if err != nil {
		return err
	}
	return m.apply(ctx, []write{w}, nil)
}

func applySubscriptionWrite(s streaming.Subscription) (write, error) {
	p, err := subscriptionPart(s)
	return write{key: userProfileKey(s.UserID), parts: []part{p}}, err
}

// PutPlan writes the plan if p is newer than what the read model holds.
func (m *ReadModel) PutPlan(ctx context.Context, p streaming.Plan) error {
	w, err := planWrite(p)
	if err != nil {
		return err
	}
	return m.apply(ctx, []write{w}, nil)
}

func planWrite(p streaming.Plan) (write, error) {
	if p.ID == "" {
		return write{}, streaming.Invalid("plan.id", "is empty")
	}
	b, err := json.Marshal(p)
	if err != nil {
		return write{}, fmt.Errorf("encode plan %s: %w", p.ID, err)
	}
	return write{key: planKey(p.ID), parts: []part{{field: fieldPlan, version: p.Version, value: b}}}, nil
}

// PutContent writes the title if c is newer than what the read model holds.
func (m *ReadModel) PutContent(ctx context.Context, c streaming.Content) error {
	w, err := contentWrite(c)
	if err != nil {
		return err
	}
	return m.apply(ctx, []write{w}, nil)
}

func contentWrite(c streaming.Content) (write, error) {
	if c.ID == "" {
		return write{}, streaming.Invalid("content.id", "is empty")
	}
	b, err := json.Marshal(c)
	if err != nil {
		return write{}, fmt.Errorf("encode content %s: %w", c.ID, err)
	}
	return write{key: contentKey(c.ID), parts: []part{{field: fieldContent, version: c.Version, value: b}}}, nil
}

// Plans returns the plans the read model holds, in one round trip; missing ids are absent from the map.
func (m *ReadModel) Plans(ctx context.Context, ids ...string) (map[string]streaming.Plan, error) {
	return getMany[streaming.Plan](ctx, m.c, ids, planKey, fieldPlan)
}

// Contents returns the titles the read model holds, in one round trip; missing ids are absent from the map.
func (m *ReadModel) Contents(ctx context.Context, ids ...string) (map[string]streaming.Content, error) {
	return getMany[streaming.Content](ctx, m.c, ids, contentKey, fieldContent)
}

// getMany reads one JSON field from each id's hash with pipelined HGETs.
func getMany[T any](ctx context.Context, c rueidis.Client, ids []string, key func(string) string, field string) (map[string]T, error) {
	ids = dedupe(ids)
	out := make(map[string]T, len(ids))
	for chunk := range slices.Chunk(ids, maxPipeline) {
		cmds := make(rueidis.Commands, len(chunk))
		for i, id := range chunk {
			cmds[i] = c.B().Hget().Key(key(id)).Field(field).Build()
		}
		for i, res := range c.DoMulti(ctx, cmds...) {
			raw, err := res.AsBytes()
			if rueidis.IsRedisNil(err) {
				continue
			}
			if err != nil {
				return nil, streaming.Unavailable("Redis", err)
			}
			var v T
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, fmt.Errorf("decode %s %s: %w", key(chunk[i]), field, err)
			}
			out[chunk[i]] = v
		}
	}
	return out, nil
}
