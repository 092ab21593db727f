// Package wiring builds the server from its configuration: store clients, adapters, command handlers,
// interceptors and the transport. The binary and the end-to-end tests use the same function, so the tests run the
// server exactly as it ships.
package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"buf.build/go/protovalidate"
	"github.com/gocql/gocql"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/rueidis"

	platform "github.com/streamingplatform/streaming"
	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/grpcapi"
	"github.com/streamingplatform/streaming/server/ingest"
	"github.com/streamingplatform/streaming/server/password"
	"github.com/streamingplatform/streaming/server/payment"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Built is a server ready to Run, with what must be closed after it stops.
type Built struct {
	Server    *grpcapi.Server
	Pool      *pgxpool.Pool
	Redis     rueidis.Client
	Cassandra *cassandra.Store
	Pipeline  *ingest.Pipeline
	observer  *ingest.AsyncObserver
	log       *slog.Logger
}

// Close flushes every accepted playback event, then releases the store clients. Call it after Run returns.
func (b *Built) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if b.Pipeline != nil {
		if err := b.Pipeline.Close(ctx); err != nil {
			b.log.Error("ingest pipeline did not flush", "err", err)
		}
	}
	if b.observer != nil {
		b.observer.Close(ctx)
	}
	if b.Cassandra != nil {
		b.Cassandra.Close()
	}
	if b.Redis != nil {
		b.Redis.Close()
	}
	b.Pool.Close()
}

// Build connects to the stores, migrates (if configured) and assembles the server.
func Build(ctx context.Context, cfg config.Config, log *slog.Logger) (*Built, error) {
	pool, err := pgxpool.New(ctx, cfg.PostgresURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if cfg.Migrate {
		mctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		err := postgres.Migrate(mctx, pool)
		cancel()
		if err != nil {
			pool.Close()
			return nil, fmt.Errorf("migrate: %w", err)
		}
	}
	rc, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{cfg.RedisAddr}, DisableCache: true})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("redis %s: %w", cfg.RedisAddr, err)
	}
	b := &Built{Pool: pool, Redis: rc, log: log}
	consistency, err := gocql.ParseConsistencyWrapper(cfg.CassandraConsistency)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("-cassandra-consistency=%q: %w", cfg.CassandraConsistency, err)
	}
	replication, err := cassandra.ParseReplication(cfg.CassandraReplication)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("-cassandra-replication=%q: %w", cfg.CassandraReplication, err)
	}
	if b.Cassandra, err = cassandra.Open(ctx, cassandra.Config{Hosts: cfg.CassandraHosts, Keyspace: cfg.CassandraKeyspace,
		Replication: replication, LocalDC: cfg.CassandraLocalDC, Consistency: consistency,
		// The store refuses future timestamps past this skew (they would win every later write): keep it in step
		// with what ingest accepts, or accepted events would fail to store.
		MaxClockSkew: cfg.IngestMaxSkew}); err != nil {
		b.Close()
		return nil, fmt.Errorf("cassandra: %w", err)
	}
	registry := prometheus.NewRegistry()
	// Derived updates (trending counters) follow durable writes asynchronously; their lag is a product figure.
	lag := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ingest_derived_update_lag_seconds",
		Help:    "Time from a playback event being durable to its derived updates (trending) being applied.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 15)})
	registry.MustRegister(lag)
	trending := redis.NewTrending(rc)
	b.observer = ingest.NewAsyncObserver(100_000, func(events []streaming.PlaybackEvent) {
		actx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := trending.Apply(actx, events); err != nil {
			log.Warn("trending update failed", "events", len(events), "err", err)
		}
	}, lag, log)
	b.Pipeline = NewPipeline(cfg, b.Cassandra, b.observer, registry, log)
	sessions := redis.NewSessionStore(rc)
	handler := &command.Handler{
		Store:      postgres.NewCommandStore(pool),
		Sessions:   sessions,
		Payments:   payment.Local{},
		Passwords:  password.Default,
		SessionTTL: cfg.SessionTTL,
	}
	b.Server, err = NewServer(cfg, log, Parts{
		Registry: registry,
		Sessions: sessions,
		Command:  &grpcapi.CommandServer{H: handler},
		Query:    &grpcapi.QueryServer{Playback: b.Cassandra},
		Pipeline: b.Pipeline,
		Checks: map[string]func(context.Context) error{
			"postgres": pool.Ping,
			"redis":    func(ctx context.Context) error { return rc.Do(ctx, rc.B().Ping().Build()).Error() },
			"cassandra": func(ctx context.Context) error {
				return b.Cassandra.Session().Query("SELECT release_version FROM system.local").WithContext(ctx).Exec()
			},
		},
	})
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// NewPipeline is the ingest pipeline as streamingd sizes it, over any writer (benchmarks pass a discarding one).
func NewPipeline(cfg config.Config, w streaming.PlaybackWriter, obs streaming.PlaybackObserver, reg prometheus.Registerer, log *slog.Logger) *ingest.Pipeline {
	return ingest.New(ingest.Config{QueueEvents: cfg.IngestQueueEvents}, w, obs, reg, log)
}

// Parts are what the transport serves. Build fills them from the real stores; a benchmark may substitute some
// (a discarding pipeline, no command side) and still get the transport exactly as streamingd runs it.
type Parts struct {
	Registry *prometheus.Registry
	Sessions streaming.SessionStore // nil: only the admin and service tokens authenticate
	Command  *grpcapi.CommandServer
	Query    *grpcapi.QueryServer
	Pipeline *ingest.Pipeline
	Checks   map[string]func(context.Context) error
}

// NewServer assembles the interceptors, the three services and the transport from cfg and p.
func NewServer(cfg config.Config, log *slog.Logger, p Parts) (*grpcapi.Server, error) {
	validator, err := protovalidate.New()
	if err != nil {
		return nil, err
	}
	ic := &grpcapi.Interceptors{
		Log:             log,
		Auth:            &grpcapi.Authenticator{AdminToken: cfg.AdminToken, ServiceToken: cfg.ServiceToken, Sessions: p.Sessions},
		Validator:       validator,
		DefaultDeadline: cfg.DefaultDeadline,
	}
	ingestServer := grpcapi.NewIngestServer(p.Pipeline, cfg.IngestMaxSkew, cfg.IngestMaxAge)
	return grpcapi.New(grpcapi.Options{
		GRPCAddr: cfg.GRPCAddr, HTTPAddr: cfg.HTTPAddr, MaxRecvBytes: cfg.MaxRecvBytes,
		DefaultDeadline: cfg.DefaultDeadline, ShutdownGrace: cfg.ShutdownGrace, OpenAPI: platform.OpenAPI,
		Registry: p.Registry, Checks: p.Checks, OnShutdown: []func(){ingestServer.Drain},
	}, log, ic, p.Command, p.Query, ingestServer)
}
