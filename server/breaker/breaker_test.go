package breaker_test

import (
	"context"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/streamingplatform/streaming/server/breaker"
	"github.com/streamingplatform/streaming/server/streaming"
)

// graphFunc is a function-field fake of the recommendation graph port.
type graphFunc func(context.Context, string, int) ([]streaming.Recommendation, error)

func (f graphFunc) Recommend(ctx context.Context, u string, n int) ([]streaming.Recommendation, error) {
	return f(ctx, u, n)
}

// Only the store being down counts: answers such as not-found, and callers that gave up, leave the breaker closed;
// unavailable and timed-out calls open it, after which the store is not called until one probe closes it again.
func TestBreakerOpensOnOutagesOnlyAndProbes(t *testing.T) {
	var next error
	calls := 0
	b := breaker.New("neo4j", breaker.Settings{Failures: 2, OpenFor: 50 * time.Millisecond})
	g := breaker.Graph{Breaker: b, Next: graphFunc(func(context.Context, string, int) ([]streaming.Recommendation, error) {
		calls++
		return nil, next
	})}
	ctx := context.Background()
	for _, err := range []error{streaming.Errorf(streaming.CodeNotFound, "no"), context.Canceled,
		streaming.Errorf(streaming.CodeNotFound, "no"), context.Canceled} {
		next = err
		g.Recommend(ctx, "u", 1)
	}
	if b.State() != gobreaker.StateClosed {
		t.Fatalf("after answers and cancellations the breaker is %v, want closed", b.State())
	}
	next = streaming.Unavailable("Neo4j", nil)
	g.Recommend(ctx, "u", 1)
	next = context.DeadlineExceeded
	g.Recommend(ctx, "u", 1)
	if b.State() != gobreaker.StateOpen {
		t.Fatalf("after 2 outages the breaker is %v, want open", b.State())
	}
	before := calls
	if _, err := g.Recommend(ctx, "u", 1); streaming.ErrorCode(err) != streaming.CodeUnavailable || calls != before {
		t.Fatalf("open breaker: err %v, store called %d times; want Unavailable without a call", err, calls-before)
	}
	time.Sleep(60 * time.Millisecond)
	next = nil
	if _, err := g.Recommend(ctx, "u", 1); err != nil || calls != before+1 {
		t.Fatalf("probe: err %v, calls %d", err, calls-before)
	}
	if b.State() != gobreaker.StateClosed {
		t.Fatalf("after a good probe the breaker is %v, want closed", b.State())
	}
}

// The half-open probe is not cut at its caller's deadline: a store that has just come back answers slowly at first
// (cold caches), and a probe that only had the query's budget would keep failing and the breaker would stay open.
// The caller gets Unavailable at its own deadline; the probe finishes on its own and closes the breaker.
func TestProbeOutlivesItsCallersDeadline(t *testing.T) {
	b := breaker.New("neo4j", breaker.Settings{Failures: 1, OpenFor: 20 * time.Millisecond, ProbeTimeout: 5 * time.Second})
	down := breaker.Graph{Breaker: b, Next: graphFunc(func(context.Context, string, int) ([]streaming.Recommendation, error) {
		return nil, streaming.Unavailable("Neo4j", nil)
	})}
	if _, err := down.Recommend(context.Background(), "u", 1); err == nil || b.State() != gobreaker.StateOpen {
		t.Fatalf("outage: err %v, breaker %v; want open", err, b.State())
	}
	time.Sleep(30 * time.Millisecond) // past OpenFor: the next call is the probe
	back := breaker.Graph{Breaker: b, Next: graphFunc(func(ctx context.Context, _ string, _ int) ([]streaming.Recommendation, error) {
		select { // back, but slower than the caller waits
		case <-time.After(200 * time.Millisecond):
			return []streaming.Recommendation{{ContentID: "c"}}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := back.Recommend(ctx, "u", 1)
	if took := time.Since(start); streaming.ErrorCode(err) != streaming.CodeUnavailable || took > 150*time.Millisecond {
		t.Fatalf("the probe's caller: err %v after %v; want Unavailable at its own deadline", err, took)
	}
	deadline := time.Now().Add(5 * time.Second)
	for b.State() != gobreaker.StateClosed {
		if time.Now().After(deadline) {
			t.Fatalf("the probe ran past its caller's deadline and succeeded, yet the breaker is %v; want closed", b.State())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := back.Recommend(context.Background(), "u", 1); err != nil {
		t.Fatalf("closed breaker: %v", err)
	}
}
