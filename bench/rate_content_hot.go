package main

// rate_content_hot: ratings per second of one hit title that already has a million ratings, through the real server
// (gRPC, interceptors, RateContent handler, CommandStore.RecordRating: one autocommitted upsert of the rating's row,
// marked pending for the flusher), against raw pgx upserting the same rating rows with the same concurrency on the
// same database. Ratio = server ÷ raw. Then, with projections on, the time from a rating's answer to the title's new
// figures in search and in Redis (the coalescing flusher plus the relay).

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/streaming"
)

const (
	hotConcurrency = 32    // raters at once per side, each with one call in flight
	hotPerSide     = 24000 // measured ratings per side
	hotCycles      = 4     // palindromic cycles the measured ratings are spread over
	hotWarmup      = 1000  // unmeasured ratings per side first
	hotRerateShare = 5     // one rating in this many is a preloaded user changing their stars; the rest are new
	hotRoundCap    = 60 * time.Second
	hotProbes      = 10 // visibility samples: one new rating each, spread over the flush interval
	hotVisibleCap  = 10 * time.Second
	// hotSettleCap bounds the set-up wait before the probes: the re-published title and the flush of the run's
	// changes through a server just started on a throwaway alias. Not timed, and on a stack just started its first
	// projections (a new index, Neo4j's first writes) took longer than hotVisibleCap.
	hotSettleCap      = 2 * time.Minute
	hotDefaultPreload = 1_000_000
)

// hotPreload is the title's ratings before the run: BENCH_RATE_PRELOAD (a smaller one for a smoke run, with
// BENCH_QUICK=true for fewer measured ratings), or a million.
func hotPreload() (int, error) {
	v := os.Getenv("BENCH_RATE_PRELOAD")
	if v == "" {
		return hotDefaultPreload, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1000 {
		return 0, fmt.Errorf("BENCH_RATE_PRELOAD=%q: want a number of ratings, at least 1000", v)
	}
	return n, nil
}

// hotRating is one measured rating: who rates, and the stars they had before (0 for a new rater).
type hotRating struct {
	user       string
	stars, old int32
}

// hotOps draws a side's ratings: new raters, and one in hotRerateShare a preloaded rater (each at most once)
// changing their stars. delta is what they add to the title's aggregate.
func hotOps(rng *rand.Rand, fresh []string, preloaded []string, preStars []int32, n int) (ops []hotRating, delta postgres.RatingAggregate) {
	for i := range n {
		r := hotRating{stars: rng.Int32N(5) + 1}
		if i%hotRerateShare == 0 {
			k := len(ops) / hotRerateShare
			r.user, r.old = preloaded[k], preStars[k]
		} else {
			r.user = fresh[0]
			fresh = fresh[1:]
		}
		if r.old == 0 {
			delta.Ratings++
		}
		delta.StarsSum += int64(r.stars - r.old)
		ops = append(ops, r)
	}
	return ops, delta
}

func rateContentHot(ctx context.Context) ([]Result, error) {
	preload, err := hotPreload()
	if err != nil {
		return nil, err
	}
	perSide := hotPerSide
	if quick, _ := strconv.ParseBool(os.Getenv("BENCH_QUICK")); quick {
		perSide = 1200 // a smoke run: the figures are then only indicative
	}
	pgURL, drop, err := benchSchema(ctx)
	if err != nil {
		return nil, err
	}
	defer drop()
	// Projections off while throughput is measured: the raw side writes the rating rows and nothing else, so the
	// relay must not also run its projectors over the server's events then (create_subscription does the same).
	srv, err := startServer(ctx, pgURL, func(c *config.Config) { c.ReadModelsEnabled = false })
	if err != nil {
		return nil, err
	}
	stopped := false
	defer func() {
		if !stopped {
			srv.stop()
		}
	}()
	client := pb.NewCommandServiceClient(srv.conn)
	title := streaming.Content{ID: uuid.NewString(), Title: "Hot Title", Description: "a hit of the rating benchmark",
		Type: streaming.ContentMovie, Genres: []string{"bench-hot"}, Actors: []string{"Ana Torres"}, ReleaseYear: 2026,
		DurationSeconds: 6000}
	if _, err := client.UpsertContent(srv.asAdmin(ctx), &pb.UpsertContentRequest{Content: contentPB(title)}); err != nil {
		return nil, fmt.Errorf("create title: %w", err)
	}
	raw, closeRaw, err := postgres.Open(ctx, postgres.Config{URL: srv.cfg.PostgresURL,
		MaxConns: int(srv.built.Pool.Config().MaxConns)})
	if err != nil {
		return nil, err
	}
	defer closeRaw()

	// Set-up: the preloaded raters and their ratings by COPY, counted in the title's aggregate as migration 00008
	// counts an existing database's; then the raters of the measured rounds.
	loadStart := time.Now()
	rng := rand.New(rand.NewPCG(19, 1))
	const sides = 3
	rerates := sides * (perSide + hotWarmup) / hotRerateShare
	users, err := insertUsers(ctx, raw, preload+sides*(perSide+hotWarmup)+hotProbes)
	if err != nil {
		return nil, err
	}
	preloaded, fresh := users[:preload], users[preload:]
	preStars := make([]int32, preload)
	var preAgg postgres.RatingAggregate
	rows := make([][]any, preload)
	for i, u := range preloaded {
		preStars[i] = rng.Int32N(5) + 1
		preAgg.StarsSum, preAgg.Ratings = preAgg.StarsSum+int64(preStars[i]), preAgg.Ratings+1
		rows[i] = []any{u, title.ID, preStars[i], int16(preStars[i])}
	}
	if _, err := raw.CopyFrom(ctx, pgx.Identifier{"ratings"}, []string{"user_id", "content_id", "stars", "counted_stars"},
		pgx.CopyFromRows(rows)); err != nil {
		return nil, fmt.Errorf("copy ratings: %w", err)
	}
	rows = nil
	if _, err := raw.Exec(ctx, `
		UPDATE content c SET rating_sum = r.s, rating_count = r.n, rating_avg = round(r.s::numeric / r.n, 2)
		FROM (SELECT sum(stars) s, count(*) n FROM ratings WHERE content_id = $1) r WHERE c.id = $1`,
		title.ID); err != nil {
		return nil, fmt.Errorf("count the preload: %w", err)
	}
	for _, table := range []string{"ratings", "content"} {
		if _, err := raw.Exec(ctx, "ANALYZE "+table); err != nil {
			return nil, err
		}
	}
	loaded := time.Since(loadStart)
	if rerates > preload/2 {
		return nil, fmt.Errorf("a preload of %d is too small for %d re-ratings", preload, rerates)
	}
	third := rerates / sides
	nFresh := perSide + hotWarmup
	serverOps, serverDelta := hotOps(rng, fresh[:nFresh], preloaded[:third], preStars[:third], perSide+hotWarmup)
	rawOps, rawDelta := hotOps(rng, fresh[nFresh:2*nFresh], preloaded[third:2*third], preStars[third:2*third], perSide+hotWarmup)
	storeOps, storeDelta := hotOps(rng, fresh[2*nFresh:3*nFresh], preloaded[2*third:3*third], preStars[2*third:3*third], perSide+hotWarmup)
	probeUsers := fresh[3*nFresh:]

	type side struct {
		name  string
		ops   []hotRating
		op    func(ctx context.Context, r hotRating) error
		total load
	}
	server := &side{name: "server", ops: serverOps, op: func(ctx context.Context, r hotRating) error {
		_, err := client.RateContent(srv.asAdmin(ctx), &pb.RateContentRequest{UserId: r.user, ContentId: title.ID, Stars: r.stars})
		return err
	}}
	baseline := &side{name: "raw pgx", ops: rawOps, op: func(ctx context.Context, r hotRating) error {
		return rawRate(ctx, raw, r.user, title.ID, r.stars)
	}}
	// The server's own store, called in-process on a pool of the same size: its shared statements without the
	// server around them, so the ratio to it is what the server itself costs.
	direct := postgres.NewCommandStore(raw)
	store := &side{name: "store", ops: storeOps, op: func(ctx context.Context, r hotRating) error {
		return direct.RecordRating(ctx, &streaming.Rating{UserID: r.user, ContentID: title.ID, Stars: r.stars,
			UpdatedAt: time.Now().UTC().Truncate(time.Microsecond)})
	}}
	forOps := func(s *side, ops []hotRating) func(context.Context, int) error {
		return func(ctx context.Context, i int) error { return s.op(ctx, ops[i]) }
	}
	for _, s := range []*side{baseline, store, server} {
		if _, err := runLoad(ctx, hotWarmup, hotConcurrency, hotRoundCap, forOps(s, s.ops[:hotWarmup])); err != nil {
			return nil, fmt.Errorf("%s warm-up: %w", s.name, err)
		}
	}
	chunk := perSide / (2 * hotCycles)
	next := map[*side]int{}
	for range hotCycles {
		for _, s := range []*side{baseline, store, server, server, store, baseline} {
			ops := s.ops[hotWarmup+next[s]*chunk : hotWarmup+(next[s]+1)*chunk]
			next[s]++
			l, err := runLoad(ctx, len(ops), hotConcurrency, hotRoundCap, forOps(s, ops))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
			s.total.add(l)
		}
	}

	// Exactness under the hot load: the title's exact aggregate (counted plus pending) is the preload plus exactly the
	// server's and the store's changes (the raw side's rows are never pending: it bypasses the aggregate by design),
	// and the ratings table holds every side's changes.
	ratings := postgres.NewRatingStore(raw)
	stored, err := ratings.Aggregate(ctx, title.ID)
	if err != nil {
		return nil, err
	}
	want := postgres.RatingAggregate{StarsSum: preAgg.StarsSum + serverDelta.StarsSum + storeDelta.StarsSum,
		Ratings: preAgg.Ratings + serverDelta.Ratings + storeDelta.Ratings}
	if stored != want {
		return nil, fmt.Errorf("title aggregate after the run = %+v, want %+v (preload %+v + server %+v + store %+v)",
			stored, want, preAgg, serverDelta, storeDelta)
	}
	var counted postgres.RatingAggregate
	if err := raw.QueryRow(ctx, `SELECT sum(stars)::bigint, count(*) FROM ratings WHERE content_id = $1`, title.ID).
		Scan(&counted.StarsSum, &counted.Ratings); err != nil {
		return nil, err
	}
	if counted.StarsSum != want.StarsSum+rawDelta.StarsSum || counted.Ratings != want.Ratings+rawDelta.Ratings {
		return nil, fmt.Errorf("ratings table after the run = %+v, want %+v plus raw %+v", counted, want, rawDelta)
	}
	pg, err := postgresConditions(ctx, raw)
	if err != nil {
		return nil, err
	}
	maxConns := srv.built.Pool.Config().MaxConns

	// Visibility: the same schema served with projections on (as shipped), a throwaway search alias. The events of
	// the throughput rounds are marked published first: they are not what is timed, and the shared Neo4j need not
	// hold thousands of bench raters.
	srv.stop()
	stopped = true
	if _, err := raw.Exec(ctx, `UPDATE outbox SET published_at = now() WHERE published_at IS NULL`); err != nil {
		return nil, err
	}
	alias := "bench_hot_" + randomHex(4)
	vis, err := startServer(ctx, srv.cfg.PostgresURL, func(c *config.Config) {
		c.ReadModelsEnabled = true
		c.SearchAlias = alias
		c.Migrate = false
	})
	if err != nil {
		return nil, err
	}
	defer vis.stop()
	defer cleanUpLag(vis, alias, []*lagTitle{{content: title}}, probeUsers)
	searchLat, redisLat, settled, err := hotVisibility(ctx, vis, title, probeUsers, ratings)
	if err != nil {
		return nil, err
	}

	conditions := fmt.Sprintf("one title with %d ratings preloaded (COPY, %d raters inserted directly, aggregate backfilled "+
		"as migration 00008 counts an existing database's; set-up took %s); %d measured ratings per side from %d concurrent "+
		"workers (one in %d a preloaded rater changing stars, the rest new raters, disjoint per side), %d unmeasured "+
		"warm-up ratings per side, %d palindromic cycles of the three sides; server: gRPC RateContent with the admin token "+
		"over one loopback HTTP/2 connection to the in-process server, projections off while measured (no flush runs: "+
		"the server's ratings stay pending, folded when the visibility phase starts); its store shares statements among "+
		"concurrent ratings (groupcommit: %d slots, at most %d ratings a statement; a rating finding a free slot is "+
		"written alone); raw (the baseline): one autocommitted INSERT ... ON CONFLICT (user_id, content_id) DO UPDATE of "+
		"the rating row per rating with pgx (no aggregate, no event), as each rater writing its own row would; "+
		"rate_content_hot_vs_store: the server against its own store (postgres.CommandStore.RecordRating, the same "+
		"shared statements) called in-process by the same 32 workers, i.e. what the server around the store costs; "+
		"pgxpool MaxConns=%d on every side; after the rounds the title's exact aggregate (counted plus pending) equals "+
		"the preload plus the server's and the store's changes; %s; %s",
		preload, preload, loaded.Round(time.Second), perSide, hotConcurrency, hotRerateShare, hotWarmup, hotCycles,
		postgres.RatingSlots(raw), postgres.RatingBatchMax, maxConns, pg, machine())
	visConditions := fmt.Sprintf("time from a RateContent answer (a new rater, so the title's count changes) to the "+
		"title's new count in the search index (Get of the document) and in the Redis read model (content:{id}), "+
		"polled every 5 ms; %d samples started at random points of the flush interval, on the same title and schema "+
		"served again with projections on (flusher every %s, outbox relay with NOTIFY, projectors Neo4j → search → "+
		"Redis) and a throwaway search alias; baseline = the flush interval, the bound's main term (the documented "+
		"bound is the interval plus the relay's delivery); before the probes, the re-published title and the run's "+
		"changes were visible after %s (set-up, not timed); %s",
		hotProbes, vis.cfg.RatingFlushInterval, settled.Round(100*time.Millisecond), machine())
	flushMS := ms(vis.cfg.RatingFlushInterval)
	s, b, st := server.total, baseline.total, store.total
	out := []Result{
		{Name: "rate_content_hot", Value: round(s.perSecond(), 1), Unit: "ratings/s",
			Baseline: round(b.perSecond(), 1), Ratio: ratio(s.perSecond(), b.perSecond()), Conditions: conditions},
		{Name: "rate_content_hot_vs_store", Value: round(s.perSecond(), 1), Unit: "ratings/s",
			Baseline: round(st.perSecond(), 1), Ratio: ratio(s.perSecond(), st.perSecond()), Conditions: conditions},
		{Name: "rate_content_hot_p50", Value: ms(s.percentile(.50)), Unit: "ms",
			Baseline: ms(b.percentile(.50)), Ratio: ratio(ms(s.percentile(.50)), ms(b.percentile(.50))), Conditions: conditions},
		{Name: "rate_content_hot_p99", Value: ms(s.percentile(.99)), Unit: "ms",
			Baseline: ms(b.percentile(.99)), Ratio: ratio(ms(s.percentile(.99)), ms(b.percentile(.99))), Conditions: conditions},
	}
	for _, v := range []struct {
		name string
		lat  load
	}{{"rate_content_visible_search", searchLat}, {"rate_content_visible_redis", redisLat}} {
		for _, q := range []struct {
			suffix string
			p      float64
		}{{"_p50", .5}, {"_max", 1}} {
			o := ms(v.lat.percentile(q.p))
			out = append(out, Result{Name: v.name + q.suffix, Value: o, Unit: "ms", Baseline: flushMS,
				Ratio: ratio(o, flushMS), Conditions: visConditions})
		}
	}
	return out, nil
}

// rawRate is the baseline: the rating row alone, upserted as one statement.
func rawRate(ctx context.Context, pool *pgxpool.Pool, userID, contentID string, stars int32) error {
	_, err := pool.Exec(ctx, `
		INSERT INTO ratings (user_id, content_id, stars, review) VALUES ($1, $2, $3, '')
		ON CONFLICT (user_id, content_id) DO UPDATE SET stars = excluded.stars, review = excluded.review,
			updated_at = now()`, userID, contentID, stars)
	return err
}

// hotVisibility re-publishes the title (so search and Redis hold it), then rates it hotProbes times with new raters,
// each at a random point of the flush interval, and times until search and Redis show the new count.
func hotVisibility(ctx context.Context, vis *server, title streaming.Content, raters []string,
	ratings *postgres.RatingStore) (searchLat, redisLat load, settled time.Duration, err error) {
	client := pb.NewCommandServiceClient(vis.conn)
	title.Description += " (visibility)"
	if _, err := client.UpsertContent(vis.asAdmin(ctx), &pb.UpsertContentRequest{Content: contentPB(title)}); err != nil {
		return searchLat, redisLat, settled, err
	}
	var version int64
	if err := vis.built.Pool.QueryRow(ctx, `SELECT version FROM content WHERE id = $1`, title.ID).Scan(&version); err != nil {
		return searchLat, redisLat, settled, err
	}
	shown := func(want int64) (inSearch, inRedis bool, err error) {
		doc, v, found, err := vis.built.Search.Get(ctx, title.ID)
		if err != nil {
			return false, false, err
		}
		inSearch = found && v >= version && doc.RatingCount >= want
		got, err := vis.built.ReadModels.Contents(ctx, title.ID)
		if err != nil {
			return false, false, err
		}
		c, ok := got[title.ID]
		return inSearch, ok && c.Version >= version && c.RatingCount >= want, nil
	}
	// Everything before the probes (the re-published title, the flush of the run's changes) is visible first.
	agg, err := ratings.Aggregate(ctx, title.ID)
	if err != nil {
		return searchLat, redisLat, settled, err
	}
	settleStart := time.Now()
	deadline := settleStart.Add(hotSettleCap)
	for {
		s, r, err := shown(agg.Ratings)
		if err != nil {
			return searchLat, redisLat, settled, err
		}
		if s && r {
			settled = time.Since(settleStart)
			break
		}
		if time.Now().After(deadline) {
			return searchLat, redisLat, settled, fmt.Errorf("title with %d ratings not visible in search (%v) and Redis (%v) after %s", agg.Ratings, s, r, hotSettleCap)
		}
		time.Sleep(20 * time.Millisecond)
	}
	rng := rand.New(rand.NewPCG(19, 2))
	for i, u := range raters[:hotProbes] {
		time.Sleep(time.Duration(rng.Int64N(int64(vis.cfg.RatingFlushInterval))))
		if _, err := client.RateContent(vis.asAdmin(ctx), &pb.RateContentRequest{UserId: u, ContentId: title.ID, Stars: 5}); err != nil {
			return searchLat, redisLat, settled, fmt.Errorf("probe rating %d: %w", i, err)
		}
		answered := time.Now()
		want := agg.Ratings + int64(i) + 1
		var sDone, rDone bool
		for !sDone || !rDone {
			s, r, err := shown(want)
			if err != nil {
				return searchLat, redisLat, settled, err
			}
			took := time.Since(answered)
			if s && !sDone {
				sDone = true
				searchLat.lat = append(searchLat.lat, took)
			}
			if r && !rDone {
				rDone = true
				redisLat.lat = append(redisLat.lat, took)
			}
			if took > hotVisibleCap {
				return searchLat, redisLat, settled, fmt.Errorf("probe rating %d: count %d not visible (search %v, Redis %v) after %s", i, want, sDone, rDone, hotVisibleCap)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return searchLat, redisLat, settled, nil
}
