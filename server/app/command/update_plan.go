package command

import (
	"context"
	"strings"
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
	var cents int64
	if c.MonthlyPrice != nil {
		var err error
		if cents, err = streaming.ParseCents(*c.MonthlyPrice); err != nil {
			return nil, streaming.Invalid("monthly_price", "%v", err)
		}
	}
	var p *streaming.Plan
	err := h.Tx.InTx(ctx, func(tx UpdatePlanTx) error {
		var err error
		if p, err = tx.PlanForUpdate(ctx, c.PlanID); err != nil {
			return err
		}
		if c.Name != nil {
			p.Name = strings.TrimSpace(*c.Name)
		}
		if c.Description != nil {
			p.Description = *c.Description
		}
		if c.MonthlyPrice != nil {
			p.PriceCents = cents
		}
		if c.MaxStreams != nil {
			p.MaxStreams = *c.MaxStreams
		}
		if c.MaxQuality != nil {
			p.MaxQuality = *c.MaxQuality
		}
		if c.Available != nil {
			p.Available = *c.Available
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
