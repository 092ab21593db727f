package command

import (
	"context"

	"github.com/streamingplatform/streaming/server/streaming"
)

type CancelSubscription struct {
	UserID, SubscriptionID, Reason string
}

// CancelSubscription ends an active subscription now.
func (h *Handler) CancelSubscription(ctx context.Context, c CancelSubscription) (*streaming.Subscription, error) {
	var s *streaming.Subscription
	err := h.Store.InTx(ctx, func(tx streaming.CommandTx) error {
		var err error
		if s, err = h.ownedSubscription(ctx, tx, c.UserID, c.SubscriptionID); err != nil {
			return err
		}
		end := h.now().UTC()
		s.Status, s.EndDate = streaming.SubscriptionCanceled, &end
		if err := tx.UpdateSubscription(ctx, s); err != nil {
			return err
		}
		return h.appendSubscriptionEvent(ctx, tx, s, streaming.EventSubscriptionCanceled)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ownedSubscription locks the user's active subscription. Another user's subscription is reported as not found, so
// ids of other users' objects cannot be probed.
func (h *Handler) ownedSubscription(ctx context.Context, tx streaming.CommandTx, userID, id string) (*streaming.Subscription, error) {
	s, err := tx.SubscriptionForUpdate(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.UserID != userID {
		return nil, streaming.Errorf(streaming.CodeNotFound, "subscription not found")
	}
	if s.Status != streaming.SubscriptionActive {
		return nil, streaming.Errorf(streaming.CodePrecondition, "subscription is %s, not active", s.Status)
	}
	return s, nil
}
