package command

import (
	"context"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// UpdatePlan changes the fields that are set (non-nil).
type UpdatePlan struct {
	PlanID       string
	Name         *string
	Description  *string
	MonthlyPrice *string
	MaxStreams   *int32
	MaxQuality   *string
	Available    *bool
}

// UpdatePlanTx is what changing a plan touches.
type UpdatePlanTx interface {
	streaming.Plans
	streaming.Outbox
}

// UpdatePlanHandler changes plans.
type UpdatePlanHandler struct {
	Tx  streaming.UnitOfWork[UpdatePlanTx]
	Now func() time.Time
}

func (h *Handler) UpdatePlan(ctx context.Context, c UpdatePlan) (*streaming.Plan, error) {
	return h.updatePlan.Handle(ctx, c)
}

// Handle locks the plan, applies the set fields and bumps its version.
func (h UpdatePlanHandler) Handle(ctx context.Context, c UpdatePlan) (*streaming.Plan, error) {
	u := streaming.PlanUpdate{Name: c.Name, Description: c.Description, MaxStreams: c.MaxStreams,
		MaxQuality: c.MaxQuality, Available: c.Available}
	if c.MonthlyPrice != nil {
		cents, err := streaming.ParseCents(*c.MonthlyPrice)
		if err != nil {
			return nil, streaming.Invalid("monthly_price", "%v", err)
		}
		u.PriceCents = &cents
	}
	var p *streaming.Plan
	err := h.Tx.InTx(ctx, func(tx UpdatePlanTx) error {
		var err error
		if p, err = tx.PlanForUpdate(ctx, c.PlanID); err != nil {
			return err
		}
		if err := p.Apply(u); err != nil {
			return err
		}
		if err := tx.UpdatePlan(ctx, p); err != nil {
			return err
		}
		return appendPlanEvent(ctx, tx, now(h.Now), p, streaming.EventPlanUpdated)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}
