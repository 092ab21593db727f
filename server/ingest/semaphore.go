package ingest

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

var (
	errSemClosed  = errors.New("semaphore closed")
	errSemTimeout = errors.New("semaphore wait timed out")
)

// queueRoom counts queued and in-flight events: golang.org/x/sync/semaphore (first come, first served, so a large
// request is not starved by a stream of small ones) with what the pipeline adds: a bounded wait, a close that
// fails the waiters, and the count in use for the queue gauge.
type queueRoom struct {
	sem    *semaphore.Weighted
	used   atomic.Int64
	closed context.Context // done once close was called
	close  context.CancelFunc
}

func newQueueRoom(size int64) *queueRoom {
	r := &queueRoom{sem: semaphore.NewWeighted(size)}
	r.closed, r.close = context.WithCancel(context.Background())
	return r
}

// acquire takes n units, waiting up to wait (or until ctx ends) for room. It returns errSemTimeout, errSemClosed
// or ctx's error when it did not take them. A closed queue may still grant units without waiting; the caller
// checks for shutdown itself.
func (r *queueRoom) acquire(ctx context.Context, n int64, wait time.Duration) error {
	if r.sem.TryAcquire(n) { // fails while others wait, so they keep their turn
		r.used.Add(n)
		return nil
	}
	if r.closed.Err() != nil {
		return errSemClosed
	}
	if wait <= 0 {
		return errSemTimeout
	}
	wctx, cancel := context.WithTimeoutCause(ctx, wait, errSemTimeout)
	defer cancel()
	stop := context.AfterFunc(r.closed, func() { cancel() })
	defer stop()
	if err := r.sem.Acquire(wctx, n); err != nil {
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case r.closed.Err() != nil:
			return errSemClosed
		default:
			return errSemTimeout
		}
	}
	r.used.Add(n)
	return nil
}

// release returns n units.
func (r *queueRoom) release(n int64) {
	r.used.Add(-n)
	r.sem.Release(n)
}

// done is closed once close was called.
func (r *queueRoom) done() <-chan struct{} { return r.closed.Done() }

// inUse is the number of units taken.
func (r *queueRoom) inUse() int64 { return r.used.Load() }
