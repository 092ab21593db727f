package ingest

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A large request waiting for room is served before smaller ones that come after it, even when they would fit.
func TestQueueRoomFirstComeFirstServed(t *testing.T) {
	r := newQueueRoom(10)
	defer r.close()
	if err := r.acquire(context.Background(), 8, time.Second); err != nil {
		t.Fatal(err)
	}
	big := make(chan error, 1)
	go func() { big <- r.acquire(context.Background(), 5, 5*time.Second) }()
	for deadline := time.Now().Add(5 * time.Second); r.sem.TryAcquire(1); { // the big one is not waiting yet
		r.sem.Release(1)
		if time.Now().After(deadline) {
			t.Fatal("the large request never waited")
		}
		time.Sleep(time.Millisecond)
	}
	// 2 units are free, but a small request must queue behind the large one.
	if err := r.acquire(context.Background(), 1, 20*time.Millisecond); !errors.Is(err, errSemTimeout) {
		t.Fatalf("small request behind a waiting large one: %v, want errSemTimeout", err)
	}
	r.release(8)
	if err := <-big; err != nil {
		t.Fatalf("large request: %v", err)
	}
	if got := r.inUse(); got != 5 {
		t.Fatalf("in use %d, want 5", got)
	}
}

func TestQueueRoomClose(t *testing.T) {
	r := newQueueRoom(1)
	if err := r.acquire(context.Background(), 1, time.Second); err != nil {
		t.Fatal(err)
	}
	waiting := make(chan error, 1)
	go func() { waiting <- r.acquire(context.Background(), 1, 10*time.Second) }()
	time.Sleep(10 * time.Millisecond)
	r.close()
	if err := <-waiting; !errors.Is(err, errSemClosed) {
		t.Fatalf("waiter at close: %v, want errSemClosed", err)
	}
	if err := r.acquire(context.Background(), 1, time.Second); !errors.Is(err, errSemClosed) {
		t.Fatalf("acquire after close: %v, want errSemClosed", err)
	}
	r.release(1)
	if err := r.acquire(context.Background(), 1, -1); err != nil {
		t.Fatalf("room after close: %v (a closed queue still grants without waiting)", err)
	}
}
