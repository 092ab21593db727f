package outbox

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/streamingplatform/streaming/server/streaming"
	"github.com/streamingplatform/streaming/server/telemetry"
)

// deliver hands the claimed events to every projector. A projector that is already owed events gets these owed too,
// so its events stay in order; one whose store turns out to be unavailable is owed them and the others go on. Any
// other failure fails the batch.
func (r *Relay) deliver(ctx context.Context, claim Claim) error {
	events := claim.Events()
	for i, pr := range r.projectors {
		if r.owing[i].Load() { // behind already: queue, so its events stay in order
			if err := r.owe(ctx, claim, i); err != nil {
				return err
			}
			continue
		}
		err := r.project(ctx, pr, events)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return err
		}
		r.m.projectorFailures.WithLabelValues(pr.Name()).Inc()
		if !unavailable(err) {
			return fmt.Errorf("projector %s: %w", pr.Name(), err)
		}
		// Its store is down: the others go on, and this projector gets the events once the store is back.
		if err := r.owe(ctx, claim, i); err != nil {
			return err
		}
		r.log.Warn("projector unavailable: its events are kept for it, the other read models go on",
			"projector", pr.Name(), "events", len(events), "err", err)
	}
	return nil
}

// project calls pr.Project isolated from the relay: a panic is recovered, counted and returned as a plain error (a
// refusal: the batch fails, and delivered one by one the event is dead-lettered, by the usual rules), and a call
// still running after ProjectTimeout is abandoned and returned as CodeUnavailable (the batch is owed to pr), so a
// hung store cannot keep the claim's transaction open. The call runs on a goroutine of its own so that even a
// Project that ignores its ctx cannot hold the relay; it ends on its own, and its late result is dropped.
func (r *Relay) project(ctx context.Context, pr Projector, events []streaming.Event) error {
	ctx, span := r.startSpan(ctx, "outbox.project "+pr.Name(), events, attribute.String("outbox.projector", pr.Name()))
	defer span.End()
	pctx, cancel := context.WithTimeout(ctx, r.cfg.ProjectTimeout)
	defer cancel()
	done := make(chan error, 1) // buffered: an abandoned call must not block on sending its result
	r.projecting.Add(1)
	go func() {
		defer r.projecting.Done()
		defer func() {
			if p := recover(); p != nil {
				r.m.projectorPanics.WithLabelValues(pr.Name()).Inc()
				r.log.Error("projector panicked; recovered, its batch counts as refused", "projector", pr.Name(),
					"events", len(events), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				done <- fmt.Errorf("projector panicked: %v", p)
			}
		}()
		done <- pr.Project(pctx, events)
	}()
	select {
	case err := <-done:
		if err != nil {
			span.SetStatus(codes.Error, err.Error())
		}
		return err
	case <-pctx.Done():
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.m.projectorTimeouts.WithLabelValues(pr.Name()).Inc()
		return streaming.Unavailable("projector "+pr.Name(),
			fmt.Errorf("no answer to a batch of %d events within %v", len(events), r.cfg.ProjectTimeout))
	}
}

// maxLinks bounds a relay span's links (one per distinct command span among its events; the SDK keeps 128).
const maxLinks = 128

// startSpan starts a relay span over events when tracing is on (Config.Tracer): a child of ctx's span (the relay's
// own, for a projector) that LINKS to the commands that wrote the events rather than continuing their traces, since
// one batch carries the events of many commands. Off, it returns ctx and a no-op span.
func (r *Relay) startSpan(ctx context.Context, name string, events []streaming.Event, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	if r.cfg.Tracer == nil {
		return ctx, noopSpan
	}
	stored := make([]string, len(events))
	for i, e := range events {
		stored[i] = e.TraceContext
	}
	return r.cfg.Tracer.Start(ctx, name, trace.WithLinks(telemetry.Links(stored, maxLinks)...),
		trace.WithAttributes(append(attrs, attribute.Int("outbox.events", len(events)))...))
}

var noopSpan = noop.Span{}

// unavailable reports an error that passes with time: the projector's store is down or slow.
func unavailable(err error) bool {
	return streaming.ErrorCode(err) == streaming.CodeUnavailable || errors.Is(err, context.DeadlineExceeded)
}

// owe records, in the claim, that its events are owed to projector i, and wakes its owedLoop (which finds them once
// the claim commits).
func (r *Relay) owe(ctx context.Context, claim Claim, i int) error {
	if err := claim.Owe(ctx, r.projectors[i].Name()); err != nil {
		return r.storeErr(ctx, "owe", err)
	}
	r.owing[i].Store(true)
	select {
	case r.owedWake[i] <- struct{}{}:
	default:
	}
	return nil
}

// owedLoop delivers the events owed to projector i, oldest first, in batches, once its store answers again: every
// PollInterval while it owes (backing off after failures), and on a wake-up. It also learns from the store what
// other replicas owe the projector, so every replica queues behind those instead of overtaking them for long
// (projectors ignore older versions, so an overtaking event cannot leave a read model behind, only reorder).
func (r *Relay) owedLoop(ctx context.Context, i int) {
	pr := r.projectors[i]
	failures := 0
	for {
		n, err := r.deliverOwed(ctx, i)
		if ctx.Err() != nil {
			return
		}
		wait := r.cfg.PollInterval
		switch {
		case err != nil:
			failures++
			if failures == 1 {
				r.log.Warn("owed events still not deliverable; retrying with backoff", "projector", pr.Name(), "err", err)
			}
			wait = r.cfg.RetryBackoff << min(failures-1, 5)
		case n > 0:
			wait = 0 // more may be owed
			fallthrough
		default:
			if failures > 0 {
				r.log.Info("owed events delivered again", "projector", pr.Name(), "failed_attempts", failures)
				failures = 0
			}
		}
		if wait == 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-r.owedWake[i]:
			if failures > 0 { // a wake-up does not cut a backoff short
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		case <-time.After(wait):
		}
	}
}

// deliverOwed delivers one batch of the events owed to projector i and reports how many. With nothing owed it
// clears the projector's owing flag, so batches go to it directly again.
func (r *Relay) deliverOwed(ctx context.Context, i int) (int, error) {
	pr := r.projectors[i]
	claim, err := r.store.ClaimOwed(ctx, pr.Name(), r.cfg.BatchSize)
	if err != nil {
		return 0, r.storeErr(ctx, "claim owed", err)
	}
	defer claim.Release(ctx) // a no-op after Settle
	events := claim.Events()
	if len(events) == 0 {
		r.owing[i].Store(false)
		return 0, nil
	}
	r.owing[i].Store(true) // another replica may owe it events: queue behind them
	ctx, span := r.startSpan(ctx, "outbox.relay_owed", events, attribute.String("outbox.projector", pr.Name()))
	defer span.End()
	if err := r.project(ctx, pr, events); err != nil {
		if ctx.Err() == nil {
			r.m.projectorFailures.WithLabelValues(pr.Name()).Inc()
		}
		return 0, fmt.Errorf("projector %s (owed events): %w", pr.Name(), err)
	}
	if err := claim.Settle(ctx); err != nil {
		return 0, r.storeErr(ctx, "settle owed", err)
	}
	return len(events), nil
}

// deliverIsolated hands each event to the projectors alone, in order, and moves the events a projector refuses for
// good to the dead letters within the claim. A failure that may pass (CodeUnavailable, or the context ending)
// aborts the batch as usual, as does a batch most of whose events are refused (a broken projector, not bad events).
func (r *Relay) deliverIsolated(ctx context.Context, claim Claim) error {
	events := claim.Events()
	type refusal struct {
		i         int
		projector string
		err       error
	}
	var refused []refusal
	for i := range events {
		for _, pr := range r.projectors {
			err := r.project(ctx, pr, events[i:i+1])
			if err == nil {
				continue
			}
			if ctx.Err() == nil {
				r.m.projectorFailures.WithLabelValues(pr.Name()).Inc()
			}
			if ctx.Err() != nil || unavailable(err) {
				return fmt.Errorf("projector %s: %w", pr.Name(), err)
			}
			refused = append(refused, refusal{i, pr.Name(), err})
			break // the event is dead; the projectors after this one need not see it
		}
	}
	if len(refused) > 1 && 2*len(refused) > len(events) {
		return fmt.Errorf("projector %s refused %d of %d events delivered one by one (first: %w); not dead-lettering a whole batch",
			refused[0].projector, len(refused), len(events), refused[0].err)
	}
	for _, f := range refused {
		id, err := claim.DeadLetter(ctx, f.i, f.projector, f.err.Error())
		if err != nil {
			return r.storeErr(ctx, "dead letter", err)
		}
		e := events[f.i]
		r.m.deadLettered.WithLabelValues(f.projector).Inc()
		r.log.Error("outbox event moved to outbox_dead_letters: a projector cannot apply it", "outbox_id", id,
			"event_type", e.Type, "aggregate", e.AggregateType+"/"+e.AggregateID, "version", e.Version,
			"projector", f.projector, "err", f.err)
	}
	return nil
}
