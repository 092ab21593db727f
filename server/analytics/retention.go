package analytics

import (
	"context"
	"log/slog"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// DefaultRetention keeps 13 months of roll-ups: a year compared with the one before, month by month.
const DefaultRetention = 396 * 24 * time.Hour

// Retention drops the roll-ups older than Keep: at start and then every Every (default a day), the months that ended
// before now − Keep. Every replica may run it: dropping a month twice drops nothing.
type Retention struct {
	Store streaming.AnalyticsStore
	Keep  time.Duration
	Every time.Duration
	Log   *slog.Logger
	Now   func() time.Time
}

// Run drops old months until ctx ends. A failed drop is logged and tried again at the next round.
func (r *Retention) Run(ctx context.Context) {
	every := r.Every
	if every <= 0 {
		every = 24 * time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		r.Once(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once drops what is past the retention now.
func (r *Retention) Once(ctx context.Context) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	log := r.Log
	if log == nil {
		log = slog.Default()
	}
	dropped, err := r.Store.DropBefore(ctx, now().Add(-r.Keep))
	if err != nil {
		log.Warn("analytics retention: old roll-ups not dropped; tried again later", "err", err)
		return
	}
	if len(dropped) > 0 {
		log.Info("analytics retention: dropped roll-ups past the retention", "indices", dropped, "retention", r.Keep)
	}
}
