// Package postgres is the command-side store: it implements streaming.CommandStore (the unit of work over the
// per-aggregate repositories) and streaming.SourceOfTruth (the query side's read-only access) on PostgreSQL with pgx.
//
// Conventions shared by every file:
//   - Every statement is parameterized; no caller value is ever spliced into SQL text.
//   - Money is int64 cents in Go and numeric(8,2) in the database. It crosses the boundary as an integer and is
//     converted by exact numeric arithmetic in SQL ($n::bigint / 100.0 on the way in, (col * 100)::bigint on the way
//     out), so no float ever holds an amount.
//   - Ids are uuid. Create* methods take the struct's ID when set and let the database pick one otherwise.
//   - Timestamps come from the database (now(), the transaction's start) and are written back through RETURNING.
//   - A statement that fails inside a transaction aborts it (PostgreSQL semantics): after a CommandTx method returns
//     an error other than a read's CodeNotFound, fn should return; InTx then rolls back. Not-found reads and claims
//     that find a completed key do not abort the transaction.
package postgres

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/groupcommit"
	"github.com/streamingplatform/streaming/server/streaming"
)

// maxRetries is how many times InTx runs fn again after a serialization failure or a deadlock.
const maxRetries = 3

// newID is the SQL for "the given id, or a fresh one when empty"; it always binds $1.
const newID = `coalesce(nullif($1, '')::uuid, gen_random_uuid())`

// CommandStore is the PostgreSQL streaming.CommandStore.
type CommandStore struct {
	pool    *pgxpool.Pool
	ratings *groupcommit.Group[*streaming.Rating] // RecordRating's shared statements
}

var (
	_ streaming.CommandStore = (*CommandStore)(nil)
	_ streaming.CommandTx    = (*commandTx)(nil)
)

// NewCommandStore returns a store using pool. The schema must be migrated (Migrate) first.
func NewCommandStore(pool *pgxpool.Pool) *CommandStore {
	s := &CommandStore{pool: pool}
	s.ratings = &groupcommit.Group[*streaming.Rating]{Write: s.writeRatings, Key: ratingKey,
		Slots: RatingSlots(pool), MaxBatch: RatingBatchMax}
	return s
}

// InTx runs fn in a READ COMMITTED transaction and commits when fn returns nil. Invariants that must hold under
// concurrency are enforced by constraints (e.g. the one-active-subscription index) and row locks, not by the
// isolation level. fn runs again, up to maxRetries times, when the transaction fails with a serialization failure
// or a deadlock.
func (s *CommandStore) InTx(ctx context.Context, fn func(tx streaming.CommandTx) error) error {
	for attempt := 0; ; attempt++ {
		err := s.inTx(ctx, fn)
		if err == nil || attempt == maxRetries || !retryable(err) {
			return err
		}
		// Back off a little, with jitter, so the transactions that collided do not collide again.
		backoff := time.Duration(attempt+1)*10*time.Millisecond + rand.N(10*time.Millisecond)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff):
		}
	}
}

func (s *CommandStore) inTx(ctx context.Context, fn func(tx streaming.CommandTx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return mapErr(err, "")
	}
	// Rolls back when fn fails or panics; a no-op after Commit.
	defer tx.Rollback(ctx)
	if err := fn(&commandTx{tx: tx}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		if errors.Is(err, pgx.ErrTxCommitRollback) {
			// fn ignored a failed statement and returned nil: nothing was written.
			return &streaming.Error{Code: streaming.CodeInternal, Message: "internal error", Err: err}
		}
		return mapErr(err, "")
	}
	return nil
}

// retryable reports whether err comes from a transaction PostgreSQL aborted to resolve a conflict with another one.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// commandTx is the streaming.CommandTx of one InTx call. Its methods live in the file of their aggregate.
type commandTx struct{ tx pgx.Tx }

// querier is what reads need: a transaction (commandTx, ReadStore's snapshots) or the pool (ReadStore's single reads).
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// queryOne runs a single-row query and scans it into a new T; no row is a CodeNotFound "<what> not found".
func queryOne[T any](ctx context.Context, q querier, what string, scan func(pgx.Row, *T) error, sql string, args ...any) (*T, error) {
	v := new(T)
	if err := scan(q.QueryRow(ctx, sql, args...), v); err != nil {
		return nil, mapErr(err, what)
	}
	return v, nil
}

// validUUID reports whether s is a uuid in canonical text form. Reads by id check it first: PostgreSQL would reject a
// malformed id with an error that aborts the transaction, while "no such id" must not.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// notFound is the CodeNotFound error for what ("plan" gives "plan not found").
func notFound(what string) *streaming.Error {
	return streaming.Errorf(streaming.CodeNotFound, "%s not found", what)
}

// timeOrNil turns a zero time into NULL so the SQL can default it.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// nonNil keeps nil slices out of NOT NULL array columns.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// mapErr turns a driver error into a *streaming.Error whose message is safe to show: it names the object or field at
// fault, never SQL. The driver error stays as the cause for logs (and for retryable). what names the object a
// single-row read looked for. Domain errors and context cancellation pass through unchanged.
func mapErr(err error, what string) error {
	if err == nil || streaming.AsError(err) != nil {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound(what)
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		e := mapPgError(pgErr)
		e.Err = err
		return e
	}
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	if pgconn.Timeout(err) || errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return streaming.Unavailable("PostgreSQL", err)
	}
	return &streaming.Error{Code: streaming.CodeInternal, Message: "internal error", Err: err}
}

// mapPgError classifies a server error. Constraint names follow the migration's convention
// (<table>_<column>_check, <table>_<column>_fkey), so the column at fault comes from the name.
func mapPgError(e *pgconn.PgError) *streaming.Error {
	switch {
	case e.Code == "23505": // unique_violation
		switch e.ConstraintName {
		case "users_email_key":
			return &streaming.Error{Code: streaming.CodeConflict, Field: "email", Message: "email already registered"}
		case "plans_name_key":
			return &streaming.Error{Code: streaming.CodeConflict, Field: "name", Message: "plan name already taken"}
		case "subscriptions_one_active_per_user":
			return streaming.Errorf(streaming.CodePrecondition, "user already has an active subscription")
		}
		return streaming.Errorf(streaming.CodeConflict, "%s already exists", singular(e.TableName))
	case e.Code == "23503": // foreign_key_violation: the referenced row is missing
		column := strings.TrimSuffix(strings.TrimPrefix(e.ConstraintName, e.TableName+"_"), "_fkey")
		return notFound(strings.TrimSuffix(column, "_id"))
	case e.Code == "23514": // check_violation
		column := strings.TrimSuffix(strings.TrimPrefix(e.ConstraintName, e.TableName+"_"), "_check")
		msg, ok := checkMessages[e.ConstraintName]
		if !ok {
			msg = "is not allowed"
		}
		return streaming.Invalid(column, "%s", msg)
	case e.Code == "23502": // not_null_violation
		return streaming.Invalid(e.ColumnName, "is required")
	case strings.HasPrefix(e.Code, "22"): // data_exception: malformed uuid, number out of range, string too long, ...
		return streaming.Invalid(e.ColumnName, "malformed or out-of-range value")
	case e.Code == "40001" || e.Code == "40P01": // what is left after InTx's retries
		return &streaming.Error{Code: streaming.CodeBusy, Message: "too many concurrent changes, retry later", RetryAfter: time.Second}
	case strings.HasPrefix(e.Code, "08"), strings.HasPrefix(e.Code, "53"), // connection_exception, insufficient_resources
		e.Code == "57P01", e.Code == "57P02", e.Code == "57P03": // admin/crash shutdown, cannot_connect_now
		return streaming.Unavailable("PostgreSQL", nil)
	}
	return &streaming.Error{Code: streaming.CodeInternal, Message: "internal error"}
}

// checkMessages explains the checks whose default message ("is not allowed") says too little.
var checkMessages = map[string]string{
	"users_email_check":                  "must be a non-empty lower-case address",
	"users_country_check":                "must be an ISO 3166-1 alpha-2 code",
	"plans_monthly_price_check":          "must not be negative",
	"plans_currency_check":               "must be an ISO 4217 code",
	"plans_max_streams_check":            "must be between 1 and 10",
	"plans_max_quality_check":            "must be one of sd, hd, full_hd, uhd",
	"subscriptions_end_date_check":       "must not be before the start date",
	"subscriptions_status_check":         "must be one of active, past_due, canceled, expired",
	"subscriptions_credit_check":         "must not be negative",
	"invoices_amount_check":              "must not be negative",
	"invoices_period_end_check":          "must be after the period's start",
	"invoices_status_check":              "must be one of open, paid, uncollectible, void",
	"subscriptions_monthly_price_check":  "must not be negative",
	"subscriptions_currency_check":       "must be an ISO 4217 code",
	"subscriptions_payment_method_check": "must be one of card, paypal, bank_transfer",
	"payments_amount_check":              "must be positive",
	"payments_currency_check":            "must be an ISO 4217 code",
	"payments_status_check":              "must be one of approved, declined",
	"payment_attempts_amount_check":      "must be positive",
	"payment_attempts_currency_check":    "must be an ISO 4217 code",
	"payment_attempts_status_check":      "must be one of pending, approved, declined, unfulfilled",
	"content_type_check":                 "must be one of movie, series, documentary",
	"content_seasons_check":              "must not be negative",
	"content_duration_seconds_check":     "must not be negative",
	"ratings_stars_check":                "must be between 1 and 5",
}

// singular names a table's row for messages.
func singular(table string) string {
	switch table {
	case "content", "outbox":
		return table
	case "idempotency_keys":
		return "idempotency key"
	case "payment_attempts":
		return "payment attempt"
	}
	return strings.TrimSuffix(table, "s")
}
