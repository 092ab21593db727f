package command

import (
	"context"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

type ChangeSubscriptionPlan struct {
	UserID, SubscriptionID, PlanID string
}

// ChangeSubscriptionPlanTx is what a plan change touches: the subscription, the plan it reads, the event.
type ChangeSubscriptionPlanTx interface {
	streaming.Subscriptions
	streaming.Plans
	streaming.Outbox
}

// ChangeSubscriptionPlanHandler moves subscriptions between plans.
type ChangeSubscriptionPlanHandler struct {
	Tx  streaming.UnitOfWork[ChangeSubscriptionPlanTx]
	Now func() time.Time
}

// ChangeSubscriptionPlan moves an active subscription to another available plan at that plan's current price.
func (h *Handler) ChangeSubscriptionPlan(ctx context.Context, c ChangeSubscriptionPlan) (*streaming.Subscription, error) {
	return h.changeSubscriptionPlan.Handle(ctx, c)
}

// Handle moves the user's active subscription to the plan of c at that plan's current price.
func (h ChangeSubscriptionPlanHandler) Handle(ctx context.Context, c ChangeSubscriptionPlan) (*streaming.Subscription, error) {
	var s *streaming.Subscription
	err := h.Tx.InTx(ctx, func(tx ChangeSubscriptionPlanTx) error {
		var err error
		if s, err = ownedSubscription(ctx, tx, c.UserID, c.SubscriptionID); err != nil {
			return err
		}
		plan, err := tx.PlanByID(ctx, c.PlanID)
		if err != nil {
			return err
		}
		if err := s.ChangePlan(plan); err != nil {
			return err
		}
		if err := tx.UpdateSubscription(ctx, s); err != nil {
			return err
		}
		return appendSubscriptionEvent(ctx, tx, now(h.Now), s, streaming.EventSubscriptionPlanChanged)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}
