package outbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamingplatform/streaming/server/outbox"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Each test migrates a schema of its own and points its pool's search_path at it, so it sees only its own outbox
// rows, and its relays neither publish nor clean up rows of other packages' tests running against the same
// database. NOTIFY outbox is database-wide, so other tests' inserts may wake a relay early; no test depends on that
// not happening.

func newSchema(t *testing.T) (*postgres.Pool, context.Context) {
	t.Helper()
	url, _ := storetest.PostgresSchema(t, "outbox_test")
	ctx := storetest.Context(t, time.Minute)
	pool, closePool, err := postgres.Open(ctx, postgres.Config{URL: url})
	if err != nil {
		t.Fatalf("pool: %v", err)
	}
	t.Cleanup(closePool)
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return pool, ctx
}

// insert appends one event in its own transaction, as a command would.
func insert(t *testing.T, ctx context.Context, pool *postgres.Pool, aggregate string, version int64) {
	t.Helper()
	_, err := pool.Exec(ctx, `INSERT INTO outbox (aggregate_type, aggregate_id, version, event_type, payload, occurred_at)
		VALUES ('test', $1, $2, 'Tested', jsonb_build_object('v', $2::bigint), now())`, aggregate, version)
	if err != nil {
		t.Errorf("insert %s v%d: %v", aggregate, version, err)
	}
}

// insertAll writes versions 1..versions of aggregates agg-0.. concurrently across aggregates and in version order
// within each, which is what commands locking their aggregate's row guarantee.
func insertAll(t *testing.T, ctx context.Context, pool *postgres.Pool, aggregates, versions int) {
	t.Helper()
	var wg sync.WaitGroup
	for a := range aggregates {
		wg.Go(func() {
			for v := 1; v <= versions; v++ {
				insert(t, ctx, pool, fmt.Sprintf("agg-%d", a), int64(v))
			}
		})
	}
	wg.Wait()
}

func count(t *testing.T, ctx context.Context, pool *postgres.Pool, sql string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(ctx, sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// recorder is a projector that remembers what it was given, in delivery order, and fails while failing is set.
// One recorder may serve several relays; delivery to it is then serialized per partition by the relays' lock.
type recorder struct {
	name    string
	failing atomic.Bool
	calls   atomic.Int64
	mu      sync.Mutex
	events  []streaming.Event
}

func (r *recorder) Name() string { return r.name }

func (r *recorder) Project(_ context.Context, events []streaming.Event) error {
	r.calls.Add(1)
	if r.failing.Load() {
		return errors.New("read model unavailable")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, events...)
	return nil
}

func (r *recorder) got() []streaming.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]streaming.Event(nil), r.events...)
}

// start runs r until the test ends.
func start(t *testing.T, r *outbox.Relay) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitPublished waits until the relays have committed every row: projectors see events before that commit.
func waitPublished(t *testing.T, ctx context.Context, pool *postgres.Pool) {
	t.Helper()
	waitFor(t, 10*time.Second, "every row published", func() bool {
		return count(t, ctx, pool, `SELECT count(*) FROM outbox WHERE published_at IS NULL`) == 0
	})
}

// wantEachOnceInOrder checks that events hold versions 1..versions of each of agg-0..agg-(aggregates-1) exactly
// once, in version order per aggregate, with the payload written.
func wantEachOnceInOrder(t *testing.T, events []streaming.Event, aggregates, versions int) {
	t.Helper()
	seen := map[string][]int64{}
	for _, e := range events {
		var p struct{ V int64 }
		if err := json.Unmarshal(e.Payload, &p); err != nil || p.V != e.Version || e.Type != "Tested" || e.AggregateType != "test" {
			t.Fatalf("event %+v: payload %s (%v)", e, e.Payload, err)
		}
		seen[e.AggregateID] = append(seen[e.AggregateID], e.Version)
	}
	if len(seen) != aggregates {
		t.Fatalf("events of %d aggregates, want %d", len(seen), aggregates)
	}
	for id, got := range seen {
		want := make([]int64, versions)
		for i := range want {
			want[i] = int64(i + 1)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s delivered versions %v, want %v", id, got, want)
		}
	}
}

// value sums a gathered metric: counter and gauge values, or a histogram's observation count.
func value(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var sum float64
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue() + float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

func testLog(t *testing.T) *slog.Logger { return slog.New(slog.NewTextHandler(t.Output(), nil)) }

func TestDeliversInAggregateOrder(t *testing.T) {
	t.Parallel()
	pool, ctx := newSchema(t)
	rec := &recorder{name: "recorder"}
	reg := prometheus.NewRegistry()
	// Small batches, so an aggregate's events span several transactions and partitions share the workers.
	start(t, outbox.New(postgres.NewOutboxStore(pool), []outbox.Projector{rec},
		outbox.Config{Partitions: 4, Workers: 2, BatchSize: 7, PollInterval: 50 * time.Millisecond}, reg, testLog(t)))

	const aggregates, versions = 20, 15
	insertAll(t, ctx, pool, aggregates, versions) // while the relay runs
	// The counters move after the commit; the lag is observed before the published counter.
	waitFor(t, 10*time.Second, "delivery", func() bool {
		return value(t, reg, "outbox_events_published_total") >= aggregates*versions
	})
	time.Sleep(150 * time.Millisecond) // a few more polls, for any duplicate to show

	wantEachOnceInOrder(t, rec.got(), aggregates, versions)
	if n := count(t, ctx, pool, `SELECT count(*) FROM outbox WHERE published_at IS NULL`); n != 0 {
		t.Errorf("%d rows unpublished", n)
	}
	if n := value(t, reg, "outbox_events_published_total"); n != aggregates*versions {
		t.Errorf("published counter = %v, want %d", n, aggregates*versions)
	}
	if n := value(t, reg, "outbox_projection_lag_seconds"); n != aggregates*versions {
		t.Errorf("lag observations = %v, want %d", n, aggregates*versions)
	}
}

func TestTwoRelaysDeliverEachEventOnce(t *testing.T) {
	t.Parallel()
	pool, ctx := newSchema(t)
	rec := &recorder{name: "recorder"} // shared, so its order is the cluster's delivery order
	cfg := outbox.Config{Partitions: 4, Workers: 2, BatchSize: 5, PollInterval: 50 * time.Millisecond}
	regs := []*prometheus.Registry{prometheus.NewRegistry(), prometheus.NewRegistry()}
	for _, reg := range regs {
		start(t, outbox.New(postgres.NewOutboxStore(pool), []outbox.Projector{rec}, cfg, reg, testLog(t)))
	}

	const aggregates, versions = 30, 10
	insertAll(t, ctx, pool, aggregates, versions)
	published := func() float64 {
		return value(t, regs[0], "outbox_events_published_total") + value(t, regs[1], "outbox_events_published_total")
	}
	waitFor(t, 10*time.Second, "delivery", func() bool { return published() >= aggregates*versions })
	time.Sleep(150 * time.Millisecond) // a few more polls, for any duplicate to show

	wantEachOnceInOrder(t, rec.got(), aggregates, versions)
	a, b := value(t, regs[0], "outbox_events_published_total"), value(t, regs[1], "outbox_events_published_total")
	if a+b != aggregates*versions {
		t.Errorf("relays published %v + %v events, want %d in all", a, b, aggregates*versions)
	}
	t.Logf("relay A published %v, relay B %v", a, b)
}

// logBuffer collects log output written from the relay's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) count(s string) int { return strings.Count(l.String(), s) }

func TestProjectorFailureKeepsRowsUntilItRecovers(t *testing.T) {
	t.Parallel()
	pool, ctx := newSchema(t)
	first, second := &recorder{name: "first"}, &recorder{name: "second"}
	second.failing.Store(true)
	reg := prometheus.NewRegistry()
	var logs logBuffer
	// One partition, so there is one failure streak to log.
	start(t, outbox.New(postgres.NewOutboxStore(pool), []outbox.Projector{first, second},
		outbox.Config{Partitions: 1, PollInterval: 50 * time.Millisecond, RetryBackoff: 10 * time.Millisecond},
		reg, slog.New(slog.NewTextHandler(&logs, nil))))

	insertAll(t, ctx, pool, 3, 4)
	waitFor(t, 10*time.Second, "retries", func() bool { return second.calls.Load() >= 4 })
	if n := count(t, ctx, pool, `SELECT count(*) FROM outbox WHERE published_at IS NULL`); n != 12 {
		t.Fatalf("%d rows unpublished while a projector fails, want 12", n)
	}
	if n := value(t, reg, "outbox_events_published_total"); n != 0 {
		t.Fatalf("published counter = %v while a projector fails", n)
	}
	waitFor(t, 10*time.Second, "the oldest-unpublished gauge to grow", func() bool {
		return value(t, reg, "outbox_oldest_unpublished_seconds") > 0
	})

	second.failing.Store(false)
	waitPublished(t, ctx, pool)
	waitFor(t, 10*time.Second, "the oldest-unpublished gauge back at 0", func() bool {
		return value(t, reg, "outbox_oldest_unpublished_seconds") == 0
	})
	waitFor(t, 5*time.Second, "the recovery log", func() bool { return logs.count("outbox delivery recovered") == 1 })
	// The first projector saw the batch on every attempt (at least once); the second, once it recovered, exactly once.
	wantEachOnceInOrder(t, second.got(), 3, 4)
	if len(first.got()) <= 12 {
		t.Errorf("first projector got %d events, want the retried batches again", len(first.got()))
	}
	if n := value(t, reg, "outbox_projector_failures_total"); n < 3 {
		t.Errorf("failure counter = %v, want at least 3", n)
	}
	if n := logs.count("outbox delivery failing"); n != 1 {
		t.Errorf("failure logged %d times, want once per streak:\n%s", n, &logs)
	}
}

func TestDeliversWithoutNotify(t *testing.T) {
	t.Parallel()
	pool, ctx := newSchema(t)
	// Without the trigger, no NOTIFY accompanies the insert: only the poll can find it.
	if _, err := pool.Exec(ctx, `DROP TRIGGER outbox_notify ON outbox`); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{name: "recorder"}
	const poll = 100 * time.Millisecond
	start(t, outbox.New(postgres.NewOutboxStore(pool), []outbox.Projector{rec}, outbox.Config{Partitions: 2, PollInterval: poll}, nil, testLog(t)))

	time.Sleep(poll) // let the first passes find nothing
	insert(t, ctx, pool, "agg-0", 1)
	began := time.Now()
	waitFor(t, poll+2*time.Second, "delivery by poll", func() bool { return len(rec.got()) == 1 })
	t.Logf("delivered %v after commit", time.Since(began))
}

func TestNotifyWakesRelayBeforePoll(t *testing.T) {
	t.Parallel()
	pool, ctx := newSchema(t)
	rec := &recorder{name: "recorder"}
	// The poll never comes during the test, so every delivery here is woken by NOTIFY (or, for an insert that
	// beat the LISTEN, by the catch-up pass the relay runs once it listens).
	start(t, outbox.New(postgres.NewOutboxStore(pool), []outbox.Projector{rec}, outbox.Config{Partitions: 2, PollInterval: time.Hour}, nil, testLog(t)))

	for v := range int64(3) {
		insert(t, ctx, pool, "agg-0", v+1)
		waitFor(t, 5*time.Second, fmt.Sprintf("delivery of version %d", v+1), func() bool { return len(rec.got()) == int(v+1) })
	}
}

func TestCleanupDeletesOnlyOldPublishedRows(t *testing.T) {
	t.Parallel()
	pool, ctx := newSchema(t)
	for v := range int64(9) {
		insert(t, ctx, pool, "agg-0", v+1)
	}
	// Versions 1-5 were published two hours ago, 6-7 a minute ago, 8-9 (created long ago) never.
	_, err := pool.Exec(ctx, `
		UPDATE outbox SET created_at = now() - interval '3 hours',
			published_at = CASE WHEN version <= 5 THEN now() - interval '2 hours'
			                    WHEN version <= 7 THEN now() - interval '1 minute' END`)
	if err != nil {
		t.Fatal(err)
	}
	// Not started: Cleanup is called directly. A batch of 2 makes it loop.
	r := outbox.New(postgres.NewOutboxStore(pool), nil, outbox.Config{CleanupAfter: time.Hour, CleanupBatch: 2}, nil, testLog(t))
	n, err := r.Cleanup(ctx)
	if err != nil || n != 5 {
		t.Fatalf("Cleanup = %d, %v; want 5 rows deleted", n, err)
	}
	var left []int64
	rows, err := pool.Query(ctx, `SELECT version FROM outbox ORDER BY version`)
	for err == nil && rows.Next() {
		var v int64
		err = rows.Scan(&v)
		left = append(left, v)
	}
	if err == nil {
		err = rows.Err()
	}
	if err != nil || fmt.Sprint(left) != "[6 7 8 9]" {
		t.Fatalf("versions left %v, %v; want [6 7 8 9]", left, err)
	}
}

func TestRepublishRedelivers(t *testing.T) {
	t.Parallel()
	pool, ctx := newSchema(t)
	rec := &recorder{name: "recorder"}
	// An hour's poll: the redelivery must be woken by Republish's own NOTIFY.
	r := outbox.New(postgres.NewOutboxStore(pool), []outbox.Projector{rec}, outbox.Config{Partitions: 2, PollInterval: time.Hour}, nil, testLog(t))
	start(t, r)
	insertAll(t, ctx, pool, 2, 3)
	waitPublished(t, ctx, pool)

	n, err := r.Republish(ctx)
	if err != nil || n != 6 {
		t.Fatalf("Republish = %d, %v; want 6", n, err)
	}
	waitFor(t, 5*time.Second, "redelivery", func() bool { return len(rec.got()) == 12 })
	wantEachOnceInOrder(t, rec.got()[6:], 2, 3)
}

func TestPartitionHeldByAnotherRelayIsLeftAlone(t *testing.T) {
	t.Parallel()
	pool, ctx := newSchema(t)
	// Stand in for a relay on another replica mid-batch: hold the lock of the only partition.
	other, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release()
	if _, err := other.Exec(ctx, `SELECT pg_advisory_lock('outbox'::regclass::oid::int, 0)`); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{name: "recorder"}
	start(t, outbox.New(postgres.NewOutboxStore(pool), []outbox.Projector{rec}, outbox.Config{Partitions: 1, PollInterval: 20 * time.Millisecond}, nil, testLog(t)))
	insert(t, ctx, pool, "agg-0", 1)

	time.Sleep(200 * time.Millisecond) // ten polls
	if n := len(rec.got()); n != 0 {
		t.Fatalf("%d events delivered from a partition another relay holds", n)
	}
	if _, err := other.Exec(ctx, `SELECT pg_advisory_unlock('outbox'::regclass::oid::int, 0)`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "delivery once the partition is free", func() bool { return len(rec.got()) == 1 })
}

func TestPassesAreSpacedUnderSteadyCommits(t *testing.T) {
	t.Parallel()
	pool, ctx := newSchema(t)
	rec := &recorder{name: "recorder"}
	const gap = 100 * time.Millisecond
	began := time.Now() // every pass starts after this, so at most elapsed/gap+1 passes (and batches) can happen
	start(t, outbox.New(postgres.NewOutboxStore(pool), []outbox.Projector{rec},
		outbox.Config{Partitions: 1, PollInterval: time.Hour, MinPassInterval: gap}, nil, testLog(t)))

	// A commit every 10ms, each with its NOTIFY: without the floor nearly every one would get a pass of its own.
	for v := range int64(30) {
		insert(t, ctx, pool, "agg-0", v+1)
		time.Sleep(10 * time.Millisecond)
	}
	waitFor(t, 5*time.Second, "delivery", func() bool { return len(rec.got()) == 30 })
	wantEachOnceInOrder(t, rec.got(), 1, 30)
	if calls, most := rec.calls.Load(), int64(time.Since(began)/gap)+1; calls > most {
		t.Errorf("%d batches in %v, want at most %d with passes %v apart", calls, time.Since(began), most, gap)
	}
	t.Logf("%d batches for 30 events", rec.calls.Load())
}

// picky refuses one aggregate's version with err (and records everything else it is given).
type picky struct {
	recorder
	aggregate string
	version   int64
	err       error
}

func (p *picky) Project(ctx context.Context, events []streaming.Event) error {
	for _, e := range events {
		if e.AggregateID == p.aggregate && e.Version == p.version {
			return p.err
		}
	}
	return p.recorder.Project(ctx, events)
}

// An event a projector can never apply is moved to outbox_dead_letters after IsolateAfter failed passes, and the
// rest of its partition flows again; an event refused because a store is unavailable is never dead-lettered (it is
// owed to the projector, see TestUnavailableStoreDoesNotHoldTheOthersBack).
func TestPoisonEventIsDeadLettered(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		dead bool
	}{
		{"refused for good", errors.New("payload does not decode"), true},
		{"store unavailable", streaming.Unavailable("Neo4j", errors.New("connection refused")), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pool, ctx := newSchema(t)
			p := &picky{recorder: recorder{name: "picky"}, aggregate: "agg-1", version: 2, err: tc.err}
			reg := prometheus.NewRegistry()
			start(t, outbox.New(postgres.NewOutboxStore(pool), []outbox.Projector{p},
				outbox.Config{Partitions: 1, PollInterval: 20 * time.Millisecond, RetryBackoff: 5 * time.Millisecond, IsolateAfter: 2},
				reg, testLog(t)))
			insertAll(t, ctx, pool, 3, 3)
			if !tc.dead {
				// An unavailable store is owed the events instead: nothing dead-lettered, nothing lost.
				waitFor(t, 10*time.Second, "owed retries", func() bool { return value(t, reg, "outbox_projector_failures_total") >= 4 })
				if n := count(t, ctx, pool, `SELECT count(*) FROM outbox_dead_letters`); n != 0 {
					t.Fatalf("%d events dead-lettered while the store was only unavailable", n)
				}
				if n := count(t, ctx, pool, `SELECT count(*) FROM outbox_owed WHERE projector = 'picky'`); n == 0 {
					t.Fatal("nothing owed to the projector whose store is unavailable")
				}
				return
			}
			waitPublished(t, ctx, pool)
			var id, version int64
			var aggregate, projector, msg string
			if err := pool.QueryRow(ctx, `SELECT outbox_id, aggregate_id, version, projector, error FROM outbox_dead_letters`).
				Scan(&id, &aggregate, &version, &projector, &msg); err != nil {
				t.Fatalf("dead letter: %v", err)
			}
			if aggregate != "agg-1" || version != 2 || projector != "picky" || msg != "payload does not decode" {
				t.Errorf("dead letter = %d %s v%d %s %q", id, aggregate, version, projector, msg)
			}
			got := map[string][]int64{}
			for _, e := range p.got() {
				got[e.AggregateID] = append(got[e.AggregateID], e.Version)
			}
			// The others arrive, in order; whole batches may have been delivered before isolation, so dedupe.
			for agg, want := range map[string]string{"agg-0": "[1 2 3]", "agg-1": "[1 3]", "agg-2": "[1 2 3]"} {
				if s := fmt.Sprint(slices.Compact(got[agg])); s != want {
					t.Errorf("%s delivered %v, want %s", agg, got[agg], want)
				}
			}
			if n := value(t, reg, "outbox_dead_lettered_total"); n != 1 {
				t.Errorf("dead-letter counter = %v, want 1", n)
			}
		})
	}
}

// flaky fails with an Unavailable error while down is set.
type flaky struct {
	recorder
	down atomic.Bool
}

func (f *flaky) Project(ctx context.Context, events []streaming.Event) error {
	f.calls.Add(1)
	if f.down.Load() {
		return streaming.Unavailable("Neo4j", errors.New("connection refused"))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, events...)
	return nil
}

// A projector whose store is down does not hold the others back: they get every event at once and the rows are
// published; the events are owed to the one that is down, kept from cleanup, and delivered to it once, in order per
// aggregate, when its store is back.
func TestUnavailableStoreDoesNotHoldTheOthersBack(t *testing.T) {
	t.Parallel()
	pool, ctx := newSchema(t)
	healthy, down := &recorder{name: "healthy"}, &flaky{recorder: recorder{name: "down"}}
	down.down.Store(true)
	reg := prometheus.NewRegistry()
	relay := outbox.New(postgres.NewOutboxStore(pool), []outbox.Projector{down, healthy},
		outbox.Config{Partitions: 2, PollInterval: 20 * time.Millisecond, RetryBackoff: 5 * time.Millisecond, CleanupAfter: time.Millisecond},
		reg, testLog(t))
	start(t, relay)
	insertAll(t, ctx, pool, 3, 4)
	waitPublished(t, ctx, pool)
	wantEachOnceInOrder(t, healthy.got(), 3, 4)
	if n := count(t, ctx, pool, `SELECT count(*) FROM outbox_owed WHERE projector = 'down'`); n != 12 {
		t.Fatalf("%d events owed to the projector that is down, want 12", n)
	}
	if _, err := relay.Cleanup(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, ctx, pool, `SELECT count(*) FROM outbox`); n != 12 {
		t.Fatalf("cleanup left %d rows, want the 12 still owed", n)
	}
	waitFor(t, 10*time.Second, "the oldest-event gauge to count owed events", func() bool {
		return value(t, reg, "outbox_oldest_unpublished_seconds") > 0
	})
	for a := range 3 { // the next versions arrive while it is still down: they queue behind the owed ones
		insert(t, ctx, pool, fmt.Sprintf("agg-%d", a), 5)
	}
	waitPublished(t, ctx, pool)

	down.down.Store(false)
	waitFor(t, 10*time.Second, "owed events delivered", func() bool {
		return count(t, ctx, pool, `SELECT count(*) FROM outbox_owed`) == 0
	})
	wantEachOnceInOrder(t, down.got(), 3, 5)
	if len(healthy.got()) != 15 {
		t.Errorf("the healthy projector got %d events, want each of the 15 once", len(healthy.got()))
	}
	waitFor(t, 10*time.Second, "the gauge back at 0", func() bool { return value(t, reg, "outbox_oldest_unpublished_seconds") == 0 })
}

// panicky panics on one aggregate's version (and records everything else it is given).
type panicky struct {
	recorder
	aggregate string
	version   int64
}

func (p *panicky) Project(ctx context.Context, events []streaming.Event) error {
	for _, e := range events {
		if e.AggregateID == p.aggregate && e.Version == p.version {
			panic("nil map in the projector")
		}
	}
	return p.recorder.Project(ctx, events)
}

// A panic in a projector does not crash the process: it is recovered and counted, its event is handled like one
// the projector refuses (dead-lettered once delivered alone), and the other projectors get every event.
func TestPanickingProjectorIsIsolated(t *testing.T) {
	t.Parallel()
	pool, ctx := newSchema(t)
	healthy := &recorder{name: "healthy"}
	p := &panicky{recorder: recorder{name: "panicky"}, aggregate: "agg-1", version: 2}
	reg := prometheus.NewRegistry()
	start(t, outbox.New(postgres.NewOutboxStore(pool), []outbox.Projector{healthy, p},
		outbox.Config{Partitions: 1, PollInterval: 20 * time.Millisecond, RetryBackoff: 5 * time.Millisecond, IsolateAfter: 2},
		reg, testLog(t)))
	insertAll(t, ctx, pool, 3, 3)
	waitPublished(t, ctx, pool)

	var aggregate, projector, msg string
	var version int64
	if err := pool.QueryRow(ctx, `SELECT aggregate_id, version, projector, error FROM outbox_dead_letters`).
		Scan(&aggregate, &version, &projector, &msg); err != nil {
		t.Fatalf("dead letter: %v", err)
	}
	if aggregate != "agg-1" || version != 2 || projector != "panicky" || !strings.Contains(msg, "nil map in the projector") {
		t.Errorf("dead letter = %s v%d %s %q", aggregate, version, projector, msg)
	}
	// Batches were retried before isolation, so each projector saw some events more than once: every version, and
	// first in order.
	for name, want := range map[string]map[string]string{
		"healthy": {"agg-0": "[1 2 3]", "agg-1": "[1 2 3]", "agg-2": "[1 2 3]"},
		"panicky": {"agg-0": "[1 2 3]", "agg-1": "[1 3]", "agg-2": "[1 2 3]"},
	} {
		rec := map[string]*recorder{"healthy": healthy, "panicky": &p.recorder}[name]
		got := map[string][]int64{}
		for _, e := range rec.got() {
			got[e.AggregateID] = append(got[e.AggregateID], e.Version)
		}
		for agg, w := range want {
			if s := fmt.Sprint(firstSeen(got[agg])); s != w {
				t.Errorf("%s: %s delivered %v, want %s", name, agg, got[agg], w)
			}
		}
	}
	if n := value(t, reg, "outbox_projector_panics_total"); n < 3 {
		t.Errorf("panic counter = %v, want at least 3 (IsolateAfter batches and the isolated event)", n)
	}
	if n := value(t, reg, "outbox_dead_lettered_total"); n != 1 {
		t.Errorf("dead-letter counter = %v, want 1", n)
	}
}

// hung never answers while hanging is set, whatever its ctx says, as a driver stuck on a dead socket might;
// release lets the calls it holds end (with an error: their results come too late to count).
type hung struct {
	recorder
	hanging atomic.Bool
	release chan struct{}
}

func (h *hung) Project(ctx context.Context, events []streaming.Event) error {
	if h.hanging.Load() {
		h.calls.Add(1)
		<-h.release
		return errors.New("answered after the relay gave up")
	}
	return h.recorder.Project(ctx, events)
}

// A projector that hangs is abandoned at the projector deadline: the batch is published for the others within it
// (no transaction stays open on the hung store, no partition stalls), its events are owed to the hung projector,
// and it gets them, in order, once it answers again.
func TestHungProjectorIsBoundedByTheDeadline(t *testing.T) {
	t.Parallel()
	pool, ctx := newSchema(t)
	healthy := &recorder{name: "healthy"}
	h := &hung{recorder: recorder{name: "hung"}, release: make(chan struct{})}
	h.hanging.Store(true)
	released := sync.OnceFunc(func() { close(h.release) })
	t.Cleanup(released) // after the relay stops (cleanups run last first): the abandoned calls end
	reg := prometheus.NewRegistry()
	const deadline = 200 * time.Millisecond
	start(t, outbox.New(postgres.NewOutboxStore(pool), []outbox.Projector{h, healthy},
		outbox.Config{Partitions: 2, PollInterval: 20 * time.Millisecond, RetryBackoff: 5 * time.Millisecond, ProjectTimeout: deadline},
		reg, testLog(t)))

	began := time.Now()
	insertAll(t, ctx, pool, 3, 4)
	waitPublished(t, ctx, pool)
	if took := time.Since(began); took > 10*deadline {
		t.Errorf("publishing past a hung projector took %v with a %v deadline", took, deadline)
	}
	wantEachOnceInOrder(t, healthy.got(), 3, 4)
	if n := count(t, ctx, pool, `SELECT count(*) FROM outbox_owed WHERE projector = 'hung'`); n != 12 {
		t.Fatalf("%d events owed to the hung projector, want 12", n)
	}
	if n := value(t, reg, "outbox_projector_timeouts_total"); n < 1 {
		t.Errorf("timeout counter = %v, want at least 1", n)
	}
	// The relay goes on while the projector still hangs: a later event is published within the deadline too.
	time.Sleep(3 * deadline)
	insert(t, ctx, pool, "agg-0", 5)
	began = time.Now()
	waitPublished(t, ctx, pool)
	if took := time.Since(began); took > 10*deadline {
		t.Errorf("a later event took %v to publish past the hung projector", took)
	}
	if len(h.got()) != 0 {
		t.Fatalf("the hung projector recorded %d events", len(h.got()))
	}

	h.hanging.Store(false)
	released()
	waitFor(t, 10*time.Second, "owed events delivered", func() bool {
		return count(t, ctx, pool, `SELECT count(*) FROM outbox_owed`) == 0
	})
	got := h.got()
	if len(got) != 13 || got[12].AggregateID != "agg-0" || got[12].Version != 5 {
		t.Fatalf("the hung projector got %d events once back, want 13 ending with agg-0 v5", len(got))
	}
	wantEachOnceInOrder(t, got[:12], 3, 4)
}

// firstSeen is versions without repeats, each where it first appears.
func firstSeen(versions []int64) []int64 {
	var out []int64
	for _, v := range versions {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
