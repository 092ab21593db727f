package command

import (
	"context"

	"github.com/streamingplatform/streaming/server/streaming"
)

type ChangeSubscriptionPlan struct {
	UserID, SubscriptionID, PlanID string
}

// ChangeSubscriptionPlan moves an active subscription to another available plan at that plan's current price.
func (h *Handler) ChangeSubscriptionPlan(ctx context.Context, c ChangeSubscriptionPlan) (*streaming.Subscription, error) {
	var s *streaming.Subscription
	err := h.Store.InTx(ctx, func(tx streaming.CommandTx) error {
		var err error
		if s, err = h.ownedSubscription(ctx, tx, c.UserID, c.SubscriptionID); err != nil {
			return err
		}
		if s.PlanID == c.PlanID {
			return streaming.Errorf(streaming.CodePrecondition, "subscription is already on plan %s", c.PlanID)
		}
		plan, err := tx.PlanByID(ctx, c.PlanID)
		if err != nil {
			return err
		}
		if !plan.Available {
			return streaming.Errorf(streaming.CodePrecondition, "plan %s is not available", plan.ID)
		}
		s.PlanID, s.PriceCents, s.Currency = plan.ID, plan.PriceCents, plan.Currency
		if err := tx.UpdateSubscription(ctx, s); err != nil {
			return err
		}
		return h.appendSubscriptionEvent(ctx, tx, s, streaming.EventSubscriptionPlanChanged)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}
