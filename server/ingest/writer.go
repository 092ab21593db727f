package ingest

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/streamingplatform/streaming/server/streaming"
)

// slot is one writer.
type slot struct {
	_   [64]byte                   // slots are written by different cores: keep them off each other's cache lines
	gs  []*group                   // being written (Pipeline.rmu)
	buf []*streaming.PlaybackEvent // the events of the group being written, where their tickets hold them

	mu     sync.Mutex // the rest, shared with the watchdog
	busy   bool
	start  time.Duration // when the current write started, since clock
	ctx    context.Context
	cancel context.CancelCauseFunc
	_      [64]byte
}

// watchdog cancels writes running longer than WriteTimeout. It ticks every WriteTimeout/8, so a write is canceled
// between WriteTimeout and 9/8 of it; the hot path pays no timer per write (BenchmarkWriteTimeout). It runs until
// the last writer returned, so the timeout also holds while Close drains.
func (p *Pipeline) watchdog() {
	t := time.NewTicker(max(p.cfg.WriteTimeout/8, time.Microsecond))
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-p.drained:
			return
		}
		now := time.Since(clock)
		for _, s := range p.slots {
			s.mu.Lock()
			if s.busy && now-s.start > p.cfg.WriteTimeout {
				s.cancel(errWriteTimeout)
			}
			s.mu.Unlock()
		}
	}
}

// maxChunk bounds the groups a writer takes at once. Taking several when many are ready (many small partitions)
// saves lock round trips; taking few keeps a slow write from holding back many groups.
const maxChunk = 16

func (p *Pipeline) runWriter(s *slot) {
	defer p.writers.Done()
	var chunk, done []*group // done: written, emptied, to recycle
	for {
		p.rmu.Lock()
		s.gs = nil
		for _, g := range done {
			if p.freeCap+cap(g.refs) > p.cfg.QueueEvents {
				break
			}
			p.free = append(p.free, g)
			p.freeCap += cap(g.refs)
		}
		p.freeLen.Store(int32(len(p.free)))
		clear(done)
		done = done[:0]
		for p.ready.len() == 0 && !p.stopping {
			if p.held.Load() {
				select {
				case p.hungry <- struct{}{}:
				default:
				}
			}
			p.idle++
			p.rcond.Wait()
			p.idle--
		}
		if p.ready.len() == 0 { // stopping, or Close gave up and failed what was ready
			p.rmu.Unlock()
			return
		}
		chunk = chunk[:0]
		for k := min(max(p.ready.len()/len(p.slots), 1), maxChunk); k > 0; k-- {
			chunk = append(chunk, p.ready.pop())
		}
		p.readyLen.Store(int64(p.ready.len()))
		s.gs = chunk // Close looks at them (under rmu) if it gives up
		p.rmu.Unlock()

		for _, g := range chunk {
			if g.finished.Load() {
				continue // Close gave up and failed it
			}
			if p.write(s, g) {
				// Only this writer touches g now (Close looks at s.gs but leaves finished groups alone).
				clear(g.refs) // drop references to the tickets and their events
				g.refs = g.refs[:0]
				done = append(done, g)
			}
		}
		s.idle()
	}
}

// begin marks a write starting at start (since clock) and returns the context to write under: the slot's, or a new
// one if the watchdog canceled the last (base is the parent; nothing is renewed once base is canceled).
func (s *slot) begin(base context.Context, start time.Duration) context.Context {
	s.mu.Lock()
	if s.ctx.Err() != nil && base.Err() == nil {
		s.ctx, s.cancel = context.WithCancelCause(base)
	}
	s.busy, s.start = true, start
	ctx := s.ctx
	s.mu.Unlock()
	return ctx
}

// idle marks the writer as not writing.
func (s *slot) idle() {
	s.mu.Lock()
	s.busy = false
	s.mu.Unlock()
}

// clock is the origin of monotonic readings: time.Since(clock) reads one clock, time.Now reads two.
var clock = time.Now()

// write writes g and gives its events their result, unless Close already did; it reports whether it did.
func (p *Pipeline) write(s *slot, g *group) bool {
	start := time.Since(clock)
	ctx := s.begin(p.base, start)
	s.buf = s.buf[:0]
	for _, r := range g.refs {
		s.buf = append(s.buf, &r.t.events[r.i])
	}
	events := s.buf
	var span trace.Span
	wctx := ctx
	if p.cfg.Tracer != nil {
		wctx, span = p.startWriteSpan(ctx, g)
	}
	err := p.callWriter(wctx, events)
	p.m.observeWrite(wctx, time.Since(clock)-start, len(events))
	if err != nil {
		err = p.writeError(ctx, err, len(events))
	}
	if span != nil {
		if err != nil {
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
	if !g.finished.CompareAndSwap(false, true) {
		return false // Close gave up on this write and failed its events; the outcome stays "not stored"
	}
	p.finish(g, err)
	if err == nil && p.obs != nil {
		p.callObserver(events)
	}
	clear(events) // do not keep the requests' events alive
	return true
}

// maxWriteLinks bounds the links of one partition write's span (one per submitting batch).
const maxWriteLinks = 32

// startWriteSpan starts the span of g's write: a root of its own, since it writes for many streams at once, with a
// link to each distinct sampled batch span among its events'. A write with no event of a sampled batch gets no span
// at all (nil), and the sampler keeps every span that links to a sampled one (telemetry.Setup), so a sampled stream's
// writes are always in the trace store and an unsampled one's cost nothing.
func (p *Pipeline) startWriteSpan(ctx context.Context, g *group) (context.Context, trace.Span) {
	var links []trace.Link
	var last *Ticket
	for _, r := range g.refs {
		if r.t == last || !r.t.span.IsSampled() {
			continue
		}
		last = r.t
		if len(links) == maxWriteLinks {
			break
		}
		links = append(links, trace.Link{SpanContext: r.t.span})
	}
	if len(links) == 0 {
		return ctx, nil // no event of a sampled stream: nothing to record
	}
	return p.cfg.Tracer.Start(ctx, "ingest.partition_write", trace.WithNewRoot(), trace.WithLinks(links...),
		trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attribute.Int("ingest.write.events", len(g.refs))))
}

func (p *Pipeline) callWriter(ctx context.Context, events []*streaming.PlaybackEvent) (err error) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("playback writer panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = &streaming.Error{Code: streaming.CodeInternal, Message: "playback write failed"}
		}
	}()
	return p.w.WritePartition(ctx, events)
}

func (p *Pipeline) callObserver(events []*streaming.PlaybackEvent) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("playback observer panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	p.obs.Observe(events)
}

// writeError turns a failed write into the result its events report.
func (p *Pipeline) writeError(ctx context.Context, err error, n int) error {
	var out error
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errWriteTimeout):
		out = &streaming.Error{Code: streaming.CodeUnavailable, Message: "the playback store did not confirm the write in time, retry", Err: err}
	case errors.Is(cause, errClosing):
		out = &streaming.Error{Code: streaming.CodeUnavailable, Message: "the ingest service shut down before the write was confirmed, retry", Err: err}
	case streaming.AsError(err) != nil:
		out = err
	default:
		out = &streaming.Error{Code: streaming.CodeUnavailable, Message: "the playback store did not confirm the write, retry", Err: err}
	}
	if p.failLog.Allow() {
		p.log.Warn("playback partition write failed (logged at most every 10s)", "events", n, "err", err)
	}
	return out
}

// finish frees g's room in the queue and gives each of its events its result (in that order, so a caller whose
// tickets are done finds their room free). g.finished must have been set by the caller.
func (p *Pipeline) finish(g *group, err error) {
	refs := g.refs
	p.sem.release(int64(len(refs)))
	p.m.settled(len(refs), err)
	for i := 0; i < len(refs); {
		t, j := refs[i].t, i+1
		for j < len(refs) && refs[j].t == t {
			j++
		}
		if err != nil {
			t.fail(refs[i:j], err)
		}
		t.finish(j - i)
		i = j
	}
}
