package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
	"github.com/streamingplatform/streaming/server/telemetry"
)

// The outbox relay's statements (postgres.OutboxStore) against the real server; server/outbox tests the relay
// built on them.

func outboxSetup(t *testing.T) (*postgres.OutboxStore, *pgxpool.Pool, context.Context) {
	t.Helper()
	url, _ := storetest.PostgresSchema(t, "outbox_store_test")
	ctx := storetest.Context(t, time.Minute)
	pool, cleanup, err := postgres.Open(ctx, postgres.Config{URL: url})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(cleanup)
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return postgres.NewOutboxStore(pool), pool, ctx
}

func insertEvents(t *testing.T, ctx context.Context, pool *pgxpool.Pool, aggregate string, versions int) {
	t.Helper()
	for v := 1; v <= versions; v++ {
		if _, err := pool.Exec(ctx, `INSERT INTO outbox (aggregate_type, aggregate_id, version, event_type, payload, occurred_at)
			VALUES ('test', $1, $2, 'Tested', '{}', now())`, aggregate, v); err != nil {
			t.Fatal(err)
		}
	}
}

func versions(events []streaming.Event) string {
	var s []string
	for _, e := range events {
		s = append(s, fmt.Sprintf("%s/%d", e.AggregateID, e.Version))
	}
	return fmt.Sprint(s)
}

func TestOutboxClaimHoldsThePartition(t *testing.T) {
	t.Parallel()
	store, pool, ctx := outboxSetup(t)
	insertEvents(t, ctx, pool, "a", 3)

	first, err := store.ClaimPartition(ctx, 0, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release(ctx)
	if got := versions(first.Events()); got != "[a/1 a/2 a/3]" {
		t.Fatalf("claimed %s, want a/1..3 in order", got)
	}
	// Another relay meanwhile finds the partition held: nothing to deliver, no waiting.
	second, err := store.ClaimPartition(ctx, 0, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(second.Events()); n != 0 {
		t.Fatalf("a second claim of a held partition got %d events", n)
	}
	second.Release(ctx)

	first.Release(ctx) // a released claim leaves the rows to the next one

	c, err := store.ClaimPartition(ctx, 0, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release(ctx)
	lags, err := c.Publish(ctx)
	if err != nil || len(lags) != 2 {
		t.Fatalf("publish = %d lags, %v; want 2 (the limit)", len(lags), err)
	}
	for _, l := range lags {
		if l < 0 {
			t.Errorf("negative lag %v", l)
		}
	}
	if n := count(t, ctx, pool, `SELECT count(*) FROM outbox WHERE published_at IS NULL`); n != 1 {
		t.Fatalf("%d rows unpublished, want 1", n)
	}
	age, err := store.OldestPending(ctx)
	if err != nil || age < 0 {
		t.Fatalf("OldestPending = %v, %v", age, err)
	}
}

func TestOutboxOwedEventsOutliveCleanupUntilSettled(t *testing.T) {
	t.Parallel()
	store, pool, ctx := outboxSetup(t)
	insertEvents(t, ctx, pool, "a", 2)
	c, err := store.ClaimPartition(ctx, 0, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Owe(ctx, "graph"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	c.Release(ctx) // a no-op after Publish
	if _, err := pool.Exec(ctx, `UPDATE outbox SET created_at = now() - interval '1 hour', published_at = now() - interval '1 hour'`); err != nil {
		t.Fatal(err)
	}
	if age, err := store.OldestPending(ctx); err != nil || age < 59*time.Minute {
		t.Fatalf("OldestPending = %v, %v; want the owed events' hour", age, err)
	}
	if n, err := store.DeletePublished(ctx, time.Minute, 10); err != nil || n != 0 {
		t.Fatalf("DeletePublished = %d, %v; want the owed rows kept", n, err)
	}

	owed, err := store.ClaimOwed(ctx, "graph", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := versions(owed.Events()); got != "[a/1 a/2]" {
		t.Fatalf("owed %s, want a/1, a/2", got)
	}
	// Another relay skips the rows this one holds.
	other, err := store.ClaimOwed(ctx, "graph", 10)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(other.Events()); n != 0 {
		t.Errorf("a concurrent owed claim got %d events", n)
	}
	other.Release(ctx)
	if err := owed.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, ctx, pool, `SELECT count(*) FROM outbox_owed`); n != 0 {
		t.Fatalf("%d owed rows after Settle", n)
	}
	if age, err := store.OldestPending(ctx); err != nil || age != 0 {
		t.Fatalf("OldestPending = %v, %v; want 0", age, err)
	}
	// One row per statement: DeletePublished stops at its limit.
	if n, err := store.DeletePublished(ctx, time.Minute, 1); err != nil || n != 1 {
		t.Fatalf("DeletePublished = %d, %v; want 1", n, err)
	}
	if n, err := store.Republish(ctx); err != nil || n != 1 {
		t.Fatalf("Republish = %d, %v; want the 1 row left", n, err)
	}
}

func TestOutboxDeadLetter(t *testing.T) {
	t.Parallel()
	store, pool, ctx := outboxSetup(t)
	insertEvents(t, ctx, pool, "a", 2)
	c, err := store.ClaimPartition(ctx, 0, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release(ctx)
	id, err := c.DeadLetter(ctx, 1, "search", "does not decode")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	var version int64
	var projector, reason string
	if err := pool.QueryRow(ctx, `SELECT version, projector, error FROM outbox_dead_letters WHERE outbox_id = $1`, id).
		Scan(&version, &projector, &reason); err != nil {
		t.Fatalf("dead letter %d: %v", id, err)
	}
	if version != 2 || projector != "search" || reason != "does not decode" {
		t.Errorf("dead letter = v%d %s %q", version, projector, reason)
	}
}

func TestOutboxListenWakesOnCommit(t *testing.T) {
	t.Parallel()
	store, pool, ctx := outboxSetup(t)
	lctx, cancel := context.WithCancel(ctx)
	wakes := make(chan struct{}, 10)
	done := make(chan error, 1)
	go func() { done <- store.Listen(lctx, func() { wakes <- struct{}{} }) }()
	select {
	case <-wakes: // listening
	case <-time.After(10 * time.Second):
		t.Fatal("Listen never woke after LISTEN")
	}
	insertEvents(t, ctx, pool, "a", 1) // its trigger notifies at commit
	select {
	case <-wakes:
	case <-time.After(10 * time.Second):
		t.Fatal("no wake-up for a committed event")
	}
	cancel()
	if err := <-done; err == nil {
		t.Error("Listen returned nil after its context ended")
	}
}

func TestOutboxUnreachableIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := storetest.Context(t, time.Minute)
	pool, cleanup, err := postgres.Open(ctx, postgres.Config{URL: "postgres://streaming:streaming@127.0.0.1:1/streaming?sslmode=disable&connect_timeout=2"})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	store := postgres.NewOutboxStore(pool)
	if _, err := store.ClaimPartition(ctx, 0, 1, 10); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Errorf("ClaimPartition on a dead server: %v; want unavailable", err)
	}
	if _, err := store.OldestPending(ctx); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Errorf("OldestPending on a dead server: %v; want unavailable", err)
	}
}

// An event appended inside a trace carries the span's context to the relay (outbox.trace_context); outside one the
// column stays NULL and the relay reads "".
func TestOutboxCarriesTraceContext(t *testing.T) {
	t.Parallel()
	cmds, pool, ctx := setup(t)
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled})
	traced, plain := storetest.Unique(), storetest.Unique()
	inTx(t, ctx, cmds, func(tx streaming.CommandTx) error {
		if err := tx.AppendEvent(trace.ContextWithSpanContext(ctx, sc), streaming.Event{AggregateType: "plan", AggregateID: traced, Version: 1, Type: "PlanCreated"}); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, streaming.Event{AggregateType: "plan", AggregateID: plain, Version: 1, Type: "PlanCreated"})
	})
	var nulls int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND trace_context IS NULL`, plain).Scan(&nulls); err != nil || nulls != 1 {
		t.Fatalf("untraced event: %d rows with a NULL trace_context, %v", nulls, err)
	}
	found := false
	for p := range 16 {
		claim, err := postgres.NewOutboxStore(pool).ClaimPartition(ctx, p, 16, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range claim.Events() {
			switch e.AggregateID {
			case traced:
				found = true
				got, err := telemetry.ParseStored(e.TraceContext)
				if err != nil || got.TraceID() != tid || got.SpanID() != sid {
					t.Errorf("claimed trace context %q: %v, %v", e.TraceContext, got, err)
				}
			case plain:
				if e.TraceContext != "" {
					t.Errorf("untraced event claimed with trace context %q", e.TraceContext)
				}
			}
		}
		claim.Release(ctx)
	}
	if !found {
		t.Fatal("the traced event was not claimed")
	}
}
