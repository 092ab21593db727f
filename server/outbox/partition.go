package outbox

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/streamingplatform/streaming/server/telemetry"
)

// runPartition drains partition p at start, on every wake-up and every PollInterval, but not sooner than
// MinPassInterval after its previous pass. After a failure it waits out the backoff and ignores wake-ups meanwhile,
// so a burst of NOTIFYs cannot turn into a burst of retries.
func (r *Relay) runPartition(ctx context.Context, p int, wake <-chan struct{}) {
	poll := time.NewTicker(r.cfg.PollInterval)
	defer poll.Stop()
	failures := 0
	for {
		started := time.Now()
		err := r.drain(ctx, p, failures >= r.cfg.IsolateAfter)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			if failures == 1 { // once per failure streak; the counters show how long it lasts
				r.log.Warn("outbox delivery failing; retrying with backoff, rows stay unpublished", "partition", p, "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(r.cfg.RetryBackoff << min(failures-1, 5)):
			}
			continue
		}
		if failures > 0 {
			r.log.Info("outbox delivery recovered", "partition", p, "failed_attempts", failures)
			failures = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-poll.C:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.cfg.MinPassInterval - time.Since(started)):
		}
	}
}

// drain processes batches of partition p until it is empty or another relay holds it.
func (r *Relay) drain(ctx context.Context, p int, isolate bool) error {
	for {
		n, err := r.processBatch(ctx, p, isolate)
		isolate = false // only the batch that kept failing
		if err != nil || n < r.cfg.BatchSize {
			return err
		}
	}
}

// processBatch delivers up to BatchSize events of partition p in one claim and reports how many it delivered
// (0 if the partition is empty or another relay holds it).
func (r *Relay) processBatch(ctx context.Context, p int, isolate bool) (int, error) {
	select {
	case r.workers <- struct{}{}:
		defer func() { <-r.workers }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	claim, err := r.store.ClaimPartition(ctx, p, r.cfg.Partitions, r.cfg.BatchSize)
	if err != nil {
		return 0, r.storeErr(ctx, "claim", err)
	}
	defer claim.Release(ctx) // a no-op after Publish
	events := claim.Events()
	if len(events) == 0 {
		return 0, nil
	}
	ctx, span := r.startSpan(ctx, "outbox.relay", events, attribute.Int("outbox.partition", p))
	defer span.End()
	if isolate {
		err = r.deliverIsolated(ctx, claim)
	} else {
		err = r.deliver(ctx, claim)
	}
	if err != nil {
		return 0, err
	}
	lags, err := claim.Publish(ctx)
	if err != nil {
		return 0, r.storeErr(ctx, "publish", err)
	}
	for _, lag := range lags {
		telemetry.Observe(ctx, r.m.lag, lag.Seconds())
	}
	r.m.published.Add(float64(len(events)))
	return len(events), nil
}

// storeErr counts a store failure (not one caused by shutdown) and says which step failed.
func (r *Relay) storeErr(ctx context.Context, step string, err error) error {
	if ctx.Err() == nil {
		r.m.postgresErrors.Inc()
	}
	return fmt.Errorf("outbox %s: %w", step, err)
}
