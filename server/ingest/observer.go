package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/streamingplatform/streaming/server/asyncq"
	"github.com/streamingplatform/streaming/server/streaming"
)

// AsyncObserver is a streaming.PlaybackObserver that never blocks the write path: Observe folds the events into
// viewings (one per (user, title, hour), see Viewings) and copies those into a bounded buffer, and one goroutine
// hands what has gathered to apply (a derived update such as the trending viewers). When the buffer is full Observe
// drops the viewings and counts them; the durable events are not affected. What waits in the buffer holds only its
// own bytes (the viewings' cloned ids), never a request's.
//
// What is dropped, or fails to apply (its store down, a timeout, a panic), is not forgotten: the observer keeps the
// earliest hour of those viewings (Lost), and a Replayer applies that window again from what Cassandra holds once
// the update's store answers. Every derived update is idempotent per viewing, so a replay changes nothing that was
// already applied.
//
// The buffer (an asyncq.Queue) is double-buffered rather than a channel of slices: Observe appends into the pending
// half and the goroutine swaps halves, so steady state allocates nothing but the ids and apply sees everything that
// gathered while the previous apply ran (one Redis pipeline instead of one per partition write).
type AsyncObserver struct {
	lag     prometheus.Observer
	log     *slog.Logger
	dropLog *rate.Limiter // one drop log line per 10s
	q       *asyncq.Queue[streaming.Viewing]

	mu sync.Mutex
	// The loss not yet replayed: the earliest hour of a viewing dropped or failed (zero: none), when the latest loss
	// happened, a count of losses (so a replay clears only what it covered) and when an apply last succeeded.
	lostFrom time.Time
	lostAt   time.Time
	lostSeq  uint64
	okAt     time.Time
}

var _ streaming.PlaybackObserver = (*AsyncObserver)(nil)

// NewAsyncObserver starts an observer buffering up to buffer viewings (at least 1) for apply, which returns an error
// when the update was not (wholly) applied. lag, if not nil,
// observes in seconds for every apply call how long its oldest viewing waited since Observe — the time between the
// events becoming durable and the derived update being applied. Drops are logged on log (nil = none) at most once
// every 10 seconds, with the running total. apply must not keep its slice: it is reused.
func NewAsyncObserver(buffer int, apply func([]streaming.Viewing) error, lag prometheus.Observer, log *slog.Logger) *AsyncObserver {
	return NewGatheringObserver(buffer, 0, apply, lag, log)
}

// NewGatheringObserver is NewAsyncObserver whose viewings wait up to gather for more before apply takes them (sooner
// once half the buffer is full, see asyncq.Options.Gather): for an update that folds viewings into counters, so a
// counter is written once for the viewings of the whole window.
func NewGatheringObserver(buffer int, gather time.Duration, apply func([]streaming.Viewing) error, lag prometheus.Observer, log *slog.Logger) *AsyncObserver {
	return newObserver(buffer, gather, false, apply, lag, log)
}

// NewFoldingObserver is NewGatheringObserver whose buffer folds viewings as they come: a viewing of a user, title,
// hour and device already waiting is added to it (seconds and events summed, completed if either is) rather than
// queued beside it, so the buffer holds one viewing per viewer, title and device being watched however long it
// gathers, and apply gets them folded. buffer bounds those distinct viewings. For an update whose result depends
// only on such sums (the analytics roll-ups), not on how many viewings there were.
func NewFoldingObserver(buffer int, gather time.Duration, apply func([]streaming.Viewing) error, lag prometheus.Observer, log *slog.Logger) *AsyncObserver {
	return newObserver(buffer, gather, true, apply, lag, log)
}

// viewingKey is what identifies a viewing: its user, title, hour and device.
type viewingKey struct {
	user, content, device string
	hour                  int64
}

func keyOfViewing(v streaming.Viewing) viewingKey {
	return viewingKey{user: v.UserID, content: v.ContentID, device: v.Device, hour: v.Hour.Unix()}
}

// mergeViewing adds v to the waiting viewing w of the same key.
func mergeViewing(w *streaming.Viewing, v streaming.Viewing) {
	w.Seconds += v.Seconds
	w.Events += v.Events
	w.Completed = w.Completed || v.Completed
}

func newObserver(buffer int, gather time.Duration, fold bool, apply func([]streaming.Viewing) error, lag prometheus.Observer, log *slog.Logger) *AsyncObserver {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	o := &AsyncObserver{
		lag:     lag,
		log:     log,
		dropLog: rate.NewLimiter(rate.Every(10*time.Second), 1),
	}
	opt := asyncq.Options[streaming.Viewing]{
		Max:    buffer,
		Gather: gather,
		Flush:  func(_ context.Context, viewings []streaming.Viewing) error { return apply(viewings) },
		Flushed: func(batch []streaming.Viewing, since time.Time, err error) {
			o.mu.Lock()
			if err != nil {
				o.lose(batch)
			} else {
				o.okAt = time.Now()
			}
			o.mu.Unlock()
			if o.lag != nil {
				o.lag.Observe(time.Since(since).Seconds())
			}
		},
		Dropped: func(viewings []streaming.Viewing, total uint64) {
			o.mu.Lock()
			o.lose(viewings)
			o.mu.Unlock()
			if o.dropLog.Allow() {
				o.log.Warn("playback observer buffer full: viewings dropped from derived views (logged at most every 10s)",
					"dropped_total", total, "buffer", o.q.Max())
			}
		},
		Name: "playback observer apply",
		Log:  log,
	}
	if fold {
		o.q = asyncq.NewFolding(opt, keyOfViewing, mergeViewing)
	} else {
		o.q = asyncq.New(opt)
	}
	return o
}

// Observe folds events into viewings for apply, or drops them if the buffer has no room for all of them or the
// observer is closed. It never waits for apply.
func (o *AsyncObserver) Observe(events []*streaming.PlaybackEvent) {
	var buf [2]streaming.Viewing
	o.add(Viewings(buf[:0], events))
}

// add copies viewings into the buffer, or drops them.
func (o *AsyncObserver) add(viewings []streaming.Viewing) { o.q.Add(viewings...) }

// Dropped is the number of viewings dropped so far.
func (o *AsyncObserver) Dropped() uint64 { return o.q.Dropped() }

// lose records viewings that were not applied. Called with o.mu held.
func (o *AsyncObserver) lose(viewings []streaming.Viewing) {
	for _, v := range viewings {
		if o.lostFrom.IsZero() || v.Hour.Before(o.lostFrom) {
			o.lostFrom = v.Hour
		}
	}
	o.lostAt = time.Now()
	o.lostSeq++
}

// Loss is what an observer has not applied: viewings of hours from From on were dropped or failed, the latest At.
// OKAt is when an apply last succeeded (zero: never), which says whether the update's store answers again.
type Loss struct {
	From, At, OKAt time.Time
	seq            uint64
}

// Lost returns the loss not yet replayed; ok is false when there is none.
func (o *AsyncObserver) Lost() (l Loss, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.lostFrom.IsZero() {
		return Loss{}, false
	}
	return Loss{From: o.lostFrom, At: o.lostAt, OKAt: o.okAt, seq: o.lostSeq}, true
}

// Replayed forgets the loss l once a replay from l.From succeeded, unless more was lost since l was read (then the
// next replay covers it too).
func (o *AsyncObserver) Replayed(l Loss) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.lostSeq == l.seq {
		o.lostFrom, o.lostAt = time.Time{}, time.Time{}
	}
}

// Apply applies viewings now, on the caller's goroutine (a replay): the same update the buffer feeds, not counted
// as a loss when it fails.
func (o *AsyncObserver) Apply(viewings []streaming.Viewing) error { return o.q.Call(viewings) }

// Sync applies what is buffered now without waiting for the gathering time, and returns once that was applied (or
// ctx's error). For a caller that must see the update applied (the benchmarks charge a side's derived updates to
// it); streamingd never calls it.
func (o *AsyncObserver) Sync(ctx context.Context) error { return o.q.Sync(ctx) }

// Close stops taking events (later ones are dropped and counted), applies what is buffered and waits for that
// until ctx ends. Close the Pipeline first, so the events of its last writes still reach apply.
func (o *AsyncObserver) Close(ctx context.Context) error {
	if err := o.q.Close(ctx); err != nil {
		return fmt.Errorf("ingest: observer close: %w", err)
	}
	return nil
}

// FanOut is a PlaybackObserver that folds each partition write's events into viewings once and passes them to
// every observer in turn (the trending viewers, watched edges and cache invalidation). Each buffers on its own, so
// none waits for another.
type FanOut []*AsyncObserver

// Observe passes the events' viewings to each observer.
func (f FanOut) Observe(events []*streaming.PlaybackEvent) {
	var buf [2]streaming.Viewing
	vs := Viewings(buf[:0], events)
	for _, o := range f {
		o.add(vs)
	}
}
