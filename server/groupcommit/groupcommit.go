// Package groupcommit writes items that callers hand in one at a time in shared batches, as a database's group commit
// shares one log flush: while every slot is busy, the callers that arrive queue, and the next slot to free up takes
// them all in one write. Nobody waits for a batch to fill: a caller that finds a free slot writes alone at once, so
// a quiet system answers as fast as one write; a busy one pays one write (a round trip, a commit) per batch instead
// of per item.
package groupcommit

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Defaults of a Group's settings.
const (
	DefaultSlots    = 2
	DefaultMaxBatch = 64
	DefaultTimeout  = 10 * time.Second
)

// Group writes items through Write, in batches of up to MaxBatch items of distinct keys, Slots batches at a time.
// The zero value is not usable: Write must be set; the other fields default. A Group must not be copied after first
// use.
type Group[T any] struct {
	// Write writes a batch and returns nil when every item was written, else one error per item (nil for an item
	// written). It runs in the goroutine of one of the batch's callers, under a context that is not cancelled with
	// that caller's but ends at the latest deadline of the batch's callers (Timeout when one of them has none).
	Write func(ctx context.Context, batch []T) []error
	// Key names what an item writes: two items with one key never share a batch (the later one goes in a later
	// batch, so the order of one key's writes is the callers' order). nil: every item is distinct.
	Key      func(T) string
	Slots    int           // batches written at once; DefaultSlots when 0
	MaxBatch int           // items per batch at most; DefaultMaxBatch when 0
	Timeout  time.Duration // a batch's bound when a caller has no deadline; DefaultTimeout when 0

	mu      sync.Mutex
	queue   []*call[T]
	running int // slots in use; while one is free the queue is empty
}

type call[T any] struct {
	item     T
	key      string
	deadline time.Time     // zero: the caller has none
	err      error         // set before done is closed
	done     chan struct{} // closed once the item's batch is written
	lead     chan struct{} // closed when batch is this caller's to write
	batch    []*call[T]    // the batch handed to this caller (set before lead is closed)
}

// Do writes item and returns its error. It returns once the item's batch is written, also when ctx ends while the
// batch is being written (Write may be changing item until then); when ctx ends while the item still waits in the
// queue, the item is left out and Do returns ctx's error.
func (g *Group[T]) Do(ctx context.Context, item T) error {
	c := &call[T]{item: item, done: make(chan struct{}), lead: make(chan struct{})}
	if g.Key != nil {
		c.key = g.Key(item)
	}
	c.deadline, _ = ctx.Deadline()
	g.mu.Lock()
	g.queue = append(g.queue, c)
	if g.running < cmpOr(g.Slots, DefaultSlots) {
		g.running++ // a free slot means an empty queue: c writes alone
		batch := g.take()
		g.mu.Unlock()
		g.write(ctx, batch)
		return c.err
	}
	g.mu.Unlock()
	select {
	case <-c.done:
		return c.err
	case <-c.lead:
	case <-ctx.Done():
		g.mu.Lock()
		if i := slices.Index(g.queue, c); i >= 0 {
			g.queue = slices.Delete(g.queue, i, i+1)
			g.mu.Unlock()
			return ctx.Err()
		}
		g.mu.Unlock()
		// Taken into a batch, or handed one to write (which must be written all the same).
		select {
		case <-c.done:
			return c.err
		case <-c.lead:
		}
	}
	g.write(ctx, c.batch)
	return c.err
}

// Queued is how many callers wait for a slot now.
func (g *Group[T]) Queued() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

// write writes batch in the slot its caller holds, then hands the slot with the next batch to that batch's first
// caller, or frees it when nobody waits.
func (g *Group[T]) write(ctx context.Context, batch []*call[T]) {
	deadline := batch[0].deadline
	for _, c := range batch {
		if c.deadline.IsZero() {
			deadline = time.Now().Add(cmpOr(g.Timeout, DefaultTimeout))
			break
		}
		deadline = latest(deadline, c.deadline)
	}
	wctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	items := make([]T, len(batch))
	for i, c := range batch {
		items[i] = c.item
	}
	errs, panicked := g.call(wctx, items)
	cancel()
	for i, c := range batch {
		if errs != nil {
			c.err = errs[i]
		}
		close(c.done)
	}
	if panicked != nil {
		// The batch's other callers have their error and the slot is handed on below; the panic goes on in this
		// caller's goroutine, where a recovery answers it.
		defer panic(panicked)
	}

	g.mu.Lock()
	if len(g.queue) == 0 {
		g.running--
		g.mu.Unlock()
		return
	}
	next := g.take()
	g.mu.Unlock()
	next[0].batch = next
	close(next[0].lead)
}

// call runs Write, turning a panic or an answer of the wrong length into an error for every item.
func (g *Group[T]) call(ctx context.Context, items []T) (errs []error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			errs, panicked = fill(len(items), fmt.Errorf("groupcommit: write panicked: %v", p)), p
		}
	}()
	errs = g.Write(ctx, items)
	if errs != nil && len(errs) != len(items) {
		errs = fill(len(items), fmt.Errorf("groupcommit: write answered %d errors for %d items", len(errs), len(items)))
	}
	return errs, nil
}

func fill(n int, err error) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

// take removes the next batch from the queue: the first MaxBatch calls of distinct keys, in queue order.
func (g *Group[T]) take() []*call[T] {
	limit := cmpOr(g.MaxBatch, DefaultMaxBatch)
	batch := make([]*call[T], 0, min(limit, len(g.queue)))
	var keys map[string]bool
	if g.Key != nil {
		keys = make(map[string]bool, cap(batch))
	}
	rest := g.queue[:0]
	for _, c := range g.queue {
		if len(batch) == limit || (keys != nil && keys[c.key]) {
			rest = append(rest, c)
			continue
		}
		if keys != nil {
			keys[c.key] = true
		}
		batch = append(batch, c)
	}
	clear(g.queue[len(rest):])
	g.queue = rest
	return batch
}

func cmpOr[N int | time.Duration](v, def N) N {
	if v > 0 {
		return v
	}
	return def
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
