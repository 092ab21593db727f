package outbox

import (
	"context"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Store is the outbox table as the relay uses it: the relay's port. It holds every statement, so the relay keeps
// only scheduling and delivery; server/postgres implements it (postgres.OutboxStore).
type Store interface {
	// ClaimPartition opens a transaction, takes the cluster-wide lock of partition (one of partitions, the hash of
	// the aggregate deciding which) and claims up to limit of the partition's oldest unpublished events, oldest
	// first. When another relay holds the partition, or it has nothing to deliver, the claim has no events.
	ClaimPartition(ctx context.Context, partition, partitions, limit int) (Claim, error)
	// ClaimOwed opens a transaction and claims up to limit of the events owed to projector (see Claim.Owe), oldest
	// first, skipping events another relay has claimed.
	ClaimOwed(ctx context.Context, projector string, limit int) (OwedClaim, error)
	// Listen calls wake once it listens for newly committed events and again on every notification, until the
	// connection fails or ctx ends; it returns that error. Notifications sent while it is not listening are lost.
	Listen(ctx context.Context, wake func()) error
	// OldestPending is the age of the oldest event not yet delivered to every projector (unpublished, or owed to a
	// projector), 0 when there is none.
	OldestPending(ctx context.Context) (time.Duration, error)
	// DeletePublished deletes up to limit events published more than olderThan ago and owed to no projector,
	// skipping rows another transaction holds, and reports how many it deleted.
	DeletePublished(ctx context.Context, olderThan time.Duration, limit int) (int64, error)
	// Republish marks every stored event unpublished and wakes the relays, and reports how many it marked.
	Republish(ctx context.Context) (int64, error)
}

// Claim is a batch of one partition, claimed in an open transaction: nothing it does is visible until Publish
// commits it. Release ends it without a trace (a no-op after Publish); call it in every case.
type Claim interface {
	// Events are the claimed events, oldest first (none when the partition was held or empty).
	Events() []streaming.Event
	// Owe records that every claimed event is owed to projector, which gets them from ClaimOwed later.
	Owe(ctx context.Context, projector string) error
	// DeadLetter moves Events()[i] to the dead letters, with the projector that refused it and its reason, and
	// returns the event's outbox id (for the log that tells an operator where to look).
	DeadLetter(ctx context.Context, i int, projector, reason string) (int64, error)
	// Publish marks the claimed events published and commits, and returns each one's lag from its insert.
	Publish(ctx context.Context) ([]time.Duration, error)
	Release(ctx context.Context)
}

// OwedClaim is a batch of the events owed to one projector, claimed in an open transaction. Release ends it (a
// no-op after Settle); call it in every case.
type OwedClaim interface {
	Events() []streaming.Event
	// Settle records that the projector has the events and commits.
	Settle(ctx context.Context) error
	Release(ctx context.Context)
}
