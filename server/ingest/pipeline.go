package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Config sizes a Pipeline. Zero fields take the defaults in brackets.
type Config struct {
	QueueEvents  int           // bound on events queued and in flight together [200_000]
	MaxBatch     int           // events per partition write [100]
	Linger       time.Duration // longest wait to fill a partition's batch; < 0 writes each Submit's groups at once [2ms]
	Writers      int           // partition writes in flight at once [16]
	EnqueueWait  time.Duration // how long Submit waits for room before answering CodeBusy; < 0 does not wait [2s]
	WriteTimeout time.Duration // a partition write still running after this is canceled and fails [5s]
	RetryAfter   time.Duration // RetryAfter of the CodeBusy error [1s]
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.QueueEvents, 200_000)
	def(&c.MaxBatch, 100)
	def(&c.Writers, 16)
	defd(&c.Linger, 2*time.Millisecond)
	defd(&c.EnqueueWait, 2*time.Second)
	defd(&c.RetryAfter, time.Second)
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 5 * time.Second
	}
	return c
}

// Pipeline queues, groups and writes playback events. All methods are safe for concurrent use.
type Pipeline struct {
	cfg Config
	w   streaming.PlaybackWriter
	obs streaming.PlaybackObserver
	log *slog.Logger
	m   *metrics

	sem *queueRoom

	// Grouping state. Lock order: mu before rmu.
	mu         sync.Mutex
	open       openTable
	fifo       ring[openEntry] // open groups, oldest first (entries go stale when their group is flushed)
	epoch      uint64          // linger ticks so far
	gen        uint64          // group generations handed out
	lingerIdle bool            // the linger loop waits for kick
	closed     bool
	flushBuf   []*group
	spare      []*group // empty groups to open; refilled from free

	// Ready groups and writer slots.
	rmu      sync.Mutex
	rcond    sync.Cond
	ready    ring[*group]
	idle     int // writers waiting on rcond
	stopping bool
	aborted  bool
	slots    []*slot
	tick     atomic.Uint64 // watchdog ticks so far
	free     []*group      // written groups, emptied, for reuse
	freeCap  int           // event capacity held in free, bounded by QueueEvents
	freeLen  atomic.Int32

	base       context.Context // parent of every write's context; canceled when Close gives up
	cancelBase context.CancelCauseFunc
	kick       chan struct{}
	hungry     chan struct{} // a writer found nothing ready while the linger loop held expired groups back
	held       atomic.Bool   // the linger loop held expired groups back: the writers were busy
	readyLen   atomic.Int64  // p.ready.len(), readable without rmu
	stop       chan struct{} // closed by Close: stops the linger loop
	writers    sync.WaitGroup
	drained    chan struct{} // closed once every writer returned
	closeOnce  sync.Once

	failLog *rate.Limiter // one failure log line per 10s
}

// openRef is an open-map entry: valid while g is open under generation gen.
type openRef struct {
	g   *group
	gen uint64
}

// group is one partition's events waiting for, or in, one write: references to them, since the events stay where
// Submit received them (in their Ticket) until the writer gathers them. gen and open belong to Pipeline.mu; refs is
// written under Pipeline.mu while the group is open and only read once it is ready.
type group struct {
	key      partition
	gen      uint64
	open     bool
	refs     []ref
	finished atomic.Bool // set by whoever decides the group's result: its writer, or Close giving up
}

// ref is one event of a group: the i-th of its Ticket's.
type ref struct {
	t *Ticket
	i int32
}

type openEntry struct {
	g     *group
	gen   uint64
	epoch uint64
}

// slot is one writer.
type slot struct {
	_   [64]byte                   // slots are written by different cores: keep them off each other's cache lines
	gs  []*group                   // being written (Pipeline.rmu)
	buf []*streaming.PlaybackEvent // the events of the group being written, where their tickets hold them

	mu     sync.Mutex // the rest, shared with the watchdog
	busy   bool
	start  uint64 // watchdog tick at which the current write started
	ctx    context.Context
	cancel context.CancelCauseFunc
	_      [64]byte
}

var (
	errWriteTimeout = errors.New("partition write timed out")
	errClosing      = errors.New("ingest pipeline closed before the write was confirmed")
)

// New starts a pipeline writing to w and telling obs (which may be nil) about durable events. reg may be nil (no
// metrics); registering twice with one registry panics. log may be nil.
func New(cfg Config, w streaming.PlaybackWriter, obs streaming.PlaybackObserver, reg prometheus.Registerer, log *slog.Logger) *Pipeline {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Pipeline{
		cfg:     cfg,
		w:       w,
		obs:     obs,
		log:     log,
		sem:     newQueueRoom(int64(cfg.QueueEvents)),
		kick:    make(chan struct{}, 1),
		hungry:  make(chan struct{}, 1),
		stop:    make(chan struct{}),
		drained: make(chan struct{}),
		failLog: rate.NewLimiter(rate.Every(10*time.Second), 1),
	}
	p.rcond.L = &p.rmu
	p.base, p.cancelBase = context.WithCancelCause(context.Background())
	p.m = newMetrics(reg, func() float64 { return float64(p.sem.inUse()) })
	p.slots = make([]*slot, cfg.Writers)
	p.writers.Add(cfg.Writers)
	for i := range p.slots {
		s := &slot{}
		s.ctx, s.cancel = context.WithCancelCause(p.base)
		p.slots[i] = s
		go p.runWriter(s)
	}
	go func() {
		p.writers.Wait()
		close(p.drained)
	}()
	if cfg.Linger > 0 {
		p.lingerIdle = true
		go p.lingerLoop()
	}
	go p.watchdog()
	return p
}

// Submit queues events for writing and returns their Ticket. The pipeline keeps events (the slice, not a copy:
// grouping copies nothing per event) until the ticket is done; the caller must not modify them before. Submit
// first reserves room for len(events) in the bounded queue; while there is none it waits — this is the
// back-pressure that should stop a stream handler reading — up to EnqueueWait or until ctx ends, then returns a
// CodeBusy error with RetryAfter (or ctx's error). After Close it returns a CodeUnavailable error. A
// batch larger than the whole queue is refused as CodeInvalid. Events must have passed Validate.
func (p *Pipeline) Submit(ctx context.Context, events []streaming.PlaybackEvent) (*Ticket, error) {
	n := len(events)
	if n == 0 {
		return newTicket(nil), nil
	}
	if n > p.cfg.QueueEvents {
		return nil, streaming.Invalid("events", "a batch of %d events exceeds the ingest queue (%d events)", n, p.cfg.QueueEvents)
	}
	if err := p.sem.acquire(ctx, int64(n), p.cfg.EnqueueWait); err != nil {
		switch err {
		case errSemClosed:
			return nil, shuttingDown()
		case errSemTimeout:
			p.m.busy.Inc()
			return nil, &streaming.Error{Code: streaming.CodeBusy, RetryAfter: p.cfg.RetryAfter,
				Message: "the ingest queue is full, retry later"}
		default:
			return nil, err
		}
	}
	t := newTicket(events)

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.sem.release(int64(n))
		return nil, shuttingDown()
	}
	for i := range events {
		e := &events[i]
		k := partitionOf(e.UserID, e.ContentID)
		o := p.open.get(k)
		g := o.g
		if g == nil || g.gen != o.gen || !g.open { // none, or a flushed group's entry (see flushGroup)
			g = p.openGroup(k)
		}
		g.refs = append(g.refs, ref{t, int32(i)})
		if len(g.refs) >= p.cfg.MaxBatch {
			p.flushGroup(g)
		}
	}
	if p.cfg.Linger < 0 {
		for p.fifo.len() > 0 {
			if e := p.fifo.pop(); e.g.gen == e.gen && e.g.open {
				p.flushGroup(e.g)
			}
		}
		p.pruneOpen()
	} else if p.lingerIdle && p.fifo.len() > 0 {
		p.lingerIdle = false
		select {
		case p.kick <- struct{}{}:
		default:
		}
	}
	p.pushReady()
	p.mu.Unlock()
	return t, nil
}

func shuttingDown() *streaming.Error {
	return &streaming.Error{Code: streaming.CodeUnavailable, Message: "the ingest service is shutting down, retry later"}
}

// openGroup starts key's group. p.mu must be held.
func (p *Pipeline) openGroup(k partition) *group {
	if len(p.spare) == 0 && p.freeLen.Load() > 0 {
		p.rmu.Lock()
		p.spare, p.free = p.free, p.spare
		p.freeCap = 0
		p.freeLen.Store(0)
		p.rmu.Unlock()
	}
	var g *group
	if n := len(p.spare); n > 0 {
		g = p.spare[n-1]
		p.spare[n-1] = nil
		p.spare = p.spare[:n-1]
	} else {
		// Start small: with many partitions most groups hold one event, and memory must stay proportional to
		// the events queued. Reused groups keep what they grew to.
		g = &group{refs: make([]ref, 0, 1)}
	}
	p.gen++
	g.key, g.gen, g.open = k, p.gen, true
	g.finished.Store(false)
	p.open.put(k, openRef{g, g.gen})
	p.fifo.push(openEntry{g: g, gen: g.gen, epoch: p.epoch})
	return g
}

// flushGroup closes g to new events and adds it to flushBuf. p.mu must be held.
//
// Its map entry stays (an entry whose group is closed or reopened under a later generation counts as absent):
// deleting rehashes the key, which cost as much as the lookup; the next event of the partition overwrites the
// entry, and pruneOpen drops the stale ones in bulk.
func (p *Pipeline) flushGroup(g *group) {
	g.open = false
	p.flushBuf = append(p.flushBuf, g)
}

// pruneOpen rebuilds the open map from the open groups once stale entries outnumber them, so the map stays
// proportional to the open groups at amortized constant cost per group. p.mu must be held.
func (p *Pipeline) pruneOpen() {
	if p.open.len() <= 4*p.fifo.len()+1024 {
		return
	}
	p.open.reset()
	for i := 0; i < p.fifo.len(); i++ {
		if e := p.fifo.at(i); e.g.gen == e.gen && e.g.open {
			p.open.put(e.g.key, openRef{e.g, e.gen})
		}
	}
}

// pushReady hands flushBuf to the writers. p.mu must be held.
func (p *Pipeline) pushReady() {
	if len(p.flushBuf) == 0 {
		return
	}
	p.rmu.Lock()
	for _, g := range p.flushBuf {
		p.ready.push(g)
	}
	p.readyLen.Store(int64(p.ready.len()))
	for i := min(len(p.flushBuf), p.idle); i > 0; i-- {
		p.rcond.Signal()
	}
	p.rmu.Unlock()
	clear(p.flushBuf)
	p.flushBuf = p.flushBuf[:0]
}

// readyTarget is how many groups per writer the linger loop keeps ready while the writers are busy. Past it,
// expired groups stay open and keep gathering events of their partition (group commit): under load a partition
// write carries many events instead of one or two, so the store sees fewer, fuller requests exactly when it is the
// bottleneck, while an idle pipeline still writes every group after Linger.
const readyTarget = maxChunk

// lingerLoop flushes groups that have waited Linger. It ticks every Linger/2 and flushes groups opened two ticks
// ago or earlier, so no group waits longer than Linger (plus scheduling delay) while writers are free; it sleeps
// while nothing is open. While readyTarget groups per writer are already waiting it holds the rest back, and a
// writer that runs out of work wakes it (hungry) to hand over the oldest held groups at once.
func (p *Pipeline) lingerLoop() {
	every := max(p.cfg.Linger/2, 50*time.Microsecond)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-p.kick:
		case <-p.stop:
			return
		}
		timer.Reset(every)
		target := int64(readyTarget * len(p.slots))
		for idle := false; !idle; {
			tick := false
			select {
			case <-timer.C:
				tick = true
			case <-p.hungry:
			case <-p.stop:
				return
			}
			p.mu.Lock()
			if tick {
				p.epoch++
			}
			budget := target - p.readyLen.Load()
			held := false
			for p.fifo.len() > 0 {
				e := p.fifo.peek()
				if e.g.gen == e.gen && e.g.open {
					if e.epoch+2 > p.epoch {
						break
					}
					if budget <= 0 {
						held = true
						break
					}
					p.flushGroup(e.g)
					budget--
				}
				p.fifo.pop()
			}
			p.held.Store(held)
			p.pushReady()
			p.pruneOpen()
			if p.fifo.len() == 0 {
				idle, p.lingerIdle = true, true
			}
			p.mu.Unlock()
			if tick && !idle {
				timer.Reset(every)
			}
		}
	}
}

// watchdog cancels writes running longer than WriteTimeout. It ticks every WriteTimeout/8 and cancels a write
// that started nine or more ticks ago, so a write is canceled between WriteTimeout and 9/8 of it; the hot path
// pays no timer per write. It runs until the last writer returned, so the timeout also holds while Close drains.
func (p *Pipeline) watchdog() {
	const ticks = 8
	t := time.NewTicker(max(p.cfg.WriteTimeout/ticks, time.Microsecond))
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-p.drained:
			return
		}
		now := p.tick.Add(1)
		for _, s := range p.slots {
			s.mu.Lock()
			if s.busy && now-s.start > ticks {
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
		if p.ready.len() == 0 || p.aborted {
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

// begin marks a write starting at watchdog tick now and returns the context to write under: the slot's, or a new
// one if the watchdog canceled the last (base is the parent; nothing is renewed once base is canceled).
func (s *slot) begin(base context.Context, now uint64) context.Context {
	s.mu.Lock()
	if s.ctx.Err() != nil && base.Err() == nil {
		s.ctx, s.cancel = context.WithCancelCause(base)
	}
	s.busy, s.start = true, now
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
	ctx := s.begin(p.base, p.tick.Load())
	start := time.Since(clock)
	s.buf = s.buf[:0]
	for _, r := range g.refs {
		s.buf = append(s.buf, &r.t.events[r.i])
	}
	events := s.buf
	err := p.callWriter(ctx, events)
	p.m.observeWrite(time.Since(clock)-start, len(events))
	if err != nil {
		err = p.writeError(ctx, err, len(events))
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

// Close stops accepting events (Submit then fails with CodeUnavailable "shutting down"), writes everything already
// accepted and waits for the writes. If ctx ends first it cancels the writes in flight and fails every event still
// without a result, so each accepted event ends durable or with an error, then returns an error. Close may be
// called more than once.
func (p *Pipeline) Close(ctx context.Context) error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		for p.fifo.len() > 0 {
			if e := p.fifo.pop(); e.g.gen == e.gen && e.g.open {
				p.flushGroup(e.g)
			}
		}
		p.pushReady()
		p.rmu.Lock()
		p.stopping = true
		p.rcond.Broadcast()
		p.rmu.Unlock()
		p.mu.Unlock()
		p.sem.close()
		close(p.stop)
	})
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
	p.aborted = true
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
