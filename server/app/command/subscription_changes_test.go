package command_test

import (
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/streaming"
)

type cancelTx struct {
	*fakeSubscriptions
	*fakeInvoices
	*fakeOutbox
}

type changePlanTx struct {
	*fakeSubscriptions
	*fakePlans
	*fakePayments
	*fakeInvoices
	*fakeOutbox
}

// The locked subscription's period: 30 days, 14 of them left at the fakes' clock (at).
var (
	periodStart = time.Date(2026, 4, 20, 7, 8, 9, 0, time.UTC)
	periodEnd   = time.Date(2026, 5, 20, 7, 8, 9, 0, time.UTC)
)

// lockedSubscription is u1's subscription s1 on plan p1 with status, as SubscriptionForUpdate returns it.
func lockedSubscription(status string) *streaming.Subscription {
	return &streaming.Subscription{ID: "s1", UserID: "u1", PlanID: "p1", Status: status, StartDate: periodStart.AddDate(0, -1, 0),
		PriceCents: 999, Currency: "EUR", PaymentMethod: streaming.PaymentCard, Version: 2,
		CurrentPeriodStart: periodStart, CurrentPeriodEnd: periodEnd}
}

// subscriptionCases are the ownership and state checks both commands share.
var subscriptionCases = []struct {
	name      string
	userID    string
	forUpdate func(id string) (*streaming.Subscription, error)
	code      streaming.Code
	message   string
}{
	{name: "unknown subscription", userID: "u1",
		forUpdate: func(string) (*streaming.Subscription, error) { return nil, notFound("subscription") },
		code:      streaming.CodeNotFound, message: "subscription not found"},
	{name: "another user's subscription is not found", userID: "u2",
		code: streaming.CodeNotFound, message: "subscription not found"},
	{name: "canceled", userID: "u1",
		forUpdate: func(string) (*streaming.Subscription, error) {
			return lockedSubscription(streaming.SubscriptionCanceled), nil
		},
		code: streaming.CodePrecondition, message: "subscription is canceled, not active"},
	{name: "expired", userID: "u1",
		forUpdate: func(string) (*streaming.Subscription, error) {
			return lockedSubscription(streaming.SubscriptionExpired), nil
		},
		code: streaming.CodePrecondition, message: "subscription is expired, not active"},
}

func subscriptionsFake(t *testing.T, forUpdate func(string) (*streaming.Subscription, error), updated **streaming.Subscription, updateErr error) *fakeSubscriptions {
	return &fakeSubscriptions{
		subscriptionForUpdate: func(id string) (*streaming.Subscription, error) {
			if id != "s1" {
				t.Errorf("locked subscription %q, want s1", id)
			}
			if forUpdate != nil {
				return forUpdate(id)
			}
			return lockedSubscription(streaming.SubscriptionActive), nil
		},
		updateSubscription: func(s *streaming.Subscription) error {
			*updated = s
			if updateErr != nil {
				return updateErr
			}
			s.Version++
			return nil
		},
	}
}

// TestCancelSubscription: a cancellation takes effect at the end of the period, keeping the reason (it used to end
// the subscription at once); a past-due subscription, whose period is not paid for, ends at once.
func TestCancelSubscription(t *testing.T) {
	cases := append([]struct {
		name      string
		userID    string
		forUpdate func(id string) (*streaming.Subscription, error)
		code      streaming.Code
		message   string
	}{{name: "cancels at period end", userID: "u1"},
		{name: "already canceled at period end", userID: "u1", forUpdate: func(string) (*streaming.Subscription, error) {
			s := lockedSubscription(streaming.SubscriptionActive)
			s.CancelAtPeriodEnd = true
			return s, nil
		}, code: streaming.CodePrecondition, message: "subscription is already canceled at the end of its period"},
	}, subscriptionCases...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var updated *streaming.Subscription
			out := &fakeOutbox{}
			uow := &fakeUoW[command.CancelSubscriptionTx]{tx: cancelTx{subscriptionsFake(t, tc.forUpdate, &updated, nil), &fakeInvoices{}, out}}
			s, err := command.CancelSubscriptionHandler{Tx: uow, Now: clock}.Handle(t.Context(),
				command.CancelSubscription{UserID: tc.userID, SubscriptionID: "s1", Reason: "too expensive"})
			wantErr(t, err, tc.code, tc.message)
			if tc.code != "" {
				if s != nil || updated != nil || len(out.events) != 0 {
					t.Fatalf("failed cancel returned %+v, wrote %+v, events %+v", s, updated, out.events)
				}
				return
			}
			if s != updated || s.Status != streaming.SubscriptionActive || s.EndDate != nil || !s.CancelAtPeriodEnd ||
				s.CancelReason != "too expensive" || s.Version != 3 || s.PlanID != "p1" || !s.CurrentPeriodEnd.Equal(periodEnd) {
				t.Fatalf("canceled = %+v", s)
			}
			pl := wantEvent[streaming.SubscriptionPayload](t, out.events, streaming.AggregateSubscription, "s1", 3,
				streaming.EventSubscriptionCanceled)
			if pl.Status != streaming.SubscriptionActive || !pl.CancelAtPeriodEnd || pl.CancelReason != "too expensive" ||
				!pl.CurrentPeriodEnd.Equal(periodEnd) || pl.EndDate != nil {
				t.Fatalf("payload = %+v", pl)
			}
		})
	}
	t.Run("a past-due subscription ends now and owes nothing more", func(t *testing.T) {
		var updated *streaming.Subscription
		var voided []string
		out := &fakeOutbox{}
		subs := subscriptionsFake(t, func(string) (*streaming.Subscription, error) {
			return lockedSubscription(streaming.SubscriptionPastDue), nil
		}, &updated, nil)
		inv := &fakeInvoices{voidOpen: func(id string) error { voided = append(voided, id); return nil }}
		s, err := command.CancelSubscriptionHandler{Tx: &fakeUoW[command.CancelSubscriptionTx]{tx: cancelTx{subs, inv, out}},
			Now: clock}.Handle(t.Context(), command.CancelSubscription{UserID: "u1", SubscriptionID: "s1", Reason: "card lost"})
		if err != nil || s.Status != streaming.SubscriptionCanceled || s.EndDate == nil || !s.EndDate.Equal(at) ||
			s.CancelReason != "card lost" || len(voided) != 1 || voided[0] != "s1" {
			t.Fatalf("canceled = %+v, %v; voided %v", s, err, voided)
		}
		wantEvent[streaming.SubscriptionPayload](t, out.events, streaming.AggregateSubscription, "s1", 3,
			streaming.EventSubscriptionCanceled)
	})
	t.Run("store fails on update", func(t *testing.T) {
		var updated *streaming.Subscription
		out := &fakeOutbox{}
		uow := &fakeUoW[command.CancelSubscriptionTx]{tx: cancelTx{subscriptionsFake(t, nil, &updated, errStore), &fakeInvoices{}, out}}
		_, err := command.CancelSubscriptionHandler{Tx: uow, Now: clock}.Handle(t.Context(),
			command.CancelSubscription{UserID: "u1", SubscriptionID: "s1"})
		wantErr(t, err, streaming.CodeUnavailable, "")
		if len(out.events) != 0 {
			t.Fatalf("events after a failed update: %+v", out.events)
		}
	})
}

// changeWorld is the state one ChangeSubscriptionPlan test runs against, and what the command did to it.
type changeWorld struct {
	invoices map[string]*streaming.Invoice
	order    []string
	credit   int64
	charges  []streaming.Charge
	payments []streaming.Payment
}

func (w *changeWorld) repo() *fakeInvoices {
	w.invoices = map[string]*streaming.Invoice{}
	return &fakeInvoices{
		create: func(inv *streaming.Invoice) error {
			c := *inv
			w.invoices[inv.ID], w.order = &c, append(w.order, inv.ID)
			return nil
		},
		forUpdate: func(id string) (*streaming.Invoice, error) {
			c := *w.invoices[id]
			return &c, nil
		},
		update: func(inv *streaming.Invoice) error {
			c := *inv
			w.invoices[inv.ID] = &c
			return nil
		},
		openProration: func(string) (*streaming.Invoice, error) {
			for _, id := range w.order {
				if inv := w.invoices[id]; inv.Kind == streaming.InvoiceProration && inv.Status == streaming.InvoiceOpen {
					c := *inv
					return &c, nil
				}
			}
			return nil, notFound("invoice")
		},
		credit:    func(string) (int64, error) { return w.credit, nil },
		setCredit: func(_ string, cents int64) error { w.credit = cents; return nil },
		token:     func(string) (string, error) { return "tok_visa", nil },
	}
}

// TestChangeSubscriptionPlan: a change of plan is prorated to the day (14 of 30 days left here): an upgrade is
// charged now and refused when declined; a downgrade is credited to the next invoice. A change of currency, which
// the old command allowed, is refused: the difference of two currencies is not a price.
func TestChangeSubscriptionPlan(t *testing.T) {
	plans := map[string]*streaming.Plan{
		"p1": {ID: "p1", Name: "Basic", PriceCents: 999, Currency: "EUR", Available: true},
		"p2": {ID: "p2", Name: "Premium", PriceCents: 1999, Currency: "EUR", Available: true},
		"p3": {ID: "p3", PriceCents: 500, Currency: "EUR"},
		"p4": {ID: "p4", Name: "Mini", PriceCents: 500, Currency: "EUR", Available: true},
		"p5": {ID: "p5", Name: "Dollar", PriceCents: 1999, Currency: "USD", Available: true},
		"p6": {ID: "p6", Name: "Same", PriceCents: 999, Currency: "EUR", Available: true},
	}
	approve := func(streaming.Charge) (streaming.ChargeResult, error) {
		return streaming.ChargeResult{Approved: true, Reference: "ch_9"}, nil
	}
	decline := func(streaming.Charge) (streaming.ChargeResult, error) {
		return streaming.ChargeResult{Reason: "card declined", Reference: "ch_x"}, nil
	}
	type tcase struct {
		name      string
		userID    string
		planID    string
		forUpdate func(id string) (*streaming.Subscription, error)
		charge    func(streaming.Charge) (streaming.ChargeResult, error)
		code      streaming.Code
		message   string
	}
	cases := []tcase{
		{name: "upgrade", userID: "u1", planID: "p2", charge: approve},
		{name: "downgrade", userID: "u1", planID: "p4"},
		{name: "same price", userID: "u1", planID: "p6"},
		{name: "declined upgrade is refused", userID: "u1", planID: "p2", charge: decline,
			code: streaming.CodePrecondition, message: "payment declined: card declined"},
		{name: "same plan", userID: "u1", planID: "p1", code: streaming.CodePrecondition,
			message: "subscription is already on plan p1"},
		{name: "unavailable plan", userID: "u1", planID: "p3", code: streaming.CodePrecondition,
			message: "plan p3 is not available"},
		{name: "another currency", userID: "u1", planID: "p5", code: streaming.CodePrecondition,
			message: "plan p5 is priced in USD, the subscription in EUR"},
		{name: "unknown plan", userID: "u1", planID: "p9", code: streaming.CodeNotFound, message: "plan not found"},
		{name: "period ended, not renewed yet", userID: "u1", planID: "p2", forUpdate: func(string) (*streaming.Subscription, error) {
			s := lockedSubscription(streaming.SubscriptionActive)
			s.CurrentPeriodStart, s.CurrentPeriodEnd = periodStart.AddDate(0, -1, 0), at
			return s, nil
		}, code: streaming.CodeBusy, message: "the subscription's period has ended and is being renewed: try again in a minute"},
		{name: "past due", userID: "u1", planID: "p2", forUpdate: func(string) (*streaming.Subscription, error) {
			return lockedSubscription(streaming.SubscriptionPastDue), nil
		}, code: streaming.CodePrecondition, message: "subscription is past_due, not active"},
	}
	for _, c := range subscriptionCases {
		cases = append(cases, tcase{name: c.name, userID: c.userID, planID: "p2", forUpdate: c.forUpdate, code: c.code,
			message: c.message})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var updated *streaming.Subscription
			out := &fakeOutbox{}
			w := &changeWorld{}
			fp := &fakePlans{planByID: func(id string) (*streaming.Plan, error) {
				if p, ok := plans[id]; ok {
					return p, nil
				}
				return nil, notFound("plan")
			}}
			pays := &fakePayments{createPayment: func(p *streaming.Payment) error { w.payments = append(w.payments, *p); return nil }}
			uow := &fakeUoW[command.ChangeSubscriptionPlanTx]{tx: changePlanTx{subscriptionsFake(t, tc.forUpdate, &updated, nil), fp,
				pays, w.repo(), out}}
			h := command.ChangeSubscriptionPlanHandler{Tx: uow, Now: clock, Processor: &fakeProcessor{charge: func(c streaming.Charge) (streaming.ChargeResult, error) {
				w.charges = append(w.charges, c)
				return tc.charge(c)
			}}}
			res, err := h.Handle(t.Context(), command.ChangeSubscriptionPlan{UserID: tc.userID, SubscriptionID: "s1", PlanID: tc.planID})
			wantErr(t, err, tc.code, tc.message)
			if tc.code != "" {
				if res != nil || updated != nil || len(out.events) != 0 || len(w.payments) != 0 || w.credit != 0 {
					t.Fatalf("failed change returned %+v, wrote %+v, events %+v, payments %+v", res, updated, out.events, w.payments)
				}
				if tc.charge != nil { // declined: the invoice is withdrawn
					inv := w.invoices[w.order[0]]
					if len(w.charges) != 1 || inv.Status != streaming.InvoiceVoid || inv.LastError != "card declined" || inv.Charging != 0 {
						t.Fatalf("declined: charges %+v, invoice %+v", w.charges, inv)
					}
				}
				return
			}
			s := res.Subscription
			plan := plans[tc.planID]
			if s != updated || s.PlanID != plan.ID || s.PriceCents != plan.PriceCents || s.Status != streaming.SubscriptionActive ||
				s.Version != 3 || !s.CurrentPeriodEnd.Equal(periodEnd) {
				t.Fatalf("changed = %+v", s)
			}
			pl := wantEvent[streaming.SubscriptionPayload](t, out.events, streaming.AggregateSubscription, "s1", 3,
				streaming.EventSubscriptionPlanChanged)
			if pl.PlanID != plan.ID || pl.MonthlyPrice != streaming.FormatCents(plan.PriceCents) {
				t.Fatalf("payload = %+v", pl)
			}
			inv := res.Proration
			switch tc.name {
			case "upgrade":
				// 10.00 more a month × 14/30 = 4.666… → 4.67, charged now.
				if inv == nil || inv.AmountCents != 467 || inv.Status != streaming.InvoicePaid || inv.Kind != streaming.InvoiceProration ||
					inv.PaidAt == nil || inv.Charging != 0 || len(inv.Lines) != 1 || inv.Lines[0].AmountCents != 467 ||
					!inv.PeriodEnd.Equal(periodEnd) || inv.PlanID != "p2" {
					t.Fatalf("proration = %+v", inv)
				}
				if len(w.charges) != 1 || w.charges[0] != (streaming.Charge{IdempotencyKey: command.ProrationKey(inv.ID, 1), UserID: "u1",
					AmountCents: 467, Currency: "EUR", Method: streaming.PaymentCard, Token: "tok_visa"}) {
					t.Fatalf("charges = %+v", w.charges)
				}
				if len(w.payments) != 1 || w.payments[0].AmountCents != 467 || w.payments[0].ProcessorRef != "ch_9" {
					t.Fatalf("payments = %+v", w.payments)
				}
			case "downgrade":
				// 4.99 less a month × 14/30 = 2.328… → 2.33 credited to the next invoice, nothing charged.
				if inv == nil || inv.AmountCents != 0 || inv.Status != streaming.InvoiceVoid || len(inv.Lines) != 1 ||
					inv.Lines[0].AmountCents != -233 || w.credit != 233 || len(w.charges) != 0 || len(w.payments) != 0 {
					t.Fatalf("proration = %+v, credit %d, charges %+v", inv, w.credit, w.charges)
				}
			case "same price":
				if inv != nil || len(w.invoices) != 0 || len(w.charges) != 0 {
					t.Fatalf("proration = %+v, invoices %v", inv, w.invoices)
				}
			}
		})
	}
	t.Run("an upgrade left open by a crash is resumed by the same change, with the same key", func(t *testing.T) {
		var updated *streaming.Subscription
		w := &changeWorld{}
		repo := w.repo()
		open := &streaming.Invoice{ID: "inv-open", SubscriptionID: "s1", UserID: "u1", PlanID: "p2", Kind: streaming.InvoiceProration,
			Status: streaming.InvoiceOpen, AmountCents: 467, Currency: "EUR", Attempts: 1, Charging: 1}
		_ = repo.create(open)
		pays := &fakePayments{createPayment: func(p *streaming.Payment) error { w.payments = append(w.payments, *p); return nil }}
		fp := &fakePlans{planByID: func(id string) (*streaming.Plan, error) { return plans[id], nil }}
		uow := &fakeUoW[command.ChangeSubscriptionPlanTx]{tx: changePlanTx{subscriptionsFake(t, nil, &updated, nil), fp, pays, repo, &fakeOutbox{}}}
		h := command.ChangeSubscriptionPlanHandler{Tx: uow, Now: clock, Processor: &fakeProcessor{charge: func(c streaming.Charge) (streaming.ChargeResult, error) {
			w.charges = append(w.charges, c)
			return approve(c)
		}}}
		if _, err := h.Handle(t.Context(), command.ChangeSubscriptionPlan{UserID: "u1", SubscriptionID: "s1", PlanID: "p4"}); streaming.ErrorCode(err) != streaming.CodePrecondition {
			t.Fatalf("another change while one is charged: %v", err)
		}
		res, err := h.Handle(t.Context(), command.ChangeSubscriptionPlan{UserID: "u1", SubscriptionID: "s1", PlanID: "p2"})
		if err != nil || res.Proration.ID != "inv-open" || res.Proration.Status != streaming.InvoicePaid || res.Subscription.PlanID != "p2" {
			t.Fatalf("resume = %+v, %v", res, err)
		}
		if len(w.charges) != 1 || w.charges[0].IdempotencyKey != command.ProrationKey("inv-open", 1) || w.charges[0].AmountCents != 467 {
			t.Fatalf("charges = %+v", w.charges)
		}
	})
}
