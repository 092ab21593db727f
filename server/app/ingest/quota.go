package ingest

import (
	"fmt"
	"hash/maphash"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Quota is a token bucket of events: Rate events per second on average, up to Burst at once. A Rate ≤ 0 is
// unlimited.
type Quota struct {
	Rate  float64
	Burst int
}

func (q Quota) limited() bool { return q.Rate > 0 }

// Quotas bound how fast each caller may ingest: every user has a bucket of their own (User), and the internal
// services, which send for any user, share one of theirs (Service). A batch that does not fit its caller's bucket is
// refused as a whole with CodeBusy (ResourceExhausted) and the time after which it would fit, while other callers'
// buckets are untouched: one user flooding cannot slow another's ingest. The buckets live in this process, so with
// N replicas behind a balancer a user may reach up to N times the rate; they are a guard against abuse and runaway
// clients, not billing.
//
// A bucket that has filled up again is the same as a new one, so idle users' buckets are dropped: memory follows the
// users active within the last Burst/Rate seconds.
type Quotas struct {
	User, Service Quota

	once    sync.Once
	seed    maphash.Seed
	shards  [quotaShards]quotaShard
	service *rate.Limiter
}

const (
	quotaShards = 64
	// quotaSweepAt is the shard size past which a new bucket first drops the shard's full (idle) ones.
	quotaSweepAt = 1024
)

type quotaShard struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	sweepAt int
}

func (q *Quotas) init() {
	q.seed = maphash.MakeSeed()
	for i := range q.shards {
		q.shards[i].buckets = map[string]*rate.Limiter{}
		q.shards[i].sweepAt = quotaSweepAt
	}
	if q.Service.limited() {
		q.service = rate.NewLimiter(rate.Limit(q.Service.Rate), q.Service.Burst)
	}
}

// Take takes n events from p's bucket at now, or returns a CodeBusy error saying when they would fit. A nil Quotas
// takes everything.
func (q *Quotas) Take(p streaming.Principal, n int, now time.Time) error {
	if q == nil || n <= 0 {
		return nil
	}
	q.once.Do(q.init)
	switch {
	case p.Role == streaming.RoleService && q.service != nil:
		return take(q.service, q.Service, "internal services together", n, now)
	case p.Role == streaming.RoleUser && q.User.limited():
		return take(q.bucket(p.UserID, now), q.User, "a user", n, now)
	}
	return nil
}

// bucket is the user's bucket, made on first use.
func (q *Quotas) bucket(user string, now time.Time) *rate.Limiter {
	s := &q.shards[maphash.String(q.seed, user)%quotaShards]
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.buckets[user]; ok {
		return b
	}
	if len(s.buckets) >= s.sweepAt {
		for k, b := range s.buckets {
			if b.TokensAt(now) >= float64(q.User.Burst) {
				delete(s.buckets, k)
			}
		}
		// Sweep again only once the shard has doubled past what stayed, so a sweep costs O(1) per new bucket.
		s.sweepAt = max(quotaSweepAt, 2*len(s.buckets))
	}
	b := rate.NewLimiter(rate.Limit(q.User.Rate), q.User.Burst)
	s.buckets[user] = b
	return b
}

func take(b *rate.Limiter, quota Quota, who string, n int, now time.Time) error {
	r := b.ReserveN(now, n)
	if !r.OK() { // more than the burst: it would never fit (the contract's batch bound keeps n ≤ 1000 ≤ Burst)
		return streaming.Invalid("events", "a batch of %d events exceeds the ingest burst of %d for %s", n, quota.Burst, who)
	}
	wait := r.DelayFrom(now)
	if wait <= 0 {
		return nil
	}
	r.CancelAt(now)
	return &streaming.Error{Code: streaming.CodeBusy, RetryAfter: roundUp(wait),
		Message: fmt.Sprintf("over the ingest quota of %s events/s (burst %d) for %s: resend this batch and the rest after the retry delay", formatRate(quota.Rate), quota.Burst, who)}
}

// roundUp rounds a wait up to the next 100 ms, so a client that waits exactly that long finds room.
func roundUp(d time.Duration) time.Duration {
	const step = 100 * time.Millisecond
	return (d + step - 1) / step * step
}

func formatRate(r float64) string {
	if r == math.Trunc(r) {
		return fmt.Sprintf("%.0f", r)
	}
	return fmt.Sprintf("%g", r)
}
