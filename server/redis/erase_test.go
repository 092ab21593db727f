package redis_test

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// erasable is a user with something in every key EraseUser clears: a complete profile view with a subscription,
// two sessions, cached recommendations and a playback lease.
type erasable struct {
	user   streaming.User
	sub    streaming.Subscription
	tokens []string
}

func (u erasable) keys() []string {
	keys := []string{"user_profile:" + u.user.ID, "recommendations:" + u.user.ID, "leases:" + u.user.ID,
		"sessions:" + u.user.ID}
	for _, tok := range u.tokens {
		sum := sha256.Sum256([]byte(tok))
		keys = append(keys, "session:"+hex.EncodeToString(sum[:]))
	}
	return keys
}

func newErasable(t *testing.T, c rueidis.Client, m *redis.ReadModel, sessions *redis.SessionStore) erasable {
	t.Helper()
	ctx := storetest.Context(t, 30*time.Second)
	u := erasable{user: testUser(2), tokens: []string{"erase-" + storetest.Unique(), "erase-" + storetest.Unique()}}
	u.user.PasswordHash = ""
	u.sub = subAt("s-"+storetest.Unique(), u.user.ID, 3, day0)
	dropAfter(t, c, u.keys()...)
	if err := m.PutUserView(ctx, streaming.UserView{User: u.user, Subscriptions: []streaming.Subscription{u.sub}}); err != nil {
		t.Fatal(err)
	}
	for _, tok := range u.tokens {
		if err := sessions.CreateSession(ctx, streaming.Session{Token: tok, UserID: u.user.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.CacheRecommendations(ctx, u.user.ID, []streaming.Recommendation{{ContentID: "c-1", Score: 1, Title: "Dark"}}); err != nil {
		t.Fatal(err)
	}
	lease := streaming.Lease{DeviceID: "tv-1", Device: "tv", ContentID: "c-1", Quality: "hd"}
	if _, _, ok, err := redis.NewLeases(c).Acquire(ctx, u.user.ID, lease, 2, time.Minute); err != nil || !ok {
		t.Fatalf("lease: ok = %v, err = %v", ok, err)
	}
	for _, k := range u.keys() {
		if n, err := c.Do(ctx, c.B().Exists().Key(k).Build()).AsInt64(); err != nil || n != 1 {
			t.Fatalf("before the erasure: %s exists = %d, %v", k, n, err)
		}
	}
	return u
}

// TestEraseUser: an erasure removes every key of the user but the profile's tombstone, which holds no personal
// data, answers not-found and fences off late projections; a second erasure succeeds; another user is untouched.
func TestEraseUser(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	sessions := redis.NewSessionStore(c, time.Minute)
	e := redis.NewEraser(c)
	if e.ErasureStore() != streaming.ErasureStoreRedis {
		t.Errorf("ErasureStore = %q, want %q", e.ErasureStore(), streaming.ErasureStoreRedis)
	}
	erased := newErasable(t, c, m, sessions)
	kept := newErasable(t, c, m, sessions)
	const version = 4 // the user's version after the erasure
	profile := "user_profile:" + erased.user.ID
	tomb := map[string]string{"erased": "4", "v:user": "4"}

	// gone checks what the erasure leaves: nothing but the tombstone.
	gone := func(t *testing.T) {
		t.Helper()
		for _, k := range erased.keys()[1:] {
			if n, err := c.Do(ctx, c.B().Exists().Key(k).Build()).AsInt64(); err != nil || n != 0 {
				t.Errorf("%s exists = %d, %v; want it deleted", k, n, err)
			}
		}
		for _, tok := range erased.tokens {
			if _, err := sessions.SessionUser(ctx, tok); streaming.ErrorCode(err) != streaming.CodeUnauthenticated {
				t.Errorf("a session of the erased user: err = %v, want unauthenticated", err)
			}
		}
		fields, err := c.Do(ctx, c.B().Hgetall().Key(profile).Build()).AsStrMap()
		if err != nil || !reflect.DeepEqual(fields, tomb) {
			t.Errorf("%s = %v, %v; want only the tombstone %v", profile, fields, err, tomb)
		}
		ttl, err := c.Do(ctx, c.B().Pttl().Key(profile).Build()).AsInt64()
		if err != nil || ttl <= (redis.TombstoneTTL-time.Minute).Milliseconds() || ttl > redis.TombstoneTTL.Milliseconds() {
			t.Errorf("tombstone TTL = %d ms, %v; want about %v", ttl, err, redis.TombstoneTTL)
		}
		if v, ok, err := m.UserView(ctx, erased.user.ID); v != nil || ok || err != nil {
			t.Errorf("UserView of the erased user = %+v, %v, %v; want not found", v, ok, err)
		}
		if recs, ok, err := m.CachedRecommendations(ctx, erased.user.ID, 0); ok || err != nil {
			t.Errorf("CachedRecommendations = %v, %v, %v; want a miss", recs, ok, err)
		}
	}

	if err := e.EraseUser(ctx, erased.user.ID, version); err != nil {
		t.Fatalf("EraseUser: %v", err)
	}
	gone(t)

	// Older events still in flight, replayed through the projector and written directly, and a rebuild of the view
	// read from PostgreSQL before the erasure: none writes the view back.
	old := erased.user
	old.Version = 1
	newerSub := erased.sub
	newerSub.Version = 9 // a subscription's version says nothing about the user's: the tombstone still refuses it
	batch := []streaming.Event{
		event(t, streaming.AggregateUser, old.ID, 1, streaming.EventUserRegistered, streaming.NewUserPayload(&old)),
		event(t, streaming.AggregateSubscription, newerSub.ID, 9, streaming.EventSubscriptionCanceled, streaming.NewSubscriptionPayload(&newerSub)),
	}
	if err := m.Projector().Project(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := m.ApplyUser(ctx, erased.user); err != nil {
		t.Fatal(err)
	}
	if err := m.ApplySubscription(ctx, newerSub); err != nil {
		t.Fatal(err)
	}
	if err := m.PutUserView(ctx, streaming.UserView{User: erased.user, Subscriptions: []streaming.Subscription{erased.sub}}); err != nil {
		t.Fatal(err)
	}
	gone(t)

	// The erasure worker retries until it hears success, so it may call again after one that did succeed.
	if err := e.EraseUser(ctx, erased.user.ID, version); err != nil {
		t.Fatalf("a second EraseUser: %v", err)
	}
	gone(t)

	// The other user keeps everything.
	view, ok, err := m.UserView(ctx, kept.user.ID)
	if err != nil || !ok || view.User.Email != kept.user.Email || len(view.Subscriptions) != 1 {
		t.Errorf("UserView of the other user = %+v, %v, %v; want their complete view", view, ok, err)
	}
	for _, tok := range kept.tokens {
		if got, err := sessions.SessionUser(ctx, tok); err != nil || got != kept.user.ID {
			t.Errorf("a session of the other user = %q, %v; want %s", got, err, kept.user.ID)
		}
	}
	if recs, ok, err := m.CachedRecommendations(ctx, kept.user.ID, 0); !ok || err != nil || len(recs) != 1 {
		t.Errorf("the other user's recommendations = %v, %v, %v; want the cached one", recs, ok, err)
	}
	if leases, err := redis.NewLeases(c).Leases(ctx, kept.user.ID); err != nil || len(leases) != 1 {
		t.Errorf("the other user's leases = %v, %v; want one", leases, err)
	}

	if err := e.EraseUser(ctx, "", version); streaming.ErrorCode(err) != streaming.CodeInvalid {
		t.Errorf("EraseUser of no user: err = %v, want invalid", err)
	}
}

// A tombstone is not a view, whatever sits next to it: a binary older than the erased marker (a rolling deploy)
// knows nothing of it and may still mark the key complete and write parts there.
func TestUserViewOfATombstoneIsNotFound(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	user := testUser(1)
	key := "user_profile:" + user.ID
	dropAfter(t, c, key)
	if err := redis.NewEraser(c).EraseUser(ctx, user.ID, 2); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, c.B().Hset().Key(key).FieldValue().FieldValue("complete", "1").
		FieldValue("user", `{"id":"`+user.ID+`","email":"a@example.com"}`).Build()).Error(); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := m.UserView(ctx, user.ID); v != nil || ok || err != nil {
		t.Errorf("UserView = %+v, %v, %v; want not found", v, ok, err)
	}
}
