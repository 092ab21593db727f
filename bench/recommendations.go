package main

// recs_warm and recs_cold: GetRecommendations through the server (gRPC with the admin token, interceptors, the
// query handler) for users of the generated dataset, with the user's list cached (warm) or just invalidated (cold),
// against the raw read of the same thing: the cached hash through rueidis (warm), the recommendation Cypher through
// the Neo4j driver (cold).

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/redis/rueidis"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	neo4jstore "github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/redis"
)

const (
	// queryConcurrency is the closed-loop workers that fill caches and warm up (one per core of the machine the
	// figures were taken on), and that measure each side once more at saturation for the record.
	queryConcurrency = 2
	// latencyWorkers measure the latency comparisons (recs_warm, recs_cold, search): one request at a time, the
	// latency a caller sees when the machine is not saturated. On this 2-core machine the load generator, the
	// server and the store share the cores, and two closed-loop workers keep them all busy: the p99 then measures
	// the wait for a core (a bare grpc-go health check has a p99 above 1 ms at two workers here, about 0.3 ms at
	// one). Each benchmark also reports both sides at queryConcurrency workers, as _w2 entries.
	latencyWorkers = 1
	warmUsers      = 500
	warmPerSide    = 20_000
	warmCycles     = 2
	warmSideCap    = 40 * time.Second
	coldPerSide    = 1500 // the p99 of 600 moved by a quarter from run to run
	coldWarmup     = 40
	coldCycles     = 2
	coldSideCap    = 60 * time.Second
	recsLimit      = 10 // what the request asks for (the server computes and caches 50)
	recsComputed   = 50 // what the server asks the graph for: query.cachedRecommendations
)

// quickScale divides sample counts under BENCH_QUICK=1.
func quickScale(n int) int {
	if quick, _ := strconv.ParseBool(os.Getenv("BENCH_QUICK")); quick {
		return max(1, n/5)
	}
	return n
}

// sampleUsers returns n distinct users of the dataset, drawn uniformly with the given seed.
func sampleUsers(d *queryDataset, n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 99))
	perm := rng.Perm(d.size.Users)[:min(n, d.size.Users)]
	out := make([]string, len(perm))
	for i, u := range perm {
		out[i] = d.userID(u)
	}
	return out
}

// fillPatience bounds how long the cache fill waits for the graph to answer instead of the fallback.
const fillPatience = 2 * time.Minute

func recsWarm(ctx context.Context) ([]Result, error) {
	qb, err := startQueryBench(ctx)
	if err != nil {
		return nil, err
	}
	defer qb.stop()
	cfg := qb.srv.cfg
	client := pb.NewQueryServiceClient(qb.srv.conn)
	users := sampleUsers(qb.data, quickScale(warmUsers), 1)

	// Fill: one call per user computes the list from the graph and caches it.
	// (A list may still be cached from an earlier run within the hour: then the call only reads it.)
	// A trending fallback is not cached: the graph missed the server's timeout (a Neo4j just started, its page cache
	// cold, or still busy with an earlier benchmark's writes), or the graph's circuit breaker is open after such
	// misses and answers the fallback at once for -breaker-open-for. So the call is repeated, a little apart, until
	// the graph answers, for up to fillPatience.
	fillStart := time.Now()
	var computed, fallbacks atomic.Int64
	if err := parallel(ctx, len(users), queryConcurrency, func(ctx context.Context, i int) error {
		for {
			res, err := client.GetRecommendations(qb.srv.asAdmin(ctx), &pb.GetRecommendationsRequest{UserId: users[i], Limit: recsLimit})
			if err != nil {
				return err
			}
			if len(res.GetRecommendations()) == 0 {
				return fmt.Errorf("user %s: no recommendations", users[i])
			}
			switch res.GetSource() {
			case pb.RecommendationSource_RECOMMENDATION_SOURCE_GRAPH:
				computed.Add(1)
				return nil
			case pb.RecommendationSource_RECOMMENDATION_SOURCE_FALLBACK:
				fallbacks.Add(1)
				if time.Since(fillStart) > fillPatience {
					return fmt.Errorf("user %s: still the trending fallback after %s: is Neo4j answering within %s?", users[i], fillPatience, cfg.RecsGraphTimeout)
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(500 * time.Millisecond):
				}
			default:
				return nil
			}
		}
	}); err != nil {
		return nil, fmt.Errorf("fill the cache: %w", err)
	}
	fill := time.Since(fillStart)

	// The baseline client is built with the server's options: client-side caching exactly when the server has it.
	raw, closeRaw, err := redis.Open(ctx, redis.Config{Addr: cfg.RedisAddr, ClientCache: cfg.RedisClientCache})
	if err != nil {
		return nil, err
	}
	defer closeRaw()
	hgetall := func(ctx context.Context, c rueidis.Client, cached bool, user string) error {
		var res rueidis.RedisResult
		if cached {
			res = c.DoCache(ctx, c.B().Hget().Key("recommendations:"+user).Field("list").Cache(), time.Minute) // ReadModel's CacheTTL
		} else {
			res = c.Do(ctx, c.B().Hget().Key("recommendations:"+user).Field("list").Build())
		}
		list, err := res.ToString()
		if err == nil && list == "" {
			err = fmt.Errorf("recommendations:%s is not cached", user)
		}
		return err
	}
	ours := &latSide{name: "server", op: func(ctx context.Context, i int) (time.Duration, error) {
		t := time.Now()
		res, err := client.GetRecommendations(qb.srv.asAdmin(ctx), &pb.GetRecommendationsRequest{UserId: users[i%len(users)], Limit: recsLimit})
		d := time.Since(t)
		if err == nil && res.GetSource() != pb.RecommendationSource_RECOMMENDATION_SOURCE_CACHE {
			err = fmt.Errorf("user %s: answered from %s, not the cache", users[i%len(users)], res.GetSource())
		}
		return d, err
	}}
	base := &latSide{name: "raw rueidis", op: func(ctx context.Context, i int) (time.Duration, error) {
		t := time.Now()
		err := hgetall(ctx, raw, cfg.RedisClientCache, users[i%len(users)])
		return time.Since(t), err
	}}
	// Warm-up: every user once on each side, so each side's client-side cache holds every list before measuring.
	for _, s := range []*latSide{base, ours} {
		if err := s.warm(ctx, len(users), queryConcurrency); err != nil {
			return nil, err
		}
	}
	if err := measureLatencyABBA(ctx, []*latSide{ours, base}, quickScale(warmPerSide), warmCycles, latencyWorkers, warmSideCap); err != nil {
		return nil, err
	}
	// For the record: the same read without client-side caching, a round trip to Redis each time.
	plain := &latSide{name: "raw rueidis, no client cache", op: func(ctx context.Context, i int) (time.Duration, error) {
		t := time.Now()
		err := hgetall(ctx, raw, false, users[i%len(users)])
		return time.Since(t), err
	}}
	if plain.lat, err = latencyRound(ctx, plain, quickScale(warmPerSide)/4, latencyWorkers); err != nil {
		return nil, fmt.Errorf("%s: %w", plain.name, err)
	}
	// For the record: the floor of any call to this server on this machine, a grpc.health.v1 Check over the same
	// connection and interceptors.
	health := healthpb.NewHealthClient(qb.srv.conn)
	floor := &latSide{name: "health check", op: func(ctx context.Context, i int) (time.Duration, error) {
		t := time.Now()
		_, err := health.Check(qb.srv.asAdmin(ctx), &healthpb.HealthCheckRequest{})
		return time.Since(t), err
	}}
	if floor.lat, err = latencyRound(ctx, floor, quickScale(warmPerSide)/4, latencyWorkers); err != nil {
		return nil, fmt.Errorf("%s: %w", floor.name, err)
	}
	// At two workers, the floor (health check) is measured beside the two sides: there the machine, not the call,
	// decides the p99.
	w2, saturated, err := measureSaturated(ctx, []*latSide{ours, base, floor}, quickScale(warmPerSide)/4, queryConcurrency, warmSideCap)
	if err != nil {
		return nil, err
	}
	conditions := fmt.Sprintf("warm: GetRecommendations (limit %d) through the server for %d users whose list (%d "+
		"titles) was cached by one unmeasured call each (%d computed from the graph by this run, the others still "+
		"cached by an earlier one; %d trending fallbacks repeated; %.1f s), then one unmeasured read per user and side; server: gRPC with the admin token over one loopback HTTP/2 connection, "+
		"interceptors, query handler, ReadModel.CachedRecommendations (rueidis client-side caching=%t, so a hit is "+
		"served from the server's memory), every measured answer checked to come from the cache; baseline: HGET "+
		"recommendations:{user} list (the ranked list the server reads) through a rueidis client with the server's options (DoCache with the same 1 min TTL "+
		"when client caching is on) + ToString; %d samples ours, %d baseline, %d closed-loop workers per side, %d "+
		"ABBA cycles; for reference, the same HGET without client caching (a Redis round trip): p50 %.3f ms, p99 "+
		"%.3f ms, and a grpc.health.v1 Check to the same server over the same connection (the floor of any "+
		"call): p50 %.3f ms, p99 %.3f ms (%d samples each, after the comparison); %s; %s; %s",
		recsLimit, len(users), recsComputed, computed.Load(), fallbacks.Load(), fill.Seconds(), cfg.RedisClientCache, len(ours.lat), len(base.lat),
		latencyWorkers, warmCycles, ms(plain.percentile(.5)), ms(plain.percentile(.99)), ms(floor.percentile(.5)),
		ms(floor.percentile(.99)), len(plain.lat), saturated,
		qb.data.describe(qb.report), machine())
	return latencyResults("recs_warm", ours, base, w2[0], w2[1], conditions), nil
}

func recsCold(ctx context.Context) ([]Result, error) {
	qb, err := startQueryBench(ctx)
	if err != nil {
		return nil, err
	}
	defer qb.stop()
	cfg := qb.srv.cfg
	client := pb.NewQueryServiceClient(qb.srv.conn)
	perSide := quickScale(coldPerSide)
	users := sampleUsers(qb.data, coldWarmup+perSide, 2)
	drv, closeDrv, err := openNeo4j(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer closeDrv()

	var mu sync.Mutex
	sources := map[pb.RecommendationSource]int{}
	var listLen, lists int
	ours := &latSide{name: "server", op: func(ctx context.Context, i int) (time.Duration, error) {
		u := users[i%len(users)]
		if err := qb.srv.built.ReadModels.InvalidateRecommendations(ctx, u); err != nil {
			return 0, err
		}
		t := time.Now()
		res, err := client.GetRecommendations(qb.srv.asAdmin(ctx), &pb.GetRecommendationsRequest{UserId: u, Limit: recsLimit})
		d := time.Since(t)
		if err != nil {
			return 0, err
		}
		mu.Lock()
		sources[res.GetSource()]++
		mu.Unlock()
		if res.GetSource() != pb.RecommendationSource_RECOMMENDATION_SOURCE_GRAPH {
			return -1, nil // not a cold answer from the graph: counted in sources, never a sample
		}
		return d, nil
	}}
	// The baseline is what Graph.Recommend runs, minus nothing of the graph's work: a read session, the same
	// statement and parameters (the 50 titles the server asks for) in a managed read transaction with the same
	// timeout, the records collected and decoded.
	base := &latSide{name: "raw Cypher", op: func(ctx context.Context, i int) (time.Duration, error) {
		u := users[i%len(users)]
		t := time.Now()
		n, err := rawRecommend(ctx, drv, cfg.Neo4jDatabase, u)
		d := time.Since(t)
		mu.Lock()
		listLen += n
		lists++
		mu.Unlock()
		return d, err
	}}
	for _, s := range []*latSide{base, ours} {
		if err := s.warm(ctx, coldWarmup, queryConcurrency); err != nil {
			return nil, err
		}
	}
	clear(sources)
	listLen, lists = 0, 0
	if err := measureLatencyABBA(ctx, []*latSide{ours, base}, perSide, coldCycles, latencyWorkers, coldSideCap); err != nil {
		return nil, err
	}
	if err := coldAnswersFromGraph(sources, latencyWorkers); err != nil {
		return nil, err
	}
	graph := sources[pb.RecommendationSource_RECOMMENDATION_SOURCE_GRAPH]
	meanLen := float64(listLen) / float64(max(1, lists))
	clear(sources)
	w2, saturated, err := measureSaturated(ctx, []*latSide{ours, base}, perSide/2, queryConcurrency, coldSideCap)
	if err != nil {
		return nil, err
	}
	if err := coldAnswersFromGraph(sources, queryConcurrency); err != nil {
		return nil, err
	}
	conditions := fmt.Sprintf("cold: GetRecommendations (limit %d) through the server for distinct users, their "+
		"cached list deleted (InvalidateRecommendations) before each call outside the timed region, so each call "+
		"misses the cache, runs neo4j.RecommendCypher for %d titles (graph timeout %s) and caches the answer; "+
		"all %d measured answers from the graph (a trending fallback or cached answer fails the run); baseline: the same users' "+
		"RecommendCypher + RecommendParams(user, %d) through the Neo4j Go driver with the server's options "+
		"(session, ExecuteRead with a 5 s transaction timeout, collect and decode), %.1f titles per list on "+
		"average; same users in the same order on both sides; %d samples ours, %d baseline, after %d unmeasured "+
		"per side, %d closed-loop workers per side, %d ABBA cycles; Neo4j page cache warm (the whole graph fits), "+
		"query plan cached; %s; %s; %s",
		recsLimit, recsComputed, cfg.RecsGraphTimeout, graph,
		recsComputed, meanLen, len(ours.lat), len(base.lat), coldWarmup, latencyWorkers,
		coldCycles, saturated, qb.data.describe(qb.report), machine())
	return latencyResults("recs_cold", ours, base, w2[0], w2[1], conditions), nil
}

// coldAnswersFromGraph fails when any measured call was answered otherwise than from the graph: a trending fallback
// (the graph missed the server's timeout) is fast and would flatter the percentiles; a cached answer means the
// invalidation did not take. Such answers were not counted as samples either way.
func coldAnswersFromGraph(sources map[pb.RecommendationSource]int, workers int) error {
	fallback := sources[pb.RecommendationSource_RECOMMENDATION_SOURCE_FALLBACK]
	cached := sources[pb.RecommendationSource_RECOMMENDATION_SOURCE_CACHE]
	total := 0
	for _, n := range sources {
		total += n
	}
	if other := total - sources[pb.RecommendationSource_RECOMMENDATION_SOURCE_GRAPH]; other > 0 {
		return fmt.Errorf("at %d workers, %d of %d measured answers did not come from the graph: %d trending "+
			"fallbacks, %d from the cache, %d other (is Neo4j answering within the server's graph timeout?)",
			workers, other, total, fallback, cached, other-fallback-cached)
	}
	return nil
}

// rawRecommend runs the recommendation query for user as Graph.Recommend does and returns how many titles it found.
func rawRecommend(ctx context.Context, drv neo4j.DriverWithContext, db, user string) (int, error) {
	s := drv.NewSession(ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeRead, DatabaseName: db})
	defer s.Close(context.WithoutCancel(ctx))
	return neo4j.ExecuteRead(ctx, s, func(tx neo4j.ManagedTransaction) (int, error) {
		res, err := tx.Run(ctx, neo4jstore.RecommendCypher, neo4jstore.RecommendParams(user, recsComputed))
		if err != nil {
			return 0, err
		}
		records, err := res.Collect(ctx)
		if err != nil {
			return 0, err
		}
		for _, rec := range records {
			if _, _, err := neo4j.GetRecordValue[string](rec, "id"); err != nil {
				return 0, err
			}
			if _, _, err := neo4j.GetRecordValue[string](rec, "title"); err != nil {
				return 0, err
			}
			if _, _, err := neo4j.GetRecordValue[float64](rec, "score"); err != nil {
				return 0, err
			}
			if _, _, err := neo4j.GetRecordValue[string](rec, "reason"); err != nil {
				return 0, err
			}
		}
		return len(records), nil
	}, neo4j.WithTxTimeout(5*time.Second))
}
