package ingest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

type lagRec struct {
	mu sync.Mutex
	v  []float64
}

func (l *lagRec) Observe(v float64) { l.mu.Lock(); l.v = append(l.v, v); l.mu.Unlock() }

func TestAsyncObserverAppliesAll(t *testing.T) {
	var mu sync.Mutex
	var got []streaming.PlaybackEvent
	lag := &lagRec{}
	o := NewAsyncObserver(1000, func(b []streaming.PlaybackEvent) {
		mu.Lock()
		got = append(got, b...) // copy: the slice is reused
		mu.Unlock()
		time.Sleep(time.Millisecond)
	}, lag, nil)
	batch := make([]streaming.PlaybackEvent, 3)
	for i := 0; i < 100; i++ {
		for j := range batch {
			batch[j] = ev(i, j, i*3+j)
		}
		o.Observe(refs(batch)) // the caller reuses its events: Observe copied them
	}
	if err := o.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 300 || o.Dropped() != 0 {
		t.Fatalf("applied %d, dropped %d; want 300, 0", len(got), o.Dropped())
	}
	for i, e := range got {
		if e.EventID != uuidN('e', i) {
			t.Fatalf("event %d is %s: order or copy broken", i, e.EventID)
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
	o := NewAsyncObserver(10, func(b []streaming.PlaybackEvent) {
		entered <- struct{}{}
		<-release
		applied <- len(b)
	}, nil, nil)
	batch := []streaming.PlaybackEvent{ev(1, 1, 1), ev(1, 1, 2), ev(1, 1, 3), ev(1, 1, 4)}
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
		t.Fatalf("applied %d events, want 4+10", total)
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
	o := NewAsyncObserver(10, func(b []streaming.PlaybackEvent) {
		calls++
		entered <- struct{}{}
		if calls == 1 {
			panic("apply bug")
		}
		<-block
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

// The pipeline and the async observer together: the observer sees every durable event, Close in order.
func TestPipelineWithAsyncObserver(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	o := NewAsyncObserver(100_000, func(b []streaming.PlaybackEvent) {
		mu.Lock()
		for _, e := range b {
			seen[e.ContentID]++
		}
		mu.Unlock()
	}, nil, nil)
	p := New(Config{MaxBatch: 10, Linger: time.Millisecond}, DiscardWriter{}, o, nil, nil)
	events := make([]streaming.PlaybackEvent, 1000)
	for i := range events {
		events[i] = ev(i%17, i%4, i)
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
	for c := 0; c < 4; c++ {
		if seen[uuidN('c', c)] != 250 {
			t.Fatalf("content %d counted %d, want 250", c, seen[uuidN('c', c)])
		}
	}
}

func TestFanOut(t *testing.T) {
	a, b := &recObserver{}, &recObserver{}
	FanOut{a, b}.Observe(refs([]streaming.PlaybackEvent{ev(1, 1, 1), ev(1, 1, 2)}))
	if a.count() != 2 || b.count() != 2 {
		t.Fatalf("observers saw %d and %d events, want 2 each", a.count(), b.count())
	}
}
