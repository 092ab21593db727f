package main

// ingest_cassandra: playback events per second made durable in the local Cassandra through IngestPlaybackEvents of
// our gRPC server (service token, per-event checks, the ingest pipeline, cassandra.Store at consistency ONE) with
// the derived updates streamingd ships (wiring.PlaybackObservers: trending counters in the stack's Redis, WATCHED
// edges in its Neo4j and the watchers' cached recommendations invalidated, analytics roll-ups in throwaway indices of
// its search server with their viewer sets in Redis), against the better of two raw gocql writers of the same rows on the same session: single-partition unlogged
// batches, and one insert per event. Each side writes its own fresh events to its own users' partitions in a
// throwaway keyspace, dropped at the end. Ratio = ours ÷ the better raw writer.

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/gocql/gocql"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/analytics"
	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/ingest"
	neo4jstore "github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/search"
	"github.com/streamingplatform/streaming/server/streaming"
	"github.com/streamingplatform/streaming/server/wiring"
)

const (
	// Measured events per side: rounds of 750,000 events, so each round of ours lasts about as long as the roll-ups
	// gather (wiring.AnalyticsGather, 15 s) at the rates of this machine, and the derived updates run at the rhythm
	// streamingd gives them; with shorter rounds, the sync that ends each round of ours cut every gathering short
	// and charged ours a roll-up write per few seconds instead of per 15.
	cassPerSide = 3_000_000
	// Unmeasured events per side first: connections, prepared statements, and a few seconds of the JVMs' JIT
	// (Cassandra's, and Neo4j's and the search server's through our side's derived updates; in a full run no entry
	// before this one writes to Cassandra or Neo4j). 20,000 was under half a second per side.
	cassWarmup    = 150_000
	cassCycles    = 2   // cycles of palindromic order: 4 rounds per side
	cassStreams   = 4   // our side: concurrent IngestPlaybackEvents calls
	cassBatch     = 500 // our side: events per request
	rawBatchC     = 32  // raw batches: unlogged batches in flight
	rawSingleC    = 128 // raw singles: inserts in flight
	cassMaxBatch  = cassandra.DefaultMaxBatch
	cassSideCap   = 150 * time.Second
	cassRoundCap  = 2 * time.Minute
	cassCheckRows = 20 // partitions per side whose rows are read back and checked
)

// The store's statements, for the raw writers.
const (
	cqlInsertEvent = `INSERT INTO playback_events (user_id, content_id, ts, event_id, played_seconds, ` +
		`position_seconds, device, quality, completed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`
	cqlUpsertPosition = `INSERT INTO continue_watching (user_id, content_id, position_seconds, updated_at, completed) ` +
		`VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ?`
	// The erasure's title index; the raw writers give it the default TTL plus a day, as the store does.
	cqlUpsertTitle = `INSERT INTO user_titles (user_id, content_id) VALUES (?, ?) USING TTL ? AND TIMESTAMP ?`
)

// titleTTL is the store's user_titles TTL (seconds) with the default Config.TTL plus its day of margin.
const titleTTL = int((cassandra.DefaultTTL + 24*time.Hour) / time.Second)

// cassTarget is the Cassandra an ingest_cassandra entry writes to, and how much.
type cassTarget struct {
	name            string // the entry's name
	hosts           []string
	replication     cassandra.Replication
	consistency     gocql.Consistency
	perSide, cycles int    // measured events per side; palindromic cycles of ours and raw batches
	warmup          int    // unmeasured events per side first
	where           string // the target in the conditions
	start           string // how to start it, for the error when it does not answer
}

func ingestCassandra(ctx context.Context) ([]Result, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	replication, err := cassandra.ParseReplication(cfg.CassandraReplication)
	if err != nil {
		return nil, err
	}
	return ingestCassandraOn(ctx, cfg, cassTarget{name: "ingest_cassandra", hosts: cfg.CassandraHosts,
		replication: replication, consistency: gocql.One, perSide: cassPerSide, cycles: cassCycles, warmup: cassWarmup,
		where: "consistency ONE, SimpleStrategy replication on one node (the local stack's Cassandra)",
		start: "go tool task stack:up -- cassandra"})
}

// ingestCassandraOn is ingest_cassandra against target.
func ingestCassandraOn(ctx context.Context, cfg config.Config, target cassTarget) ([]Result, error) {
	keyspace := "bench_" + randomHex(6)
	store, closeStore, err := cassandra.Open(ctx, cassandra.Config{Hosts: target.hosts, Keyspace: keyspace,
		Replication: target.replication, LocalDC: cfg.CassandraLocalDC, Consistency: target.consistency})
	if err != nil {
		return nil, fmt.Errorf("cassandra (start it with `%s`): %w", target.start, err)
	}
	defer func() {
		if err := store.Session().Query("DROP KEYSPACE " + keyspace).Exec(); err != nil {
			slog.Error("bench: could not drop keyspace; drop it by hand", "keyspace", keyspace, "err", err)
		}
		closeStore()
	}()
	// The derived updates as streamingd wires them, over the stack's Redis and Neo4j. Our side's users and titles
	// are fresh ids: clean-up removes their nodes and counters afterwards (after ours.stop has flushed them).
	// The catalog the title filter asks: the bench's titles (set below, before any event is sent). streamingd asks
	// PostgreSQL, once per title and 10 minutes; in steady state both answer from the filter's cache.
	var catalog map[string]bool
	derived, rc, closeDerived, err := shippedDerivedUpdates(ctx, cfg, func(id string) bool { return catalog[id] })
	if err != nil {
		return nil, err
	}
	defer closeDerived()
	var oursUsers, titles []string // set below; cleaned up after ours has stopped (defers run last first)
	defer func() { cleanDerived(context.WithoutCancel(ctx), rc, cfg, oursUsers, titles) }()
	ours, md, err := startIngestServer(store, derived)
	if err != nil {
		return nil, err
	}
	stopOurs := sync.OnceFunc(ours.stop)
	defer stopOurs()
	session := store.Session() // the raw writers use the store's own session: same pool, routing, consistency

	// Every side writes fresh events of users of its own (so its rows can be checked), a new set each round.
	rng := rand.New(rand.NewPCG(3, 4))
	titles = uuids(catalogSize)
	catalog = make(map[string]bool, len(titles))
	for _, id := range titles {
		catalog[id] = true
	}
	perRound := target.perSide / (2 * target.cycles)
	// The raw writers group the events of a window as large as what our pipeline may hold queued (QueueEvents), so
	// neither side groups over more events than the other could: grouping a whole round would let the raw writer's
	// batches grow with the round's length.
	window := cfg.IngestQueueEvents
	var batchRequests, singleRequests int // Cassandra requests the raw writers sent
	type contender struct {
		*side
		warm   *roundData
		rounds []*roundData
		write  func(ctx context.Context, d *roundData) error
	}
	newContender := func(name string, write func(ctx context.Context, d *roundData) error) *contender {
		// The warm-up's users are others than the rounds', so the rounds find nothing of theirs that the warm-up
		// already marked (viewers in the trending counters and roll-ups, watched edges): the derived updates do in the
		// rounds what they would do without a warm-up.
		users, warmUsers := uuids(ingestUsers), uuids(ingestUsers)
		oursUsers = slices.Concat(users, warmUsers) // the last contender made is ours
		c := &contender{side: &side{name: name}, warm: &roundData{events: playbackEvents(rng, target.warmup, warmUsers, titles)},
			write: write}
		for events := range slices.Chunk(playbackEvents(rng, target.perSide, users, titles), perRound) {
			c.rounds = append(c.rounds, &roundData{events: events})
		}
		c.round = func(ctx context.Context, r int) (int, error) {
			return len(c.rounds[r].events), c.write(ctx, c.rounds[r])
		}
		return c
	}
	contenders := []*contender{
		newContender("raw batches", func(ctx context.Context, d *roundData) error {
			n, err := rawWindows(ctx, session, d.events, window, true, rawBatchC)
			batchRequests += n
			return err
		}),
		newContender("raw singles", func(ctx context.Context, d *roundData) error {
			n, err := rawWindows(ctx, session, d.events, window, false, rawSingleC)
			singleRequests += n
			return err
		}),
		newContender("ours", func(ctx context.Context, d *roundData) error {
			if err := sendStreams(ctx, ours.conn, md, d.reqs, cassStreams); err != nil {
				return err
			}
			// Its derived updates are applied within its round: they are ours to pay.
			return ours.syncDerived(ctx)
		}),
	}
	// Our side's requests are encoded once, before the run, as in ingest_frontend.
	for _, d := range append([]*roundData{contenders[2].warm}, contenders[2].rounds...) {
		if d.reqs, err = encodeRequests(d.events, cassBatch); err != nil {
			return nil, err
		}
	}

	for _, c := range contenders {
		if err := c.write(ctx, c.warm); err != nil {
			return nil, fmt.Errorf("%s warm-up: %w", c.name, err)
		}
	}
	batchRequests, singleRequests = 0, 0
	writes0, events0, err := ours.partitionWrites()
	if err != nil {
		return nil, err
	}
	applies0, err := ours.applies("analytics")
	if err != nil {
		return nil, err
	}
	// Ours and raw batches alternate in palindromic rounds. Raw singles, twice as slow, run their rounds after:
	// in the alternation their load (four times the requests per event) weighed on whichever side came next,
	// which moved the ratio by a quarter from run to run. It remains a contender for the baseline.
	batches, singles, o := contenders[0].side, contenders[1].side, contenders[2].side
	if err := measureABBA(ctx, []*side{o, batches}, target.cycles, cassSideCap, cassRoundCap); err != nil {
		return nil, err
	}
	writes1, events1, err := ours.partitionWrites()
	if err != nil {
		return nil, err
	}
	applies1, err := ours.applies("analytics")
	if err != nil {
		return nil, err
	}
	if err := measureABBA(ctx, []*side{singles}, 1, cassSideCap, cassRoundCap); err != nil {
		return nil, err
	}
	dropped := ours.dropped()
	// Flush the derived updates (the pipeline, then the observers' buffers) before cleaning up after them.
	stopOurs()
	// What the memos of the watched and trending updates sent and left out.
	memos, err := ours.counters("ingest_watches_written_total", "ingest_watches_unchanged_total",
		"ingest_trending_viewings_sent_total", "ingest_trending_viewings_known_total",
		"ingest_analytics_marks_sent_total", "ingest_analytics_marks_known_total")
	if err != nil {
		return nil, err
	}
	for _, c := range contenders {
		written := slices.Clone(c.warm.events)
		for _, d := range c.rounds[:c.side.rounds] {
			written = append(written, d.events...)
		}
		if err := checkPartitions(ctx, session, written); err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
	}

	best := batches
	if singles.perSecond() > best.perSecond() {
		best = singles
	}
	per := func(n, events int) float64 { return float64(n) / float64(events) }
	conditions := fmt.Sprintf("ours: %d IngestPlaybackEvents calls with the service token over one loopback "+
		"HTTP/2 connection, requests of %d events encoded before the run, the pipeline as wiring configures it "+
		"(QueueEvents=%d, Writers=%d, default MaxBatch/Linger) over cassandra.Store, with the derived updates as "+
		"streamingd wires them (wiring.PlaybackObservers: trending counters in the stack's Redis, WATCHED edges in "+
		"its Neo4j + invalidation of the watchers' cached recommendations, analytics roll-ups in throwaway indices "+
		"of its search server with their viewer sets in Redis, each behind its own 100k-event "+
		"asynchronous buffer; events dropped by a full buffer during the run: trending %d, watched %d; watches "+
		"written to the graph %.0f, left out as the graph held their edge already %.0f; viewings sent to trending %.0f, "+
		"left out as its counters held the viewer for the title and hour already %.0f; viewer marks sent to the "+
		"roll-ups' viewer sets %.0f, left out as held already or repeated %.0f; warm-up included), "+
		"%.2f events per partition write on average, each write an unlogged batch + a position upsert + a title-index upsert (user_titles, for erasure); raw (the "+
		"store's gocql session: protocol v4, %d connections per host, token-aware routing, the store's "+
		"statements): batches = each window of %d events (QueueEvents: what our pipeline may hold queued) grouped per (user, title) into single-partition unlogged "+
		"batches of at most %d inserts, %d in flight: %.0f events/s; singles = one insert per event, %d in "+
		"flight: %.0f events/s; the raw writers write the same Cassandra rows and no derived update; both also upsert the newest position per (user, title) into "+
		"continue_watching and the title into user_titles, as WritePartition does; Cassandra requests per event: ours ≈ %.2f, batches %.2f, "+
		"singles %.2f; baseline = %s; %s; measured %d events ours, %d batches in rounds of %d, %d palindromic cycles of the two, then %d "+
		"singles in two rounds; ours' rounds lasted %.1f s on average (the roll-ups gather %s), and its roll-ups were "+
		"applied %d times during them (each round ends with one); "+
		"after %d warm-up events per side (of other users than the rounds'); each side writes fresh events of its own %d users × %d titles of %d "+
		"(times within the last hour, each user watching each of their titles on one device) into a fresh keyspace; %d partitions per side read back and checked; CPU per "+
		"1,000 events during each side's rounds (each of ours ends once its derived updates are applied: the buffers "+
		"synced, their gathering cut short, so our side pays for all of them): %s; %s; %s",
		cassStreams, cassBatch, cfg.IngestQueueEvents, cfg.IngestWriters, dropped[0], dropped[1], memos[0], memos[1], memos[2], memos[3], memos[4], memos[5], per(int(events1-events0), int(writes1-writes0)),
		cassandra.DefaultNumConns, window, cassMaxBatch, rawBatchC, batches.perSecond(), rawSingleC, singles.perSecond(),
		per(3*int(writes1-writes0), int(events1-events0)), per(batchRequests, batches.events),
		per(singleRequests, singles.events), best.name, target.where, o.events, batches.events, perRound,
		target.cycles, singles.events, o.elapsed.Seconds()/float64(o.rounds), wiring.AnalyticsGather, applies1-applies0,
		target.warmup, ingestUsers, titlesPerUser, catalogSize, cassCheckRows,
		cpuPer(o), cpuPer(batches), machine())
	return []Result{{Name: target.name, Value: round(o.perSecond(), 0), Unit: "events/s",
		Baseline: round(best.perSecond(), 0), Ratio: ratio(o.perSecond(), best.perSecond()), Conditions: conditions}}, nil
}

// roundData is what one round (or the warm-up) of a side writes: its events and, for our side, the requests that
// carry them.
type roundData struct {
	events []streaming.PlaybackEvent
	reqs   []*request
}

type partitionKey struct{ user, content string }

// rawWindows writes events window by window with rawWrite, and returns the Cassandra requests sent.
func rawWindows(ctx context.Context, s *gocql.Session, events []streaming.PlaybackEvent, window int, batched bool, c int) (int, error) {
	requests := 0
	for w := range slices.Chunk(events, window) {
		n, err := rawWrite(ctx, s, w, batched, c)
		requests += n
		if err != nil {
			return requests, err
		}
	}
	return requests, nil
}

// rawWrite writes events as the store leaves them — each event in playback_events with its event time as write
// timestamp, and per (user, title) the newest event's position in continue_watching — from c workers: as
// single-partition unlogged batches of at most cassMaxBatch inserts (batched), or one insert per event.
// It returns the number of requests it sent.
func rawWrite(ctx context.Context, s *gocql.Session, events []streaming.PlaybackEvent, batched bool, c int) (int, error) {
	insertArgs := func(e *streaming.PlaybackEvent) []any {
		return []any{e.UserID, e.ContentID, e.OccurredAt, e.EventID, e.PlayedSeconds, e.PositionSeconds, e.Device,
			e.Quality, e.Completed, e.OccurredAt.UnixMicro()}
	}
	groups := map[partitionKey][]*streaming.PlaybackEvent{}
	var keys []partitionKey
	var ops []func(ctx context.Context) error
	for i := range events {
		e := &events[i]
		k := partitionKey{e.UserID, e.ContentID}
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], e)
		if !batched {
			ops = append(ops, func(ctx context.Context) error {
				return s.Query(cqlInsertEvent, insertArgs(e)...).WithContext(ctx).Idempotent(true).Exec()
			})
		}
	}
	for _, k := range keys {
		group := groups[k]
		if batched {
			for chunk := range slices.Chunk(group, cassMaxBatch) {
				ops = append(ops, func(ctx context.Context) error {
					b := s.NewBatch(gocql.UnloggedBatch).WithContext(ctx)
					for _, e := range chunk {
						b.Entries = append(b.Entries, gocql.BatchEntry{Stmt: cqlInsertEvent, Args: insertArgs(e), Idempotent: true})
					}
					return s.ExecuteBatch(b)
				})
			}
		}
		newest := slices.MaxFunc(group, func(a, b *streaming.PlaybackEvent) int { return a.OccurredAt.Compare(b.OccurredAt) })
		ops = append(ops, func(ctx context.Context) error {
			return s.Query(cqlUpsertPosition, k.user, k.content, newest.PositionSeconds, newest.OccurredAt,
				newest.Completed, newest.OccurredAt.UnixMicro()).WithContext(ctx).Idempotent(true).Exec()
		}, func(ctx context.Context) error {
			return s.Query(cqlUpsertTitle, k.user, k.content, titleTTL, time.Now().UnixMicro()).
				WithContext(ctx).Idempotent(true).Exec()
		})
	}
	l, err := runLoad(ctx, len(ops), c, cassRoundCap, func(ctx context.Context, i int) error { return ops[i](ctx) })
	return l.ops, err
}

// checkPartitions reads back a few of the partitions events went to: every event must be stored, and
// continue_watching must hold the newest event's position.
func checkPartitions(ctx context.Context, s *gocql.Session, events []streaming.PlaybackEvent) error {
	count := map[partitionKey]int{}
	newest := map[partitionKey]*streaming.PlaybackEvent{}
	var keys []partitionKey
	for i := range events {
		e := &events[i]
		k := partitionKey{e.UserID, e.ContentID}
		if count[k] == 0 {
			keys = append(keys, k)
		}
		count[k]++
		if n := newest[k]; n == nil || e.OccurredAt.After(n.OccurredAt) {
			newest[k] = e
		}
	}
	for _, k := range keys[:min(cassCheckRows, len(keys))] {
		var rows int
		var position int32
		if err := s.Query(`SELECT COUNT(*) FROM playback_events WHERE user_id = ? AND content_id = ?`, k.user, k.content).
			WithContext(ctx).Scan(&rows); err != nil {
			return err
		}
		if err := s.Query(`SELECT position_seconds FROM continue_watching WHERE user_id = ? AND content_id = ?`,
			k.user, k.content).WithContext(ctx).Scan(&position); err != nil {
			return err
		}
		if rows != count[k] || position != newest[k].PositionSeconds {
			return fmt.Errorf("partition %s/%s holds %d events and position %d; want %d and %d",
				k.user, k.content, rows, position, count[k], newest[k].PositionSeconds)
		}
	}
	return nil
}

// shippedDerivedUpdates opens the stack's Redis and Neo4j as streamingd does and returns the derived updates
// streamingd wires over them (wiring.PlaybackObservers), the Redis client (for clean-up) and what closes both.
func shippedDerivedUpdates(ctx context.Context, cfg config.Config, inCatalog func(id string) bool) (observerFactory, rueidis.Client, func(), error) {
	rc, closeRedis, err := redis.Open(ctx, redis.Config{Addr: cfg.RedisAddr, ClientCache: cfg.RedisClientCache})
	if err != nil {
		return nil, nil, nil, err
	}
	graph, closeGraph, err := neo4jstore.Open(ctx, neo4jstore.Config{URI: cfg.Neo4jURI, Username: cfg.Neo4jUser,
		Password: cfg.Neo4jPassword, Database: cfg.Neo4jDatabase})
	if err != nil {
		closeRedis()
		return nil, nil, nil, fmt.Errorf("neo4j (start it with `go tool task stack:up -- neo4j`): %w", err)
	}
	trending := redis.NewTrending(rc)
	recs := redis.NewReadModel(rc, redis.ReadModelOptions{ClientCache: cfg.RedisClientCache})
	// The analytics roll-ups go to throwaway monthly indices of the stack's search server, dropped at the end.
	index, closeSearch, err := search.Open(ctx, wiring.SearchConfig(cfg))
	if err != nil {
		closeGraph()
		closeRedis()
		return nil, nil, nil, fmt.Errorf("search: %w", err)
	}
	rollupIndex, err := index.Analytics(fmt.Sprintf("bench_analytics_%08x", rand.Uint32()))
	if err == nil {
		err = rollupIndex.EnsureAnalytics(ctx)
	}
	if err != nil {
		closeSearch()
		closeGraph()
		closeRedis()
		return nil, nil, nil, fmt.Errorf("search: analytics: %w", err)
	}
	rollups := &analytics.Rollups{Store: rollupIndex, Viewers: recs, Countries: recs}
	closeAll := func() {
		if _, err := rollupIndex.DropBefore(context.WithoutCancel(ctx), time.Now().AddDate(1, 0, 0)); err != nil {
			fmt.Printf("bench: the throwaway analytics indices %s-* were not dropped: %v\n", rollupIndex.Prefix(), err)
		}
		closeSearch()
		closeGraph()
		closeRedis()
	}
	factory := func(reg prometheus.Registerer, log *slog.Logger) (streaming.PlaybackObserver, []*ingest.AsyncObserver) {
		titles := &ingest.TitleFilter{Lookup: func(_ context.Context, ids []string) ([]string, error) {
			var known []string
			for _, id := range ids {
				if inCatalog(id) {
					known = append(known, id)
				}
			}
			return known, nil
		}}
		return wiring.PlaybackObservers(reg, trending, graph, recs, rollups, titles, log)
	}
	return factory, rc, closeAll, nil
}

// cleanDerived removes what our side's derived updates left in the stack's stores: the users' and titles' Neo4j
// nodes (with their WATCHED edges) and the titles' trending counters of the hours the events fell in.
func cleanDerived(ctx context.Context, rc rueidis.Client, cfg config.Config, users, titles []string) {
	if len(titles) == 0 {
		return // stopped before any event was made
	}
	var errs []error
	if drv, closeDrv, err := openNeo4j(ctx, cfg); err != nil {
		errs = append(errs, err)
	} else {
		defer closeDrv()
		_, err := neo4j.ExecuteQuery(ctx, drv, `
			UNWIND $titles AS id MATCH (c:Content {id: id}) DETACH DELETE c
			WITH count(*) AS _
			UNWIND $users AS id MATCH (u:User {id: id}) DETACH DELETE u`,
			map[string]any{"titles": titles, "users": users}, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(cfg.Neo4jDatabase), neo4j.ExecuteQueryWithWritersRouting())
		if err != nil {
			errs = append(errs, err)
		}
	}
	// Events occur within the last hour (playbackEvents): at most the current and the previous hour's buckets, plus
	// one for a run that crossed an hour.
	now := time.Now().UTC()
	var cmds rueidis.Commands
	for h := range 3 {
		hour := now.Add(-time.Duration(h) * time.Hour)
		cmds = append(cmds, rc.B().Zrem().Key(redis.TrendingHourKey(hour)).Member(titles...).Build())
		for _, t := range titles {
			cmds = append(cmds, rc.B().Del().Key(redis.TrendingViewersKey(hour, t)).Build())
		}
	}
	for _, res := range rc.DoMulti(ctx, cmds...) {
		if err := res.Error(); err != nil {
			errs = append(errs, err)
			break
		}
	}
	for _, err := range errs {
		slog.Error("bench: ingest_cassandra clean-up of the derived updates", "err", err)
	}
}
