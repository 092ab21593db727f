package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/streaming"
)

// RebuildSource pages through the source of truth for a rebuild of the read models (server/rebuild). Each page is one
// keyset-paginated statement in id order, so a rebuild of any size holds one page at a time and never a long
// transaction; pages are not one snapshot, which the rebuild does not need: every write it makes is versioned, and
// what changes meanwhile is projected by the relay as well.
type RebuildSource struct{ pool *pgxpool.Pool }

// NewRebuildSource returns the rebuild source over pool (migrated).
func NewRebuildSource(pool *pgxpool.Pool) *RebuildSource { return &RebuildSource{pool: pool} }

// RatedContent is a title with the sequence number of its published rating figures (content.rating_seq), which
// orders ContentRatingAggregated events.
type RatedContent struct {
	streaming.Content
	RatingSeq int64
}

// Plans returns up to limit plans with ids after after ("" for the first page).
func (s *RebuildSource) Plans(ctx context.Context, after string, limit int) ([]streaming.Plan, error) {
	return pageRows(ctx, s.pool, scanPlan, `SELECT `+planColumns+` FROM plans WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`,
		keyOrNil(after), limit)
}

// Users returns up to limit users (without their password hashes) with ids after after. Erased users are left out:
// their read models hold tombstones, which a rebuild leaves alone.
func (s *RebuildSource) Users(ctx context.Context, after string, limit int) ([]streaming.User, error) {
	users, err := pageRows(ctx, s.pool, scanUser, `SELECT `+userColumns+` FROM users
		WHERE ($1::uuid IS NULL OR id > $1::uuid) AND erased_at IS NULL ORDER BY id LIMIT $2`, keyOrNil(after), limit)
	for i := range users {
		users[i].PasswordHash = ""
	}
	return users, err
}

// Subscriptions returns up to limit subscriptions of users not erased, with ids after after.
func (s *RebuildSource) Subscriptions(ctx context.Context, after string, limit int) ([]streaming.Subscription, error) {
	return pageRows(ctx, s.pool, scanSubscription, `SELECT `+subscriptionColumns+` FROM subscriptions
		WHERE ($1::uuid IS NULL OR id > $1::uuid) AND user_id IN (SELECT id FROM users WHERE erased_at IS NULL)
		ORDER BY id LIMIT $2`, keyOrNil(after), limit)
}

// Contents returns up to limit titles with ids after after, with their published rating figures' sequence number.
func (s *RebuildSource) Contents(ctx context.Context, after string, limit int) ([]RatedContent, error) {
	return pageRows(ctx, s.pool, func(row pgx.Row, c *RatedContent) error {
		return row.Scan(&c.ID, &c.Title, &c.Description, &c.Type, &c.Genres, &c.Actors, &c.Seasons, &c.ReleaseYear,
			&c.DurationSeconds, &c.RatingAvg, &c.RatingCount, &c.Version, &c.UpdatedAt, &c.RatingSeq)
	}, `SELECT `+contentColumns+`, rating_seq FROM content WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`,
		keyOrNil(after), limit)
}

// Ratings returns up to limit ratings by users not erased, after the rating (afterUser, afterContent) in (user,
// title) order ("" and "" for the first page). The review is not read: no read model holds it.
func (s *RebuildSource) Ratings(ctx context.Context, afterUser, afterContent string, limit int) ([]streaming.Rating, error) {
	return pageRows(ctx, s.pool, func(row pgx.Row, r *streaming.Rating) error {
		return row.Scan(&r.UserID, &r.ContentID, &r.Stars, &r.UpdatedAt, &r.Version)
	}, `SELECT r.user_id::text, r.content_id::text, r.stars, r.updated_at, r.version FROM ratings r
		JOIN users u ON u.id = r.user_id AND u.erased_at IS NULL
		WHERE $1::uuid IS NULL OR (r.user_id, r.content_id) > ($1::uuid, $2::uuid)
		ORDER BY r.user_id, r.content_id LIMIT $3`, keyOrNil(afterUser), keyOrNil(afterContent), limit)
}

// keyOrNil is a page's key as a query argument: nil (SQL NULL) for the first page.
func keyOrNil(after string) *string {
	if after == "" {
		return nil
	}
	return &after
}

// pageRows runs a query on the pool and scans every row into a T.
func pageRows[T any](ctx context.Context, pool *pgxpool.Pool, scan func(pgx.Row, *T) error, sql string, args ...any) ([]T, error) {
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, mapErr(err, "")
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, mapErr(err, "")
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "")
	}
	return out, nil
}
