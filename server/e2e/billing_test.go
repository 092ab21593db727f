package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/billing"
	"github.com/streamingplatform/streaming/server/payment"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Billing over time, end to end: subscriptions made and changed through the API, renewed by a renewal worker on the
// server's PostgreSQL schema with an injected clock (the server's own worker runs on the wall clock and finds nothing
// due), read back through the API and its read models.

// subscribeE2E subscribes u to a new plan at price through the API.
func subscribeE2E(t *testing.T, e *env, u user, price string) (*pb.Plan, *pb.Subscription) {
	t.Helper()
	plan := newPlan(t, e, price)
	res, err := e.cmd.CreateSubscription(as(t, u.token), &pb.CreateSubscriptionRequest{UserId: u.id, PlanId: plan.GetId(),
		PaymentMethod: pb.PaymentMethod_PAYMENT_METHOD_CARD, PaymentToken: "tok_visa", IdempotencyKey: "bill-" + storetest.Unique()})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	return plan, res.GetSubscription()
}

// e2eWorker is a renewal worker over the server's schema, on the clock now.
func e2eWorker(e *env, now func() time.Time) *billing.Worker {
	return &billing.Worker{Tx: streaming.Narrow(postgres.NewCommandStore(e.built.Pool),
		func(tx streaming.CommandTx) billing.Tx { return tx }), Processor: payment.Local{}, Now: now,
		Policy: streaming.RetryPolicy{Retries: []time.Duration{24 * time.Hour, 72 * time.Hour}, Grace: 96 * time.Hour}}
}

func listInvoices(t *testing.T, e *env, u user, size int32, token string) *pb.ListInvoicesResponse {
	t.Helper()
	res, err := e.query.ListInvoices(as(t, u.token), &pb.ListInvoicesRequest{UserId: u.id, PageSize: size, PageToken: token})
	if err != nil {
		t.Fatalf("list invoices: %v", err)
	}
	return res
}

// TestProrationEndToEnd: with 10 of 30 days left, an upgrade from 9.99 to 19.99 is charged 3.33 now and a downgrade
// to 4.99 credits 5.00; the invoices list newest first over gRPC and REST, and the revenue report counts what was
// paid.
func TestProrationEndToEnd(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	basic, sub := subscribeE2E(t, e, u, "9.99")
	premium, mini := newPlan(t, e, "19.99"), newPlan(t, e, "4.99")
	// Move the period so that 10 of its 30 days are left (less a moment: a day begun counts as left).
	if _, err := e.built.Pool.Exec(storetest.Context(t, 10*time.Second), `UPDATE subscriptions
		SET current_period_start = now() - interval '20 days', current_period_end = now() + interval '10 days'
		WHERE id = $1`, sub.GetId()); err != nil {
		t.Fatal(err)
	}
	ctx := as(t, u.token)
	up, err := e.cmd.ChangeSubscriptionPlan(ctx, &pb.ChangeSubscriptionPlanRequest{UserId: u.id, SubscriptionId: sub.GetId(), PlanId: premium.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	pr := up.GetProration()
	if pr.GetAmount() != "3.33" || pr.GetStatus() != pb.InvoiceStatus_INVOICE_STATUS_PAID || len(pr.GetLines()) != 1 ||
		pr.GetLines()[0].GetAmount() != "3.33" || pr.GetPaidTime() == nil || up.GetSubscription().GetMonthlyPrice() != "19.99" {
		t.Fatalf("upgrade: %v", up)
	}
	down, err := e.cmd.ChangeSubscriptionPlan(ctx, &pb.ChangeSubscriptionPlanRequest{UserId: u.id, SubscriptionId: sub.GetId(), PlanId: mini.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	pr = down.GetProration()
	if pr.GetAmount() != "0.00" || pr.GetStatus() != pb.InvoiceStatus_INVOICE_STATUS_VOID || len(pr.GetLines()) != 1 ||
		pr.GetLines()[0].GetAmount() != "-5.00" || down.GetSubscription().GetMonthlyPrice() != "4.99" {
		t.Fatalf("downgrade: %v", down)
	}
	// A change to another currency is refused.
	usd, err := e.cmd.CreatePlan(as(t, adminToken), &pb.CreatePlanRequest{Name: "Plan " + storetest.Unique(), MonthlyPrice: "9.99",
		Currency: "USD", MaxStreams: 1, MaxQuality: pb.VideoQuality_VIDEO_QUALITY_SD, Available: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.cmd.ChangeSubscriptionPlan(ctx, &pb.ChangeSubscriptionPlanRequest{UserId: u.id, SubscriptionId: sub.GetId(), PlanId: usd.GetPlan().GetId()})
	wantCode(t, err, codes.FailedPrecondition)

	// Newest first, two a page: the downgrade's credit, the upgrade, then the first period.
	page1 := listInvoices(t, e, u, 2, "")
	if len(page1.GetInvoices()) != 2 || page1.GetNextPageToken() == "" || page1.GetInvoices()[0].GetId() != down.GetProration().GetId() ||
		page1.GetInvoices()[1].GetId() != up.GetProration().GetId() {
		t.Fatalf("page 1: %v", page1)
	}
	page2 := listInvoices(t, e, u, 2, page1.GetNextPageToken())
	if len(page2.GetInvoices()) != 1 || page2.GetNextPageToken() != "" || page2.GetInvoices()[0].GetAmount() != "9.99" ||
		page2.GetInvoices()[0].GetStatus() != pb.InvoiceStatus_INVOICE_STATUS_PAID {
		t.Fatalf("page 2: %v", page2)
	}
	_, err = e.query.ListInvoices(ctx, &pb.ListInvoicesRequest{UserId: u.id, PageToken: "garbage"})
	wantCode(t, err, codes.InvalidArgument)

	code, body := rest(t, e, "GET", "/v1/users/"+u.id+"/invoices?pageSize=1", u.token, nil)
	invs, _ := body["invoices"].([]any)
	if code != http.StatusOK || len(invs) != 1 || body["nextPageToken"] == "" {
		t.Fatalf("REST invoices: %d %v", code, body)
	}
	if first, _ := invs[0].(map[string]any); first["amount"] != "0.00" || first["status"] != "INVOICE_STATUS_VOID" {
		t.Fatalf("REST invoice: %v", invs[0])
	}

	// The report, as admin, for this month: the first period billed to basic, the upgrade to premium.
	month := time.Now().UTC().Format("2006-01")
	report, err := e.query.GetRevenueReport(as(t, adminToken), &pb.GetRevenueReportRequest{FromMonth: month, ToMonth: month})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]*pb.RevenueRow{}
	for _, r := range report.GetRows() {
		rows[r.GetPlanId()] = r
	}
	if r := rows[basic.GetId()]; r.GetPaidInvoices() != 1 || r.GetRevenue() != "9.99" || r.GetPayingSubscriptions() != 1 || r.GetMonth() != month {
		t.Fatalf("basic's row: %v", r)
	}
	if r := rows[premium.GetId()]; r.GetPaidInvoices() != 1 || r.GetRevenue() != "3.33" || r.GetCurrency() != "EUR" {
		t.Fatalf("premium's row: %v", r)
	}
	if _, ok := rows[mini.GetId()]; ok {
		t.Fatalf("a void credit is revenue: %v", rows[mini.GetId()])
	}
	code, body = rest(t, e, "GET", "/v1/reports/revenue?fromMonth="+month+"&toMonth="+month, adminToken, nil)
	if list, _ := body["rows"].([]any); code != http.StatusOK || len(list) < 2 {
		t.Fatalf("REST report: %d %v", code, body)
	}
	_, err = e.query.GetRevenueReport(as(t, adminToken), &pb.GetRevenueReportRequest{FromMonth: "2026-05", ToMonth: "2026-04"})
	wantCode(t, err, codes.InvalidArgument)
	_, err = e.query.GetRevenueReport(as(t, adminToken), &pb.GetRevenueReportRequest{FromMonth: "2026-13", ToMonth: "2026-04"})
	wantCode(t, err, codes.InvalidArgument)
	_, err = e.query.GetRevenueReport(as(t, u.token), &pb.GetRevenueReportRequest{FromMonth: month, ToMonth: month})
	wantCode(t, err, codes.PermissionDenied)
}

// TestRenewalsEndToEnd: a year of renewals of one subscription, one renewal declined then recovered on another, one
// left to expire, all through the worker on an injected clock; the API shows the states and the invoices, and the
// read models follow the outbox.
func TestRenewalsEndToEnd(t *testing.T) {
	e := server(t)
	yearly, recovers, expires := newUser(t, e), newUser(t, e), newUser(t, e)
	_, s1 := subscribeE2E(t, e, yearly, "9.99")
	_, s2 := subscribeE2E(t, e, recovers, "9.99")
	_, s3 := subscribeE2E(t, e, expires, "9.99")
	setToken := func(u user, subID, token string) {
		t.Helper()
		// The user gives a card that will be declined (or one that works again).
		if _, err := e.cmd.UpdatePaymentMethod(as(t, u.token), &pb.UpdatePaymentMethodRequest{UserId: u.id, SubscriptionId: subID,
			PaymentMethod: pb.PaymentMethod_PAYMENT_METHOD_CARD, PaymentToken: token}); err != nil {
			t.Fatalf("update payment method: %v", err)
		}
	}
	setToken(recovers, s2.GetId(), "tok_decline")
	setToken(expires, s3.GetId(), "tok_insufficient_funds")

	now := s1.GetCurrentPeriodEnd().AsTime()
	w := e2eWorker(e, func() time.Time { return now })
	run := func() {
		t.Helper()
		if _, err := w.RunOnce(storetest.Context(t, time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	// Every subscription here started within seconds of the others: a run a minute after the latest end covers all.
	latest := func() time.Time {
		end := s1.GetCurrentPeriodEnd().AsTime()
		for _, s := range []*pb.Subscription{s2, s3} {
			if s.GetCurrentPeriodEnd().AsTime().After(end) {
				end = s.GetCurrentPeriodEnd().AsTime()
			}
		}
		return end
	}
	now = latest().Add(time.Minute)
	run()
	status := func(u user, subID string) *pb.Subscription { return listedSubscription(t, e, u, subID) }
	eventually(t, "past due in the read model", func() string {
		if s := status(recovers, s2.GetId()); s.GetStatus() != pb.SubscriptionStatus_SUBSCRIPTION_STATUS_PAST_DUE {
			return s.GetStatus().String()
		}
		return ""
	})
	// The user gives a card that works: the next pass pays (here a day later; it would not wait for the retry).
	setToken(recovers, s2.GetId(), "tok_visa")
	now = latest().Add(24*time.Hour + time.Minute)
	run()
	// Its last retry, three days after the due date, is declined too; a day later its grace period is over.
	now = latest().Add(72*time.Hour + time.Minute)
	run()
	now = latest().Add(96*time.Hour + time.Minute)
	run()
	// The first one renews for the rest of the year, one month at a time.
	for range 11 {
		var end time.Time
		if err := e.built.Pool.QueryRow(storetest.Context(t, 10*time.Second),
			`SELECT current_period_end FROM subscriptions WHERE id = $1`, s1.GetId()).Scan(&end); err != nil {
			t.Fatal(err)
		}
		now = end.Add(time.Minute)
		run()
	}

	wantEnd := streaming.AddMonthsClamped(s1.GetStartTime().AsTime(), 13)
	eventually(t, "a year of renewals in the read model", func() string {
		s := status(yearly, s1.GetId())
		if s.GetStatus() != pb.SubscriptionStatus_SUBSCRIPTION_STATUS_ACTIVE || !s.GetCurrentPeriodEnd().AsTime().Equal(wantEnd) {
			return fmt.Sprintf("%s until %s, want until %s", s.GetStatus(), s.GetCurrentPeriodEnd().AsTime(), wantEnd)
		}
		return ""
	})
	var all []*pb.Invoice
	for token := ""; ; {
		page := listInvoices(t, e, yearly, 5, token)
		all = append(all, page.GetInvoices()...)
		if token = page.GetNextPageToken(); token == "" {
			break
		}
	}
	if len(all) != 13 {
		t.Fatalf("%d invoices of a year, want 13", len(all))
	}
	for i, inv := range all {
		if inv.GetStatus() != pb.InvoiceStatus_INVOICE_STATUS_PAID || inv.GetAmount() != "9.99" {
			t.Fatalf("invoice %d: %v", i, inv)
		}
		if i > 0 && !inv.GetPeriodEnd().AsTime().Equal(all[i-1].GetPeriodStart().AsTime()) {
			t.Fatalf("invoice %d ends %s, the next starts %s", i, inv.GetPeriodEnd().AsTime(), all[i-1].GetPeriodStart().AsTime())
		}
	}

	eventually(t, "recovered in the read model", func() string {
		if s := status(recovers, s2.GetId()); s.GetStatus() != pb.SubscriptionStatus_SUBSCRIPTION_STATUS_ACTIVE {
			return s.GetStatus().String()
		}
		return ""
	})
	// It renewed with the others afterwards; its first renewal took two attempts.
	if invs := listInvoices(t, e, recovers, 100, "").GetInvoices(); len(invs) != 13 ||
		invs[11].GetStatus() != pb.InvoiceStatus_INVOICE_STATUS_PAID || invs[11].GetAttempts() != 2 {
		t.Fatalf("recovered invoices: %v", invs)
	}
	eventually(t, "expired in the read model", func() string {
		if s := status(expires, s3.GetId()); s.GetStatus() != pb.SubscriptionStatus_SUBSCRIPTION_STATUS_EXPIRED || s.GetEndTime() == nil {
			return s.GetStatus().String()
		}
		return ""
	})
	if invs := listInvoices(t, e, expires, 10, "").GetInvoices(); len(invs) != 2 ||
		invs[0].GetStatus() != pb.InvoiceStatus_INVOICE_STATUS_UNCOLLECTIBLE || invs[0].GetAttempts() != 3 {
		t.Fatalf("expired invoices: %v", invs)
	}
	// The profile no longer has an active subscription; the user may subscribe again.
	eventually(t, "expired profile", func() string {
		prof, err := e.query.GetUserProfile(as(t, expires.token), &pb.GetUserProfileRequest{UserId: expires.id})
		if err != nil {
			return err.Error()
		}
		if prof.GetActiveSubscription() != nil {
			return fmt.Sprint(prof)
		}
		return ""
	})
	subscribeE2E(t, e, expires, "9.99")
}

// listedSubscription is the user's subscription subID as ListSubscriptions (the read model) shows it.
func listedSubscription(t *testing.T, e *env, u user, subID string) *pb.Subscription {
	t.Helper()
	list, err := e.query.ListSubscriptions(as(t, u.token), &pb.ListSubscriptionsRequest{UserId: u.id})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list.GetSubscriptions() {
		if s.GetId() == subID {
			return s
		}
	}
	t.Fatalf("subscription %s not listed", subID)
	return nil
}
