package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/streaming"
)

// AnonymizeUser: see streaming.Erasures. The email becomes "<id>@erased.invalid" (unique, as the column wants, and
// about nobody: .invalid is reserved); the password hash becomes "!", which no password verifies and the login never
// reaches (an erased user is found by no lookup). Country and creation time stay: they identify no one and the
// revenue figures count them.
func (t *commandTx) AnonymizeUser(ctx context.Context, userID string, at time.Time, stores []string) (int64, bool, error) {
	if !validUUID(userID) {
		return 0, false, notFound("user")
	}
	var version int64
	var erased *time.Time
	err := t.tx.QueryRow(ctx, `SELECT version, erased_at FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&version, &erased)
	if err != nil {
		return 0, false, mapErr(err, "user")
	}
	already := erased != nil
	if !already {
		if err := t.tx.QueryRow(ctx, `
			UPDATE users SET email = id::text || '@erased.invalid', display_name = '', password_hash = '!',
				erased_at = $2, version = version + 1
			WHERE id = $1 RETURNING version`, userID, at).Scan(&version); err != nil {
			return 0, false, mapErr(err, "user")
		}
		// Reviews are the user's own words; the stars stay, counted in the titles' aggregates as before.
		if _, err := t.tx.Exec(ctx, `UPDATE ratings SET review = '' WHERE user_id = $1 AND review <> ''`, userID); err != nil {
			return 0, false, mapErr(err, "")
		}
		// A saved payment token charges the user's card; nothing renews an erased user's subscription. The card's
		// fingerprint links the user to other accounts paying with it (docs/risk.md): it goes too.
		if _, err := t.tx.Exec(ctx, `UPDATE subscriptions SET payment_token = '', payment_fingerprint = NULL
			WHERE user_id = $1 AND (payment_token <> '' OR payment_fingerprint IS NOT NULL)`, userID); err != nil {
			return 0, false, mapErr(err, "")
		}
		if _, err := t.tx.Exec(ctx, `
			INSERT INTO user_erasures (user_id, store, requested_at, erased_at, next_attempt_at)
			VALUES ($1, $2, $3, $3, $3)
			ON CONFLICT (user_id, store) DO NOTHING`, userID, streaming.ErasureStorePostgres, at); err != nil {
			return 0, false, mapErr(err, "")
		}
	}
	// A repeated request queues every store again: whatever a store received since (a late event) is erased too.
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO user_erasures (user_id, store, requested_at, next_attempt_at)
		SELECT $1, store, $2, $2 FROM unnest($3::text[]) AS store
		ON CONFLICT (user_id, store) DO UPDATE SET erased_at = NULL, requested_at = $2, next_attempt_at = $2,
			attempts = 0, last_error = ''`, userID, at, stores); err != nil {
		return 0, false, mapErr(err, "")
	}
	return version, already, nil
}

// ErasureQueue is the erasure worker's PostgreSQL side (streaming.ErasureQueue).
type ErasureQueue struct{ pool *pgxpool.Pool }

// NewErasureQueue returns the erasure queue over pool (migrated).
func NewErasureQueue(pool *pgxpool.Pool) *ErasureQueue { return &ErasureQueue{pool: pool} }

// ClaimErasures takes the due rows with SKIP LOCKED, so workers of several replicas share the queue, and pushes
// each row's next attempt to the lease's end in the same statement.
func (q *ErasureQueue) ClaimErasures(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]streaming.PendingErasure, error) {
	rows, err := q.pool.Query(ctx, `
		WITH due AS (
			SELECT user_id, store FROM user_erasures
			WHERE erased_at IS NULL AND next_attempt_at <= $1
			ORDER BY next_attempt_at LIMIT $3
			FOR UPDATE SKIP LOCKED
		)
		UPDATE user_erasures e SET next_attempt_at = $2
		FROM due, users u
		WHERE e.user_id = due.user_id AND e.store = due.store AND u.id = e.user_id
		RETURNING e.user_id::text, e.store, u.version, e.attempts`, now, now.Add(lease), limit)
	if err != nil {
		return nil, mapErr(err, "")
	}
	var out []streaming.PendingErasure
	var p streaming.PendingErasure
	if _, err := pgx.ForEachRow(rows, []any{&p.UserID, &p.Store, &p.Version, &p.Attempts}, func() error {
		out = append(out, p)
		return nil
	}); err != nil {
		return nil, mapErr(err, "")
	}
	return out, nil
}

// ErasureDone records the store's part as done.
func (q *ErasureQueue) ErasureDone(ctx context.Context, userID, store string, at time.Time) error {
	_, err := q.pool.Exec(ctx, `UPDATE user_erasures SET erased_at = $3, last_error = '' WHERE user_id = $1 AND store = $2`,
		userID, store, at)
	return mapErr(err, "")
}

// ErasureFailed records a failed attempt; the row is due again at retryAt.
func (q *ErasureQueue) ErasureFailed(ctx context.Context, userID, store, reason string, retryAt time.Time) error {
	_, err := q.pool.Exec(ctx, `
		UPDATE user_erasures SET attempts = attempts + 1, last_error = $3, next_attempt_at = $4
		WHERE user_id = $1 AND store = $2 AND erased_at IS NULL`, userID, store, reason, retryAt)
	return mapErr(err, "")
}

// UserErasure reads every store's row of the user's erasure, PostgreSQL first, then in the order stores are tried.
func (q *ErasureQueue) UserErasure(ctx context.Context, userID string) (*streaming.UserErasure, error) {
	if !validUUID(userID) {
		return nil, notFound("erasure")
	}
	rows, err := q.pool.Query(ctx, `
		SELECT store, requested_at, erased_at, attempts, last_error FROM user_erasures WHERE user_id = $1
		ORDER BY store <> $2, array_position($3::text[], store), store`,
		userID, streaming.ErasureStorePostgres, streaming.ErasureStores)
	if err != nil {
		return nil, mapErr(err, "")
	}
	e := &streaming.UserErasure{UserID: userID}
	var s streaming.StoreErasure
	var requested time.Time
	var erased *time.Time
	if _, err := pgx.ForEachRow(rows, []any{&s.Store, &requested, &erased, &s.Attempts, &s.LastError}, func() error {
		s.ErasedAt = time.Time{}
		if erased != nil {
			s.ErasedAt = erased.UTC()
		}
		if requested.After(e.RequestedAt) {
			e.RequestedAt = requested.UTC()
		}
		e.Stores = append(e.Stores, s)
		return nil
	}); err != nil {
		return nil, mapErr(err, "")
	}
	if len(e.Stores) == 0 {
		return nil, notFound("erasure")
	}
	return e, nil
}

var _ streaming.ErasureQueue = (*ErasureQueue)(nil)
