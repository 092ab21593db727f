package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamingplatform/streaming/server/outbox"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Unit tests of the delivery rules over a small fake of the relay's port (outbox.Store); relay_test.go runs the same
// relay against the real PostgreSQL.

// fakeStore hands out one partition's events until they are published, and records what the relay did with them.
type fakeStore struct {
	mu        sync.Mutex
	pending   []streaming.Event
	dead      []string // "projector:aggregate/version"
	owed      map[string]int
	published int
	open      int // claims neither published nor released
}

func (s *fakeStore) ClaimPartition(_ context.Context, partition, _, limit int) (outbox.Claim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open++
	c := &fakeClaim{s: s}
	if partition == 0 {
		c.events = s.pending[:min(limit, len(s.pending))]
	}
	return c, nil
}

func (s *fakeStore) ClaimOwed(context.Context, string, int) (outbox.OwedClaim, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open++
	return &fakeClaim{s: s}, nil
}

func (s *fakeStore) Listen(ctx context.Context, wake func()) error {
	wake()
	<-ctx.Done()
	return ctx.Err()
}

func (s *fakeStore) OldestPending(context.Context) (time.Duration, error) { return 0, nil }
func (s *fakeStore) DeletePublished(context.Context, time.Duration, int) (int64, error) {
	return 0, nil
}
func (s *fakeStore) Republish(context.Context) (int64, error) { return 0, nil }
func (s *fakeStore) snapshot() (dead []string, owed map[string]int, published, open int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	owed = map[string]int{}
	for k, v := range s.owed {
		owed[k] = v
	}
	return append([]string(nil), s.dead...), owed, s.published, s.open
}

type fakeClaim struct {
	s      *fakeStore
	events []streaming.Event
	dead   []string
	owed   []string
	done   bool
}

func (c *fakeClaim) Events() []streaming.Event { return c.events }

func (c *fakeClaim) Owe(_ context.Context, projector string) error {
	c.owed = append(c.owed, projector)
	return nil
}

func (c *fakeClaim) DeadLetter(_ context.Context, i int, projector, _ string) (int64, error) {
	e := c.events[i]
	c.dead = append(c.dead, fmt.Sprintf("%s:%s/%d", projector, e.AggregateID, e.Version))
	return int64(i), nil
}

func (c *fakeClaim) Publish(context.Context) ([]time.Duration, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.s.pending = c.s.pending[len(c.events):]
	c.s.published += len(c.events)
	c.s.dead = append(c.s.dead, c.dead...)
	if c.s.owed == nil {
		c.s.owed = map[string]int{}
	}
	for _, p := range c.owed {
		c.s.owed[p] += len(c.events)
	}
	c.s.open--
	c.done = true
	return make([]time.Duration, len(c.events)), nil
}

func (c *fakeClaim) Settle(context.Context) error {
	return errors.New("nothing is owed in these tests")
}

func (c *fakeClaim) Release(context.Context) {
	if c.done {
		return
	}
	c.done = true
	c.s.mu.Lock()
	c.s.open--
	c.s.mu.Unlock()
}

// refusing fails every event whose aggregate is in bad, with err.
type refusing struct {
	name  string
	bad   map[string]bool
	err   error
	calls atomic.Int64
}

func (r *refusing) Name() string { return r.name }

func (r *refusing) Project(_ context.Context, events []streaming.Event) error {
	r.calls.Add(1)
	for _, e := range events {
		if r.bad[e.AggregateID] {
			return r.err
		}
	}
	return nil
}

func events(ids ...string) []streaming.Event {
	out := make([]streaming.Event, len(ids))
	for i, id := range ids {
		out[i] = streaming.Event{AggregateType: "test", AggregateID: id, Version: 1}
	}
	return out
}

func TestDeliveryRules(t *testing.T) {
	t.Parallel()
	refused := errors.New("payload does not decode")
	down := streaming.Unavailable("Neo4j", errors.New("connection refused"))
	for _, tc := range []struct {
		name      string
		pending   []string
		bad       []string
		err       error
		calls     int64 // at least this many Project calls before the outcome is final
		published int
		dead      string
		owed      map[string]int
	}{
		// Two failed passes of the whole batch, then one event at a time (IsolateAfter 2).
		{"one poison event is dead-lettered, the rest flows", []string{"a", "b", "c"}, []string{"b"}, refused, 2 + 3, 3,
			"[p:b/1]", map[string]int{}},
		{"a batch mostly refused is not dead-lettered", []string{"a", "b", "c"}, []string{"a", "b"}, refused, 2 + 3 + 3, 0,
			"[]", map[string]int{}},
		{"an unavailable store is owed the batch, nothing is dead", []string{"a", "b"}, []string{"a"}, down, 1, 2,
			"[]", map[string]int{"p": 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := &fakeStore{pending: events(tc.pending...)}
			bad := map[string]bool{}
			for _, id := range tc.bad {
				bad[id] = true
			}
			p := &refusing{name: "p", bad: bad, err: tc.err}
			relay := outbox.New(store, []outbox.Projector{p},
				outbox.Config{Partitions: 1, PollInterval: 5 * time.Millisecond, RetryBackoff: time.Millisecond,
					MinPassInterval: time.Millisecond, IsolateAfter: 2}, prometheus.NewRegistry(), testLog(t))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { done <- relay.Run(ctx) }()
			waitFor(t, 10*time.Second, "the outcome", func() bool {
				_, _, published, _ := store.snapshot()
				return p.calls.Load() >= tc.calls && published >= tc.published
			})
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("Run: %v", err)
			}
			dead, owed, published, open := store.snapshot()
			if published != tc.published || fmt.Sprint(dead) != tc.dead || fmt.Sprint(owed) != fmt.Sprint(tc.owed) {
				t.Errorf("published %d, dead letters %v, owed %v; want %d, %s, %v", published, dead, owed,
					tc.published, tc.dead, tc.owed)
			}
			if open != 0 {
				t.Errorf("%d claims left open: every claim must be published or released", open)
			}
		})
	}
}
