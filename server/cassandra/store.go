// Package cassandra stores playback events: it implements streaming.PlaybackWriter and streaming.PlaybackReader on
// Apache Cassandra with gocql.
//
// Conventions shared by every file:
//   - Every statement with values is parameterized and kept in a package constant, so the driver prepares it once
//     per host and finds it again by its text. Only DDL splices names (validated identifiers) into CQL.
//   - Write timestamps are event times (USING TIMESTAMP, microseconds): replaying an event rewrites identical cells,
//     and a late event never overwrites a newer position.
//   - Routing is token-aware: the session has the keyspace set, so the driver computes each statement's partition
//     token and sends it to a replica that owns it.
//   - Driver errors are mapped in one place (mapErr): timeouts, unavailable replicas and lost connections become
//     streaming.Unavailable("Cassandra", ...); anything else is internal.
//
// docs/cassandra.md explains the data model and how it grows.
package cassandra

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/gocql/gocql"

	"github.com/streamingplatform/streaming/server/streaming"
	"github.com/streamingplatform/streaming/server/tlsconf"
)

// Store is the Cassandra playback store. It is safe for concurrent use.
type Store struct {
	cfg     Config
	session *gocql.Session
}

var (
	_ streaming.PlaybackWriter = (*Store)(nil)
	_ streaming.PlaybackReader = (*Store)(nil)
)

// Open connects to the cluster, creates the keyspace when missing and runs the schema step (Migrate), and returns
// the store with its cleanup (Close). A bad Config is a plain error; an unreachable cluster is a
// streaming.Unavailable error.
func Open(ctx context.Context, cfg Config) (*Store, func(), error) {
	return open(ctx, cfg, true)
}

// open connects to the cluster's keyspace; with schema it first creates the keyspace when missing and then runs the
// schema step.
func open(ctx context.Context, cfg Config, schema bool) (*Store, func(), error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	if cfg.TLS {
		if cfg.tls, err = tlsconf.Client(cfg.CAFile, ""); err != nil {
			return nil, nil, fmt.Errorf("cassandra: %w", err)
		}
	}
	if schema {
		if err := createKeyspace(ctx, cfg); err != nil {
			return nil, nil, err
		}
	}
	session, err := createSession(ctx, newCluster(cfg, cfg.Keyspace))
	if err != nil {
		return nil, nil, err
	}
	s := &Store{cfg: cfg, session: session}
	if schema {
		if err := s.Migrate(ctx); err != nil {
			session.Close()
			return nil, nil, err
		}
	}
	return s, s.Close, nil
}

// newCluster is the driver configuration shared by the keyspace bootstrap and the store's session.
func newCluster(cfg Config, keyspace string) *gocql.ClusterConfig {
	c := gocql.NewCluster(cfg.Hosts...)
	c.Port = cfg.Port
	c.Keyspace = keyspace
	// gocql 1.7 speaks protocol v4 completely (v5 arrived in the 2.x driver); Cassandra 5.0 serves both. Fixing it
	// skips the version discovery round trip.
	c.ProtoVersion = 4
	c.Consistency = cfg.Consistency
	c.Timeout = cfg.Timeout
	c.ConnectTimeout = cfg.Timeout
	c.NumConns = cfg.NumConns
	// Token-aware routing: the coordinator is a replica of the partition, which saves a network hop on every
	// request. ShuffleReplicas spreads a hot partition over all its replicas instead of always the first.
	var fallback gocql.HostSelectionPolicy
	if cfg.LocalDC != "" {
		fallback = gocql.DCAwareRoundRobinPolicy(cfg.LocalDC)
	} else {
		fallback = gocql.RoundRobinHostPolicy()
	}
	c.PoolConfig.HostSelectionPolicy = gocql.TokenAwareHostPolicy(fallback, gocql.ShuffleReplicas())
	// Every statement this store sends is idempotent (event-time timestamps), so a failed attempt may be retried on
	// the next replica. The caller's context bounds the whole call.
	c.RetryPolicy = &gocql.SimpleRetryPolicy{NumRetries: 1}
	if cfg.Username != "" {
		c.Authenticator = gocql.PasswordAuthenticator{Username: cfg.Username, Password: cfg.Password}
	}
	if cfg.TracerProvider != nil {
		c.BatchObserver = newBatchTracer(cfg.TracerProvider)
	}
	if cfg.Log != nil {
		c.Logger = driverLog{cfg.Log}
	}
	if cfg.tls != nil {
		c.SslOpts = &gocql.SslOptions{Config: cfg.tls, EnableHostVerification: true}
	}
	return c
}

// createSession is CreateSession bounded by ctx (the driver takes no context while connecting).
func createSession(ctx context.Context, c *gocql.ClusterConfig) (*gocql.Session, error) {
	type result struct {
		s   *gocql.Session
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := c.CreateSession()
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, streaming.Unavailable("Cassandra", fmt.Errorf("connect to %v: %w", c.Hosts, r.err))
		}
		return r.s, nil
	case <-ctx.Done():
		go func() {
			if r := <-done; r.s != nil {
				r.s.Close()
			}
		}()
		return nil, streaming.Unavailable("Cassandra", fmt.Errorf("connect to %v: %w", c.Hosts, ctx.Err()))
	}
}

// Session is the store's driver session, keyspace set, for benchmarks and tests that need raw CQL on the same
// cluster configuration. It stays owned by the store: do not close it.
func (s *Store) Session() *gocql.Session { return s.session }

// Keyspace is the keyspace the store uses.
func (s *Store) Keyspace() string { return s.cfg.Keyspace }

// Ping checks that the cluster answers a query, for health checks.
func (s *Store) Ping(ctx context.Context) error {
	return mapErr(s.session.Query("SELECT release_version FROM system.local").WithContext(ctx).Exec())
}

// Close closes the session. Calls made afterwards fail with a CodeUnavailable error.
func (s *Store) Close() { s.session.Close() }

// Driver errors that mean "the cluster could not answer now".
var unavailableErrs = []error{
	context.DeadlineExceeded,
	gocql.ErrTimeoutNoResponse,
	gocql.ErrConnectionClosed,
	gocql.ErrNoConnections,
	gocql.ErrNoConnectionsStarted,
	gocql.ErrNoStreams,
	gocql.ErrTooManyTimeouts,
	gocql.ErrSessionClosed,
	gocql.ErrUnavailable,
	gocql.ErrHostQueryFailed,
	io.EOF,
	io.ErrUnexpectedEOF,
}

// mapErr turns a driver error into a domain error. A write that timed out may still have been applied: the caller
// sees Unavailable and retries, which the event-time timestamps make harmless.
func mapErr(err error) error {
	if err == nil || streaming.AsError(err) != nil || errors.Is(err, context.Canceled) {
		return err
	}
	for _, target := range unavailableErrs {
		if errors.Is(err, target) {
			return streaming.Unavailable("Cassandra", err)
		}
	}
	var reqErr gocql.RequestError
	if errors.As(err, &reqErr) {
		switch reqErr.Code() {
		case gocql.ErrCodeUnavailable, gocql.ErrCodeOverloaded, gocql.ErrCodeBootstrapping, gocql.ErrCodeTruncate,
			gocql.ErrCodeWriteTimeout, gocql.ErrCodeReadTimeout, gocql.ErrCodeWriteFailure, gocql.ErrCodeReadFailure,
			gocql.ErrCodeCDCWriteFailure:
			return streaming.Unavailable("Cassandra", err)
		}
		return &streaming.Error{Code: streaming.CodeInternal, Message: "internal error", Err: err}
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return streaming.Unavailable("Cassandra", err)
	}
	return &streaming.Error{Code: streaming.CodeInternal, Message: "internal error", Err: err}
}

// driverLog passes gocql's messages to the server's structured log.
type driverLog struct{ log *slog.Logger }

func (d driverLog) Print(v ...any) {
	d.log.Warn(strings.TrimSpace(fmt.Sprint(v...)), "driver", "gocql")
}
func (d driverLog) Printf(format string, v ...any) {
	d.log.Warn(strings.TrimSpace(fmt.Sprintf(format, v...)), "driver", "gocql")
}
func (d driverLog) Println(v ...any) {
	d.log.Warn(strings.TrimSpace(fmt.Sprintln(v...)), "driver", "gocql")
}
