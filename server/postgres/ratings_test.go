package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// flushAll folds and publishes every pending rating of the store's schema. A pass that finds the flush lock held (by
// a flusher whose canceled transaction the server has not yet rolled back) does nothing, so it goes on until no
// rating is pending.
func flushAll(t *testing.T, ctx context.Context, ratings *postgres.RatingStore, pool *pgxpool.Pool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, _, err := ratings.FlushAggregates(ctx, 100); err != nil {
			t.Fatalf("flush: %v", err)
		}
		if count(t, ctx, pool, `SELECT count(*) FROM ratings WHERE pending`) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("ratings still pending after 30 s of flushing")
		}
		time.Sleep(10 * time.Millisecond)
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

// newTitle stores a movie named prefix and a unique word.
func newTitle(t *testing.T, ctx context.Context, store *postgres.CommandStore, prefix string) *streaming.Content {
	t.Helper()
	c := &streaming.Content{Title: prefix + " " + storetest.Unique(), Type: streaming.ContentMovie, ReleaseYear: 2026}
	inTx(t, ctx, store, func(tx streaming.CommandTx) error { _, err := tx.UpsertContent(ctx, c); return err })
	return c
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
	c := newTitle(t, ctx, store, "Hit")
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
			if _, _, e := ratings.FlushAggregates(flushCtx, 10); e != nil && flushCtx.Err() == nil {
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
				// The shipped path: one statement, the rating's row alone.
				err := store.RecordRating(ctx, &streaming.Rating{UserID: j.user, ContentID: c.ID, Stars: j.stars})
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
	flushAll(t, ctx, ratings, pool)
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
	// Every rater's rating reached the outbox for the graph, the last of them at its fourth version; a rater's
	// changes within one flush became one event.
	var changed, raters, atFour int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT aggregate_id), count(DISTINCT aggregate_id) FILTER (WHERE version = 4)
		FROM outbox WHERE event_type = $1 AND aggregate_id LIKE $2 || '/%'`, streaming.EventRatingChanged, c.ID).Scan(&changed, &raters, &atFour); err != nil {
		t.Fatal(err)
	}
	if raters != 2500 || atFour != 2500 || changed < 2500 || changed > 10_000 {
		t.Errorf("%d rating events of %d raters, %d at version 4; want 2500..10000 events, every rater at version 4", changed, raters, atFour)
	}
	t.Logf("10,000 ratings sent to the graph in %d events", changed)
}

// The repair finds a title whose stored aggregate was changed behind the ratings' back, exits non-zero's worth of
// differences without -fix, and with -fix restores the recount, which the next flush publishes.
func TestRepairRatingAggregates(t *testing.T) {
	store, pool, ctx := setup(t)
	ratings := postgres.NewRatingStore(pool)
	c := newTitle(t, ctx, store, "Broken")
	for i, u := range newUsers(t, ctx, pool, 5) {
		if err := store.RecordRating(ctx, &streaming.Rating{UserID: u, ContentID: c.ID, Stars: int32(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	flushAll(t, ctx, ratings, pool)
	if diffs, err := ratings.RepairAggregates(ctx, false); err != nil || len(diffs) != 0 {
		t.Fatalf("repair of a sound store = %v, %v", diffs, err)
	}
	// Drift behind the ratings' back: the stored sum and count no longer match the counted ratings.
	if _, err := pool.Exec(ctx, `UPDATE content SET rating_sum = rating_sum + 7, rating_count = rating_count + 2
		WHERE id = $1`, c.ID); err != nil {
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
	flushAll(t, ctx, ratings, pool)
	inTx(t, ctx, store, func(tx streaming.CommandTx) error {
		got, err := tx.ContentByID(ctx, c.ID)
		if err == nil && (got.RatingAvg != 3 || got.RatingCount != 5) {
			t.Errorf("content after the fix = %+v, want 3.00 over 5", got)
		}
		return err
	})
}

// RecordRating writes the rating alone, pending: an unknown user or title is CodeNotFound; a good one stores the
// given time and its version; the flush sends each changed rating to the graph, versioned by the rating, and the
// title's figures once.
func TestRecordRatingThenFlush(t *testing.T) {
	store, pool, ctx := setup(t)
	ratings := postgres.NewRatingStore(pool)
	c := newTitle(t, ctx, store, "Pending")
	users := newUsers(t, ctx, pool, 2)
	missing := "00000000-0000-4000-8000-000000000000"
	at := time.Date(2026, 12, 3, 7, 8, 9, 123456000, time.UTC)
	for _, tc := range []struct{ user, content, message string }{
		{missing, c.ID, "user not found"},
		{users[0], missing, "content not found"},
	} {
		err := store.RecordRating(ctx, &streaming.Rating{UserID: tc.user, ContentID: tc.content, Stars: 3, UpdatedAt: at})
		if e := streaming.AsError(err); e == nil || e.Code != streaming.CodeNotFound || e.Message != tc.message {
			t.Errorf("rating by %s of %s: %v, want CodeNotFound %q", tc.user, tc.content, err, tc.message)
		}
	}
	for want := int64(1); want <= 2; want++ {
		r := &streaming.Rating{UserID: users[0], ContentID: c.ID, Stars: int32(want + 2), UpdatedAt: at}
		if err := store.RecordRating(ctx, r); err != nil || r.Version != want || !r.UpdatedAt.Equal(at) {
			t.Fatalf("rating %d: %+v, %v; want version %d at %s", want, r, err, want, at)
		}
	}
	if err := store.RecordRating(ctx, &streaming.Rating{UserID: users[1], ContentID: c.ID, Stars: 5}); err != nil {
		t.Fatal(err)
	}
	// Before the flush: no event yet, and the exact aggregate already counts both raters (4 + 5).
	if n := count(t, ctx, pool, `SELECT count(*) FROM outbox WHERE aggregate_id LIKE $1 || '%'`, c.ID); n != 0 {
		t.Errorf("%d events before the flush, want none (a rating writes its row alone)", n)
	}
	if a, err := ratings.Aggregate(ctx, c.ID); err != nil || a != (postgres.RatingAggregate{StarsSum: 9, Ratings: 2}) {
		t.Errorf("aggregate before the flush = %+v, %v; want 9 over 2", a, err)
	}
	titles, more, err := ratings.FlushAggregates(ctx, 100)
	if err != nil || titles != 1 || more {
		t.Fatalf("flush = %d titles, more %v, %v; want 1 title, done", titles, more, err)
	}
	rows, _ := pool.Query(ctx, `SELECT event_type || ' ' || aggregate_id || ' v' || version FROM outbox
		WHERE aggregate_id LIKE $1 || '%' ORDER BY 1`, c.ID)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	wantEvents := []string{
		streaming.EventContentRatingAggregated + " " + c.ID + " v1",
		streaming.EventRatingChanged + " " + streaming.RatingAggregateID(c.ID, users[0]) + " v2", // its two changes, one event
		streaming.EventRatingChanged + " " + streaming.RatingAggregateID(c.ID, users[1]) + " v1",
	}
	slices.Sort(wantEvents)
	want := fmt.Sprint(wantEvents)
	if err != nil || fmt.Sprint(got) != want {
		t.Fatalf("events after the flush = %v, %v; want %v", got, err, want)
	}
	if titles, more, err := ratings.FlushAggregates(ctx, 100); err != nil || titles != 0 || more {
		t.Fatalf("a second flush = %d, %v, %v; want nothing to do", titles, more, err)
	}
	// Re-rating with the same stars changes no figure: the rating goes to the graph, the title is not re-published.
	if err := store.RecordRating(ctx, &streaming.Rating{UserID: users[1], ContentID: c.ID, Stars: 5}); err != nil {
		t.Fatal(err)
	}
	if titles, _, err := ratings.FlushAggregates(ctx, 100); err != nil || titles != 0 {
		t.Fatalf("flush after a same-stars rating = %d titles, %v; want 0", titles, err)
	}
	if n := count(t, ctx, pool, `SELECT count(*) FROM outbox WHERE aggregate_id = $1`, streaming.RatingAggregateID(c.ID, users[1])); n != 2 {
		t.Errorf("%d events of the re-rating user, want 2", n)
	}
}

// Ratings arriving together share statements (one transaction each: the rows of one statement carry one xmin), and
// each still gets its own answer: its version and time, or its own error when it is refused (an unknown user, stars
// out of range) while the rest of its batch is written.
func TestRecordRatingSharesStatements(t *testing.T) {
	store, pool, ctx := setup(t)
	ratings := postgres.NewRatingStore(pool)
	c := newTitle(t, ctx, store, "Together")
	users := newUsers(t, ctx, pool, 300)
	for _, u := range users[:100] { // these rate again below
		if err := store.RecordRating(ctx, &streaming.Rating{UserID: u, ContentID: c.ID, Stars: 1}); err != nil {
			t.Fatal(err)
		}
	}
	type job struct {
		r                *streaming.Rating
		at               time.Time
		wantVersion      int64
		wantCode         streaming.Code
		wantInvalidStars bool
	}
	base := time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)
	var jobs []*job
	for i, u := range users {
		j := &job{r: &streaming.Rating{UserID: u, ContentID: c.ID, Stars: int32(i%5 + 1)}, at: base.Add(time.Duration(i) * time.Microsecond), wantVersion: 1}
		if i < 100 {
			j.wantVersion = 2
		}
		if i == 150 {
			j.r.Stars, j.wantInvalidStars = 9, true
		}
		if i%37 == 0 { // the upper-case spelling of an id is the same rater
			j.r.UserID = strings.ToUpper(u)
		}
		jobs = append(jobs, j)
	}
	for range 10 {
		jobs = append(jobs, &job{r: &streaming.Rating{UserID: uuid.NewString(), ContentID: c.ID, Stars: 3}, at: base,
			wantCode: streaming.CodeNotFound})
	}
	rand.Shuffle(len(jobs), func(i, k int) { jobs[i], jobs[k] = jobs[k], jobs[i] })
	start := make(chan struct{})
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		j.r.UpdatedAt = j.at
		wg.Go(func() {
			<-start
			errs[i] = store.RecordRating(ctx, j.r)
		})
	}
	close(start)
	wg.Wait()
	written := postgres.RatingAggregate{}
	for i, j := range jobs {
		switch e := streaming.AsError(errs[i]); {
		case j.wantCode == streaming.CodeNotFound:
			if e == nil || e.Code != streaming.CodeNotFound || e.Message != "user not found" {
				t.Errorf("unknown rater %s: %v, want user not found", j.r.UserID, errs[i])
			}
		case j.wantInvalidStars:
			if errs[i] == nil {
				t.Errorf("%d stars were accepted", j.r.Stars)
			}
		case errs[i] != nil:
			t.Errorf("rating by %s: %v", j.r.UserID, errs[i])
		case j.r.Version != j.wantVersion || !j.r.UpdatedAt.Equal(j.at):
			t.Errorf("rating by %s: version %d at %s, want %d at %s", j.r.UserID, j.r.Version, j.r.UpdatedAt, j.wantVersion, j.at)
		default:
			written.StarsSum, written.Ratings = written.StarsSum+int64(j.r.Stars), written.Ratings+1
		}
	}
	var txs int
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT xmin::text) FROM ratings WHERE content_id = $1`, c.ID).Scan(&txs); err != nil {
		t.Fatal(err)
	}
	if txs >= 299 {
		t.Errorf("299 ratings written in %d transactions: none shared a statement", txs)
	}
	t.Logf("299 concurrent ratings written in %d transactions", txs)
	want, _ := recount(t, ctx, pool, c.ID)
	if want.Ratings != 299 || want.StarsSum != written.StarsSum { // 300 raters, one refused
		t.Errorf("recount = %+v, want 299 ratings summing %d", want, written.StarsSum)
	}
	if got, err := ratings.Aggregate(ctx, c.ID); err != nil || got != want {
		t.Errorf("aggregate = %+v, %v; recount %+v", got, err, want)
	}
}
