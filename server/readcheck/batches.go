package readcheck

import (
	"context"
	"slices"

	"github.com/streamingplatform/streaming/server/postgres"
)

// eachBatch calls fn with the ids of table to check, at most opts.BatchSize at a time, in id order: every row by
// keyset pagination, a random sample, or the rows named by opts.IDs.
func (c *checker) eachBatch(ctx context.Context, table postgres.Table, fn func(ids []string) error) error {
	pg := c.src.Postgres
	switch {
	case c.opts.Sample > 0:
		ids, err := pg.SampleIDs(ctx, table, c.opts.Sample)
		if err != nil {
			return err
		}
		return chunks(ids, c.opts.BatchSize, fn)
	case len(c.opts.IDs) > 0:
		ids, err := pg.RowsFor(ctx, table, c.opts.IDs)
		if err != nil {
			return err
		}
		return chunks(ids, c.opts.BatchSize, fn)
	}
	after := "" // the first page
	for {
		ids, err := pg.PageIDs(ctx, table, after, c.opts.BatchSize)
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
