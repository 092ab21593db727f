package streaming

import (
	"slices"
	"strings"
	"time"
)

// The transitions of the command side's aggregates. Each guards its invariants and changes the value only when it
// returns nil; the repositories then persist the result. Messages and fields match the database's checks (see
// server/postgres), which stay as the last line of defence.

// PlanUpdate is a partial change of a plan: nil fields are kept.
type PlanUpdate struct {
	Name        *string
	Description *string
	PriceCents  *int64
	MaxStreams  *int32
	MaxQuality  *string
	Available   *bool
}

// Apply changes the set fields of p (the name trimmed). The result must be a valid plan; otherwise p is unchanged.
func (p *Plan) Apply(u PlanUpdate) error {
	next := *p
	if u.Name != nil {
		next.Name = strings.TrimSpace(*u.Name)
	}
	if u.Description != nil {
		next.Description = *u.Description
	}
	if u.PriceCents != nil {
		next.PriceCents = *u.PriceCents
	}
	if u.MaxStreams != nil {
		next.MaxStreams = *u.MaxStreams
	}
	if u.MaxQuality != nil {
		next.MaxQuality = *u.MaxQuality
	}
	if u.Available != nil {
		next.Available = *u.Available
	}
	if err := next.Validate(); err != nil {
		return err
	}
	*p = next
	return nil
}

// Validate checks the plan's fields in the order PostgreSQL checks the plans table's constraints, with the same
// field and message, so the answer does not depend on which layer caught the problem.
func (p *Plan) Validate() error {
	switch {
	case !isCurrency(p.Currency):
		return Invalid("currency", "must be an ISO 4217 code")
	case !slices.Contains(Qualities, p.MaxQuality):
		return Invalid("max_quality", "must be one of sd, hd, full_hd, uhd")
	case p.MaxStreams < 1 || p.MaxStreams > 10:
		return Invalid("max_streams", "must be between 1 and 10")
	case p.PriceCents < 0:
		return Invalid("monthly_price", "must not be negative")
	}
	return nil
}

// CheckAvailable fails with CodePrecondition unless new subscriptions may choose p.
func (p *Plan) CheckAvailable() error {
	if !p.Available {
		return Errorf(CodePrecondition, "plan %s is not available", p.ID)
	}
	return nil
}

// NewSubscription is userID's active subscription to p from start, at p's current price. The plan must be available.
func NewSubscription(id, userID string, p *Plan, paymentMethod string, start time.Time) (Subscription, error) {
	if err := p.CheckAvailable(); err != nil {
		return Subscription{}, err
	}
	return Subscription{ID: id, UserID: userID, PlanID: p.ID, Status: SubscriptionActive, StartDate: start.UTC(),
		PriceCents: p.PriceCents, Currency: p.Currency, PaymentMethod: paymentMethod}, nil
}

// CheckActive fails with CodePrecondition unless s is active: only an active subscription changes.
func (s *Subscription) CheckActive() error {
	if s.Status != SubscriptionActive {
		return Errorf(CodePrecondition, "subscription is %s, not active", s.Status)
	}
	return nil
}

// Cancel ends an active subscription at now.
func (s *Subscription) Cancel(now time.Time) error {
	if err := s.CheckActive(); err != nil {
		return err
	}
	end := now.UTC()
	s.Status, s.EndDate = SubscriptionCanceled, &end
	return nil
}

// ChangePlan moves an active subscription to another available plan, at that plan's current price.
func (s *Subscription) ChangePlan(p *Plan) error {
	if err := s.CheckActive(); err != nil {
		return err
	}
	if s.PlanID == p.ID {
		return Errorf(CodePrecondition, "subscription is already on plan %s", p.ID)
	}
	if err := p.CheckAvailable(); err != nil {
		return err
	}
	s.PlanID, s.PriceCents, s.Currency = p.ID, p.PriceCents, p.Currency
	return nil
}

// isCurrency reports whether c is three upper-case ASCII letters, like the database's check.
func isCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < len(c); i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}
