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
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/rueidis"

	platform "github.com/streamingplatform/streaming"
	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/grpcapi"
	"github.com/streamingplatform/streaming/server/password"
	"github.com/streamingplatform/streaming/server/payment"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/redis"
)

// Built is a server ready to Run, with what must be closed after it stops.
type Built struct {
	Server *grpcapi.Server
	Pool   *pgxpool.Pool
	Redis  rueidis.Client
}

// Close releases the store clients.
func (b *Built) Close() {
	b.Redis.Close()
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
	b := &Built{Pool: pool, Redis: rc}
	validator, err := protovalidate.New()
	if err != nil {
		b.Close()
		return nil, err
	}
	sessions := redis.NewSessionStore(rc)
	handler := &command.Handler{
		Store:      postgres.NewCommandStore(pool),
		Sessions:   sessions,
		Payments:   payment.Local{},
		Passwords:  password.Default,
		SessionTTL: cfg.SessionTTL,
	}
	ic := &grpcapi.Interceptors{
		Log:             log,
		Auth:            &grpcapi.Authenticator{AdminToken: cfg.AdminToken, ServiceToken: cfg.ServiceToken, Sessions: sessions},
		Validator:       validator,
		DefaultDeadline: cfg.DefaultDeadline,
	}
	b.Server, err = grpcapi.New(grpcapi.Options{
		GRPCAddr: cfg.GRPCAddr, HTTPAddr: cfg.HTTPAddr, MaxRecvBytes: cfg.MaxRecvBytes,
		DefaultDeadline: cfg.DefaultDeadline, ShutdownGrace: cfg.ShutdownGrace, OpenAPI: platform.OpenAPI,
		Checks: map[string]func(context.Context) error{
			"postgres": pool.Ping,
			"redis":    func(ctx context.Context) error { return rc.Do(ctx, rc.B().Ping().Build()).Error() },
		},
	}, log, ic, &grpcapi.CommandServer{H: handler}, pb.UnimplementedQueryServiceServer{}, pb.UnimplementedIngestServiceServer{})
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}
