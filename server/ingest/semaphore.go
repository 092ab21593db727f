package ingest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

var (
	errSemClosed  = errors.New("semaphore closed")
	errSemTimeout = errors.New("semaphore wait timed out")
)

// semaphore counts queued and in-flight events. Taking and returning units is one atomic operation while nobody
// waits; waiters are served first come, first served, so a large request is not starved by a stream of small ones.
type semaphore struct {
	size  int64
	used  atomic.Int64
	nwait atomic.Int32 // len(waiters), readable without mu

	mu      sync.Mutex
	closed  bool
	waiters []*semWaiter
}

type semWaiter struct {
	n      int64
	ready  chan struct{} // closed once granted or the semaphore closed
	closed bool          // set before ready is closed
}

func (s *semaphore) tryTake(n int64) bool {
	for {
		u := s.used.Load()
		if u+n > s.size {
			return false
		}
		if s.used.CompareAndSwap(u, u+n) {
			return true
		}
	}
}

// acquire takes n units, waiting up to wait (or until ctx ends) for room. It returns errSemTimeout, errSemClosed
// or ctx's error when it did not take them. A closed semaphore may still grant units on the fast path; the caller
// checks for shutdown itself.
func (s *semaphore) acquire(ctx context.Context, n int64, wait time.Duration) error {
	if s.nwait.Load() == 0 && s.tryTake(n) {
		return nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errSemClosed
	}
	if len(s.waiters) == 0 && s.tryTake(n) {
		s.mu.Unlock()
		return nil
	}
	if wait <= 0 {
		s.mu.Unlock()
		return errSemTimeout
	}
	w := &semWaiter{n: n, ready: make(chan struct{})}
	s.waiters = append(s.waiters, w)
	s.nwait.Store(int32(len(s.waiters)))
	s.grant() // a release that ran before nwait was published did not grant
	s.mu.Unlock()

	timer := time.NewTimer(wait)
	defer timer.Stop()
	var cause error
	select {
	case <-w.ready:
		if w.closed {
			return errSemClosed
		}
		return nil
	case <-timer.C:
		cause = errSemTimeout
	case <-ctx.Done():
		cause = ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-w.ready: // granted (or closed) while we were giving up: keep what we were given
		if w.closed {
			return errSemClosed
		}
		return nil
	default:
	}
	for i, x := range s.waiters {
		if x == w {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			break
		}
	}
	s.nwait.Store(int32(len(s.waiters)))
	s.grant() // the head may have changed
	return cause
}

// release returns n units.
func (s *semaphore) release(n int64) {
	s.used.Add(-n)
	if s.nwait.Load() > 0 {
		s.mu.Lock()
		s.grant()
		s.mu.Unlock()
	}
}

// grant serves waiters in order while there is room. s.mu must be held.
func (s *semaphore) grant() {
	for len(s.waiters) > 0 && s.tryTake(s.waiters[0].n) {
		close(s.waiters[0].ready)
		s.waiters[0] = nil
		s.waiters = s.waiters[1:]
	}
	s.nwait.Store(int32(len(s.waiters)))
}

// close fails every waiter and every later acquire that has to wait; release keeps working.
func (s *semaphore) close() {
	s.mu.Lock()
	s.closed = true
	for _, w := range s.waiters {
		w.closed = true
		close(w.ready)
	}
	s.waiters = nil
	s.nwait.Store(0)
	s.mu.Unlock()
}

// inUse is the number of units taken.
func (s *semaphore) inUse() int64 { return s.used.Load() }
