package ingest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// recWriter is a test double for the pipeline's own logic (not a store imitation): it records each call, fails
// the partitions it is told to, and can hold writes until released.
type recWriter struct {
	mu       sync.Mutex
	calls    [][]streaming.PlaybackEvent
	fail     map[string]error // by partition (partitionOf)
	inFlight atomic.Int32
	maxIn    atomic.Int32

	hold      chan struct{} // when set, writes wait for it to close
	ignoreCtx bool          // while held, do not return when ctx ends
	panicOn   string        // partition (partitionOf) whose write panics
}

func (w *recWriter) WritePartition(ctx context.Context, events []*streaming.PlaybackEvent) error {
	n := w.inFlight.Add(1)
	defer w.inFlight.Add(-1)
	for {
		m := w.maxIn.Load()
		if n <= m || w.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	key := partitionName(*events[0])
	if w.panicOn == key {
		panic("boom")
	}
	if w.hold != nil {
		if w.ignoreCtx {
			<-w.hold
		} else {
			select {
			case <-w.hold:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.fail[key]; err != nil {
		return err
	}
	w.calls = append(w.calls, values(events))
	return nil
}

func (w *recWriter) recorded() [][]streaming.PlaybackEvent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([][]streaming.PlaybackEvent(nil), w.calls...)
}

// recObserver records observed events.
type recObserver struct {
	mu     sync.Mutex
	events []streaming.PlaybackEvent
}

func (o *recObserver) Observe(events []*streaming.PlaybackEvent) {
	o.mu.Lock()
	o.events = append(o.events, values(events)...)
	o.mu.Unlock()
}

func (o *recObserver) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.events)
}

// values copies the events (a writer or an observer must not keep them).
func values(events []*streaming.PlaybackEvent) []streaming.PlaybackEvent {
	out := make([]streaming.PlaybackEvent, len(events))
	for i, e := range events {
		out[i] = *e
	}
	return out
}

// refs points at each of events.
func refs(events []streaming.PlaybackEvent) []*streaming.PlaybackEvent {
	out := make([]*streaming.PlaybackEvent, len(events))
	for i := range events {
		out[i] = &events[i]
	}
	return out
}

func uuidN(prefix byte, n int) string {
	return fmt.Sprintf("%c%07x-0000-4000-8000-%012x", prefix, n, n)
}

// ev builds an event of partition (user u, content c); seq goes into EventID and PositionSeconds.
func ev(u, c, seq int) streaming.PlaybackEvent {
	return streaming.PlaybackEvent{EventID: uuidN('e', seq), UserID: uuidN('a', u), ContentID: uuidN('c', c),
		OccurredAt: time.Unix(1_700_000_000, 0), PlayedSeconds: 10, PositionSeconds: int32(seq), Device: "web", Quality: "hd"}
}

func newTestPipeline(t *testing.T, cfg Config, w streaming.PlaybackWriter, obs streaming.PlaybackObserver) *Pipeline {
	t.Helper()
	p := New(cfg, w, obs, nil, nil)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.Close(ctx)
	})
	return p
}

func waitTicket(t *testing.T, tk *Ticket) []error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := tk.Wait(ctx)
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return res
}

func TestGroupsByPartitionAndMaxBatch(t *testing.T) {
	w := &recWriter{}
	p := newTestPipeline(t, Config{MaxBatch: 3, Writers: 1, Linger: 5 * time.Millisecond}, w, nil)
	// A/X ×7, A/Y ×2, B/X ×1, interleaved.
	var events []streaming.PlaybackEvent
	seq := 0
	add := func(u, c int) { events = append(events, ev(u, c, seq)); seq++ }
	for i := 0; i < 7; i++ {
		add(1, 1)
		if i < 2 {
			add(1, 2)
		}
		if i == 3 {
			add(2, 1)
		}
	}
	tk, err := p.Submit(context.Background(), events)
	if err != nil {
		t.Fatal(err)
	}
	if res := waitTicket(t, tk); res != nil {
		t.Fatalf("results = %v, want all durable", res)
	}

	calls := w.recorded()
	total := 0
	byKey := map[string][]streaming.PlaybackEvent{}
	var sizes []string
	for _, c := range calls {
		if len(c) == 0 || len(c) > 3 {
			t.Fatalf("write of %d events, want 1..3", len(c))
		}
		for _, e := range c {
			if partitionName(e) != partitionName(c[0]) {
				t.Fatalf("one write mixes partitions %s and %s", partitionName(c[0]), partitionName(e))
			}
		}
		total += len(c)
		byKey[partitionName(c[0])] = append(byKey[partitionName(c[0])], c...)
		sizes = append(sizes, fmt.Sprintf("%s%s:%d", c[0].UserID[7:8], c[0].ContentID[7:8], len(c)))
	}
	if total != len(events) {
		t.Fatalf("wrote %d events, want %d", total, len(events))
	}
	// One writer: the two full A/X batches go first, during Submit; the linger flushes the rest in the order the
	// groups were opened.
	// Labels are user digit, content digit: events of user, content.
	want := fmt.Sprint([]string{"11:3", "11:3", "12:2", "21:1", "11:1"})
	if got := fmt.Sprint(sizes); got != want {
		t.Errorf("writes %s, want %s", got, want)
	}
	// Within a partition, the events keep their submission order.
	for key, got := range byKey {
		var want []streaming.PlaybackEvent
		for _, e := range events {
			if partitionName(e) == key {
				want = append(want, e)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("partition %s written as %v, want %v", key, got, want)
		}
	}
}

// TestPruneKeepsOpenGroups: once partitions without an open group fill the open table, pruning drops their slots
// but keeps the open groups' slots with their events, so those partitions' next events join them.
func TestPruneKeepsOpenGroups(t *testing.T) {
	w := &recWriter{}
	p := newTestPipeline(t, Config{MaxBatch: 2, Writers: 2, Linger: time.Hour}, w, nil)
	const flushed, open = 1500, 3
	submit := func(events []streaming.PlaybackEvent) *Ticket {
		t.Helper()
		tk, err := p.Submit(context.Background(), events)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	var full []streaming.PlaybackEvent // two events per partition: each group fills and is flushed at once
	for c := range flushed {
		full = append(full, ev(1, c, 2*c), ev(1, c, 2*c+1))
	}
	if res := waitTicket(t, submit(full)); res != nil {
		t.Fatalf("results %v, want all durable", res)
	}
	var first, second []streaming.PlaybackEvent // one event each into open groups, then their second
	for c := range open {
		first = append(first, ev(1, c, 10_000+c))
		second = append(second, ev(1, c, 20_000+c))
	}
	firstTicket := submit(first)

	p.mu.Lock()
	for p.fifo.len() > 0 { // drop the flushed groups' entries, as the linger loop does
		if e := p.fifo.peek(); e.g.gen == e.gen && e.g.open {
			break
		}
		p.fifo.pop()
	}
	before := p.open.len()
	p.pruneOpen()
	after := p.open.len()
	p.mu.Unlock()
	if before != flushed || after != open {
		t.Fatalf("open table held %d slots before pruning and %d after, want %d and %d", before, after, flushed, open)
	}

	secondTicket := submit(second) // fills the open groups: flushed at once, with the events the slots kept
	for _, tk := range []*Ticket{firstTicket, secondTicket} {
		if res := waitTicket(t, tk); res != nil {
			t.Fatalf("results %v, want all durable", res)
		}
	}
	writes := w.recorded()
	if len(writes) != flushed+open {
		t.Fatalf("%d writes, want %d", len(writes), flushed+open)
	}
	for _, c := range writes[flushed:] {
		if len(c) != 2 || partitionName(c[0]) != partitionName(c[1]) || c[1].PositionSeconds-c[0].PositionSeconds != 10_000 {
			t.Errorf("write after pruning %v, want the partition's first and second event", c)
		}
	}
}

func TestLingerFlushesPartialBatch(t *testing.T) {
	w := &recWriter{}
	p := newTestPipeline(t, Config{MaxBatch: 100, Linger: 20 * time.Millisecond}, w, nil)
	start := time.Now()
	tk, err := p.Submit(context.Background(), []streaming.PlaybackEvent{ev(1, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	waitTicket(t, tk)
	if d := time.Since(start); d < 10*time.Millisecond {
		t.Errorf("partial batch written after %v, want it to linger about 20ms", d)
	}
	// Idle, then a second Submit: the linger loop wakes up again.
	time.Sleep(50 * time.Millisecond)
	tk, _ = p.Submit(context.Background(), []streaming.PlaybackEvent{ev(1, 1, 2)})
	waitTicket(t, tk)
	if n := len(w.recorded()); n != 2 {
		t.Errorf("%d writes, want 2", n)
	}
}

// While every writer is busy and readyTarget groups per writer wait, expired groups stay open and keep gathering
// their partition's events; once a writer frees up they are written, fuller, and nothing is lost.
func TestBusyWritersLetGroupsGrow(t *testing.T) {
	w := &recWriter{hold: make(chan struct{}), ignoreCtx: true}
	p := newTestPipeline(t, Config{Writers: 1, MaxBatch: 100, Linger: 2 * time.Millisecond}, w, nil)
	submit := func(e streaming.PlaybackEvent) *Ticket {
		t.Helper()
		tk, err := p.Submit(context.Background(), []streaming.PlaybackEvent{e})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	var tickets []*Ticket
	// More partitions than the blocked writer's chunk (up to maxChunk) plus the ready target (readyTarget per
	// writer) can take: the youngest expire while the writer is busy and the target is met, so they are held open.
	n := maxChunk + readyTarget + 8
	for c := range n {
		tickets = append(tickets, submit(ev(1, c, c)))
	}
	time.Sleep(20 * time.Millisecond)
	held := n - 1
	for seq := 1000; seq < 1005; seq++ { // the held group keeps growing
		tickets = append(tickets, submit(ev(1, held, seq)))
		time.Sleep(5 * time.Millisecond)
	}
	close(w.hold)
	for _, tk := range tickets {
		for i, err := range waitTicket(t, tk) {
			if err != nil {
				t.Fatalf("event %d: %v", i, err)
			}
		}
	}
	sizes := map[string][]int{}
	for _, call := range w.recorded() {
		sizes[partitionName(call[0])] = append(sizes[partitionName(call[0])], len(call))
	}
	if got := sizes[partitionName(ev(1, held, 0))]; len(got) != 1 || got[0] != 6 {
		t.Errorf("writes of the held partition carried %v events, want one write of 6", got)
	}
	if len(sizes) != n {
		t.Errorf("%d partitions written, want %d", len(sizes), n)
	}
}

func TestResultsPerEventFailingPartition(t *testing.T) {
	storeDown := errors.New("connection refused")
	coded := &streaming.Error{Code: streaming.CodeUnavailable, Message: "cassandra is unavailable, retry later"}
	w := &recWriter{fail: map[string]error{
		partitionName(ev(2, 1, 0)): storeDown,
		partitionName(ev(3, 3, 0)): coded,
	}}
	obs := &recObserver{}
	p := newTestPipeline(t, Config{MaxBatch: 4, Linger: time.Millisecond}, w, obs)

	var events []streaming.PlaybackEvent
	for i := 0; i < 300; i++ {
		events = append(events, ev(1+i%4, 1+i%3, i)) // 12 partitions
	}
	// Pipelining: three Submits before the first Wait.
	var tickets []*Ticket
	for _, chunk := range [][]streaming.PlaybackEvent{events[:100], events[100:250], events[250:]} {
		tk, err := p.Submit(context.Background(), chunk)
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	base, ok := 0, 0
	for _, tk := range tickets {
		res := waitTicket(t, tk)
		if res == nil || len(res) != tk.Len() {
			t.Fatalf("results len %d, want %d with failures", len(res), tk.Len())
		}
		failed := 0
		for i, r := range res {
			e := events[base+i]
			switch partitionName(e) {
			case partitionName(ev(2, 1, 0)):
				if streaming.ErrorCode(r) != streaming.CodeUnavailable || !errors.Is(r, storeDown) {
					t.Fatalf("event %d (failing partition): result %v, want Unavailable wrapping the cause", base+i, r)
				}
				failed++
			case partitionName(ev(3, 3, 0)):
				if r != coded {
					t.Fatalf("event %d: result %v, want the writer's own coded error", base+i, r)
				}
				failed++
			default:
				if r != nil {
					t.Fatalf("event %d (healthy partition): result %v, want nil", base+i, r)
				}
				ok++
			}
		}
		if tk.Failed() != failed {
			t.Errorf("Failed() = %d, want %d", tk.Failed(), failed)
		}
		base += tk.Len()
	}
	if obs.count() != ok {
		t.Errorf("observer saw %d events, want the %d durable ones only", obs.count(), ok)
	}
}

func TestResultOrderMatchesInput(t *testing.T) {
	w := &recWriter{fail: map[string]error{}}
	for u := 0; u < 50; u += 7 {
		w.fail[partitionName(ev(u, u%5, 0))] = errors.New("down")
	}
	p := newTestPipeline(t, Config{MaxBatch: 3, Writers: 8, Linger: time.Millisecond}, w, nil)
	events := make([]streaming.PlaybackEvent, 1000)
	for i := range events {
		u := (i * 31) % 50
		events[i] = ev(u, u%5, i)
	}
	tk, err := p.Submit(context.Background(), events)
	if err != nil {
		t.Fatal(err)
	}
	res := waitTicket(t, tk)
	for i := range events {
		u := (i * 31) % 50
		wantFail := u%7 == 0
		if (res[i] != nil) != wantFail {
			t.Fatalf("event %d (user %d): result %v, want failure=%v", i, u, res[i], wantFail)
		}
	}
	// Every durable event was written once, as submitted (the writer got copies gathered from the ticket).
	written := map[string]streaming.PlaybackEvent{}
	for _, c := range w.recorded() {
		for _, e := range c {
			if _, dup := written[e.EventID]; dup {
				t.Fatalf("event %s written twice", e.EventID)
			}
			written[e.EventID] = e
		}
	}
	for i, e := range events {
		if got, ok := written[e.EventID]; (res[i] == nil) != ok || ok && got != e {
			t.Fatalf("event %d: written %v as %+v, want %+v (durable: %v)", i, ok, got, e, res[i] == nil)
		}
	}
}

func TestBackPressure(t *testing.T) {
	const queue = 10
	w := &recWriter{hold: make(chan struct{})}
	p := newTestPipeline(t, Config{QueueEvents: queue, MaxBatch: 5, Writers: 2, Linger: time.Millisecond,
		EnqueueWait: 60 * time.Millisecond, RetryAfter: 3 * time.Second}, w, nil)

	var tickets []*Ticket
	for i := 0; i < 2; i++ {
		events := make([]streaming.PlaybackEvent, 5)
		for j := range events {
			events[j] = ev(i, j, i*5+j) // 5 partitions each
		}
		tk, err := p.Submit(context.Background(), events)
		if err != nil {
			t.Fatalf("Submit %d within the bound: %v", i, err)
		}
		tickets = append(tickets, tk)
	}

	start := time.Now()
	_, err := p.Submit(context.Background(), []streaming.PlaybackEvent{ev(9, 9, 99)})
	waited := time.Since(start)
	e := streaming.AsError(err)
	if e == nil || e.Code != streaming.CodeBusy || e.RetryAfter != 3*time.Second {
		t.Fatalf("Submit past the bound: %v, want CodeBusy with RetryAfter 3s", err)
	}
	if waited < 50*time.Millisecond {
		t.Errorf("Submit gave up after %v, want it to wait the enqueue wait (60ms)", waited)
	}
	if got := p.sem.inUse(); got != queue {
		t.Errorf("queued events %d, want %d", got, queue)
	}
	if got := queuedEvents(p); got > queue {
		t.Errorf("pipeline holds %d events, more than the bound %d", got, queue)
	}
	if got := w.maxIn.Load(); got > 2 {
		t.Errorf("%d writes in flight, want at most Writers=2", got)
	}

	// A Submit whose ctx ends while waiting returns the ctx error.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	_, err = p.Submit(ctx, []streaming.PlaybackEvent{ev(9, 9, 98)})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Submit with ended ctx: %v, want DeadlineExceeded", err)
	}

	// A Submit that waits is admitted once writes complete.
	p.cfg.EnqueueWait = 5 * time.Second
	type result struct {
		tk  *Ticket
		err error
	}
	admitted := make(chan result, 1)
	go func() {
		tk, err := p.Submit(context.Background(), []streaming.PlaybackEvent{ev(9, 9, 97), ev(9, 9, 96)})
		admitted <- result{tk, err}
	}()
	select {
	case r := <-admitted:
		t.Fatalf("Submit admitted while the queue is full: %v", r.err)
	case <-time.After(30 * time.Millisecond):
	}
	close(w.hold)
	r := <-admitted
	if r.err != nil {
		t.Fatalf("Submit after room freed: %v", r.err)
	}
	for _, tk := range append(tickets, r.tk) {
		if res := waitTicket(t, tk); res != nil {
			t.Errorf("results %v, want all durable", res)
		}
	}
	if got := p.sem.inUse(); got != 0 {
		t.Errorf("queued events after all writes %d, want 0", got)
	}
}

// queuedEvents counts the events the pipeline holds in open, ready and in-flight groups.
func queuedEvents(p *Pipeline) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, sl := range p.open.slots {
		if sl.isOpen() {
			n += len(sl.refs)
		}
	}
	p.rmu.Lock()
	defer p.rmu.Unlock()
	for i := 0; i < p.ready.len(); i++ {
		n += len(p.ready.buf[(p.ready.head+i)&(len(p.ready.buf)-1)].refs)
	}
	for _, s := range p.slots {
		for _, g := range s.gs {
			n += len(g.refs)
		}
	}
	return n
}

func TestOversizedBatchIsInvalid(t *testing.T) {
	p := newTestPipeline(t, Config{QueueEvents: 3}, &recWriter{}, nil)
	_, err := p.Submit(context.Background(), make([]streaming.PlaybackEvent, 4))
	if streaming.ErrorCode(err) != streaming.CodeInvalid {
		t.Fatalf("Submit of 4 into a queue of 3: %v, want CodeInvalid", err)
	}
	tk, err := p.Submit(context.Background(), nil)
	if err != nil || waitTicket(t, tk) != nil || tk.Len() != 0 {
		t.Fatalf("empty Submit: %v", err)
	}
}

func TestCloseFlushesEverything(t *testing.T) {
	w := &recWriter{}
	obs := &recObserver{}
	// Linger of an hour: only Close can flush the partial batches.
	p := New(Config{MaxBatch: 50, Linger: time.Hour, Writers: 4}, w, obs, nil, nil)
	var tickets []*Ticket
	submitted := 0
	for b := 0; b < 20; b++ {
		events := make([]streaming.PlaybackEvent, 37)
		for i := range events {
			events[i] = ev(i%13, b%3, submitted)
			submitted++
		}
		tk, err := p.Submit(context.Background(), events)
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, tk := range tickets {
		select {
		case <-tk.Done():
		default:
			t.Fatal("a ticket is still pending after Close returned")
		}
		if res := waitTicket(t, tk); res != nil {
			t.Fatalf("results %v, want all durable", res)
		}
	}
	written := 0
	for _, c := range w.recorded() {
		written += len(c)
	}
	if written != submitted || obs.count() != submitted {
		t.Fatalf("written %d, observed %d, want %d", written, obs.count(), submitted)
	}
	_, err := p.Submit(context.Background(), []streaming.PlaybackEvent{ev(1, 1, 1)})
	if streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Fatalf("Submit after Close: %v, want CodeUnavailable", err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestCloseRefusesWaitingSubmit(t *testing.T) {
	w := &recWriter{hold: make(chan struct{})}
	p := New(Config{QueueEvents: 1, Linger: -1, EnqueueWait: 10 * time.Second}, w, nil, nil, nil)
	tk, err := p.Submit(context.Background(), []streaming.PlaybackEvent{ev(1, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := p.Submit(context.Background(), []streaming.PlaybackEvent{ev(1, 1, 2)})
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond) // let it wait for room
	closed := make(chan error, 1)
	go func() { closed <- p.Close(context.Background()) }()
	if err := <-errc; streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Fatalf("waiting Submit during Close: %v, want CodeUnavailable", err)
	}
	close(w.hold)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if res := waitTicket(t, tk); res != nil {
		t.Fatalf("accepted event: %v, want durable", res)
	}
}

func TestCloseGivesUpWithDefiniteResults(t *testing.T) {
	for _, ignoreCtx := range []bool{false, true} {
		t.Run(fmt.Sprint("ignoreCtx=", ignoreCtx), func(t *testing.T) {
			w := &recWriter{hold: make(chan struct{}), ignoreCtx: ignoreCtx}
			defer close(w.hold)
			obs := &recObserver{}
			p := New(Config{MaxBatch: 2, Writers: 2, Linger: time.Hour}, w, obs, nil, nil)
			events := make([]streaming.PlaybackEvent, 9) // 2 full groups in flight, 2 queued, 1 open
			for i := range events {
				events[i] = ev(i/2, 0, i)
			}
			tk, err := p.Submit(context.Background(), events)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			if err := p.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Close: %v, want DeadlineExceeded", err)
			}
			select {
			case <-tk.Done():
			default:
				t.Fatal("ticket still pending after Close gave up")
			}
			res := waitTicket(t, tk)
			for i, r := range res {
				if streaming.ErrorCode(r) != streaming.CodeUnavailable {
					t.Errorf("event %d: %v, want CodeUnavailable (not stored)", i, r)
				}
			}
			if len(res) != len(events) {
				t.Fatalf("results %d, want %d", len(res), len(events))
			}
			if p.sem.inUse() != 0 {
				t.Errorf("queue still counts %d events", p.sem.inUse())
			}
			if obs.count() != 0 {
				t.Errorf("observer saw %d events that were reported not stored", obs.count())
			}
		})
	}
}

func TestWriteTimeout(t *testing.T) {
	w := &recWriter{hold: make(chan struct{})}
	p := newTestPipeline(t, Config{Linger: -1, Writers: 1, WriteTimeout: 80 * time.Millisecond}, w, nil)
	start := time.Now()
	tk, err := p.Submit(context.Background(), []streaming.PlaybackEvent{ev(1, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	res := waitTicket(t, tk)
	if d := time.Since(start); d < 70*time.Millisecond || d > 2*time.Second {
		t.Errorf("timed out after %v, want about 80-90ms", d)
	}
	if e := streaming.AsError(res[0]); e == nil || e.Code != streaming.CodeUnavailable || !errors.Is(e, context.Canceled) {
		t.Fatalf("result %v, want CodeUnavailable wrapping the canceled write", res[0])
	}
	// The writer gets a fresh context for the next write.
	close(w.hold)
	tk, _ = p.Submit(context.Background(), []streaming.PlaybackEvent{ev(1, 1, 2)})
	if res := waitTicket(t, tk); res != nil {
		t.Fatalf("write after a timeout: %v", res)
	}
}

func TestWriterPanicFailsOnlyItsEvents(t *testing.T) {
	w := &recWriter{panicOn: partitionName(ev(1, 1, 0))}
	p := newTestPipeline(t, Config{Linger: -1}, w, nil)
	tk, err := p.Submit(context.Background(), []streaming.PlaybackEvent{ev(1, 1, 1), ev(2, 2, 2)})
	if err != nil {
		t.Fatal(err)
	}
	res := waitTicket(t, tk)
	if streaming.ErrorCode(res[0]) != streaming.CodeInternal || res[1] != nil {
		t.Fatalf("results %v, want [internal, nil]", res)
	}
}

func TestTicketWaitCtx(t *testing.T) {
	w := &recWriter{hold: make(chan struct{})}
	p := newTestPipeline(t, Config{Linger: -1}, w, nil)
	tk, err := p.Submit(context.Background(), []streaming.PlaybackEvent{ev(1, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := tk.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait: %v, want DeadlineExceeded", err)
	}
	close(w.hold)
	if res := waitTicket(t, tk); res != nil {
		t.Fatal(res)
	}
}

// Many concurrent streams, pipelined, with some failing partitions: every event gets exactly its result and the
// queue returns to empty (run with -race).
func TestConcurrentStreams(t *testing.T) {
	w := &recWriter{fail: map[string]error{partitionName(ev(0, 0, 0)): errors.New("down")}}
	p := newTestPipeline(t, Config{QueueEvents: 2000, MaxBatch: 7, Writers: 4, Linger: time.Millisecond}, w, nil)
	var wg sync.WaitGroup
	for s := 0; s < 6; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var tickets []*Ticket
			var batches [][]streaming.PlaybackEvent
			for b := 0; b < 20; b++ {
				events := make([]streaming.PlaybackEvent, 250)
				for i := range events {
					events[i] = ev((s*7+i)%5, i%3, b*1000+i)
				}
				tk, err := p.Submit(context.Background(), events)
				if err != nil {
					t.Error(err)
					return
				}
				tickets, batches = append(tickets, tk), append(batches, events)
			}
			for k, tk := range tickets {
				res := waitTicket(t, tk)
				for i, e := range batches[k] {
					var r error
					if res != nil {
						r = res[i]
					}
					if fail := e.UserID == uuidN('a', 0) && e.ContentID == uuidN('c', 0); (r != nil) != fail {
						t.Errorf("event %v: %v", e, r)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if n := p.sem.inUse(); n != 0 {
		t.Errorf("queue counts %d events after all tickets completed", n)
	}
}

func TestCloseStopsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	p := New(Config{Writers: 8}, DiscardWriter{}, nil, nil, nil)
	tk, err := p.Submit(context.Background(), []streaming.PlaybackEvent{ev(1, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	waitTicket(t, tk)
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after Close, %d before New", runtime.NumGoroutine(), before)
		}
		time.Sleep(time.Millisecond)
	}
}

// partitionOf names the Cassandra partition of an event, (user, content), as the pipeline groups them.
func partitionName(e streaming.PlaybackEvent) string { return e.UserID + "/" + e.ContentID }
