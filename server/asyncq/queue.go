// Package asyncq is a bounded, non-blocking queue drained by one goroutine: the mechanics shared by the buffers that
// take work off a request's path (ingest.AsyncObserver, signals.Buffer). Add never waits: it appends to the pending
// items, or drops them (counted) when the queue is full or closed. The goroutine takes everything pending at once —
// double-buffered, so steady state allocates nothing — and hands it to Flush in chunks, recovering a panic in Flush
// as an error. Close flushes what is pending until its context ends, then cancels the context Flush was given.
package asyncq

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Queue; only Flush is required.
type Options[T any] struct {
	// Max is the bound on pending items (at least 1).
	Max int
	// Chunk is the most items per Flush call; 0 hands everything taken at once to one call.
	Chunk int
	// Gather is how long items wait for more before the goroutine takes them: from the oldest pending item's Add,
	// cut short once half of Max is pending or the queue closes. 0 takes them as soon as the goroutine is free.
	// Gathering lets a Flush that folds items (additions to the same counters) write each counter once for many.
	Gather time.Duration
	// Flush consumes items on the queue's goroutine; ctx is cancelled once Close returns. It must not keep items:
	// the slice is reused. A panic in it is logged and returned as an error.
	Flush func(ctx context.Context, items []T) error
	// Flushed, if not nil, runs after each Flush call on the same goroutine with its outcome (err, a panic
	// included) and when the oldest item of the take was added.
	Flushed func(items []T, since time.Time, err error)
	// Dropped, if not nil, runs in Add after it dropped items, with the running total of dropped items.
	Dropped func(items []T, total uint64)
	// Name says what panicked in the log and the error ("genre search recorder" → "genre search recorder panicked").
	Name string
	// Log gets a Flush panic (nil: none).
	Log *slog.Logger
}

// Queue is a bounded, non-blocking queue drained by one goroutine. Start it with New (or NewFolding) and stop it
// with Close.
type Queue[T any] struct {
	opt Options[T]
	// With NewFolding (nil otherwise): find is where the pending item of an item's key is, index records where a
	// new one went, reset forgets them all once they are taken; merge folds an added item into a pending one. The
	// first three run with mu held.
	find  func(item T) (int, bool)
	index func(item T, at int)
	reset func()
	merge func(pending *T, added T)

	mu      sync.Mutex
	pending []T
	since   time.Time // when the oldest pending item was added
	closed  bool
	syncs   []chan struct{} // Sync calls waiting: closed once what was pending at their call is flushed

	dropped atomic.Uint64
	wake    chan struct{} // cap 1
	done    chan struct{} // closed when the goroutine has returned
	ctx     context.Context
	cancel  context.CancelFunc
}

// New starts a Queue and its goroutine.
func New[T any](opt Options[T]) *Queue[T] {
	q := newQueue(opt)
	go q.run()
	return q
}

func newQueue[T any](opt Options[T]) *Queue[T] {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	opt.Max = max(opt.Max, 1)
	ctx, cancel := context.WithCancel(context.Background())
	return &Queue[T]{opt: opt, wake: make(chan struct{}, 1), done: make(chan struct{}), ctx: ctx, cancel: cancel}
}

// NewFolding starts a Queue whose pending items are folded by key as they are added: an item whose key a pending
// item has is merged into it (merge(pending, added)) instead of queued beside it, so what waits, and what Flush gets,
// is one item per key. For a Flush that folds anyway (sums per key), a long Gather then costs memory per distinct
// key, not per item added. Max bounds the distinct items pending.
func NewFolding[T any, K comparable](opt Options[T], key func(T) K, merge func(pending *T, added T)) *Queue[T] {
	at := map[K]int{}
	q := newQueue(opt)
	q.find = func(item T) (int, bool) {
		i, ok := at[key(item)]
		return i, ok
	}
	q.index = func(item T, i int) { at[key(item)] = i }
	q.reset = func() { clear(at) }
	q.merge = merge
	go q.run()
	return q
}

// Add queues all of items, or drops all of them (counted, and passed to Options.Dropped) when they do not fit or the
// queue is closed; it reports whether they were queued. It never waits for Flush. Adding nothing does nothing. In a
// folding queue (NewFolding) an item that folds into a pending one always fits.
func (q *Queue[T]) Add(items ...T) bool {
	if len(items) == 0 {
		return true
	}
	q.mu.Lock()
	if q.closed || len(q.pending)+len(items) > q.opt.Max && !q.foldsInto(items) {
		q.mu.Unlock()
		total := q.dropped.Add(uint64(len(items)))
		if q.opt.Dropped != nil {
			q.opt.Dropped(items, total)
		}
		return false
	}
	if len(q.pending) == 0 {
		q.since = time.Now()
	}
	if q.find == nil {
		q.pending = append(q.pending, items...)
	} else {
		for _, it := range items {
			if i, ok := q.find(it); ok {
				q.merge(&q.pending[i], it)
				continue
			}
			q.index(it, len(q.pending))
			q.pending = append(q.pending, it)
		}
	}
	q.mu.Unlock()
	q.signal()
	return true
}

// foldsInto reports whether items fit once folded: whether the pending items plus those of items whose key no pending
// item has stay within Max (items sharing a new key are counted apart: a bound, not the exact count). Only a folding
// queue folds; q.mu must be held.
func (q *Queue[T]) foldsInto(items []T) bool {
	if q.find == nil {
		return false
	}
	n := len(q.pending)
	for _, it := range items {
		if _, ok := q.find(it); !ok {
			n++
		}
	}
	return n <= q.opt.Max
}

// Dropped is the number of items Add has dropped so far.
func (q *Queue[T]) Dropped() uint64 { return q.dropped.Load() }

// Max is the bound on pending items.
func (q *Queue[T]) Max() int { return q.opt.Max }

func (q *Queue[T]) signal() {
	select {
	case q.wake <- struct{}{}:
	default: // already woken: the goroutine will take these items with the others
	}
}

func (q *Queue[T]) run() {
	defer close(q.done)
	var spare []T
	for {
		<-q.wake
		q.gather()
		q.mu.Lock()
		batch, since, closed, syncs := q.pending, q.since, q.closed, q.syncs
		q.pending, q.syncs = spare[:0], nil
		if q.reset != nil {
			q.reset()
		}
		q.mu.Unlock()
		chunk := q.opt.Chunk
		if chunk <= 0 {
			chunk = max(len(batch), 1)
		}
		for items := range slices.Chunk(batch, chunk) {
			err := q.Call(items)
			if q.opt.Flushed != nil {
				q.opt.Flushed(items, since, err)
			}
		}
		for _, c := range syncs {
			close(c)
		}
		clear(batch) // drop what the items reference
		spare = batch
		if closed {
			return
		}
	}
}

// gather waits, when Options.Gather is set, until the oldest pending item has waited that long, half of Max is
// pending or the queue is closed.
func (q *Queue[T]) gather() {
	if q.opt.Gather <= 0 {
		return
	}
	for {
		q.mu.Lock()
		n, since, closed, synced := len(q.pending), q.since, q.closed, len(q.syncs) > 0
		q.mu.Unlock()
		wait := time.Until(since.Add(q.opt.Gather))
		if n == 0 || closed || synced || wait <= 0 || n >= max(q.opt.Max/2, 1) {
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-q.wake: // more items, or Close
		}
		t.Stop()
	}
}

// Call hands items to Flush on the caller's goroutine, with the queue's context and panic recovery.
func (q *Queue[T]) Call(items []T) (err error) {
	defer func() {
		if r := recover(); r != nil {
			q.opt.Log.Error(q.opt.Name+" panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%s panicked: %v", q.opt.Name, r)
		}
	}()
	return q.opt.Flush(q.ctx, items)
}

// Sync hands what is pending now to Flush without waiting for Gather, and returns once it was flushed (nil, whatever
// Flush returned), or ctx's error when ctx ends first. After Close it returns nil at once: Close flushes.
func (q *Queue[T]) Sync(ctx context.Context) error {
	done := make(chan struct{})
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.syncs = append(q.syncs, done)
	q.mu.Unlock()
	q.signal()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops taking items (later ones are dropped and counted), flushes what is pending and waits for that until
// ctx ends; then it cancels the context of the Flush calls. It returns nil once the goroutine has returned, or
// ctx's error without waiting further (wait on Done for the goroutine). Close more than once is harmless.
func (q *Queue[T]) Close(ctx context.Context) error {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
	defer q.cancel()
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Done is closed when the goroutine has returned (after Close).
func (q *Queue[T]) Done() <-chan struct{} { return q.done }
