package groupcommit_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/groupcommit"
)

type item struct {
	key string
	n   int
}

// recorder is a Write that records its batches; while gate is set, each write waits for a value from it.
type recorder struct {
	mu      sync.Mutex
	batches [][]item
	gate    chan struct{}
	entered chan struct{} // a value per write begun
	fail    map[int]error // by item n
}

func (r *recorder) write(_ context.Context, batch []*item) []error {
	r.entered <- struct{}{}
	if r.gate != nil {
		<-r.gate
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	b := make([]item, len(batch))
	var errs []error
	for i, it := range batch {
		b[i] = *it
		if err := r.fail[it.n]; err != nil {
			if errs == nil {
				errs = make([]error, len(batch))
			}
			errs[i] = err
		}
	}
	r.batches = append(r.batches, b)
	return errs
}

func (r *recorder) recorded() [][]item {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.batches)
}

// queue starts Do(it) in a goroutine of wg and returns once it waits in g's queue as its n-th caller, so the test
// decides the order of arrival.
func queue(t *testing.T, wg *sync.WaitGroup, g *groupcommit.Group[*item], n int, do func()) {
	t.Helper()
	wg.Go(do)
	for deadline := time.Now().Add(5 * time.Second); g.Queued() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for caller %d to queue", n)
		}
	}
}

// A caller that finds a free slot writes alone at once; while the slot is busy, callers queue and the next write
// takes them all, in arrival order, but never two of one key: the later waits for the batch after.
func TestBatchesWhileBusy(t *testing.T) {
	rec := &recorder{gate: make(chan struct{}), entered: make(chan struct{}, 10)}
	g := &groupcommit.Group[*item]{Write: rec.write, Key: func(it *item) string { return it.key }, Slots: 1}
	var wg sync.WaitGroup
	do := func(it *item) func() {
		return func() {
			if err := g.Do(t.Context(), it); err != nil {
				t.Errorf("Do(%v) = %v", *it, err)
			}
		}
	}
	wg.Go(do(&item{"a", 0}))
	<-rec.entered
	// The first caller holds the only slot (its write waits at the gate); these five queue behind it in order.
	for i, k := range []string{"b", "a", "c", "b", "d"} {
		queue(t, &wg, g, i+1, do(&item{k, i + 1}))
	}
	for range 3 {
		rec.gate <- struct{}{}
	}
	wg.Wait()
	want := [][]item{{{"a", 0}}, {{"b", 1}, {"a", 2}, {"c", 3}, {"d", 5}}, {{"b", 4}}}
	if got := rec.recorded(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("batches = %v, want %v", got, want)
	}
	if g.Queued() != 0 {
		t.Errorf("%d callers left queued", g.Queued())
	}
}

// Each caller gets its own item's error; a batch longer than MaxBatch is split.
func TestErrorsPerItemAndMaxBatch(t *testing.T) {
	boom := errors.New("boom")
	rec := &recorder{gate: make(chan struct{}), entered: make(chan struct{}, 10), fail: map[int]error{3: boom}}
	g := &groupcommit.Group[*item]{Write: rec.write, Slots: 1, MaxBatch: 2}
	errs := make([]error, 6)
	var wg sync.WaitGroup
	wg.Go(func() { errs[0] = g.Do(t.Context(), &item{"0", 0}) })
	<-rec.entered
	for i := 1; i < len(errs); i++ {
		queue(t, &wg, g, i, func() { errs[i] = g.Do(t.Context(), &item{fmt.Sprint(i), i}) })
	}
	for range 4 { // 1 alone, then 2 + 2 + 1
		rec.gate <- struct{}{}
	}
	wg.Wait()
	for i, err := range errs {
		if want := error(nil); i == 3 {
			want = boom
			if !errors.Is(err, want) {
				t.Errorf("item %d: %v, want %v", i, err, want)
			}
		} else if err != nil {
			t.Errorf("item %d: %v", i, err)
		}
	}
	var sizes []int
	for _, b := range rec.recorded() {
		sizes = append(sizes, len(b))
	}
	if !slices.Equal(sizes, []int{1, 2, 2, 1}) {
		t.Errorf("batch sizes = %v, want [1 2 2 1]", sizes)
	}
}

// A caller whose context ends while it waits in the queue leaves it: its item is never written. A write runs under a
// context the leading caller's cancellation does not end, bounded by the latest deadline of its callers.
func TestCancelWhileQueuedAndBatchDeadline(t *testing.T) {
	gate, entered := make(chan struct{}), make(chan struct{}, 2)
	var mu sync.Mutex
	var written []int
	var deadlines []time.Time
	g := &groupcommit.Group[*item]{Slots: 1, Write: func(ctx context.Context, batch []*item) []error {
		entered <- struct{}{}
		<-gate
		if ctx.Err() != nil {
			t.Errorf("a write's context ended: %v", ctx.Err())
		}
		d, _ := ctx.Deadline()
		mu.Lock()
		defer mu.Unlock()
		deadlines = append(deadlines, d)
		for _, it := range batch {
			written = append(written, it.n)
		}
		return nil
	}}
	leadCtx, cancelLead := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { _ = g.Do(leadCtx, &item{"x", 0}) })
	<-entered
	queuedCtx, cancelQueued := context.WithCancel(t.Context())
	queuedErr := make(chan error, 1)
	queue(t, &wg, g, 1, func() { queuedErr <- g.Do(queuedCtx, &item{"y", 1}) })
	far := time.Now().Add(time.Hour)
	farCtx, cancelFar := context.WithDeadline(t.Context(), far)
	defer cancelFar()
	queue(t, &wg, g, 2, func() { _ = g.Do(farCtx, &item{"z", 2}) })
	cancelQueued()
	if err := <-queuedErr; !errors.Is(err, context.Canceled) {
		t.Errorf("queued and cancelled: %v, want context.Canceled", err)
	}
	cancelLead() // the first write is under way: it goes on
	gate <- struct{}{}
	gate <- struct{}{}
	wg.Wait()
	if !slices.Equal(written, []int{0, 2}) {
		t.Errorf("written = %v, want [0 2] (1 left the queue)", written)
	}
	if len(deadlines) != 2 || !deadlines[1].Equal(far) {
		t.Errorf("deadlines = %v, want the second batch's to be its caller's %v", deadlines, far)
	}
}

// Under many callers, at most Slots writes run at once and every item is written exactly once.
func TestSlotsAndExactlyOnce(t *testing.T) {
	const callers, perCaller, slots = 32, 200, 3
	var running, peak atomic.Int32
	var mu sync.Mutex
	seen := map[int]int{}
	g := &groupcommit.Group[*item]{Slots: slots, MaxBatch: 16, Key: func(it *item) string { return it.key },
		Write: func(_ context.Context, batch []*item) []error {
			n := running.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(100 * time.Microsecond)
			mu.Lock()
			for _, it := range batch {
				seen[it.n]++
			}
			mu.Unlock()
			running.Add(-1)
			return nil
		}}
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for i := range perCaller {
				n := c*perCaller + i
				if err := g.Do(t.Context(), &item{fmt.Sprint(n % 50), n}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p > slots || p < 2 {
		t.Errorf("peak concurrent writes = %d, want 2..%d", p, slots)
	}
	if len(seen) != callers*perCaller {
		t.Errorf("%d items written, want %d", len(seen), callers*perCaller)
	}
	for n, times := range seen {
		if times != 1 {
			t.Errorf("item %d written %d times", n, times)
		}
	}
}

// A write that panics answers every caller of its batch with an error and hands the slot on; the panic goes on in
// the goroutine that wrote.
func TestPanicInWrite(t *testing.T) {
	gate, entered := make(chan struct{}), make(chan struct{}, 3)
	var calls atomic.Int32
	g := &groupcommit.Group[*item]{Slots: 1, Write: func(_ context.Context, batch []*item) []error {
		entered <- struct{}{}
		<-gate
		if calls.Add(1) == 2 {
			panic("bad batch")
		}
		return nil
	}}
	var wg sync.WaitGroup
	wg.Go(func() { _ = g.Do(t.Context(), &item{"a", 0}) })
	<-entered
	errs := make([]error, 2)
	panics := make([]any, 2)
	for i := range errs {
		queue(t, &wg, g, i+1, func() {
			defer func() { panics[i] = recover() }()
			errs[i] = g.Do(t.Context(), &item{"b", i + 1})
		})
	}
	gate <- struct{}{}
	gate <- struct{}{}
	wg.Wait()
	if panics[0] == nil || errs[1] == nil || panics[1] != nil {
		t.Errorf("panics = %v, errors = %v: want the writer to panic and the other caller to get an error", panics, errs)
	}
	// The slot was handed back: a later call writes.
	go func() { gate <- struct{}{} }()
	if err := g.Do(t.Context(), &item{"c", 3}); err != nil {
		t.Errorf("after the panic: %v", err)
	}
}
