package redis_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// TestRateLimiter: a bucket lets exactly Burst attempts through at once, even from concurrent callers; the next gets
// the wait until a token is back; after that wait one more passes; other keys are not affected; the key expires.
func TestRateLimiter(t *testing.T) {
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	rl := redis.NewRateLimiter(c)
	key := "test-" + storetest.Unique()
	l := streaming.Limit{Burst: 10, Per: 2 * time.Second} // a token every 200 ms

	var passed atomic.Int64
	var wg sync.WaitGroup
	for range 25 {
		wg.Go(func() {
			ok, _, err := rl.Take(ctx, key, l)
			if err != nil {
				t.Error(err)
			}
			if ok {
				passed.Add(1)
			}
		})
	}
	wg.Wait()
	if passed.Load() != 10 {
		t.Fatalf("%d of 25 concurrent attempts passed, want the burst of 10", passed.Load())
	}
	ok, wait, err := rl.Take(ctx, key, l)
	if err != nil || ok || wait <= 0 || wait > 200*time.Millisecond {
		t.Fatalf("over the limit: Take = %v, %s, %v; want refused with a wait within 200ms", ok, wait, err)
	}
	if ok, _, err := rl.Take(ctx, "test-"+storetest.Unique(), l); !ok || err != nil {
		t.Fatalf("another key: Take = %v, %v; want it to pass", ok, err)
	}
	time.Sleep(wait + 20*time.Millisecond)
	if ok, _, err := rl.Take(ctx, key, l); !ok || err != nil {
		t.Fatalf("after the wait: Take = %v, %v; want a refilled token", ok, err)
	}
	if ok, _, _ := rl.Take(ctx, key, l); ok {
		t.Fatal("two tokens came back in one token's time")
	}
	ttl, _ := c.Do(ctx, c.B().Pttl().Key("ratelimit:"+key).Build()).AsInt64()
	if ttl <= 0 || ttl > 2000 {
		t.Fatalf("bucket TTL = %d ms, want within Per", ttl)
	}
}
