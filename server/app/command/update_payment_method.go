package command

import (
	"context"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

type UpdatePaymentMethod struct {
	UserID, SubscriptionID, PaymentMethod, PaymentToken string
}

// UpdatePaymentMethodTx is what changing the payment method touches: the subscription, its saved payment token and
// its open renewal invoice, the event.
type UpdatePaymentMethodTx interface {
	streaming.Subscriptions
	streaming.Invoices
	streaming.Outbox
}

// UpdatePaymentMethodHandler replaces the payment method renewals charge.
type UpdatePaymentMethodHandler struct {
	Tx  streaming.UnitOfWork[UpdatePaymentMethodTx]
	Now func() time.Time
}

// UpdatePaymentMethod replaces a subscription's payment method and token; see UpdatePaymentMethodHandler.Handle.
func (h *Handler) UpdatePaymentMethod(ctx context.Context, c UpdatePaymentMethod) (*streaming.Subscription, error) {
	return h.updatePaymentMethod.Handle(ctx, c)
}

// Handle replaces the payment method and token that renewals of the user's active or past-due subscription charge.
// Nothing is charged here. A past-due subscription's open renewal invoice is made due now, so the worker tries the
// new token at its next pass instead of at the next retry of its schedule (the grace period does not move).
//
// A renewal charge in flight (claimed by the worker and not yet recorded) refuses the change for a minute: if that
// attempt has to be sent again (its worker crashed, or the processor did not answer), it is sent with the same
// processor key, and a processor refuses a key it has seen with other parameters, such as another token.
func (h UpdatePaymentMethodHandler) Handle(ctx context.Context, c UpdatePaymentMethod) (*streaming.Subscription, error) {
	var s *streaming.Subscription
	err := h.Tx.InTx(ctx, func(tx UpdatePaymentMethodTx) error {
		var err error
		if s, err = ownedSubscription(ctx, tx, c.UserID, c.SubscriptionID); err != nil {
			return err
		}
		if err := s.CheckCurrent(); err != nil {
			return err
		}
		at := now(h.Now).UTC().Truncate(time.Microsecond)
		inv, err := tx.OpenPeriodInvoiceForUpdate(ctx, s.ID)
		switch {
		case streaming.ErrorCode(err) == streaming.CodeNotFound:
			inv = nil // nothing being charged or retried
		case err != nil:
			return err
		case inv.Charging != 0:
			return &streaming.Error{Code: streaming.CodeBusy, RetryAfter: time.Minute,
				Message: "a renewal charge with the current payment method is in progress: try again in a minute"}
		}
		if inv != nil && s.Status == streaming.SubscriptionPastDue {
			inv.NextAttemptAt = &at
			if err := tx.UpdateInvoice(ctx, inv); err != nil {
				return err
			}
		}
		s.PaymentMethod = c.PaymentMethod
		if err := tx.SavePaymentToken(ctx, s.ID, c.PaymentToken); err != nil {
			return err
		}
		if err := tx.UpdateSubscription(ctx, s); err != nil {
			return err
		}
		return appendSubscriptionEvent(ctx, tx, at, s, streaming.EventSubscriptionPaymentMethodUpdated)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}
