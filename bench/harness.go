package main

// What every benchmark shares: a throwaway schema, the real server started in-process, a closed-loop load driver
// and the description of the conditions a number was measured under.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/wiring"
)

// benchSchema creates an empty schema in the stack's database and returns a PostgreSQL URL whose search_path is that
// schema alone, plus a drop function. The rows a run writes (thousands of users, subscriptions and unpublished
// outbox events) so never land in the tables other engineers and tests use, every run starts from the same empty
// tables, and it is the same PostgreSQL server and settings. (The platform role may not CREATE DATABASE.)
func benchSchema(ctx context.Context) (string, func(), error) {
	cfg, err := loadConfig()
	if err != nil {
		return "", nil, err
	}
	conn, err := pgx.Connect(ctx, cfg.PostgresURL)
	if err != nil {
		return "", nil, fmt.Errorf("postgres (start it with `go tool task stack:up -- postgres redis`): %w", err)
	}
	defer conn.Close(context.Background())
	schema := "bench_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, err
	}
	drop := func() {
		// A fresh context: the schema must go even when the run was interrupted.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, cfg.PostgresURL)
		if err == nil {
			_, err = c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			c.Close(ctx)
		}
		if err != nil {
			slog.Error("bench: could not drop schema; drop it by hand", "schema", schema, "err", err)
		}
	}
	u, err := url.Parse(cfg.PostgresURL)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema) // pgx sends unknown URL parameters as run-time settings
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// server is the platform server running in this process, and an admin client of its gRPC port.
type server struct {
	cfg   config.Config // as the server was built
	built *wiring.Built
	conn  *grpc.ClientConn
	admin metadata.MD // the admin's bearer token: one credential may act for every user
	stop  func()
}

// asAdmin returns ctx carrying the admin credential for outgoing calls.
func (s *server) asAdmin(ctx context.Context) context.Context {
	return metadata.NewOutgoingContext(ctx, s.admin)
}

// startServer builds the server exactly as the binary does (wiring.Build over config.Load), on loopback ports
// picked by the kernel, against pgURL, migrating its schema. tweak (may be nil) changes the configuration last, e.g.
// to turn projections off or to point the server at a search alias of the benchmark's own.
func startServer(ctx context.Context, pgURL string, tweak func(*config.Config)) (*server, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	cfg.GRPCAddr, cfg.HTTPAddr, cfg.OpsAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.PostgresURL = pgURL
	cfg.AdminToken = "bench-admin-" + randomHex(16)
	cfg.Migrate = true
	cfg.ShutdownGrace = 5 * time.Second
	cfg.LogLevel = slog.LevelInfo
	if tweak != nil {
		tweak(&cfg)
	}
	// The server formats its per-call log line as shipped (JSON, info), but to io.Discard: a terminal would measure
	// the terminal.
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: cfg.LogLevel}))
	built, err := wiring.Build(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := built.Server.Run(runCtx); err != nil {
			slog.Error("bench: server stopped", "err", err)
		}
	}()
	conn, err := grpc.NewClient(built.Server.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		cancel()
		<-done
		built.Close()
		return nil, err
	}
	return &server{
		cfg:   cfg,
		built: built,
		conn:  conn,
		admin: metadata.Pairs("authorization", "Bearer "+cfg.AdminToken),
		stop: func() {
			conn.Close()
			cancel()
			<-done
			built.Close()
		},
	}, nil
}

// load is what runLoad measured.
type load struct {
	ops     int
	elapsed time.Duration
	lat     []time.Duration // one per completed op
}

func (l *load) add(o load) {
	l.ops += o.ops
	l.elapsed += o.elapsed
	l.lat = append(l.lat, o.lat...)
}

func (l load) perSecond() float64 { return float64(l.ops) / l.elapsed.Seconds() }

// percentile is the nearest-rank p-quantile (0 < p <= 1) of the latencies.
func (l load) percentile(p float64) time.Duration {
	s := slices.Clone(l.lat)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.9999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

// runLoad runs op(ctx, i) for i in [0, n) from c workers, each starting its next op as soon as its previous one
// returns (closed loop), and times the whole set. The first error stops the run: an op that failed must not count.
// When timeCap passes first, the ops completed so far are returned with an error saying so.
func runLoad(ctx context.Context, n, c int, timeCap time.Duration, op func(ctx context.Context, i int) error) (load, error) {
	ctx, cancel := context.WithTimeout(ctx, timeCap)
	defer cancel()
	lat := make([]time.Duration, n)
	start := time.Now()
	err := parallel(ctx, n, c, func(ctx context.Context, i int) error {
		t := time.Now()
		if err := op(ctx, i); err != nil {
			return fmt.Errorf("op %d: %w", i, err)
		}
		lat[i] = max(time.Since(t), time.Nanosecond)
		return nil
	})
	l := load{elapsed: time.Since(start), lat: done(lat)}
	l.ops = len(l.lat)
	if l.ops < n && ctx.Err() != nil {
		return l, fmt.Errorf("stopped after %d of %d ops (time cap %s): %w", l.ops, n, timeCap, ctx.Err())
	}
	return l, err
}

// parallel runs f(ctx, i) for i in [0, n) on c workers; the first error stops the others.
func parallel(ctx context.Context, n, c int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return first
}

// done returns the latencies of the ops that completed (the others are 0), in op order.
func done(lat []time.Duration) []time.Duration {
	out := lat[:0:0]
	for _, d := range lat {
		if d > 0 {
			out = append(out, d)
		}
	}
	return out
}

// postgresConditions names the PostgreSQL settings that decide write throughput.
func postgresConditions(ctx context.Context, pool *pgxpool.Pool) (string, error) {
	var version, syncCommit, fsync, walLevel, sharedBuffers, commitDelay string
	err := pool.QueryRow(ctx, `SELECT current_setting('server_version'), current_setting('synchronous_commit'),
		current_setting('fsync'), current_setting('wal_level'), current_setting('shared_buffers'),
		current_setting('commit_delay')`).Scan(&version, &syncCommit, &fsync, &walLevel, &sharedBuffers, &commitDelay)
	return fmt.Sprintf("PostgreSQL %s synchronous_commit=%s fsync=%s wal_level=%s shared_buffers=%s commit_delay=%s",
		version, syncCommit, fsync, walLevel, sharedBuffers, commitDelay), err
}

// machine describes where the run happened; client, server and stores share these cores.
func machine() string {
	return fmt.Sprintf("%d cores, GOMAXPROCS=%d, %s/%s, %s, everything on 127.0.0.1",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// loadConfig is the server's configuration as streamingd reads it (flags over STREAMING_* variables), with the
// local stack's stores where no variable names others: the server itself has no store defaults.
func loadConfig() (config.Config, error) {
	stack, err := stackenv.Load()
	if err != nil {
		return config.Config{}, err
	}
	return config.Load(stack.ServerArgs())
}
