package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/streamingplatform/streaming/server/streaming"
)

const planColumns = `id, name, description, (monthly_price * 100)::bigint, currency, max_streams, max_quality, available,
	version, created_at, updated_at`

func scanPlan(row pgx.Row, p *streaming.Plan) error {
	return row.Scan(&p.ID, &p.Name, &p.Description, &p.PriceCents, &p.Currency, &p.MaxStreams, &p.MaxQuality,
		&p.Available, &p.Version, &p.CreatedAt, &p.UpdatedAt)
}

// CreatePlan stores p and writes back its id, Version 1 and timestamps. A taken name is a CodeConflict.
func (t *commandTx) CreatePlan(ctx context.Context, p *streaming.Plan) error {
	row := t.tx.QueryRow(ctx, `
		INSERT INTO plans (id, name, description, monthly_price, currency, max_streams, max_quality, available)
		VALUES (`+newID+`, $2, $3, $4::bigint / 100.0, $5, $6, $7, $8)
		RETURNING `+planColumns,
		p.ID, p.Name, p.Description, p.PriceCents, p.Currency, p.MaxStreams, p.MaxQuality, p.Available)
	return mapErr(scanPlan(row, p), "plan")
}

func (t *commandTx) PlanByID(ctx context.Context, id string) (*streaming.Plan, error) {
	return planByID(ctx, t.tx, id)
}

func planByID(ctx context.Context, q querier, id string) (*streaming.Plan, error) {
	if !validUUID(id) {
		return nil, notFound("plan")
	}
	return queryOne(ctx, q, "plan", scanPlan, `SELECT `+planColumns+` FROM plans WHERE id = $1`, id)
}

func (t *commandTx) PlanForUpdate(ctx context.Context, id string) (*streaming.Plan, error) {
	if !validUUID(id) {
		return nil, notFound("plan")
	}
	return queryOne(ctx, t.tx, "plan", scanPlan, `SELECT `+planColumns+` FROM plans WHERE id = $1 FOR UPDATE`, id)
}

// UpdatePlan writes every field of p, bumps its version and writes back Version and UpdatedAt.
func (t *commandTx) UpdatePlan(ctx context.Context, p *streaming.Plan) error {
	if !validUUID(p.ID) {
		return notFound("plan")
	}
	row := t.tx.QueryRow(ctx, `
		UPDATE plans SET name = $2, description = $3, monthly_price = $4::bigint / 100.0, currency = $5,
			max_streams = $6, max_quality = $7, available = $8, version = version + 1, updated_at = now()
		WHERE id = $1
		RETURNING `+planColumns,
		p.ID, p.Name, p.Description, p.PriceCents, p.Currency, p.MaxStreams, p.MaxQuality, p.Available)
	return mapErr(scanPlan(row, p), "plan")
}
