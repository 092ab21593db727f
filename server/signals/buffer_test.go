package signals_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"

	"github.com/streamingplatform/streaming/server/signals"
	"github.com/streamingplatform/streaming/server/streaming"
)

// recorder is a fake streaming.InterestRecorder. While gate is open (nil) calls return at once; otherwise each call
// reports on entered and waits for gate (or its context).
type recorder struct {
	mu      sync.Mutex
	calls   [][]streaming.GenreSearch
	err     error
	gate    chan struct{}
	entered chan struct{}
}

func newRecorder() *recorder {
	return &recorder{gate: make(chan struct{}), entered: make(chan struct{}, 100)}
}

func (r *recorder) RecordGenreSearches(ctx context.Context, searches []streaming.GenreSearch) error {
	r.entered <- struct{}{}
	select {
	case <-r.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, append([]streaming.GenreSearch(nil), searches...))
	return r.err
}

// sizes are the numbers of searches of each call so far.
func (r *recorder) sizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int
	for _, c := range r.calls {
		out = append(out, len(c))
	}
	return out
}

func search(i int) streaming.GenreSearch {
	return streaming.GenreSearch{UserID: fmt.Sprint("u", i), Genres: []string{"drama"}, At: time.Now()}
}

func waitEntered(t *testing.T, r *recorder) {
	t.Helper()
	select {
	case <-r.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the buffer never called the recorder")
	}
}

// droppedMetric reads genre_search_interest_dropped_total from reg.
func droppedMetric(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "genre_search_interest_dropped_total" {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatal("genre_search_interest_dropped_total is not registered")
	return 0
}

// While a write is in flight the buffer fills to its bound, drops (and counts) the rest, and never blocks Add; once
// the write returns, what was pending goes in batches of Config.Batch; Close writes the rest and stops the goroutine.
func TestBufferDropsWhenFullAndWritesInBatches(t *testing.T) {
	defer goleak.VerifyNone(t)
	rec := newRecorder()
	reg := prometheus.NewRegistry()
	b := signals.New(signals.GenreSearches(rec), signals.Config{Buffer: 5, Batch: 2}, reg, nil)

	b.Add(search(0))
	waitEntered(t, rec) // the first write holds the goroutine: the next searches wait in the buffer
	for i := 1; i <= 7; i++ {
		b.Add(search(i)) // never blocks: 1-5 fit, 6 and 7 are dropped
	}
	b.Add(streaming.GenreSearch{UserID: "u", At: time.Now()}) // no genre: nothing to record, not a drop
	if got := b.Dropped(); got != 2 {
		t.Errorf("Dropped = %d, want 2", got)
	}
	if got := droppedMetric(t, reg); got != 2 {
		t.Errorf("genre_search_interest_dropped_total = %v, want 2", got)
	}
	close(rec.gate)
	if err := b.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got, want := fmt.Sprint(rec.sizes()), "[1 2 2 1]"; got != want {
		t.Errorf("writes of %s searches, want %s", got, want)
	}
	var users []string
	for _, c := range rec.calls {
		for _, s := range c {
			users = append(users, s.UserID)
		}
	}
	if got, want := fmt.Sprint(users), "[u0 u1 u2 u3 u4 u5]"; got != want {
		t.Errorf("recorded %s, want %s (in order)", got, want)
	}

	// Closed: a later search is dropped, not written; a second Close is harmless.
	b.Add(search(9))
	if got := b.Dropped(); got != 3 {
		t.Errorf("Dropped after Close = %d, want 3", got)
	}
	if err := b.Close(t.Context()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// A write that fails loses its searches (counted), and the buffer goes on with the next ones.
func TestBufferCountsFailedWrites(t *testing.T) {
	defer goleak.VerifyNone(t)
	rec := newRecorder()
	close(rec.gate)
	rec.err = errors.New("graph down")
	b := signals.New(signals.GenreSearches(rec), signals.Config{}, nil, nil)
	b.Add(search(1))
	waitEntered(t, rec)
	if err := b.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := b.Dropped(); got != 1 {
		t.Errorf("Dropped = %d, want 1", got)
	}
}

// Close past its deadline cancels the write in flight and still stops the goroutine (goleak checks).
func TestBufferCloseAbandonsAStuckWrite(t *testing.T) {
	defer goleak.VerifyNone(t)
	rec := newRecorder() // the gate never opens: the write returns only when its context ends
	b := signals.New(signals.GenreSearches(rec), signals.Config{Timeout: time.Hour}, nil, nil)
	b.Add(search(1))
	waitEntered(t, rec)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := b.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close = %v, want a deadline error", err)
	}
	if got := b.Dropped(); got != 1 {
		t.Errorf("Dropped = %d, want 1 (the abandoned write)", got)
	}
}

// Add keeps its own copy of the genres: the caller may reuse its slice.
func TestBufferCopiesTheSearch(t *testing.T) {
	defer goleak.VerifyNone(t)
	rec := newRecorder()
	close(rec.gate)
	b := signals.New(signals.GenreSearches(rec), signals.Config{}, nil, nil)
	genres := []string{"drama"}
	b.Add(streaming.GenreSearch{UserID: "u", Genres: genres, At: time.Now()})
	genres[0] = "changed"
	if err := b.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(rec.calls) != 1 || rec.calls[0][0].Genres[0] != "drama" {
		t.Errorf("recorded %v, want the genres as added", rec.calls)
	}
}
