package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/streaming"
)

// RecordRating upserts the rating's row, marked pending, in one autocommitted statement. The flusher
// (RatingStore.FlushAggregates) folds it into the title's aggregate and publishes it. Nothing reads or locks the title
// or its other ratings, so the cost does not grow with the title's ratings, and raters of one title never wait for
// each other. r.UpdatedAt, when set, is the time stored; else the server's clock.
//
// Ratings arriving together share their statement (groupcommit): a rating that finds a free slot is written at once,
// alone; while every slot is busy the ratings that arrive queue, and the next free slot writes them all in one
// statement and one commit (at most RatingBatchMax, of distinct raters and titles). On a title many users rate at
// once, the commit and the round trip are then paid per batch instead of per rating, and nobody waits for a batch to
// fill. Each rating still gets its own answer, and a refused rating costs its batch-mates nothing (writeRatings).
func (s *CommandStore) RecordRating(ctx context.Context, r *streaming.Rating) error {
	if !validUUID(r.ContentID) {
		return notFound("content")
	}
	if !validUUID(r.UserID) {
		return notFound("user")
	}
	return s.ratings.Do(ctx, r)
}

// RatingBatchMax is the most ratings one statement writes.
const RatingBatchMax = 64

// RatingSlots is how many of RecordRating's statements run at once over pool: each holds a connection, and half the
// pool stays for the other commands.
func RatingSlots(pool *pgxpool.Pool) int { return max(1, int(pool.Config().MaxConns)/2) }

// ratingKey is what a rating writes: its row. validUUID's form, lower-cased, is PostgreSQL's text form of a uuid.
func ratingKey(r *streaming.Rating) string { return strings.ToLower(r.UserID + r.ContentID) }

// writeRatings upserts a batch of ratings of distinct rows in one statement and writes back each one's time and
// version. The statement leaves out the ratings of a missing user or title, which are then written on their own (and
// answered CodeNotFound), so one bad rating does not cost its batch; when the statement is refused as a whole for one
// rating's sake all the same (a value out of range, a user deleted meanwhile), each rating is written on its own.
func (s *CommandStore) writeRatings(ctx context.Context, batch []*streaming.Rating) []error {
	if len(batch) == 1 {
		return oneError(s.writeRating(ctx, batch[0]))
	}
	users, contents := make([]string, len(batch)), make([]string, len(batch))
	stars, reviews, ats := make([]int32, len(batch)), make([]string, len(batch)), make([]*time.Time, len(batch))
	index := make(map[string]int, len(batch))
	for i, r := range batch {
		users[i], contents[i], stars[i], reviews[i] = r.UserID, r.ContentID, r.Stars, r.Review
		if !r.UpdatedAt.IsZero() {
			ats[i] = &r.UpdatedAt
		}
		index[ratingKey(r)] = i
	}
	written := make([]bool, len(batch))
	rows, err := s.pool.Query(ctx, `
		INSERT INTO ratings (user_id, content_id, stars, review, updated_at, pending)
		SELECT i.u, i.c, i.st, i.rv, coalesce(i.at, now()), true
		FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::timestamptz[]) AS i(u, c, st, rv, at)
		WHERE EXISTS (SELECT FROM users WHERE id = i.u) AND EXISTS (SELECT FROM content WHERE id = i.c)
		ON CONFLICT (user_id, content_id) DO UPDATE SET stars = excluded.stars, review = excluded.review,
			updated_at = excluded.updated_at, version = ratings.version + 1, pending = true
		RETURNING user_id::text || content_id::text, updated_at, version`, users, contents, stars, reviews, ats)
	if err == nil {
		var (
			key     string
			at      time.Time
			version int64
		)
		_, err = pgx.ForEachRow(rows, []any{&key, &at, &version}, func() error {
			i, ok := index[key]
			if !ok || written[i] {
				return fmt.Errorf("postgres: a batch of ratings returned row %s, which it did not write once", key)
			}
			batch[i].UpdatedAt, batch[i].Version, written[i] = at, version, true
			return nil
		})
	}
	switch {
	case err != nil && !refusedForOne(err):
		err = mapErr(err, "rating")
		errs := make([]error, len(batch))
		for i := range errs {
			errs[i] = err
		}
		return errs
	case err != nil:
		clear(written) // nothing was written: the statement failed as a whole
	}
	var errs []error
	for i, r := range batch {
		if written[i] {
			continue
		}
		if err := s.writeRating(ctx, r); err != nil {
			if errs == nil {
				errs = make([]error, len(batch))
			}
			errs[i] = err
		}
	}
	return errs
}

// refusedForOne reports whether a statement was refused for what one of its rows holds (integrity or data: class 23
// or 22), or because two of its rows named one row (21000), rather than for a reason all its rows share.
func refusedForOne(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "23") || strings.HasPrefix(pgErr.Code, "22") ||
		pgErr.Code == "21000")
}

func oneError(err error) []error {
	if err == nil {
		return nil
	}
	return []error{err}
}

// writeRating upserts one rating's row, marked pending, and writes back its time and version.
func (s *CommandStore) writeRating(ctx context.Context, r *streaming.Rating) error {
	var at any
	if !r.UpdatedAt.IsZero() {
		at = r.UpdatedAt
	}
	err := s.pool.QueryRow(ctx, `
		INSERT INTO ratings (user_id, content_id, stars, review, updated_at, pending)
		VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, now()), true)
		ON CONFLICT (user_id, content_id) DO UPDATE SET stars = excluded.stars, review = excluded.review,
			updated_at = excluded.updated_at, version = ratings.version + 1, pending = true
		RETURNING updated_at, version`,
		r.UserID, r.ContentID, r.Stars, r.Review, at).Scan(&r.UpdatedAt, &r.Version)
	return mapErr(err, "rating")
}
