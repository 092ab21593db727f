package password

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Pool hashes and verifies passwords with at most a fixed number of Argon2id computations at once. Each one holds
// MemoryKiB of memory (19 MiB by default), so an unbounded burst of logins would grow the process without limit; past
// the bound a caller waits up to Wait for a slot, then gets a CodeBusy error with a retry hint instead.
type Pool struct {
	params Params
	sem    *semaphore.Weighted
	wait   time.Duration

	dummyOnce sync.Once
	dummy     string
}

// NewPool bounds hashing with p to concurrency computations at once, each caller waiting at most wait for a slot.
func NewPool(p Params, concurrency int, wait time.Duration) *Pool {
	if concurrency < 1 {
		concurrency = 1
	}
	return &Pool{params: p, sem: semaphore.NewWeighted(int64(concurrency)), wait: wait}
}

// errBusy tells the caller to come back later: the hint is the wait, by then slots will have turned over many times.
func (p *Pool) errBusy() error {
	return &streaming.Error{Code: streaming.CodeBusy, Message: "too many password checks at once, retry later",
		RetryAfter: p.wait}
}

// acquire takes a slot, waiting at most p.wait (and never past ctx).
func (p *Pool) acquire(ctx context.Context) error {
	if p.sem.TryAcquire(1) {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, p.wait)
	defer cancel()
	if err := p.sem.Acquire(wctx, 1); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return p.errBusy()
		}
		return err
	}
	return nil
}

// Hash returns the PHC string of a new hash of pw, or CodeBusy when no slot frees within the wait.
func (p *Pool) Hash(ctx context.Context, pw string) (h string, err error) {
	if berr := p.do(ctx, func() { h, err = Hash(pw, p.params) }); berr != nil {
		return "", berr
	}
	return h, err
}

// Verify reports whether pw matches encoded (see Verify), or CodeBusy when no slot frees within the wait.
func (p *Pool) Verify(ctx context.Context, pw, encoded string) (ok bool, err error) {
	if berr := p.do(ctx, func() { ok, err = Verify(pw, encoded) }); berr != nil {
		return false, berr
	}
	return ok, err
}

// do runs f in a slot.
func (p *Pool) do(ctx context.Context, f func()) error {
	if err := p.acquire(ctx); err != nil {
		return err
	}
	defer p.sem.Release(1)
	f()
	return nil
}

// Dummy is a hash of the pool's cost for a password nobody has: verifying against it for an unknown account costs
// what a real check costs, so timing does not tell which accounts exist.
func (p *Pool) Dummy() string {
	p.dummyOnce.Do(func() { p.dummy, _ = Hash("not a password", p.params) })
	return p.dummy
}
