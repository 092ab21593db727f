package command

import (
	"context"
	"crypto/hmac"
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

// CreateSubscriptionTx is what subscribing touches: the key, the user and plan it reads, the payment attempt it
// records before charging, the subscription, its first period's invoice and the payment it writes, and their event.
type CreateSubscriptionTx interface {
	streaming.Idempotency
	streaming.Users
	streaming.Plans
	streaming.PaymentAttempts
	streaming.Subscriptions
	streaming.Payments
	streaming.Invoices
	streaming.Outbox
}

// CreateSubscriptionHandler subscribes users to plans, charging the processor.
type CreateSubscriptionHandler struct {
	Tx        streaming.UnitOfWork[CreateSubscriptionTx]
	Processor streaming.PaymentProcessor
	// FingerprintKey keys the HMAC that binds an idempotency key to its request, so the stored fingerprint of a
	// request that carries a card number or payment token cannot be matched against guessed tokens.
	FingerprintKey []byte
	Now            func() time.Time
}

// CreateSubscription charges and subscribes; see CreateSubscriptionHandler.Handle.
func (h *Handler) CreateSubscription(ctx context.Context, c CreateSubscription) (*SubscriptionResult, error) {
	return h.createSubscription.Handle(ctx, c)
}

// Handle subscribes in three steps, so the remote charge holds no transaction and no row lock open:
//
//  1. a transaction claims the idempotency key, checks user and plan, and records a pending payment attempt
//     (amount, currency and the processor's idempotency key fixed here) and commits;
//  2. the processor is charged outside any transaction, with the attempt's processor key;
//  3. a transaction writes the active subscription, the approved payment and their event, marks the attempt
//     approved and completes the key with the response; or records the decline.
//
// Exactly one charge per key and request, under retries and crashes: a retry that finds the key claimed but not
// completed finds its pending attempt and resumes it: it is charged again with the same processor key (the
// processor answers with the first charge) and confirmed. A decline releases the key, as it always did, so the
// key may be retried with another card; the same card gets the same processor key, so the processor answers with
// the same decline. Nothing pending is ever a subscription, so the one-active-subscription rule only sees paid ones.
func (h CreateSubscriptionHandler) Handle(ctx context.Context, c CreateSubscription) (*SubscriptionResult, error) {
	if c.IdempotencyKey == "" {
		return nil, streaming.Invalid("idempotency_key", "required: set the field or the Idempotency-Key header")
	}
	scope := "create_subscription:" + c.UserID
	requestHash := h.fingerprint(c)

	var res SubscriptionResult
	var attempt *streaming.PaymentAttempt
	err := h.Tx.InTx(ctx, func(tx CreateSubscriptionTx) error {
		res, attempt = SubscriptionResult{}, nil
		stored, done, err := tx.ClaimIdempotencyKey(ctx, scope, c.IdempotencyKey, requestHash)
		if err != nil {
			return err
		}
		if done {
			res.Replayed = true
			return json.Unmarshal(stored, &res)
		}
		// A claimed key without a response: a first request, or a retry of one that stopped half way.
		a, err := tx.PaymentAttemptForUpdate(ctx, scope, c.IdempotencyKey)
		if err == nil {
			attempt = a
			return nil
		}
		if streaming.ErrorCode(err) != streaming.CodeNotFound {
			return err
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
		// Charging for a subscription the one-active rule will refuse would take money for nothing.
		if active, err := tx.HasActiveSubscription(ctx, c.UserID); err != nil || active {
			if err == nil {
				err = streaming.Errorf(streaming.CodePrecondition, "user already has an active subscription")
			}
			return err
		}
		a = &streaming.PaymentAttempt{Scope: scope, Key: c.IdempotencyKey, UserID: c.UserID, PlanID: plan.ID,
			AmountCents: plan.PriceCents, Currency: plan.Currency, PaymentMethod: c.PaymentMethod,
			ProcessorKey: ProcessorKey(scope, c.IdempotencyKey, requestHash), Status: streaming.AttemptPending}
		if err := tx.CreatePaymentAttempt(ctx, a); err != nil {
			return err
		}
		attempt = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	if res.Replayed {
		return &res, nil
	}
	if err := attempt.Err(); err != nil {
		return nil, err
	}

	charge, err := h.Processor.Charge(ctx, streaming.Charge{IdempotencyKey: attempt.ProcessorKey, UserID: c.UserID,
		AmountCents: attempt.AmountCents, Currency: attempt.Currency, Method: c.PaymentMethod, Token: c.PaymentToken})
	if err != nil {
		if streaming.AsError(err) != nil {
			return nil, err
		}
		return nil, streaming.Unavailable("the payment processor", err)
	}

	var finished error // a decline, committed as such
	err = h.Tx.InTx(ctx, func(tx CreateSubscriptionTx) error {
		res, finished = SubscriptionResult{}, nil
		// Claiming again locks the key: a concurrent retry that also charged waits here, then replays.
		stored, done, err := tx.ClaimIdempotencyKey(ctx, scope, c.IdempotencyKey, requestHash)
		if err != nil {
			return err
		}
		if done {
			res.Replayed = true
			return json.Unmarshal(stored, &res)
		}
		a, err := tx.PaymentAttemptForUpdate(ctx, scope, c.IdempotencyKey)
		if streaming.ErrorCode(err) == streaming.CodeNotFound && !charge.Approved {
			// A concurrent retry got the same decline and recorded it first.
			return streaming.Errorf(streaming.CodePrecondition, "payment declined: %s", charge.Reason)
		}
		if err != nil {
			return err
		}
		if finished = a.Err(); finished != nil {
			return nil
		}
		a.ProcessorRef = charge.Reference
		if !charge.Approved {
			// The decline is recorded and the key released, as a declined request always left it: the same key
			// may be retried with another card (another request, so another processor key).
			a.Status, a.Reason = streaming.AttemptDeclined, charge.Reason
			finished = a.Err()
			if err := tx.UpdatePaymentAttempt(ctx, a); err != nil {
				return err
			}
			return tx.ReleaseIdempotencyKey(ctx, scope, c.IdempotencyKey)
		}
		return h.confirm(ctx, tx, a, c.PaymentToken, charge.Fingerprint, &res)
	})
	if streaming.ErrorCode(err) == streaming.CodePrecondition && charge.Approved {
		// Charged, but the subscription could not be written (the user subscribed meanwhile with another key).
		// Record it so a retry answers the same and the money can be refunded.
		h.unfulfilled(ctx, scope, c.IdempotencyKey, requestHash, charge.Reference, err)
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if finished != nil {
		return nil, finished
	}
	return &res, nil
}

// confirm writes the paid subscription with its first billing period, the period's paid invoice, the payment and
// the event, keeps the payment token for renewals, marks the attempt approved and completes the key. The
// subscription is at the price charged, whatever the plan costs now.
func (h CreateSubscriptionHandler) confirm(ctx context.Context, tx CreateSubscriptionTx, a *streaming.PaymentAttempt,
	token, fingerprint string, res *SubscriptionResult) error {
	plan, err := tx.PlanByID(ctx, a.PlanID)
	if err != nil {
		return err
	}
	charged := *plan
	charged.PriceCents, charged.Currency, charged.Available = a.AmountCents, a.Currency, true // paid for when it was
	// At PostgreSQL's precision, so the periods computed here are the ones stored.
	start := now(h.Now).UTC().Truncate(time.Microsecond)
	if res.Subscription, err = streaming.NewSubscription(uuid.NewString(), a.UserID, &charged, a.PaymentMethod, start); err != nil {
		return err
	}
	res.Subscription.StartPeriod()
	res.Subscription.PaymentFingerprint = fingerprint
	if err := tx.CreateSubscription(ctx, &res.Subscription); err != nil {
		return err
	}
	if err := tx.SavePaymentToken(ctx, res.Subscription.ID, token); err != nil {
		return err
	}
	s := &res.Subscription
	paid := start
	inv := streaming.Invoice{UserID: s.UserID, SubscriptionID: s.ID, PlanID: s.PlanID, Kind: streaming.InvoicePeriod,
		PeriodStart: s.CurrentPeriodStart, PeriodEnd: s.CurrentPeriodEnd, AmountCents: a.AmountCents, Currency: a.Currency,
		Status: streaming.InvoicePaid, Attempts: 1, PaidAt: &paid, ProcessorRef: a.ProcessorRef, CreatedAt: start,
		Lines: []streaming.InvoiceLine{streaming.PeriodLine(plan.Name, s.PlanID, a.AmountCents, s.CurrentPeriodStart, s.CurrentPeriodEnd)}}
	if err := tx.CreateInvoice(ctx, &inv); err != nil {
		return err
	}
	res.Payment = streaming.Payment{ID: uuid.NewString(), SubscriptionID: res.Subscription.ID, UserID: a.UserID,
		AmountCents: a.AmountCents, Currency: a.Currency, Status: streaming.PaymentApproved, ProcessorRef: a.ProcessorRef}
	if err := tx.CreatePayment(ctx, &res.Payment); err != nil {
		return err
	}
	if err := appendSubscriptionEvent(ctx, tx, now(h.Now), &res.Subscription, streaming.EventSubscriptionCreated); err != nil {
		return err
	}
	a.Status = streaming.AttemptApproved
	if err := tx.UpdatePaymentAttempt(ctx, a); err != nil {
		return err
	}
	out, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return tx.CompleteIdempotencyKey(ctx, a.Scope, a.Key, out)
}

// unfulfilled marks a charged attempt whose subscription failed with cause. If this fails too, the attempt stays
// pending and a retry charges (deduplicated) and tries to confirm again, which is still correct.
func (h CreateSubscriptionHandler) unfulfilled(ctx context.Context, scope, key, requestHash, ref string, cause error) {
	_ = h.Tx.InTx(ctx, func(tx CreateSubscriptionTx) error {
		if _, done, err := tx.ClaimIdempotencyKey(ctx, scope, key, requestHash); err != nil || done {
			return err
		}
		a, err := tx.PaymentAttemptForUpdate(ctx, scope, key)
		if err != nil || a.Status != streaming.AttemptPending {
			return err
		}
		a.Status, a.ProcessorRef = streaming.AttemptUnfulfilled, ref
		a.Reason = streaming.AsError(cause).Message
		return tx.UpdatePaymentAttempt(ctx, a)
	})
}

// fingerprint binds an idempotency key to the request's fields: an HMAC keyed by FingerprintKey, never a plain hash
// of the payment token. The fields are NUL-separated, so moving a character between two is another request.
func (h CreateSubscriptionHandler) fingerprint(c CreateSubscription) string {
	m := hmac.New(sha256.New, h.FingerprintKey)
	m.Write([]byte(c.UserID + "\x00" + c.PlanID + "\x00" + c.PaymentMethod + "\x00" + c.PaymentToken))
	return hex.EncodeToString(m.Sum(nil))
}

// ProcessorKey is the idempotency key the processor sees for our (scope, key) and request fingerprint: stable, so
// a resumed charge is deduplicated; different for the same key of two users (scope names the user) and for the
// same key retried with another card after a decline (another fingerprint), which the processor would otherwise
// refuse as a key reused with other parameters.
func ProcessorKey(scope, key, requestHash string) string {
	sum := sha256.Sum256([]byte(scope + "\x00" + key + "\x00" + requestHash))
	return "sub_" + hex.EncodeToString(sum[:20])
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
