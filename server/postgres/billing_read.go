package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/streamingplatform/streaming/server/streaming"
)

var _ streaming.BillingReader = (*ReadStore)(nil)

// ListInvoices pages a user's invoices newest first (CreatedAt, then ID), with their lines; after is "" or the
// streaming.InvoiceCursor of the previous page's last invoice. limit is clamped to 1..100, 0 meaning 20. Both
// statements read one snapshot, so the lines are those of the invoices listed.
func (s *ReadStore) ListInvoices(ctx context.Context, userID string, limit int, after string) ([]streaming.Invoice, error) {
	limit, afterTime, afterID, err := newestFirstPage(limit, after, streaming.ParseInvoiceCursor)
	if err != nil {
		return nil, err
	}
	if !validUUID(userID) {
		return []streaming.Invoice{}, nil
	}
	var invs []streaming.Invoice
	err = s.snapshot(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT `+invoiceColumns+` FROM invoices
			WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
			ORDER BY created_at DESC, id DESC
			LIMIT $4`,
			userID, afterTime, afterID, limit)
		if err != nil {
			return mapErr(err, "")
		}
		if invs, err = collectInvoices(rows); err != nil {
			return err
		}
		ptrs := make([]*streaming.Invoice, len(invs))
		for i := range invs {
			ptrs[i] = &invs[i]
		}
		return withLines(ctx, tx, ptrs)
	})
	if err != nil {
		return nil, err
	}
	return invs, nil
}

// revenueSQL is the revenue report: paid invoices joined to the subscription they bill and the plan they bill for,
// grouped by the month (UTC) of payment, plan and currency. An invoice's plan is the plan of its period, or the new
// plan of a change, so a month's revenue is split by what was bought. Months are compared as UTC timestamps on the
// paid_at index.
const revenueSQL = `
	SELECT to_char(date_trunc('month', i.paid_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
		p.id::text, p.name, i.currency,
		count(*) AS paid_invoices,
		(sum(i.amount) * 100)::bigint AS revenue_cents,
		count(DISTINCT s.id) AS paying_subscriptions
	FROM invoices i
	JOIN subscriptions s ON s.id = i.subscription_id AND s.user_id = i.user_id
	JOIN plans p ON p.id = i.plan_id
	WHERE i.status = 'paid'
		AND i.paid_at >= ($1::timestamp AT TIME ZONE 'UTC')
		AND i.paid_at < (($2::timestamp + interval '1 month') AT TIME ZONE 'UTC')
	GROUP BY 1, p.id, p.name, i.currency
	ORDER BY 1, p.name, i.currency`

// RevenueReport sums paid invoices per month of payment, plan and currency, from the month of from to the month of
// to (both first days of months, UTC), in one statement.
func (s *ReadStore) RevenueReport(ctx context.Context, from, to time.Time) ([]streaming.RevenueRow, error) {
	// Passed as timestamps without zone: the SQL reads them as UTC whatever the session's time zone.
	rows, err := s.pool.Query(ctx, revenueSQL, from.UTC().Format("2006-01-02"), to.UTC().Format("2006-01-02"))
	if err != nil {
		return nil, mapErr(err, "")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (streaming.RevenueRow, error) {
		var r streaming.RevenueRow
		err := row.Scan(&r.Month, &r.PlanID, &r.PlanName, &r.Currency, &r.PaidInvoices, &r.RevenueCents, &r.PayingSubscriptions)
		return r, err
	})
	if err != nil {
		return nil, mapErr(err, "")
	}
	return out, nil
}
