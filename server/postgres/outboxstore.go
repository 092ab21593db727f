package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/outbox"
	"github.com/streamingplatform/streaming/server/streaming"
)

// OutboxStore is the outbox relay's storage (outbox.Store): claiming, owed events, dead letters, LISTEN and
// maintenance of the outbox tables. Its errors are mapped like every other statement's (mapErr).
//
// Partitions: the partition of an aggregate is a hash computed by the server, so every replica agrees. A pass over a
// partition runs in one transaction that first takes a transaction-level advisory lock for it, so only one relay in
// the cluster processes a partition at a time, and the lock goes away with the transaction if the relay dies.
type OutboxStore struct{ pool *pgxpool.Pool }

var _ outbox.Store = (*OutboxStore)(nil)

// NewOutboxStore returns the outbox store over pool, whose search_path must reach the outbox tables. Give the relay
// a pool of its own, so projections never take connections from commands.
func NewOutboxStore(pool *pgxpool.Pool) *OutboxStore { return &OutboxStore{pool: pool} }

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
	SELECT id, aggregate_type, aggregate_id, version, event_type, payload, occurred_at, coalesce(trace_context, '')
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

const claimOwedSQL = `
	SELECT o.id, o.aggregate_type, o.aggregate_id, o.version, o.event_type, o.payload, o.occurred_at,
		coalesce(o.trace_context, '')
	FROM outbox_owed w JOIN outbox o ON o.id = w.outbox_id
	WHERE w.projector = $1
	ORDER BY w.outbox_id
	LIMIT $2
	FOR UPDATE OF w SKIP LOCKED`

const deadLetterSQL = `
	INSERT INTO outbox_dead_letters (outbox_id, aggregate_type, aggregate_id, version, event_type, payload, occurred_at, projector, error)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
	ON CONFLICT (outbox_id) DO NOTHING`

// outboxErr maps a failed step's error, naming the step for logs.
func outboxErr(step string, err error) error {
	return mapErr(fmt.Errorf("%s: %w", step, err), "")
}

// scanEvents reads claimed outbox rows (id, aggregate_type, aggregate_id, version, event_type, payload,
// occurred_at, trace_context) into events and their ids.
func scanEvents(rows pgx.Rows) ([]streaming.Event, []int64, error) {
	var ids []int64
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (streaming.Event, error) {
		var id int64
		var e streaming.Event
		err := row.Scan(&id, &e.AggregateType, &e.AggregateID, &e.Version, &e.Type, &e.Payload, &e.OccurredAt, &e.TraceContext)
		ids = append(ids, id)
		return e, err
	})
	return events, ids, err
}

// ClaimPartition implements outbox.Store.
func (s *OutboxStore) ClaimPartition(ctx context.Context, partition, partitions, limit int) (outbox.Claim, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, outboxErr("begin", err)
	}
	c := &outboxClaim{tx: tx}
	// The lock is taken in its own statement, before the claim: in READ COMMITTED the claim's snapshot is then
	// taken after the lock, so it sees everything the previous holder committed and cannot deliver a row twice.
	var locked bool
	if err := tx.QueryRow(ctx, lockSQL, partition).Scan(&locked); err != nil {
		c.Release(ctx)
		return nil, outboxErr("lock", err)
	}
	if !locked {
		return c, nil
	}
	// A failed Query reports its error again through the rows, so scanEvents returns it.
	rows, _ := tx.Query(ctx, claimSQL, partitions, partition, limit)
	if c.events, c.ids, err = scanEvents(rows); err != nil {
		c.Release(ctx)
		return nil, outboxErr("claim", err)
	}
	return c, nil
}

// outboxClaim is an outbox.Claim: the transaction and the ids of its events.
type outboxClaim struct {
	tx     pgx.Tx
	events []streaming.Event
	ids    []int64
}

func (c *outboxClaim) Events() []streaming.Event { return c.events }

func (c *outboxClaim) Owe(ctx context.Context, projector string) error {
	_, err := c.tx.Exec(ctx, `INSERT INTO outbox_owed (projector, outbox_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
		projector, c.ids)
	if err != nil {
		return outboxErr("owe", err)
	}
	return nil
}

func (c *outboxClaim) DeadLetter(ctx context.Context, i int, projector, reason string) (int64, error) {
	e := c.events[i]
	if _, err := c.tx.Exec(ctx, deadLetterSQL, c.ids[i], e.AggregateType, e.AggregateID, e.Version, e.Type, e.Payload,
		e.OccurredAt, projector, reason); err != nil {
		return 0, outboxErr("dead letter", err)
	}
	return c.ids[i], nil
}

func (c *outboxClaim) Publish(ctx context.Context) ([]time.Duration, error) {
	rows, _ := c.tx.Query(ctx, publishSQL, c.ids)
	lags, err := pgx.CollectRows(rows, pgx.RowTo[float64])
	if err != nil {
		return nil, outboxErr("publish", err)
	}
	if err := c.tx.Commit(ctx); err != nil {
		return nil, outboxErr("commit", err)
	}
	out := make([]time.Duration, len(lags))
	for i, s := range lags {
		out[i] = time.Duration(s * float64(time.Second))
	}
	return out, nil
}

// Release rolls back even when ctx is done: the connection goes back to the pool clean.
func (c *outboxClaim) Release(ctx context.Context) { c.tx.Rollback(context.WithoutCancel(ctx)) }

// ClaimOwed implements outbox.Store.
func (s *OutboxStore) ClaimOwed(ctx context.Context, projector string, limit int) (outbox.OwedClaim, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, outboxErr("begin", err)
	}
	c := &owedClaim{outboxClaim: outboxClaim{tx: tx}, projector: projector}
	rows, _ := tx.Query(ctx, claimOwedSQL, projector, limit)
	if c.events, c.ids, err = scanEvents(rows); err != nil {
		c.Release(ctx)
		return nil, outboxErr("claim owed", err)
	}
	return c, nil
}

type owedClaim struct {
	outboxClaim
	projector string
}

func (c *owedClaim) Settle(ctx context.Context) error {
	if _, err := c.tx.Exec(ctx, `DELETE FROM outbox_owed WHERE projector = $1 AND outbox_id = ANY($2)`, c.projector, c.ids); err != nil {
		return outboxErr("settle owed", err)
	}
	if err := c.tx.Commit(ctx); err != nil {
		return outboxErr("commit", err)
	}
	return nil
}

// Listen implements outbox.Store on a connection of its own: LISTEN belongs to a session, and a pooled connection
// would be handed to others.
func (s *OutboxStore) Listen(ctx context.Context, wake func()) error {
	cfg := s.pool.Config().ConnConfig
	cfg.RuntimeParams["application_name"] = "outbox relay listener" // visible in pg_stat_activity
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return outboxErr("listen", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN outbox"); err != nil {
		return outboxErr("listen", err)
	}
	for {
		wake()
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return outboxErr("wait for notification", err)
		}
	}
}

// OldestPending implements outbox.Store.
func (s *OutboxStore) OldestPending(ctx context.Context) (time.Duration, error) {
	var age float64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(extract(epoch FROM now() - least(
		(SELECT min(created_at) FROM outbox WHERE published_at IS NULL),
		(SELECT min(o.created_at) FROM outbox_owed w JOIN outbox o ON o.id = w.outbox_id))), 0)::float8`).Scan(&age)
	if err != nil {
		return 0, outboxErr("oldest pending", err)
	}
	return time.Duration(max(age, 0) * float64(time.Second)), nil
}

// DeletePublished implements outbox.Store. Rows another transaction has locked are skipped, so replicas cleaning at
// once do not wait on each other.
func (s *OutboxStore) DeletePublished(ctx context.Context, olderThan time.Duration, limit int) (int64, error) {
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM outbox WHERE id IN (
			SELECT id FROM outbox
			WHERE published_at < now() - make_interval(secs => $1)
				AND NOT EXISTS (SELECT 1 FROM outbox_owed w WHERE w.outbox_id = outbox.id)
			ORDER BY id
			LIMIT $2
			FOR UPDATE SKIP LOCKED)`,
		olderThan.Seconds(), limit)
	if err != nil {
		return 0, outboxErr("cleanup", err)
	}
	return tag.RowsAffected(), nil
}

// Republish implements outbox.Store.
func (s *OutboxStore) Republish(ctx context.Context) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
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
		return 0, outboxErr("republish", err)
	}
	return n, nil
}
