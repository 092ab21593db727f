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
type Plan struct {
	ID          string
	Name        string
	Description string
	PriceCents  int64
	Currency    string
	MaxStreams  int32
	MaxQuality  string // one of Qualities
	Available   bool
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Subscription states.
const (
	SubscriptionActive   = "active"
	SubscriptionCanceled = "canceled"
	SubscriptionExpired  = "expired"
)

// Payment methods.
const (
	PaymentCard         = "card"
	PaymentPayPal       = "paypal"
	PaymentBankTransfer = "bank_transfer"
)

// Subscription is a user's subscription to a plan (the seed's "suscripciones"). A user has at most one active one.
type Subscription struct {
	ID            string
	UserID        string
	PlanID        string
	Status        string
	StartDate     time.Time
	EndDate       *time.Time
	PriceCents    int64 // locked at subscription time
	Currency      string
	PaymentMethod string
	Version       int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Payment outcomes.
const (
	PaymentApproved = "approved"
	PaymentDeclined = "declined"
)

// Payment is money taken for a subscription.
type Payment struct {
	ID             string
	SubscriptionID string
	UserID         string
	AmountCents    int64
	Currency       string
	Status         string
	ProcessorRef   string
	CreatedAt      time.Time
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
type Content struct {
	ID              string
	Title           string
	Description     string
	Type            string
	Genres          []string
	Actors          []string
	Seasons         int32
	ReleaseYear     int32
	DurationSeconds int32
	RatingAvg       float64
	RatingCount     int64
	Version         int64
	UpdatedAt       time.Time
}

// Rating is one user's stars for one title; a new rating replaces the old.
type Rating struct {
	UserID    string
	ContentID string
	Stars     int32
	Review    string
	UpdatedAt time.Time
}

// Event is a domain event written to the outbox in the same transaction as the change it describes. Version is the
// aggregate's version after the change, so projectors can ignore older events.
type Event struct {
	AggregateType string // "user", "plan", "subscription", "content", "rating"
	AggregateID   string
	Version       int64
	Type          string // e.g. "SubscriptionCreated"
	Payload       json.RawMessage
	OccurredAt    time.Time
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
