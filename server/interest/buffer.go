// Package interest carries users' genre searches from the catalog search to the graph (streaming.InterestRecorder),
// off the search's path: a search hands its GenreSearch to a Buffer and returns, and one goroutine writes what has
// gathered in batches. The interest is a soft signal for recommendations, so the Buffer never makes a search wait or
// fail: when it is full, or the graph is down, searches are dropped and counted
// (genre_search_interest_dropped_total), not retried.
package interest

import (
	"context"
	"fmt"
	"log/slog"
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
	DefaultBuffer  = 10_000           // searches waiting: seconds of a busy catalog's filtered searches
	DefaultBatch   = 1_000            // searches per write (at most 10 genres each: one transaction of ≤10k rows)
	DefaultTimeout = 10 * time.Second // of one write
)

// Config sizes a Buffer; zero fields take the defaults.
type Config struct {
	Buffer  int           // searches waiting to be written, at most
	Batch   int           // searches per RecordGenreSearches call, at most
	Timeout time.Duration // of one RecordGenreSearches call
}

// Buffer is a bounded, non-blocking buffer of genre searches in front of a streaming.InterestRecorder. Add appends to
// the pending searches (or drops the search when they are at the bound) and wakes the writer goroutine, which takes
// everything pending at once and records it in batches of Config.Batch. What waits holds only its own bytes (Add
// clones the strings), never a request's.
type Buffer struct {
	rec     streaming.InterestRecorder
	timeout time.Duration
	log     *slog.Logger
	dropLog *rate.Limiter // one log line per 10s for drops and failures

	q      *asyncq.Queue[streaming.GenreSearch]
	failed atomic.Uint64 // searches whose write failed
}

// New starts a Buffer writing to rec. reg, if not nil, gets the counter genre_search_interest_dropped_total; log (nil:
// none) gets drops and failed writes, at most once every 10 seconds. Close it to write what is pending and stop its
// goroutine.
func New(rec streaming.InterestRecorder, cfg Config, reg prometheus.Registerer, log *slog.Logger) *Buffer {
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
	b := &Buffer{
		rec:     rec,
		timeout: cfg.Timeout,
		log:     log,
		dropLog: rate.NewLimiter(rate.Every(10*time.Second), 1),
	}
	if reg != nil {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "genre_search_interest_dropped_total",
			Help: "Genre searches not recorded in the graph: the buffer was full (or closed), or their write failed."},
			func() float64 { return float64(b.Dropped()) }))
	}
	b.q = asyncq.New(asyncq.Options[streaming.GenreSearch]{
		Max:   cfg.Buffer,
		Chunk: cfg.Batch,
		Flush: b.record,
		Flushed: func(searches []streaming.GenreSearch, _ time.Time, err error) {
			if err != nil {
				b.failed.Add(uint64(len(searches)))
				b.logDrop(len(searches), "write failed", err)
			}
		},
		Dropped: func(searches []streaming.GenreSearch, _ uint64) { b.logDrop(len(searches), "buffer full", nil) },
		Name:    "genre search recorder",
		Log:     log,
	})
	return b
}

// Add queues s for the graph, or drops it (counted) when the buffer is full or closed. It never waits for the graph.
// A search without genres is ignored.
func (b *Buffer) Add(s streaming.GenreSearch) {
	if len(s.Genres) == 0 {
		return
	}
	s.UserID = strings.Clone(s.UserID)
	genres := make([]string, len(s.Genres))
	for i, g := range s.Genres {
		genres[i] = strings.Clone(g)
	}
	s.Genres = genres
	b.q.Add(s)
}

// Dropped is the number of searches dropped so far (full, closed or failed).
func (b *Buffer) Dropped() uint64 { return b.q.Dropped() + b.failed.Load() }

func (b *Buffer) logDrop(n int, why string, err error) {
	if b.dropLog.Allow() {
		b.log.Warn("genre searches not recorded in the graph (logged at most every 10s)", "why", why,
			"searches", n, "dropped_total", b.Dropped(), "buffer", b.q.Max(), "err", err)
	}
}

// record writes one batch; a panic in the recorder is a failed write (the queue recovers it), not a crashed server.
func (b *Buffer) record(ctx context.Context, searches []streaming.GenreSearch) error {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	return b.rec.RecordGenreSearches(ctx, searches)
}

// Close stops taking searches (later ones are dropped and counted), writes what is pending and waits for that until
// ctx ends; then it cancels the writes in flight (what they carried is dropped) and waits for the goroutine to
// return. Close once the transport has stopped, so no search arrives after it.
func (b *Buffer) Close(ctx context.Context) error {
	if err := b.q.Close(ctx); err != nil {
		<-b.q.Done()
		return fmt.Errorf("interest: buffer close: %w", err)
	}
	return nil
}
