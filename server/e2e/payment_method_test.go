package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/storetest"
)

// TestUpdatePaymentMethodEndToEnd: a renewal declined with the card on file leaves the subscription PAST_DUE; the
// user gives a card that works (UpdatePaymentMethod, over REST), and the renewal worker's next pass charges the open
// invoice with it, without waiting for the retry schedule: ACTIVE again, the invoice PAID, the read models following.
// A subscription that ended cannot change its payment method, and nobody changes another user's.
func TestUpdatePaymentMethodEndToEnd(t *testing.T) {
	e := server(t)
	owner, quitter, other := newUser(t, e), newUser(t, e), newUser(t, e)
	_, sub := subscribeE2E(t, e, owner, "9.99")
	_, gone := subscribeE2E(t, e, quitter, "9.99")
	update := func(u user, userID, subID string, method pb.PaymentMethod, token string) (*pb.Subscription, error) {
		res, err := e.cmd.UpdatePaymentMethod(as(t, u.token), &pb.UpdatePaymentMethodRequest{UserId: userID,
			SubscriptionId: subID, PaymentMethod: method, PaymentToken: token})
		return res.GetSubscription(), err
	}
	// The cards on file stop working before the renewal. Nothing is charged by the change itself.
	for _, c := range []struct {
		u   user
		sub *pb.Subscription
	}{{owner, sub}, {quitter, gone}} {
		s, err := update(c.u, c.u.id, c.sub.GetId(), pb.PaymentMethod_PAYMENT_METHOD_CARD, "tok_decline")
		if err != nil || s.GetStatus() != pb.SubscriptionStatus_SUBSCRIPTION_STATUS_ACTIVE || s.GetId() != c.sub.GetId() {
			t.Fatalf("update an active subscription: %v, %v", s, err)
		}
	}
	_, err := update(owner, owner.id, sub.GetId(), pb.PaymentMethod_PAYMENT_METHOD_CARD, "")
	wantCode(t, err, codes.InvalidArgument)
	_, err = update(owner, owner.id, sub.GetId(), pb.PaymentMethod_PAYMENT_METHOD_UNSPECIFIED, "tok_visa")
	wantCode(t, err, codes.InvalidArgument)

	now := sub.GetCurrentPeriodEnd().AsTime()
	if end := gone.GetCurrentPeriodEnd().AsTime(); end.After(now) {
		now = end
	}
	now = now.Add(time.Minute)
	w := e2eWorker(e, func() time.Time { return now })
	run := func() {
		t.Helper()
		if _, err := w.RunOnce(storetest.Context(t, time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	run()
	listed := func(u user, subID string) *pb.Subscription { return listedSubscription(t, e, u, subID) }
	eventually(t, "past due in the read model", func() string {
		if s := listed(owner, sub.GetId()); s.GetStatus() != pb.SubscriptionStatus_SUBSCRIPTION_STATUS_PAST_DUE {
			return s.GetStatus().String()
		}
		return ""
	})
	invs := listInvoices(t, e, owner, 10, "").GetInvoices()
	if len(invs) != 2 || invs[0].GetStatus() != pb.InvoiceStatus_INVOICE_STATUS_OPEN || invs[0].GetAttempts() != 1 {
		t.Fatalf("declined renewal's invoices: %v", invs)
	}

	// Another user cannot touch it, through their own user_id or the owner's.
	_, err = update(other, other.id, sub.GetId(), pb.PaymentMethod_PAYMENT_METHOD_CARD, "tok_visa")
	wantCode(t, err, codes.NotFound)
	_, err = update(other, owner.id, sub.GetId(), pb.PaymentMethod_PAYMENT_METHOD_CARD, "tok_visa")
	wantCode(t, err, codes.PermissionDenied)

	// The profile says so too: an app shows "past due" from it.
	profile := func(want pb.SubscriptionStatus, endAfter time.Time) func() string {
		return func() string {
			prof, err := e.query.GetUserProfile(as(t, owner.token), &pb.GetUserProfileRequest{UserId: owner.id})
			a := prof.GetActiveSubscription()
			if err != nil || a.GetSubscriptionId() != sub.GetId() || a.GetStatus() != want ||
				!a.GetCurrentPeriodEnd().AsTime().After(endAfter) || a.GetCancelAtPeriodEnd() {
				return fmt.Sprintf("%v, %v", prof, err)
			}
			return ""
		}
	}
	eventually(t, "past due in the profile", profile(pb.SubscriptionStatus_SUBSCRIPTION_STATUS_PAST_DUE, sub.GetCurrentPeriodEnd().AsTime()))

	// The owner gives a PayPal account that pays, over REST. The token is not in the answer.
	code, body := rest(t, e, "POST", "/v1/users/"+owner.id+"/subscriptions/"+sub.GetId()+":updatePaymentMethod", owner.token,
		map[string]any{"paymentMethod": "PAYMENT_METHOD_PAYPAL", "paymentToken": "tok_visa"})
	got, _ := body["subscription"].(map[string]any)
	if code != http.StatusOK || got["status"] != "SUBSCRIPTION_STATUS_PAST_DUE" || got["paymentMethod"] != "PAYMENT_METHOD_PAYPAL" ||
		strings.Contains(mustJSON(body), "tok_") {
		t.Fatalf("REST update: %d %v", code, body)
	}
	// The next pass (the clock has not moved: the retry schedule's next attempt is a day away) charges it.
	run()
	invs = listInvoices(t, e, owner, 10, "").GetInvoices()
	if len(invs) != 2 || invs[0].GetStatus() != pb.InvoiceStatus_INVOICE_STATUS_PAID || invs[0].GetAttempts() != 2 ||
		!invs[0].GetPeriodStart().AsTime().Equal(sub.GetCurrentPeriodEnd().AsTime()) {
		t.Fatalf("invoices after the update: %v", invs)
	}
	eventually(t, "active again in the read model", func() string {
		s := listed(owner, sub.GetId())
		if s.GetStatus() != pb.SubscriptionStatus_SUBSCRIPTION_STATUS_ACTIVE || s.GetPaymentMethod() != pb.PaymentMethod_PAYMENT_METHOD_PAYPAL ||
			!s.GetCurrentPeriodStart().AsTime().Equal(sub.GetCurrentPeriodEnd().AsTime()) {
			return fmt.Sprintf("%s, %s, from %s", s.GetStatus(), s.GetPaymentMethod(), s.GetCurrentPeriodStart().AsTime())
		}
		return ""
	})
	eventually(t, "active again in the profile", profile(pb.SubscriptionStatus_SUBSCRIPTION_STATUS_ACTIVE, sub.GetCurrentPeriodEnd().AsTime()))

	// The other one, past due too, is canceled (at once: its period was never paid): it ended, so it has no payment
	// method to change.
	eventually(t, "the other past due", func() string {
		if s := listed(quitter, gone.GetId()); s.GetStatus() != pb.SubscriptionStatus_SUBSCRIPTION_STATUS_PAST_DUE {
			return s.GetStatus().String()
		}
		return ""
	})
	canceled, err := e.cmd.CancelSubscription(as(t, quitter.token), &pb.CancelSubscriptionRequest{UserId: quitter.id, SubscriptionId: gone.GetId()})
	if err != nil || canceled.GetSubscription().GetStatus() != pb.SubscriptionStatus_SUBSCRIPTION_STATUS_CANCELED {
		t.Fatalf("cancel: %v, %v", canceled, err)
	}
	_, err = update(quitter, quitter.id, gone.GetId(), pb.PaymentMethod_PAYMENT_METHOD_CARD, "tok_visa")
	wantCode(t, err, codes.FailedPrecondition)
}
