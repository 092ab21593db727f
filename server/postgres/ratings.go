package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/streaming"
)

// ratingFlushLock names the advisory lock that lets one flusher of a schema run at a time (the others skip the pass),
// so no two fold the same ratings. Advisory locks are the database's, so the schema is part of the key: schemas
// sharing a database (the tests') do not hold back each other's flushes.
const ratingFlushLock = `hashtext(current_schema() || ':rating-flush')`

// RatingStore holds the statements that fold, publish, read and repair the titles' rating aggregates.
//
// A rating writes its own row only, marked pending (CommandStore.RecordRating). content.rating_sum and
// content.rating_count hold the sum and count of the stars counted so far (ratings.counted_stars); FlushAggregates
// folds the pending ratings' differences into them, so a title's exact aggregate at any snapshot is the stored one
// plus its pending ratings' differences (Aggregate).
type RatingStore struct{ pool *pgxpool.Pool }

// NewRatingStore returns the rating aggregate store over pool (migrated).
func NewRatingStore(pool *pgxpool.Pool) *RatingStore { return &RatingStore{pool: pool} }

// RatingAggregate is a title's rating figures: the sum of its stars and the number of its ratings.
type RatingAggregate struct {
	StarsSum, Ratings int64
}

// Avg is the average as content.rating_avg stores it (two decimals), 0 without ratings.
func (a RatingAggregate) Avg() float64 {
	if a.Ratings == 0 {
		return 0
	}
	// The same rounding as numeric's round(x, 2) (half away from zero) on exact integers.
	return float64((a.StarsSum*200/a.Ratings+1)/2) / 100
}

// Aggregate is the title's exact aggregate now: the counted sum and count plus its pending ratings' differences, in
// one snapshot (zero for a title without ratings).
func (s *RatingStore) Aggregate(ctx context.Context, contentID string) (RatingAggregate, error) {
	var a RatingAggregate
	if !validUUID(contentID) {
		return a, notFound("content")
	}
	err := s.pool.QueryRow(ctx, `
		SELECT c.rating_sum + coalesce(p.s, 0), c.rating_count + coalesce(p.n, 0)
		FROM content c LEFT JOIN LATERAL (
			SELECT sum(stars - coalesce(counted_stars, 0))::bigint s, count(*) FILTER (WHERE counted_stars IS NULL) n
			FROM ratings WHERE content_id = c.id AND pending) p ON true
		WHERE c.id = $1`, contentID).Scan(&a.StarsSum, &a.Ratings)
	return a, mapErr(err, "content")
}

// FlushAggregates folds up to limit pending ratings into their titles' aggregates and publishes them, in one
// transaction: it takes the pending ratings with their rows locked (a rater of one of them waits for the commit and
// then marks it pending again; ratings being written are skipped and taken by the next pass), clears their marks and
// records their stars as counted, adds each title's difference to content.rating_sum/rating_count and writes the
// figures (rating_avg, rating_seq + 1), then appends one ContentRatingAggregated event per title whose figures
// changed and one RatingChanged event per rating (for the graph). It returns the titles published and whether
// ratings may remain (limit were taken); nothing when another flusher holds the cluster-wide flush lock.
func (s *RatingStore) FlushAggregates(ctx context.Context, limit int) (titles int, more bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(`+ratingFlushLock+`)`).Scan(&locked); err != nil || !locked {
			return err
		}
		rows, err := tx.Query(ctx, `
			WITH picked AS (
				SELECT user_id, content_id, stars, counted_stars, version, updated_at FROM ratings
				WHERE pending ORDER BY content_id, user_id LIMIT $1 FOR UPDATE SKIP LOCKED
			), counted AS (
				UPDATE ratings r SET pending = false, counted_stars = p.stars
				FROM picked p WHERE r.user_id = p.user_id AND r.content_id = p.content_id
			)
			SELECT content_id::text, user_id::text, stars, counted_stars, version, updated_at FROM picked`, limit)
		if err != nil {
			return err
		}
		type change struct{ sum, count int64 }
		changes := map[string]change{}
		var evTypes, evAggs, evIDs, payloads []string
		var versions []int64
		var (
			p       streaming.RatingPayload
			counted *int32
			version int64
			picked  int
		)
		if _, err := pgx.ForEachRow(rows, []any{&p.ContentID, &p.UserID, &p.Stars, &counted, &version, &p.UpdatedAt}, func() error {
			picked++
			c := changes[p.ContentID]
			if counted == nil {
				c.sum, c.count = c.sum+int64(p.Stars), c.count+1
			} else {
				c.sum += int64(p.Stars - *counted)
			}
			changes[p.ContentID] = c
			p.UpdatedAt = p.UpdatedAt.UTC()
			b, err := json.Marshal(p)
			if err != nil {
				return err
			}
			evTypes, evAggs = append(evTypes, streaming.EventRatingChanged), append(evAggs, streaming.AggregateRating)
			evIDs, versions = append(evIDs, streaming.RatingAggregateID(p.ContentID, p.UserID)), append(versions, version)
			payloads = append(payloads, string(b))
			return nil
		}); err != nil {
			return err
		}
		more = picked == limit
		ids := make([]string, 0, len(changes))
		sums := make([]int64, 0, len(changes))
		counts := make([]int64, 0, len(changes))
		for id, c := range changes {
			if c != (change{}) { // re-rated with the same stars: the figures stay, nothing to publish
				ids, sums, counts = append(ids, id), append(sums, c.sum), append(counts, c.count)
			}
		}
		if len(ids) > 0 {
			rows, err = tx.Query(ctx, `
				UPDATE content c SET rating_sum = c.rating_sum + a.s, rating_count = c.rating_count + a.n,
					rating_seq = c.rating_seq + 1,
					rating_avg = CASE WHEN c.rating_count + a.n = 0 THEN 0
						ELSE round((c.rating_sum + a.s)::numeric / (c.rating_count + a.n), 2) END
				FROM unnest($1::uuid[], $2::bigint[], $3::bigint[]) AS a(id, s, n)
				WHERE c.id = a.id
				RETURNING c.id::text, c.version, c.rating_avg::float8, c.rating_count, c.rating_seq`, ids, sums, counts)
			if err != nil {
				return err
			}
			var a streaming.RatingAggregatePayload
			if _, err := pgx.ForEachRow(rows, []any{&a.ContentID, &version, &a.RatingAvg, &a.RatingCount, &a.RatingSeq}, func() error {
				b, err := json.Marshal(a)
				if err != nil {
					return err
				}
				evTypes, evAggs = append(evTypes, streaming.EventContentRatingAggregated), append(evAggs, streaming.AggregateContent)
				evIDs, versions, payloads = append(evIDs, a.ContentID), append(versions, version), append(payloads, string(b))
				titles++
				return nil
			}); err != nil {
				return err
			}
		}
		if len(evIDs) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO outbox (aggregate_type, aggregate_id, version, event_type, payload, occurred_at)
			SELECT e.a, e.id, e.v, e.t, e.p::jsonb, now()
			FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[]) AS e(a, id, v, t, p)`,
			evAggs, evIDs, versions, evTypes, payloads)
		return err
	})
	if err != nil {
		return 0, false, mapErr(err, "")
	}
	return titles, more, nil
}

// RatingDifference is a title whose stored aggregate differs from a recount of its ratings.
type RatingDifference struct {
	ContentID       string
	Stored, Counted RatingAggregate
}

func (d RatingDifference) String() string {
	return fmt.Sprintf("content %s: stored %d stars over %d ratings (avg %.2f), recount %d over %d (avg %.2f)",
		d.ContentID, d.Stored.StarsSum, d.Stored.Ratings, d.Stored.Avg(), d.Counted.StarsSum, d.Counted.Ratings,
		d.Counted.Avg())
}

// RepairAggregates recounts every title's aggregate from the ratings table and returns the titles whose stored
// aggregate (content.rating_sum/rating_count plus the pending ratings' differences) differs. The comparison is one
// statement, so one snapshot: a rating and its pending mark commit together, and a flush moves a difference from
// the pending ratings to the title in one commit, so raters and flushes running meanwhile cannot show up as
// differences. With fix, each differing title's counted sum and count are recounted from its counted ratings under
// the lock of the title's row, and its figures published. The scan reads every rating once: an operator's command,
// not something to run per request.
func (s *RatingStore) RepairAggregates(ctx context.Context, fix bool) ([]RatingDifference, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT c.id::text, c.rating_sum + coalesce(r.pending_s, 0), c.rating_count + coalesce(r.pending_n, 0),
			coalesce(r.s, 0), coalesce(r.n, 0)
		FROM content c LEFT JOIN (
			SELECT content_id, sum(stars)::bigint s, count(*) n,
				sum(stars - coalesce(counted_stars, 0)) FILTER (WHERE pending)::bigint pending_s,
				count(*) FILTER (WHERE pending AND counted_stars IS NULL) pending_n
			FROM ratings GROUP BY content_id) r ON r.content_id = c.id
		WHERE c.rating_sum + coalesce(r.pending_s, 0) <> coalesce(r.s, 0)
			OR c.rating_count + coalesce(r.pending_n, 0) <> coalesce(r.n, 0)
		ORDER BY 1`)
	if err != nil {
		return nil, mapErr(err, "")
	}
	var out []RatingDifference
	var d RatingDifference
	if _, err := pgx.ForEachRow(rows, []any{&d.ContentID, &d.Stored.StarsSum, &d.Stored.Ratings, &d.Counted.StarsSum,
		&d.Counted.Ratings}, func() error {
		out = append(out, d)
		return nil
	}); err != nil {
		return nil, mapErr(err, "")
	}
	if !fix {
		return out, nil
	}
	for _, d := range out {
		if err := s.fixAggregate(ctx, d.ContentID); err != nil {
			return out, fmt.Errorf("fix content %s: %w", d.ContentID, err)
		}
	}
	return out, nil
}

// fixAggregate sets the title's counted sum and count to those of its counted ratings, under the lock of the title's
// row, publishes the figures (one ContentRatingAggregated event) and returns. A flush in progress has locked its
// ratings and waits for the title's row: its difference, computed against the counted stars it found, lands on top
// of the recount after this commits (the recount's snapshot does not include that flush's counted stars, which
// commit with its difference).
func (s *RatingStore) fixAggregate(ctx context.Context, contentID string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM content WHERE id = $1 FOR UPDATE`, contentID); err != nil {
			return mapErr(err, "content")
		}
		// A new statement: its snapshot includes every flush committed before the lock was granted.
		var a streaming.RatingAggregatePayload
		var version int64
		err := tx.QueryRow(ctx, `
			WITH recount AS (
				SELECT coalesce(sum(counted_stars), 0)::bigint s, count(counted_stars) n FROM ratings WHERE content_id = $1)
			UPDATE content c SET rating_sum = recount.s, rating_count = recount.n, rating_seq = c.rating_seq + 1,
				rating_avg = CASE WHEN recount.n = 0 THEN 0 ELSE round(recount.s::numeric / recount.n, 2) END
			FROM recount WHERE c.id = $1
			RETURNING c.id::text, c.version, c.rating_avg::float8, c.rating_count, c.rating_seq`, contentID).
			Scan(&a.ContentID, &version, &a.RatingAvg, &a.RatingCount, &a.RatingSeq)
		if err != nil {
			return err
		}
		b, err := json.Marshal(a)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO outbox (aggregate_type, aggregate_id, version, event_type, payload, occurred_at)
			VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
			streaming.AggregateContent, a.ContentID, version, streaming.EventContentRatingAggregated, string(b), time.Now())
		return err
	})
}
