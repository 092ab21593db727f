package ingest

import (
	"context"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Ticket follows the events of one Submit until each has a definite result. A caller may Submit again before
// waiting (pipelining) and wait on its tickets in order.
type Ticket struct {
	n       int
	events  []streaming.PlaybackEvent // what was submitted; the groups refer to it
	pending atomic.Int64
	done    chan struct{}
	span    trace.SpanContext // the submitting batch's span, when tracing (Config.Tracer)

	mu      sync.Mutex // guards results and failed until done is closed
	results []error    // allocated on the first failure
	failed  int
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func newTicket(events []streaming.PlaybackEvent) *Ticket {
	n := len(events)
	t := &Ticket{n: n, events: events}
	if n == 0 {
		t.done = closedChan
		return t
	}
	t.done = make(chan struct{})
	t.pending.Store(int64(n))
	return t
}

// Len is the number of events submitted.
func (t *Ticket) Len() int { return t.n }

// Done is closed once every event has a result.
func (t *Ticket) Done() <-chan struct{} { return t.done }

// Wait blocks until every event has a result, then returns them: nil when every event is durable, otherwise a
// slice of Len() entries in submission order, nil for a durable event and the reason otherwise (a *streaming.Error,
// usually CodeUnavailable: not stored, retry). The slice is shared by all callers of Wait; do not modify it.
//
// If ctx ends first, Wait returns ctx's error: the events are still being written and their outcome is unknown to
// this caller (a client that retries them rewrites the same rows, since event ids are the client's).
func (t *Ticket) Wait(ctx context.Context) (results []error, err error) {
	select {
	case <-t.done:
		return t.results, nil
	default:
	}
	select {
	case <-t.done:
		return t.results, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Failed is the number of events that were not stored; valid once Done is closed.
func (t *Ticket) Failed() int {
	select {
	case <-t.done:
		return t.failed
	default:
		return 0
	}
}

// fail records err for the events at idx.
func (t *Ticket) fail(refs []ref, err error) {
	t.mu.Lock()
	if t.results == nil {
		t.results = make([]error, t.n)
	}
	for _, r := range refs {
		t.results[r.i] = err
	}
	t.failed += len(refs)
	t.mu.Unlock()
}

// finish counts k events as decided and closes done after the last one.
func (t *Ticket) finish(k int) {
	if t.pending.Add(-int64(k)) == 0 {
		close(t.done)
	}
}
