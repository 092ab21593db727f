package streaming

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Lease is a device's stream slot: while it is live the device may play, and it counts against the plan's
// MaxStreams. A device holds at most one lease (it plays one title at a time).
type Lease struct {
	DeviceID  string // chosen by the client, stable per device
	Device    string // one of Devices
	ContentID string
	Quality   string // one of Qualities: what was granted, never above the plan's MaxQuality
	Network   string // NetworkOf the client that started it; "" unknown
	StartedAt time.Time
	ExpiresAt time.Time // the lease ends then unless renewed
}

// LeaseStore keeps each user's stream-slot leases (Redis). It is the single point of truth for how many streams a
// user plays: its checks and writes are atomic per user, so every replica of the server shares the count and two
// devices starting at once never both take the last slot. Leases expire on their own, on the store's clock.
type LeaseStore interface {
	// Acquire leases a slot to l.DeviceID for ttl, replacing the device's own lease if it has one, when fewer than
	// limit other devices hold a live lease; held are then those other devices' leases. Otherwise it stores
	// nothing, ok is false and held are the leases that fill the plan. l's times are ignored: the store sets them
	// (granted carries them).
	Acquire(ctx context.Context, userID string, l Lease, limit int, ttl time.Duration) (granted Lease, held []Lease, ok bool, err error)
	// Renew extends the device's live lease to ttl from now; a CodeNotFound *Error when it has expired or was
	// released.
	Renew(ctx context.Context, userID, deviceID string, ttl time.Duration) (*Lease, error)
	// Release ends the device's lease; releasing one that is gone is not an error.
	Release(ctx context.Context, userID, deviceID string) error
	// Leases returns the user's live leases, oldest first.
	Leases(ctx context.Context, userID string) ([]Lease, error)
}

// Entitlements says what a user's subscription entitles them to now.
type Entitlements interface {
	// EntitledPlan is the plan of the user's subscription that plays now (active, or past due while its charge is
	// retried); a CodePrecondition *Error when there is none.
	EntitledPlan(ctx context.Context, userID string) (*Plan, error)
}

// Entitles reports whether s lets its user play now: an active subscription, or one past due (its renewal charge
// is being retried, and it keeps playing until the grace period ends).
func (s *Subscription) Entitles() bool {
	return s.Status == SubscriptionActive || s.Status == SubscriptionPastDue
}

// QualityRank is q's place in Qualities (0 for the lowest), -1 for an unknown quality.
func QualityRank(q string) int { return slices.Index(Qualities, q) }

// CapQuality is the quality granted when asked is requested under a plan whose best is limit: asked, or limit when
// asked is better; capped says which.
func CapQuality(asked, limit string) (granted string, capped bool) {
	if QualityRank(asked) > QualityRank(limit) {
		return limit, true
	}
	return asked, false
}

// SortLeases orders leases oldest first (then by device id, so equal start times list in one order).
func SortLeases(ls []Lease) {
	slices.SortFunc(ls, func(a, b Lease) int {
		return cmp.Or(a.StartedAt.Compare(b.StartedAt), cmp.Compare(a.DeviceID, b.DeviceID))
	})
}
