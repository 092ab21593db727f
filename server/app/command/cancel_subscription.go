package command

import (
	"context"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

type CancelSubscription struct {
	UserID, SubscriptionID, Reason string
}

// CancelSubscriptionTx is what canceling touches: the subscription, the open invoices of a past-due one, the event.
type CancelSubscriptionTx interface {
	streaming.Subscriptions
	VoidOpenInvoices(ctx context.Context, subscriptionID string) error
	streaming.Outbox
}

// CancelSubscriptionHandler cancels subscriptions.
type CancelSubscriptionHandler struct {
	Tx  streaming.UnitOfWork[CancelSubscriptionTx]
	Now func() time.Time
}

// CancelSubscription cancels a subscription at the end of its period; see CancelSubscriptionHandler.Handle.
func (h *Handler) CancelSubscription(ctx context.Context, c CancelSubscription) (*streaming.Subscription, error) {
	return h.cancelSubscription.Handle(ctx, c)
}

// Handle cancels the user's subscription with the reason given. An active one keeps playing until its period ends
// (cancel_at_period_end); the renewal worker then ends it instead of charging. A past-due one ends now: its period
// was never paid for, so its open invoice is voided and nothing more is charged.
func (h CancelSubscriptionHandler) Handle(ctx context.Context, c CancelSubscription) (*streaming.Subscription, error) {
	var s *streaming.Subscription
	err := h.Tx.InTx(ctx, func(tx CancelSubscriptionTx) error {
		var err error
		if s, err = ownedSubscription(ctx, tx, c.UserID, c.SubscriptionID); err != nil {
			return err
		}
		return cancelLocked(ctx, tx, s, c.Reason, now(h.Now))
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// cancelLocked cancels s, locked by the caller's transaction, with reason at at and writes its event.
func cancelLocked(ctx context.Context, tx CancelSubscriptionTx, s *streaming.Subscription, reason string, at time.Time) error {
	endedNow, err := s.ScheduleCancel(reason, at)
	if err != nil {
		return err
	}
	if endedNow {
		if err := tx.VoidOpenInvoices(ctx, s.ID); err != nil {
			return err
		}
	}
	if err := tx.UpdateSubscription(ctx, s); err != nil {
		return err
	}
	return appendSubscriptionEvent(ctx, tx, at, s, streaming.EventSubscriptionCanceled)
}

// ownedSubscription locks the user's subscription. Another user's subscription is reported as not found, so ids of
// other users' objects cannot be probed. Its state is the command's to check.
func ownedSubscription(ctx context.Context, subs streaming.Subscriptions, userID, id string) (*streaming.Subscription, error) {
	s, err := subs.SubscriptionForUpdate(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.UserID != userID {
		return nil, streaming.Errorf(streaming.CodeNotFound, "subscription not found")
	}
	return s, nil
}
