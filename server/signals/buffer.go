// Package signals carries soft signals derived from requests to the graph, off the requests' path: users' genre
// searches (SEARCHED_GENRE, for recommendations) and playback starts' devices and networks (the risk signals). A
// request hands its signal to a Buffer and returns, and one goroutine writes what has gathered in batches. The
// signals are soft, so a Buffer never makes a request wait or fail: when it is full, or the graph is down, signals are
// dropped and counted (a <name>_dropped_total counter), not retried.
package signals

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/streamingplatform/streaming/server/asyncq"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Defaults of Config.
const (
	DefaultBuffer  = 10_000           // signals waiting: seconds of a busy platform's searches or playback starts
	DefaultBatch   = 1_000            // signals per write (a genre search holds at most 10 genres: ≤10k rows)
	DefaultTimeout = 10 * time.Second // of one write
)

// Config sizes a Buffer; zero fields take the defaults.
type Config struct {
	Buffer  int           // signals waiting to be written, at most
	Batch   int           // signals per write, at most
	Timeout time.Duration // of one write
}

// Kind says what a Buffer carries and where.
type Kind[T any] struct {
	// What names the signals in logs ("genre searches").
	What string
	// Metric is the name of the drop counter (e.g. genre_search_interest_dropped_total); Help its help.
	Metric, Help string
	// Write records one batch in the graph.
	Write func(ctx context.Context, batch []T) error
	// Own returns the signal holding only its own bytes (a request's strings cloned), and false for a signal to
	// ignore. Nil: kept as handed.
	Own func(T) (T, bool)
}

// Buffer is a bounded, non-blocking buffer of signals in front of their graph write. Add appends to the pending
// signals (or drops the signal when they are at the bound) and wakes the writer goroutine, which takes everything
// pending at once and writes it in batches of Config.Batch.
type Buffer[T any] struct {
	kind    Kind[T]
	timeout time.Duration
	log     *slog.Logger
	dropLog *rate.Limiter // one log line per 10s for drops and failures

	q      *asyncq.Queue[T]
	failed atomic.Uint64 // signals whose write failed
}

// New starts a Buffer of kind. reg, if not nil, gets the kind's drop counter; log (nil: none) gets drops and failed
// writes, at most once every 10 seconds. Close it to write what is pending and stop its goroutine.
func New[T any](kind Kind[T], cfg Config, reg prometheus.Registerer, log *slog.Logger) *Buffer[T] {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Buffer <= 0 {
		cfg.Buffer = DefaultBuffer
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	b := &Buffer[T]{
		kind:    kind,
		timeout: cfg.Timeout,
		log:     log,
		dropLog: rate.NewLimiter(rate.Every(10*time.Second), 1),
	}
	if reg != nil {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: kind.Metric, Help: kind.Help},
			func() float64 { return float64(b.Dropped()) }))
	}
	b.q = asyncq.New(asyncq.Options[T]{
		Max:   cfg.Buffer,
		Chunk: cfg.Batch,
		Flush: b.write,
		Flushed: func(batch []T, _ time.Time, err error) {
			if err != nil {
				b.failed.Add(uint64(len(batch)))
				b.logDrop(len(batch), "write failed", err)
			}
		},
		Dropped: func(batch []T, _ uint64) { b.logDrop(len(batch), "buffer full", nil) },
		Name:    kind.What + " recorder",
		Log:     log,
	})
	return b
}

// Add queues s for the graph, or drops it (counted) when the buffer is full or closed. It never waits for the graph.
func (b *Buffer[T]) Add(s T) {
	if b.kind.Own != nil {
		var ok bool
		if s, ok = b.kind.Own(s); !ok {
			return
		}
	}
	b.q.Add(s)
}

// Dropped is the number of signals dropped so far (full, closed or failed).
func (b *Buffer[T]) Dropped() uint64 { return b.q.Dropped() + b.failed.Load() }

func (b *Buffer[T]) logDrop(n int, why string, err error) {
	if b.dropLog.Allow() {
		b.log.Warn(b.kind.What+" not recorded in the graph (logged at most every 10s)", "why", why,
			"signals", n, "dropped_total", b.Dropped(), "buffer", b.q.Max(), "err", err)
	}
}

// write writes one batch; a panic in the writer is a failed write (the queue recovers it), not a crashed server.
func (b *Buffer[T]) write(ctx context.Context, batch []T) error {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	return b.kind.Write(ctx, batch)
}

// Close stops taking signals (later ones are dropped and counted), writes what is pending and waits for that until
// ctx ends; then it cancels the writes in flight (what they carried is dropped) and waits for the goroutine to
// return. Close once the transport has stopped, so no signal arrives after it.
func (b *Buffer[T]) Close(ctx context.Context) error {
	if err := b.q.Close(ctx); err != nil {
		<-b.q.Done()
		return fmt.Errorf("signals: %s buffer close: %w", b.kind.What, err)
	}
	return nil
}

// GenreSearches is the kind of the genre-search buffer: searches with a genre filter, for the user's SEARCHED_GENRE
// interest (streaming.InterestRecorder).
func GenreSearches(rec streaming.InterestRecorder) Kind[streaming.GenreSearch] {
	return Kind[streaming.GenreSearch]{What: "genre searches", Metric: "genre_search_interest_dropped_total",
		Help:  "Genre searches not recorded in the graph: the buffer was full (or closed), or their write failed.",
		Write: rec.RecordGenreSearches,
		Own: func(s streaming.GenreSearch) (streaming.GenreSearch, bool) {
			if len(s.Genres) == 0 {
				return s, false
			}
			s.UserID = strings.Clone(s.UserID)
			genres := make([]string, len(s.Genres))
			for i, g := range s.Genres {
				genres[i] = strings.Clone(g)
			}
			s.Genres = genres
			return s, true
		}}
}

// Accesses is the kind of the playback-access buffer: playback starts' devices and networks, for the risk signals
// (streaming.RiskGraph).
func Accesses(g streaming.RiskGraph) Kind[streaming.Access] {
	return Kind[streaming.Access]{What: "playback accesses", Metric: "playback_access_signals_dropped_total",
		Help:  "Playback starts whose device and network were not recorded in the graph: the buffer was full (or closed), or their write failed.",
		Write: g.RecordAccesses,
		Own: func(a streaming.Access) (streaming.Access, bool) {
			a.UserID, a.DeviceID, a.Device, a.Network = strings.Clone(a.UserID), strings.Clone(a.DeviceID),
				strings.Clone(a.Device), strings.Clone(a.Network)
			a.Concurrent = slices.Clone(a.Concurrent)
			return a, true
		}}
}
