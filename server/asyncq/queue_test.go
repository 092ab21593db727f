package asyncq_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/streamingplatform/streaming/server/asyncq"
)

// While Flush holds the goroutine the queue fills to its bound and drops (counts, reports) what does not fit, all or
// nothing per Add, without blocking; what was pending then goes in chunks, in order; Close flushes and stops.
func TestQueueBoundedAndChunked(t *testing.T) {
	defer goleak.VerifyNone(t)
	gate, entered := make(chan struct{}), make(chan struct{}, 100)
	var mu sync.Mutex
	var calls [][]int
	var droppedItems []int
	var flushed int
	q := asyncq.New(asyncq.Options[int]{
		Max: 5, Chunk: 2,
		Flush: func(_ context.Context, items []int) error {
			entered <- struct{}{}
			<-gate
			mu.Lock()
			calls = append(calls, append([]int(nil), items...))
			mu.Unlock()
			return nil
		},
		Flushed: func(items []int, since time.Time, err error) {
			if err != nil || since.IsZero() || time.Since(since) > time.Minute {
				t.Errorf("Flushed(%v, %v, %v)", items, since, err)
			}
			flushed += len(items)
		},
		Dropped: func(items []int, total uint64) { droppedItems = append(droppedItems, items...) },
	})
	q.Add(0)
	<-entered
	start := time.Now()
	for i := 1; i <= 4; i++ {
		q.Add(i)
	}
	if q.Add(5, 6) { // 4+2 > 5: both dropped
		t.Error("Add of two past the bound queued them")
	}
	if !q.Add(5) || q.Add(7) {
		t.Error("the fifth item should fit and the sixth not")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Add blocked for %v", d)
	}
	if q.Dropped() != 3 || fmt.Sprint(droppedItems) != "[5 6 7]" {
		t.Errorf("Dropped = %d (%v), want 3 [5 6 7]", q.Dropped(), droppedItems)
	}
	close(gate)
	if err := q.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(calls), "[[0] [1 2] [3 4] [5]]"; got != want {
		t.Errorf("flushed %s, want %s", got, want)
	}
	if flushed != 6 {
		t.Errorf("Flushed saw %d items, want 6", flushed)
	}
	if q.Add(9) || q.Dropped() != 4 {
		t.Errorf("Add after Close: Dropped = %d, want 4", q.Dropped())
	}
	if err := q.Close(t.Context()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// Chunk 0 hands everything taken at once to one call.
func TestQueueWholeTake(t *testing.T) {
	defer goleak.VerifyNone(t)
	gate, entered := make(chan struct{}), make(chan struct{}, 100)
	var sizes []int
	q := asyncq.New(asyncq.Options[int]{Max: 100, Flush: func(_ context.Context, items []int) error {
		entered <- struct{}{}
		<-gate
		sizes = append(sizes, len(items))
		return nil
	}})
	q.Add(0)
	<-entered
	for i := range 50 {
		q.Add(i)
	}
	close(gate)
	if err := q.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sizes) != "[1 50]" {
		t.Errorf("flush sizes %v, want [1 50]", sizes)
	}
}

// A panic in Flush is an error for Flushed and Call, and the goroutine goes on.
func TestQueueRecoversPanic(t *testing.T) {
	defer goleak.VerifyNone(t)
	errs := make(chan error, 10)
	q := asyncq.New(asyncq.Options[int]{
		Max:  10,
		Name: "test flush",
		Flush: func(_ context.Context, items []int) error {
			if items[0] == 1 {
				panic("bug")
			}
			return nil
		},
		Flushed: func(_ []int, _ time.Time, err error) { errs <- err },
	})
	q.Add(1)
	if err := <-errs; err == nil || err.Error() != "test flush panicked: bug" {
		t.Errorf("Flushed got %v, want the panic as an error", err)
	}
	q.Add(2)
	if err := <-errs; err != nil {
		t.Errorf("after the panic: %v", err)
	}
	if err := q.Call([]int{1}); err == nil {
		t.Error("Call recovered no panic")
	}
	if err := q.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// Close past its deadline returns the context's error and cancels the Flush in flight; the goroutine then returns.
func TestQueueCloseCancelsFlush(t *testing.T) {
	defer goleak.VerifyNone(t)
	entered := make(chan struct{}, 1)
	q := asyncq.New(asyncq.Options[int]{Max: 10, Flush: func(ctx context.Context, _ []int) error {
		entered <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}})
	q.Add(1)
	<-entered
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := q.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close = %v, want DeadlineExceeded", err)
	}
	select {
	case <-q.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the goroutine did not return after Close cancelled the flush")
	}
}

// With Gather, items wait for more: one Flush takes what came within the window, half of Max pending cuts the
// wait short, and Close takes what waits at once.
func TestQueueGathers(t *testing.T) {
	defer goleak.VerifyNone(t)
	flushes := make(chan []int, 10)
	q := asyncq.New(asyncq.Options[int]{
		Max: 20, Gather: 300 * time.Millisecond,
		Flush: func(_ context.Context, items []int) error {
			flushes <- append([]int(nil), items...)
			return nil
		},
	})
	start := time.Now()
	for i := range 5 {
		q.Add(i)
		time.Sleep(10 * time.Millisecond)
	}
	got := <-flushes
	if took := time.Since(start); fmt.Sprint(got) != "[0 1 2 3 4]" || took < 300*time.Millisecond {
		t.Fatalf("first flush %v after %v; want the five items in one flush after the 300ms window", got, took)
	}

	start = time.Now()
	for i := range 10 { // half of Max
		q.Add(i)
	}
	got = <-flushes
	if took := time.Since(start); len(got) != 10 || took > 200*time.Millisecond {
		t.Fatalf("half of Max pending: flush of %d items after %v; want 10 at once", len(got), took)
	}

	q.Add(42)
	start = time.Now()
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case got = <-flushes:
	default:
		t.Fatal("Close returned before the pending item was flushed")
	}
	if took := time.Since(start); fmt.Sprint(got) != "[42]" || took > 200*time.Millisecond {
		t.Fatalf("Close flushed %v after %v; want [42] at once", got, took)
	}
}

// A folding queue keeps one item per key, merged as they come, within Max distinct items; an item that folds always
// fits. Sync flushes what is pending at once, gathering or not, and returns after it was flushed.
func TestQueueFoldsAndSyncs(t *testing.T) {
	defer goleak.VerifyNone(t)
	type item struct {
		key string
		n   int
	}
	flushes := make(chan []item, 10)
	q := asyncq.NewFolding(asyncq.Options[item]{
		Max: 2, Gather: time.Hour,
		Flush: func(_ context.Context, items []item) error {
			flushes <- append([]item(nil), items...)
			return nil
		},
	}, func(it item) string { return it.key }, func(p *item, a item) { p.n += a.n })
	if !q.Add(item{"a", 1}, item{"b", 1}) || !q.Add(item{"a", 2}, item{"b", 3}) {
		t.Fatal("items folding into pending ones were dropped")
	}
	if q.Add(item{"c", 1}) || q.Add(item{"a", 1}, item{"c", 1}) {
		t.Error("a third distinct key fit in Max 2")
	}
	if !q.Add(item{"a", 4}) {
		t.Error("an item folding into a pending one was dropped at Max")
	}
	start := time.Now()
	if err := q.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-flushes:
		if fmt.Sprint(got) != "[{a 7} {b 4}]" || time.Since(start) > 200*time.Millisecond {
			t.Errorf("Sync flushed %v after %v; want [{a 7} {b 4}] at once", got, time.Since(start))
		}
	default:
		t.Fatal("Sync returned before the pending items were flushed")
	}
	// Keys start afresh once taken.
	q.Add(item{"c", 1}, item{"a", 1})
	if err := q.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := <-flushes; fmt.Sprint(got) != "[{c 1} {a 1}]" {
		t.Errorf("second flush %v, want [{c 1} {a 1}]", got)
	}
	if err := q.Sync(context.Background()); err != nil { // nothing pending: returns
		t.Fatal(err)
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := q.Sync(context.Background()); err != nil { // after Close: returns
		t.Fatal(err)
	}
	if q.Dropped() != 3 {
		t.Errorf("Dropped = %d, want 3", q.Dropped())
	}
}
