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
	return rate(ctx, t.tx, r, nil)
}

// RecordRating rates and appends ev in one statement, autocommitted: one round trip for the whole rating (a
// transaction around it would add BEGIN and COMMIT, and a separate outbox insert a third). A serialization failure
// or deadlock runs it again, as InTx would.
func (s *CommandStore) RecordRating(ctx context.Context, r *streaming.Rating, ev streaming.Event) error {
	for attempt := 0; ; attempt++ {
		err := rate(ctx, s.pool, r, &ev)
		if err == nil || attempt == maxRetries || !retryable(err) {
			return err
		}
	}
}

// queryRower is what rate needs of a pool or a transaction.
type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// rate stores r and adjusts the title's aggregate; with ev it also appends ev (its version the rating's new one),
// in the same statement. r.UpdatedAt, when set, is the time stored; else the server's clock.
func rate(ctx context.Context, q queryRower, r *streaming.Rating, ev *streaming.Event) error {
	if !validUUID(r.ContentID) {
		return notFound("content")
	}
	if !validUUID(r.UserID) {
		return notFound("user")
	}
	shard := rand.IntN(RatingShards)
	var at any
	if !r.UpdatedAt.IsZero() {
		at = r.UpdatedAt
	}
	var typ, aggType, aggID, payload, occurred any // NULL: no event
	trace := ""
	if ev != nil {
		payload = string(ev.Payload)
		if payload == "" {
			payload = "{}"
		}
		typ, aggType, aggID, occurred = ev.Type, ev.AggregateType, ev.AggregateID, timeOrNil(ev.OccurredAt)
		trace = traceContext(ctx, *ev)
	}
	// One statement, one round trip: lock the user's earlier rating (FOR UPDATE reads its latest committed stars and
	// keeps them until commit, which is what makes the delta exact), update it or insert the new one, add the
	// difference to the drawn shard and, given an event, append it. The shard's row lock is then held only until the
	// commit. No row back means a first rating of this user and title committed between the statement's snapshot and
	// its insert (ON CONFLICT DO NOTHING waited for it): nothing was written, and the next attempt sees it, locks it
	// and updates it.
	for attempt := 0; attempt < 3; attempt++ {
		var version int64
		err := q.QueryRow(ctx, `
			WITH old AS (
				SELECT stars FROM ratings WHERE user_id = $1 AND content_id = $2 FOR UPDATE
			), ins AS (
				INSERT INTO ratings (user_id, content_id, stars, review, updated_at)
				SELECT $1, $2, $3, $4, coalesce($6::timestamptz, now()) WHERE NOT EXISTS (SELECT 1 FROM old)
				ON CONFLICT (user_id, content_id) DO NOTHING
				RETURNING updated_at, version, 0 AS old_stars, 1 AS added
			), upd AS (
				UPDATE ratings r SET stars = $3, review = $4, updated_at = coalesce($6::timestamptz, now()), version = r.version + 1
				FROM old WHERE r.user_id = $1 AND r.content_id = $2
				RETURNING r.updated_at, r.version, old.stars AS old_stars, 0 AS added
			), done AS (
				SELECT * FROM ins UNION ALL SELECT * FROM upd
			), shard AS (
				INSERT INTO content_rating_shards AS s (content_id, shard, stars_sum, ratings, dirty_since)
				SELECT $2, $5, $3 - old_stars, added, now() FROM done WHERE $3 - old_stars <> 0 OR added <> 0
				ON CONFLICT (content_id, shard) DO UPDATE SET stars_sum = s.stars_sum + excluded.stars_sum,
					ratings = s.ratings + excluded.ratings, dirty_since = coalesce(s.dirty_since, excluded.dirty_since)
			), event AS (
				INSERT INTO outbox (aggregate_type, aggregate_id, version, event_type, payload, occurred_at, trace_context)
				SELECT $7, $8, version, $9, $10::jsonb, coalesce($11::timestamptz, now()), nullif($12, '')
				FROM done WHERE $9::text IS NOT NULL
			)
			SELECT updated_at, version FROM done`,
			r.UserID, r.ContentID, r.Stars, r.Review, shard, at, aggType, aggID, typ, payload, occurred, trace).Scan(&r.UpdatedAt, &version)
		if err == nil {
			r.Version = version
			if ev != nil {
				ev.Version = version
			}
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return mapErr(err, "rating")
		}
	}
	return fmt.Errorf("rating of %s by %s: neither found nor inserted after 3 attempts", r.ContentID, r.UserID)
}
