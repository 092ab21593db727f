package stripe_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/payment/stripe"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// lostAnswer charges through p but, the first time, loses the answer as a crash or a cut connection would after
// Stripe took the money.
type lostAnswer struct {
	p    streaming.PaymentProcessor
	lost bool
}

func (l *lostAnswer) Charge(ctx context.Context, c streaming.Charge) (streaming.ChargeResult, error) {
	res, err := l.p.Charge(ctx, c)
	if err == nil && !l.lost {
		l.lost = true
		return streaming.ChargeResult{}, errors.New("connection reset by peer")
	}
	return res, err
}

// TestSubscribeThroughStripeMock runs CreateSubscription over the real PostgreSQL and the Stripe adapter against
// stripe-mock: the answer of the first charge is lost, the retry with the same key charges again with the same
// Stripe Idempotency-Key (so Stripe would answer with the first PaymentIntent) and confirms; one subscription, one
// payment.
func TestSubscribeThroughStripeMock(t *testing.T) {
	cfg := storetest.Settings(t)
	storetest.Require(t, "stripe-mock", cfg.StripeMockAddr())
	storetest.Require(t, "PostgreSQL", cfg.PostgresAddr())
	url, _ := storetest.PostgresSchema(t, "stripe_flow")
	ctx := storetest.Context(t, time.Minute)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	store := postgres.NewCommandStore(pool)
	u := &streaming.User{Email: "stripe." + storetest.Unique() + "@example.com", DisplayName: "S", Country: "ES", PasswordHash: "h"}
	p := &streaming.Plan{Name: "Plan " + storetest.Unique(), PriceCents: 1299, Currency: "EUR", MaxStreams: 2, MaxQuality: "hd", Available: true}
	if err := store.InTx(ctx, func(tx streaming.CommandTx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return tx.CreatePlan(ctx, p)
	}); err != nil {
		t.Fatal(err)
	}

	base, requests := throughProxy(t, cfg.StripeMockURL())
	sp, err := stripe.New(stripe.Config{APIKey: "sk_test_123", BaseURL: base, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h := command.New(command.Deps{Store: store, Payments: &lostAnswer{p: sp}, FingerprintKey: []byte("test-fingerprint-key")})
	req := command.CreateSubscription{UserID: u.ID, PlanID: p.ID, PaymentMethod: streaming.PaymentCard,
		PaymentToken: "pm_card_visa", IdempotencyKey: "k-" + storetest.Unique()}
	_, err = h.CreateSubscription(ctx, req)
	if streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Fatalf("first call = %v, want unavailable", err)
	}
	count := func(sql string) int {
		var n int
		if err := pool.QueryRow(ctx, sql, u.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM subscriptions WHERE user_id = $1`); n != 0 {
		t.Fatalf("%d subscriptions after a lost answer, want 0", n)
	}
	if n := count(`SELECT count(*) FROM payment_attempts WHERE user_id = $1 AND status = 'pending'`); n != 1 {
		t.Fatalf("%d pending attempts, want 1", n)
	}
	res, err := h.CreateSubscription(ctx, req)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if res.Subscription.Status != streaming.SubscriptionActive || res.Payment.AmountCents != 1299 ||
		res.Payment.ProcessorRef == "" || res.Payment.ProcessorRef[:3] != "pi_" {
		t.Fatalf("retry = %+v", res)
	}
	again, err := h.CreateSubscription(ctx, req)
	if err != nil || !again.Replayed || again.Subscription.ID != res.Subscription.ID {
		t.Fatalf("replay = %+v, %v", again, err)
	}
	if n := count(`SELECT count(*) FROM subscriptions WHERE user_id = $1`); n != 1 {
		t.Fatalf("%d subscriptions, want 1", n)
	}
	if n := count(`SELECT count(*) FROM payments WHERE user_id = $1`); n != 1 {
		t.Fatalf("%d payments, want 1", n)
	}
	if n := count(`SELECT count(*) FROM payment_attempts WHERE user_id = $1 AND status = 'approved'`); n != 1 {
		t.Fatalf("%d approved attempts, want 1", n)
	}
	if n := count(`SELECT count(*) FROM subscriptions WHERE user_id = $1 AND payment_fingerprint <> ''`); n != 1 {
		t.Fatalf("%d subscriptions with the card's fingerprint, want 1", n)
	}
	got := charges(requests())
	if len(got) != 2 || got[0].idempotencyKey == "" || got[0].idempotencyKey != got[1].idempotencyKey ||
		got[0].form.Get("amount") != "1299" || got[1].form.Get("amount") != "1299" {
		t.Fatalf("requests to Stripe: %+v", got)
	}
	// The stored fingerprint is keyed: not the plain hash of the request anyone could recompute from a token.
	var fingerprint string
	if err := pool.QueryRow(ctx, `SELECT request_hash FROM idempotency_keys WHERE key = $1`, req.IdempotencyKey).Scan(&fingerprint); err != nil {
		t.Fatal(err)
	}
	plain := sha256.Sum256([]byte(u.ID + "\x00" + p.ID + "\x00card\x00pm_card_visa"))
	if len(fingerprint) != 64 || fingerprint == hex.EncodeToString(plain[:]) {
		t.Fatalf("stored fingerprint %q is a plain hash of the request", fingerprint)
	}
}
