// Package neo4j is the recommendation graph: the watch graph in Neo4j, kept up to date from two feeds, and the
// recommendation query that reads it.
//
// The model is the brief's:
//
//	(:User {id, version})-[:WATCHED {completed, rating, rating_version, rated_at}]->(:Content {id, title, type, rating_avg, version})
//	(:Content)-[:IN_GENRE]->(:Genre {name})
//	(:User)-[:SEARCHED_GENRE {count, last}]->(:Genre)
//
// SEARCHED_GENRE is the user's genre interest from the catalog search: how many times they searched with a filter on
// the genre, and when last.
//
// An erased user is a tombstone, (:User {id, version, erased: true}) without relationships: every write that merges
// a user skips it, so events older than the erasure that are still in flight cannot write the user back.
//
// What lives here:
//   - Graph: one driver per process (Open, the only place a driver is configured), the schema step (EnsureSchema: a uniqueness constraint, and so an index,
//     on every label that MERGE matches on), Ping for health checks.
//   - Projector (projector.go): the outbox projector that writes users, titles, genres and ratings, ignoring
//     events older than what a node or edge already holds.
//   - ApplyWatches (watches.go): WATCHED edges derived from playback, tolerant of replays.
//   - RecordGenreSearches (interest.go): streaming.InterestRecorder, SEARCHED_GENRE edges from users' searches (fed
//     asynchronously by server/signals).
//   - Recommend (recommend.go): streaming.RecommendationGraph, blending genre affinity (watched and searched genres)
//     with co-watching.
//   - EraseUser (erase.go): streaming.UserEraser, turning a user into a tombstone.
//   - ContentNodes, UserNodes, Ratings, NodePage (inspect.go): reads of what the projector wrote, for readcheck.
//
// Every write is `UNWIND $rows AS r MERGE ...` in one transaction, run again in a new one after a failure worth
// retrying (a deadlock between two writers, a lost connection: write), so every statement is idempotent. Results
// are consumed inside the transaction. Driver failures are mapped in one place (mapErr): an unreachable or overloaded server, a timed-out
// transaction or a closed Graph is streaming.Unavailable("Neo4j", ...); anything else is internal.
package neo4j

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Config says how to reach Neo4j.
type Config struct {
	URI      string // bolt://host:7687 for a single instance (neo4j:// only for a cluster)
	Username string // "" connects without authentication
	Password string
	Database string // "" is the server's default database
	// MaxConnections caps the driver's connection pool; the driver's default (100) when 0.
	MaxConnections int
	// Lazy opens without contacting the server, for a process that must start while Neo4j is down: calls fail
	// with streaming.Unavailable until it answers, and the first write runs EnsureSchema.
	Lazy bool
	// ReadOnly skips EnsureSchema at Open, for a tool that only reads (readcheck); the first write would run it.
	ReadOnly bool
	// TracerProvider records a span per write transaction and per query inside a trace; nil: none (tracing off).
	TracerProvider trace.TracerProvider
}

// Driver timings. The transaction retry budget is short because every caller has a better retry of its own: the
// outbox relay retries the whole batch, and a query caller has a deadline.
const (
	connectTimeout          = 5 * time.Second
	maxTransactionRetryTime = 5 * time.Second
	acquireTimeout          = 10 * time.Second
)

// Graph is the recommendation graph. It is safe for concurrent use; each call opens its own session.
type Graph struct {
	driver   neo4j.DriverWithContext
	database string
	closed   atomic.Bool
	schema   atomic.Bool  // EnsureSchema succeeded: writes may MERGE
	tracer   trace.Tracer // nil: tracing off
}

var _ streaming.RecommendationGraph = (*Graph)(nil)

// Open returns the Graph and its cleanup (Close). Unless cfg.Lazy, it checks that Neo4j answers and (unless
// cfg.ReadOnly) runs EnsureSchema. Open once per process and share the Graph: it holds the driver's connection pool. A bad Config is a
// plain error; a server that cannot be reached is a streaming.Unavailable error.
func Open(ctx context.Context, cfg Config) (*Graph, func(), error) {
	g, err := newGraph(cfg)
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { g.Close(context.Background()) }
	if cfg.Lazy {
		// One connection attempt before anyone else uses the driver, its outcome ignored (the graph may be down: a
		// lazy graph degrades). The driver's connector sets a field on its first Connect without a lock
		// (neo4j-go-driver v5.28.4, connector.go:55), which the race detector caught when the health check and the
		// projector made their first connections at once; this first Connect is alone.
		vctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		_ = g.driver.VerifyConnectivity(vctx)
		cancel()
		return g, cleanup, nil
	}
	if err := g.driver.VerifyConnectivity(ctx); err != nil {
		cleanup()
		return nil, nil, mapErr(fmt.Errorf("connect to %s: %w", cfg.URI, err))
	}
	if cfg.ReadOnly {
		return g, cleanup, nil
	}
	if err := g.EnsureSchema(ctx); err != nil {
		cleanup()
		return nil, nil, err
	}
	return g, cleanup, nil
}

// newGraph configures the driver, without contacting the server.
func newGraph(cfg Config) (*Graph, error) {
	if cfg.URI == "" {
		return nil, errors.New("neo4j: Config.URI is empty")
	}
	if cfg.MaxConnections < 0 {
		return nil, fmt.Errorf("neo4j: Config.MaxConnections %d is negative", cfg.MaxConnections)
	}
	token := neo4j.NoAuth()
	if cfg.Username != "" {
		token = neo4j.BasicAuth(cfg.Username, cfg.Password, "")
	}
	driver, err := neo4j.NewDriverWithContext(cfg.URI, token, func(c *config.Config) {
		if cfg.MaxConnections > 0 {
			c.MaxConnectionPoolSize = cfg.MaxConnections
		}
		c.SocketConnectTimeout = connectTimeout
		c.MaxTransactionRetryTime = maxTransactionRetryTime
		c.ConnectionAcquisitionTimeout = acquireTimeout
	})
	if err != nil {
		return nil, fmt.Errorf("neo4j: %w", err) // a malformed URI or an unsupported scheme
	}
	g := &Graph{driver: driver, database: cfg.Database}
	if cfg.TracerProvider != nil {
		g.tracer = cfg.TracerProvider.Tracer("github.com/streamingplatform/streaming/server/neo4j")
	}
	return g, nil
}

// Driver is the driver underneath, for a benchmark's raw-driver baseline and test set-up; the platform's code
// goes through the Graph's methods.
func (g *Graph) Driver() neo4j.DriverWithContext { return g.driver }

// Close closes the driver and its connections. Calls after Close fail with a streaming.Unavailable error.
func (g *Graph) Close(ctx context.Context) error {
	if g.closed.Swap(true) {
		return nil
	}
	return g.driver.Close(ctx)
}

// Ping checks that the server answers a query, for health checks.
func (g *Graph) Ping(ctx context.Context) error {
	if g.closed.Load() {
		return errClosed
	}
	_, err := neo4j.ExecuteQuery(ctx, g.driver, "RETURN 1", nil, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(g.database), neo4j.ExecuteQueryWithReadersRouting())
	return mapErr(err)
}

// schema creates a named uniqueness constraint on every property that MERGE matches on: MERGE without one can create
// duplicates under concurrency, and the constraint's index is what makes every lookup by id a seek.
var schema = []string{
	"CREATE CONSTRAINT user_id IF NOT EXISTS FOR (u:User) REQUIRE u.id IS UNIQUE",
	"CREATE CONSTRAINT content_id IF NOT EXISTS FOR (c:Content) REQUIRE c.id IS UNIQUE",
	"CREATE CONSTRAINT genre_name IF NOT EXISTS FOR (g:Genre) REQUIRE g.name IS UNIQUE",
	"CREATE CONSTRAINT device_id IF NOT EXISTS FOR (d:Device) REQUIRE d.id IS UNIQUE",
	"CREATE CONSTRAINT network_prefix IF NOT EXISTS FOR (n:Network) REQUIRE n.prefix IS UNIQUE",
	"CREATE CONSTRAINT payment_instrument_fingerprint IF NOT EXISTS FOR (p:PaymentInstrument) REQUIRE p.fingerprint IS UNIQUE",
}

// EnsureSchema creates the constraints that are missing. It is idempotent and safe to run from several processes at
// once.
func (g *Graph) EnsureSchema(ctx context.Context) error {
	if g.closed.Load() {
		return errClosed
	}
	for _, stmt := range schema {
		// Schema changes cannot share a transaction with each other or with data; each runs on its own.
		_, err := neo4j.ExecuteQuery(ctx, g.driver, stmt, nil, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(g.database), neo4j.ExecuteQueryWithWritersRouting())
		if err != nil && !concurrentlyCreated(err) {
			return fmt.Errorf("neo4j schema %q: %w", stmt, mapErr(err))
		}
	}
	g.schema.Store(true)
	return nil
}

// concurrentlyCreated reports the error of a CREATE ... IF NOT EXISTS that lost a race with another process creating
// the same constraint: the constraint exists, which is all we wanted.
func concurrentlyCreated(err error) bool {
	var n4jErr *neo4j.Neo4jError
	if !errors.As(err, &n4jErr) {
		return false
	}
	switch n4jErr.Code {
	case "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists", "Neo.ClientError.Schema.ConstraintAlreadyExists":
		return true
	}
	return false
}

// session opens a session for one unit of work. Sessions are cheap; the driver pools connections.
func (g *Graph) session(ctx context.Context, mode neo4j.AccessMode) neo4j.SessionWithContext {
	return g.driver.NewSession(ctx, neo4j.SessionConfig{AccessMode: mode, DatabaseName: g.database})
}

// Retries of a write transaction that failed for a reason worth retrying (a deadlock with another writer, a leader
// switch, a lost connection): after writeRetryFirst, doubling up to writeRetryMax, each with up to half again of
// jitter, while maxTransactionRetryTime lasts. The driver's own retry (ExecuteWrite) waits about 2 s before its
// first retry and cannot be told otherwise; two relay batches that deadlocked then held their partitions back 2 s
// each (bench projection_lag: p99 0.75-1.7 s against a p50 of 33 ms). A deadlock is over once one side has rolled
// back, so the other's retry need not wait long.
const (
	writeRetryFirst = 10 * time.Millisecond
	writeRetryMax   = 250 * time.Millisecond
)

// txRunner is what a write's work runs its statements on: the write's transaction.
type txRunner interface {
	Run(ctx context.Context, cypher string, params map[string]any) (neo4j.ResultWithContext, error)
}

// write runs work in one write transaction and commits it. work may run more than once (a failure worth retrying
// runs it again in a new transaction, see writeRetryFirst), so it must only run idempotent statements.
func (g *Graph) write(ctx context.Context, work func(tx txRunner) error) error {
	if g.closed.Load() {
		return errClosed
	}
	if !g.schema.Load() { // built by New while Neo4j was down: no MERGE before the constraints exist
		if err := g.EnsureSchema(ctx); err != nil {
			return err
		}
	}
	ctx, end := g.span(ctx, "write")
	s := g.session(ctx, neo4j.AccessModeWrite)
	defer s.Close(context.WithoutCancel(ctx))
	err := writeRetrying(ctx, s, work)
	err = mapErr(err)
	end(err)
	return err
}

// writeRetrying runs work in a transaction of s, and again in a new one while it fails for a reason worth retrying.
func writeRetrying(ctx context.Context, s neo4j.SessionWithContext, work func(tx txRunner) error) error {
	budget := time.Now().Add(maxTransactionRetryTime)
	wait := writeRetryFirst
	for {
		err := writeOnce(ctx, s, work)
		if err == nil || !neo4j.IsRetryable(err) || time.Now().Add(wait).After(budget) {
			return err
		}
		t := time.NewTimer(wait + rand.N(wait/2))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(2*wait, writeRetryMax)
	}
}

// writeOnce runs work in one transaction of s and commits it; a failed transaction is rolled back.
func writeOnce(ctx context.Context, s neo4j.SessionWithContext, work func(tx txRunner) error) error {
	tx, err := s.BeginTransaction(ctx)
	if err != nil {
		return err
	}
	defer tx.Close(context.WithoutCancel(ctx)) // rolls back unless committed
	if err := work(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// span starts a span named after op inside a sampled trace and returns the function that ends it with the call's error.
// Outside a sampled trace, or with tracing off, it records nothing.
func (g *Graph) span(ctx context.Context, op string) (context.Context, func(error)) {
	if g.tracer == nil || !trace.SpanContextFromContext(ctx).IsSampled() {
		return ctx, func(error) {}
	}
	ctx, span := g.tracer.Start(ctx, "neo4j "+op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", "neo4j"), attribute.String("db.namespace", g.database)))
	return ctx, func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
}

// run executes one statement in tx and consumes its result, so that its errors surface inside the transaction.
func run(ctx context.Context, tx txRunner, cypher string, params map[string]any) error {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return err
	}
	_, err = res.Consume(ctx)
	return err
}

// runRows runs cypher over rows in chunks of maxRows (its $rows), in tx: one write transaction however many rows.
func runRows(ctx context.Context, tx txRunner, cypher string, rows []map[string]any) error {
	for chunk := range slices.Chunk(rows, maxRows) {
		if err := run(ctx, tx, cypher, map[string]any{"rows": chunk}); err != nil {
			return err
		}
	}
	return nil
}

// errClosed is what a closed Graph answers.
var errClosed = streaming.Unavailable("Neo4j", errors.New("graph is closed"))

// mapErr turns a driver error into a domain error: failures worth retrying later (the server unreachable, overloaded,
// too slow, or this Graph closed) are CodeUnavailable; anything else (a Cypher bug, a bad parameter) is internal.
// A canceled context is returned as it is: the caller gave up, nothing failed.
func mapErr(err error) error {
	if err == nil || streaming.AsError(err) != nil || errors.Is(err, context.Canceled) {
		return err
	}
	if unavailable(err) {
		return streaming.Unavailable("Neo4j", err)
	}
	return &streaming.Error{Code: streaming.CodeInternal, Message: "internal error", Err: err}
}

func unavailable(err error) bool {
	var (
		connErr  *neo4j.ConnectivityError
		limitErr *neo4j.TransactionExecutionLimit
		netErr   net.Error
		n4jErr   *neo4j.Neo4jError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &connErr), errors.As(err, &limitErr), errors.As(err, &netErr):
		return true
	case errors.As(err, &n4jErr):
		switch {
		case n4jErr.IsRetriable(), strings.HasPrefix(n4jErr.Code, "Neo.TransientError."),
			strings.HasPrefix(n4jErr.Code, "Neo.DatabaseError."),
			// The transaction ran past its timeout or was terminated (by the timeout, or an operator).
			strings.HasPrefix(n4jErr.Code, "Neo.ClientError.Transaction.TransactionTimedOut"),
			n4jErr.Code == "Neo.ClientError.Transaction.Terminated",
			// Wrong credentials or an expired token: the store cannot be used until an operator fixes it.
			n4jErr.HasSecurityCode():
			return true
		}
	}
	return false
}
