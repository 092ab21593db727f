package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

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
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if validUUID(id) {
			valid = append(valid, id)
		}
	}
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

// UpsertRating stores r (replacing the user's earlier rating of the title), writes back r.UpdatedAt and r.Version,
// and adds the change the rating makes to one of the title's aggregate shards (content_rating_shards): a new rating
// adds its stars and 1, a changed one the difference of stars. Nothing reads or locks the title's other ratings, so
// the cost does not grow with the title's ratings, and concurrent raters of one title wait only for those that drew
// the same shard. The title's row and version are not touched: the flusher publishes the new figures
// (RatingStore.FlushAggregates).
func (t *commandTx) UpsertRating(ctx context.Context, r *streaming.Rating) error {
	if !validUUID(r.ContentID) {
		return notFound("content")
	}
	old, found, err := t.lockOrInsertRating(ctx, r)
	if err != nil {
		return err
	}
	starsDelta, countDelta := int64(r.Stars), int64(1)
	if found {
		err := t.tx.QueryRow(ctx, `
			UPDATE ratings SET stars = $3, review = $4, updated_at = now(), version = version + 1
			WHERE user_id = $1 AND content_id = $2
			RETURNING updated_at, version`,
			r.UserID, r.ContentID, r.Stars, r.Review).Scan(&r.UpdatedAt, &r.Version)
		if err != nil {
			return mapErr(err, "rating")
		}
		starsDelta, countDelta = int64(r.Stars-old), 0
	}
	if starsDelta == 0 && countDelta == 0 {
		return nil // same stars again (a new review): the aggregate is unchanged
	}
	// Last statement of the rating: the shard's row lock is then held only until the commit that follows.
	_, err = t.tx.Exec(ctx, `
		INSERT INTO content_rating_shards AS s (content_id, shard, stars_sum, ratings, dirty_since)
		VALUES ($1, $2, $3, $4, now())
		ON CONFLICT (content_id, shard) DO UPDATE SET stars_sum = s.stars_sum + excluded.stars_sum,
			ratings = s.ratings + excluded.ratings, dirty_since = coalesce(s.dirty_since, excluded.dirty_since)`,
		r.ContentID, rand.IntN(RatingShards), starsDelta, countDelta)
	return mapErr(err, "rating")
}

// lockOrInsertRating locks the user's existing rating of the title and returns its stars (found), or inserts r as
// a new one. Locking first is what makes the delta exact: FOR UPDATE reads the latest committed stars and keeps
// them until commit. Two first ratings of one user and title at once: the second insert finds the first's row
// (ON CONFLICT DO NOTHING waits for it to commit), and the loop then locks and updates it.
func (t *commandTx) lockOrInsertRating(ctx context.Context, r *streaming.Rating) (old int32, found bool, err error) {
	for attempt := 0; attempt < 3; attempt++ {
		err = t.tx.QueryRow(ctx, `SELECT stars FROM ratings WHERE user_id = $1 AND content_id = $2 FOR UPDATE`,
			r.UserID, r.ContentID).Scan(&old)
		if err == nil {
			return old, true, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return 0, false, mapErr(err, "rating")
		}
		err = t.tx.QueryRow(ctx, `
			INSERT INTO ratings (user_id, content_id, stars, review) VALUES ($1, $2, $3, $4)
			ON CONFLICT (user_id, content_id) DO NOTHING
			RETURNING updated_at, version`,
			r.UserID, r.ContentID, r.Stars, r.Review).Scan(&r.UpdatedAt, &r.Version)
		if err == nil {
			return 0, false, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return 0, false, mapErr(err, "rating")
		}
	}
	return 0, false, fmt.Errorf("rating of %s by %s: neither found nor inserted after 3 attempts", r.ContentID, r.UserID)
}
