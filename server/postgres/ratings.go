package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/streaming"
)

// RatingShards is how many counter rows (content_rating_shards) a title's rating aggregate is spread over. A rater
// holds its shard's row lock from the update until its commit (about one WAL flush), so one row would admit about
// one rating per commit time for the whole title; with 16 rows, 32 concurrent raters of one title mostly find a
// free shard (two of them share one with probability 1/16), while a flush or a repair sums just 16 small rows.
const RatingShards = 16

// ratingFlushLock is the advisory lock key that lets one flusher in the cluster run at a time (the others skip the
// pass): two flushers would otherwise take the same shard rows in different orders.
const ratingFlushLock = 0x7261746e67 // "ratng"

// RatingStore holds the statements that publish, read and repair the titles' rating aggregates.
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

// Aggregate is the title's exact aggregate now: the sum over its shards (zero for a title without ratings).
func (s *RatingStore) Aggregate(ctx context.Context, contentID string) (RatingAggregate, error) {
	var a RatingAggregate
	if !validUUID(contentID) {
		return a, notFound("content")
	}
	err := s.pool.QueryRow(ctx, `
		SELECT coalesce(sum(stars_sum), 0)::bigint, coalesce(sum(ratings), 0)::bigint
		FROM content_rating_shards WHERE content_id = $1`, contentID).Scan(&a.StarsSum, &a.Ratings)
	return a, mapErr(err, "content")
}

// FlushAggregates publishes the figures of up to limit titles rated since their last publication, in one
// transaction: it clears their shards' dirty marks while locking them (so the sums it reads include every rating
// committed before, and a rating committed after marks its shard again), writes the figures to
// content.rating_avg/rating_count with rating_seq + 1, and appends one ContentRatingAggregated event per title. It
// returns how many titles it published; 0 also when another flusher holds the cluster-wide flush lock.
func (s *RatingStore) FlushAggregates(ctx context.Context, limit int) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, ratingFlushLock).Scan(&locked); err != nil || !locked {
			return err
		}
		rows, err := tx.Query(ctx, `
			UPDATE content_rating_shards SET dirty_since = NULL
			WHERE content_id IN (SELECT DISTINCT content_id FROM content_rating_shards WHERE dirty_since IS NOT NULL LIMIT $1)
			RETURNING content_id::text, stars_sum, ratings`, limit)
		if err != nil {
			return err
		}
		sums := map[string]RatingAggregate{}
		var id string
		var a RatingAggregate
		if _, err := pgx.ForEachRow(rows, []any{&id, &a.StarsSum, &a.Ratings}, func() error {
			t := sums[id]
			t.StarsSum, t.Ratings = t.StarsSum+a.StarsSum, t.Ratings+a.Ratings
			sums[id] = t
			return nil
		}); err != nil {
			return err
		}
		if len(sums) == 0 {
			return nil
		}
		ids := make([]string, 0, len(sums))
		starSums := make([]int64, 0, len(sums))
		counts := make([]int64, 0, len(sums))
		for id, a := range sums {
			ids, starSums, counts = append(ids, id), append(starSums, a.StarsSum), append(counts, a.Ratings)
		}
		rows, err = tx.Query(ctx, `
			UPDATE content c SET rating_count = a.n, rating_seq = c.rating_seq + 1,
				rating_avg = CASE WHEN a.n = 0 THEN 0 ELSE round(a.s::numeric / a.n, 2) END
			FROM unnest($1::uuid[], $2::bigint[], $3::bigint[]) AS a(id, s, n)
			WHERE c.id = a.id
			RETURNING c.id::text, c.version, c.rating_avg::float8, c.rating_count, c.rating_seq`, ids, starSums, counts)
		if err != nil {
			return err
		}
		var (
			versions []int64
			payloads []string
			evIDs    []string
		)
		var version int64
		var p streaming.RatingAggregatePayload
		if _, err := pgx.ForEachRow(rows, []any{&p.ContentID, &version, &p.RatingAvg, &p.RatingCount, &p.RatingSeq}, func() error {
			b, err := json.Marshal(p)
			if err != nil {
				return err
			}
			evIDs, versions, payloads = append(evIDs, p.ContentID), append(versions, version), append(payloads, string(b))
			return nil
		}); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO outbox (aggregate_type, aggregate_id, version, event_type, payload, occurred_at)
			SELECT $1, e.id, e.v, $2, e.p::jsonb, now()
			FROM unnest($3::text[], $4::bigint[], $5::text[]) AS e(id, v, p)`,
			streaming.AggregateContent, streaming.EventContentRatingAggregated, evIDs, versions, payloads)
		n = len(evIDs)
		return err
	})
	if err != nil {
		return 0, mapErr(err, "")
	}
	return n, nil
}

// RatingDifference is a title whose stored aggregate (the sum of its shards) differs from a recount of its ratings.
type RatingDifference struct {
	ContentID       string
	Stored, Counted RatingAggregate
}

func (d RatingDifference) String() string {
	return fmt.Sprintf("content %s: stored %d stars over %d ratings (avg %.2f), recount %d over %d (avg %.2f)",
		d.ContentID, d.Stored.StarsSum, d.Stored.Ratings, d.Stored.Avg(), d.Counted.StarsSum, d.Counted.Ratings,
		d.Counted.Avg())
}

// RepairAggregates recounts every title's aggregate from the ratings table and returns the titles whose shards
// differ. The comparison is one statement, so one snapshot: a rating and its shard change commit together, and
// raters running meanwhile cannot show up as differences. With fix, each differing title is recounted again under
// the lock of all its shard rows and its shards are replaced by one row holding the recount, marked dirty so the
// flusher publishes it; raters of that title wait for the fix (a rating still in flight is in neither the recount
// nor the replaced shards, and adds its change after). The scan reads every rating once: an operator's command,
// not something to run per request.
func (s *RatingStore) RepairAggregates(ctx context.Context, fix bool) ([]RatingDifference, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT coalesce(r.content_id, sh.content_id)::text, coalesce(sh.s, 0)::bigint, coalesce(sh.n, 0)::bigint,
			coalesce(r.s, 0)::bigint, coalesce(r.n, 0)::bigint
		FROM (SELECT content_id, sum(stars) s, count(*) n FROM ratings GROUP BY content_id) r
		FULL JOIN (SELECT content_id, sum(stars_sum) s, sum(ratings) n FROM content_rating_shards GROUP BY content_id) sh
			ON sh.content_id = r.content_id
		WHERE coalesce(sh.s, 0) <> coalesce(r.s, 0) OR coalesce(sh.n, 0) <> coalesce(r.n, 0)
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

// fixAggregate replaces the title's shards by one row holding a recount, under the lock of every shard row it has.
func (s *RatingStore) fixAggregate(ctx context.Context, contentID string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Every shard row exists before it is locked, so no rater can add a row that the recount misses but the
		// delete keeps (a rater that draws a shard waits for this transaction instead).
		if _, err := tx.Exec(ctx, `
			INSERT INTO content_rating_shards (content_id, shard) SELECT $1, g FROM generate_series(0, $2 - 1) g
			ON CONFLICT DO NOTHING`, contentID, RatingShards); err != nil {
			return mapErr(err, "content")
		}
		if _, err := tx.Exec(ctx, `SELECT 1 FROM content_rating_shards WHERE content_id = $1 ORDER BY shard FOR UPDATE`,
			contentID); err != nil {
			return err
		}
		// A new statement: its snapshot includes every rating committed before the locks were granted.
		_, err := tx.Exec(ctx, `
			WITH recount AS (SELECT coalesce(sum(stars), 0) s, count(*) n FROM ratings WHERE content_id = $1),
			gone AS (DELETE FROM content_rating_shards WHERE content_id = $1 AND shard <> 0)
			UPDATE content_rating_shards SET stars_sum = recount.s, ratings = recount.n, dirty_since = now()
			FROM recount WHERE content_id = $1 AND shard = 0`, contentID)
		return err
	})
}
