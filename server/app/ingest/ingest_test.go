package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/streamingplatform/streaming/server/ingest"
	"github.com/streamingplatform/streaming/server/streaming"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// writer is a fake of the domain's PlaybackWriter port: it fails the partitions of the users in fail, and while
// hold is shut it confirms nothing.
type writer struct {
	fail map[string]bool
	hold chan struct{} // nil: never held

	mu      sync.Mutex
	written []streaming.PlaybackEvent
}

func (w *writer) WritePartition(ctx context.Context, events []*streaming.PlaybackEvent) error {
	if w.hold != nil {
		select {
		case <-w.hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if w.fail[events[0].UserID] {
		return &streaming.Error{Code: streaming.CodeUnavailable, Message: "cassandra is down"}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range events {
		w.written = append(w.written, *e)
	}
	return nil
}

func (w *writer) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.written)
}

// service is the use case over a real pipeline (pure logic) writing to w.
func service(t *testing.T, w *writer) *Service {
	t.Helper()
	p := ingest.New(ingest.Config{QueueEvents: 10_000, WriteTimeout: time.Minute}, w, nil, nil, nil)
	t.Cleanup(func() {
		if w.hold != nil {
			select {
			case <-w.hold:
			default:
				close(w.hold)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("pipeline close: %v", err)
		}
	})
	return &Service{Queue: p, MaxSkew: 5 * time.Minute, MaxAge: 24 * time.Hour, Now: func() time.Time { return now }}
}

var now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

const (
	alice = "11111111-2222-4333-8444-555555555555"
	bob   = "66666666-7777-4888-8999-aaaaaaaaaaaa"
	title = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
)

func ev(user string, id int) streaming.PlaybackEvent {
	return streaming.PlaybackEvent{EventID: eventID(id), UserID: user, ContentID: title, OccurredAt: now.Add(-time.Minute),
		PlayedSeconds: 10, PositionSeconds: int32(id), Device: "tv", Quality: "hd"}
}

func eventID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func TestRecordChecksEachEventAlone(t *testing.T) {
	user := streaming.Principal{Role: streaming.RoleUser, UserID: alice}
	svc := streaming.Principal{Role: streaming.RoleService}
	type rejected struct {
		index int
		field string
	}
	tests := []struct {
		name   string
		p      streaming.Principal
		events func() []streaming.PlaybackEvent
		accept int64
		reject []rejected
	}{
		{"all good", user, func() []streaming.PlaybackEvent { return []streaming.PlaybackEvent{ev(alice, 1), ev(alice, 2)} }, 2, nil},
		{"a bad event is rejected alone, by position", user, func() []streaming.PlaybackEvent {
			bad := ev(alice, 2)
			bad.Device = "toaster"
			late := ev(alice, 3)
			late.OccurredAt = now.Add(time.Hour)
			return []streaming.PlaybackEvent{ev(alice, 1), bad, late, ev(alice, 4)}
		}, 2, []rejected{{1, "device"}, {2, "occur_time"}}},
		{"upper-case ids are lowered, not refused", user, func() []streaming.PlaybackEvent {
			e := ev(alice, 1)
			e.EventID, e.ContentID = strings.ToUpper(e.EventID), strings.ToUpper(e.ContentID)
			return []streaming.PlaybackEvent{e}
		}, 1, nil},
		{"a user may not send another's events", user, func() []streaming.PlaybackEvent {
			return []streaming.PlaybackEvent{ev(bob, 1), ev(alice, 2)}
		}, 1, []rejected{{0, "user_id"}}},
		{"the service role sends anyone's", svc, func() []streaming.PlaybackEvent {
			return []streaming.PlaybackEvent{ev(bob, 1), ev(alice, 2)}
		}, 2, nil},
		{"older than the window", svc, func() []streaming.PlaybackEvent {
			e := ev(bob, 1)
			e.OccurredAt = now.Add(-25 * time.Hour)
			return []streaming.PlaybackEvent{e}
		}, 0, []rejected{{0, "occur_time"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &writer{}
			sum, err := service(t, w).Record(t.Context(), tc.p, tc.events())
			if err != nil {
				t.Fatal(err)
			}
			if sum.Accepted != tc.accept || sum.Rejected != int64(len(tc.reject)) {
				t.Fatalf("accepted %d, rejected %d (%v); want %d and %d", sum.Accepted, sum.Rejected, sum.Rejections, tc.accept, len(tc.reject))
			}
			for i, r := range tc.reject {
				got := sum.Rejections[i]
				if got.Index != r.index || got.Field != r.field || got.Batch != 0 {
					t.Errorf("rejection %d = %+v, want index %d field %s", i, got, r.index, r.field)
				}
			}
			if len(w.written) != int(tc.accept) {
				t.Fatalf("%d events written, %d accepted", len(w.written), tc.accept)
			}
			for _, e := range w.written {
				if e.EventID != strings.ToLower(e.EventID) || e.ContentID != title {
					t.Errorf("written with ids as sent: %+v", e)
				}
			}
		})
	}
}

// An event the store did not take is a rejection ("not stored, retry") at its own position; the others of its
// batch are accepted.
func TestEventsNotStoredAreRejectedWhereTheyWere(t *testing.T) {
	w := &writer{fail: map[string]bool{bob: true}}
	st := service(t, w).Open(streaming.Principal{Role: streaming.RoleService})
	bad := ev(alice, 9)
	bad.PlayedSeconds = -1
	if err := st.Add(t.Context(), []streaming.PlaybackEvent{ev(alice, 1), ev(bob, 2)}, 0); err != nil {
		t.Fatal(err)
	}
	if err := st.Add(t.Context(), []streaming.PlaybackEvent{bad, ev(alice, 3), ev(bob, 4)}, 0); err != nil {
		t.Fatal(err)
	}
	sum, err := st.Finish(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []Rejection{{Batch: 0, Index: 1}, {Batch: 1, Index: 0, Field: "played_seconds"}, {Batch: 1, Index: 2}}
	if sum.Accepted != 2 || sum.Rejected != 3 || sum.DurableThrough != 1 {
		t.Fatalf("summary %+v", sum)
	}
	got := map[[2]int64]string{}
	for _, r := range sum.Rejections {
		got[[2]int64{r.Batch, int64(r.Index)}] = r.Field
		if r.Field == "" && !strings.HasPrefix(r.Reason, "not stored, retry: cassandra is down") {
			t.Errorf("reason %q", r.Reason)
		}
	}
	for _, r := range want {
		if f, ok := got[[2]int64{r.Batch, int64(r.Index)}]; !ok || f != r.Field {
			t.Errorf("no rejection %+v in %+v", r, sum.Rejections)
		}
	}
}

// A stream reads ahead of what is durable only within its bound: past it, Add waits for the oldest batch. The
// summary says through which batch every event has an outcome, counting batches that had no good event.
func TestStreamWaitsPastItsBoundAndSettlesInOrder(t *testing.T) {
	w := &writer{hold: make(chan struct{})}
	svc := service(t, w)
	svc.MaxInFlightEvents = 3
	st := svc.Open(streaming.Principal{Role: streaming.RoleService})
	ctx := t.Context()
	if err := st.Add(ctx, []streaming.PlaybackEvent{ev(alice, 1), ev(alice, 2)}, 0); err != nil {
		t.Fatal(err)
	}
	bad := ev(alice, 3)
	bad.Quality = ""
	if err := st.Add(ctx, []streaming.PlaybackEvent{bad}, 0); err != nil { // nothing good: nothing to wait for
		t.Fatal(err)
	}
	if got := st.Summary().DurableThrough; got != -1 {
		t.Fatalf("durable through %d before any write, want -1", got)
	}
	added := make(chan error, 1)
	go func() { added <- st.Add(ctx, []streaming.PlaybackEvent{ev(bob, 4), ev(bob, 5)}, 0) }() // 4 > 3 in flight
	select {
	case err := <-added:
		t.Fatalf("Add past the bound returned (%v) while the store held every write", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(w.hold)
	if err := <-added; err != nil {
		t.Fatal(err)
	}
	if got := st.Summary().DurableThrough; got < 1 {
		t.Fatalf("durable through %d after the first batch settled, want at least 1 (batch 1 had no good event)", got)
	}
	sum, err := st.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Accepted != 4 || sum.Rejected != 1 || sum.DurableThrough != 2 {
		t.Fatalf("summary %+v", sum)
	}
}

// A client that went away: Add waiting past the bound returns at once, and so does Abort, whose summary counts
// only what had settled; the pipeline still writes the events handed over.
func TestAbandonedStreamReturnsAtOnce(t *testing.T) {
	w := &writer{hold: make(chan struct{})}
	svc := service(t, w)
	svc.MaxInFlightEvents = 1
	st := svc.Open(streaming.Principal{Role: streaming.RoleService})
	ctx, cancel := context.WithCancel(t.Context())
	added := make(chan error, 1)
	go func() { added <- st.Add(ctx, []streaming.PlaybackEvent{ev(alice, 1), ev(alice, 2)}, 0) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-added:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Add: %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Add kept waiting for the store after its context ended")
	}
	done := make(chan Summary, 1)
	go func() { done <- st.Abort(ctx) }()
	select {
	case sum := <-done:
		if sum.Accepted != 0 || sum.DurableThrough != -1 {
			t.Fatalf("summary %+v; nothing had settled", sum)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Abort waited for the store after the client went away")
	}
	close(w.hold)
	for deadline := time.Now().Add(5 * time.Second); w.count() < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := w.count(); n != 2 {
		t.Fatalf("%d events written; the pipeline must still write what was handed over", n)
	}
}

func TestRejectionDetailsAreCappedCountsExact(t *testing.T) {
	events := make([]streaming.PlaybackEvent, MaxRejections+5)
	for i := range events {
		events[i] = ev("not-a-uuid", i)
	}
	sum, err := service(t, &writer{}).Record(t.Context(), streaming.Principal{Role: streaming.RoleService}, events)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rejected != int64(len(events)) || len(sum.Rejections) != MaxRejections {
		t.Fatalf("rejected %d with %d details; want %d with %d", sum.Rejected, len(sum.Rejections), len(events), MaxRejections)
	}
}
