package command

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/streaming"
)

type CreatePlan struct {
	Name, Description, MonthlyPrice, Currency string
	MaxStreams                                int32
	MaxQuality                                string
	Available                                 bool
}

func (h *Handler) CreatePlan(ctx context.Context, c CreatePlan) (*streaming.Plan, error) {
	cents, err := streaming.ParseCents(c.MonthlyPrice)
	if err != nil {
		return nil, streaming.Invalid("monthly_price", "%v", err)
	}
	p := &streaming.Plan{ID: uuid.NewString(), Name: strings.TrimSpace(c.Name), Description: c.Description,
		PriceCents: cents, Currency: c.Currency, MaxStreams: c.MaxStreams, MaxQuality: c.MaxQuality, Available: c.Available}
	err = h.Store.InTx(ctx, func(tx streaming.CommandTx) error {
		if err := tx.CreatePlan(ctx, p); err != nil {
			return err
		}
		return h.appendPlanEvent(ctx, tx, p, streaming.EventPlanCreated)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (h *Handler) appendPlanEvent(ctx context.Context, tx streaming.CommandTx, p *streaming.Plan, typ string) error {
	ev, err := h.event(streaming.AggregatePlan, p.ID, p.Version, typ, streaming.NewPlanPayload(p))
	if err != nil {
		return err
	}
	return tx.AppendEvent(ctx, ev)
}
