package redis_test

import (
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

func TestSessionStore(t *testing.T) {
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	store := redis.NewSessionStore(c)
	tok := "test-" + storetest.Unique()
	if err := store.CreateSession(ctx, streaming.Session{Token: tok, UserID: "u-1"}, time.Minute); err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := store.CreateSession(ctx, streaming.Session{Token: tok, UserID: "u-2"}, time.Minute); err == nil {
		t.Fatal("a second session with the same token was accepted")
	}
	if got, err := store.SessionUser(ctx, tok); err != nil || got != "u-1" {
		t.Fatalf("SessionUser = %q, %v; want u-1", got, err)
	}
	ttl, _ := c.Do(ctx, c.B().Pttl().Key("session:"+tok).Build()).AsInt64()
	if ttl <= 0 || ttl > 60000 {
		t.Fatalf("session TTL = %d ms, want within a minute", ttl)
	}
	if err := store.DeleteSession(ctx, tok); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := store.SessionUser(ctx, tok); streaming.ErrorCode(err) != streaming.CodeUnauthenticated {
		t.Fatalf("after delete: err = %v, want unauthenticated", err)
	}
	short := "test-" + storetest.Unique()
	store.CreateSession(ctx, streaming.Session{Token: short, UserID: "u-3"}, 50*time.Millisecond)
	time.Sleep(150 * time.Millisecond)
	if _, err := store.SessionUser(ctx, short); streaming.ErrorCode(err) != streaming.CodeUnauthenticated {
		t.Fatalf("after expiry: err = %v, want unauthenticated", err)
	}
}
