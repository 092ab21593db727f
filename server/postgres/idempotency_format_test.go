package postgres_test

import (
	"encoding/json"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/streamingplatform/streaming/internal/golden"
	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/streaming"
)

// TestCreateSubscriptionReplayFormat pins the response idempotency_keys.response keeps for create_subscription:
// CreateSubscription stores json.Marshal of its result and a retry with the same key, possibly served by a newer
// binary up to STREAMING_IDEMPOTENCY_TTL later, decodes it back. No store needed: this is the bytes' shape.
func TestCreateSubscriptionReplayFormat(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	res := command.SubscriptionResult{
		Subscription: streaming.Subscription{ID: "5c1e0a7e-2b8f-4a57-9d7c-1f0e2d3c4b5a",
			UserID: "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b", PlanID: "premium", Status: streaming.SubscriptionActive,
			StartDate: at, PriceCents: 1799, Currency: "EUR", PaymentMethod: streaming.PaymentCard, Version: 1,
			CreatedAt: at, UpdatedAt: at},
		Payment: streaming.Payment{ID: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", SubscriptionID: "5c1e0a7e-2b8f-4a57-9d7c-1f0e2d3c4b5a",
			UserID: "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b", AmountCents: 1799, Currency: "EUR",
			Status: streaming.PaymentApproved, ProcessorRef: "ch_local_123", CreatedAt: at},
		Replayed: true, // not stored: a replay sets it
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	stored := golden.JSON(t, "idempotency_create_subscription.golden.json", b)
	var got command.SubscriptionResult
	if err := json.Unmarshal(stored, &got); err != nil {
		t.Fatal(err)
	}
	res.Replayed = false
	if diff := gocmp.Diff(res, got); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
}
