package streaming

import (
	"context"
	"fmt"
	"time"
)

// Billing over time (docs/billing.md): monthly periods, invoices, renewals with retries and a grace period, and the
// proration of a change of plan. Everything here is pure: the clock is always an argument.

// Invoice states.
const (
	InvoiceOpen          = "open"          // not paid yet: its charge is due or being retried
	InvoicePaid          = "paid"          // charged
	InvoiceUncollectible = "uncollectible" // charges failed until the grace period ended
	InvoiceVoid          = "void"          // nothing was owed (a credit covered it, a downgrade) or it was withdrawn
)

// Invoice kinds: a period of a subscription (one per subscription and period start), or the proration of a change
// of plan within a period.
const (
	InvoicePeriod    = "period"
	InvoiceProration = "proration"
)

// Invoice is what a subscription is billed for one period, or for a change of plan within one. AmountCents is the
// sum of the lines and never negative: a credit left over is carried to the next period's invoice.
type Invoice struct {
	ID             string
	UserID         string
	SubscriptionID string
	PlanID         string // the plan billed: the period's, or the new plan of a change
	Kind           string // InvoicePeriod or InvoiceProration
	PeriodStart    time.Time
	PeriodEnd      time.Time
	AmountCents    int64
	Currency       string
	Status         string
	Lines          []InvoiceLine
	Attempts       int32      // charge attempts started so far
	Charging       int32      // the attempt sent to the processor and not yet recorded (0: none)
	NextAttemptAt  *time.Time // when the worker next looks at an open invoice (a retry, the end of the grace period)
	PaidAt         *time.Time
	ProcessorRef   string
	LastError      string // the last decline's reason
	CreatedAt      time.Time
}

// InvoiceLine is one line of an invoice; a negative amount is a credit.
type InvoiceLine struct {
	Description string
	AmountCents int64
	PlanID      string
	PeriodStart time.Time
	PeriodEnd   time.Time
}

// AddMonthsClamped is t moved n calendar months in UTC, keeping the day of the month and the time of day, except
// that a day the target month does not have becomes its last day: 31 January + 1 month is 28 (or 29) February.
func AddMonthsClamped(t time.Time, n int) time.Time {
	t = t.UTC()
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC) // normalizes the month into the year
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// PeriodEnd is the end of the monthly period that starts at periodStart, for a subscription anchored at anchor
// (its start): the anchor's day of the month in the next month, clamped to that month's end. Periods are counted
// from the anchor, not from the previous period, so a subscription that started on the 31st bills on the 31st
// again after a short month (31 Jan → 28 Feb → 31 Mar), instead of drifting to the 28th for ever.
func PeriodEnd(anchor, periodStart time.Time) time.Time {
	anchor, periodStart = anchor.UTC(), periodStart.UTC()
	months := (periodStart.Year()-anchor.Year())*12 + int(periodStart.Month()) - int(anchor.Month())
	end := AddMonthsClamped(anchor, months+1)
	for !end.After(periodStart) { // a period start off the anchor's schedule still gets a period that ends after it
		months++
		end = AddMonthsClamped(anchor, months+1)
	}
	return end
}

// Proration is the amount a change of plan costs (positive: charged now) or credits (negative: carried to the next
// invoice) for the rest of a period.
type Proration struct {
	AmountCents int64
	DaysLeft    int // whole days from the change to the period's end, a day begun counting as left
	PeriodDays  int // days in the period
}

// Prorate prices a change from oldCents to newCents a month at now, within the period [start, end): the price
// difference × days left / days in the period, rounded to the cent half away from zero (so a charge and a credit of
// the same size are mirror images). A day begun counts as a day left: the new plan is used from today. Money stays
// in integers throughout.
func Prorate(oldCents, newCents int64, start, end, now time.Time) Proration {
	periodDays := int(end.Sub(start).Round(24*time.Hour) / (24 * time.Hour))
	if periodDays < 1 {
		periodDays = 1
	}
	left := end.Sub(now)
	daysLeft := int(left / (24 * time.Hour))
	if left%(24*time.Hour) > 0 {
		daysLeft++
	}
	daysLeft = max(0, min(daysLeft, periodDays))
	diff := newCents - oldCents
	abs := max(diff, -diff)
	// round(abs × daysLeft / periodDays) half up, in integers.
	cents := (2*abs*int64(daysLeft) + int64(periodDays)) / (2 * int64(periodDays))
	if diff < 0 {
		cents = -cents
	}
	return Proration{AmountCents: cents, DaysLeft: daysLeft, PeriodDays: periodDays}
}

// RetryPolicy says when a failed renewal charge is tried again and when the subscription gives up: Retries are
// offsets from the invoice's due date (its period start), one per retry; Grace is how long after the due date the
// subscription may stay past due.
type RetryPolicy struct {
	Retries []time.Duration
	Grace   time.Duration
}

// AfterDecline decides what follows the failed attempt number attempt (1-based) of an invoice due at due, at now:
// the next attempt's time, or expire at the returned time (the end of the grace period) when no retry is left
// before it. A retry whose time has passed (the worker was down) is due at once.
func (p RetryPolicy) AfterDecline(due time.Time, attempt int, now time.Time) (next time.Time, expire bool) {
	graceEnd := due.Add(p.Grace)
	if attempt >= 1 && attempt <= len(p.Retries) {
		next = due.Add(p.Retries[attempt-1])
		if next.Before(now) {
			next = now
		}
		if next.Before(graceEnd) {
			return next, false
		}
	}
	if graceEnd.Before(now) {
		return now, true
	}
	return graceEnd, true
}

// CheckCurrent fails with CodePrecondition unless s is active or past due: a subscription that still plays.
func (s *Subscription) CheckCurrent() error {
	if s.Status != SubscriptionActive && s.Status != SubscriptionPastDue {
		return Errorf(CodePrecondition, "subscription is %s, not active", s.Status)
	}
	return nil
}

// StartPeriod sets the first billing period of a new subscription: from its start, a month long.
func (s *Subscription) StartPeriod() {
	s.CurrentPeriodStart = s.StartDate.UTC()
	s.CurrentPeriodEnd = PeriodEnd(s.StartDate, s.StartDate)
}

// NextPeriod is the period after the current one.
func (s *Subscription) NextPeriod() (start, end time.Time) {
	return s.CurrentPeriodEnd, PeriodEnd(s.StartDate, s.CurrentPeriodEnd)
}

// ScheduleCancel cancels s with reason: an active subscription keeps playing until its period ends and is then
// canceled instead of renewed; a past-due one (its period is not paid for) ends at now. It reports whether the
// subscription ended now.
func (s *Subscription) ScheduleCancel(reason string, now time.Time) (endedNow bool, err error) {
	if err := s.CheckCurrent(); err != nil {
		return false, err
	}
	if s.CancelAtPeriodEnd {
		return false, Errorf(CodePrecondition, "subscription is already canceled at the end of its period")
	}
	s.CancelAtPeriodEnd, s.CancelReason = true, reason
	if s.Status == SubscriptionPastDue {
		end := now.UTC()
		s.Status, s.EndDate = SubscriptionCanceled, &end
		return true, nil
	}
	return false, nil
}

// EndAtPeriodEnd ends an active subscription canceled at period end: canceled at the end of its period.
func (s *Subscription) EndAtPeriodEnd() error {
	if s.Status != SubscriptionActive || !s.CancelAtPeriodEnd {
		return Errorf(CodePrecondition, "subscription is not due to end")
	}
	end := s.CurrentPeriodEnd
	s.Status, s.EndDate = SubscriptionCanceled, &end
	return nil
}

// Renew makes the invoice's period the current one, paid: active.
func (s *Subscription) Renew(inv *Invoice) error {
	if err := s.CheckCurrent(); err != nil {
		return err
	}
	s.Status, s.CurrentPeriodStart, s.CurrentPeriodEnd = SubscriptionActive, inv.PeriodStart, inv.PeriodEnd
	return nil
}

// MarkPastDue makes the invoice's period the current one, unpaid: past due while its charge is retried.
func (s *Subscription) MarkPastDue(inv *Invoice) error {
	if err := s.CheckCurrent(); err != nil {
		return err
	}
	s.Status, s.CurrentPeriodStart, s.CurrentPeriodEnd = SubscriptionPastDue, inv.PeriodStart, inv.PeriodEnd
	return nil
}

// Expire ends a past-due subscription whose grace period is over, at now.
func (s *Subscription) Expire(now time.Time) error {
	if s.Status != SubscriptionPastDue {
		return Errorf(CodePrecondition, "subscription is %s, not past due", s.Status)
	}
	end := now.UTC()
	s.Status, s.EndDate = SubscriptionExpired, &end
	return nil
}

// PeriodLine is the invoice line of a whole period of plan p at cents.
func PeriodLine(planName, planID string, cents int64, start, end time.Time) InvoiceLine {
	return InvoiceLine{Description: fmt.Sprintf("%s, %s to %s", planName, start.Format(time.DateOnly), end.Format(time.DateOnly)),
		AmountCents: cents, PlanID: planID, PeriodStart: start, PeriodEnd: end}
}

// RenewalInvoice is the invoice of the period after s's current one at s's price, less up to creditCents of credit
// carried from downgrades; it returns the credit left. An invoice the credit covers is void (nothing to charge);
// otherwise it is open and due at its period's start.
func RenewalInvoice(s *Subscription, planName string, creditCents int64, now time.Time) (Invoice, int64) {
	start, end := s.NextPeriod()
	inv := Invoice{UserID: s.UserID, SubscriptionID: s.ID, PlanID: s.PlanID, Kind: InvoicePeriod, PeriodStart: start,
		PeriodEnd: end, Currency: s.Currency, Status: InvoiceOpen, CreatedAt: now.UTC(),
		Lines: []InvoiceLine{PeriodLine(planName, s.PlanID, s.PriceCents, start, end)}}
	inv.AmountCents = s.PriceCents
	if used := min(max(creditCents, 0), s.PriceCents); used > 0 {
		inv.Lines = append(inv.Lines, InvoiceLine{Description: "Credit from a change of plan", AmountCents: -used,
			PlanID: s.PlanID, PeriodStart: start, PeriodEnd: end})
		inv.AmountCents -= used
		creditCents -= used
	}
	if inv.AmountCents == 0 {
		inv.Status = InvoiceVoid
	} else {
		due := start
		inv.NextAttemptAt = &due
	}
	return inv, creditCents
}

// Invoices is the repository of billing (docs/billing.md): invoices and their lines, the credit a subscription
// carries to its next invoice, its saved payment token, and the renewal worker's claims. Reads ending in ForUpdate
// lock until commit; the worker's Due* reads lock and skip rows another transaction holds, so replicas share the
// work without waiting for each other and never take the same row.
type Invoices interface {
	// CreateInvoice stores inv with its lines (a fresh ID when empty) and writes back ID and CreatedAt (from inv's
	// own when set). CodeConflict when the subscription already has an invoice for that period start (kind
	// period), or an open proration.
	CreateInvoice(ctx context.Context, inv *Invoice) error
	// InvoiceForUpdate reads and locks one invoice with its lines.
	InvoiceForUpdate(ctx context.Context, id string) (*Invoice, error)
	// UpdateInvoice writes Status, Attempts, Charging, NextAttemptAt, PaidAt, ProcessorRef and LastError.
	UpdateInvoice(ctx context.Context, inv *Invoice) error
	// OpenProrationForUpdate reads and locks the subscription's open proration invoice; CodeNotFound when none.
	OpenProrationForUpdate(ctx context.Context, subscriptionID string) (*Invoice, error)
	// OpenPeriodInvoiceForUpdate reads and locks the subscription's open period invoice (a renewal being charged or
	// retried; there is at most one); CodeNotFound when none.
	OpenPeriodInvoiceForUpdate(ctx context.Context, subscriptionID string) (*Invoice, error)
	// VoidOpenInvoices voids the subscription's open invoices (a canceled past-due subscription owes nothing more).
	VoidOpenInvoices(ctx context.Context, subscriptionID string) error
	// SubscriptionCredit is the credit (cents, never negative) the subscription carries to its next invoice.
	SubscriptionCredit(ctx context.Context, subscriptionID string) (int64, error)
	SetSubscriptionCredit(ctx context.Context, subscriptionID string, cents int64) error
	// SavePaymentToken keeps the payment token renewals charge; PaymentToken reads it ("" when none was saved).
	// It is never published: not in events, read models or answers.
	SavePaymentToken(ctx context.Context, subscriptionID, token string) error
	PaymentToken(ctx context.Context, subscriptionID string) (string, error)
	// DueSubscriptions locks up to limit active subscriptions whose period ended at or before now and that have no
	// invoice for the next period yet, skipping rows other transactions hold.
	DueSubscriptions(ctx context.Context, now time.Time, limit int) ([]Subscription, error)
	// DueInvoices locks up to limit open period invoices whose next attempt is at or before now, skipping rows
	// other transactions hold.
	DueInvoices(ctx context.Context, now time.Time, limit int) ([]Invoice, error)
}

// BillingReader is the query side's read-only access to billing (PostgreSQL).
type BillingReader interface {
	// ListInvoices pages a user's invoices newest first (by CreatedAt, then ID); after is "" or the InvoiceCursor
	// of the previous page's last invoice.
	ListInvoices(ctx context.Context, userID string, limit int, after string) ([]Invoice, error)
	// RevenueReport sums the paid invoices whose payment fell in the months from..to (first days of months, UTC,
	// inclusive), per month, plan and currency.
	RevenueReport(ctx context.Context, from, to time.Time) ([]RevenueRow, error)
}

// RevenueRow is the revenue of one plan in one month and currency.
type RevenueRow struct {
	Month               string // "YYYY-MM" (UTC) of the payments
	PlanID, PlanName    string
	Currency            string
	PaidInvoices        int64
	RevenueCents        int64
	PayingSubscriptions int64
}

// InvoiceCursor is the page token that continues after inv: base64url (unpadded) of
// "<CreatedAt in UTC, RFC 3339 with nanoseconds>,<ID>", like SubscriptionCursor. Callers treat it as opaque.
func InvoiceCursor(inv Invoice) string {
	return SubscriptionCursor(Subscription{ID: inv.ID, CreatedAt: inv.CreatedAt})
}

// ParseInvoiceCursor reads an InvoiceCursor; ok is false for anything malformed.
func ParseInvoiceCursor(c string) (createdAt time.Time, id string, ok bool) {
	return ParseSubscriptionCursor(c)
}
