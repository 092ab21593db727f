package erasure

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamingplatform/streaming/server/streaming"
)

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		attempts int
		want     time.Duration
	}{{0, time.Second}, {1, 2 * time.Second}, {3, 8 * time.Second}, {8, 256 * time.Second}, {9, 5 * time.Minute},
		{1000, 5 * time.Minute}} {
		if got := backoff(c.attempts, 5*time.Minute); got != c.want {
			t.Errorf("backoff(%d) = %v, want %v", c.attempts, got, c.want)
		}
	}
}

// queue records what the worker reports; ClaimErasures hands out due once.
type queue struct {
	due    []streaming.PendingErasure
	done   []string
	failed map[string]time.Time
}

func (q *queue) ClaimErasures(context.Context, time.Time, time.Duration, int) ([]streaming.PendingErasure, error) {
	d := q.due
	q.due = nil
	return d, nil
}
func (q *queue) ErasureDone(_ context.Context, user, store string, _ time.Time) error {
	q.done = append(q.done, user+"/"+store)
	return nil
}
func (q *queue) ErasureFailed(_ context.Context, user, store, _ string, at time.Time) error {
	q.failed[user+"/"+store] = at
	return nil
}
func (q *queue) UserErasure(context.Context, string) (*streaming.UserErasure, error) { return nil, nil }

type eraser struct {
	store string
	err   error
	calls []int64
}

func (e *eraser) ErasureStore() string { return e.store }
func (e *eraser) EraseUser(_ context.Context, _ string, version int64) error {
	e.calls = append(e.calls, version)
	return e.err
}

// A pass runs each due store's eraser with the user's version: success is recorded done, a failure is retried after
// its backoff, and a store no eraser serves is retried, never marked done.
func TestPass(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	q := &queue{failed: map[string]time.Time{}, due: []streaming.PendingErasure{
		{UserID: "u1", Store: "neo4j", Version: 4},
		{UserID: "u1", Store: "redis", Version: 4, Attempts: 2},
		{UserID: "u1", Store: "elsewhere", Version: 4},
	}}
	graph := &eraser{store: "neo4j"}
	redis := &eraser{store: "redis", err: streaming.Unavailable("Redis", errors.New("down"))}
	w := New(q, []streaming.UserEraser{graph, redis}, Config{}, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	w.now = func() time.Time { return now }
	if n := w.Pass(t.Context()); n != 3 {
		t.Fatalf("pass took %d, want 3", n)
	}
	if len(graph.calls) != 1 || graph.calls[0] != 4 || len(redis.calls) != 1 {
		t.Errorf("eraser calls: graph %v, redis %v", graph.calls, redis.calls)
	}
	if len(q.done) != 1 || q.done[0] != "u1/neo4j" {
		t.Errorf("done = %v, want u1/neo4j", q.done)
	}
	if at := q.failed["u1/redis"]; !at.Equal(now.Add(4 * time.Second)) {
		t.Errorf("redis retried at %v, want after the third attempt's 4s", at)
	}
	if _, ok := q.failed["u1/elsewhere"]; !ok {
		t.Error("a store without an eraser was not retried")
	}
}
