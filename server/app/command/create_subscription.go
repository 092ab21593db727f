package command

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/streaming"
)

type CreateSubscription struct {
	UserID, PlanID, PaymentMethod, PaymentToken string
	IdempotencyKey                              string
}

// SubscriptionResult is what CreateSubscription returns and what a retry with the same key replays.
type SubscriptionResult struct {
	Subscription streaming.Subscription `json:"subscription"`
	Payment      streaming.Payment      `json:"payment"`
	Replayed     bool                   `json:"-"`
}

// CreateSubscriptionTx is what subscribing touches: the key, the user and plan it reads, the subscription and
// payment it writes, and their event.
type CreateSubscriptionTx interface {
	streaming.Idempotency
	streaming.Users
	streaming.Plans
	streaming.Subscriptions
	streaming.Payments
	streaming.Outbox
}

// CreateSubscriptionHandler subscribes users to plans, charging the processor.
type CreateSubscriptionHandler struct {
	Tx        streaming.UnitOfWork[CreateSubscriptionTx]
	Processor streaming.PaymentProcessor
	Now       func() time.Time
}

// CreateSubscription charges and subscribes; see CreateSubscriptionHandler.Handle.
func (h *Handler) CreateSubscription(ctx context.Context, c CreateSubscription) (*SubscriptionResult, error) {
	return h.createSubscription.Handle(ctx, c)
}

// Handle follows the seed's flow: the user must exist, the plan must be available, the payment is charged, then
// subscription, payment, outbox event and the idempotency record are committed together. A declined payment rolls
// everything back. Concurrent calls with one key serialize on the key: exactly one subscription.
//
// The charge happens inside the transaction, so a declined or failed charge leaves nothing behind; the key is sent
// to the processor so a retried transaction cannot charge twice.
func (h CreateSubscriptionHandler) Handle(ctx context.Context, c CreateSubscription) (*SubscriptionResult, error) {
	if c.IdempotencyKey == "" {
		return nil, streaming.Invalid("idempotency_key", "required: set the field or the Idempotency-Key header")
	}
	scope := "create_subscription:" + c.UserID
	sum := sha256.Sum256([]byte(c.UserID + "\x00" + c.PlanID + "\x00" + c.PaymentMethod + "\x00" + c.PaymentToken))
	requestHash := hex.EncodeToString(sum[:])

	var res SubscriptionResult
	err := h.Tx.InTx(ctx, func(tx CreateSubscriptionTx) error {
		res = SubscriptionResult{}
		stored, done, err := tx.ClaimIdempotencyKey(ctx, scope, c.IdempotencyKey, requestHash)
		if err != nil {
			return err
		}
		if done {
			res.Replayed = true
			return json.Unmarshal(stored, &res)
		}
		if _, err := tx.UserByID(ctx, c.UserID); err != nil {
			return err
		}
		plan, err := tx.PlanByID(ctx, c.PlanID)
		if err != nil {
			return err
		}
		if err := plan.CheckAvailable(); err != nil {
			return err
		}
		charge, err := h.Processor.Charge(ctx, streaming.Charge{IdempotencyKey: c.IdempotencyKey, UserID: c.UserID,
			AmountCents: plan.PriceCents, Currency: plan.Currency, Method: c.PaymentMethod, Token: c.PaymentToken})
		if err != nil {
			return streaming.Unavailable("the payment processor", err)
		}
		if !charge.Approved {
			return streaming.Errorf(streaming.CodePrecondition, "payment declined: %s", charge.Reason)
		}
		if res.Subscription, err = streaming.NewSubscription(uuid.NewString(), c.UserID, plan, c.PaymentMethod, now(h.Now)); err != nil {
			return err
		}
		if err := tx.CreateSubscription(ctx, &res.Subscription); err != nil {
			return err
		}
		res.Payment = streaming.Payment{ID: uuid.NewString(), SubscriptionID: res.Subscription.ID, UserID: c.UserID,
			AmountCents: plan.PriceCents, Currency: plan.Currency, Status: streaming.PaymentApproved,
			ProcessorRef: charge.Reference}
		if err := tx.CreatePayment(ctx, &res.Payment); err != nil {
			return err
		}
		if err := appendSubscriptionEvent(ctx, tx, now(h.Now), &res.Subscription, streaming.EventSubscriptionCreated); err != nil {
			return err
		}
		out, err := json.Marshal(res)
		if err != nil {
			return err
		}
		return tx.CompleteIdempotencyKey(ctx, scope, c.IdempotencyKey, out)
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// appendSubscriptionEvent writes the event the seed's SubscriptionCreated handler needs: enough to update the
// user's read model and invalidate user_profile:{id} and recommendations:{id}.
func appendSubscriptionEvent(ctx context.Context, out streaming.Outbox, at time.Time, s *streaming.Subscription, typ string) error {
	ev, err := event(at, streaming.AggregateSubscription, s.ID, s.Version, typ, streaming.NewSubscriptionPayload(s))
	if err != nil {
		return err
	}
	return out.AppendEvent(ctx, ev)
}
