package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Billing (docs/billing.md): invoices and their lines, a subscription's carried credit and saved payment token, and
// the renewal worker's claims. Times of invoices are the caller's (its clock), so a worker run on an injected clock
// writes the invoices of the time it simulates.

const invoiceColumns = `id, user_id, subscription_id, plan_id, kind, period_start, period_end, (amount * 100)::bigint,
	currency, status, attempts, charging, next_attempt_at, paid_at, processor_ref, last_error, created_at`

func scanInvoice(row pgx.Row, inv *streaming.Invoice) error {
	err := row.Scan(&inv.ID, &inv.UserID, &inv.SubscriptionID, &inv.PlanID, &inv.Kind, &inv.PeriodStart, &inv.PeriodEnd,
		&inv.AmountCents, &inv.Currency, &inv.Status, &inv.Attempts, &inv.Charging, &inv.NextAttemptAt, &inv.PaidAt,
		&inv.ProcessorRef, &inv.LastError, &inv.CreatedAt)
	inv.PeriodStart, inv.PeriodEnd, inv.CreatedAt = inv.PeriodStart.UTC(), inv.PeriodEnd.UTC(), inv.CreatedAt.UTC()
	return err
}

// CreateInvoice stores inv and its lines in order. A second invoice of one period of a subscription is CodeConflict
// and leaves the transaction usable (the renewal worker skips that subscription); a second open proration is
// CodeConflict too, and aborts it.
func (t *commandTx) CreateInvoice(ctx context.Context, inv *streaming.Invoice) error {
	row := t.tx.QueryRow(ctx, `
		INSERT INTO invoices (id, user_id, subscription_id, plan_id, kind, period_start, period_end, amount, currency,
			status, attempts, charging, next_attempt_at, paid_at, processor_ref, last_error, created_at)
		VALUES (`+newID+`, $2, $3, $4, $5, $6, $7, $8::bigint / 100.0, $9, $10, $11, $12, $13, $14, $15, $16,
			coalesce($17, now()))
		ON CONFLICT (subscription_id, period_start) WHERE kind = 'period' DO NOTHING
		RETURNING `+invoiceColumns,
		inv.ID, inv.UserID, inv.SubscriptionID, inv.PlanID, inv.Kind, inv.PeriodStart, inv.PeriodEnd, inv.AmountCents,
		inv.Currency, inv.Status, inv.Attempts, inv.Charging, inv.NextAttemptAt, inv.PaidAt, inv.ProcessorRef,
		inv.LastError, timeOrNil(inv.CreatedAt))
	lines := inv.Lines
	if err := scanInvoice(row, inv); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			// The period was invoiced already (ON CONFLICT DO NOTHING: the transaction goes on).
			return streaming.Errorf(streaming.CodeConflict, "the subscription's period is invoiced already")
		}
		return mapInvoiceErr(err)
	}
	inv.Lines = lines
	for i, l := range lines {
		_, err := t.tx.Exec(ctx, `
			INSERT INTO invoice_lines (invoice_id, position, description, amount, plan_id, period_start, period_end)
			VALUES ($1, $2, $3, $4::bigint / 100.0, $5, $6, $7)`,
			inv.ID, i, l.Description, l.AmountCents, l.PlanID, l.PeriodStart, l.PeriodEnd)
		if err != nil {
			return mapErr(err, "invoice line")
		}
	}
	return nil
}

// mapInvoiceErr names the two uniqueness rules of invoices.
func mapInvoiceErr(err error) error {
	err = mapErr(err, "invoice")
	if e := streaming.AsError(err); e != nil && e.Code == streaming.CodeConflict {
		e.Message = "the subscription already has this invoice (a period is invoiced once; one change of plan is charged at a time)"
	}
	return err
}

// InvoiceForUpdate reads and locks an invoice, with its lines.
func (t *commandTx) InvoiceForUpdate(ctx context.Context, id string) (*streaming.Invoice, error) {
	if !validUUID(id) {
		return nil, notFound("invoice")
	}
	inv, err := queryOne(ctx, t.tx, "invoice", scanInvoice, `SELECT `+invoiceColumns+` FROM invoices WHERE id = $1 FOR UPDATE`, id)
	if err != nil {
		return nil, err
	}
	return inv, withLines(ctx, t.tx, []*streaming.Invoice{inv})
}

// UpdateInvoice writes the invoice's charge state.
func (t *commandTx) UpdateInvoice(ctx context.Context, inv *streaming.Invoice) error {
	if !validUUID(inv.ID) {
		return notFound("invoice")
	}
	tag, err := t.tx.Exec(ctx, `
		UPDATE invoices SET status = $2, attempts = $3, charging = $4, next_attempt_at = $5, paid_at = $6,
			processor_ref = $7, last_error = $8
		WHERE id = $1`,
		inv.ID, inv.Status, inv.Attempts, inv.Charging, inv.NextAttemptAt, inv.PaidAt, inv.ProcessorRef, inv.LastError)
	if err != nil {
		return mapErr(err, "invoice")
	}
	if tag.RowsAffected() == 0 {
		return notFound("invoice")
	}
	return nil
}

// OpenProrationForUpdate reads and locks the subscription's open proration invoice.
func (t *commandTx) OpenProrationForUpdate(ctx context.Context, subscriptionID string) (*streaming.Invoice, error) {
	if !validUUID(subscriptionID) {
		return nil, notFound("invoice")
	}
	inv, err := queryOne(ctx, t.tx, "invoice", scanInvoice, `
		SELECT `+invoiceColumns+` FROM invoices
		WHERE subscription_id = $1 AND kind = 'proration' AND status = 'open'
		FOR UPDATE`, subscriptionID)
	if err != nil {
		return nil, err
	}
	return inv, withLines(ctx, t.tx, []*streaming.Invoice{inv})
}

// OpenPeriodInvoiceForUpdate reads and locks the subscription's open period invoice. There is at most one: the
// worker invoices the next period only of an active subscription, and an unpaid invoice keeps it past due until the
// invoice is paid or written off. LIMIT 1 only keeps the answer defined should that ever not hold.
func (t *commandTx) OpenPeriodInvoiceForUpdate(ctx context.Context, subscriptionID string) (*streaming.Invoice, error) {
	if !validUUID(subscriptionID) {
		return nil, notFound("invoice")
	}
	inv, err := queryOne(ctx, t.tx, "invoice", scanInvoice, `
		SELECT `+invoiceColumns+` FROM invoices
		WHERE subscription_id = $1 AND kind = 'period' AND status = 'open'
		ORDER BY period_start DESC
		LIMIT 1
		FOR UPDATE`, subscriptionID)
	if err != nil {
		return nil, err
	}
	return inv, withLines(ctx, t.tx, []*streaming.Invoice{inv})
}

// VoidOpenInvoices voids the subscription's open invoices.
func (t *commandTx) VoidOpenInvoices(ctx context.Context, subscriptionID string) error {
	if !validUUID(subscriptionID) {
		return nil
	}
	_, err := t.tx.Exec(ctx, `
		UPDATE invoices SET status = 'void', next_attempt_at = NULL WHERE subscription_id = $1 AND status = 'open'`,
		subscriptionID)
	return mapErr(err, "")
}

func (t *commandTx) SubscriptionCredit(ctx context.Context, subscriptionID string) (int64, error) {
	if !validUUID(subscriptionID) {
		return 0, notFound("subscription")
	}
	var cents int64
	err := t.tx.QueryRow(ctx, `SELECT (credit * 100)::bigint FROM subscriptions WHERE id = $1`, subscriptionID).Scan(&cents)
	return cents, mapErr(err, "subscription")
}

func (t *commandTx) SetSubscriptionCredit(ctx context.Context, subscriptionID string, cents int64) error {
	return t.setSubscriptionColumn(ctx, `UPDATE subscriptions SET credit = $2::bigint / 100.0 WHERE id = $1`, subscriptionID, cents)
}

func (t *commandTx) SavePaymentToken(ctx context.Context, subscriptionID, token string) error {
	return t.setSubscriptionColumn(ctx, `UPDATE subscriptions SET payment_token = $2 WHERE id = $1`, subscriptionID, token)
}

func (t *commandTx) setSubscriptionColumn(ctx context.Context, sql, id string, v any) error {
	if !validUUID(id) {
		return notFound("subscription")
	}
	tag, err := t.tx.Exec(ctx, sql, id, v)
	if err != nil {
		return mapErr(err, "subscription")
	}
	if tag.RowsAffected() == 0 {
		return notFound("subscription")
	}
	return nil
}

func (t *commandTx) PaymentToken(ctx context.Context, subscriptionID string) (string, error) {
	if !validUUID(subscriptionID) {
		return "", notFound("subscription")
	}
	var token string
	err := t.tx.QueryRow(ctx, `SELECT payment_token FROM subscriptions WHERE id = $1`, subscriptionID).Scan(&token)
	return token, mapErr(err, "subscription")
}

// DueSubscriptions locks active subscriptions whose period has ended and that have no invoice for the next period
// yet. SKIP LOCKED lets several workers share the due rows; a row another worker is renewing is simply not seen,
// and the unique index on (subscription, period_start) is the last line should two ever get past this.
func (t *commandTx) DueSubscriptions(ctx context.Context, now time.Time, limit int) ([]streaming.Subscription, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT `+subscriptionColumns+` FROM subscriptions s
		WHERE s.status = 'active' AND s.current_period_end <= $1
			AND NOT EXISTS (SELECT 1 FROM invoices i
				WHERE i.subscription_id = s.id AND i.kind = 'period' AND i.period_start = s.current_period_end)
		ORDER BY s.current_period_end
		LIMIT $2
		FOR UPDATE OF s SKIP LOCKED`, now, limit)
	if err != nil {
		return nil, mapErr(err, "")
	}
	subs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (streaming.Subscription, error) {
		var s streaming.Subscription
		err := scanSubscription(row, &s)
		return s, err
	})
	return subs, mapErr(err, "")
}

// DueInvoices locks open period invoices whose next attempt is due, skipping those another worker holds.
func (t *commandTx) DueInvoices(ctx context.Context, now time.Time, limit int) ([]streaming.Invoice, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT `+invoiceColumns+` FROM invoices
		WHERE status = 'open' AND kind = 'period' AND next_attempt_at <= $1
		ORDER BY next_attempt_at
		LIMIT $2
		FOR UPDATE SKIP LOCKED`, now, limit)
	if err != nil {
		return nil, mapErr(err, "")
	}
	invs, err := collectInvoices(rows)
	if err != nil {
		return nil, err
	}
	ptrs := make([]*streaming.Invoice, len(invs))
	for i := range invs {
		ptrs[i] = &invs[i]
	}
	return invs, withLines(ctx, t.tx, ptrs)
}

func collectInvoices(rows pgx.Rows) ([]streaming.Invoice, error) {
	invs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (streaming.Invoice, error) {
		var inv streaming.Invoice
		err := scanInvoice(row, &inv)
		return inv, err
	})
	return invs, mapErr(err, "")
}

// withLines reads the lines of invs in one query and sets them, in order.
func withLines(ctx context.Context, q querier, invs []*streaming.Invoice) error {
	if len(invs) == 0 {
		return nil
	}
	byID := make(map[string]*streaming.Invoice, len(invs))
	ids := make([]string, 0, len(invs))
	for _, inv := range invs {
		byID[inv.ID] = inv
		ids = append(ids, inv.ID)
		inv.Lines = nil
	}
	rows, err := q.Query(ctx, `
		SELECT invoice_id::text, description, (amount * 100)::bigint, plan_id::text, period_start, period_end
		FROM invoice_lines WHERE invoice_id = ANY($1::uuid[])
		ORDER BY invoice_id, position`, ids)
	if err != nil {
		return mapErr(err, "")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var l streaming.InvoiceLine
		if err := rows.Scan(&id, &l.Description, &l.AmountCents, &l.PlanID, &l.PeriodStart, &l.PeriodEnd); err != nil {
			return mapErr(err, "")
		}
		l.PeriodStart, l.PeriodEnd = l.PeriodStart.UTC(), l.PeriodEnd.UTC()
		byID[id].Lines = append(byID[id].Lines, l)
	}
	return mapErr(rows.Err(), "")
}
