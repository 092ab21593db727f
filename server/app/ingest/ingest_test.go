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

// queueFunc is a fake of the Queue port.
type queueFunc func(ctx context.Context, events []streaming.PlaybackEvent) (*ingest.Ticket, error)

func (f queueFunc) Submit(ctx context.Context, events []streaming.PlaybackEvent) (*ingest.Ticket, error) {
	return f(ctx, events)
}

// A batch the queue refuses is not durable: the summary a failing stream reports stays before it, even when earlier
// batches settle after the refusal, so the client resends it.
func TestRefusedBatchIsNotReportedDurable(t *testing.T) {
	w := &writer{hold: make(chan struct{})}
	real := service(t, w)
	calls := 0
	svc := *real
	svc.Queue = queueFunc(func(ctx context.Context, events []streaming.PlaybackEvent) (*ingest.Ticket, error) {
		if calls++; calls == 2 {
			return nil, &streaming.Error{Code: streaming.CodeBusy, RetryAfter: time.Second, Message: "full"}
		}
		return real.Queue.Submit(ctx, events)
	})
	st := svc.Open(streaming.Principal{Role: streaming.RoleService})
	if err := st.Add(t.Context(), []streaming.PlaybackEvent{ev(alice, 1)}, 0); err != nil {
		t.Fatal(err)
	}
	if err := st.Add(t.Context(), []streaming.PlaybackEvent{ev(alice, 2)}, 0); streaming.AsError(err) == nil || streaming.AsError(err).Code != streaming.CodeBusy {
		t.Fatalf("second batch: %v, want the queue's CodeBusy", err)
	}
	close(w.hold)
	if sum := st.Abort(t.Context()); sum.DurableThrough != 0 || sum.Accepted != 1 {
		t.Fatalf("summary %+v, want batch 0 durable (1 accepted) and batch 1 not", sum)
	}
}

// A user over their quota is refused with CodeBusy and the wait after which the batch fits; another user, and the
// services, are not affected; the refused batch is not reported durable.
func TestQuotasArePerCaller(t *testing.T) {
	w := &writer{}
	svc := service(t, w)
	clock := now
	svc.Now = func() time.Time { return clock }
	svc.MaxAge = 48 * time.Hour
	svc.Quotas = &Quotas{User: Quota{Rate: 10, Burst: 4}, Service: Quota{Rate: 100, Burst: 6}}
	batch := func(user string, from, n int) []streaming.PlaybackEvent {
		out := make([]streaming.PlaybackEvent, n)
		for i := range out {
			out[i] = ev(user, from+i)
		}
		return out
	}
	ctx := t.Context()
	a := svc.Open(streaming.Principal{Role: streaming.RoleUser, UserID: alice})
	if err := a.Add(ctx, batch(alice, 0, 4), 0); err != nil { // the whole burst
		t.Fatal(err)
	}
	err := a.Add(ctx, batch(alice, 4, 3), 0)
	e := streaming.AsError(err)
	if e == nil || e.Code != streaming.CodeBusy || e.RetryAfter != 300*time.Millisecond {
		t.Fatalf("over quota: %v, want CodeBusy with RetryAfter 300ms (3 events at 10/s)", err)
	}
	if !strings.Contains(e.Message, "10 events/s (burst 4) for a user") {
		t.Errorf("message %q does not name the quota", e.Message)
	}
	if sum := a.Abort(ctx); sum.DurableThrough != 0 || sum.Accepted != 4 {
		t.Fatalf("alice's summary %+v, want batch 0 durable and the refused batch 1 not", sum)
	}
	b := svc.Open(streaming.Principal{Role: streaming.RoleUser, UserID: bob})
	if err := b.Add(ctx, batch(bob, 100, 4), 0); err != nil {
		t.Fatalf("bob within his own quota: %v", err)
	}
	s := svc.Open(streaming.Principal{Role: streaming.RoleService})
	if err := s.Add(ctx, batch(alice, 200, 6), 0); err != nil {
		t.Fatalf("the service within its own quota: %v", err)
	}
	if err := s.Add(ctx, batch(bob, 300, 1), 0); streaming.AsError(err) == nil || streaming.AsError(err).Code != streaming.CodeBusy {
		t.Fatalf("the service past its burst: %v, want CodeBusy", err)
	}
	clock = clock.Add(300 * time.Millisecond) // the wait alice was told
	a = svc.Open(streaming.Principal{Role: streaming.RoleUser, UserID: alice})
	if err := a.Add(ctx, batch(alice, 4, 3), 0); err != nil {
		t.Fatalf("alice after the retry delay: %v", err)
	}
	for _, st := range []*Stream{a, b} {
		if _, err := st.Finish(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	// A batch larger than the burst could never fit: it is invalid, not "retry later".
	if err := svc.Open(streaming.Principal{Role: streaming.RoleUser, UserID: bob}).Add(ctx, batch(bob, 400, 5), 0); streaming.AsError(err) == nil || streaming.AsError(err).Code != streaming.CodeInvalid {
		t.Fatalf("a batch over the burst: %v, want CodeInvalid", err)
	}
}

// Idle users' buckets (full again) are dropped once a shard grows, so memory follows the active users.
func TestQuotasForgetIdleUsers(t *testing.T) {
	q := &Quotas{User: Quota{Rate: 1000, Burst: 1000}}
	user := streaming.Principal{Role: streaming.RoleUser}
	t0 := now
	for i := range 200_000 {
		user.UserID = eventID(i)
		if err := q.Take(user, 1, t0.Add(time.Duration(i)*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	// Each bucket is full again a second after its one event, so a sweep keeps about the last thousand users: a
	// shard never holds more than quotaSweepAt.
	if n := q.users(); n > quotaShards*quotaSweepAt {
		t.Fatalf("%d user buckets held after 200000 users each sent once, 1 ms apart; want at most %d", n, quotaShards*quotaSweepAt)
	}
	if err := (*Quotas)(nil).Take(user, 1_000_000, t0); err != nil {
		t.Fatalf("nil quotas refused: %v", err)
	}
}

// users is how many user buckets q holds.
func (q *Quotas) users() int {
	n := 0
	for i := range q.shards {
		q.shards[i].mu.Lock()
		n += len(q.shards[i].buckets)
		q.shards[i].mu.Unlock()
	}
	return n
}
