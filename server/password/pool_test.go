package password

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// TestPoolBound: however many callers arrive, no more than the bound compute at once, and each waiter either gets a
// slot within the wait or CodeBusy with the wait as its retry hint.
func TestPoolBound(t *testing.T) {
	const bound, callers = 3, 40
	p := NewPool(Params{MemoryKiB: 64, Time: 1, Threads: 1}, bound, 50*time.Millisecond)
	var running, peak, done, busy atomic.Int64
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := p.do(t.Context(), func() {
				n := running.Add(1)
				for {
					m := peak.Load()
					if n <= m || peak.CompareAndSwap(m, n) {
						break
					}
				}
				<-release
				running.Add(-1)
				done.Add(1)
			})
			if err == nil {
				return
			}
			e := streaming.AsError(err)
			if e == nil || e.Code != streaming.CodeBusy || e.RetryAfter != 50*time.Millisecond {
				t.Errorf("waiter got %v, want CodeBusy with RetryAfter 50ms", err)
			}
			busy.Add(1)
		}()
	}
	// Hold the slots past the wait: every caller beyond the bound must be turned away.
	time.Sleep(300 * time.Millisecond)
	close(release)
	wg.Wait()
	if peak.Load() != bound {
		t.Fatalf("peak concurrency %d, want %d", peak.Load(), bound)
	}
	if done.Load() != bound || busy.Load() != callers-bound {
		t.Fatalf("%d ran and %d were busy, want %d and %d", done.Load(), busy.Load(), bound, callers-bound)
	}
}

// TestPoolWaits: a waiter gets a slot freed within the wait; the real hash and verify run through the pool.
func TestPoolWaits(t *testing.T) {
	p := NewPool(Params{MemoryKiB: 64, Time: 1, Threads: 1}, 1, 2*time.Second)
	release := make(chan struct{})
	started := make(chan struct{})
	go p.do(t.Context(), func() { close(started); <-release })
	<-started
	time.AfterFunc(50*time.Millisecond, func() { close(release) })
	h, err := p.Hash(t.Context(), "pw")
	if err != nil {
		t.Fatalf("Hash after a slot freed: %v", err)
	}
	if ok, err := p.Verify(t.Context(), "pw", h); !ok || err != nil {
		t.Fatalf("Verify = %v, %v", ok, err)
	}
	if ok, err := p.Verify(t.Context(), "pw", p.Dummy()); ok || err != nil {
		t.Fatalf("Verify(dummy) = %v, %v", ok, err)
	}
}

// TestPoolCallerDeadline: a caller whose own deadline ends first gets its context's error, not CodeBusy.
func TestPoolCallerDeadline(t *testing.T) {
	p := NewPool(Params{MemoryKiB: 64, Time: 1, Threads: 1}, 1, time.Minute)
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{})
	go p.do(context.Background(), func() { close(started); <-release })
	<-started
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.Hash(ctx, "pw"); err != context.DeadlineExceeded {
		t.Fatalf("Hash = %v, want the caller's deadline", err)
	}
}
