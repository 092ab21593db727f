package ingest

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
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
	// Tracer, when set, records one span per partition write (never per event), linked to the spans of the
	// batches whose events it writes. nil: no spans and no span bookkeeping (tracing off).
	Tracer trace.Tracer
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
	cfg     Config
	w       streaming.PlaybackWriter
	obs     streaming.PlaybackObserver
	log     *slog.Logger
	m       *metrics
	failLog *rate.Limiter // one failure log line per 10s
	sem     *queueRoom    // room for QueueEvents queued and in-flight events; closed by Close

	// Grouping (grouping.go, linger.go), under mu. Lock order: mu before rmu.
	mu         sync.Mutex
	closed     bool
	open       openTable
	pruneBuf   []openSlot      // pruneOpen's scratch
	fifo       ring[openEntry] // open groups, oldest first (entries go stale when their group is flushed)
	gen        uint64          // group generations handed out
	epoch      uint64          // linger ticks so far
	lingerIdle bool            // the linger loop waits for kick
	flushBuf   []*group        // groups flushed, not yet ready (pushReady)
	spare      []*group        // empty groups to open; refilled from free

	// Linger signals (linger.go).
	kick   chan struct{} // wakes the idle linger loop: a group was opened
	hungry chan struct{} // a writer found nothing ready while the linger loop held expired groups back
	held   atomic.Bool   // the linger loop held expired groups back: the writers were busy

	// Ready groups and the writers (writer.go), under rmu.
	rmu      sync.Mutex
	rcond    sync.Cond
	ready    ring[*group]
	readyLen atomic.Int64 // ready.len(), readable without rmu
	idle     int          // writers waiting on rcond
	stopping bool         // Close began: writers return once nothing is ready
	slots    []*slot
	free     []*group // written groups, emptied, for reuse
	freeCap  int      // event capacity held in free, bounded by QueueEvents
	freeLen  atomic.Int32

	// Shutdown (close.go).
	base       context.Context // parent of every write's context; canceled when Close gives up
	cancelBase context.CancelCauseFunc
	writers    sync.WaitGroup
	drained    chan struct{} // closed once every writer returned
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
	if p.cfg.Tracer != nil {
		t.span = trace.SpanContextFromContext(ctx)
	}
	kp := keysPool.Get().(*[]partition)
	*kp = partitionsOf((*kp)[:0], events)
	defer keysPool.Put(kp)

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.sem.release(int64(n))
		return nil, shuttingDown()
	}
	p.addToGroups(t, *kp)
	if p.cfg.Linger < 0 {
		p.flushOpen()
		p.pruneOpen()
	} else {
		p.wakeLinger()
	}
	p.pushReady()
	p.mu.Unlock()
	return t, nil
}

// keysPool holds Submit's scratch for the events' partitions.
var keysPool = sync.Pool{New: func() any { return new([]partition) }}

func shuttingDown() *streaming.Error {
	return &streaming.Error{Code: streaming.CodeUnavailable, Message: "the ingest service is shutting down, retry later"}
}
