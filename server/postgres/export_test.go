package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Snapshot exposes ReadStore's transaction to the tests, which check that it refuses writes.
func (s *ReadStore) Snapshot(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return s.snapshot(ctx, fn)
}
