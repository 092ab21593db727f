package command

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/streaming"
)

type CreatePlan struct {
	Name, Description, MonthlyPrice, Currency string
	MaxStreams                                int32
	MaxQuality                                string
	Available                                 bool
}

// CreatePlanTx is what creating a plan touches.
type CreatePlanTx interface {
	streaming.Plans
	streaming.Outbox
}

// CreatePlanHandler adds plans to the catalog of plans.
type CreatePlanHandler struct {
	Tx  streaming.UnitOfWork[CreatePlanTx]
	Now func() time.Time
}

func (h *Handler) CreatePlan(ctx context.Context, c CreatePlan) (*streaming.Plan, error) {
	return h.createPlan.Handle(ctx, c)
}

// Handle creates the plan of c; its price must be a decimal amount.
func (h CreatePlanHandler) Handle(ctx context.Context, c CreatePlan) (*streaming.Plan, error) {
	cents, err := streaming.ParseCents(c.MonthlyPrice)
	if err != nil {
		return nil, streaming.Invalid("monthly_price", "%v", err)
	}
	p := &streaming.Plan{ID: uuid.NewString(), Name: strings.TrimSpace(c.Name), Description: c.Description,
		PriceCents: cents, Currency: c.Currency, MaxStreams: c.MaxStreams, MaxQuality: c.MaxQuality, Available: c.Available}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	err = h.Tx.InTx(ctx, func(tx CreatePlanTx) error {
		if err := tx.CreatePlan(ctx, p); err != nil {
			return err
		}
		return appendPlanEvent(ctx, tx, now(h.Now), p, streaming.EventPlanCreated)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func appendPlanEvent(ctx context.Context, out streaming.Outbox, at time.Time, p *streaming.Plan, typ string) error {
	ev, err := event(at, streaming.AggregatePlan, p.ID, p.Version, typ, streaming.NewPlanPayload(p))
	if err != nil {
		return err
	}
	return out.AppendEvent(ctx, ev)
}
