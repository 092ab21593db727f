// Package breaker puts circuit breakers (sony/gobreaker) in front of the query ports of the stores a query can do
// without for a while: the recommendation graph (Neo4j) and catalog search. While a store is known down its breaker
// answers streaming.Unavailable at once instead of letting every call wait for the driver's timeout, so the query
// side's existing degradation applies immediately (recommendations: the trending fallback; search: Unavailable);
// after OpenFor one probe call goes through and its success closes the breaker.
//
// The probe is a real call, but it does not run on its caller's deadline. A store that has just restarted is cold
// (an empty page cache, a JIT that has not compiled the query path): Neo4j took seconds to answer its first
// recommendation queries, so a probe cut at the query's one-second budget failed every time and the breaker never
// closed. The probe therefore runs detached, for up to Settings.ProbeTimeout; its caller gets its answer (or
// Unavailable, when its own deadline comes first, and the fallback with it) while the probe finishes warming the
// store and decides the breaker's state.
//
// The breakers decorate the ports rather than living in the adapters or in app/query: one implementation serves
// both stores, the adapters stay "one store, its driver", and the use cases keep their logic and their unit tests
// unchanged (they already degrade on CodeUnavailable).
package breaker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Settings are a breaker's thresholds (config: -breaker-failures, -breaker-open-for).
type Settings struct {
	Failures int           // consecutive failures that open it (5 when 0)
	OpenFor  time.Duration // how long it stays open before a probe (5s when 0)
	// ProbeTimeout bounds the half-open probe, which runs detached from its caller's deadline (10s when 0).
	ProbeTimeout time.Duration
	Log          *slog.Logger
}

// Breaker guards the calls to one store.
type Breaker struct {
	store        string
	probeTimeout time.Duration
	cb           *gobreaker.CircuitBreaker[struct{}]
}

// New returns the breaker of store (a name for errors, logs and the metric: "neo4j", "search").
func New(store string, s Settings) *Breaker {
	failures := uint32(max(s.Failures, 0))
	if failures == 0 {
		failures = 5
	}
	openFor := s.OpenFor
	if openFor <= 0 {
		openFor = 5 * time.Second
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	probeTimeout := s.ProbeTimeout
	if probeTimeout <= 0 {
		probeTimeout = 10 * time.Second
	}
	return &Breaker{store: store, probeTimeout: probeTimeout, cb: gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        store,
		MaxRequests: 1, // one probe while half-open
		Timeout:     openFor,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= failures },
		// Only the store being unreachable or too slow counts against it; an answer such as not-found or invalid is
		// the store working.
		IsSuccessful: func(err error) bool { return !storeDown(err) },
		// A caller that gave up says nothing about the store.
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
		OnStateChange: func(name string, from, to gobreaker.State) {
			log.Warn("circuit breaker", "store", name, "from", from.String(), "to", to.String())
		},
	})}
}

func storeDown(err error) bool {
	return err != nil && (streaming.ErrorCode(err) == streaming.CodeUnavailable || errors.Is(err, context.DeadlineExceeded))
}

// State is the breaker's state: closed, half-open or open.
func (b *Breaker) State() gobreaker.State { return b.cb.State() }

// Do runs call through the breaker. While the breaker is open (or its one half-open probe is out) it does not run
// call and answers streaming.Unavailable naming the store.
func (b *Breaker) Do(call func() error) error {
	_, err := b.cb.Execute(func() (struct{}, error) { return struct{}{}, call() })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return streaming.Unavailable(b.store, err)
	}
	return err
}

// guard runs call through b. When the breaker is half-open the call may be its probe: it then runs on a context
// detached from ctx's deadline (bounded by the probe timeout, keeping ctx's values), and the caller waits only until
// its own ctx ends, answering Unavailable then; the probe goes on and its outcome decides the breaker.
func guard[T any](ctx context.Context, b *Breaker, call func(context.Context) (T, error)) (T, error) {
	if b.cb.State() != gobreaker.StateHalfOpen {
		var out T
		err := b.Do(func() (err error) {
			out, err = call(ctx)
			return err
		})
		return out, err
	}
	type result struct {
		out T
		err error
	}
	done := make(chan result, 1)
	go func() {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.probeTimeout)
		defer cancel()
		var r result
		r.err = b.Do(func() (err error) {
			r.out, err = call(pctx)
			return err
		})
		done <- r
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-ctx.Done():
		var zero T
		return zero, streaming.Unavailable(b.store, fmt.Errorf("probing whether %s is back: %w", b.store, ctx.Err()))
	}
}

// Register exports circuit_breaker_state{store} (0 closed, 1 half-open, 2 open) for each breaker.
func Register(reg prometheus.Registerer, breakers ...*Breaker) error {
	for _, b := range breakers {
		g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "circuit_breaker_state",
			Help:        "State of the store's circuit breaker: 0 closed, 1 half-open, 2 open.",
			ConstLabels: prometheus.Labels{"store": b.store},
		}, func() float64 { return float64(b.State()) })
		if err := reg.Register(g); err != nil {
			return err
		}
	}
	return nil
}

// Graph is a streaming.RecommendationGraph behind a breaker.
type Graph struct {
	Next    streaming.RecommendationGraph
	Breaker *Breaker
}

func (g Graph) Recommend(ctx context.Context, userID string, limit int) ([]streaming.Recommendation, error) {
	return guard(ctx, g.Breaker, func(ctx context.Context) ([]streaming.Recommendation, error) {
		return g.Next.Recommend(ctx, userID, limit)
	})
}

// Search is a streaming.CatalogSearch behind a breaker.
type Search struct {
	Next    streaming.CatalogSearch
	Breaker *Breaker
}

func (s Search) Search(ctx context.Context, q streaming.SearchQuery) (*streaming.SearchResult, error) {
	return guard(ctx, s.Breaker, func(ctx context.Context) (*streaming.SearchResult, error) {
		return s.Next.Search(ctx, q)
	})
}
