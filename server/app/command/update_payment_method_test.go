package command_test

import (
	"strings"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/streaming"
)

type updatePaymentTx struct {
	*fakeSubscriptions
	*fakeInvoices
	*fakeOutbox
}

// TestUpdatePaymentMethod: the new method and token replace the old ones for an active or past-due subscription,
// and a past-due one's open renewal invoice becomes due now (the worker's next pass charges it); a subscription that
// ended, or another user's, is refused as the other subscription commands refuse it; a renewal charge in flight
// holds the change off (its resend must carry the token it was sent with).
func TestUpdatePaymentMethod(t *testing.T) {
	retryAt := at.Add(20 * time.Hour) // the retry schedule's next attempt
	open := func(charging int32) func(string) (*streaming.Invoice, error) {
		return func(string) (*streaming.Invoice, error) {
			return &streaming.Invoice{ID: "i1", SubscriptionID: "s1", Kind: streaming.InvoicePeriod, Status: streaming.InvoiceOpen,
				PeriodStart: periodStart, PeriodEnd: periodEnd, Attempts: 1, Charging: charging, NextAttemptAt: &retryAt,
				LastError: "card declined"}, nil
		}
	}
	none := func(string) (*streaming.Invoice, error) { return nil, notFound("invoice") }
	cases := []struct {
		name      string
		userID    string
		status    string // of the locked subscription; "" for a test's own forUpdate
		forUpdate func(id string) (*streaming.Subscription, error)
		invoice   func(string) (*streaming.Invoice, error)
		code      streaming.Code
		message   string
		dueNow    bool // the open invoice is made due at the command's time
	}{
		{name: "active", userID: "u1", status: streaming.SubscriptionActive, invoice: none},
		{name: "active with its renewal invoiced and not charged yet", userID: "u1", status: streaming.SubscriptionActive,
			invoice: open(0)},
		{name: "past due: the open invoice is due now", userID: "u1", status: streaming.SubscriptionPastDue,
			invoice: open(0), dueNow: true},
		{name: "past due without an open invoice", userID: "u1", status: streaming.SubscriptionPastDue, invoice: none},
		{name: "canceled", userID: "u1", status: streaming.SubscriptionCanceled,
			code: streaming.CodePrecondition, message: "subscription is canceled, not active"},
		{name: "expired", userID: "u1", status: streaming.SubscriptionExpired,
			code: streaming.CodePrecondition, message: "subscription is expired, not active"},
		{name: "another user's subscription is not found", userID: "u2", status: streaming.SubscriptionActive,
			code: streaming.CodeNotFound, message: "subscription not found"},
		{name: "unknown subscription", userID: "u1",
			forUpdate: func(string) (*streaming.Subscription, error) { return nil, notFound("subscription") },
			code:      streaming.CodeNotFound, message: "subscription not found"},
		{name: "a renewal charge in flight", userID: "u1", status: streaming.SubscriptionPastDue, invoice: open(2),
			code: streaming.CodeBusy, message: "a renewal charge with the current payment method is in progress: try again in a minute"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forUpdate := tc.forUpdate
			if forUpdate == nil {
				forUpdate = func(string) (*streaming.Subscription, error) { return lockedSubscription(tc.status), nil }
			}
			var updated *streaming.Subscription
			var savedInvoice *streaming.Invoice
			saved := map[string]string{}
			out := &fakeOutbox{}
			inv := &fakeInvoices{openPeriod: tc.invoice,
				update:    func(inv *streaming.Invoice) error { c := *inv; savedInvoice = &c; return nil },
				saveToken: func(id, token string) error { saved[id] = token; return nil }}
			uow := &fakeUoW[command.UpdatePaymentMethodTx]{tx: updatePaymentTx{subscriptionsFake(t, forUpdate, &updated, nil), inv, out}}
			s, err := command.UpdatePaymentMethodHandler{Tx: uow, Now: clock}.Handle(t.Context(), command.UpdatePaymentMethod{
				UserID: tc.userID, SubscriptionID: "s1", PaymentMethod: streaming.PaymentPayPal, PaymentToken: "tok_visa"})
			wantErr(t, err, tc.code, tc.message)
			if tc.code != "" {
				if s != nil || updated != nil || savedInvoice != nil || len(saved) != 0 || len(out.events) != 0 {
					t.Fatalf("refused update returned %+v, wrote %+v, invoice %+v, tokens %v, events %+v",
						s, updated, savedInvoice, saved, out.events)
				}
				if tc.code == streaming.CodeBusy && streaming.AsError(err).RetryAfter != time.Minute {
					t.Fatalf("retry hint %v, want 1m", streaming.AsError(err).RetryAfter)
				}
				return
			}
			if s != updated || s.PaymentMethod != streaming.PaymentPayPal || s.Status != tc.status || s.Version != 3 ||
				s.PlanID != "p1" || !s.CurrentPeriodEnd.Equal(periodEnd) {
				t.Fatalf("updated = %+v", s)
			}
			if len(saved) != 1 || saved["s1"] != "tok_visa" {
				t.Fatalf("saved tokens %v, want s1: tok_visa", saved)
			}
			switch {
			case tc.dueNow && (savedInvoice == nil || savedInvoice.ID != "i1" || savedInvoice.NextAttemptAt == nil ||
				!savedInvoice.NextAttemptAt.Equal(at) || savedInvoice.Status != streaming.InvoiceOpen ||
				savedInvoice.Attempts != 1 || savedInvoice.Charging != 0):
				t.Fatalf("invoice = %+v, want open i1 due at %s, attempts unchanged", savedInvoice, at)
			case !tc.dueNow && savedInvoice != nil:
				t.Fatalf("invoice written: %+v", savedInvoice)
			}
			pl := wantEvent[streaming.SubscriptionPayload](t, out.events, streaming.AggregateSubscription, "s1", 3,
				streaming.EventSubscriptionPaymentMethodUpdated)
			if pl.PaymentMethod != streaming.PaymentPayPal || pl.Status != tc.status {
				t.Fatalf("payload = %+v", pl)
			}
			if got := string(out.events[0].Payload); strings.Contains(got, "tok_visa") {
				t.Fatalf("the payload publishes the token: %s", got)
			}
		})
	}
	t.Run("store fails on update", func(t *testing.T) {
		var updated *streaming.Subscription
		out := &fakeOutbox{}
		inv := &fakeInvoices{openPeriod: none, saveToken: func(string, string) error { return nil }}
		uow := &fakeUoW[command.UpdatePaymentMethodTx]{tx: updatePaymentTx{subscriptionsFake(t, nil, &updated, errStore), inv, out}}
		_, err := command.UpdatePaymentMethodHandler{Tx: uow, Now: clock}.Handle(t.Context(), command.UpdatePaymentMethod{
			UserID: "u1", SubscriptionID: "s1", PaymentMethod: streaming.PaymentCard, PaymentToken: "tok_visa"})
		wantErr(t, err, streaming.CodeUnavailable, "")
		if len(out.events) != 0 {
			t.Fatalf("events after a failed update: %+v", out.events)
		}
	})
}
