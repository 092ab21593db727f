package billing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/billing"
	"github.com/streamingplatform/streaming/server/streaming"
)

// The worker's decisions over small fakes of our ports (the store's SQL is tested against PostgreSQL in
// worker_test.go). The embedded interfaces are nil: a method the worker should not touch panics.

type fakeTx struct {
	streaming.Subscriptions
	streaming.Plans
	streaming.Payments
	streaming.Invoices
	streaming.Outbox
	w *world
}

// world is what the fake store holds between transactions.
type world struct {
	sub      streaming.Subscription
	invoices map[string]*streaming.Invoice
	dueErr   error
	conflict bool // CreateInvoice answers that another worker invoiced the period
	events   []string
	payments int
}

type fakeUoW struct{ w *world }

func (u fakeUoW) InTx(_ context.Context, fn func(tx billing.Tx) error) error {
	return fn(&fakeTx{w: u.w})
}

func (f *fakeTx) DueSubscriptions(_ context.Context, now time.Time, _ int) ([]streaming.Subscription, error) {
	if f.w.dueErr != nil {
		return nil, f.w.dueErr
	}
	if f.w.sub.Status != streaming.SubscriptionActive || f.w.sub.CurrentPeriodEnd.After(now) {
		return nil, nil
	}
	for _, inv := range f.w.invoices {
		if inv.PeriodStart.Equal(f.w.sub.CurrentPeriodEnd) {
			return nil, nil
		}
	}
	return []streaming.Subscription{f.w.sub}, nil
}

func (f *fakeTx) DueInvoices(_ context.Context, now time.Time, _ int) ([]streaming.Invoice, error) {
	var out []streaming.Invoice
	for _, inv := range f.w.invoices {
		if inv.Status == streaming.InvoiceOpen && inv.NextAttemptAt != nil && !inv.NextAttemptAt.After(now) {
			out = append(out, *inv)
		}
	}
	return out, nil
}

func (f *fakeTx) PlanByID(_ context.Context, id string) (*streaming.Plan, error) {
	return &streaming.Plan{ID: id, Name: "Basic"}, nil
}
func (f *fakeTx) SubscriptionCredit(context.Context, string) (int64, error) { return 0, nil }
func (f *fakeTx) PaymentToken(context.Context, string) (string, error)      { return "tok_visa", nil }

func (f *fakeTx) CreateInvoice(_ context.Context, inv *streaming.Invoice) error {
	if f.w.conflict {
		return streaming.Errorf(streaming.CodeConflict, "the subscription's period is invoiced already")
	}
	inv.ID = "inv-" + inv.PeriodStart.Format(time.DateOnly)
	c := *inv
	f.w.invoices[inv.ID] = &c
	return nil
}

func (f *fakeTx) InvoiceForUpdate(_ context.Context, id string) (*streaming.Invoice, error) {
	c := *f.w.invoices[id]
	return &c, nil
}

func (f *fakeTx) UpdateInvoice(_ context.Context, inv *streaming.Invoice) error {
	c := *inv
	f.w.invoices[inv.ID] = &c
	return nil
}

func (f *fakeTx) SubscriptionForUpdate(context.Context, string) (*streaming.Subscription, error) {
	s := f.w.sub
	return &s, nil
}

func (f *fakeTx) UpdateSubscription(_ context.Context, s *streaming.Subscription) error {
	s.Version++
	f.w.sub = *s
	return nil
}

func (f *fakeTx) CreatePayment(context.Context, *streaming.Payment) error { f.w.payments++; return nil }

func (f *fakeTx) AppendEvent(_ context.Context, e streaming.Event) error {
	f.w.events = append(f.w.events, e.Type)
	return nil
}

type fakeProcessor func(c streaming.Charge) (streaming.ChargeResult, error)

func (p fakeProcessor) Charge(_ context.Context, c streaming.Charge) (streaming.ChargeResult, error) {
	return p(c)
}

func TestWorkerDecisions(t *testing.T) {
	start := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	newWorld := func() *world {
		s := streaming.Subscription{ID: "s1", UserID: "u1", PlanID: "p1", Status: streaming.SubscriptionActive, StartDate: start,
			PriceCents: 999, Currency: "EUR", PaymentMethod: streaming.PaymentCard, Version: 1}
		s.StartPeriod()
		return &world{sub: s, invoices: map[string]*streaming.Invoice{}}
	}
	due := time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC)
	worker := func(w *world, now *time.Time, p fakeProcessor) *billing.Worker {
		return &billing.Worker{Tx: fakeUoW{w}, Processor: p, Now: func() time.Time { return *now },
			Policy: streaming.RetryPolicy{Retries: []time.Duration{24 * time.Hour}, Grace: 48 * time.Hour}}
	}
	approve := func(streaming.Charge) (streaming.ChargeResult, error) {
		return streaming.ChargeResult{Approved: true, Reference: "ch"}, nil
	}

	t.Run("a store failure ends the pass with its error", func(t *testing.T) {
		w := newWorld()
		w.dueErr = streaming.Unavailable("PostgreSQL", nil)
		now := due
		if _, err := worker(w, &now, approve).RunOnce(t.Context()); streaming.ErrorCode(err) != streaming.CodeUnavailable {
			t.Fatalf("RunOnce = %v", err)
		}
	})
	t.Run("a period another worker invoiced is skipped", func(t *testing.T) {
		w := newWorld()
		w.conflict = true
		now := due
		st, err := worker(w, &now, approve).RunOnce(t.Context())
		if err != nil || st.Invoiced != 0 || st.Charged != 0 || len(w.events) != 0 {
			t.Fatalf("RunOnce = %+v, %v; events %v", st, err, w.events)
		}
	})
	t.Run("a lost answer keeps the claim until its lease ends, then the same attempt is resent", func(t *testing.T) {
		w := newWorld()
		now := due
		var keys []string
		fail := true
		p := fakeProcessor(func(c streaming.Charge) (streaming.ChargeResult, error) {
			keys = append(keys, c.IdempotencyKey)
			if fail {
				return streaming.ChargeResult{}, errors.New("timeout")
			}
			return approve(c)
		})
		wk := worker(w, &now, p)
		st, err := wk.RunOnce(t.Context())
		inv := w.invoices["inv-2026-02-10"]
		if err != nil || st.Charged != 1 || inv.Status != streaming.InvoiceOpen || inv.Charging != 1 ||
			!inv.NextAttemptAt.Equal(due.Add(5*time.Minute)) || w.sub.Status != streaming.SubscriptionActive {
			t.Fatalf("RunOnce = %+v, %v; invoice %+v", st, err, inv)
		}
		fail, now = false, due.Add(5*time.Minute)
		if st, err := wk.RunOnce(t.Context()); err != nil || st.Renewed != 1 || len(keys) != 2 || keys[0] != keys[1] ||
			keys[0] != billing.RenewalKey("s1", due, 1) {
			t.Fatalf("resent: %+v, %v; keys %v", st, err, keys)
		}
		if inv := w.invoices["inv-2026-02-10"]; inv.Status != streaming.InvoicePaid || inv.Attempts != 1 || w.payments != 1 {
			t.Fatalf("invoice %+v, payments %d", inv, w.payments)
		}
	})
	t.Run("an approved charge of an invoice voided meanwhile changes nothing", func(t *testing.T) {
		w := newWorld()
		now := due
		p := fakeProcessor(func(c streaming.Charge) (streaming.ChargeResult, error) {
			// The user cancels the subscription while the charge is in flight.
			for _, inv := range w.invoices {
				inv.Status, inv.NextAttemptAt = streaming.InvoiceVoid, nil
			}
			w.sub.Status = streaming.SubscriptionCanceled
			return approve(c)
		})
		st, err := worker(w, &now, p).RunOnce(t.Context())
		if err != nil || st.Charged != 1 || st.Renewed != 0 || w.payments != 0 || len(w.events) != 0 {
			t.Fatalf("RunOnce = %+v, %v; payments %d, events %v", st, err, w.payments, w.events)
		}
	})
	t.Run("no retry fits in the grace period: the first decline expires at its end", func(t *testing.T) {
		w := newWorld()
		now := due
		decline := fakeProcessor(func(streaming.Charge) (streaming.ChargeResult, error) {
			return streaming.ChargeResult{Reason: "card declined"}, nil
		})
		wk := worker(w, &now, decline)
		wk.Policy = streaming.RetryPolicy{Grace: 12 * time.Hour}
		if st, err := wk.RunOnce(t.Context()); err != nil || st.PastDue != 1 {
			t.Fatalf("first decline: %+v, %v", st, err)
		}
		now = due.Add(12 * time.Hour)
		if st, err := wk.RunOnce(t.Context()); err != nil || st.Expired != 1 || st.Charged != 0 {
			t.Fatalf("end of grace: %+v, %v", st, err)
		}
		if w.sub.Status != streaming.SubscriptionExpired || w.invoices["inv-2026-02-10"].Status != streaming.InvoiceUncollectible {
			t.Fatalf("%+v", w.sub)
		}
	})
}
