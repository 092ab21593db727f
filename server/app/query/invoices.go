package query

import (
	"context"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// ListInvoices pages through the user's invoices, newest first, from PostgreSQL (invoices have no read model:
// billing history is read where it is written, and only by its owner or the admin).
func (h *Handler) ListInvoices(ctx context.Context, userID string, pageSize int, pageToken string) ([]streaming.Invoice, string, error) {
	if pageSize <= 0 {
		pageSize = 20
	}
	pageSize = min(pageSize, 100)
	invs, err := h.Billing.ListInvoices(ctx, userID, pageSize, pageToken)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(invs) == pageSize {
		// A full page may be the last: the next one is then empty, which costs one indexed read.
		next = streaming.InvoiceCursor(invs[len(invs)-1])
	}
	return invs, next, nil
}

// maxReportMonths bounds a revenue report: from_month to to_month at most this many months apart.
const maxReportMonths = 120

// RevenueReport is the revenue of paid invoices per month of payment, plan and currency from fromMonth to toMonth
// ("YYYY-MM", UTC, both included).
func (h *Handler) RevenueReport(ctx context.Context, fromMonth, toMonth string) ([]streaming.RevenueRow, error) {
	from, err := time.Parse("2006-01", fromMonth)
	if err != nil {
		return nil, streaming.Invalid("from_month", "must be a month, YYYY-MM")
	}
	to, err := time.Parse("2006-01", toMonth)
	if err != nil {
		return nil, streaming.Invalid("to_month", "must be a month, YYYY-MM")
	}
	months := (to.Year()-from.Year())*12 + int(to.Month()) - int(from.Month())
	if months < 0 {
		return nil, streaming.Invalid("to_month", "must not be before from_month")
	}
	if months > maxReportMonths {
		return nil, streaming.Invalid("to_month", "must be at most %d months after from_month", maxReportMonths)
	}
	return h.Billing.RevenueReport(ctx, from, to)
}
