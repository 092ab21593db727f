// Package erasure runs the erasure worker: it takes the store erasures DeleteUser queued in PostgreSQL and has each
// store erase the user, retrying a store that does not answer with a growing backoff until it does.
package erasure

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Config tunes a Worker. Zero values take the defaults.
type Config struct {
	Interval   time.Duration // how often the queue is read (1s)
	Batch      int           // store erasures taken per read (50)
	Lease      time.Duration // how long a taken erasure is this worker's before another may take it (1m)
	Timeout    time.Duration // how long one store's erasure of one user may take (30s)
	MaxBackoff time.Duration // the longest wait between two attempts of one store (5m); the first is 1s, doubling
}

func (c Config) withDefaults() Config {
	if c.Interval <= 0 {
		c.Interval = time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 50
	}
	if c.Lease <= 0 {
		c.Lease = time.Minute
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 5 * time.Minute
	}
	return c
}

// Worker erases users from the stores, as the queue says.
type Worker struct {
	queue   streaming.ErasureQueue
	erasers map[string]streaming.UserEraser
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	done    *prometheus.CounterVec
}

// New returns a worker over queue with one eraser per store; its metric is registered on reg.
func New(queue streaming.ErasureQueue, erasers []streaming.UserEraser, cfg Config, reg prometheus.Registerer, log *slog.Logger) *Worker {
	w := &Worker{queue: queue, erasers: map[string]streaming.UserEraser{}, cfg: cfg.withDefaults(), log: log, now: time.Now,
		done: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "user_erasures_total",
			Help: "Attempts to erase a user from a store, by store and outcome (erased, failed)."}, []string{"store", "outcome"})}
	for _, e := range erasers {
		w.erasers[e.ErasureStore()] = e
		for _, outcome := range []string{"erased", "failed"} {
			w.done.WithLabelValues(e.ErasureStore(), outcome)
		}
	}
	reg.MustRegister(w.done)
	return w
}

// Run works the queue until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.cfg.Interval)
	defer t.Stop()
	for {
		for w.Pass(ctx) == w.cfg.Batch && ctx.Err() == nil { // a full batch: more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Pass takes the due store erasures once and runs each; it returns how many it took.
func (w *Worker) Pass(ctx context.Context) int {
	due, err := w.queue.ClaimErasures(ctx, w.now(), w.cfg.Lease, w.cfg.Batch)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Warn("erasure queue unavailable", "err", err)
		}
		return 0
	}
	for _, p := range due {
		w.erase(ctx, p)
	}
	return len(due)
}

func (w *Worker) erase(ctx context.Context, p streaming.PendingErasure) {
	e, ok := w.erasers[p.Store]
	var err error
	if !ok {
		// A store this build does not know (queued by a newer one): left for a replica that does.
		err = streaming.Errorf(streaming.CodeUnavailable, "no eraser for store %q in this process", p.Store)
	} else {
		sctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
		err = e.EraseUser(sctx, p.UserID, p.Version)
		cancel()
	}
	if ctx.Err() != nil {
		return // stopping: the lease ends and the erasure is due again
	}
	if err == nil {
		w.done.WithLabelValues(p.Store, "erased").Inc()
		if err := w.queue.ErasureDone(ctx, p.UserID, p.Store, w.now()); err != nil {
			w.log.Warn("user erased but not recorded; erased again after the lease", "user_id", p.UserID, "store", p.Store, "err", err)
		}
		return
	}
	w.done.WithLabelValues(p.Store, "failed").Inc()
	wait := backoff(p.Attempts, w.cfg.MaxBackoff)
	w.log.Warn("user erasure failed; retried", "user_id", p.UserID, "store", p.Store, "attempts", p.Attempts+1,
		"retry_in", wait, "err", err)
	if err := w.queue.ErasureFailed(ctx, p.UserID, p.Store, err.Error(), w.now().Add(wait)); err != nil {
		w.log.Warn("failed erasure not recorded; retried after the lease", "user_id", p.UserID, "store", p.Store, "err", err)
	}
}

// backoff is the wait after the (attempts+1)th failure: 1s doubling, at most max.
func backoff(attempts int, max time.Duration) time.Duration {
	d := time.Second
	for range min(attempts, 30) {
		if d *= 2; d >= max {
			return max
		}
	}
	return min(d, max)
}
