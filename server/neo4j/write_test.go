package neo4j

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/streamingplatform/streaming/server/storetest"
)

// A write whose transaction fails for a reason worth retrying (a deadlock) runs again at once in a new transaction,
// the failed one rolled back; one failing for any other reason runs once and answers its error. The driver's own
// retry would have waited about 2 s.
func TestWriteRetriesADeadlockAtOnce(t *testing.T) {
	s := storetest.Settings(t)
	storetest.Require(t, "Neo4j", s.Neo4jAddr())
	ctx := storetest.Context(t, time.Minute)
	g, closeGraph, err := Open(ctx, Config{URI: s.Neo4jURI(), MaxConnections: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeGraph)
	marker := "write-retry-" + storetest.Unique()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = g.write(ctx, func(tx txRunner) error {
			return run(ctx, tx, `MATCH (n:WriteRetryTest {id: $id}) DELETE n`, map[string]any{"id": marker})
		})
	})
	deadlock := &neo4j.Neo4jError{Code: "Neo.TransientError.Transaction.DeadlockDetected", Msg: "a test's deadlock"}
	attempts := 0
	started := time.Now()
	err = g.write(ctx, func(tx txRunner) error {
		attempts++
		if err := run(ctx, tx, `CREATE (:WriteRetryTest {id: $id})`, map[string]any{"id": marker}); err != nil {
			return err
		}
		if attempts == 1 {
			return deadlock
		}
		return nil
	})
	took := time.Since(started)
	if err != nil || attempts != 2 {
		t.Fatalf("write = %v after %d attempts, want success on the second", err, attempts)
	}
	if took > time.Second {
		t.Errorf("the retry came after %s; the driver's own would have waited about 2 s, ours %s", took, writeRetryFirst)
	}
	var n int64
	if err := g.write(ctx, func(tx txRunner) error {
		res, err := tx.Run(ctx, `MATCH (n:WriteRetryTest {id: $id}) RETURN count(n) AS n`, map[string]any{"id": marker})
		if err != nil {
			return err
		}
		rec, err := res.Single(ctx)
		if err != nil {
			return err
		}
		n = rec.Values[0].(int64)
		return nil
	}); err != nil || n != 1 {
		t.Fatalf("marker nodes = %d, %v; want 1 (the failed attempt rolled back)", n, err)
	}

	syntax := &neo4j.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError", Msg: "a test's bad statement"}
	attempts = 0
	err = g.write(ctx, func(tx txRunner) error { attempts++; return syntax })
	if attempts != 1 || !errors.Is(err, syntax) {
		t.Errorf("a non-retryable failure: %v after %d attempts, want it after 1", err, attempts)
	}
}
