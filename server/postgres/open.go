package postgres

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"
)

// Pool is the connection pool every adapter here is built over. It is pgx's, named here so that wiring, tools
// and tests hold one without importing the driver.
type Pool = pgxpool.Pool

// Config says how to reach PostgreSQL.
type Config struct {
	URL string // postgres://user:password@host:port/db?...; search_path and other run-time settings may ride along
	// MaxConns caps the pool (pgxpool's default, the larger of 4 and the CPU count, when 0).
	MaxConns int
	// ApplicationName names the pool's connections in pg_stat_activity ("" keeps the URL's).
	ApplicationName string
	// Server-side bounds for the pool's sessions (0 keeps the server's setting): PostgreSQL cancels a statement
	// running longer than StatementTimeout or waiting longer than LockTimeout for a lock, and ends a session idle
	// inside a transaction for longer than IdleInTransactionTimeout, so a stalled client cannot hold locks for good.
	StatementTimeout, LockTimeout, IdleInTransactionTimeout time.Duration
	// TracerProvider records a span per statement inside a trace; nil: no tracer is installed (tracing off).
	TracerProvider trace.TracerProvider
}

// Open returns a connection pool and its cleanup, the one way every process (streamingd, readcheck, bench) connects.
// It does not wait for the server: a process may start while PostgreSQL is down, its calls failing with
// streaming.Unavailable until it answers (pool.Ping checks it). A malformed URL is an error.
func Open(ctx context.Context, cfg Config) (*Pool, func(), error) {
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres URL: %w", err)
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = int32(cfg.MaxConns)
	}
	if cfg.ApplicationName != "" {
		pc.ConnConfig.RuntimeParams["application_name"] = cfg.ApplicationName
	}
	for name, d := range map[string]time.Duration{"statement_timeout": cfg.StatementTimeout,
		"lock_timeout": cfg.LockTimeout, "idle_in_transaction_session_timeout": cfg.IdleInTransactionTimeout} {
		if d > 0 {
			pc.ConnConfig.RuntimeParams[name] = strconv.FormatInt(max(d.Milliseconds(), 1), 10) // in ms
		}
	}
	if cfg.TracerProvider != nil {
		pc.ConnConfig.Tracer = newQueryTracer(cfg.TracerProvider)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: %w", err)
	}
	return pool, pool.Close, nil
}

// Addr is the host:port/database pool connects to, for messages (never the password).
func Addr(pool *Pool) string {
	c := pool.Config().ConnConfig
	return net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port))) + "/" + c.Database
}
