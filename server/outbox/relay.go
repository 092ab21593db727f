// Package outbox delivers the events that commands write to the PostgreSQL outbox table to the query side's
// projectors, at least once and in order per aggregate. It holds the scheduling only: every statement sits behind
// Store, which server/postgres implements (postgres.OutboxStore).
//
// Each replica runs a Relay. The outbox is split into partitions by a hash of the aggregate that every replica
// computes alike; a pass over a partition claims its oldest unpublished events under a cluster-wide lock of that
// partition (Store.ClaimPartition), so only one relay processes a partition at a time, and the lock goes away if the
// relay dies. The relay hands the claimed events to every projector, then marks them published and commits
// (Claim.Publish). A failing projector releases the whole batch, so nothing is skipped; projectors must therefore be
// idempotent and ignore versions older than they have.
//
// All replicas must be configured with the same Partitions: relays that disagree on the partition count do not
// exclude each other and could deliver one aggregate's events out of order.
//
// Files: relay.go (configuration, Run), partition.go (the passes over a partition), deliver.go (delivery to the
// projectors: owed events, isolation and dead letters), maintenance.go (LISTEN wake-ups, the oldest-event gauge,
// cleanup, republish), store.go (the port).
package outbox

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Projector applies events to one read model. Delivery is at least once and in order per aggregate (not across
// aggregates), so Project must be idempotent and ignore an event whose version is not newer than what it holds.
// A batch may mix aggregates; it is shared by all projectors, so Project must not modify it or keep it. A returned
// error makes the relay retry the whole batch later, with every projector; a CodeUnavailable error owes the batch
// to this projector only. A panic is recovered and counts as a refusal (a plain error); a call that outlives
// Config.ProjectTimeout counts as CodeUnavailable and is abandoned (Project should honour ctx, which ends then).
type Projector interface {
	Name() string
	Project(ctx context.Context, events []streaming.Event) error
}

// Config tunes a Relay. Zero values take the defaults.
type Config struct {
	Partitions   int           // aggregates are spread over this many partitions (16); the same on every replica
	Workers      int           // partitions processed at once per relay, each holding a pool connection (4)
	BatchSize    int           // events per transaction (500)
	PollInterval time.Duration // a pass runs at least this often even if no NOTIFY arrives (1s)
	RetryBackoff time.Duration // first wait after a failure, doubling per failure up to 32× (1s)
	CleanupAfter time.Duration // published rows older than this are deleted (1h)
	CleanupBatch int           // rows per cleanup DELETE (5000)

	// IsolateAfter is how many failed passes in a row make the next pass of the partition deliver its batch one
	// event at a time (3). An event that a projector then refuses with an error other than CodeUnavailable (its
	// payload can never be applied, e.g. it does not decode) is moved to outbox_dead_letters with the error, so it
	// stops holding back the partition; a store that is down only delays. When most of an isolated batch is refused
	// the projector itself is broken, not the events: nothing is dead-lettered and the relay keeps retrying.
	IsolateAfter int

	// MinPassInterval is the least time between the starts of two passes over one partition (50ms). Every commit's
	// NOTIFY wakes every partition; without a floor, a steady stream of commits keeps passes running back to back, each
	// one transaction for a handful of events (measured: 10 transactions per event at 700 events/s). The floor caps
	// a relay at Partitions/MinPassInterval passes a second (320 with the defaults) for at most that much more lag;
	// an event after a quiet spell is still delivered at once.
	MinPassInterval time.Duration

	// ProjectTimeout bounds one projector's call on one batch (10s). A call still running then counts as failed
	// with CodeUnavailable (the events are owed to that projector, the others go on) and is abandoned. The claim's
	// transaction spans the projector calls, so this is what keeps it from staying open on a hung store: it is open
	// at most about len(projectors) × ProjectTimeout. Set the relay pool's idle_in_transaction_session_timeout
	// above that (TransactionBound).
	ProjectTimeout time.Duration

	// Tracer, when set, records a span per relay batch and per projector call, each LINKED to the spans of the
	// commands that wrote its events (streaming.Event.TraceContext). nil: no spans (tracing off).
	Tracer trace.Tracer
}

// TransactionBound is the longest a claim's transaction can stay open with this many projectors: every projector
// call at its deadline, plus a margin for the statements. The relay's pool sets its
// idle_in_transaction_session_timeout from it, as a backstop that PostgreSQL enforces even if the process stalls.
func (c Config) TransactionBound(projectors int) time.Duration {
	c = c.withDefaults()
	return time.Duration(max(projectors, 1))*c.ProjectTimeout + 30*time.Second
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Partitions, 16)
	def(&c.Workers, 4)
	def(&c.BatchSize, 500)
	def(&c.CleanupBatch, 5000)
	def(&c.IsolateAfter, 3)
	defDur(&c.PollInterval, time.Second)
	defDur(&c.MinPassInterval, 50*time.Millisecond)
	defDur(&c.RetryBackoff, time.Second)
	defDur(&c.CleanupAfter, time.Hour)
	defDur(&c.ProjectTimeout, 10*time.Second)
	return c
}

// Relay moves outbox events to projectors. Build it with New and start it with Run.
type Relay struct {
	store      Store
	projectors []Projector
	cfg        Config
	log        *slog.Logger
	workers    chan struct{} // a slot per concurrent batch, so the relay never takes more than Workers connections
	m          *metrics
	owing      []atomic.Bool   // per projector: events are owed to it (its store was unavailable), see owedLoop
	owedWake   []chan struct{} // per projector: wakes its owedLoop
	projecting sync.WaitGroup  // Project calls running (some abandoned by project), which Run waits for
}

// New builds a relay over store. reg may be nil for no metrics.
func New(store Store, projectors []Projector, cfg Config, reg prometheus.Registerer, log *slog.Logger) *Relay {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	m := newMetrics(reg)
	for _, p := range projectors {
		m.projectorFailures.WithLabelValues(p.Name()) // export 0 before the first failure, so rate() works
		m.deadLettered.WithLabelValues(p.Name())
		m.projectorPanics.WithLabelValues(p.Name())
		m.projectorTimeouts.WithLabelValues(p.Name())
	}
	r := &Relay{store: store, projectors: projectors, cfg: cfg, log: log.With("component", "outbox relay"),
		workers: make(chan struct{}, cfg.Workers), m: m, owing: make([]atomic.Bool, len(projectors)),
		owedWake: make([]chan struct{}, len(projectors))}
	for i := range r.owedWake {
		r.owedWake[i] = make(chan struct{}, 1)
	}
	return r
}

// Run delivers events until ctx is done. It retries every failure itself, so it only returns, with nil, after ctx
// is done and the batch in flight in each partition has committed or rolled back.
func (r *Relay) Run(ctx context.Context) error {
	wakes := make([]chan struct{}, r.cfg.Partitions)
	for p := range wakes {
		wakes[p] = make(chan struct{}, 1) // one pending wake-up is enough: a pass sees every row committed before it
	}
	wakeAll := func() {
		for _, w := range wakes {
			select {
			case w <- struct{}{}:
			default:
			}
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() { r.listen(ctx, wakeAll) })
	wg.Go(func() { r.cleanupLoop(ctx) })
	wg.Go(func() { r.watchOldest(ctx) })
	for i := range r.projectors {
		wg.Go(func() { r.owedLoop(ctx, i) })
	}
	for p := range r.cfg.Partitions {
		wg.Go(func() { r.runPartition(ctx, p, wakes[p]) })
	}
	wg.Wait()
	// Project calls the relay stopped waiting for (their ctx is canceled) may still be using the projectors'
	// stores, which the caller closes once Run returns: wait for them, at most ProjectTimeout.
	projected := make(chan struct{})
	go func() { r.projecting.Wait(); close(projected) }()
	select {
	case <-projected:
	case <-time.After(r.cfg.ProjectTimeout):
		r.log.Warn("projector calls still running after the relay stopped; their stores may close under them",
			"waited", r.cfg.ProjectTimeout)
	}
	return nil
}
