package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/streaming"
)

// ReadStore is the PostgreSQL streaming.SourceOfTruth: the query side's read-only access to the command side's
// tables. Single-statement reads go to the pool; reads that must agree with each other share one READ ONLY
// REPEATABLE READ transaction, so PostgreSQL refuses any write and every statement sees the same snapshot.
type ReadStore struct{ pool *pgxpool.Pool }

var _ streaming.SourceOfTruth = (*ReadStore)(nil)

// NewReadStore returns a read-only store over pool. The schema must be migrated (Migrate) first.
func NewReadStore(pool *pgxpool.Pool) *ReadStore { return &ReadStore{pool: pool} }

// UserView reads the user and every subscription of theirs, newest first, from one snapshot. The password hash is
// left out: a read model never holds it.
func (s *ReadStore) UserView(ctx context.Context, userID string) (*streaming.UserView, error) {
	var v *streaming.UserView
	err := s.snapshot(ctx, func(tx pgx.Tx) error {
		u, err := userByID(ctx, tx, userID)
		if err != nil {
			return err
		}
		u.PasswordHash = ""
		v = &streaming.UserView{User: *u}
		for after := ""; ; {
			page, err := listSubscriptions(ctx, tx, userID, maxPageSize, after)
			if err != nil {
				return err
			}
			v.Subscriptions = append(v.Subscriptions, page...)
			if len(page) < maxPageSize {
				return nil
			}
			after = streaming.SubscriptionCursor(page[len(page)-1])
		}
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// PlanByID reads one plan; an unknown or malformed id is a CodeNotFound error.
func (s *ReadStore) PlanByID(ctx context.Context, id string) (*streaming.Plan, error) {
	return planByID(ctx, s.pool, id)
}

// ContentsByID returns the titles among ids that exist, in no particular order, with one query.
func (s *ReadStore) ContentsByID(ctx context.Context, ids []string) ([]streaming.Content, error) {
	return contentsByID(ctx, s.pool, ids)
}

// snapshot runs fn in a READ ONLY REPEATABLE READ transaction. A read-only transaction cannot fail with a
// serialization error, so it needs no retry; it is always rolled back, as there is nothing to commit.
func (s *ReadStore) snapshot(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return mapErr(err, "")
	}
	defer tx.Rollback(ctx)
	return fn(tx)
}

// ExistingContent returns the ids among ids that are titles of the catalog, with one indexed query. Ids that are not
// UUIDs are not titles.
func (s *ReadStore) ExistingContent(ctx context.Context, ids []string) ([]string, error) {
	valid := validUUIDs(ids)
	if len(valid) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id::text FROM content WHERE id = ANY($1::uuid[])`, valid)
	if err != nil {
		return nil, mapErr(err, "content")
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, mapErr(err, "content")
	}
	return out, nil
}
