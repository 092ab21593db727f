package readcheck

import (
	"context"
	"slices"

	"github.com/streamingplatform/streaming/server/postgres"
)

// idSource lists the PostgreSQL ids a check goes through, in the three ways Options ask for.
type idSource struct {
	sample func(ctx context.Context, n int) ([]string, error)                   // about n random ids, in id order
	among  func(ctx context.Context, ids []string) ([]string, error)            // the ids named by ids, in id order
	page   func(ctx context.Context, after string, limit int) ([]string, error) // a keyset page, in id order
}

// tableIDs lists the rows of table.
func tableIDs(pg *postgres.CheckSource, table postgres.Table) idSource {
	return idSource{
		sample: func(ctx context.Context, n int) ([]string, error) { return pg.SampleIDs(ctx, table, n) },
		among:  func(ctx context.Context, ids []string) ([]string, error) { return pg.RowsFor(ctx, table, ids) },
		page: func(ctx context.Context, after string, limit int) ([]string, error) {
			return pg.PageIDs(ctx, table, after, limit)
		},
	}
}

// erasedIDs lists the erased users.
func erasedIDs(pg *postgres.CheckSource) idSource {
	return idSource{sample: pg.SampleErasedUsers, among: pg.ErasedAmong, page: pg.ErasedUserPage}
}

// eachBatch calls fn with the ids of src to check, at most opts.BatchSize at a time, in id order: every row by
// keyset pagination, a random sample, or the rows named by opts.IDs.
func (c *checker) eachBatch(ctx context.Context, src idSource, fn func(ids []string) error) error {
	switch {
	case c.opts.Sample > 0:
		ids, err := src.sample(ctx, c.opts.Sample)
		if err != nil {
			return err
		}
		return chunks(ids, c.opts.BatchSize, fn)
	case len(c.opts.IDs) > 0:
		ids, err := src.among(ctx, c.opts.IDs)
		if err != nil {
			return err
		}
		return chunks(ids, c.opts.BatchSize, fn)
	}
	after := "" // the first page
	for {
		ids, err := src.page(ctx, after, c.opts.BatchSize)
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			if err := fn(ids); err != nil {
				return err
			}
		}
		if len(ids) < c.opts.BatchSize {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

func chunks(ids []string, size int, fn func([]string) error) error {
	for c := range slices.Chunk(ids, size) {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}
