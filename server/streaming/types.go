package streaming

import (
	"encoding/json"
	"time"
)

// User is a registered account. PasswordHash never leaves the server.
type User struct {
	ID           string
	Email        string // stored lower-cased; unique
	DisplayName  string
	Country      string
	PasswordHash string
	Version      int64
	CreatedAt    time.Time
}

// Plan is a subscription plan. Prices are integer cents of Currency (the database keeps DECIMAL(8,2)).
// Its JSON is a stored format (the Redis read model plan:{id}; docs/stored-formats.md): the tags keep today's
// names, so renaming a field does not change what is stored.
type Plan struct {
	ID          string    `json:"ID"`
	Name        string    `json:"Name"`
	Description string    `json:"Description"`
	PriceCents  int64     `json:"PriceCents"`
	Currency    string    `json:"Currency"`
	MaxStreams  int32     `json:"MaxStreams"`
	MaxQuality  string    `json:"MaxQuality"` // one of Qualities
	Available   bool      `json:"Available"`
	Version     int64     `json:"Version"`
	CreatedAt   time.Time `json:"CreatedAt"`
	UpdatedAt   time.Time `json:"UpdatedAt"`
}

// Subscription states.
const (
	SubscriptionActive   = "active"
	SubscriptionCanceled = "canceled"
	SubscriptionExpired  = "expired"
	// SubscriptionPastDue: a renewal charge failed; the subscription still plays while the charge is retried, until
	// a retry succeeds (active again) or the grace period ends (expired). See docs/billing.md.
	SubscriptionPastDue = "past_due"
)

// Payment methods.
const (
	PaymentCard         = "card"
	PaymentPayPal       = "paypal"
	PaymentBankTransfer = "bank_transfer"
)

// Subscription is a user's subscription to a plan (the brief's "suscripciones"). A user has at most one active one.
// Its JSON is a stored format (the Redis read model user_profile:{id} and create_subscription's idempotency replay;
// docs/stored-formats.md): the tags keep today's names, so renaming a field does not change what is stored.
type Subscription struct {
	ID            string     `json:"ID"`
	UserID        string     `json:"UserID"`
	PlanID        string     `json:"PlanID"`
	Status        string     `json:"Status"`
	StartDate     time.Time  `json:"StartDate"`
	EndDate       *time.Time `json:"EndDate"`
	PriceCents    int64      `json:"PriceCents"` // locked at subscription time
	Currency      string     `json:"Currency"`
	PaymentMethod string     `json:"PaymentMethod"`
	Version       int64      `json:"Version"`
	CreatedAt     time.Time  `json:"CreatedAt"`
	UpdatedAt     time.Time  `json:"UpdatedAt"`
	// The billing period being served (paid, or being retried while past due); the next renewal falls at its end.
	// Added with billing (migration 00009): omitted when zero, so what older servers stored still reads the same.
	CurrentPeriodStart time.Time `json:"CurrentPeriodStart,omitzero"`
	CurrentPeriodEnd   time.Time `json:"CurrentPeriodEnd,omitzero"`
	// CancelAtPeriodEnd is set by CancelSubscription: the subscription ends (canceled) at CurrentPeriodEnd instead
	// of renewing. CancelReason is the reason the user gave.
	CancelAtPeriodEnd bool   `json:"CancelAtPeriodEnd,omitzero"`
	CancelReason      string `json:"CancelReason,omitzero"`
	// PaymentFingerprint is the payment processor's fingerprint of the card last charged (the same card gives the
	// same fingerprint on every account; never card data), for the risk signals (docs/risk.md); "" when unknown.
	// Added with migration 00012. Never in this type's JSON (idempotency replays, read models): only PostgreSQL and
	// the subscription events carry it.
	PaymentFingerprint string `json:"-"`
}

// Payment outcomes.
const (
	PaymentApproved = "approved"
	PaymentDeclined = "declined"
)

// Payment is money taken for a subscription.
// Its JSON is a stored format (create_subscription's idempotency replay; docs/stored-formats.md): the tags keep
// today's names, so renaming a field does not change what is stored.
type Payment struct {
	ID             string    `json:"ID"`
	SubscriptionID string    `json:"SubscriptionID"`
	UserID         string    `json:"UserID"`
	AmountCents    int64     `json:"AmountCents"`
	Currency       string    `json:"Currency"`
	Status         string    `json:"Status"`
	ProcessorRef   string    `json:"ProcessorRef"`
	CreatedAt      time.Time `json:"CreatedAt"`
}

// Payment attempt states. An attempt starts pending, before the processor is called, and ends approved (its
// subscription and payment are written), declined, or unfulfilled (charged, but the subscription could not be
// created: the user already had an active one; the money must be refunded).
const (
	AttemptPending     = "pending"
	AttemptApproved    = "approved"
	AttemptDeclined    = "declined"
	AttemptUnfulfilled = "unfulfilled"
)

// PaymentAttempt is one charge for one idempotency key (Scope, Key), recorded before the processor is called so a
// retry after a crash charges again with the same ProcessorKey (which the processor deduplicates) instead of
// starting over. The amount is fixed when the attempt is made: a resumed charge is the same request. A key has at
// most one open (not declined) attempt; declined ones stay as records.
type PaymentAttempt struct {
	ID            string
	Scope, Key    string
	UserID        string
	PlanID        string
	AmountCents   int64
	Currency      string
	PaymentMethod string
	ProcessorKey  string // the idempotency key sent to the processor
	Status        string
	Reason        string // why it was declined or not fulfilled
	ProcessorRef  string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Err is the error a finished attempt that did not subscribe answers with: the decline, or the reason it was not
// fulfilled. It is nil for a pending or approved attempt.
func (a *PaymentAttempt) Err() error {
	switch a.Status {
	case AttemptDeclined:
		return Errorf(CodePrecondition, "payment declined: %s", a.Reason)
	case AttemptUnfulfilled:
		return Errorf(CodePrecondition, "%s", a.Reason)
	}
	return nil
}

// Content types.
const (
	ContentMovie       = "movie"
	ContentSeries      = "series"
	ContentDocumentary = "documentary"
)

// Qualities, lowest first.
var Qualities = []string{"sd", "hd", "full_hd", "uhd"}

// Content is a catalog title.
// Its JSON is a stored format (the Redis read model content:{id}; docs/stored-formats.md): the tags keep today's
// names, so renaming a field does not change what is stored.
type Content struct {
	ID              string    `json:"ID"`
	Title           string    `json:"Title"`
	Description     string    `json:"Description"`
	Type            string    `json:"Type"`
	Genres          []string  `json:"Genres"`
	Actors          []string  `json:"Actors"`
	Seasons         int32     `json:"Seasons"`
	ReleaseYear     int32     `json:"ReleaseYear"`
	DurationSeconds int32     `json:"DurationSeconds"`
	RatingAvg       float64   `json:"RatingAvg"`
	RatingCount     int64     `json:"RatingCount"`
	Version         int64     `json:"Version"`
	UpdatedAt       time.Time `json:"UpdatedAt"`
}

// Rating is one user's stars for one title; a new rating replaces the old. Version counts the changes of this
// user's rating of this title (the graph's guard for its edge); it is not the title's version.
type Rating struct {
	UserID    string
	ContentID string
	Stars     int32
	Review    string
	UpdatedAt time.Time
	Version   int64
}

// Event is a domain event written to the outbox in the same transaction as the change it describes. Version is the
// aggregate's version after the change, so projectors can ignore older events.
type Event struct {
	AggregateType string // one of the Aggregate* constants (events.go): "user", "plan", "subscription", "content"
	AggregateID   string
	Version       int64
	Type          string // e.g. "SubscriptionCreated"
	Payload       json.RawMessage
	OccurredAt    time.Time
	// TraceContext is the opaque stored trace context of the command that wrote the event (server/telemetry), ""
	// when there is none. The domain carries it and never reads it: the relay's spans link to it.
	TraceContext string
}

// Roles of callers.
type Role int

const (
	RoleAnonymous Role = iota
	RoleUser
	RoleAdmin
	RoleService
)

func (r Role) String() string {
	return [...]string{"anonymous", "user", "admin", "service"}[r]
}

// Principal is the authenticated caller of one request.
type Principal struct {
	Role   Role
	UserID string // for RoleUser
	Token  string // the session token, for Logout
}

// Session is a logged-in user's bearer token.
type Session struct {
	Token     string
	UserID    string
	ExpiresAt time.Time
}
