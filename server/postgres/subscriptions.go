package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/streamingplatform/streaming/server/streaming"
)

const subscriptionColumns = `id, user_id, plan_id, status, start_date, end_date, (monthly_price * 100)::bigint,
	currency, payment_method, version, created_at, updated_at, current_period_start, current_period_end,
	cancel_at_period_end, cancel_reason, coalesce(payment_fingerprint, '')`

func scanSubscription(row pgx.Row, s *streaming.Subscription) error {
	err := row.Scan(&s.ID, &s.UserID, &s.PlanID, &s.Status, &s.StartDate, &s.EndDate, &s.PriceCents, &s.Currency,
		&s.PaymentMethod, &s.Version, &s.CreatedAt, &s.UpdatedAt, &s.CurrentPeriodStart, &s.CurrentPeriodEnd,
		&s.CancelAtPeriodEnd, &s.CancelReason, &s.PaymentFingerprint)
	// pgx reads timestamptz in the local zone; the domain's periods are UTC (their month arithmetic is).
	s.StartDate, s.CurrentPeriodStart, s.CurrentPeriodEnd = s.StartDate.UTC(), s.CurrentPeriodStart.UTC(), s.CurrentPeriodEnd.UTC()
	return err
}

// Page sizes of ListSubscriptions: a limit <= 0 means defaultPageSize, and no page is longer than maxPageSize.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// CreateSubscription stores s (StartDate defaults to now; the first period, when not set, runs from StartDate for a
// month) and writes back its id, Version 1 and timestamps. A second current (active or past due) subscription of
// one user violates a unique index and comes back as CodePrecondition; a missing user or plan as CodeNotFound.
func (t *commandTx) CreateSubscription(ctx context.Context, s *streaming.Subscription) error {
	row := t.tx.QueryRow(ctx, `
		WITH v AS (SELECT coalesce($5, now()) AS start)
		INSERT INTO subscriptions (id, user_id, plan_id, status, start_date, end_date, monthly_price, currency,
			payment_method, current_period_start, current_period_end, cancel_at_period_end, cancel_reason,
			payment_fingerprint)
		SELECT `+newID+`, $2, $3, $4, v.start, $6, $7::bigint / 100.0, $8, $9, coalesce($10, v.start),
			coalesce($11, ((v.start AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'), $12, $13,
			nullif($14, '')
		FROM v
		RETURNING `+subscriptionColumns,
		s.ID, s.UserID, s.PlanID, s.Status, timeOrNil(s.StartDate), s.EndDate, s.PriceCents, s.Currency,
		s.PaymentMethod, timeOrNil(s.CurrentPeriodStart), timeOrNil(s.CurrentPeriodEnd), s.CancelAtPeriodEnd,
		s.CancelReason, s.PaymentFingerprint)
	return mapErr(scanSubscription(row, s), "subscription")
}

// HasActiveSubscription reads the one-active-subscription index without locking: a past-due subscription is still
// the user's current one.
func (t *commandTx) HasActiveSubscription(ctx context.Context, userID string) (bool, error) {
	if !validUUID(userID) {
		return false, nil
	}
	var active bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM subscriptions WHERE user_id = $1 AND status IN ('active', 'past_due'))`,
		userID).Scan(&active)
	return active, mapErr(err, "")
}

func (t *commandTx) SubscriptionForUpdate(ctx context.Context, id string) (*streaming.Subscription, error) {
	if !validUUID(id) {
		return nil, notFound("subscription")
	}
	return queryOne(ctx, t.tx, "subscription", scanSubscription,
		`SELECT `+subscriptionColumns+` FROM subscriptions WHERE id = $1 FOR UPDATE`, id)
}

// UpdateSubscription writes status, plan, dates, price, currency, payment method, period, cancellation and the card
// fingerprint ("" clears it; the owner never changes), bumps the version and writes back Version and UpdatedAt.
func (t *commandTx) UpdateSubscription(ctx context.Context, s *streaming.Subscription) error {
	if !validUUID(s.ID) {
		return notFound("subscription")
	}
	row := t.tx.QueryRow(ctx, `
		UPDATE subscriptions SET plan_id = $2, status = $3, start_date = $4, end_date = $5,
			monthly_price = $6::bigint / 100.0, currency = $7, payment_method = $8, version = version + 1,
			updated_at = now(), current_period_start = coalesce($9, current_period_start),
			current_period_end = coalesce($10, current_period_end), cancel_at_period_end = $11, cancel_reason = $12,
			payment_fingerprint = nullif($13, '')
		WHERE id = $1
		RETURNING `+subscriptionColumns,
		s.ID, s.PlanID, s.Status, s.StartDate, s.EndDate, s.PriceCents, s.Currency, s.PaymentMethod,
		timeOrNil(s.CurrentPeriodStart), timeOrNil(s.CurrentPeriodEnd), s.CancelAtPeriodEnd, s.CancelReason,
		s.PaymentFingerprint)
	return mapErr(scanSubscription(row, s), "subscription")
}

// ListSubscriptions returns a user's subscriptions newest first (by CreatedAt, then ID). after is "" for the first
// page, or streaming.SubscriptionCursor of the last subscription of the previous page. limit is clamped to 1..100, 0 meaning
// 20. A page shorter than the limit is the last one.
func (t *commandTx) ListSubscriptions(ctx context.Context, userID string, limit int, after string) ([]streaming.Subscription, error) {
	return listSubscriptions(ctx, t.tx, userID, limit, after)
}

func listSubscriptions(ctx context.Context, q querier, userID string, limit int, after string) ([]streaming.Subscription, error) {
	limit, afterTime, afterID, err := newestFirstPage(limit, after, streaming.ParseSubscriptionCursor)
	if err != nil {
		return nil, err
	}
	if !validUUID(userID) {
		return []streaming.Subscription{}, nil
	}
	rows, err := q.Query(ctx, `
		SELECT `+subscriptionColumns+` FROM subscriptions
		WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
		ORDER BY created_at DESC, id DESC
		LIMIT $4`,
		userID, afterTime, afterID, limit)
	if err != nil {
		return nil, mapErr(err, "")
	}
	subs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (streaming.Subscription, error) {
		var s streaming.Subscription
		err := scanSubscription(row, &s)
		return s, err
	})
	if err != nil {
		return nil, mapErr(err, "")
	}
	return subs, nil
}

// CreatePayment stores p and writes back its id and CreatedAt. The subscription must belong to p.UserID.
func (t *commandTx) CreatePayment(ctx context.Context, p *streaming.Payment) error {
	row := t.tx.QueryRow(ctx, `
		INSERT INTO payments (id, subscription_id, user_id, amount, currency, status, processor_ref)
		VALUES (`+newID+`, $2, $3, $4::bigint / 100.0, $5, $6, $7)
		RETURNING id, subscription_id, user_id, (amount * 100)::bigint, currency, status, processor_ref, created_at`,
		p.ID, p.SubscriptionID, p.UserID, p.AmountCents, p.Currency, p.Status, p.ProcessorRef)
	err := row.Scan(&p.ID, &p.SubscriptionID, &p.UserID, &p.AmountCents, &p.Currency, &p.Status, &p.ProcessorRef,
		&p.CreatedAt)
	return mapErr(err, "payment")
}

// newestFirstPage is the page size (1..maxPageSize, 0 meaning defaultPageSize) and the keyset position of a
// newest-first page: nil, nil for the first page, else the (created_at, id) the cursor after names, parsed by parse.
func newestFirstPage(limit int, after string, parse func(string) (time.Time, string, bool)) (int, *time.Time, *string, error) {
	if limit <= 0 {
		limit = defaultPageSize
	}
	limit = min(limit, maxPageSize)
	if after == "" {
		return limit, nil, nil, nil
	}
	ts, id, ok := parse(after)
	if !ok {
		return 0, nil, nil, streaming.Invalid("page_token", "malformed page token")
	}
	return limit, &ts, &id, nil
}
