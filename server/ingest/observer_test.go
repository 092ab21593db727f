package ingest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/streamingplatform/streaming/server/streaming"
)

type lagRec struct {
	mu sync.Mutex
	v  []float64
}

func (l *lagRec) Observe(v float64) { l.mu.Lock(); l.v = append(l.v, v); l.mu.Unlock() }

func TestAsyncObserverAppliesAll(t *testing.T) {
	var mu sync.Mutex
	var got []streaming.Viewing
	lag := &lagRec{}
	o := NewAsyncObserver(1000, func(b []streaming.Viewing) error {
		mu.Lock()
		got = append(got, b...) // copy: the slice is reused
		mu.Unlock()
		time.Sleep(time.Millisecond)
		return nil
	}, lag, nil)
	batch := make([]streaming.PlaybackEvent, 3)
	for i := 0; i < 100; i++ {
		for j := range batch {
			batch[j] = ev(i, j, i*3+j)
		}
		for _, e := range refs(batch) { // one partition (user, title) per call, as the pipeline makes them
			o.Observe([]*streaming.PlaybackEvent{e}) // the caller reuses its events: Observe copied what it keeps
		}
	}
	if err := o.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 300 || o.Dropped() != 0 {
		t.Fatalf("applied %d, dropped %d; want 300, 0", len(got), o.Dropped())
	}
	for i, v := range got { // one viewing per event: each event of a batch is another title
		if v.UserID != uuidN('a', i/3) || v.ContentID != uuidN('c', i%3) {
			t.Fatalf("viewing %d is %s/%s: order or copy broken", i, v.UserID, v.ContentID)
		}
	}
	lag.mu.Lock()
	defer lag.mu.Unlock()
	if len(lag.v) == 0 || len(lag.v) > 100 {
		t.Fatalf("%d lag observations, want 1..100 (one per apply)", len(lag.v))
	}
	for _, v := range lag.v {
		if v < 0 || v > 5 {
			t.Fatalf("lag %v s out of range", v)
		}
	}
}

func TestAsyncObserverDropsWhenFullWithoutBlocking(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 100)
	applied := make(chan int, 100)
	o := NewAsyncObserver(10, func(b []streaming.Viewing) error {
		entered <- struct{}{}
		<-release
		applied <- len(b)
		return nil
	}, nil, nil)
	// One partition over four hours: four viewings per Observe.
	batch := []streaming.PlaybackEvent{ev(1, 1, 1), ev(1, 1, 2), ev(1, 1, 3), ev(1, 1, 4)}
	for i := range batch {
		batch[i].OccurredAt = batch[i].OccurredAt.Add(time.Duration(i) * time.Hour)
	}
	start := time.Now()
	o.Observe(refs(batch)) // taken by the goroutine, which blocks in apply
	<-entered
	o.Observe(refs(batch)) // pending 4
	o.Observe(refs(batch)) // pending 8
	o.Observe(refs(batch)) // 12 > 10: dropped
	o.Observe(refs(batch[:2]))
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Observe blocked for %v", d)
	}
	if o.Dropped() != 4 {
		t.Fatalf("dropped %d, want 4", o.Dropped())
	}
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.Close(ctx); err != nil {
		t.Fatal(err)
	}
	close(applied)
	total := 0
	for n := range applied {
		total += n
	}
	if total != 14 {
		t.Fatalf("applied %d viewings, want 4+10", total)
	}
	o.Observe(refs(batch)) // after Close: dropped, not blocking, not applied
	if o.Dropped() != 8 {
		t.Fatalf("dropped %d after Close, want 8", o.Dropped())
	}
}

func TestAsyncObserverCloseTimesOutAndSurvivesPanic(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	entered := make(chan struct{}, 2)
	calls := 0
	o := NewAsyncObserver(10, func(b []streaming.Viewing) error {
		calls++
		entered <- struct{}{}
		if calls == 1 {
			panic("apply bug")
		}
		<-block
		return nil
	}, nil, nil)
	o.Observe(refs([]streaming.PlaybackEvent{ev(1, 1, 1)}))
	<-entered
	o.Observe(refs([]streaming.PlaybackEvent{ev(1, 1, 2)})) // applied after the panic, then blocks
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := o.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close: %v, want DeadlineExceeded", err)
	}
}

// The pipeline and the async observer together: the observer sees every partition the durable events fell in,
// once per partition write (not per event), and Close goes in order.
func TestPipelineWithAsyncObserver(t *testing.T) {
	var mu sync.Mutex
	seen := map[[2]string]int{}
	viewings := 0
	o := NewAsyncObserver(100_000, func(b []streaming.Viewing) error {
		mu.Lock()
		for _, v := range b {
			seen[[2]string{v.UserID, v.ContentID}]++
		}
		viewings += len(b)
		mu.Unlock()
		return nil
	}, nil, nil)
	p := New(Config{MaxBatch: 10, Linger: time.Millisecond}, DiscardWriter{}, o, nil, nil)
	events := make([]streaming.PlaybackEvent, 1000)
	for i := range events {
		events[i] = ev(i%17, i%4, i) // 68 partitions of 14 or 15 events
	}
	tk, err := p.Submit(context.Background(), events)
	if err != nil {
		t.Fatal(err)
	}
	if res := waitTicket(t, tk); res != nil {
		t.Fatal(res)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := o.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 68 {
		t.Fatalf("observed %d partitions, want 68", len(seen))
	}
	// At most 10 events per write: each partition is written in two writes at most once grouped, never per event.
	if viewings < 68 || viewings > 2*68 {
		t.Fatalf("%d viewings for 68 partitions of 14-15 events in writes of up to 10, want 68..136", viewings)
	}
}

// FanOut folds a write's events once and hands the same viewings to every observer.
func TestFanOut(t *testing.T) {
	var mu sync.Mutex
	var got [2][]streaming.Viewing
	rec := func(k int) *AsyncObserver {
		return NewAsyncObserver(10, func(b []streaming.Viewing) error {
			mu.Lock()
			got[k] = append(got[k], b...)
			mu.Unlock()
			return nil
		}, nil, nil)
	}
	a, b := rec(0), rec(1)
	FanOut{a, b}.Observe(refs([]streaming.PlaybackEvent{ev(1, 1, 1), ev(1, 1, 2)}))
	for _, o := range []*AsyncObserver{a, b} {
		if err := o.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if len(got[0]) != 1 || len(got[1]) != 1 {
		t.Fatalf("observers got %d and %d viewings, want 1 each (two events of one partition and hour)", len(got[0]), len(got[1]))
	}
	if unsafe.StringData(got[0][0].UserID) != unsafe.StringData(got[1][0].UserID) {
		t.Error("the observers got separate copies: the events were folded twice")
	}
}

// What is dropped or fails to apply is remembered by its earliest hour until a replay covers it; a loss during the
// replay keeps it for the next one.
func TestAsyncObserverRemembersLosses(t *testing.T) {
	fail := true
	var mu sync.Mutex
	o := NewAsyncObserver(1, func([]streaming.Viewing) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errors.New("store down")
		}
		return nil
	}, nil, nil)
	defer o.Close(context.Background())
	if _, ok := o.Lost(); ok {
		t.Fatal("a new observer has a loss")
	}
	at := func(h int) *streaming.PlaybackEvent {
		e := ev(1, 1, h)
		e.OccurredAt = time.Date(2026, 12, 3, h, 30, 0, 0, time.UTC)
		return &e
	}
	o.Observe([]*streaming.PlaybackEvent{at(5)}) // fails to apply
	waitFor(t, func() bool { l, ok := o.Lost(); return ok && l.From.Hour() == 5 })
	o.Observe([]*streaming.PlaybackEvent{at(3), at(4)}) // two hours, one partition: two viewings, buffer of one: dropped
	l, _ := o.Lost()
	if l.From.Hour() != 3 || o.Dropped() != 2 {
		t.Fatalf("loss from %v, dropped %d; want hour 3 and 2", l.From, o.Dropped())
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	o.Observe([]*streaming.PlaybackEvent{at(6)}) // applies: the store answers again
	waitFor(t, func() bool { l, _ := o.Lost(); return l.OKAt.After(l.At) })
	o.Observe([]*streaming.PlaybackEvent{at(2), at(1)}) // lost after l was read
	o.Replayed(l)
	if l2, ok := o.Lost(); !ok || l2.From.Hour() != 1 {
		t.Fatalf("a loss after the replay began was forgotten: %v, %v", l2, ok)
	}
	l, _ = o.Lost()
	o.Replayed(l)
	if _, ok := o.Lost(); ok {
		t.Fatal("a replayed loss is still there")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

// A folding observer hands apply one viewing per user, title, hour and device, with the seconds and events of all
// that came summed and completed if any was; Sync applies at once what gathered.
func TestFoldingObserverFoldsViewings(t *testing.T) {
	applied := make(chan []streaming.Viewing, 1)
	o := NewFoldingObserver(10, time.Hour, func(b []streaming.Viewing) error {
		applied <- append([]streaming.Viewing(nil), b...)
		return nil
	}, nil, nil)
	defer o.Close(context.Background())
	for i := range 4 {
		e := ev(1, 1, i)
		e.Completed = i == 2
		o.Observe([]*streaming.PlaybackEvent{&e})
	}
	other := ev(2, 1, 9)
	o.Observe([]*streaming.PlaybackEvent{&other})
	if err := o.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := <-applied
	if len(got) != 2 || got[0].Events != 4 || got[0].Seconds != 40 || !got[0].Completed || got[1].Events != 1 || got[1].Completed {
		t.Fatalf("applied %+v; want the first user's four events as one completed viewing of 40 s, then the other's", got)
	}
}
