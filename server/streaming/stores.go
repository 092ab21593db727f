package streaming

import (
	"context"
	"time"
)

// CommandStore is the transactional store of the command side (PostgreSQL).
type CommandStore interface {
	// InTx runs fn in one transaction and commits if fn returns nil. fn may run again after a serialization
	// failure, so it must not have effects outside the transaction except idempotent ones.
	InTx(ctx context.Context, fn func(tx CommandTx) error) error
}

// CommandTx is what a command may do inside its transaction. Reads ending in ForUpdate lock the row until commit.
// Not-found reads return a CodeNotFound *Error; unique violations come back as CodeConflict or CodePrecondition.
type CommandTx interface {
	CreateUser(ctx context.Context, u *User) error // CodeConflict when the email is taken
	UserByID(ctx context.Context, id string) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)

	CreatePlan(ctx context.Context, p *Plan) error
	PlanByID(ctx context.Context, id string) (*Plan, error)
	PlanForUpdate(ctx context.Context, id string) (*Plan, error)
	UpdatePlan(ctx context.Context, p *Plan) error // writes every field and bumps Version

	// CreateSubscription fails with CodePrecondition when the user already has an active subscription.
	CreateSubscription(ctx context.Context, s *Subscription) error
	SubscriptionForUpdate(ctx context.Context, id string) (*Subscription, error)
	UpdateSubscription(ctx context.Context, s *Subscription) error // writes status, plan, dates, price; bumps Version
	ListSubscriptions(ctx context.Context, userID string, limit int, after string) ([]Subscription, error)
	CreatePayment(ctx context.Context, p *Payment) error

	// UpsertContent inserts or replaces a title (keeping its rating figures) and reports whether it was new.
	UpsertContent(ctx context.Context, c *Content) (created bool, err error)
	ContentByID(ctx context.Context, id string) (*Content, error)
	ContentsByID(ctx context.Context, ids []string) ([]Content, error) // the ones that exist, one round trip
	// UpsertRating stores the rating and recomputes the title's average and count.
	UpsertRating(ctx context.Context, r *Rating) (*Content, error)

	// AppendEvent writes a domain event to the outbox.
	AppendEvent(ctx context.Context, e Event) error

	// ClaimIdempotencyKey reserves (scope, key) for a request whose canonical hash is requestHash. When the key was
	// already completed it returns the stored response and true; when it was completed for a different hash it
	// fails with CodeConflict. A concurrent claim of the same key waits for the first transaction to end.
	ClaimIdempotencyKey(ctx context.Context, scope, key, requestHash string) (response []byte, done bool, err error)
	// CompleteIdempotencyKey stores the response of a claimed key, in the same transaction as the command.
	CompleteIdempotencyKey(ctx context.Context, scope, key string, response []byte) error
}

// SessionStore keeps login sessions with a TTL (Redis).
type SessionStore interface {
	CreateSession(ctx context.Context, s Session, ttl time.Duration) error
	// SessionUser returns the user of a live session, or a CodeUnauthenticated *Error.
	SessionUser(ctx context.Context, token string) (string, error)
	DeleteSession(ctx context.Context, token string) error
}

// PaymentProcessor charges a payment method. Approved is false for a declined charge (not an error).
type PaymentProcessor interface {
	Charge(ctx context.Context, c Charge) (ChargeResult, error)
}

// Charge is one request to the payment processor.
type Charge struct {
	IdempotencyKey string // forwarded so the processor never charges twice for one key
	UserID         string
	AmountCents    int64
	Currency       string
	Method         string
	Token          string
}

// ChargeResult is the processor's answer.
type ChargeResult struct {
	Approved  bool
	Reference string
	Reason    string // why it was declined
}
