package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// flushAll publishes every pending rating aggregate.
func flushAll(t *testing.T, ctx context.Context, ratings *postgres.RatingStore) {
	t.Helper()
	for {
		n, err := ratings.FlushAggregates(ctx, 100)
		if err != nil {
			t.Fatalf("flush: %v", err)
		}
		if n == 0 {
			return
		}
	}
}

// newUsers inserts n users in one statement (creating thousands one transaction each would be the test's cost).
func newUsers(t *testing.T, ctx context.Context, pool *pgxpool.Pool, n int) []string {
	t.Helper()
	prefix := "rater." + storetest.Unique()
	rows, err := pool.Query(ctx, `
		INSERT INTO users (id, email, display_name, country, password_hash)
		SELECT gen_random_uuid(), $1 || '.' || g || '@example.com', 'Rater', 'ES', 'hash' FROM generate_series(1, $2) g
		RETURNING id::text`, prefix, n)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(ids) != n {
		t.Fatalf("users = %d, %v", len(ids), err)
	}
	return ids
}

// recount is the title's aggregate from its ratings, the way the old code computed it on every rating.
func recount(t *testing.T, ctx context.Context, pool *pgxpool.Pool, contentID string) (agg postgres.RatingAggregate, avg float64) {
	t.Helper()
	err := pool.QueryRow(ctx, `SELECT coalesce(sum(stars), 0)::bigint, count(*), coalesce(round(avg(stars), 2), 0)::float8
		FROM ratings WHERE content_id = $1`, contentID).Scan(&agg.StarsSum, &agg.Ratings, &avg)
	if err != nil {
		t.Fatal(err)
	}
	return agg, avg
}

// 10,000 ratings and re-ratings of one title from 64 goroutines, with a flusher publishing all along: the shards
// hold exactly what a recount gives, the published figures after a last flush are the recount's, and the repair
// finds nothing to repair. Each of 2,500 users rates four times, and a user's ratings are spread over the
// goroutines, so first ratings of one user also race each other.
func TestTenThousandConcurrentRatingsOfOneTitle(t *testing.T) {
	store, pool, ctx := setup(t)
	ratings := postgres.NewRatingStore(pool)
	c := &streaming.Content{Title: "Hit " + storetest.Unique(), Type: streaming.ContentMovie, ReleaseYear: 2026}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { _, err := tx.UpsertContent(ctx, c); return err })
	users := newUsers(t, ctx, pool, 2500)
	type job struct {
		user  string
		stars int32
	}
	var jobs []job
	for _, u := range users {
		for range 4 {
			jobs = append(jobs, job{u, rand.Int32N(5) + 1})
		}
	}
	rand.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })

	flushCtx, stopFlushing := context.WithCancel(ctx)
	flushed := make(chan error, 1)
	go func() {
		var err error
		for flushCtx.Err() == nil {
			if _, e := ratings.FlushAggregates(flushCtx, 10); e != nil && flushCtx.Err() == nil {
				err = e
			}
			time.Sleep(5 * time.Millisecond)
		}
		flushed <- err
	}()

	work := make(chan job)
	errs := make([]error, 64)
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			for j := range work {
				// The shipped path: one statement for the rating, the aggregate and its event.
				err := store.RecordRating(ctx, &streaming.Rating{UserID: j.user, ContentID: c.ID, Stars: j.stars},
					streaming.Event{AggregateType: streaming.AggregateRating, AggregateID: streaming.RatingAggregateID(c.ID, j.user),
						Type: streaming.EventRatingChanged, Payload: []byte(fmt.Sprintf(`{"stars":%d}`, j.stars))})
				if err != nil && errs[w] == nil {
					errs[w] = err
				}
			}
		})
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	stopFlushing()
	if err := errors.Join(append(errs, <-flushed)...); err != nil {
		t.Fatal(err)
	}

	want, wantAvg := recount(t, ctx, pool, c.ID)
	if want.Ratings != 2500 {
		t.Fatalf("recount has %d ratings, want 2500 (one per user)", want.Ratings)
	}
	got, err := ratings.Aggregate(ctx, c.ID)
	if err != nil || got != want {
		t.Fatalf("aggregate = %+v, %v; recount %+v", got, err, want)
	}
	if got.Avg() != wantAvg {
		t.Errorf("aggregate's average = %v, recount's %v", got.Avg(), wantAvg)
	}
	flushAll(t, ctx, ratings)
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		content, err := tx.ContentByID(ctx, c.ID)
		if err == nil && (content.RatingAvg != wantAvg || content.RatingCount != want.Ratings || content.Version != 1) {
			t.Errorf("published content = %+v; want %.2f over %d at version 1", content, wantAvg, want.Ratings)
		}
		return err
	})
	diffs, err := ratings.RepairAggregates(ctx, false)
	if err != nil || len(diffs) != 0 {
		t.Fatalf("repair = %v, %v; want no difference", diffs, err)
	}
	var events, versions int
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE event_type = $2), max(version) FILTER (WHERE event_type = $2)
		FROM outbox WHERE aggregate_id = $1`, c.ID, streaming.EventContentRatingAggregated).Scan(&events, &versions); err != nil {
		t.Fatal(err)
	}
	if events == 0 || events > 2000 || versions != 1 {
		t.Errorf("%d aggregate events at version %d for 10,000 ratings; want a few, all at the title's version 1", events, versions)
	}
	t.Logf("10,000 ratings published in %d aggregate events", events)
	// Every rating appended its event in the same statement, versioned 1..4 per rater.
	var changed, raters, maxVersion int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT aggregate_id), max(version) FROM outbox
		WHERE event_type = $1 AND aggregate_id LIKE $2 || '/%'`, streaming.EventRatingChanged, c.ID).Scan(&changed, &raters, &maxVersion); err != nil {
		t.Fatal(err)
	}
	if changed != 10_000 || raters != 2500 || maxVersion != 4 {
		t.Errorf("%d rating events of %d raters, newest version %d; want 10000 of 2500, version 4", changed, raters, maxVersion)
	}
}

// The repair finds a title whose shards were changed behind the ratings' back, exits non-zero's worth of
// differences without -fix, and with -fix restores the recount, which the next flush publishes.
func TestRepairRatingAggregates(t *testing.T) {
	store, pool, ctx := setup(t)
	ratings := postgres.NewRatingStore(pool)
	c := &streaming.Content{Title: "Broken " + storetest.Unique(), Type: streaming.ContentMovie, ReleaseYear: 2026}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { _, err := tx.UpsertContent(ctx, c); return err })
	for i, u := range newUsers(t, ctx, pool, 5) {
		inTx(t, ctx, store, func(tx streaming.CommandTx) error {
			return tx.UpsertRating(ctx, &streaming.Rating{UserID: u, ContentID: c.ID, Stars: int32(i + 1)})
		})
	}
	flushAll(t, ctx, ratings)
	if diffs, err := ratings.RepairAggregates(ctx, false); err != nil || len(diffs) != 0 {
		t.Fatalf("repair of a sound store = %v, %v", diffs, err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO content_rating_shards (content_id, shard, stars_sum, ratings)
		VALUES ($1, 99, 7, 2)`, c.ID); err != nil {
		t.Fatal(err)
	}
	want := postgres.RatingDifference{ContentID: c.ID, Stored: postgres.RatingAggregate{StarsSum: 22, Ratings: 7},
		Counted: postgres.RatingAggregate{StarsSum: 15, Ratings: 5}}
	for _, fix := range []bool{false, true} {
		diffs, err := ratings.RepairAggregates(ctx, fix)
		if err != nil || len(diffs) != 1 || diffs[0] != want {
			t.Fatalf("repair (fix %v) = %v, %v; want %v", fix, diffs, err, want)
		}
	}
	if diffs, err := ratings.RepairAggregates(ctx, false); err != nil || len(diffs) != 0 {
		t.Fatalf("repair after the fix = %v, %v", diffs, err)
	}
	flushAll(t, ctx, ratings)
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		got, err := tx.ContentByID(ctx, c.ID)
		if err == nil && (got.RatingAvg != 3 || got.RatingCount != 5) {
			t.Errorf("content after the fix = %+v, want 3.00 over 5", got)
		}
		return err
	})
}

// RecordRating writes the rating and its event together or not at all: a rating of an unknown user or title is
// CodeNotFound and leaves no event; a good one stores the given time and versions its event by the rating.
func TestRecordRatingIsAtomic(t *testing.T) {
	store, pool, ctx := setup(t)
	c := &streaming.Content{Title: "Atomic " + storetest.Unique(), Type: streaming.ContentMovie, ReleaseYear: 2026}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { _, err := tx.UpsertContent(ctx, c); return err })
	user := newUsers(t, ctx, pool, 1)[0]
	missing := "00000000-0000-4000-8000-000000000000"
	ev := func(content, user string) streaming.Event {
		return streaming.Event{AggregateType: streaming.AggregateRating, AggregateID: streaming.RatingAggregateID(content, user),
			Type: streaming.EventRatingChanged, Payload: []byte(`{}`)}
	}
	at := time.Date(2026, 12, 3, 7, 8, 9, 123456000, time.UTC)
	for _, tc := range []struct{ user, content, message string }{
		{missing, c.ID, "user not found"},
		{user, missing, "content not found"},
	} {
		err := store.RecordRating(ctx, &streaming.Rating{UserID: tc.user, ContentID: tc.content, Stars: 3, UpdatedAt: at}, ev(tc.content, tc.user))
		if e := streaming.AsError(err); e == nil || e.Code != streaming.CodeNotFound || e.Message != tc.message {
			t.Errorf("rating by %s of %s: %v, want CodeNotFound %q", tc.user, tc.content, err, tc.message)
		}
		if n := count(t, ctx, pool, `SELECT count(*) FROM outbox WHERE aggregate_id = $1`, streaming.RatingAggregateID(tc.content, tc.user)); n != 0 {
			t.Errorf("a refused rating left %d events", n)
		}
	}
	for want := int64(1); want <= 2; want++ {
		r := &streaming.Rating{UserID: user, ContentID: c.ID, Stars: int32(want + 2), UpdatedAt: at}
		if err := store.RecordRating(ctx, r, ev(c.ID, user)); err != nil || r.Version != want || !r.UpdatedAt.Equal(at) {
			t.Fatalf("rating %d: %+v, %v; want version %d at %s", want, r, err, want, at)
		}
	}
	var versions []int64
	rows, _ := pool.Query(ctx, `SELECT version FROM outbox WHERE aggregate_id = $1 ORDER BY id`, streaming.RatingAggregateID(c.ID, user))
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || fmt.Sprint(versions) != "[1 2]" {
		t.Fatalf("event versions %v, %v; want [1 2]", versions, err)
	}
}
