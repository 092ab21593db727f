package e2e

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/storetest"
)

// ratingVisibilityBound is the documented bound from a rating to its title's new average in search and Redis
// (docs/architecture.md, "Ratings": the 1 s flush interval plus the relay), with room for a loaded test machine.
const ratingVisibilityBound = 5 * time.Second

// A burst of ratings of one title becomes a few aggregate updates, not one re-projection per rating, and the
// title's exact new average shows in search and in Redis within the bound.
func TestRatingBurstCoalesces(t *testing.T) {
	e := server(t)
	ctx := storetest.Context(t, 2*time.Minute)
	c := newTitle(t, e, "Estreno "+storetest.Unique(), genre("thriller"))
	rows, err := e.built.Pool.Query(ctx, `
		INSERT INTO users (id, email, display_name, country, password_hash)
		SELECT gen_random_uuid(), $1 || '.' || g || '@example.com', 'Rater', 'ES', 'hash' FROM generate_series(1, 40) g
		RETURNING id::text`, "burst."+storetest.Unique())
	if err != nil {
		t.Fatal(err)
	}
	users, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	// 40 raters, 5 ratings each (a rating and four changes of mind), 8 at a time, as the admin may rate for anyone.
	const perUser = 5
	work := make(chan string)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for u := range work {
				_, err := e.cmd.RateContent(as(t, adminToken), &pb.RateContentRequest{UserId: u, ContentId: c.GetId(),
					Stars: rand.Int32N(5) + 1})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range perUser {
		for _, u := range users {
			work <- u
		}
	}
	close(work)
	wg.Wait()
	lastRating := time.Now()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	var wantAvg float64
	var wantCount int64
	if err := e.built.Pool.QueryRow(ctx, `SELECT round(avg(stars), 2)::float8, count(*) FROM ratings WHERE content_id = $1`,
		c.GetId()).Scan(&wantAvg, &wantCount); err != nil {
		t.Fatal(err)
	}
	if wantCount != int64(len(users)) {
		t.Fatalf("%d ratings stored, want %d", wantCount, len(users))
	}
	within := func(what string, check func() string) time.Duration {
		t.Helper()
		for {
			msg := check()
			took := time.Since(lastRating)
			if msg == "" {
				return took
			}
			if took > ratingVisibilityBound {
				t.Fatalf("%s: not within %v of the last rating: %s", what, ratingVisibilityBound, msg)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	searchTook := within("average in search", func() string {
		doc, version, found, err := e.built.Search.Get(ctx, c.GetId())
		switch {
		case err != nil:
			return err.Error()
		case !found || doc.RatingAvg != wantAvg || doc.RatingCount != wantCount || version != 1:
			return fmt.Sprintf("found %v, v%d, %+v; want %.2f over %d at v1", found, version, doc, wantAvg, wantCount)
		}
		return ""
	})
	redisTook := within("average in Redis", func() string {
		got, err := e.built.ReadModels.Contents(ctx, c.GetId())
		if err != nil {
			return err.Error()
		}
		if v := got[c.GetId()]; v.RatingAvg != wantAvg || v.RatingCount != wantCount || v.Version != 1 || v.Title != c.GetTitle() {
			return fmt.Sprintf("%+v", v)
		}
		return ""
	})
	ratings := len(users) * perUser
	updates := count(t, e, `SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND event_type = 'ContentRatingAggregated'`, c.GetId())
	whole := count(t, e, `SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND event_type IN ('ContentRated', 'ContentUpserted')`, c.GetId())
	t.Logf("%d ratings: %d aggregate updates; average in search after %v, in Redis after %v", ratings, updates, searchTook, redisTook)
	if updates == 0 || updates*10 > ratings || whole != 1 {
		t.Errorf("%d ratings made %d aggregate updates and %d whole-title events; want at most a tenth as many updates, and only the upsert",
			ratings, updates, whole)
	}
}
