package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/streamingplatform/streaming/server/streaming"
)

// ListPlans pages through the plan catalog: available plans first, cheapest first, then by name and id, a total
// order. The page continues after the plan afterID at its current place in that order (keyset paging on the plan's
// own row, so a page token holds only an id); an id that is not a plan gives an empty page. The catalog is tens of
// rows: the sort over the table is cheaper than keeping an index for it.
func (s *ReadStore) ListPlans(ctx context.Context, limit int, afterID string) ([]streaming.Plan, error) {
	// The query asks for one plan more than its page to learn whether another page follows.
	if limit <= 0 {
		limit = defaultPageSize
	}
	limit = min(limit, maxPageSize+1)
	var after *string
	if afterID != "" {
		if !validUUID(afterID) {
			return []streaming.Plan{}, nil
		}
		after = &afterID
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+planColumns+` FROM plans p
		WHERE $1::uuid IS NULL OR (NOT p.available, p.monthly_price, p.name, p.id) >
			(SELECT NOT a.available, a.monthly_price, a.name, a.id FROM plans a WHERE a.id = $1::uuid)
		ORDER BY NOT available, monthly_price, name, id
		LIMIT $2`, after, limit)
	if err != nil {
		return nil, mapErr(err, "plan")
	}
	plans, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (streaming.Plan, error) {
		var p streaming.Plan
		err := scanPlan(row, &p)
		return p, err
	})
	if err != nil {
		return nil, mapErr(err, "plan")
	}
	return plans, nil
}
