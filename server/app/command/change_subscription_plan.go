package command

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/streaming"
)

type ChangeSubscriptionPlan struct {
	UserID, SubscriptionID, PlanID string
}

// PlanChange is a change of plan done: the subscription on its new plan, and the proration invoice (nil when the
// price is the same): paid for an upgrade, void with a negative line for a downgrade's credit.
type PlanChange struct {
	Subscription *streaming.Subscription
	Proration    *streaming.Invoice
}

// ChangeSubscriptionPlanTx is what a plan change touches: the subscription, the plan it reads, the proration
// invoice (and credit, and saved payment token), the payment of an upgrade, the event.
type ChangeSubscriptionPlanTx interface {
	streaming.Subscriptions
	streaming.Plans
	streaming.Payments
	streaming.Invoices
	streaming.Outbox
}

// ChangeSubscriptionPlanHandler moves subscriptions between plans, prorated to the day.
type ChangeSubscriptionPlanHandler struct {
	Tx        streaming.UnitOfWork[ChangeSubscriptionPlanTx]
	Processor streaming.PaymentProcessor
	Now       func() time.Time
}

// ChangeSubscriptionPlan moves an active subscription to another available plan; see
// ChangeSubscriptionPlanHandler.Handle.
func (h *Handler) ChangeSubscriptionPlan(ctx context.Context, c ChangeSubscriptionPlan) (*PlanChange, error) {
	return h.changeSubscriptionPlan.Handle(ctx, c)
}

// Handle moves the user's active subscription to the plan of c at once, at that plan's current price, prorated to
// the day (streaming.Prorate) for the rest of the current period:
//
//   - a downgrade changes the plan and credits the difference to the next invoice (a void invoice with a negative
//     line records it), in one transaction;
//   - an upgrade charges the difference now, like CreateSubscription charges: a transaction records an open
//     proration invoice with its attempt (the processor key is derived from the invoice), the processor is charged
//     outside any transaction, and a second transaction marks the invoice paid, writes the payment and changes the
//     plan. A declined charge voids the invoice and refuses the change (FailedPrecondition): the plan stays.
//
// A crash between charging and recording leaves the open invoice: the same change asked again resumes it (the same
// processor key, so the processor charges once); another change is refused until then. A change of currency is
// refused: a difference between two currencies is not a price.
func (h ChangeSubscriptionPlanHandler) Handle(ctx context.Context, c ChangeSubscriptionPlan) (*PlanChange, error) {
	var res PlanChange
	var pending *streaming.Invoice // an upgrade to charge
	var token, method string
	err := h.Tx.InTx(ctx, func(tx ChangeSubscriptionPlanTx) error {
		res, pending = PlanChange{}, nil
		s, err := ownedSubscription(ctx, tx, c.UserID, c.SubscriptionID)
		if err != nil {
			return err
		}
		if err := s.CheckActive(); err != nil {
			return err
		}
		if token, err = tx.PaymentToken(ctx, s.ID); err != nil {
			return err
		}
		method = s.PaymentMethod
		open, err := tx.OpenProrationForUpdate(ctx, s.ID)
		switch {
		case err == nil && open.PlanID == c.PlanID:
			pending = open // the same upgrade asked again: resume its charge
			return nil
		case err == nil:
			return streaming.Errorf(streaming.CodePrecondition,
				"a change to plan %s is being charged: ask for that change again to finish it first", open.PlanID)
		case streaming.ErrorCode(err) != streaming.CodeNotFound:
			return err
		}
		plan, err := tx.PlanByID(ctx, c.PlanID)
		if err != nil {
			return err
		}
		next := *s
		if err := next.ChangePlan(plan); err != nil {
			return err
		}
		if plan.Currency != s.Currency {
			return streaming.Errorf(streaming.CodePrecondition, "plan %s is priced in %s, the subscription in %s",
				plan.ID, plan.Currency, s.Currency)
		}
		at := now(h.Now).UTC().Truncate(time.Microsecond)
		if !at.Before(s.CurrentPeriodEnd) {
			// The period ended and the renewal worker has not renewed it yet (it runs every -billing-interval): a
			// change now would be prorated over nothing and the renewal would bill the old plan.
			return &streaming.Error{Code: streaming.CodeBusy, RetryAfter: time.Minute,
				Message: "the subscription's period has ended and is being renewed: try again in a minute"}
		}
		p := streaming.Prorate(s.PriceCents, plan.PriceCents, s.CurrentPeriodStart, s.CurrentPeriodEnd, at)
		line := streaming.InvoiceLine{AmountCents: p.AmountCents, PlanID: plan.ID, PeriodStart: at, PeriodEnd: s.CurrentPeriodEnd,
			Description: fmt.Sprintf("Change of plan to %s: %s a month more for %d of %d days",
				plan.Name, streaming.FormatCents(plan.PriceCents-s.PriceCents), p.DaysLeft, p.PeriodDays)}
		inv := &streaming.Invoice{ID: uuid.NewString(), UserID: s.UserID, SubscriptionID: s.ID, PlanID: plan.ID,
			Kind: streaming.InvoiceProration, PeriodStart: at, PeriodEnd: s.CurrentPeriodEnd, Currency: s.Currency,
			CreatedAt: at, Lines: []streaming.InvoiceLine{line}}
		if p.AmountCents > 0 {
			inv.AmountCents, inv.Status, inv.Attempts, inv.Charging = p.AmountCents, streaming.InvoiceOpen, 1, 1
			if err := tx.CreateInvoice(ctx, inv); err != nil {
				return err
			}
			pending = inv
			return nil
		}
		// The same price or less: nothing to charge, the plan changes now.
		if p.AmountCents < 0 {
			line.Description = fmt.Sprintf("Change of plan to %s: credit of %s a month less for %d of %d days",
				plan.Name, streaming.FormatCents(s.PriceCents-plan.PriceCents), p.DaysLeft, p.PeriodDays)
			inv.Lines[0] = line
			inv.Status = streaming.InvoiceVoid
			if err := tx.CreateInvoice(ctx, inv); err != nil {
				return err
			}
			credit, err := tx.SubscriptionCredit(ctx, s.ID)
			if err != nil {
				return err
			}
			if err := tx.SetSubscriptionCredit(ctx, s.ID, credit-p.AmountCents); err != nil {
				return err
			}
			res.Proration = inv
		}
		*s = next
		res.Subscription = s
		if err := tx.UpdateSubscription(ctx, s); err != nil {
			return err
		}
		return appendSubscriptionEvent(ctx, tx, at, s, streaming.EventSubscriptionPlanChanged)
	})
	if err != nil {
		return nil, err
	}
	if pending == nil {
		return &res, nil
	}
	return h.chargeUpgrade(ctx, c, pending, method, token)
}

// chargeUpgrade charges an open proration invoice outside any transaction and records the outcome.
func (h ChangeSubscriptionPlanHandler) chargeUpgrade(ctx context.Context, c ChangeSubscriptionPlan, inv *streaming.Invoice,
	method, token string) (*PlanChange, error) {
	charge, err := h.Processor.Charge(ctx, streaming.Charge{IdempotencyKey: ProrationKey(inv.ID, inv.Charging),
		UserID: inv.UserID, AmountCents: inv.AmountCents, Currency: inv.Currency, Method: method, Token: token})
	if err != nil {
		if streaming.AsError(err) != nil {
			return nil, err
		}
		return nil, streaming.Unavailable("the payment processor", err)
	}
	var res PlanChange
	var declined error
	err = h.Tx.InTx(ctx, func(tx ChangeSubscriptionPlanTx) error {
		res, declined = PlanChange{}, nil
		s, err := ownedSubscription(ctx, tx, c.UserID, c.SubscriptionID)
		if err != nil {
			return err
		}
		cur, err := tx.InvoiceForUpdate(ctx, inv.ID)
		if err != nil {
			return err
		}
		switch cur.Status {
		case streaming.InvoicePaid: // a concurrent request for the same change recorded it first
			res.Subscription, res.Proration = s, cur
			return nil
		case streaming.InvoiceVoid:
			declined = streaming.Errorf(streaming.CodePrecondition, "payment declined: %s", cur.LastError)
			return nil
		}
		at := now(h.Now).UTC().Truncate(time.Microsecond)
		cur.Charging, cur.ProcessorRef = 0, charge.Reference
		if !charge.Approved {
			cur.Status, cur.LastError, cur.NextAttemptAt = streaming.InvoiceVoid, charge.Reason, nil
			declined = streaming.Errorf(streaming.CodePrecondition, "payment declined: %s", charge.Reason)
			return tx.UpdateInvoice(ctx, cur)
		}
		cur.Status, cur.PaidAt = streaming.InvoicePaid, &at
		if err := tx.UpdateInvoice(ctx, cur); err != nil {
			return err
		}
		if err := tx.CreatePayment(ctx, &streaming.Payment{SubscriptionID: s.ID, UserID: s.UserID,
			AmountCents: cur.AmountCents, Currency: cur.Currency, Status: streaming.PaymentApproved,
			ProcessorRef: charge.Reference}); err != nil {
			return err
		}
		plan, err := tx.PlanByID(ctx, cur.PlanID)
		if err != nil {
			return err
		}
		// Paid for: the change applies even if the plan was withdrawn from sale meanwhile.
		s.PlanID, s.PriceCents = plan.ID, plan.PriceCents
		s.PaymentFingerprint = cmp.Or(charge.Fingerprint, s.PaymentFingerprint)
		if err := tx.UpdateSubscription(ctx, s); err != nil {
			return err
		}
		res.Subscription, res.Proration = s, cur
		return appendSubscriptionEvent(ctx, tx, at, s, streaming.EventSubscriptionPlanChanged)
	})
	if err != nil {
		return nil, err
	}
	if declined != nil {
		return nil, declined
	}
	return &res, nil
}

// ProrationKey is the processor's idempotency key of attempt n of a proration invoice: stable, so a resumed charge
// is deduplicated by the processor.
func ProrationKey(invoiceID string, attempt int32) string {
	sum := sha256.Sum256([]byte("proration\x00" + invoiceID + "\x00" + strconv.Itoa(int(attempt))))
	return "chg_" + hex.EncodeToString(sum[:20])
}
