package redis_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

func TestSessionStore(t *testing.T) {
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	store := redis.NewSessionStore(c, time.Minute)
	user := "u-" + storetest.Unique()
	tok := "test-" + storetest.Unique()
	day := time.Now().Add(24 * time.Hour)
	if err := store.CreateSession(ctx, streaming.Session{Token: tok, UserID: user, ExpiresAt: day}); err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := store.CreateSession(ctx, streaming.Session{Token: tok, UserID: "u-2", ExpiresAt: day}); err == nil {
		t.Fatal("a second session with the same token was accepted")
	}
	if got, err := store.SessionUser(ctx, tok); err != nil || got != user {
		t.Fatalf("SessionUser = %q, %v; want %s", got, err, user)
	}
	// The token is not in Redis, only its hash; the key expires after the idle timeout, not the absolute end.
	sum := sha256.Sum256([]byte(tok))
	key := "session:" + hex.EncodeToString(sum[:])
	if n, _ := c.Do(ctx, c.B().Exists().Key("session:"+tok).Build()).AsInt64(); n != 0 {
		t.Error("the raw token is a Redis key")
	}
	raw, _ := c.Do(ctx, c.B().Get().Key(key).Build()).ToString()
	if strings.Contains(raw, tok) {
		t.Errorf("the stored session %q holds the token", raw)
	}
	ttl, _ := c.Do(ctx, c.B().Pttl().Key(key).Build()).AsInt64()
	if ttl <= 0 || ttl > 60000 {
		t.Fatalf("session TTL = %d ms, want the idle timeout (a minute)", ttl)
	}
	if err := store.DeleteSession(ctx, tok); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := store.SessionUser(ctx, tok); streaming.ErrorCode(err) != streaming.CodeUnauthenticated {
		t.Fatalf("after delete: err = %v, want unauthenticated", err)
	}
}

// A session ends after the idle timeout without use, each use renews it, and the absolute end holds however much
// it is used.
func TestSessionIdleAndAbsoluteEnds(t *testing.T) {
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	store := redis.NewSessionStore(c, 300*time.Millisecond)
	user := "u-" + storetest.Unique()
	idle := "test-" + storetest.Unique()
	store.CreateSession(ctx, streaming.Session{Token: idle, UserID: user, ExpiresAt: time.Now().Add(time.Hour)})
	time.Sleep(500 * time.Millisecond)
	if _, err := store.SessionUser(ctx, idle); streaming.ErrorCode(err) != streaming.CodeUnauthenticated {
		t.Fatalf("unused past the idle timeout: err = %v, want unauthenticated", err)
	}

	used := "test-" + storetest.Unique()
	end := time.Now().Add(time.Second)
	store.CreateSession(ctx, streaming.Session{Token: used, UserID: user, ExpiresAt: end})
	for time.Until(end) > 100*time.Millisecond { // used every 100 ms: the idle timeout never passes
		if _, err := store.SessionUser(ctx, used); err != nil {
			t.Fatalf("a session in use, %s before its end: %v", time.Until(end), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Until(end) + 20*time.Millisecond)
	if _, err := store.SessionUser(ctx, used); streaming.ErrorCode(err) != streaming.CodeUnauthenticated {
		t.Fatalf("past the absolute end: err = %v, want unauthenticated", err)
	}
}

// LogoutAll ends every session of the user and none of another's.
func TestDeleteUserSessions(t *testing.T) {
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	store := redis.NewSessionStore(c, time.Minute)
	ana, bea := "u-"+storetest.Unique(), "u-"+storetest.Unique()
	end := time.Now().Add(time.Hour)
	var anas []string
	for range 3 {
		tok := "test-" + storetest.Unique()
		anas = append(anas, tok)
		if err := store.CreateSession(ctx, streaming.Session{Token: tok, UserID: ana, ExpiresAt: end}); err != nil {
			t.Fatal(err)
		}
	}
	beas := "test-" + storetest.Unique()
	store.CreateSession(ctx, streaming.Session{Token: beas, UserID: bea, ExpiresAt: end})
	store.DeleteSession(ctx, anas[0]) // already ended: not counted
	if n, err := store.DeleteUserSessions(ctx, ana); err != nil || n != 2 {
		t.Fatalf("DeleteUserSessions = %d, %v; want 2", n, err)
	}
	for _, tok := range anas {
		if _, err := store.SessionUser(ctx, tok); streaming.ErrorCode(err) != streaming.CodeUnauthenticated {
			t.Errorf("ana's session after LogoutAll: %v, want unauthenticated", err)
		}
	}
	if u, err := store.SessionUser(ctx, beas); err != nil || u != bea {
		t.Errorf("bea's session after ana's LogoutAll: %q, %v", u, err)
	}
	if n, err := store.DeleteUserSessions(ctx, ana); err != nil || n != 0 {
		t.Errorf("a second LogoutAll = %d, %v; want 0", n, err)
	}
	if ttl, _ := c.Do(ctx, c.B().Pttl().Key("sessions:"+bea).Build()).AsInt64(); ttl <= 0 || ttl > time.Hour.Milliseconds() {
		t.Errorf("bea's session index TTL = %d ms, want the session's end", ttl)
	}
}
