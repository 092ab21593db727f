package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/storetest"
)

func TestRegisterLoginLogout(t *testing.T) {
	e := server(t)
	u := newUser(t, e)

	_, err := e.cmd.RegisterUser(as(t, ""), &pb.RegisterUserRequest{Email: strings.ToUpper(u.email),
		Password: "another password", DisplayName: "Copy", Country: "FR"})
	wantCode(t, err, codes.AlreadyExists)

	_, err = e.cmd.Login(as(t, ""), &pb.LoginRequest{Email: u.email, Password: "wrong password"})
	wantCode(t, err, codes.Unauthenticated)
	_, err = e.cmd.Login(as(t, ""), &pb.LoginRequest{Email: "nobody-" + u.email, Password: "correct horse battery"})
	wantCode(t, err, codes.Unauthenticated)

	// The session works, then stops working after Logout.
	rateOwn := func() error {
		_, err := e.cmd.RateContent(as(t, u.token), &pb.RateContentRequest{UserId: u.id, ContentId: uuid.NewString(), Stars: 3})
		return err
	}
	wantCode(t, rateOwn(), codes.NotFound) // authenticated: reaches the handler, which finds no such title
	if _, err := e.cmd.Logout(as(t, u.token), &pb.LogoutRequest{}); err != nil {
		t.Fatalf("logout: %v", err)
	}
	wantCode(t, rateOwn(), codes.Unauthenticated)

	_, err = e.cmd.RegisterUser(as(t, ""), &pb.RegisterUserRequest{Email: "not-an-email", Password: "short",
		DisplayName: "", Country: "spain"})
	wantCode(t, err, codes.InvalidArgument)
	fields := violationFields(t, err)
	for _, f := range []string{"email", "password", "display_name", "country"} {
		if !fields[f] {
			t.Errorf("no field violation for %s in %v", f, err)
		}
	}
}

// violationFields returns the fields named by the BadRequest detail of a status error.
func violationFields(t *testing.T, err error) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				out[v.GetField()] = true
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no BadRequest field violations in %v", err)
	}
	return out
}

func TestPlans(t *testing.T) {
	e := server(t)
	admin := as(t, adminToken)
	p := newPlan(t, e, "9.99")
	if p.GetMonthlyPrice() != "9.99" || !p.GetAvailable() || p.GetMaxStreams() != 2 {
		t.Fatalf("created plan = %v", p)
	}
	_, err := e.cmd.CreatePlan(admin, &pb.CreatePlanRequest{Name: p.GetName(), MonthlyPrice: "1", Currency: "EUR",
		MaxStreams: 1, MaxQuality: pb.VideoQuality_VIDEO_QUALITY_SD})
	wantCode(t, err, codes.AlreadyExists)

	_, err = e.cmd.CreatePlan(admin, &pb.CreatePlanRequest{Name: "x", MonthlyPrice: "1.234", Currency: "eur",
		MaxStreams: 11, MaxQuality: pb.VideoQuality_VIDEO_QUALITY_UNSPECIFIED})
	wantCode(t, err, codes.InvalidArgument)
	fields := violationFields(t, err)
	for _, f := range []string{"monthly_price", "currency", "max_streams", "max_quality"} {
		if !fields[f] {
			t.Errorf("no field violation for %s", f)
		}
	}

	res, err := e.cmd.UpdatePlan(admin, &pb.UpdatePlanRequest{PlanId: p.GetId(), MonthlyPrice: proto.String("14.50"),
		Available: proto.Bool(false)})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	got := res.GetPlan()
	if got.GetMonthlyPrice() != "14.50" || got.GetAvailable() || got.GetName() != p.GetName() || got.GetMaxStreams() != 2 {
		t.Fatalf("updated plan = %v: want price 14.50, unavailable, other fields kept", got)
	}
	_, err = e.cmd.UpdatePlan(admin, &pb.UpdatePlanRequest{PlanId: uuid.NewString(), Name: proto.String("ghost")})
	wantCode(t, err, codes.NotFound)
}

func TestSubscriptionLifecycle(t *testing.T) {
	e := server(t)
	u, other := newUser(t, e), newUser(t, e)
	basic, premium := newPlan(t, e, "7.99"), newPlan(t, e, "15.99")
	ctx := as(t, u.token)
	req := &pb.CreateSubscriptionRequest{UserId: u.id, PlanId: basic.GetId(), PaymentMethod: pb.PaymentMethod_PAYMENT_METHOD_CARD,
		PaymentToken: "tok_visa", IdempotencyKey: "first-" + storetest.Unique()}

	first, err := e.cmd.CreateSubscription(ctx, req)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	sub := first.GetSubscription()
	if sub.GetStatus() != pb.SubscriptionStatus_SUBSCRIPTION_STATUS_ACTIVE || sub.GetMonthlyPrice() != "7.99" ||
		first.GetPayment().GetAmount() != "7.99" || first.GetPayment().GetStatus() != pb.PaymentStatus_PAYMENT_STATUS_APPROVED {
		t.Fatalf("created = %v", first)
	}
	again, err := e.cmd.CreateSubscription(ctx, req)
	if err != nil || !proto.Equal(again, first) {
		t.Fatalf("replay = %v, %v; want the first response", again, err)
	}
	changed := proto.Clone(req).(*pb.CreateSubscriptionRequest)
	changed.PlanId = premium.GetId()
	_, err = e.cmd.CreateSubscription(ctx, changed)
	wantCode(t, err, codes.AlreadyExists)
	changed.IdempotencyKey = "second-" + storetest.Unique()
	_, err = e.cmd.CreateSubscription(ctx, changed)
	wantCode(t, err, codes.FailedPrecondition) // one active subscription per user

	moved, err := e.cmd.ChangeSubscriptionPlan(ctx, &pb.ChangeSubscriptionPlanRequest{UserId: u.id, SubscriptionId: sub.GetId(), PlanId: premium.GetId()})
	if err != nil || moved.GetSubscription().GetPlanId() != premium.GetId() || moved.GetSubscription().GetMonthlyPrice() != "15.99" {
		t.Fatalf("change plan = %v, %v", moved, err)
	}
	// An upgrade on the period's first day is charged the whole difference for the period (billing_test.go checks
	// the proration to the cent within a period).
	if pr := moved.GetProration(); pr.GetStatus() != pb.InvoiceStatus_INVOICE_STATUS_PAID || pr.GetAmount() != "8.00" {
		t.Fatalf("proration = %v", pr)
	}
	_, err = e.cmd.ChangeSubscriptionPlan(ctx, &pb.ChangeSubscriptionPlanRequest{UserId: u.id, SubscriptionId: sub.GetId(), PlanId: premium.GetId()})
	wantCode(t, err, codes.FailedPrecondition)
	_, err = e.cmd.ChangeSubscriptionPlan(ctx, &pb.ChangeSubscriptionPlanRequest{UserId: u.id, SubscriptionId: sub.GetId(), PlanId: uuid.NewString()})
	wantCode(t, err, codes.NotFound)

	// Another user cannot touch it, even through their own user_id.
	_, err = e.cmd.CancelSubscription(as(t, other.token), &pb.CancelSubscriptionRequest{UserId: other.id, SubscriptionId: sub.GetId()})
	wantCode(t, err, codes.NotFound)
	_, err = e.cmd.CancelSubscription(as(t, other.token), &pb.CancelSubscriptionRequest{UserId: u.id, SubscriptionId: sub.GetId()})
	wantCode(t, err, codes.PermissionDenied)

	// A cancellation takes effect at the end of the period (it used to end the subscription at once); the reason is
	// kept. The renewal worker ends it then (server/billing).
	canceled, err := e.cmd.CancelSubscription(ctx, &pb.CancelSubscriptionRequest{UserId: u.id, SubscriptionId: sub.GetId(), Reason: "too expensive"})
	if cs := canceled.GetSubscription(); err != nil || cs.GetStatus() != pb.SubscriptionStatus_SUBSCRIPTION_STATUS_ACTIVE ||
		!cs.GetCancelAtPeriodEnd() || cs.GetCancelReason() != "too expensive" || cs.GetEndTime() != nil ||
		!cs.GetCurrentPeriodEnd().AsTime().Equal(sub.GetCurrentPeriodEnd().AsTime()) {
		t.Fatalf("cancel = %v, %v", canceled, err)
	}
	_, err = e.cmd.CancelSubscription(ctx, &pb.CancelSubscriptionRequest{UserId: u.id, SubscriptionId: sub.GetId()})
	wantCode(t, err, codes.FailedPrecondition)

	// Unavailable and unknown plans.
	if _, err := e.cmd.UpdatePlan(as(t, adminToken), &pb.UpdatePlanRequest{PlanId: basic.GetId(), Available: proto.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	req.IdempotencyKey = "third-" + storetest.Unique()
	_, err = e.cmd.CreateSubscription(ctx, req)
	wantCode(t, err, codes.FailedPrecondition)
	req.PlanId = uuid.NewString()
	_, err = e.cmd.CreateSubscription(ctx, req)
	wantCode(t, err, codes.NotFound)

	// Every change wrote its event to the outbox in its transaction.
	for typ, want := range map[string]int{"SubscriptionCreated": 1, "SubscriptionPlanChanged": 1, "SubscriptionCanceled": 1} {
		if n := count(t, e, `SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND event_type = $2`, sub.GetId(), typ); n != want {
			t.Errorf("outbox %s events = %d, want %d", typ, n, want)
		}
	}
}

func TestDeclinedPaymentLeavesNothing(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	plan := newPlan(t, e, "5.00")
	for _, token := range []string{"tok_decline", "an-unknown-token"} {
		_, err := e.cmd.CreateSubscription(as(t, u.token), &pb.CreateSubscriptionRequest{UserId: u.id, PlanId: plan.GetId(),
			PaymentMethod: pb.PaymentMethod_PAYMENT_METHOD_CARD, PaymentToken: token, IdempotencyKey: "k-" + storetest.Unique()})
		wantCode(t, err, codes.FailedPrecondition)
	}
	if n := count(t, e, `SELECT count(*) FROM subscriptions WHERE user_id = $1`, u.id); n != 0 {
		t.Errorf("subscriptions after declined payments = %d, want 0", n)
	}
	if n := count(t, e, `SELECT count(*) FROM payments WHERE user_id = $1`, u.id); n != 0 {
		t.Errorf("payments after declined payments = %d, want 0", n)
	}
	if n := count(t, e, `SELECT count(*) FROM outbox WHERE event_type = 'SubscriptionCreated' AND payload->>'user_id' = $1`, u.id); n != 0 {
		t.Errorf("outbox events after declined payments = %d, want 0", n)
	}
	// The declined key was not consumed: the same key with a good card now succeeds.
	key := "retry-" + storetest.Unique()
	req := &pb.CreateSubscriptionRequest{UserId: u.id, PlanId: plan.GetId(), PaymentMethod: pb.PaymentMethod_PAYMENT_METHOD_CARD,
		PaymentToken: "tok_decline", IdempotencyKey: key}
	_, err := e.cmd.CreateSubscription(as(t, u.token), req)
	wantCode(t, err, codes.FailedPrecondition)
	req.PaymentToken = "tok_visa"
	if _, err := e.cmd.CreateSubscription(as(t, u.token), req); err != nil {
		t.Fatalf("retry with a good card: %v", err)
	}
}

func TestConcurrentIdenticalCreateSubscription(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	plan := newPlan(t, e, "11.00")
	req := &pb.CreateSubscriptionRequest{UserId: u.id, PlanId: plan.GetId(), PaymentMethod: pb.PaymentMethod_PAYMENT_METHOD_PAYPAL,
		PaymentToken: "tok_approve", IdempotencyKey: "burst-" + storetest.Unique()}
	const n = 100
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := e.cmd.CreateSubscription(as(t, u.token), req)
			errs[i] = err
			ids[i] = res.GetSubscription().GetId()
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("call %d got subscription %s, call 0 got %s", i, ids[i], ids[0])
		}
	}
	if got := count(t, e, `SELECT count(*) FROM subscriptions WHERE user_id = $1`, u.id); got != 1 {
		t.Errorf("subscriptions = %d, want 1", got)
	}
	if got := count(t, e, `SELECT count(*) FROM payments WHERE user_id = $1`, u.id); got != 1 {
		t.Errorf("payments = %d, want 1", got)
	}
}

func TestContentAndRatings(t *testing.T) {
	e := server(t)
	admin := as(t, adminToken)
	a, b := newUser(t, e), newUser(t, e)
	content := &pb.Content{Id: uuid.NewString(), Title: "La casa de papel", Description: "Atracos", Type: pb.ContentType_CONTENT_TYPE_SERIES,
		Genres: []string{"drama", "crime"}, Actors: []string{"Úrsula Corberó"}, Seasons: 5, ReleaseYear: 2017}
	res, err := e.cmd.UpsertContent(admin, &pb.UpsertContentRequest{Content: content})
	if err != nil || !res.GetCreated() {
		t.Fatalf("first upsert = %v, %v; want created", res, err)
	}
	content.Seasons = 6
	res, err = e.cmd.UpsertContent(admin, &pb.UpsertContentRequest{Content: content})
	if err != nil || res.GetCreated() || res.GetContent().GetSeasons() != 6 {
		t.Fatalf("second upsert = %v, %v; want replaced", res, err)
	}
	bad := proto.Clone(content).(*pb.Content)
	bad.Genres, bad.Title = []string{"Not A Genre"}, ""
	_, err = e.cmd.UpsertContent(admin, &pb.UpsertContentRequest{Content: bad})
	wantCode(t, err, codes.InvalidArgument)
	if f := violationFields(t, err); !f["content.title"] || !f["content.genres[0]"] {
		t.Errorf("violations = %v, want content.title and content.genres[0]", f)
	}

	for _, r := range []struct {
		u     user
		stars int32
	}{{a, 5}, {b, 2}, {a, 4}} {
		if _, err := e.cmd.RateContent(as(t, r.u.token), &pb.RateContentRequest{UserId: r.u.id, ContentId: content.GetId(), Stars: r.stars}); err != nil {
			t.Fatalf("rate: %v", err)
		}
	}
	// The title's figures are published by the flusher (within -rating-flush-interval), not by the rating.
	eventually(t, "published rating figures", func() string {
		var avg string
		var n int
		if err := e.built.Pool.QueryRow(as(t, ""), `SELECT rating_avg::text, rating_count FROM content WHERE id = $1`, content.GetId()).Scan(&avg, &n); err != nil {
			return err.Error()
		}
		if avg != "3.00" || n != 2 { // a's 4 replaced a's 5; b's 2
			return fmt.Sprintf("rating avg, count = %s, %d; want 3.00, 2", avg, n)
		}
		return ""
	})
	_, err = e.cmd.RateContent(as(t, a.token), &pb.RateContentRequest{UserId: a.id, ContentId: content.GetId(), Stars: 6})
	wantCode(t, err, codes.InvalidArgument)
	_, err = e.cmd.RateContent(as(t, a.token), &pb.RateContentRequest{UserId: a.id, ContentId: uuid.NewString(), Stars: 3})
	wantCode(t, err, codes.NotFound)
	// Each rater's rating reaches the outbox for the graph (its own aggregate; a's two ratings within one flush
	// interval as one event or two, a's last at version 2), none re-publishing the title, whose version is unchanged.
	if n := count(t, e, `SELECT count(DISTINCT aggregate_id) FROM outbox WHERE aggregate_id LIKE $1 || '/%' AND event_type = 'RatingChanged'`, content.GetId()); n != 2 {
		t.Errorf("raters with RatingChanged events = %d, want 2", n)
	}
	if n := count(t, e, `SELECT count(*) FROM outbox WHERE aggregate_id = $1 || '/' || $2 AND event_type = 'RatingChanged' AND version = 2`, content.GetId(), a.id); n != 1 {
		t.Errorf("RatingChanged events of a's second rating = %d, want 1", n)
	}
	if n := count(t, e, `SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND event_type IN ('ContentRated', 'ContentUpserted')`, content.GetId()); n != 2 {
		t.Errorf("whole-title events = %d, want the 2 upserts", n)
	}
}

func TestInjectionStringsStoredLiterally(t *testing.T) {
	e := server(t)
	evil := `Robert'); DROP TABLE users;-- " \ %_ $1`
	email := "o'brien+" + storetest.Unique() + "@example.com"
	reg, err := e.cmd.RegisterUser(as(t, ""), &pb.RegisterUserRequest{Email: email, Password: evil + "padding",
		DisplayName: evil, Country: "IE"})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	var name, storedEmail string
	if err := e.built.Pool.QueryRow(as(t, ""), `SELECT display_name, email FROM users WHERE id = $1`, reg.GetUser().GetId()).Scan(&name, &storedEmail); err != nil {
		t.Fatal(err)
	}
	if name != evil || storedEmail != email {
		t.Fatalf("stored (%q, %q), want (%q, %q)", name, storedEmail, evil, email)
	}
	if _, err := e.cmd.Login(as(t, ""), &pb.LoginRequest{Email: email, Password: evil + "padding"}); err != nil {
		t.Fatalf("login with the literal password: %v", err)
	}
	if _, err := e.cmd.Login(as(t, ""), &pb.LoginRequest{Email: "' OR '1'='1@example.com", Password: "' OR '1'='1"}); status.Code(err) != codes.Unauthenticated && status.Code(err) != codes.InvalidArgument {
		t.Fatalf("injection login: %v", err)
	}
	if n := count(t, e, `SELECT count(*) FROM users`); n == 0 {
		t.Fatal("users table is empty")
	}
}

// LogoutAll ends every session of the caller, on every device, and an ingest stream open on one of them ends with
// Unauthenticated within the re-check interval; another user's sessions stay.
func TestLogoutAllEndsEverySessionAndOpenStreams(t *testing.T) {
	e := server(t)
	_, conn, _, _ := startOwn(t, func(c *config.Config) { c.SessionRecheck = 200 * time.Millisecond })
	cmd, ingest := pb.NewCommandServiceClient(conn), pb.NewIngestServiceClient(conn)
	u, other := newUser(t, e), newUser(t, e)
	login := func() string {
		res, err := cmd.Login(as(t, ""), &pb.LoginRequest{Email: u.email, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		return res.GetToken()
	}
	tv, phone := login(), login()

	stream, err := ingest.IngestPlaybackEvents(as(t, tv))
	if err != nil {
		t.Fatal(err)
	}
	title := uuid.NewString()
	send := func(i int) error {
		return stream.Send(&pb.IngestPlaybackEventsRequest{Events: []*pb.PlaybackEvent{event(u.id, title, time.Now().Add(-time.Minute), int32(i))}})
	}
	if err := send(0); err != nil {
		t.Fatal(err)
	}

	res, err := cmd.LogoutAll(as(t, phone), &pb.LogoutAllRequest{})
	if err != nil || res.GetSessionsEnded() != 3 { // newUser's login, the TV's and the phone's
		t.Fatalf("LogoutAll = %v, %v; want 3 sessions ended", res, err)
	}
	ended := time.Now()
	for i := 1; send(i) == nil && time.Since(ended) < 10*time.Second; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	_, err = stream.CloseAndRecv()
	wantCode(t, err, codes.Unauthenticated)
	if took := time.Since(ended); took > 2*time.Second {
		t.Errorf("the open stream ended %s after LogoutAll, want within the 200ms re-check (and some slack)", took)
	}
	for _, tok := range []string{u.token, tv, phone} {
		_, err := cmd.RateContent(as(t, tok), &pb.RateContentRequest{UserId: u.id, ContentId: uuid.NewString(), Stars: 3})
		wantCode(t, err, codes.Unauthenticated)
	}
	_, err = cmd.RateContent(as(t, other.token), &pb.RateContentRequest{UserId: other.id, ContentId: uuid.NewString(), Stars: 3})
	wantCode(t, err, codes.NotFound) // still signed in: reaches the handler, which finds no such title
}
