package streaming

import (
	"context"
	"time"
)

// CommandStore is the transactional store of the command side (PostgreSQL): the unit of work over every
// repository. A command sees only the repositories it needs, through Narrow.
type CommandStore = UnitOfWork[CommandTx]

// UnitOfWork runs fn in one transaction whose repositories are T, and commits if fn returns nil: a command's state
// change and its outbox event commit together or not at all. fn may run again after a serialization failure, so it
// must not have effects outside the transaction except idempotent ones.
type UnitOfWork[T any] interface {
	InTx(ctx context.Context, fn func(tx T) error) error
}

// Narrow shows a command only the repositories of T inside each transaction of s. view is the identity conversion
// (func(tx CommandTx) T { return tx }), written out so the compiler checks that CommandTx has every method of T.
func Narrow[T any](s CommandStore, view func(CommandTx) T) UnitOfWork[T] {
	return narrowed[T]{s: s, view: view}
}

type narrowed[T any] struct {
	s    CommandStore
	view func(CommandTx) T
}

func (n narrowed[T]) InTx(ctx context.Context, fn func(tx T) error) error {
	return n.s.InTx(ctx, func(tx CommandTx) error { return fn(n.view(tx)) })
}

// CommandTx is every repository of one command transaction. Reads ending in ForUpdate lock the row until commit.
// Not-found reads return a CodeNotFound *Error; unique violations come back as CodeConflict or CodePrecondition.
type CommandTx interface {
	Users
	Plans
	Subscriptions
	Payments
	PaymentAttempts
	Invoices
	Contents
	Outbox
	Idempotency
	Erasures
}

// Users is the repository of accounts.
type Users interface {
	CreateUser(ctx context.Context, u *User) error // CodeConflict when the email is taken
	UserByID(ctx context.Context, id string) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
}

// Plans is the repository of subscription plans.
type Plans interface {
	CreatePlan(ctx context.Context, p *Plan) error // CodeConflict when the name is taken
	PlanByID(ctx context.Context, id string) (*Plan, error)
	PlanForUpdate(ctx context.Context, id string) (*Plan, error)
	UpdatePlan(ctx context.Context, p *Plan) error // writes every field and bumps Version
}

// Subscriptions is the repository of users' subscriptions.
type Subscriptions interface {
	// HasActiveSubscription reports whether the user has an active subscription now (not locked: the unique
	// index of CreateSubscription stays the rule; this only avoids charging for a subscription that cannot be).
	HasActiveSubscription(ctx context.Context, userID string) (bool, error)
	// CreateSubscription fails with CodePrecondition when the user already has an active subscription.
	CreateSubscription(ctx context.Context, s *Subscription) error
	SubscriptionForUpdate(ctx context.Context, id string) (*Subscription, error)
	UpdateSubscription(ctx context.Context, s *Subscription) error // writes status, plan, dates, price; bumps Version
	// ListSubscriptions pages newest first; after is "" or the SubscriptionCursor of the previous page's last one.
	ListSubscriptions(ctx context.Context, userID string, limit int, after string) ([]Subscription, error)
}

// Payments is the repository of money taken for subscriptions.
type Payments interface {
	CreatePayment(ctx context.Context, p *Payment) error
}

// PaymentAttempts is the repository of charges sent (or about to be sent) to the payment processor, one per
// idempotency key: what lets a command charge outside a transaction and still charge once per key.
type PaymentAttempts interface {
	// CreatePaymentAttempt stores a new attempt (a fresh ID when empty); CodeConflict when (Scope, Key) already
	// has an open one.
	CreatePaymentAttempt(ctx context.Context, a *PaymentAttempt) error
	// PaymentAttemptForUpdate reads and locks the open (not declined) attempt of (scope, key); CodeNotFound when
	// there is none.
	PaymentAttemptForUpdate(ctx context.Context, scope, key string) (*PaymentAttempt, error)
	// UpdatePaymentAttempt writes Status, Reason and ProcessorRef of the attempt with a.ID.
	UpdatePaymentAttempt(ctx context.Context, a *PaymentAttempt) error
}

// Contents is the repository of catalog titles.
type Contents interface {
	// UpsertContent inserts or replaces a title (keeping its rating figures) and reports whether it was new.
	UpsertContent(ctx context.Context, c *Content) (created bool, err error)
	ContentByID(ctx context.Context, id string) (*Content, error)
	ContentsByID(ctx context.Context, ids []string) ([]Content, error) // the ones that exist, one round trip
}

// RatingRecorder stores users' ratings of titles, in one step outside any transaction of the caller: the hot path
// of a title that many users rate at once, where every round trip and every row a rating writes counts.
type RatingRecorder interface {
	// RecordRating stores the rating (replacing the user's earlier rating of the title) at r.UpdatedAt (the time of
	// the rating) and writes back r.Version, in constant time: it writes the rating alone. The title's aggregate,
	// its published figures (Content.RatingAvg/RatingCount) and the rating's RatingChanged event follow from the
	// store's flush; the title's version does not change. An unknown user or title is a CodeNotFound *Error ("user
	// not found", "content not found").
	RecordRating(ctx context.Context, r *Rating) error
}

// Outbox takes the domain events of a command, written in the command's transaction.
type Outbox interface {
	// AppendEvent writes a domain event to the outbox.
	AppendEvent(ctx context.Context, e Event) error
}

// Idempotency remembers the responses of commands that carry an idempotency key.
type Idempotency interface {
	// ClaimIdempotencyKey reserves (scope, key) for a request whose canonical hash is requestHash. When the key was
	// already completed it returns the stored response and true; when it was completed for a different hash it
	// fails with CodeConflict. A concurrent claim of the same key waits for the first transaction to end.
	ClaimIdempotencyKey(ctx context.Context, scope, key, requestHash string) (response []byte, done bool, err error)
	// CompleteIdempotencyKey stores the response of a claimed key, in the same transaction as the command.
	CompleteIdempotencyKey(ctx context.Context, scope, key string, response []byte) error
	// ReleaseIdempotencyKey forgets a claim that was committed but not completed (a command that failed after
	// committing a first step), so the key may be used again, with any request. A completed key is kept.
	ReleaseIdempotencyKey(ctx context.Context, scope, key string) error
}

// SourceOfTruth is the query side's read-only view of the command side's store (PostgreSQL), read when a read
// model misses. It cannot write: a query never changes the source of truth.
type SourceOfTruth interface {
	// UserView reads the user (without PasswordHash) and all their subscriptions, newest first, as one consistent
	// snapshot. An unknown user is a CodeNotFound *Error.
	UserView(ctx context.Context, userID string) (*UserView, error)
	// PlanByID reads one plan; an unknown one is a CodeNotFound *Error.
	PlanByID(ctx context.Context, id string) (*Plan, error)
	// ListPlans pages through the plan catalog in its one order: available plans first, cheapest first, then by
	// name and id. afterID is "" for the first page, else the id of the previous page's last plan.
	ListPlans(ctx context.Context, limit int, afterID string) ([]Plan, error)
	// ContentsByID returns the titles among ids that exist, in no particular order.
	ContentsByID(ctx context.Context, ids []string) ([]Content, error)
}

// SessionStore keeps login sessions (Redis): each ends at its ExpiresAt, or earlier after the store's idle timeout
// without a use.
type SessionStore interface {
	CreateSession(ctx context.Context, s Session) error
	// SessionUser returns the user of a live session, or a CodeUnauthenticated *Error; a use renews the idle timeout.
	SessionUser(ctx context.Context, token string) (string, error)
	DeleteSession(ctx context.Context, token string) error
	// DeleteUserSessions ends every session of the user and returns how many were live.
	DeleteUserSessions(ctx context.Context, userID string) (int, error)
}

// Limit is a token bucket's shape: up to Burst attempts at once, refilled at Burst per Per.
type Limit struct {
	Burst int
	Per   time.Duration
}

// RateLimiter spends attempts from named token buckets shared by every replica (Redis).
type RateLimiter interface {
	// Take spends one token from the bucket key of shape l. When the bucket is empty it spends nothing and returns
	// false with the wait until a token is back.
	Take(ctx context.Context, key string, l Limit) (ok bool, retryAfter time.Duration, err error)
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
	// Fingerprint is the processor's fingerprint of the card charged: the same card gives the same value on every
	// account (Stripe's card.fingerprint). Never card data; "" when the processor gives none.
	Fingerprint string
}
