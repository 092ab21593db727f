package command

import (
	"context"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

type CancelSubscription struct {
	UserID, SubscriptionID, Reason string
}

// CancelSubscriptionTx is what canceling touches.
type CancelSubscriptionTx interface {
	streaming.Subscriptions
	streaming.Outbox
}

// CancelSubscriptionHandler ends subscriptions.
type CancelSubscriptionHandler struct {
	Tx  streaming.UnitOfWork[CancelSubscriptionTx]
	Now func() time.Time
}

// CancelSubscription ends an active subscription now.
func (h *Handler) CancelSubscription(ctx context.Context, c CancelSubscription) (*streaming.Subscription, error) {
	return h.cancelSubscription.Handle(ctx, c)
}

// Handle ends the user's active subscription now.
func (h CancelSubscriptionHandler) Handle(ctx context.Context, c CancelSubscription) (*streaming.Subscription, error) {
	var s *streaming.Subscription
	err := h.Tx.InTx(ctx, func(tx CancelSubscriptionTx) error {
		var err error
		if s, err = ownedSubscription(ctx, tx, c.UserID, c.SubscriptionID); err != nil {
			return err
		}
		if err := s.Cancel(now(h.Now)); err != nil {
			return err
		}
		if err := tx.UpdateSubscription(ctx, s); err != nil {
			return err
		}
		return appendSubscriptionEvent(ctx, tx, now(h.Now), s, streaming.EventSubscriptionCanceled)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ownedSubscription locks the user's active subscription. Another user's subscription is reported as not found, so
// ids of other users' objects cannot be probed.
func ownedSubscription(ctx context.Context, subs streaming.Subscriptions, userID, id string) (*streaming.Subscription, error) {
	s, err := subs.SubscriptionForUpdate(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.UserID != userID {
		return nil, streaming.Errorf(streaming.CodeNotFound, "subscription not found")
	}
	if err := s.CheckActive(); err != nil {
		return nil, err
	}
	return s, nil
}
