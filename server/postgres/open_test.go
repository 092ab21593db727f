package postgres_test

import (
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/storetest"
)

// The session bounds reach the server, and PostgreSQL enforces them: a session idle in a transaction past its
// bound is ended, so a stalled client cannot hold its locks.
func TestOpenSetsSessionTimeouts(t *testing.T) {
	t.Parallel()
	url, _ := storetest.PostgresSchema(t, "open_test")
	ctx := storetest.Context(t, time.Minute)
	pool, closePool, err := postgres.Open(ctx, postgres.Config{URL: url, StatementTimeout: 15 * time.Second,
		LockTimeout: 5 * time.Second, IdleInTransactionTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer closePool()
	for setting, want := range map[string]string{"statement_timeout": "15s", "lock_timeout": "5s",
		"idle_in_transaction_session_timeout": "300ms"} {
		var got string
		if err := pool.QueryRow(ctx, "SHOW "+setting).Scan(&got); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", setting, got, err, want)
		}
	}
	var slept bool
	if err := pool.QueryRow(ctx, "SELECT pg_sleep(0.1) IS NOT NULL").Scan(&slept); err != nil {
		t.Fatalf("a statement well within the bounds: %v", err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	time.Sleep(time.Second) // idle in the transaction past its bound
	if _, err := tx.Exec(ctx, "SELECT 1"); err == nil {
		t.Fatal("a session idle in a transaction past idle_in_transaction_session_timeout was not ended")
	}
}
