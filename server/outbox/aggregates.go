package outbox

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// AggregateStore publishes coalesced aggregates: each call folds up to limit changes made since the last call into
// their aggregates, writes the aggregates' figures and one outbox event per aggregate, and reports how many
// aggregates it published and whether changes may remain. server/postgres.RatingStore implements it for the titles'
// rating aggregates (a change is a rating).
type AggregateStore interface {
	FlushAggregates(ctx context.Context, limit int) (published int, more bool, err error)
}

// Flusher publishes changed aggregates once per interval, so any number of changes to one aggregate within an
// interval become one event (and one read-model update per projector) instead of one each. A change is published
// at most one interval after it commits (plus the flush and the relay's delivery).
type Flusher struct {
	store     AggregateStore
	interval  time.Duration
	limit     int
	log       *slog.Logger
	published prometheus.Counter
	failures  prometheus.Counter
}

// NewFlusher builds a flusher of store; reg may be nil for no metrics.
func NewFlusher(store AggregateStore, interval time.Duration, reg prometheus.Registerer, log *slog.Logger) *Flusher {
	if log == nil {
		log = slog.Default()
	}
	f := &Flusher{store: store, interval: interval, limit: 5000, log: log.With("component", "rating flusher"),
		published: prometheus.NewCounter(prometheus.CounterOpts{Name: "outbox_rating_aggregates_published_total",
			Help: "Titles whose rating figures were published (one ContentRatingAggregated event each), however many ratings each had since the last."}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "outbox_rating_flush_failures_total",
			Help: "Failed passes of the rating aggregate flusher; the next pass publishes what they did not."}),
	}
	if reg != nil {
		reg.MustRegister(f.published, f.failures)
	}
	return f
}

// Run flushes every interval until ctx is done. A failed pass is logged and counted; its titles stay marked and the
// next pass publishes them.
func (f *Flusher) Run(ctx context.Context) {
	t := time.NewTicker(f.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		f.Flush(ctx)
	}
}

// Flush publishes every aggregate changed since the last publication, limit changes per transaction.
func (f *Flusher) Flush(ctx context.Context) {
	for ctx.Err() == nil {
		n, more, err := f.store.FlushAggregates(ctx, f.limit)
		if err != nil {
			if ctx.Err() == nil {
				f.failures.Inc()
				f.log.Warn("rating aggregates not published; next pass retries", "err", err)
			}
			return
		}
		f.published.Add(float64(n))
		if !more {
			return
		}
	}
}
