package postgres_test

import (
	"fmt"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/streaming"
)

// invoiceAt stores an invoice of s for cents, created at created; paid at paid unless paid is zero (then status).
func invoiceAt(t *testing.T, store *postgres.CommandStore, s *streaming.Subscription, planID string, cents int64,
	currency, status string, created, paid time.Time) streaming.Invoice {
	t.Helper()
	ctx := t.Context()
	inv := streaming.Invoice{UserID: s.UserID, SubscriptionID: s.ID, PlanID: planID, Kind: streaming.InvoiceProration,
		PeriodStart: created, PeriodEnd: created.AddDate(0, 1, 0), AmountCents: cents, Currency: currency, Status: status,
		CreatedAt: created, Lines: []streaming.InvoiceLine{
			{Description: "period", AmountCents: cents + 100, PlanID: planID, PeriodStart: created, PeriodEnd: created.AddDate(0, 1, 0)},
			{Description: "credit", AmountCents: -100, PlanID: planID, PeriodStart: created, PeriodEnd: created.AddDate(0, 1, 0)},
		}}
	if status == streaming.InvoicePaid {
		inv.PaidAt = &paid
	}
	// Kind period needs a distinct period start per subscription; prorations have no such rule, so the data set
	// below can place several invoices of one subscription in a month.
	if err := store.InTx(ctx, func(tx streaming.CommandTx) error { return tx.CreateInvoice(ctx, &inv) }); err != nil {
		t.Fatalf("create invoice: %v", err)
	}
	return inv
}

func subscribed(t *testing.T, store *postgres.CommandStore, p *streaming.Plan) *streaming.Subscription {
	t.Helper()
	ctx := t.Context()
	u := newUser(t, ctx, store)
	s := activeSubscription(u, p)
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreateSubscription(ctx, s) })
	return s
}

func TestInvoicesRules(t *testing.T) {
	store, _, ctx := setup(t)
	p := newPlan(t, ctx, store, 999)
	s := subscribed(t, store, p)
	if s.CurrentPeriodEnd.Sub(s.CurrentPeriodStart) < 28*24*time.Hour || !s.CurrentPeriodStart.Equal(s.StartDate) {
		t.Fatalf("default first period %s to %s", s.CurrentPeriodStart, s.CurrentPeriodEnd)
	}
	period := func() *streaming.Invoice {
		return &streaming.Invoice{UserID: s.UserID, SubscriptionID: s.ID, PlanID: p.ID, Kind: streaming.InvoicePeriod,
			PeriodStart: s.CurrentPeriodEnd, PeriodEnd: s.CurrentPeriodEnd.AddDate(0, 1, 0), AmountCents: 999, Currency: "EUR",
			Status: streaming.InvoiceOpen}
	}
	// A period is invoiced once; the second insert leaves the transaction usable.
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		if err := tx.CreateInvoice(ctx, period()); err != nil {
			return err
		}
		wantCode(t, tx.CreateInvoice(ctx, period()), streaming.CodeConflict, "")
		_, err := tx.SubscriptionCredit(ctx, s.ID)
		return err
	})
	// One open proration at a time.
	proration := func() *streaming.Invoice {
		inv := period()
		inv.Kind = streaming.InvoiceProration
		return inv
	}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreateInvoice(ctx, proration()) })
	err := store.InTx(ctx, func(tx streaming.CommandTx) error { return tx.CreateInvoice(ctx, proration()) })
	wantCode(t, err, streaming.CodeConflict, "")
	// A negative total is refused by the database too.
	neg := proration()
	neg.Status, neg.AmountCents = streaming.InvoiceVoid, -1
	err = store.InTx(ctx, func(tx streaming.CommandTx) error { return tx.CreateInvoice(ctx, neg) })
	wantCode(t, err, streaming.CodeInvalid, "")
	// The saved token and the credit never leave through the subscription's columns.
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		if err := tx.SavePaymentToken(ctx, s.ID, "tok_visa"); err != nil {
			return err
		}
		if err := tx.SetSubscriptionCredit(ctx, s.ID, 250); err != nil {
			return err
		}
		tok, err := tx.PaymentToken(ctx, s.ID)
		if err != nil || tok != "tok_visa" {
			return fmt.Errorf("token %q, %v", tok, err)
		}
		c, err := tx.SubscriptionCredit(ctx, s.ID)
		if err != nil || c != 250 {
			return fmt.Errorf("credit %d, %v", c, err)
		}
		return nil
	})
	// A past-due subscription is still the user's current one.
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		s.Status = streaming.SubscriptionPastDue
		return tx.UpdateSubscription(ctx, s)
	})
	err = store.InTx(ctx, func(tx streaming.CommandTx) error {
		return tx.CreateSubscription(ctx, activeSubscription(&streaming.User{ID: s.UserID}, p))
	})
	wantCode(t, err, streaming.CodePrecondition, "user already has an active subscription")
}

func TestListInvoicesPages(t *testing.T) {
	store, pool, ctx := setup(t)
	p := newPlan(t, ctx, store, 999)
	s := subscribed(t, store, p)
	other := subscribed(t, store, p)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var want []streaming.Invoice
	for i := range 5 {
		// Two invoices at the same time: the id breaks the tie, and paging neither skips nor repeats one.
		created := base.AddDate(0, min(i, 3), 0)
		want = append(want, invoiceAt(t, store, s, p.ID, int64(100*(i+1)), "EUR", streaming.InvoicePaid, created, created))
	}
	invoiceAt(t, store, other, p.ID, 999, "EUR", streaming.InvoicePaid, base, base)
	reads := postgres.NewReadStore(pool)
	var got []streaming.Invoice
	after := ""
	for page := 0; ; page++ {
		invs, err := reads.ListInvoices(ctx, s.UserID, 2, after)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, invs...)
		if len(invs) < 2 {
			break
		}
		after = streaming.InvoiceCursor(invs[len(invs)-1])
		if page > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(got) != 5 {
		t.Fatalf("%d invoices, want 5: %+v", len(got), got)
	}
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		if a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID) {
			t.Fatalf("not newest first at %d: %s %s / %s %s", i, a.CreatedAt, a.ID, b.CreatedAt, b.ID)
		}
	}
	byID := map[string]streaming.Invoice{}
	for _, inv := range got {
		byID[inv.ID] = inv
	}
	for _, w := range want {
		g, ok := byID[w.ID]
		if !ok {
			t.Fatalf("invoice %s missing", w.ID)
		}
		if diff := gocmp.Diff(w, g); diff != "" {
			t.Errorf("invoice %s (-stored +listed):\n%s", w.ID, diff)
		}
	}
	if _, err := reads.ListInvoices(ctx, s.UserID, 2, "not a token"); streaming.ErrorCode(err) != streaming.CodeInvalid {
		t.Fatalf("malformed token: %v", err)
	}
	if invs, err := reads.ListInvoices(ctx, "not-a-uuid", 2, ""); err != nil || len(invs) != 0 {
		t.Fatalf("unknown user: %v %v", invs, err)
	}
}

// TestRevenueReport: the report's numbers for a small known data set: only paid invoices count, by the month (UTC)
// they were paid in, per plan and currency, with the distinct subscriptions that paid.
func TestRevenueReport(t *testing.T) {
	store, pool, ctx := setup(t)
	plan := func(name string, cents int64, currency string) *streaming.Plan {
		p := &streaming.Plan{Name: name, PriceCents: cents, Currency: currency, MaxStreams: 1, MaxQuality: "hd", Available: true}
		inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreatePlan(ctx, p) })
		return p
	}
	basic, dollar, premium := plan("Basic", 999, "EUR"), plan("Dollar", 1500, "USD"), plan("Premium", 1999, "EUR")
	a, d := subscribed(t, store, basic), subscribed(t, store, basic)
	b, c := subscribed(t, store, premium), subscribed(t, store, dollar)
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, time.UTC)
	}
	paid := streaming.InvoicePaid
	invoiceAt(t, store, a, basic.ID, 999, "EUR", paid, at(1, 5, 0), at(1, 5, 0))
	invoiceAt(t, store, d, basic.ID, 999, "EUR", paid, at(1, 10, 0), at(1, 10, 0))
	invoiceAt(t, store, a, basic.ID, 999, "EUR", paid, at(2, 5, 0), at(2, 5, 0))
	invoiceAt(t, store, a, basic.ID, 999, "EUR", streaming.InvoiceOpen, at(3, 5, 0), time.Time{})
	invoiceAt(t, store, b, premium.ID, 1999, "EUR", paid, at(1, 20, 0), at(1, 20, 0))
	invoiceAt(t, store, b, premium.ID, 333, "EUR", paid, at(1, 25, 0), at(1, 25, 0)) // an upgrade's proration
	invoiceAt(t, store, b, premium.ID, 1999, "EUR", paid, at(2, 20, 0), at(2, 20, 0))
	invoiceAt(t, store, b, premium.ID, 0, "EUR", streaming.InvoiceVoid, at(2, 21, 0), time.Time{})
	invoiceAt(t, store, b, premium.ID, 1999, "EUR", streaming.InvoiceUncollectible, at(2, 22, 0), time.Time{})
	// Created in January, paid on the first second of February (UTC): February's.
	invoiceAt(t, store, c, dollar.ID, 1500, "USD", paid, at(1, 31, 23), at(2, 1, 0))
	invoiceAt(t, store, c, dollar.ID, 1500, "USD", paid, at(1, 2, 0), at(1, 31, 23))
	invoiceAt(t, store, c, dollar.ID, 1500, "USD", paid, at(4, 2, 0), at(4, 2, 0)) // after the report

	rows, err := postgres.NewReadStore(pool).RevenueReport(ctx, at(1, 1, 0), at(2, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := []streaming.RevenueRow{
		{Month: "2026-01", PlanID: basic.ID, PlanName: "Basic", Currency: "EUR", PaidInvoices: 2, RevenueCents: 1998, PayingSubscriptions: 2},
		{Month: "2026-01", PlanID: dollar.ID, PlanName: "Dollar", Currency: "USD", PaidInvoices: 1, RevenueCents: 1500, PayingSubscriptions: 1},
		{Month: "2026-01", PlanID: premium.ID, PlanName: "Premium", Currency: "EUR", PaidInvoices: 2, RevenueCents: 2332, PayingSubscriptions: 1},
		{Month: "2026-02", PlanID: basic.ID, PlanName: "Basic", Currency: "EUR", PaidInvoices: 1, RevenueCents: 999, PayingSubscriptions: 1},
		{Month: "2026-02", PlanID: dollar.ID, PlanName: "Dollar", Currency: "USD", PaidInvoices: 1, RevenueCents: 1500, PayingSubscriptions: 1},
		{Month: "2026-02", PlanID: premium.ID, PlanName: "Premium", Currency: "EUR", PaidInvoices: 1, RevenueCents: 1999, PayingSubscriptions: 1},
	}
	if diff := gocmp.Diff(want, rows); diff != "" {
		t.Fatalf("report (-want +got):\n%s", diff)
	}
	if rows, err := postgres.NewReadStore(pool).RevenueReport(ctx, at(5, 1, 0), at(6, 1, 0)); err != nil || len(rows) != 0 {
		t.Fatalf("empty months: %v %v", rows, err)
	}
}

// TestOpenPeriodInvoiceForUpdate: the subscription's open period invoice is found among its paid ones and its open
// proration, with its lines, locked until commit; a subscription without one (or another's id) is not found.
func TestOpenPeriodInvoiceForUpdate(t *testing.T) {
	store, pool, ctx := setup(t)
	p := newPlan(t, ctx, store, 999)
	s, other := subscribed(t, store, p), subscribed(t, store, p)
	period := func(sub *streaming.Subscription, start time.Time, status string) *streaming.Invoice {
		inv := &streaming.Invoice{UserID: sub.UserID, SubscriptionID: sub.ID, PlanID: p.ID, Kind: streaming.InvoicePeriod,
			PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), AmountCents: 999, Currency: "EUR", Status: status,
			Attempts: 1, Lines: []streaming.InvoiceLine{streaming.PeriodLine(p.Name, p.ID, 999, start, start.AddDate(0, 1, 0))}}
		if status == streaming.InvoicePaid {
			paid := start
			inv.PaidAt = &paid
		} else {
			next := start.Add(24 * time.Hour)
			inv.NextAttemptAt, inv.LastError = &next, "card declined"
		}
		inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreateInvoice(ctx, inv) })
		return inv
	}
	wantNone := func(id string) {
		t.Helper()
		inTx(t, ctx, store, func(tx streaming.CommandTx) error {
			_, err := tx.OpenPeriodInvoiceForUpdate(ctx, id)
			wantCode(t, err, streaming.CodeNotFound, "invoice not found")
			return nil
		})
	}
	period(s, s.CurrentPeriodStart, streaming.InvoicePaid)
	wantNone(s.ID) // paid only
	open := period(s, s.CurrentPeriodEnd, streaming.InvoiceOpen)
	invoiceAt(t, store, s, p.ID, 500, "EUR", streaming.InvoiceOpen, s.CurrentPeriodStart.Add(time.Hour), time.Time{}) // a proration
	period(other, other.CurrentPeriodEnd, streaming.InvoiceOpen)

	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		got, err := tx.OpenPeriodInvoiceForUpdate(ctx, s.ID)
		if err != nil {
			return err
		}
		want := *open
		want.CreatedAt = got.CreatedAt // the database's clock
		if diff := gocmp.Diff(want, *got); diff != "" {
			t.Errorf("open period invoice (-stored +read):\n%s", diff)
		}
		// Locked until this transaction ends: another cannot take the row.
		_, err = pool.Exec(ctx, `SELECT 1 FROM invoices WHERE id = $1 FOR UPDATE NOWAIT`, open.ID)
		if err == nil {
			t.Error("the open invoice is not locked")
		}
		return nil
	})
	if _, err := pool.Exec(ctx, `SELECT 1 FROM invoices WHERE id = $1 FOR UPDATE NOWAIT`, open.ID); err != nil {
		t.Fatalf("still locked after commit: %v", err)
	}
	// Once paid, nothing is open; a malformed id is not found without aborting the transaction.
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		paid := *open
		paidAt := paid.PeriodStart.Add(time.Hour)
		paid.Status, paid.PaidAt, paid.NextAttemptAt = streaming.InvoicePaid, &paidAt, nil
		return tx.UpdateInvoice(ctx, &paid)
	})
	wantNone(s.ID)
	wantNone("not-a-uuid")
}
