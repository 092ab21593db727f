package ingest

import (
	"context"
	"log/slog"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// ViewingSource reads back the viewings of what is durable: *cassandra.Store.
type ViewingSource interface {
	// ViewingsSince calls fn with the viewings (one per user, title and hour, completed if any event was) of every
	// event at or after since, in chunks.
	ViewingsSince(ctx context.Context, since time.Time, fn func([]streaming.Viewing) error) error
}

// Replayer applies the derived updates again from what Cassandra holds: on its own for the window an observer lost
// (Run), and on demand for any window (Replay, the -replay-derived command).
type Replayer struct {
	Source    ViewingSource
	Observers []*AsyncObserver
	// Interval is how often Run looks for losses (30s when 0). A loss is replayed once its update has applied
	// something since (its store answers again), or, without traffic to say so, once it is RetryAfter old (5 min
	// when 0).
	Interval, RetryAfter time.Duration
	Log                  *slog.Logger
}

func (r *Replayer) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// Run replays losses until ctx ends.
func (r *Replayer) Run(ctx context.Context) {
	t := time.NewTicker(orDuration(r.Interval, 30*time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.ReplayLost(ctx)
		}
	}
}

// ReplayLost replays, with one read of the source, the window of every observer whose loss is due, and forgets the
// losses it covered. It returns how many viewings it read; a failure keeps the losses for the next pass.
func (r *Replayer) ReplayLost(ctx context.Context) int {
	retryAfter := orDuration(r.RetryAfter, 5*time.Minute)
	var due []*AsyncObserver
	var losses []Loss
	var from time.Time
	for _, o := range r.Observers {
		l, ok := o.Lost()
		if !ok || (l.OKAt.Before(l.At) && time.Since(l.At) < retryAfter) {
			continue // nothing lost, or its store has not answered since
		}
		due, losses = append(due, o), append(losses, l)
		if from.IsZero() || l.From.Before(from) {
			from = l.From
		}
	}
	if len(due) == 0 {
		return 0
	}
	start := time.Now()
	n, err := r.Replay(ctx, from, due...)
	if err != nil {
		r.log().Warn("derived updates not replayed; retrying later", "from", from, "viewings", n, "err", err)
		return n
	}
	for i, o := range due {
		o.Replayed(losses[i])
	}
	r.log().Info("derived updates replayed from Cassandra", "from", from, "viewings", n,
		"took", time.Since(start).Round(time.Millisecond))
	return n
}

// Replay applies the viewings of every event from since on to each observer (all of them when none is given) and
// returns how many viewings it read. It stops at the first failure.
func (r *Replayer) Replay(ctx context.Context, since time.Time, observers ...*AsyncObserver) (int, error) {
	if len(observers) == 0 {
		observers = r.Observers
	}
	n := 0
	err := r.Source.ViewingsSince(ctx, since, func(viewings []streaming.Viewing) error {
		n += len(viewings)
		for _, o := range observers {
			if err := ctx.Err(); err != nil {
				return err
			}
			// Apply may reorder or trim its slice (the title filter does): each observer gets its own copy.
			if err := o.Apply(append([]streaming.Viewing(nil), viewings...)); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}
