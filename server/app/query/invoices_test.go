package query_test

import (
	"context"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/app/query"
	"github.com/streamingplatform/streaming/server/streaming"
)

// fakeBilling is a function-field fake of streaming.BillingReader.
type fakeBilling struct {
	list   func(userID string, limit int, after string) ([]streaming.Invoice, error)
	report func(from, to time.Time) ([]streaming.RevenueRow, error)
}

func (f *fakeBilling) ListInvoices(_ context.Context, userID string, limit int, after string) ([]streaming.Invoice, error) {
	return f.list(userID, limit, after)
}

func (f *fakeBilling) RevenueReport(_ context.Context, from, to time.Time) ([]streaming.RevenueRow, error) {
	return f.report(from, to)
}

func TestListInvoices(t *testing.T) {
	invoices := func(n int) []streaming.Invoice {
		out := make([]streaming.Invoice, n)
		for i := range out {
			out[i] = streaming.Invoice{ID: "00000000-0000-4000-8000-00000000000" + string(rune('0'+i)), CreatedAt: at.Add(-time.Duration(i) * time.Hour)}
		}
		return out
	}
	cases := []struct {
		name      string
		size      int
		stored    int
		wantLimit int
		wantNext  bool
	}{
		{"default page", 0, 3, 20, false},
		{"a full page has a next token", 3, 3, 3, true},
		{"a short page is the last", 5, 3, 5, false},
		{"bounded", 500, 1, 100, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var gotLimit int
			h := &query.Handler{Billing: &fakeBilling{list: func(userID string, limit int, after string) ([]streaming.Invoice, error) {
				if userID != "u1" || after != "tok" {
					t.Errorf("asked for %s after %q", userID, after)
				}
				gotLimit = limit
				return invoices(tc.stored), nil
			}}}
			invs, next, err := h.ListInvoices(t.Context(), "u1", tc.size, "tok")
			if err != nil || len(invs) != tc.stored || gotLimit != tc.wantLimit || (next != "") != tc.wantNext {
				t.Fatalf("= %d invoices, next %q, %v; limit %d", len(invs), next, err, gotLimit)
			}
			if tc.wantNext && next != streaming.InvoiceCursor(invs[len(invs)-1]) {
				t.Fatalf("next %q is not the last invoice's cursor", next)
			}
		})
	}
}

func TestRevenueReport(t *testing.T) {
	cases := []struct {
		name     string
		from, to string
		field    string
	}{
		{"one month", "2026-03", "2026-03", ""},
		{"ten years", "2016-01", "2026-01", ""},
		{"too long", "2016-01", "2026-02", "to_month"},
		{"backwards", "2026-03", "2026-02", "to_month"},
		{"bad from", "2026-3", "2026-04", "from_month"},
		{"bad to", "2026-03", "march", "to_month"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var asked []time.Time
			h := &query.Handler{Billing: &fakeBilling{report: func(from, to time.Time) ([]streaming.RevenueRow, error) {
				asked = []time.Time{from, to}
				return []streaming.RevenueRow{{Month: tc.from}}, nil
			}}}
			rows, err := h.RevenueReport(t.Context(), tc.from, tc.to)
			if tc.field != "" {
				if e := streaming.AsError(err); e == nil || e.Code != streaming.CodeInvalid || e.Field != tc.field || asked != nil {
					t.Fatalf("err = %v, want invalid %s without a query", err, tc.field)
				}
				return
			}
			from, _ := time.Parse("2006-01", tc.from)
			to, _ := time.Parse("2006-01", tc.to)
			if err != nil || len(rows) != 1 || !asked[0].Equal(from) || !asked[1].Equal(to) {
				t.Fatalf("rows %v, %v; asked %v", rows, err, asked)
			}
		})
	}
}
