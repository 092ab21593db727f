package ingest

import (
	"context"
	"fmt"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Close stops accepting events (Submit then fails with CodeUnavailable "shutting down"), writes everything already
// accepted and waits for the writes. If ctx ends first it cancels the writes in flight and fails every event still
// without a result, so each accepted event ends durable or with an error, then returns an error. Close may be
// called more than once.
func (p *Pipeline) Close(ctx context.Context) error {
	p.mu.Lock()
	if first := !p.closed; first {
		p.closed = true
		p.flushOpen()
		p.pushReady()
		p.rmu.Lock()
		p.stopping = true
		p.rcond.Broadcast()
		p.rmu.Unlock()
		p.mu.Unlock()
		p.sem.close() // fails the Submits waiting for room and stops the linger loop
	} else {
		p.mu.Unlock()
	}
	select {
	case <-p.drained:
		return nil
	case <-ctx.Done():
		select {
		case <-p.drained:
			return nil
		default:
		}
	}

	// Give up: fail what is queued or in flight, and cancel the writes.
	failed := 0
	p.rmu.Lock()
	// From here on nothing is ready (Submit refuses, and Close flushed every open group above), so a writer that
	// wakes returns.
	for p.ready.len() > 0 {
		g := p.ready.pop()
		p.readyLen.Add(-1)
		if g.finished.CompareAndSwap(false, true) {
			failed += len(g.refs)
			p.finish(g, p.closeError(ctx))
		}
	}
	for _, s := range p.slots {
		for _, g := range s.gs {
			if g.finished.CompareAndSwap(false, true) {
				failed += len(g.refs)
				p.finish(g, p.closeError(ctx))
			}
		}
	}
	p.rcond.Broadcast()
	p.rmu.Unlock()
	p.cancelBase(errClosing)
	if failed > 0 {
		p.log.Warn("ingest closed before writes were confirmed; their events were reported not stored", "events", failed)
	}
	return fmt.Errorf("ingest: close: %w (%d events reported not stored)", context.Cause(ctx), failed)
}

func (p *Pipeline) closeError(ctx context.Context) error {
	return &streaming.Error{Code: streaming.CodeUnavailable, Message: "the ingest service shut down before the write was confirmed, retry",
		Err: context.Cause(ctx)}
}
