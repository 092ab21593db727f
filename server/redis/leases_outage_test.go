package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Playback fails closed: while Redis is away every lease call answers Unavailable (no slot is granted that could
// not be counted), at once; once it is back the leases held before are there, on the same client.
func TestLeasesFailClosedWhileRedisIsDown(t *testing.T) {
	if storetest.Redis(t).Mode() == rueidis.ClientModeCluster {
		t.Fatal("a proxy in front of one Redis cannot stand for a cluster: test:cluster leaves this test out (-skip); run it against the single-node stack")
	}
	s := storetest.Settings(t)
	proxy := storetest.NewSwitchProxy(t, s.RedisAddr(), true)
	c, closeClient, err := redis.Open(storetest.Context(t, 30*time.Second), redis.Config{Addr: proxy.Addr,
		DialTimeout: 200 * time.Millisecond, IOTimeout: time.Second, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer closeClient()
	leases := redis.NewLeases(c)
	ctx := storetest.Context(t, time.Minute)
	user := "user-" + storetest.Unique()
	l := streaming.Lease{DeviceID: "tv-1", Device: "tv", ContentID: "c", Quality: "hd"}
	if _, _, ok, err := leases.Acquire(ctx, user, l, 1, time.Minute); err != nil || !ok {
		t.Fatalf("acquire: ok=%v err=%v", ok, err)
	}

	proxy.Down()
	calls := map[string]func(context.Context) error{
		"acquire": func(ctx context.Context) error {
			_, _, _, err := leases.Acquire(ctx, user, streaming.Lease{DeviceID: "tv-2", Device: "tv", ContentID: "c", Quality: "hd"}, 2, time.Minute)
			return err
		},
		"renew":   func(ctx context.Context) error { _, err := leases.Renew(ctx, user, "tv-1", time.Minute); return err },
		"release": func(ctx context.Context) error { return leases.Release(ctx, user, "tv-2") },
		"list":    func(ctx context.Context) error { _, err := leases.Leases(ctx, user); return err },
	}
	for name, call := range calls {
		callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		start := time.Now()
		err := call(callCtx)
		cancel()
		if streaming.ErrorCode(err) != streaming.CodeUnavailable {
			t.Fatalf("%s while Redis is down = %v, want unavailable", name, err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s while Redis is down took %v, want an answer well before the deadline", name, took)
		}
	}

	proxy.Up()
	deadline := time.Now().Add(10 * time.Second)
	for {
		live, err := leases.Leases(ctx, user)
		if err == nil {
			if len(live) != 1 || live[0].DeviceID != "tv-1" {
				t.Fatalf("after recovery: %v, want the lease held before", live)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis back for 10s, lease calls still fail: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
