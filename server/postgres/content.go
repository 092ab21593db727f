package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/streamingplatform/streaming/server/streaming"
)

const contentColumns = `id, title, description, type, genres, actors, seasons, release_year, duration_seconds,
	rating_avg::float8, rating_count, version, updated_at`

func scanContent(row pgx.Row, c *streaming.Content) error {
	return row.Scan(&c.ID, &c.Title, &c.Description, &c.Type, &c.Genres, &c.Actors, &c.Seasons, &c.ReleaseYear,
		&c.DurationSeconds, &c.RatingAvg, &c.RatingCount, &c.Version, &c.UpdatedAt)
}

// UpsertContent inserts c or replaces every catalog field of the title with that id, keeping its rating figures, and
// writes back the stored row (Version, rating figures, UpdatedAt). The insert-or-update is one statement, so two
// concurrent upserts of a new id cannot both insert.
func (t *commandTx) UpsertContent(ctx context.Context, c *streaming.Content) (bool, error) {
	// xmax is 0 only on a row version this statement inserted; an updated row carries the updating transaction's id.
	row := t.tx.QueryRow(ctx, `
		INSERT INTO content AS c (id, title, description, type, genres, actors, seasons, release_year, duration_seconds)
		VALUES (`+newID+`, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description,
			type = excluded.type, genres = excluded.genres, actors = excluded.actors, seasons = excluded.seasons,
			release_year = excluded.release_year, duration_seconds = excluded.duration_seconds,
			version = c.version + 1, updated_at = now()
		RETURNING c.xmax = 0, `+contentColumns,
		c.ID, c.Title, c.Description, c.Type, nonNil(c.Genres), nonNil(c.Actors), c.Seasons, c.ReleaseYear,
		c.DurationSeconds)
	var created bool
	err := row.Scan(&created, &c.ID, &c.Title, &c.Description, &c.Type, &c.Genres, &c.Actors, &c.Seasons,
		&c.ReleaseYear, &c.DurationSeconds, &c.RatingAvg, &c.RatingCount, &c.Version, &c.UpdatedAt)
	if err != nil {
		return false, mapErr(err, "content")
	}
	return created, nil
}

func (t *commandTx) ContentByID(ctx context.Context, id string) (*streaming.Content, error) {
	if !validUUID(id) {
		return nil, notFound("content")
	}
	return queryOne(ctx, t.tx, "content", scanContent, `SELECT `+contentColumns+` FROM content WHERE id = $1`, id)
}

// ContentsByID returns the titles among ids that exist, in no particular order, with one query.
func (t *commandTx) ContentsByID(ctx context.Context, ids []string) ([]streaming.Content, error) {
	return contentsByID(ctx, t.tx, ids)
}

func contentsByID(ctx context.Context, q querier, ids []string) ([]streaming.Content, error) {
	valid := validUUIDs(ids)
	if len(valid) == 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, `SELECT `+contentColumns+` FROM content WHERE id = ANY($1::uuid[])`, valid)
	if err != nil {
		return nil, mapErr(err, "content")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (streaming.Content, error) {
		var c streaming.Content
		return c, scanContent(row, &c)
	})
	if err != nil {
		return nil, mapErr(err, "content")
	}
	return out, nil
}

// validUUIDs are the ids that are UUIDs: the others name no row, and PostgreSQL would refuse the whole array.
func validUUIDs(ids []string) []string {
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if validUUID(id) {
			valid = append(valid, id)
		}
	}
	return valid
}
