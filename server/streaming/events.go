package streaming

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event types written to the outbox. Every payload carries the aggregate's whole state after the change, so a
// projector never reads back from PostgreSQL and a replay of the latest event alone rebuilds a read model. The
// exceptions are the rating events: a rating no longer re-publishes its whole title (a hit title gets thousands a
// minute). RatingChanged carries one user's rating (for the graph), and ContentRatingAggregated carries only a title's
// rating figures, published at most once per flush interval however many ratings arrived (see docs/architecture.md).
const (
	EventUserRegistered          = "UserRegistered"
	EventPlanCreated             = "PlanCreated"
	EventPlanUpdated             = "PlanUpdated"
	EventSubscriptionCreated     = "SubscriptionCreated"
	EventSubscriptionPlanChanged = "SubscriptionPlanChanged"
	// EventSubscriptionCanceled is a cancellation asked for: the payload says cancel_at_period_end (the subscription
	// still plays until then), or a past-due subscription canceled at once (status canceled).
	EventSubscriptionCanceled = "SubscriptionCanceled"
	// Billing's events (docs/billing.md), written by the renewal worker.
	EventSubscriptionRenewed = "SubscriptionRenewed" // a new period paid (or covered by a credit): active
	EventSubscriptionPastDue = "SubscriptionPastDue" // a renewal charge failed: past due, retried
	EventSubscriptionExpired = "SubscriptionExpired" // the grace period ended unpaid: expired
	EventSubscriptionEnded   = "SubscriptionEnded"   // canceled at period end: the period ended, canceled
	// EventSubscriptionPaymentMethodUpdated is a new payment method for renewals (UpdatePaymentMethod). Like every
	// subscription event it carries the whole subscription, payment_method included; the payment token it was given
	// is not in it: SubscriptionPayload has no field for one.
	EventSubscriptionPaymentMethodUpdated = "SubscriptionPaymentMethodUpdated"
	EventContentUpserted                  = "ContentUpserted"
	// EventContentRated was written per rating, re-publishing the whole title, before ratings were aggregated
	// (migrations 00006 and 00008); the projectors still apply it, for events written by an older server.
	EventContentRated = "ContentRated"
	// EventRatingChanged is one user's new or changed rating (aggregate "rating", version = the rating's Version),
	// written by the rating flush: a user's several changes within one flush interval are one event.
	EventRatingChanged = "RatingChanged"
	// EventContentRatingAggregated is a title's published rating figures (aggregate "content"; its version is the
	// title's version, unchanged: a rating is not a catalog change). RatingSeq orders these events of a title.
	EventContentRatingAggregated = "ContentRatingAggregated"
)

// Aggregate types of the outbox.
const (
	AggregateUser         = "user"
	AggregatePlan         = "plan"
	AggregateSubscription = "subscription"
	AggregateContent      = "content"
	AggregateRating       = "rating" // one user's rating of one title; id RatingAggregateID(content, user)
)

// RatingAggregateID is the outbox aggregate id of userID's rating of contentID.
func RatingAggregateID(contentID, userID string) string { return contentID + "/" + userID }

// RatingPayload is the payload of RatingChanged: one user's rating of one title.
type RatingPayload struct {
	UserID    string    `json:"user_id"`
	ContentID string    `json:"content_id"`
	Stars     int32     `json:"stars"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RatingAggregatePayload is the payload of ContentRatingAggregated: the title's rating figures as published, and
// RatingSeq, which grows by one per publication of this title's figures (read models keep the highest).
type RatingAggregatePayload struct {
	ContentID   string  `json:"content_id"`
	RatingAvg   float64 `json:"rating_avg"`
	RatingCount int64   `json:"rating_count"`
	RatingSeq   int64   `json:"rating_seq"`
}

// UserPayload is the payload of user events. The password hash is never published.
type UserPayload struct {
	UserID      string    `json:"user_id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Country     string    `json:"country"`
	CreatedAt   time.Time `json:"created_at"`
}

// PlanPayload is the payload of plan events.
type PlanPayload struct {
	PlanID       string `json:"plan_id"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	MonthlyPrice string `json:"monthly_price"` // decimal, e.g. "9.99"
	Currency     string `json:"currency"`
	MaxStreams   int32  `json:"max_streams"`
	MaxQuality   string `json:"max_quality"`
	Available    bool   `json:"available"`
}

// SubscriptionPayload is the payload of subscription events. The plan's name is not copied: read models look it up
// from the plan's own events, so a renamed plan shows its new name everywhere.
type SubscriptionPayload struct {
	SubscriptionID string     `json:"subscription_id"`
	UserID         string     `json:"user_id"`
	PlanID         string     `json:"plan_id"`
	Status         string     `json:"status"`
	MonthlyPrice   string     `json:"monthly_price"`
	Currency       string     `json:"currency"`
	PaymentMethod  string     `json:"payment_method"`
	StartDate      time.Time  `json:"start_date"`
	EndDate        *time.Time `json:"end_date,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// Billing (added with migration 00009; absent from events written before it).
	CurrentPeriodStart time.Time `json:"current_period_start,omitzero"`
	CurrentPeriodEnd   time.Time `json:"current_period_end,omitzero"`
	CancelAtPeriodEnd  bool      `json:"cancel_at_period_end,omitzero"`
	CancelReason       string    `json:"cancel_reason,omitzero"`
	// The card's fingerprint (migration 00012; absent when unknown): the graph links accounts paying with one card.
	PaymentFingerprint string `json:"payment_fingerprint,omitzero"`
}

// ContentPayload is the payload of content events. A ContentRated event also names the rating that caused it
// (RatedBy and Stars); the rating figures are the title's new average and count.
type ContentPayload struct {
	ContentID       string    `json:"content_id"`
	Title           string    `json:"title"`
	Description     string    `json:"description"`
	Type            string    `json:"type"`
	Genres          []string  `json:"genres"`
	Actors          []string  `json:"actors"`
	Seasons         int32     `json:"seasons"`
	ReleaseYear     int32     `json:"release_year"`
	DurationSeconds int32     `json:"duration_seconds"`
	RatingAvg       float64   `json:"rating_avg"`
	RatingCount     int64     `json:"rating_count"`
	UpdatedAt       time.Time `json:"updated_at"`
	RatedBy         string    `json:"user_id,omitempty"`
	Stars           int32     `json:"stars,omitempty"`
}

// NewUserPayload is u's published state.
func NewUserPayload(u *User) UserPayload {
	return UserPayload{UserID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Country: u.Country, CreatedAt: u.CreatedAt}
}

// User is the payload as a User at version v.
func (p UserPayload) User(v int64) User {
	return User{ID: p.UserID, Email: p.Email, DisplayName: p.DisplayName, Country: p.Country, CreatedAt: p.CreatedAt, Version: v}
}

// NewPlanPayload is p's published state.
func NewPlanPayload(p *Plan) PlanPayload {
	return PlanPayload{PlanID: p.ID, Name: p.Name, Description: p.Description, MonthlyPrice: FormatCents(p.PriceCents),
		Currency: p.Currency, MaxStreams: p.MaxStreams, MaxQuality: p.MaxQuality, Available: p.Available}
}

// NewSubscriptionPayload is s's published state.
func NewSubscriptionPayload(s *Subscription) SubscriptionPayload {
	return SubscriptionPayload{SubscriptionID: s.ID, UserID: s.UserID, PlanID: s.PlanID,
		Status: s.Status, MonthlyPrice: FormatCents(s.PriceCents), Currency: s.Currency, PaymentMethod: s.PaymentMethod,
		StartDate: s.StartDate, EndDate: s.EndDate, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
		CurrentPeriodStart: s.CurrentPeriodStart, CurrentPeriodEnd: s.CurrentPeriodEnd,
		CancelAtPeriodEnd: s.CancelAtPeriodEnd, CancelReason: s.CancelReason, PaymentFingerprint: s.PaymentFingerprint}
}

// Subscription is the payload as a Subscription at version v.
func (p SubscriptionPayload) Subscription(v int64) (Subscription, error) {
	cents, err := ParseCents(p.MonthlyPrice)
	if err != nil {
		return Subscription{}, fmt.Errorf("subscription %s: monthly_price: %w", p.SubscriptionID, err)
	}
	return Subscription{ID: p.SubscriptionID, UserID: p.UserID, PlanID: p.PlanID, Status: p.Status, StartDate: p.StartDate,
		EndDate: p.EndDate, PriceCents: cents, Currency: p.Currency, PaymentMethod: p.PaymentMethod, Version: v,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, CurrentPeriodStart: p.CurrentPeriodStart,
		CurrentPeriodEnd: p.CurrentPeriodEnd, CancelAtPeriodEnd: p.CancelAtPeriodEnd, CancelReason: p.CancelReason}, nil
}

// NewContentPayload is c's published state.
func NewContentPayload(c *Content) ContentPayload {
	return ContentPayload{ContentID: c.ID, Title: c.Title, Description: c.Description, Type: c.Type, Genres: c.Genres,
		Actors: c.Actors, Seasons: c.Seasons, ReleaseYear: c.ReleaseYear, DurationSeconds: c.DurationSeconds,
		RatingAvg: c.RatingAvg, RatingCount: c.RatingCount, UpdatedAt: c.UpdatedAt}
}

// Content is the payload as a Content at version v.
func (p ContentPayload) Content(v int64) Content {
	return Content{ID: p.ContentID, Title: p.Title, Description: p.Description, Type: p.Type, Genres: p.Genres,
		Actors: p.Actors, Seasons: p.Seasons, ReleaseYear: p.ReleaseYear, DurationSeconds: p.DurationSeconds,
		RatingAvg: p.RatingAvg, RatingCount: p.RatingCount, Version: v, UpdatedAt: p.UpdatedAt}
}

// DecodePayload unmarshals e's payload into v, naming the event in the error.
func DecodePayload(e Event, v any) error {
	if err := json.Unmarshal(e.Payload, v); err != nil {
		return fmt.Errorf("%s event %s/%s v%d: payload: %w", e.Type, e.AggregateType, e.AggregateID, e.Version, err)
	}
	return nil
}
