// Package outbox delivers the events that commands write to the PostgreSQL outbox table to the query side's
// projectors, at least once and in order per aggregate.
//
// Each replica runs a Relay. The outbox is split into partitions by a hash of the aggregate, computed in SQL so
// every replica agrees; a pass over a partition runs in one transaction that first takes a transaction-level
// advisory lock for that partition, so only one relay in the cluster processes a partition at a time, and the lock
// goes away with the transaction if the relay dies. Within the transaction the relay claims the oldest unpublished
// rows, hands them to every projector, marks them published and commits. A failing projector rolls the whole batch
// back, so nothing is skipped; projectors must therefore be idempotent and ignore versions older than they have.
//
// All replicas must be configured with the same Partitions: the lock key is the partition number, so relays that
// disagree on the partition count do not exclude each other and could deliver one aggregate's events out of order.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Projector applies events to one read model. Delivery is at least once and in order per aggregate (not across
// aggregates), so Project must be idempotent and ignore an event whose version is not newer than what it holds.
// A batch may mix aggregates; it is shared by all projectors, so Project must not modify it or keep it. A returned
// error makes the relay retry the whole batch later, with every projector.
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
	return c
}

// cleanupEvery is how often a relay deletes old published rows. Several replicas may do it at once: they skip each
// other's rows.
const cleanupEvery = time.Minute

// Relay moves outbox events to projectors. Build it with New and start it with Run.
type Relay struct {
	pool       *pgxpool.Pool
	projectors []Projector
	cfg        Config
	log        *slog.Logger
	workers    chan struct{} // a slot per concurrent batch, so the relay never takes more than Workers connections
	m          *metrics
	owing      []atomic.Bool   // per projector: events are owed to it (its store was unavailable), see owedLoop
	owedWake   []chan struct{} // per projector: wakes its owedLoop
}

// New builds a relay over pool (whose search_path must reach the outbox table). reg may be nil for no metrics.
func New(pool *pgxpool.Pool, projectors []Projector, cfg Config, reg prometheus.Registerer, log *slog.Logger) *Relay {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	m := newMetrics(reg)
	for _, p := range projectors {
		m.projectorFailures.WithLabelValues(p.Name()) // export 0 before the first failure, so rate() works
		m.deadLettered.WithLabelValues(p.Name())
	}
	r := &Relay{pool: pool, projectors: projectors, cfg: cfg, log: log.With("component", "outbox relay"),
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
	return nil
}

// runPartition drains partition p at start, on every wake-up and every PollInterval, but not sooner than
// MinPassInterval after its previous pass. After a failure it waits out the backoff and ignores wake-ups meanwhile,
// so a burst of NOTIFYs cannot turn into a burst of retries.
func (r *Relay) runPartition(ctx context.Context, p int, wake <-chan struct{}) {
	poll := time.NewTicker(r.cfg.PollInterval)
	defer poll.Stop()
	failures := 0
	for {
		started := time.Now()
		err := r.drain(ctx, p, failures >= r.cfg.IsolateAfter)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			if failures == 1 { // once per failure streak; the counters show how long it lasts
				r.log.Warn("outbox delivery failing; retrying with backoff, rows stay unpublished", "partition", p, "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(r.cfg.RetryBackoff << min(failures-1, 5)):
			}
			continue
		}
		if failures > 0 {
			r.log.Info("outbox delivery recovered", "partition", p, "failed_attempts", failures)
			failures = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-poll.C:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.cfg.MinPassInterval - time.Since(started)):
		}
	}
}

// drain processes batches of partition p until it is empty or another relay holds it.
func (r *Relay) drain(ctx context.Context, p int, isolate bool) error {
	for {
		n, err := r.processBatch(ctx, p, isolate)
		isolate = false // only the batch that kept failing
		if err != nil || n < r.cfg.BatchSize {
			return err
		}
	}
}

// The partition of an aggregate. hashtext is computed by the server, so all replicas agree; the mask keeps it
// non-negative without abs(), which overflows on the smallest int4.
const partitionExpr = `(hashtext(aggregate_type || '/' || aggregate_id) & 2147483647) % $1`

// The lock's first key is the outbox table's oid: it names this table (a database may hold several outbox schemas,
// as the tests do) and keeps clear of other users of advisory locks.
const lockSQL = `SELECT pg_try_advisory_xact_lock('outbox'::regclass::oid::int, $1)`

// Rows of a partition are claimed in id order. Ids are taken at insert, not at commit, so a row with a smaller id can
// become visible after larger ones were published; every pass scans all unpublished rows and so still finds it.
// Per-aggregate order relies on the writers: every command locks (or creates) its aggregate's row before appending
// the event, so two events of one aggregate are inserted, and committed, in version order, and their ids follow that
// order too. A writer that appended events without holding its aggregate's row lock would break this.
// SKIP LOCKED is a safety net only: the advisory lock already keeps other relays out of the partition.
const claimSQL = `
	SELECT id, aggregate_type, aggregate_id, version, event_type, payload, occurred_at
	FROM outbox
	WHERE published_at IS NULL AND ` + partitionExpr + ` = $2
	ORDER BY id
	LIMIT $3
	FOR UPDATE SKIP LOCKED`

// clock_timestamp, not now(): now() is the transaction's start, before the projectors ran. The lag is measured on the
// database's clock at both ends (created_at is the writing transaction's start).
const publishSQL = `
	UPDATE outbox SET published_at = clock_timestamp()
	WHERE id = ANY($1)
	RETURNING extract(epoch FROM published_at - created_at)::float8`

// scanEvents reads claimed outbox rows (id, aggregate_type, aggregate_id, version, event_type, payload,
// occurred_at) into events and their ids.
func scanEvents(rows pgx.Rows) ([]streaming.Event, []int64, error) {
	var ids []int64
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (streaming.Event, error) {
		var id int64
		var e streaming.Event
		err := row.Scan(&id, &e.AggregateType, &e.AggregateID, &e.Version, &e.Type, &e.Payload, &e.OccurredAt)
		ids = append(ids, id)
		return e, err
	})
	return events, ids, err
}

// processBatch delivers up to BatchSize events of partition p in one transaction and reports how many it delivered
// (0 if the partition is empty or another relay holds it).
func (r *Relay) processBatch(ctx context.Context, p int, isolate bool) (int, error) {
	select {
	case r.workers <- struct{}{}:
		defer func() { <-r.workers }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	tx, err := r.pool.Begin(ctx)
	if err != nil {
		return 0, r.pgErr(ctx, "begin", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // no-op after Commit

	// The lock is taken in its own statement, before the claim: in READ COMMITTED the claim's snapshot is then
	// taken after the lock, so it sees everything the previous holder committed and cannot deliver a row twice.
	var locked bool
	if err := tx.QueryRow(ctx, lockSQL, p).Scan(&locked); err != nil {
		return 0, r.pgErr(ctx, "lock", err)
	}
	if !locked {
		return 0, nil
	}
	// A failed Query reports its error again through the rows, so scanEvents returns it.
	rows, _ := tx.Query(ctx, claimSQL, r.cfg.Partitions, p, r.cfg.BatchSize)
	events, ids, err := scanEvents(rows)
	if err != nil {
		return 0, r.pgErr(ctx, "claim", err)
	}
	if len(events) == 0 {
		return 0, nil
	}

	if isolate {
		if err := r.deliverIsolated(ctx, tx, events, ids); err != nil {
			return 0, err
		}
	} else {
		for i, pr := range r.projectors {
			if r.owing[i].Load() { // behind already: queue, so its events stay in order
				if err := r.owe(ctx, tx, i, ids); err != nil {
					return 0, err
				}
				continue
			}
			err := pr.Project(ctx, events)
			if err == nil {
				continue
			}
			if ctx.Err() != nil {
				return 0, err
			}
			r.m.projectorFailures.WithLabelValues(pr.Name()).Inc()
			if !unavailable(err) {
				return 0, fmt.Errorf("projector %s: %w", pr.Name(), err)
			}
			// Its store is down: the others go on, and this projector gets the events once the store is back.
			if err := r.owe(ctx, tx, i, ids); err != nil {
				return 0, err
			}
			r.log.Warn("projector unavailable: its events are kept for it, the other read models go on",
				"projector", pr.Name(), "events", len(ids), "err", err)
		}
	}

	rows, _ = tx.Query(ctx, publishSQL, ids)
	lags, err := pgx.CollectRows(rows, pgx.RowTo[float64])
	if err != nil {
		return 0, r.pgErr(ctx, "publish", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, r.pgErr(ctx, "commit", err)
	}
	for _, lag := range lags {
		r.m.lag.Observe(lag)
	}
	r.m.published.Add(float64(len(events)))
	return len(events), nil
}

// unavailable reports an error that passes with time: the projector's store is down or slow.
func unavailable(err error) bool {
	return streaming.ErrorCode(err) == streaming.CodeUnavailable || errors.Is(err, context.DeadlineExceeded)
}

// owe records, in tx, that the events ids are owed to projector i, and wakes its owedLoop once tx commits.
func (r *Relay) owe(ctx context.Context, tx pgx.Tx, i int, ids []int64) error {
	if _, err := tx.Exec(ctx, `INSERT INTO outbox_owed (projector, outbox_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
		r.projectors[i].Name(), ids); err != nil {
		return r.pgErr(ctx, "owe", err)
	}
	r.owing[i].Store(true)
	select {
	case r.owedWake[i] <- struct{}{}:
	default:
	}
	return nil
}

// owedLoop delivers the events owed to projector i, oldest first, in batches, once its store answers again: every
// PollInterval while it owes (backing off after failures), and on a wake-up. It also learns from the table what
// other replicas owe the projector, so every replica queues behind those instead of overtaking them for long
// (projectors ignore older versions, so an overtaking event cannot leave a read model behind, only reorder).
func (r *Relay) owedLoop(ctx context.Context, i int) {
	pr := r.projectors[i]
	failures := 0
	for {
		n, err := r.deliverOwed(ctx, i)
		if ctx.Err() != nil {
			return
		}
		wait := r.cfg.PollInterval
		switch {
		case err != nil:
			failures++
			if failures == 1 {
				r.log.Warn("owed events still not deliverable; retrying with backoff", "projector", pr.Name(), "err", err)
			}
			wait = r.cfg.RetryBackoff << min(failures-1, 5)
		case n > 0:
			wait = 0 // more may be owed
			fallthrough
		default:
			if failures > 0 {
				r.log.Info("owed events delivered again", "projector", pr.Name(), "failed_attempts", failures)
				failures = 0
			}
		}
		if wait == 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-r.owedWake[i]:
			if failures > 0 { // a wake-up does not cut a backoff short
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		case <-time.After(wait):
		}
	}
}

// deliverOwed delivers one batch of the events owed to projector i and reports how many. With nothing owed it
// clears the projector's owing flag, so batches go to it directly again.
func (r *Relay) deliverOwed(ctx context.Context, i int) (int, error) {
	pr := r.projectors[i]
	tx, err := r.pool.Begin(ctx)
	if err != nil {
		return 0, r.pgErr(ctx, "begin", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	rows, _ := tx.Query(ctx, `
		SELECT o.id, o.aggregate_type, o.aggregate_id, o.version, o.event_type, o.payload, o.occurred_at
		FROM outbox_owed w JOIN outbox o ON o.id = w.outbox_id
		WHERE w.projector = $1
		ORDER BY w.outbox_id
		LIMIT $2
		FOR UPDATE OF w SKIP LOCKED`, pr.Name(), r.cfg.BatchSize)
	events, ids, err := scanEvents(rows)
	if err != nil {
		return 0, r.pgErr(ctx, "claim owed", err)
	}
	if len(events) == 0 {
		r.owing[i].Store(false)
		return 0, nil
	}
	r.owing[i].Store(true) // another replica may owe it events: queue behind them
	if err := pr.Project(ctx, events); err != nil {
		if ctx.Err() == nil {
			r.m.projectorFailures.WithLabelValues(pr.Name()).Inc()
		}
		return 0, fmt.Errorf("projector %s (owed events): %w", pr.Name(), err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM outbox_owed WHERE projector = $1 AND outbox_id = ANY($2)`, pr.Name(), ids); err != nil {
		return 0, r.pgErr(ctx, "settle owed", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, r.pgErr(ctx, "commit", err)
	}
	return len(events), nil
}

const deadLetterSQL = `
	INSERT INTO outbox_dead_letters (outbox_id, aggregate_type, aggregate_id, version, event_type, payload, occurred_at, projector, error)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
	ON CONFLICT (outbox_id) DO NOTHING`

// deliverIsolated hands each event to the projectors alone, in order, and moves the events a projector refuses for
// good to outbox_dead_letters within tx. A failure that may pass (CodeUnavailable, or the context ending) aborts
// the batch as usual, as does a batch most of whose events are refused (a broken projector, not bad events).
func (r *Relay) deliverIsolated(ctx context.Context, tx pgx.Tx, events []streaming.Event, ids []int64) error {
	type refusal struct {
		i         int
		projector string
		err       error
	}
	var refused []refusal
	for i := range events {
		for _, pr := range r.projectors {
			err := pr.Project(ctx, events[i:i+1])
			if err == nil {
				continue
			}
			if ctx.Err() == nil {
				r.m.projectorFailures.WithLabelValues(pr.Name()).Inc()
			}
			if ctx.Err() != nil || unavailable(err) {
				return fmt.Errorf("projector %s: %w", pr.Name(), err)
			}
			refused = append(refused, refusal{i, pr.Name(), err})
			break // the event is dead; the projectors after this one need not see it
		}
	}
	if len(refused) > 1 && 2*len(refused) > len(events) {
		return fmt.Errorf("projector %s refused %d of %d events delivered one by one (first: %w); not dead-lettering a whole batch",
			refused[0].projector, len(refused), len(events), refused[0].err)
	}
	for _, f := range refused {
		e := events[f.i]
		if _, err := tx.Exec(ctx, deadLetterSQL, ids[f.i], e.AggregateType, e.AggregateID, e.Version, e.Type, e.Payload,
			e.OccurredAt, f.projector, f.err.Error()); err != nil {
			return r.pgErr(ctx, "dead letter", err)
		}
		r.m.deadLettered.WithLabelValues(f.projector).Inc()
		r.log.Error("outbox event moved to outbox_dead_letters: a projector cannot apply it", "outbox_id", ids[f.i],
			"event_type", e.Type, "aggregate", e.AggregateType+"/"+e.AggregateID, "version", e.Version,
			"projector", f.projector, "err", f.err)
	}
	return nil
}

// pgErr counts a database failure (not one caused by shutdown) and says which step failed.
func (r *Relay) pgErr(ctx context.Context, step string, err error) error {
	if ctx.Err() == nil {
		r.m.postgresErrors.Inc()
	}
	return fmt.Errorf("outbox %s: %w", step, err)
}

// listen wakes every partition on NOTIFY outbox, on a connection of its own (LISTEN belongs to a session, and a
// pooled connection would be handed to others). NOTIFYs sent while it is disconnected are lost, which is why
// partitions also poll; after every (re)connect it wakes all partitions to catch up.
func (r *Relay) listen(ctx context.Context, wakeAll func()) {
	lost := false
	for {
		err := r.listenOnce(ctx, func() {
			if lost {
				r.log.Info("outbox LISTEN connection back")
				lost = false
			}
			wakeAll()
		})
		if ctx.Err() != nil {
			return
		}
		r.m.postgresErrors.Inc()
		if !lost {
			r.log.Warn("outbox LISTEN connection lost; relying on the poll until it is back", "err", err)
			lost = true
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.cfg.RetryBackoff):
		}
	}
}

// listenOnce connects, listens and calls wake after LISTEN and on each notification, until the connection fails.
func (r *Relay) listenOnce(ctx context.Context, wake func()) error {
	cfg := r.pool.Config().ConnConfig
	cfg.RuntimeParams["application_name"] = "outbox relay listener" // visible in pg_stat_activity
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN outbox"); err != nil {
		return err
	}
	for {
		wake()
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
	}
}

// watchOldest keeps outbox_oldest_unpublished_seconds current, every PollInterval. The lag histogram only learns
// of events once they are delivered; this gauge grows while they are not.
func (r *Relay) watchOldest(ctx context.Context) {
	t := time.NewTicker(r.cfg.PollInterval)
	defer t.Stop()
	for {
		var age float64
		err := r.pool.QueryRow(ctx, `SELECT coalesce(extract(epoch FROM now() - least(
			(SELECT min(created_at) FROM outbox WHERE published_at IS NULL),
			(SELECT min(o.created_at) FROM outbox_owed w JOIN outbox o ON o.id = w.outbox_id))), 0)::float8`).Scan(&age)
		if err == nil {
			r.m.oldest.Set(max(age, 0))
		} else if ctx.Err() == nil {
			r.m.postgresErrors.Inc()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (r *Relay) cleanupLoop(ctx context.Context) {
	t := time.NewTicker(cleanupEvery)
	defer t.Stop()
	for {
		if _, err := r.Cleanup(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("outbox cleanup failed; retrying later", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Cleanup deletes rows published more than CleanupAfter ago, CleanupBatch rows per statement so that no statement
// holds many row locks or runs long, and reports how many it deleted. Run calls it every minute. Rows another
// transaction has locked are skipped, so replicas cleaning at once do not wait on each other.
func (r *Relay) Cleanup(ctx context.Context) (int64, error) {
	var total int64
	for {
		tag, err := r.pool.Exec(ctx, `
			DELETE FROM outbox WHERE id IN (
				SELECT id FROM outbox
				WHERE published_at < now() - make_interval(secs => $1)
					AND NOT EXISTS (SELECT 1 FROM outbox_owed w WHERE w.outbox_id = outbox.id)
				ORDER BY id
				LIMIT $2
				FOR UPDATE SKIP LOCKED)`,
			r.cfg.CleanupAfter.Seconds(), r.cfg.CleanupBatch)
		if err != nil {
			return total, r.pgErr(ctx, "cleanup", err)
		}
		total += tag.RowsAffected()
		r.m.deleted.Add(float64(tag.RowsAffected()))
		if tag.RowsAffected() < int64(r.cfg.CleanupBatch) {
			return total, nil
		}
	}
}

// Republish marks every row still in the outbox (those not yet cleaned up, see CleanupAfter) unpublished, so the
// running relays deliver them all again, in order per aggregate, and reports how many. Projectors ignore versions
// they already have, so a replay must leave the read models unchanged; it is the check that they do. It is not a
// way to rebuild a read model from nothing: events older than CleanupAfter are gone.
func (r *Relay) Republish(ctx context.Context) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE outbox SET published_at = NULL WHERE published_at IS NOT NULL`)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		// The insert trigger does not fire for an update; wake the relays ourselves (sent at commit).
		_, err = tx.Exec(ctx, `SELECT pg_notify('outbox', '')`)
		return err
	})
	if err != nil {
		return 0, r.pgErr(ctx, "republish", err)
	}
	return n, nil
}
