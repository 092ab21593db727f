// Package wiring builds the server from its configuration: store clients, adapters, command handlers,
// interceptors and the transport. The binary and the end-to-end tests use the same function, so the tests run the
// server exactly as it ships.
package wiring

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"buf.build/go/protovalidate"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/rueidis"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	platform "github.com/streamingplatform/streaming"
	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/analytics"
	"github.com/streamingplatform/streaming/server/app/command"
	appingest "github.com/streamingplatform/streaming/server/app/ingest"
	"github.com/streamingplatform/streaming/server/app/playback"
	"github.com/streamingplatform/streaming/server/app/query"
	"github.com/streamingplatform/streaming/server/breaker"
	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/erasure"
	"github.com/streamingplatform/streaming/server/grpcapi"
	"github.com/streamingplatform/streaming/server/ingest"
	neo4jstore "github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/outbox"
	"github.com/streamingplatform/streaming/server/password"
	"github.com/streamingplatform/streaming/server/payment"
	"github.com/streamingplatform/streaming/server/payment/stripe"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/rebuild"
	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/search"
	"github.com/streamingplatform/streaming/server/signals"
	"github.com/streamingplatform/streaming/server/streaming"
	"github.com/streamingplatform/streaming/server/telemetry"
)

// Built is a server ready to Run, with what must be closed after it stops. The outbox relay (when projections are
// enabled) already runs in the background; Close stops it.
type Built struct {
	Server     *grpcapi.Server
	Pool       *postgres.Pool
	Redis      rueidis.Client
	Cassandra  *cassandra.Store
	Graph      *neo4jstore.Graph
	Search     *search.Index
	Analytics  *search.Analytics // the playback roll-ups, beside the catalog index
	Rollups    *analytics.Rollups
	ReadModels *redis.ReadModel
	Pipeline   *ingest.Pipeline
	Query      *query.Handler
	Relay      *outbox.Relay      // nil when projections are disabled
	Eraser     *erasure.Worker    // the erasure worker; nil when projections are disabled
	Replayer   *ingest.Replayer   // the derived playback updates, applied again from Cassandra
	Tracing    *telemetry.Tracing // off unless configured (or a test injected a span processor)

	observers    []*ingest.AsyncObserver
	interests    *signals.Buffer[streaming.GenreSearch]
	accesses     *signals.Buffer[streaming.Access]
	stopRetain   context.CancelFunc
	retainDone   chan struct{}
	cleanups     []func() // the stores' cleanups, in the order they were opened
	stopRelay    context.CancelFunc
	relayStopped chan struct{}
	stopJanitor  context.CancelFunc
	janitorDone  chan struct{}
	stopBilling  context.CancelFunc
	billingDone  chan struct{}
	stopReplay   context.CancelFunc
	replayDone   chan struct{}
	log          *slog.Logger
}

// Close flushes every accepted playback event and its derived updates, stops the relay (its batch in flight
// commits or rolls back), then releases the store clients. Call it after Run returns.
func (b *Built) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if b.stopReplay != nil {
		b.stopReplay()
		<-b.replayDone
	}
	if b.Pipeline != nil {
		if err := b.Pipeline.Close(ctx); err != nil {
			b.log.Error("ingest pipeline did not flush", "err", err)
		}
	}
	for _, o := range b.observers {
		o.Close(ctx)
	}
	if b.interests != nil {
		b.interests.Close(ctx)
	}
	if b.accesses != nil {
		b.accesses.Close(ctx)
	}
	if b.stopRetain != nil {
		b.stopRetain()
		<-b.retainDone
	}
	if b.stopRelay != nil {
		b.stopRelay()
		<-b.relayStopped
	}
	if b.stopBilling != nil {
		b.stopBilling()
		<-b.billingDone
	}
	if b.stopJanitor != nil {
		b.stopJanitor()
		<-b.janitorDone
	}
	for _, cleanup := range slices.Backward(b.cleanups) {
		cleanup()
	}
}

// Option adjusts what Build assembles beyond the configuration.
type Option func(*options)

type options struct {
	spanProcessors []sdktrace.SpanProcessor
}

// WithSpanProcessor turns tracing on (whatever the configuration says) and hands every span to p as well as to the
// configured exporter: tests record spans with a tracetest.SpanRecorder this way.
func WithSpanProcessor(p sdktrace.SpanProcessor) Option {
	return func(o *options) { o.spanProcessors = append(o.spanProcessors, p) }
}

// Tracing sets up the tracing cfg configures (off when no endpoint is set), plus extra span processors.
func Tracing(ctx context.Context, cfg config.Config, extra ...sdktrace.SpanProcessor) (*telemetry.Tracing, error) {
	return telemetry.Setup(ctx, telemetry.Config{Endpoint: cfg.OTelEndpoint, SampleRatio: cfg.OTelSampleRatio,
		ServiceName: cfg.OTelServiceName}, extra...)
}

// Build connects to the stores, migrates (if configured) and assembles the server.
func Build(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...Option) (*Built, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if cfg.Migrate {
		if err := Migrate(ctx, cfg); err != nil {
			return nil, err
		}
	}
	tracing, err := Tracing(ctx, cfg, o.spanProcessors...)
	if err != nil {
		return nil, err
	}
	// First in, last out: the spans of everything closed before it are still exported.
	shutdownTracing := func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tracing.Shutdown(sctx); err != nil {
			log.Warn("tracing: spans not exported at shutdown", "err", err)
		}
	}
	if tracing.Enabled() {
		log.Info("tracing on", "otlp_endpoint", cfg.OTelEndpoint, "sampling_ratio", cfg.OTelSampleRatio, "service", cfg.OTelServiceName)
	}
	tp := tracing.Provider()
	pool, closePool, err := postgres.Open(ctx, postgres.Config{URL: cfg.PostgresURL, TracerProvider: tp})
	if err != nil {
		shutdownTracing()
		return nil, err
	}
	rcfg := RedisConfig(cfg)
	rcfg.TracerProvider = tp
	rc, closeRedis, err := redis.Open(ctx, rcfg)
	if err != nil {
		closePool()
		shutdownTracing()
		return nil, err
	}
	b := &Built{Pool: pool, Redis: rc, Tracing: tracing, log: log, cleanups: []func(){shutdownTracing, closePool, closeRedis}}
	cassCfg, err := CassandraConfig(cfg)
	if err != nil {
		b.Close()
		return nil, err
	}
	cassCfg.TracerProvider, cassCfg.Log = tp, log
	var cleanup func()
	if b.Cassandra, cleanup, err = cassandra.Open(ctx, cassCfg); err != nil {
		b.Close()
		return nil, fmt.Errorf("cassandra: %w", err)
	}
	b.cleanups = append(b.cleanups, cleanup)
	// Without Neo4j the server still serves (recommendations fall back to trending; the graph's events are owed to it
	// until it answers), so an unreachable graph at start-up is a warning, not a failure. A bad configuration still stops it.
	graphCfg := GraphConfig(cfg)
	graphCfg.TracerProvider = tp
	if b.Graph, cleanup, err = neo4jstore.Open(ctx, graphCfg); streaming.ErrorCode(err) == streaming.CodeUnavailable {
		log.Warn("Neo4j is unreachable; starting without it: recommendations fall back to trending until it answers", "err", err)
		graphCfg.Lazy = true
		b.Graph, cleanup, err = neo4jstore.Open(ctx, graphCfg)
	}
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("neo4j: %w", err)
	}
	b.cleanups = append(b.cleanups, cleanup)
	searchCfg := SearchConfig(cfg)
	searchCfg.TracerProvider = tp
	if b.Search, cleanup, err = search.Open(ctx, searchCfg); err != nil {
		b.Close()
		return nil, fmt.Errorf("search: %w", err)
	}
	b.cleanups = append(b.cleanups, cleanup)
	if b.Analytics, err = b.Search.Analytics(""); err == nil {
		err = b.Analytics.EnsureAnalytics(ctx)
	}
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("search: analytics: %w", err)
	}
	b.ReadModels = redis.NewReadModel(rc, redis.ReadModelOptions{ClientCache: cfg.RedisClientCache})
	b.Rollups = &analytics.Rollups{Store: b.Analytics, Viewers: b.ReadModels, Countries: b.ReadModels}
	registry := prometheus.NewRegistry()
	trending := redis.NewTrending(rc)
	// Hours counted by an earlier version under names without the cluster hash tag keep counting (a no-op after the
	// first start: one pipelined EXISTS per hour of retention). A failure costs only those hours: a warning.
	if moved, err := trending.MigrateKeys(ctx); err != nil {
		log.Warn("trending: hours counted by an earlier version could not be moved to their current keys", "moved", moved, "err", err)
	} else if moved > 0 {
		log.Info("trending: moved hours counted by an earlier version to their current keys", "hours", moved)
	}
	b.Pipeline = NewPipeline(cfg, b.Cassandra, b.playbackObservers(registry, trending), registry, log, tracing)
	store := postgres.NewCommandStore(pool)
	sessions := redis.NewSessionStore(rc, cfg.SessionIdle)
	processor, err := paymentProcessor(cfg)
	if err != nil {
		b.Close()
		return nil, err
	}
	handler := command.New(command.Deps{
		Store:            store,
		Ratings:          store,
		Sessions:         sessions,
		Payments:         processor,
		FingerprintKey:   []byte(cfg.FingerprintKey),
		Passwords:        password.NewPool(password.Default, cfg.PasswordHashConcurrency, cfg.PasswordHashWait),
		SessionTTL:       cfg.SessionTTL,
		LoginAttempts:    redis.NewRateLimiter(rc),
		LoginsPerAccount: streaming.Limit{Burst: cfg.LoginsPerAccount, Per: cfg.LoginWindow},
		LoginsPerClient:  streaming.Limit{Burst: cfg.LoginsPerClient, Per: cfg.LoginWindow},
		Erasures:         postgres.NewErasureQueue(pool),
	})
	// Queries reach the graph and search through circuit breakers: while one is known down they answer at once
	// (recommendations: the trending fallback; search: Unavailable) instead of each waiting for the driver.
	breakers := breaker.Settings{Failures: cfg.BreakerFailures, OpenFor: cfg.BreakerOpenFor, Log: log}
	graphBreaker, searchBreaker := breaker.New("neo4j", breakers), breaker.New("search", breakers)
	if err := breaker.Register(registry, graphBreaker, searchBreaker); err != nil {
		b.Close()
		return nil, err
	}
	b.Query = &query.Handler{Store: postgres.NewReadStore(pool), Views: b.ReadModels, Recs: b.ReadModels,
		Graph: breaker.Graph{Next: b.Graph, Breaker: graphBreaker}, Counters: trending,
		Index: breaker.Search{Next: b.Search, Breaker: searchBreaker}, Playback: b.Cassandra,
		GraphTimeout: cfg.RecsGraphTimeout, Log: log}
	b.Query.Billing = postgres.NewReadStore(pool) // invoices are read where they are written: PostgreSQL
	b.Query.Erasures = postgres.NewErasureQueue(pool)
	// Signed-in users' genre searches feed their genre interest in the graph, off the search's path.
	b.interests = signals.New(signals.GenreSearches(b.Graph), signals.Config{}, registry, log)
	b.Query.Interests = b.interests
	// What each store was chosen for: account-sharing links in the graph, roll-ups in search, a user's viewing in
	// Cassandra. Playback starts' devices and networks reach the graph off the request's path.
	b.Query.Risk, b.Query.Analytics, b.Query.History = b.Graph, b.Analytics, b.Cassandra
	b.accesses = signals.New(signals.Accesses(b.Graph), signals.Config{}, registry, log)
	if cfg.AnalyticsRetention > 0 {
		b.startRetention(cfg.AnalyticsRetention)
	}
	if cfg.ReadModelsEnabled {
		if err := b.startRelay(ctx, cfg, registry); err != nil {
			b.Close()
			return nil, err
		}
	}
	b.startJanitor(store, cfg.IdempotencyTTL)
	b.startBilling(cfg, store, processor)
	b.Replayer = &ingest.Replayer{Source: b.Cassandra, Observers: b.observers, Interval: cfg.DerivedReplayInterval, Log: log}
	if cfg.DerivedReplayInterval > 0 {
		rctx, cancel := context.WithCancel(context.Background())
		b.stopReplay, b.replayDone = cancel, make(chan struct{})
		go func() { defer close(b.replayDone); b.Replayer.Run(rctx) }()
	}
	b.Server, err = NewServer(cfg, log, Parts{
		Registry: registry,
		Tracing:  tracing,
		Sessions: sessions,
		Command:  &grpcapi.CommandServer{H: handler},
		Query:    &grpcapi.QueryServer{H: b.Query},
		// Leases in Redis; the active subscription and its plan from the query side's read models.
		Playback: &grpcapi.PlaybackServer{S: &playback.Service{Leases: redis.NewLeases(rc), Entitlements: b.Query,
			LeaseTTL: cfg.PlaybackLeaseTTL, Accesses: b.accesses}},
		Pipeline: b.Pipeline,
		Checks: map[string]func(context.Context) error{
			"postgres":  pool.Ping,
			"redis":     func(ctx context.Context) error { return rc.Do(ctx, rc.B().Ping().Build()).Error() },
			"cassandra": b.Cassandra.Ping,
			"neo4j":     b.Graph.Ping,
			"search":    b.Search.Ping,
		},
		// Recommendations fall back to trending without Neo4j; search alone fails without its server.
		Degradable: map[string]bool{"neo4j": true, "search": true},
	})
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// Migrate brings the PostgreSQL schema up to date as the schema's owner (cfg.MigrateURL), on a connection of its
// own: the migration step of a deployment (streamingd -migrate-only), or the start of a development server.
func Migrate(ctx context.Context, cfg config.Config) error {
	url := cfg.MigrateURL
	if url == "" {
		url = cfg.PostgresURL
	}
	pool, closePool, err := postgres.Open(ctx, postgres.Config{URL: url})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer closePool()
	mctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := postgres.Migrate(mctx, pool); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// RepairRatings recounts every title's rating aggregate from the ratings table and prints each title whose stored
// aggregate differs to w; with cfg.RepairRatingsFix it also fixes them. It returns how many differed.
func RepairRatings(ctx context.Context, cfg config.Config, w io.Writer) (int, error) {
	pool, closePool, err := postgres.Open(ctx, postgres.Config{URL: cfg.PostgresURL})
	if err != nil {
		return 0, fmt.Errorf("repair ratings: %w", err)
	}
	defer closePool()
	diffs, err := postgres.NewRatingStore(pool).RepairAggregates(ctx, cfg.RepairRatingsFix)
	for _, d := range diffs {
		fmt.Fprintln(w, d)
	}
	if err != nil {
		return len(diffs), fmt.Errorf("repair ratings: %w", err)
	}
	return len(diffs), nil
}

// ReplayDerived applies the derived playback updates (trending viewers, watched edges) again for every event from
// since on, read back from Cassandra, and returns how many viewings it read: the repair after a crash lost what
// waited in the buffers, or after a store's data was lost. Idempotent: running it twice changes nothing more.
func ReplayDerived(ctx context.Context, cfg config.Config, since time.Time, log *slog.Logger) (int, error) {
	// No API, relay or replay loop of its own; its operators' listener (which Build always opens) goes to a free
	// loopback port, so the command runs beside a streamingd on the same host.
	cfg.API, cfg.ReadModelsEnabled, cfg.DerivedReplayInterval, cfg.OpsAddr = false, false, 0, "127.0.0.1:0"
	cfg.BillingInterval, cfg.AnalyticsRetention = 0, 0 // a command, not a replica: it renews nothing
	b, err := Build(ctx, cfg, log)
	if err != nil {
		return 0, err
	}
	defer b.Close()
	return b.Replayer.Replay(ctx, since)
}

// playbackObservers are the derived updates of durable playback events (PlaybackObservers); Close flushes them.
func (b *Built) playbackObservers(reg prometheus.Registerer, trending *redis.Trending) streaming.PlaybackObserver {
	titles := &ingest.TitleFilter{Lookup: postgres.NewReadStore(b.Pool).ExistingContent}
	obs, async := PlaybackObservers(reg, trending, b.Graph, b.ReadModels, b.Rollups, titles, b.log)
	b.observers = async
	return obs
}

// How long each derived update gathers viewings before applying them (see PlaybackObservers and
// asyncq.Options.Gather). The trending and watched updates gather a quarter of a second: applied as soon as the
// buffer had anything, each apply was a Neo4j transaction or a Redis pipeline for the few viewings of one or two
// partition writes, and in ingest_cassandra Neo4j spent about 10 s of CPU per run on those transactions; gathered,
// 3 s (Redis 1.2 s, then 0.9 s). A quarter of a second is well inside what a viewer can notice between starting a
// title and seeing it gone from their recommendations. The analytics roll-ups are hourly sums read by operators:
// they gather 15 seconds, so one addition in the search server stands for many viewings of a roll-up, in a buffer
// that folds viewings as they come (ingest.NewFoldingObserver), so it holds one per viewer, title and device however
// long it gathers; in ingest_cassandra the search server's CPU for them fell by about a quarter from 5 s unfolded.
const (
	TrendingGather  = 250 * time.Millisecond
	WatchedGather   = 250 * time.Millisecond
	AnalyticsGather = 15 * time.Second
)

// PlaybackObservers are the derived updates of durable playback events, each behind its own bounded asynchronous
// buffer so none can slow ingest or another: the trending counters (Redis), the WATCHED edges (Neo4j) with the
// invalidation of the watchers' cached recommendations, and the analytics roll-ups (search, with their viewers in
// Redis; nil rollups: none). All are fed viewings (one per partition write, hour and device), folded once from the
// events, and all first drop the viewings of titles that are not in the catalog (titles). It
// returns the fan-out to give the pipeline and the buffers, which the caller closes (after the pipeline) to flush
// them; what a buffer drops or fails to apply, a Replayer over them applies again. Exported so the benchmarks run the
// derived updates exactly as streamingd does.
func PlaybackObservers(reg prometheus.Registerer, trending *redis.Trending, graph *neo4jstore.Graph, recs *redis.ReadModel,
	rollups *analytics.Rollups, titles *ingest.TitleFilter, log *slog.Logger) (streaming.PlaybackObserver, []*ingest.AsyncObserver) {
	// Derived updates follow durable writes asynchronously; their lag is a product figure.
	lag := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ingest_derived_update_lag_seconds",
		Help:    "Time from a playback event being durable to its derived update being applied, per update.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 15)}, []string{"update"})
	reg.MustRegister(lag)
	observer := func(name string, gather time.Duration, fold bool, f func(context.Context, []streaming.Viewing) error) *ingest.AsyncObserver {
		newObserver := ingest.NewGatheringObserver
		if fold {
			newObserver = ingest.NewFoldingObserver
		}
		return newObserver(100_000, gather, func(viewings []streaming.Viewing) error {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			n := len(viewings)
			viewings, err := titles.Keep(ctx, viewings)
			if err == nil {
				err = f(ctx, viewings)
			}
			if err != nil {
				log.Warn("derived playback update failed; replayed from Cassandra once its store answers", "update", name,
					"viewings", n, "err", err)
			}
			return err
		}, lag.WithLabelValues(name), log)
	}
	// The watched update writes only watches that change an edge (a pair new to the graph, or newly completed):
	// while a title plays, every partition write of it gives the same watch again.
	// Likewise the trending update sends only viewers its counters do not hold yet for the title and hour.
	memo, viewers := ingest.NewWatchMemo(0, 0), ingest.NewViewerMemo(0, 0)
	counter := func(name, help string, f func() uint64) {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(f()) }))
	}
	counter("ingest_watches_written_total", "Watch signals written to the graph (each a new or newly completed WATCHED edge).",
		memo.Written)
	counter("ingest_watches_unchanged_total", "Watch signals not written: the graph already held the edge as they would leave it.",
		memo.Unchanged)
	counter("ingest_trending_viewings_sent_total", "Viewings sent to the trending counters (a viewer new to a title and hour).",
		viewers.Sent)
	counter("ingest_trending_viewings_known_total", "Viewings not sent to the trending counters: they held the viewer for the title and hour already.",
		viewers.Known)
	observers := []*ingest.AsyncObserver{
		observer("trending", TrendingGather, false, func(ctx context.Context, viewings []streaming.Viewing) error {
			fresh := viewers.New(viewings)
			if len(fresh) == 0 {
				return nil
			}
			if err := trending.Apply(ctx, fresh); err != nil {
				return err
			}
			viewers.Remember(fresh)
			return nil
		}),
		observer("watched", WatchedGather, false, func(ctx context.Context, viewings []streaming.Viewing) error {
			watches, users := memo.Changes(viewings)
			if len(watches) == 0 {
				return nil
			}
			if err := graph.ApplyWatches(ctx, watches); err != nil {
				return err
			}
			// After the edges: a recommendation computed between the two steps would still be cached stale.
			if err := recs.InvalidateRecommendations(ctx, users...); err != nil {
				return err
			}
			memo.Remember(watches)
			return nil
		}),
	}
	if rollups != nil {
		// The roll-ups are sums per title, hour, country and device: gathered for a while, the viewings of one
		// roll-up become one addition (a conditional write in the search server) instead of many. Their
		// viewer sets get only the marks they may lack (ingest.MarkMemo): the live path's own copy of rollups, so a
		// rebuild marks every viewer it counts.
		marks := ingest.NewMarkMemo(rollups.Viewers, 0, 0)
		counter("ingest_analytics_marks_sent_total", "Viewer marks sent to the analytics roll-ups' viewer sets.", marks.Sent)
		counter("ingest_analytics_marks_known_total", "Viewer marks not sent: the viewer sets held them already, or they repeated one of the same apply.",
			marks.Known)
		live := *rollups
		live.Viewers = marks
		observers = append(observers, observer("analytics", AnalyticsGather, true, live.Apply))
	}
	return ingest.FanOut(observers), observers
}

// startRelay runs the outbox relay in the background on a pool of its own, so a burst of projections never takes
// connections from commands (and commands never starve the relay).
func (b *Built) startRelay(ctx context.Context, cfg config.Config, reg prometheus.Registerer) error {
	// The graph goes before Redis: Redis invalidates cached recommendations, which must not be recomputed from a
	// graph that does not have the event yet (and then cached for an hour).
	projectors := []outbox.Projector{b.Graph.Projector(), b.Search.Projector(), b.ReadModels.Projector()}
	rcfg := outbox.Config{Partitions: cfg.OutboxPartitions, Workers: cfg.OutboxWorkers, BatchSize: cfg.OutboxBatch,
		PollInterval: cfg.OutboxPoll, ProjectTimeout: cfg.OutboxProjectTimeout,
		Tracer: b.Tracing.Tracer("github.com/streamingplatform/streaming/server/outbox")}
	// The relay's statements are short (a claim, a publish, a cleanup batch): a statement or lock wait far longer
	// than those means a stuck server, and is cut. A claim's transaction stays open while its projectors run, at
	// most TransactionBound; PostgreSQL ends one idle in it longer than that even if this process stalls.
	pool, closePool, err := postgres.Open(ctx, postgres.Config{URL: cfg.PostgresURL,
		MaxConns:         cfg.OutboxWorkers + 4, // a connection per worker, LISTEN, cleanup, the rating flusher, erasures
		StatementTimeout: relayStatementTimeout, LockTimeout: relayLockTimeout,
		IdleInTransactionTimeout: rcfg.TransactionBound(len(projectors)), TracerProvider: b.Tracing.Provider()})
	if err != nil {
		return fmt.Errorf("outbox relay: %w", err)
	}
	b.cleanups = append(b.cleanups, closePool)
	b.Relay = outbox.New(postgres.NewOutboxStore(pool), projectors, rcfg, reg, b.log)
	// The rating flusher runs where the relay runs: it writes the outbox events the relay delivers, and with
	// projections off in every process nobody would read them.
	flusher := outbox.NewFlusher(postgres.NewRatingStore(pool), cfg.RatingFlushInterval, reg, b.log)
	// The erasure worker runs here too: where the stores' projections run, it clears them of erased users.
	eraser := erasure.New(postgres.NewErasureQueue(pool),
		[]streaming.UserEraser{b.Graph, redis.NewEraser(b.Redis), b.Cassandra}, erasure.Config{}, reg, b.log)
	b.Eraser = eraser
	rctx, cancel := context.WithCancel(context.Background())
	b.stopRelay, b.relayStopped = cancel, make(chan struct{})
	go func() {
		defer close(b.relayStopped)
		var wg sync.WaitGroup
		wg.Go(func() { flusher.Run(rctx) })
		wg.Go(func() { eraser.Run(rctx) })
		b.Relay.Run(rctx)
		wg.Wait()
	}()
	return nil
}

// Bounds of the relay pool's statements and lock waits (its transactions' are from outbox.Config.TransactionBound).
const (
	relayStatementTimeout = 30 * time.Second
	relayLockTimeout      = 10 * time.Second
)

// Idempotency keys are expired every janitorEvery, janitorBatch per statement.
const (
	janitorEvery = 10 * time.Minute
	janitorBatch = 1000
)

// startRetention drops the analytics roll-ups past keep, daily (server/analytics.Retention).
func (b *Built) startRetention(keep time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	b.stopRetain, b.retainDone = cancel, make(chan struct{})
	r := &analytics.Retention{Store: b.Analytics, Keep: keep, Log: b.log}
	go func() { defer close(b.retainDone); r.Run(ctx) }()
}

// startJanitor deletes idempotency keys older than ttl in the background: once at start, then every janitorEvery.
// Replicas may all run it; each skips the rows another is deleting.
func (b *Built) startJanitor(store *postgres.CommandStore, ttl time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	b.stopJanitor, b.janitorDone = cancel, make(chan struct{})
	go func() {
		defer close(b.janitorDone)
		t := time.NewTicker(janitorEvery)
		defer t.Stop()
		for {
			n, err := store.ExpireIdempotencyKeys(ctx, ttl, janitorBatch)
			switch {
			case err != nil && ctx.Err() == nil:
				b.log.Warn("expiring idempotency keys failed; retrying later", "err", err)
			case n > 0:
				b.log.Info("expired idempotency keys", "deleted", n, "older_than", ttl.String())
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// NewPipeline is the ingest pipeline as streamingd sizes it, over any writer (benchmarks pass a discarding one).
// tracing may be nil (off).
func NewPipeline(cfg config.Config, w streaming.PlaybackWriter, obs streaming.PlaybackObserver, reg prometheus.Registerer, log *slog.Logger, tracing *telemetry.Tracing) *ingest.Pipeline {
	return ingest.New(ingest.Config{QueueEvents: cfg.IngestQueueEvents, Writers: cfg.IngestWriters,
		Tracer: tracing.Tracer("github.com/streamingplatform/streaming/server/ingest")}, w, obs, reg, log)
}

// Parts are what the transport serves. Build fills them from the real stores; a benchmark may substitute some
// (a discarding pipeline, no command side) and still get the transport exactly as streamingd runs it.
type Parts struct {
	Registry *prometheus.Registry
	Sessions streaming.SessionStore // nil: only the admin and service tokens authenticate
	Command  *grpcapi.CommandServer
	Query    *grpcapi.QueryServer
	Playback *grpcapi.PlaybackServer // nil: the PlaybackService answers Unimplemented
	Pipeline *ingest.Pipeline
	Checks   map[string]func(context.Context) error
	// Degradable checks are reported but leave the server SERVING (see grpcapi.Options).
	Degradable map[string]bool
	// Tracing traces the calls (nil or off: no instrumentation at all).
	Tracing *telemetry.Tracing
}

// NewServer assembles the interceptors, the three services and the transport from cfg and p.
func NewServer(cfg config.Config, log *slog.Logger, p Parts) (*grpcapi.Server, error) {
	validator, err := protovalidate.New()
	if err != nil {
		return nil, err
	}
	ic := &grpcapi.Interceptors{
		Log: log,
		Auth: &grpcapi.Authenticator{AdminToken: cfg.AdminToken, ServiceToken: cfg.ServiceToken, Sessions: p.Sessions,
			ServiceCerts: cfg.TLSClientCAFile != "", SessionRecheck: cfg.SessionRecheck},
		Validator:       validator,
		DefaultDeadline: cfg.DefaultDeadline,
		Clients:         &grpcapi.ClientAddrs{Trusted: cfg.TrustedProxies},
	}
	ingestServer := grpcapi.NewIngestServer(&appingest.Service{Queue: p.Pipeline, MaxSkew: cfg.IngestMaxSkew, MaxAge: cfg.IngestMaxAge,
		Quotas: &appingest.Quotas{User: appingest.Quota{Rate: cfg.IngestUserRate, Burst: cfg.IngestUserBurst},
			Service: appingest.Quota{Rate: cfg.IngestServiceRate, Burst: cfg.IngestServiceBurst}}})
	ingestServer.IdleTimeout = cfg.StreamIdle
	ingestServer.Tracer = p.Tracing.Tracer("github.com/streamingplatform/streaming/server/grpcapi")
	if p.Registry != nil {
		ingestServer.Rejected = prometheus.NewCounter(prometheus.CounterOpts{Name: "ingest_events_rejected_total",
			Help: "Playback events answered as rejected: failed a check, or not stored (the client resends those)."})
		if err := p.Registry.Register(ingestServer.Rejected); err != nil {
			return nil, err
		}
	}
	var playbackServer pb.PlaybackServiceServer = pb.UnimplementedPlaybackServiceServer{}
	if p.Playback != nil {
		playbackServer = p.Playback
	}
	return grpcapi.New(grpcapi.Options{
		NoAPI: !cfg.API, MaxConnections: cfg.MaxConnections, GRPCAddr: cfg.GRPCAddr, HTTPAddr: cfg.HTTPAddr, OpsAddr: cfg.OpsAddr, TLSCertFile: cfg.TLSCertFile,
		TLSKeyFile: cfg.TLSKeyFile, TLSClientCAFile: cfg.TLSClientCAFile, MaxRecvBytes: cfg.MaxRecvBytes,
		DefaultDeadline: cfg.DefaultDeadline, ShutdownGrace: cfg.ShutdownGrace, OpenAPI: platform.OpenAPI,
		OpenAPIV2: platform.OpenAPIV2, Registry: p.Registry, Checks: p.Checks, Degradable: p.Degradable, OnShutdown: []func(){ingestServer.Drain},
		TracerProvider: p.Tracing.Provider(),
	}, log, ic, p.Command, p.Query, ingestServer, playbackServer)
}

// paymentProcessor is the processor cfg selects: the simulator, or Stripe.
func paymentProcessor(cfg config.Config) (streaming.PaymentProcessor, error) {
	if cfg.Payments != config.PaymentsStripe {
		return payment.Local{}, nil
	}
	p, err := stripe.New(stripe.Config{APIKey: cfg.StripeAPIKey, BaseURL: cfg.StripeAPIURL, Timeout: cfg.StripeTimeout,
		MaxNetworkRetries: int64(cfg.StripeMaxRetries)})
	if err != nil {
		return nil, fmt.Errorf("payments: %w", err)
	}
	return p, nil
}

// Rebuild rebuilds the read models cfg.Rebuild names from PostgreSQL (and the graph's watches from Cassandra) while
// the platform serves, printing what each took to w. Each goes through the read model's own versioned projector
// writes (server/rebuild), so nothing newer than what it read is overwritten and running it again is harmless. The
// search index is built into a new index, the alias swapped to it at once, then a second pass applies what changed
// meanwhile. Only the stores' clients are opened: no API, relay or worker.
func Rebuild(ctx context.Context, cfg config.Config, w io.Writer, log *slog.Logger) error {
	cfg.API, cfg.ReadModelsEnabled, cfg.DerivedReplayInterval, cfg.OpsAddr = false, false, 0, "127.0.0.1:0"
	cfg.BillingInterval = 0
	b, err := Build(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer b.Close()
	src := postgres.NewRebuildSource(b.Pool)
	for _, model := range cfg.Rebuild {
		start := time.Now()
		var n rebuild.Counts
		var err error
		switch model {
		case config.RebuildGraph:
			if n, err = rebuild.Project(ctx, src, b.Graph.Projector(), rebuild.ForGraph, 0); err == nil {
				n.Watches, err = rebuild.Watches(ctx, b.Cassandra, b.Graph, 0)
			}
		case config.RebuildRedis:
			n, err = rebuild.Project(ctx, src, b.ReadModels.Projector(), rebuild.ForRedis, 0)
		case config.RebuildAnalytics:
			to := time.Now().UTC().Truncate(time.Hour).Add(time.Hour)
			var st analytics.RebuildStats
			if st, err = b.Rollups.Rebuild(ctx, b.Cassandra, to.Add(-cfg.AnalyticsRebuildWindow).Truncate(time.Hour), to); err == nil {
				fmt.Fprintf(w, "analytics: %d roll-ups from %d playback events\n", st.Rollups, st.Events)
			}
		case config.RebuildSearch:
			var report search.RebuildReport
			report, err = b.Search.Rebuild(ctx, func(ctx context.Context, p *search.Projector) error {
				n, err = rebuild.Project(ctx, src, p, rebuild.ForSearch, 0) // the second pass's counts are kept
				return err
			})
			if err == nil {
				fmt.Fprintf(w, "search: alias %s now on %s (was %s), %d documents\n", b.Search.Alias(), report.Index,
					strings.Join(report.Replaced, ", "), report.Documents)
			}
		}
		if err != nil {
			return fmt.Errorf("rebuild %s: %w", model, err)
		}
		fmt.Fprintf(w, "%s rebuilt in %s: %d plans, %d users, %d subscriptions, %d titles, %d ratings, %d watches\n",
			model, time.Since(start).Round(time.Millisecond), n.Plans, n.Users, n.Subscriptions, n.Contents, n.Ratings, n.Watches)
	}
	return nil
}
