package streaming

import (
	"context"
	"time"
)

// The stores an erasure clears beyond PostgreSQL, by the names the erasure's progress is tracked under
// (user_erasures.store). The search server holds no personal data (catalog documents only) and is not one of them.
const (
	ErasureStoreGraph     = "neo4j"
	ErasureStoreRedis     = "redis"
	ErasureStoreCassandra = "cassandra"
)

// UserEraser removes what one store holds about a user whose PostgreSQL row was anonymized by DeleteUser. EraseUser
// is idempotent (a second call finds nothing to remove and succeeds) and is retried until it succeeds; a store that
// cannot be reached answers with an Unavailable error. version is the user's version after the erasure: a store that
// projects versioned user state keeps a tombstone at that version, so an older event still in flight never writes
// the user back.
type UserEraser interface {
	ErasureStore() string
	EraseUser(ctx context.Context, userID string, version int64) error
}

// ErasureStorePostgres is the source of truth's part of an erasure, done in DeleteUser's own transaction.
const ErasureStorePostgres = "postgres"

// ErasureStores are the stores an erasure clears after PostgreSQL, in the order they are tried.
var ErasureStores = []string{ErasureStoreGraph, ErasureStoreRedis, ErasureStoreCassandra}

// EventUserErased is the event of an erasure: the user's row is anonymized (version bumped) and the other stores are
// queued. Read models do not project it; the erasure worker clears them, store by store.
const EventUserErased = "UserErased"

// ErasedPayload is UserErased's payload: the user id and nothing personal. Its JSON is a stored format (the outbox).
type ErasedPayload struct {
	UserID   string    `json:"user_id"`
	ErasedAt time.Time `json:"erased_at"`
}

// UserErasure is how far a user's erasure has come, store by store (PostgreSQL first).
type UserErasure struct {
	UserID      string
	RequestedAt time.Time
	Stores      []StoreErasure
}

// Complete reports whether every store is erased.
func (e UserErasure) Complete() bool {
	for _, s := range e.Stores {
		if s.ErasedAt.IsZero() {
			return false
		}
	}
	return len(e.Stores) > 0
}

// StoreErasure is one store's part of an erasure. ErasedAt is zero while it is pending; a pending store has been
// tried Attempts times, the last failing with LastError.
type StoreErasure struct {
	Store     string
	ErasedAt  time.Time
	Attempts  int
	LastError string
}

// PendingErasure is a store's erasure the worker has claimed: the user, the user's version after the erasure (for
// the store's tombstone) and how many times it was tried before.
type PendingErasure struct {
	UserID   string
	Store    string
	Version  int64
	Attempts int
}

// Erasures is the command side's part of erasures (PostgreSQL), in a command's transaction.
type Erasures interface {
	// AnonymizeUser locks the user's row and, unless it is erased already, replaces its personal data (email, display
	// name, password hash) with nothing that identifies anyone, clears the user's rating reviews and saved payment
	// tokens, bumps its version and marks it erased at at. It queues (again, if done before) the erasure of each
	// store of stores and records PostgreSQL's as done. It returns the user's version after, and whether the user
	// was erased already (then nothing but the queue changed). An unknown user is a CodeNotFound *Error.
	AnonymizeUser(ctx context.Context, userID string, at time.Time, stores []string) (version int64, already bool, err error)
}

// ErasureQueue is the erasure worker's view of the queued store erasures (PostgreSQL).
type ErasureQueue interface {
	// ClaimErasures returns up to limit store erasures due at now, each leased until now+lease (so another worker
	// does not take it meanwhile; a worker that dies leaves it due again when the lease ends).
	ClaimErasures(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]PendingErasure, error)
	// ErasureDone records the store's erasure as done at at.
	ErasureDone(ctx context.Context, userID, store string, at time.Time) error
	// ErasureFailed records a failed attempt and when to try again.
	ErasureFailed(ctx context.Context, userID, store, reason string, retryAt time.Time) error
	// UserErasure reads the erasure's progress; CodeNotFound when the user was never erased.
	UserErasure(ctx context.Context, userID string) (*UserErasure, error)
}
