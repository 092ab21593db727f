package streaming

import (
	"encoding/json"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/streamingplatform/streaming/internal/golden"
)

// The outbox payloads are stored in outbox.payload and read back by every projector (and by a replay long after they
// were written): each payload type is pinned by a golden file, encoded from a fixed value and decoded back.

var (
	fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	fixedEnd  = time.Date(2026, 2, 2, 3, 4, 5, 0, time.UTC)
)

func TestOutboxPayloadFormats(t *testing.T) {
	user := User{ID: "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b", Email: "ana@example.com", DisplayName: "Ana",
		Country: "ES", PasswordHash: "never published", Version: 3, CreatedAt: fixedTime}
	plan := Plan{ID: "premium", Name: "Premium", Description: "4K, four screens", PriceCents: 1799, Currency: "EUR",
		MaxStreams: 4, MaxQuality: "uhd", Available: true, Version: 2, CreatedAt: fixedTime, UpdatedAt: fixedTime}
	sub := Subscription{ID: "5c1e0a7e-2b8f-4a57-9d7c-1f0e2d3c4b5a", UserID: user.ID, PlanID: plan.ID,
		Status: SubscriptionCanceled, StartDate: fixedTime, EndDate: &fixedEnd, PriceCents: 1799, Currency: "EUR",
		PaymentMethod: PaymentCard, Version: 4, CreatedAt: fixedTime, UpdatedAt: fixedEnd}
	content := Content{ID: "7d2f1b3c-4e5a-4b6c-8d7e-9f0a1b2c3d4e", Title: "Aventura <en> el \"mar\"",
		Description: "Una serie.", Type: ContentSeries, Genres: []string{"drama", "aventura"}, Actors: []string{"Ana"},
		Seasons: 2, ReleaseYear: 2024, DurationSeconds: 2700, RatingAvg: 4.25, RatingCount: 8, Version: 9,
		UpdatedAt: fixedTime}
	rated := NewContentPayload(&content)
	rated.RatedBy, rated.Stars = user.ID, 5

	check := func(t *testing.T, file string, v any, decoded any) {
		t.Helper()
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		stored := golden.JSON(t, file, b)
		if err := DecodePayload(Event{Type: "T", Payload: stored}, decoded); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("user", func(t *testing.T) {
		var got UserPayload
		check(t, "payload_user.golden.json", NewUserPayload(&user), &got)
		if diff := gocmp.Diff(NewUserPayload(&user), got); diff != "" {
			t.Errorf("decoded (-want +got):\n%s", diff)
		}
	})
	t.Run("plan", func(t *testing.T) {
		var got PlanPayload
		check(t, "payload_plan.golden.json", NewPlanPayload(&plan), &got)
		if diff := gocmp.Diff(NewPlanPayload(&plan), got); diff != "" {
			t.Errorf("decoded (-want +got):\n%s", diff)
		}
	})
	t.Run("subscription", func(t *testing.T) {
		var got SubscriptionPayload
		check(t, "payload_subscription.golden.json", NewSubscriptionPayload(&sub), &got)
		back, err := got.Subscription(sub.Version)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(sub, back); diff != "" {
			t.Errorf("decoded (-want +got):\n%s", diff)
		}
	})
	t.Run("subscription with billing", func(t *testing.T) {
		// Billing's fields (migration 00009) are omitted when zero, so payload_subscription.golden.json is also
		// what events written before them hold.
		billed := sub
		billed.Status, billed.EndDate = SubscriptionPastDue, nil
		billed.CurrentPeriodStart, billed.CurrentPeriodEnd = fixedTime, fixedEnd
		billed.CancelAtPeriodEnd, billed.CancelReason = true, "too expensive"
		var got SubscriptionPayload
		check(t, "payload_subscription_billing.golden.json", NewSubscriptionPayload(&billed), &got)
		back, err := got.Subscription(billed.Version)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(billed, back); diff != "" {
			t.Errorf("decoded (-want +got):\n%s", diff)
		}
	})
	t.Run("subscription with a card fingerprint", func(t *testing.T) {
		// The fingerprint (migration 00012) is omitted when unknown, so the goldens above are also what events
		// written before it hold. It goes to the graph only: the read models' Subscription does not keep it.
		paid := sub
		paid.PaymentFingerprint = "fp_0123456789abcdef"
		var got SubscriptionPayload
		check(t, "payload_subscription_fingerprint.golden.json", NewSubscriptionPayload(&paid), &got)
		if got.PaymentFingerprint != paid.PaymentFingerprint {
			t.Errorf("fingerprint %q, want %q", got.PaymentFingerprint, paid.PaymentFingerprint)
		}
	})
	t.Run("subscription payment method updated", func(t *testing.T) {
		// SubscriptionPaymentMethodUpdated carries the whole subscription like the other subscription events: the new
		// payment method, and no payment token (the payload has no field for one).
		repaid := sub
		repaid.Status, repaid.EndDate, repaid.PaymentMethod = SubscriptionPastDue, nil, PaymentPayPal
		repaid.CurrentPeriodStart, repaid.CurrentPeriodEnd = fixedTime, fixedEnd
		var got SubscriptionPayload
		check(t, "payload_subscription_payment_method.golden.json", NewSubscriptionPayload(&repaid), &got)
		back, err := got.Subscription(repaid.Version)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(repaid, back); diff != "" {
			t.Errorf("decoded (-want +got):\n%s", diff)
		}
	})
	t.Run("content", func(t *testing.T) {
		var got ContentPayload
		check(t, "payload_content.golden.json", NewContentPayload(&content), &got)
		if diff := gocmp.Diff(content, got.Content(content.Version)); diff != "" {
			t.Errorf("decoded (-want +got):\n%s", diff)
		}
	})
	t.Run("content rated", func(t *testing.T) {
		var got ContentPayload
		check(t, "payload_content_rated.golden.json", rated, &got)
		if diff := gocmp.Diff(rated, got); diff != "" {
			t.Errorf("decoded (-want +got):\n%s", diff)
		}
	})
	t.Run("rating changed", func(t *testing.T) {
		want := RatingPayload{UserID: user.ID, ContentID: content.ID, Stars: 4, UpdatedAt: fixedTime}
		var got RatingPayload
		check(t, "payload_rating.golden.json", want, &got)
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("decoded (-want +got):\n%s", diff)
		}
	})
	t.Run("content rating aggregated", func(t *testing.T) {
		want := RatingAggregatePayload{ContentID: content.ID, RatingAvg: 4.25, RatingCount: 1000001, RatingSeq: 17}
		var got RatingAggregatePayload
		check(t, "payload_rating_aggregate.golden.json", want, &got)
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("decoded (-want +got):\n%s", diff)
		}
	})
	t.Run("user erased", func(t *testing.T) {
		want := ErasedPayload{UserID: user.ID, ErasedAt: fixedTime}
		var got ErasedPayload
		check(t, "payload_user_erased.golden.json", want, &got)
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("decoded (-want +got):\n%s", diff)
		}
	})
}
