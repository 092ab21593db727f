package main

// rebuild: how long the shipped `streamingd -rebuild=<store>` (wiring.Rebuild) takes to rebuild each read model at
// the size — 100k users, 10k titles, 1M watches — from a throwaway PostgreSQL schema and Cassandra keyspace,
// against the strongest raw writer of the same final state into the same store, measured in the same run: the Neo4j
// driver with UNWIND batches (graph), net/http _bulk into a fresh index (search), rueidis DoMulti pipelines of HSETs
// (redis). Each side writes into the same empty state: what the previous side wrote is deleted first. Ratio = ours
// ÷ raw (lower is better).
//
// -rebuild=analytics has no entry: its work is reading a month of playback events from Cassandra and folding them
// into roll-ups (and viewer sets in Redis) in memory before a bulk write; a "raw" side would be a second
// implementation of that fold, not a thinner path to the same store, so its ratio would measure the bench's own code.

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gocql/gocql"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/password"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/rebuild"
	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/streaming"
	"github.com/streamingplatform/streaming/server/wiring"
)

const (
	rebuildGraphBatch  = 5000 // raw graph: rows per UNWIND statement, each in its own write transaction
	rebuildSearchBatch = 1000 // raw search: documents per _bulk request
	rebuildRedisBatch  = 1000 // raw redis: HSETs per DoMulti
	rebuildDeleteBatch = 1000 // nodes per DETACH DELETE transaction when clearing the graph between sides
	rebuildLoadWorkers = 32   // Cassandra load: unlogged batches in flight
	rebuildCardShare   = 0.85 // subscriptions paid by card (the rest by PayPal)
	rebuildFingerprint = 0.9  // card subscriptions whose card fingerprint is known (a PAID_WITH edge)
	rebuildSharedCard  = 0.04 // card subscriptions paid with a card another account used first
	rebuildRunCap      = 10 * time.Minute
	rebuildChecked     = 50 // users and titles whose Redis hashes and search documents are compared between sides
)

// rebuildSize is how much source data the rebuild reads.
type rebuildSize struct {
	Users, Titles, Watches, Subscriptions, Ratings int
}

var fullRebuildSize = rebuildSize{Users: 100_000, Titles: 10_000, Watches: 1_000_000, Subscriptions: 50_000, Ratings: 100_000}

// rebuildSizeFromEnv is the size, or a tenth of each under BENCH_QUICK=1.
func rebuildSizeFromEnv() rebuildSize {
	s := fullRebuildSize
	if quickRun() {
		s = rebuildSize{Users: s.Users / 10, Titles: s.Titles / 10, Watches: s.Watches / 10,
			Subscriptions: s.Subscriptions / 10, Ratings: s.Ratings / 10}
	}
	return s
}

// quickRun says whether BENCH_QUICK=1 asks for a quick run: a tenth of the data.
func quickRun() bool {
	quick, _ := strconv.ParseBool(os.Getenv("BENCH_QUICK"))
	return quick
}

// countries are the viewers' countries, most viewers first (also content_analytics').
var countries = []string{"US", "MX", "ES", "BR", "AR", "CO", "GB", "FR", "DE", "CL"}

// rebuildData is the source of truth the rebuild reads, as generated: the query benchmarks' catalog generator
// (titles, genres, who watched what), under ids and genre names of the rebuild's own, so nothing collides with the
// query dataset in the stack's Neo4j.
type rebuildData struct {
	size    rebuildSize
	cat     *queryDataset
	hash    string // the one password hash every user shares
	users   []streaming.User
	plans   []streaming.Plan
	subs    []streaming.Subscription
	ratings []streaming.Rating
	watches []streaming.Watch // distinct (user, title) pairs; every rating is of a watched title
	// figures are the titles' rating figures as PostgreSQL computed them (average rounded to 2 places), with the
	// sequence number of their publication (1; 0 for a title without ratings).
	figures map[string]postgres.RatedContent
}

var rebuildEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newRebuildData(ctx context.Context, size rebuildSize) (*rebuildData, error) {
	name := "rebuild"
	tag := sha1.Sum([]byte(name))
	cat := &queryDataset{name: name, size: querySize{Users: size.Users, Titles: size.Titles, Edges: size.Watches, Docs: size.Titles},
		ns:   uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/streamingplatform/streaming/bench/rebuild")),
		seed: 0x5eed_7eb0}
	for _, g := range baseGenres {
		cat.genres = append(cat.genres, "r"+hex.EncodeToString(tag[:3])+"-"+g)
	}
	cat.vocab = vocabulary()
	cat.generateCatalog()
	d := &rebuildData{size: size, cat: cat}

	batches := make([][]streaming.Watch, cat.batches())
	if err := parallel(ctx, len(batches), 2, func(_ context.Context, b int) error {
		batches[b] = cat.batchWatches(b)
		return nil
	}); err != nil {
		return nil, err
	}
	d.watches = slices.Concat(batches...)

	rng := rand.New(rand.NewPCG(cat.seed, 0x7eb))
	countryWeights := genreWeights(len(countries))
	for i := range size.Users {
		d.users = append(d.users, streaming.User{ID: cat.userID(i), Email: fmt.Sprintf("rebuild-%d@example.com", i),
			DisplayName: fmt.Sprintf("Rebuild User %d", i), Country: countries[pick(rng, countryWeights)], Version: 1,
			CreatedAt: rebuildEpoch.Add(time.Duration(i) * time.Second)})
	}
	for i, p := range []struct {
		name, quality string
		cents         int64
		streams       int32
	}{{"Basic", "sd", 799, 1}, {"Standard", "hd", 1299, 2}, {"Premium", "uhd", 1799, 4}} {
		d.plans = append(d.plans, streaming.Plan{ID: uuid.NewSHA1(cat.ns, []byte("plan/"+strconv.Itoa(i))).String(),
			Name: p.name, Description: p.name + " plan", PriceCents: p.cents, Currency: "USD", MaxStreams: p.streams,
			MaxQuality: p.quality, Available: true, Version: 1, CreatedAt: rebuildEpoch, UpdatedAt: rebuildEpoch})
	}
	// One subscription per second user; most by card, most cards' fingerprints known, a few cards shared.
	var cards []string
	for i := 1; i < size.Users && len(d.subs) < size.Subscriptions; i += 2 {
		p := d.plans[rng.IntN(len(d.plans))]
		start := rebuildEpoch.AddDate(0, 0, rng.IntN(300))
		s := streaming.Subscription{ID: uuid.NewSHA1(cat.ns, []byte("subscription/"+strconv.Itoa(i))).String(),
			UserID: d.users[i].ID, PlanID: p.ID, Status: "active", StartDate: start, PriceCents: p.PriceCents,
			Currency: p.Currency, PaymentMethod: "paypal", Version: 1, CreatedAt: start, UpdatedAt: start,
			CurrentPeriodStart: start, CurrentPeriodEnd: start.AddDate(0, 1, 0)}
		if rng.Float64() < rebuildCardShare {
			s.PaymentMethod = "card"
			if rng.Float64() < rebuildFingerprint {
				if len(cards) > 0 && rng.Float64() < rebuildSharedCard {
					s.PaymentFingerprint = cards[rng.IntN(len(cards))]
				} else {
					s.PaymentFingerprint = fmt.Sprintf("bench-rebuild-card-%07d", len(cards))
					cards = append(cards, s.PaymentFingerprint)
				}
			}
		}
		d.subs = append(d.subs, s)
	}
	// Ratings: a share of the watched titles, rated once each.
	starWeights := []float64{0.05, 0.1, 0.2, 0.35, 0.3}
	share := float64(size.Ratings) / float64(len(d.watches))
	for _, w := range d.watches {
		if rng.Float64() < share {
			d.ratings = append(d.ratings, streaming.Rating{UserID: w.UserID, ContentID: w.ContentID,
				Stars: int32(1 + pick(rng, starWeights)), Version: 1,
				UpdatedAt: rebuildEpoch.Add(time.Duration(rng.IntN(300*86400)) * time.Second)})
		}
	}
	var err error
	d.hash, err = password.Hash("bench-password", password.Default)
	return d, err
}

// fingerprints are the distinct card fingerprints of the subscriptions (the graph's PaymentInstrument nodes).
func (d *rebuildData) fingerprints() []string {
	var out []string
	for _, s := range d.subs {
		if s.PaymentFingerprint != "" {
			out = append(out, s.PaymentFingerprint)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (d *rebuildData) userIDs() []string {
	out := make([]string, len(d.users))
	for i, u := range d.users {
		out[i] = u.ID
	}
	return out
}

func (d *rebuildData) titleIDs() []string {
	out := make([]string, d.size.Titles)
	for i := range out {
		out[i] = d.cat.catalog[i].ID
	}
	return out
}

// titles are the catalog's titles with the rating figures PostgreSQL holds.
func (d *rebuildData) titles() []streaming.Content {
	out := slices.Clone(d.cat.catalog[:d.size.Titles])
	for i := range out {
		f := d.figures[out[i].ID]
		out[i].RatingAvg, out[i].RatingCount = f.RatingAvg, f.RatingCount
	}
	return out
}

// loadPostgres writes the source of truth into the migrated schema behind pool: plans, users (COPY), titles
// (COPY), ratings (COPY, counted in the titles' figures as migration 00008 counts an existing database's) and
// subscriptions (one INSERT over arrays), then reads the titles' figures back.
func (d *rebuildData) loadPostgres(ctx context.Context, pool *postgres.Pool) error {
	for _, p := range d.plans {
		if _, err := pool.Exec(ctx, `INSERT INTO plans (id, name, description, monthly_price, currency, max_streams,
				max_quality, available, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4::bigint / 100.0, $5, $6, $7, $8, $9, $10, $10)`,
			p.ID, p.Name, p.Description, p.PriceCents, p.Currency, p.MaxStreams, p.MaxQuality, p.Available, p.Version,
			p.CreatedAt); err != nil {
			return fmt.Errorf("plans: %w", err)
		}
	}
	rows := make([][]any, len(d.users))
	for i, u := range d.users {
		rows[i] = []any{u.ID, u.Email, u.DisplayName, u.Country, d.hash, u.Version, u.CreatedAt}
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "email", "display_name", "country",
		"password_hash", "version", "created_at"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("users: %w", err)
	}
	rows = rows[:0]
	for _, c := range d.cat.catalog[:d.size.Titles] {
		rows = append(rows, []any{c.ID, c.Title, c.Description, c.Type, c.Genres, c.Actors, c.Seasons, c.ReleaseYear,
			c.DurationSeconds, c.Version, c.UpdatedAt})
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"content"}, []string{"id", "title", "description", "type", "genres",
		"actors", "seasons", "release_year", "duration_seconds", "version", "updated_at"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("titles: %w", err)
	}
	rows = make([][]any, len(d.ratings))
	for i, r := range d.ratings {
		rows[i] = []any{r.UserID, r.ContentID, r.Stars, int16(r.Stars), r.UpdatedAt}
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"ratings"}, []string{"user_id", "content_id", "stars",
		"counted_stars", "updated_at"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("ratings: %w", err)
	}
	if _, err := pool.Exec(ctx, `UPDATE content c SET rating_sum = r.s, rating_count = r.n,
			rating_avg = round(r.s::numeric / r.n, 2), rating_seq = 1
		FROM (SELECT content_id, sum(stars) s, count(*) n FROM ratings GROUP BY content_id) r WHERE c.id = r.content_id`); err != nil {
		return fmt.Errorf("rating figures: %w", err)
	}
	var ids, users, plans, statuses, currencies, methods, fingerprints []string
	var starts, periodStarts, periodEnds, created, updated []time.Time
	var cents []int64
	for _, s := range d.subs {
		ids, users, plans, statuses = append(ids, s.ID), append(users, s.UserID), append(plans, s.PlanID), append(statuses, s.Status)
		currencies, methods = append(currencies, s.Currency), append(methods, s.PaymentMethod)
		fingerprints, cents = append(fingerprints, s.PaymentFingerprint), append(cents, s.PriceCents)
		starts, periodStarts, periodEnds = append(starts, s.StartDate), append(periodStarts, s.CurrentPeriodStart), append(periodEnds, s.CurrentPeriodEnd)
		created, updated = append(created, s.CreatedAt), append(updated, s.UpdatedAt)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO subscriptions (id, user_id, plan_id, status, start_date, monthly_price,
			currency, payment_method, current_period_start, current_period_end, created_at, updated_at, payment_fingerprint)
		SELECT id, user_id, plan_id, status, start_date, cents / 100.0, currency, method, period_start, period_end,
			created_at, updated_at, nullif(fingerprint, '')
		FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::bigint[], $7::text[],
			$8::text[], $9::timestamptz[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::text[])
			AS s(id, user_id, plan_id, status, start_date, cents, currency, method, period_start, period_end,
				created_at, updated_at, fingerprint)`, ids, users, plans, statuses, starts, cents, currencies, methods,
		periodStarts, periodEnds, created, updated, fingerprints); err != nil {
		return fmt.Errorf("subscriptions: %w", err)
	}
	for _, table := range []string{"users", "plans", "subscriptions", "content", "ratings"} {
		if _, err := pool.Exec(ctx, "ANALYZE "+table); err != nil {
			return err
		}
	}
	d.figures = map[string]postgres.RatedContent{}
	res, err := pool.Query(ctx, `SELECT id::text, rating_avg::float8, rating_count, rating_seq FROM content`)
	if err != nil {
		return err
	}
	var c postgres.RatedContent
	_, err = pgx.ForEachRow(res, []any{&c.ID, &c.RatingAvg, &c.RatingCount, &c.RatingSeq}, func() error {
		d.figures[c.ID] = c
		return nil
	})
	return err
}

// loadCassandra writes who watched what as cassandra.Store.WritePartition leaves it in the two tables the graph's
// rebuild scans: per watch, a continue_watching row (the newest event's position, time and completed flag, with
// that time as write timestamp) and a user_titles row (the store's TTL). The rows are written raw with the store's
// statements, one unlogged batch per user (both tables are keyed by the user alone), rebuildLoadWorkers in flight:
// the playback_events rows, which the graph's rebuild does not read, are not written.
func (d *rebuildData) loadCassandra(ctx context.Context, s *gocql.Session) error {
	var starts []int // where each user's watches start (batchWatches groups them by user)
	for i, w := range d.watches {
		if i == 0 || w.UserID != d.watches[i-1].UserID {
			starts = append(starts, i)
		}
	}
	starts = append(starts, len(d.watches))
	last := time.Now().UTC().Truncate(time.Hour)
	return parallel(ctx, len(starts)-1, rebuildLoadWorkers, func(ctx context.Context, u int) error {
		rng := rand.New(rand.NewPCG(d.cat.seed, uint64(u)))
		b := s.NewBatch(gocql.UnloggedBatch).WithContext(ctx)
		for _, w := range d.watches[starts[u]:starts[u+1]] {
			at := last.Add(-time.Duration(rng.IntN(30*86400)) * time.Second)
			b.Entries = append(b.Entries,
				gocql.BatchEntry{Stmt: cqlUpsertPosition, Args: []any{w.UserID, w.ContentID, int32(rng.IntN(7200)), at,
					w.Completed, at.UnixMicro()}, Idempotent: true},
				gocql.BatchEntry{Stmt: cqlUpsertTitle, Args: []any{w.UserID, w.ContentID, titleTTL, at.UnixMicro()},
					Idempotent: true})
		}
		return s.ExecuteBatch(b)
	})
}

// discard is a projector and a watch sink that write nothing: rebuilding through it times reading the sources.
type discard struct{}

func (discard) Name() string                                          { return "discard" }
func (discard) Project(context.Context, []streaming.Event) error      { return nil }
func (discard) ApplyWatches(context.Context, []streaming.Watch) error { return nil }

// rebuildStore is one read model's comparison.
type rebuildStore struct {
	name  string // as -rebuild names it
	raw   func(ctx context.Context) error
	clear func(ctx context.Context) error            // delete what either side wrote
	check func(ctx context.Context, ours bool) error // after each run: the store holds the whole read model
	order []bool                                     // true: ours
	kinds rebuild.Kinds                              // what ours reads from PostgreSQL
	// measured
	ours, base   []time.Duration
	reported     []string // the command's own "<store> rebuilt in ..." lines
	clearTook    []time.Duration
	sourcesAlone time.Duration
}

func mean(ds []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(max(1, len(ds)))
}

func durations(ds []time.Duration) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, fmt.Sprintf("%.2f", d.Seconds()))
	}
	return strings.Join(parts, ", ")
}

func rebuildReadModels(ctx context.Context) ([]Result, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	size := rebuildSizeFromEnv()
	genStart := time.Now()
	d, err := newRebuildData(ctx, size)
	if err != nil {
		return nil, err
	}
	generated := time.Since(genStart)

	// The throwaway stores: a schema, a keyspace, a search alias; Neo4j nodes and Redis keys of the rebuild's ids.
	pgURL, drop, err := benchSchema(ctx)
	if err != nil {
		return nil, err
	}
	defer drop()
	pool, closePool, err := postgres.Open(ctx, postgres.Config{URL: pgURL})
	if err != nil {
		return nil, err
	}
	defer closePool()
	if err := postgres.Migrate(ctx, pool); err != nil {
		return nil, err
	}
	keyspace := "bench_" + randomHex(6)
	replication, err := cassandra.ParseReplication(cfg.CassandraReplication)
	if err != nil {
		return nil, err
	}
	consistency, err := cassandra.ParseConsistency(cfg.CassandraConsistency)
	if err != nil {
		return nil, err
	}
	store, closeStore, err := cassandra.Open(ctx, cassandra.Config{Hosts: cfg.CassandraHosts, Keyspace: keyspace,
		Replication: replication, LocalDC: cfg.CassandraLocalDC, Consistency: consistency,
		Username: cfg.CassandraUser, Password: cfg.CassandraPassword})
	if err != nil {
		return nil, fmt.Errorf("cassandra: %w", err)
	}
	defer func() {
		if err := store.Session().Query("DROP KEYSPACE " + keyspace).Exec(); err != nil {
			slog.Error("bench: could not drop keyspace; drop it by hand", "keyspace", keyspace, "err", err)
		}
		closeStore()
	}()
	alias := "bench_rebuild_" + randomHex(4)
	searchURL := strings.TrimRight(cfg.SearchURLs[0], "/")
	httpClient, closeHTTP := searchHTTPClient()
	defer closeHTTP()
	drv, closeDrv, err := openNeo4j(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer closeDrv()
	rc, closeRedis, err := redis.Open(ctx, wiring.RedisConfig(cfg))
	if err != nil {
		return nil, err
	}
	defer closeRedis()
	db := cfg.Neo4jDatabase
	clearGraph := func(ctx context.Context) error { return deleteRebuildGraph(ctx, drv, db, d) }
	clearSearch := func(ctx context.Context) error { return deleteIndices(ctx, httpClient, searchURL, alias+"_*") }
	clearRedis := func(ctx context.Context) error { return deleteRebuildKeys(ctx, rc, d) }
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
		defer cancel()
		// Every Build the command makes puts the alias's analytics index template.
		errs := []error{clearGraph(ctx), clearSearch(ctx), clearRedis(ctx),
			searchDo(ctx, httpClient, http.MethodDelete, searchURL+"/_index_template/"+alias+"_analytics", nil, http.StatusNotFound)}
		if err := errors.Join(errs...); err != nil {
			slog.Error("bench: rebuild clean-up; delete the rest by hand", "alias", alias, "err", err)
		}
	}()
	// A run stopped before its clean-up leaves the rebuild's nodes and keys (their ids are fixed): every run starts
	// from none.
	if err := errors.Join(clearGraph(ctx), clearRedis(ctx)); err != nil {
		return nil, err
	}

	loadStart := time.Now()
	if err := d.loadPostgres(ctx, pool); err != nil {
		return nil, fmt.Errorf("load PostgreSQL: %w", err)
	}
	pgLoaded := time.Since(loadStart)
	loadStart = time.Now()
	if err := d.loadCassandra(ctx, store.Session()); err != nil {
		return nil, fmt.Errorf("load Cassandra: %w", err)
	}
	cassLoaded := time.Since(loadStart)
	fmt.Fprintf(os.Stderr, "bench:   rebuild sources: generated in %.1f s, PostgreSQL loaded in %.1f s, Cassandra in %.1f s\n",
		generated.Seconds(), pgLoaded.Seconds(), cassLoaded.Seconds())

	rcfg := cfg
	rcfg.PostgresURL, rcfg.CassandraKeyspace, rcfg.SearchAlias = pgURL, keyspace, alias
	rcfg.Migrate = false // migrated above, as an operator's database is
	rcfg.GRPCAddr, rcfg.HTTPAddr, rcfg.OpsAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	runOurs := func(ctx context.Context, model string) (time.Duration, string, error) {
		c := rcfg
		c.Rebuild = []string{model}
		var out bytes.Buffer
		start := time.Now()
		err := wiring.Rebuild(ctx, c, &out, log)
		took := time.Since(start)
		line := ""
		if m := regexp.MustCompile(`(?m)^` + model + ` rebuilt in ([^:\s]+)`).FindStringSubmatch(out.String()); m != nil {
			line = m[1]
		}
		if err != nil {
			return took, line, fmt.Errorf("wiring.Rebuild %s: %w (output: %s)", model, err, out.String())
		}
		return took, line, nil
	}

	graph := &rebuildStore{name: config.RebuildGraph, kinds: rebuild.ForGraph, order: []bool{true, false},
		raw: func(ctx context.Context) error { return rawGraph(ctx, drv, db, d) }, clear: clearGraph}
	expected := d.expectedGraph()
	graph.check = func(ctx context.Context, _ bool) error {
		got, err := countRebuildGraph(ctx, drv, db, d)
		if err != nil {
			return err
		}
		if got != expected {
			return fmt.Errorf("graph holds %+v, want %+v", got, expected)
		}
		return nil
	}

	titles := d.titles()
	rawIndex := alias + "_raw"
	search := &rebuildStore{name: config.RebuildSearch, kinds: rebuild.ForSearch, order: []bool{true, false, false, true},
		clear: clearSearch}
	var mapping, indexSettings json.RawMessage
	search.raw = func(ctx context.Context) error {
		return rawSearchIndex(ctx, httpClient, searchURL, rawIndex, mapping, indexSettings, titles)
	}
	oursDocs := map[string]json.RawMessage{} // the first run's documents, which every later run must equal
	search.check = func(ctx context.Context, ours bool) error {
		target := rawIndex
		if ours {
			target = alias
		}
		n, err := searchCount(ctx, httpClient, searchURL, target)
		if err != nil {
			return err
		}
		if n != int64(len(titles)) {
			return fmt.Errorf("%s holds %d documents, want %d", target, n, len(titles))
		}
		if ours && mapping == nil {
			if mapping, indexSettings, err = indexLayout(ctx, httpClient, searchURL, alias); err != nil {
				return err
			}
		}
		for _, c := range titles[:min(rebuildChecked, len(titles))] {
			doc, err := searchSource(ctx, httpClient, searchURL, target, c.ID)
			if err != nil {
				return err
			}
			if want, ok := oursDocs[c.ID]; !ok {
				oursDocs[c.ID] = doc
			} else if !sameJSON(doc, want) {
				return fmt.Errorf("document %s in %s is %s, the first run wrote %s", c.ID, target, doc, want)
			}
		}
		return nil
	}

	redisValues, err := d.redisHashes()
	if err != nil {
		return nil, err
	}
	redisStore := &rebuildStore{name: config.RebuildRedis, kinds: rebuild.ForRedis, order: []bool{true, false, false, true},
		raw: func(ctx context.Context) error { return rawRedis(ctx, rc, redisValues) }, clear: clearRedis}
	redisStore.check = func(ctx context.Context, _ bool) error { return checkRebuildRedis(ctx, rc, d, redisValues) }

	stores := []*rebuildStore{graph, search, redisStore}
	for _, st := range stores {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Reading the sources alone, for the record: the same rebuild through a projector that writes nothing.
		start := time.Now()
		if _, err := rebuild.Project(ctx, postgres.NewRebuildSource(pool), discard{}, st.kinds, 0); err != nil {
			return nil, err
		}
		if st.name == config.RebuildGraph {
			if _, err := rebuild.Watches(ctx, store, discard{}, 0); err != nil {
				return nil, err
			}
		}
		st.sourcesAlone = time.Since(start)
		if err := st.clear(ctx); err != nil {
			return nil, fmt.Errorf("%s: clear: %w", st.name, err)
		}
		for _, ours := range st.order {
			rctx, cancel := context.WithTimeout(ctx, rebuildRunCap)
			var took time.Duration
			var err error
			if ours {
				var line string
				took, line, err = runOurs(rctx, st.name)
				st.ours, st.reported = append(st.ours, took), append(st.reported, line)
			} else {
				start := time.Now()
				err = st.raw(rctx)
				took = time.Since(start)
				st.base = append(st.base, took)
			}
			cancel()
			side := map[bool]string{true: "ours", false: "raw"}[ours]
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", st.name, side, err)
			}
			if err := st.check(ctx, ours); err != nil {
				return nil, fmt.Errorf("%s %s: %w", st.name, side, err)
			}
			fmt.Fprintf(os.Stderr, "bench:   rebuild %s %s: %.2f s\n", st.name, side, took.Seconds())
			start := time.Now()
			if err := st.clear(ctx); err != nil {
				return nil, fmt.Errorf("%s: clear: %w", st.name, err)
			}
			st.clearTook = append(st.clearTook, time.Since(start))
		}
	}

	pg, err := postgresConditions(ctx, pool)
	if err != nil {
		return nil, err
	}
	common := fmt.Sprintf("source: a throwaway PostgreSQL schema (COPY) of %d users (one shared Argon2id hash, "+
		"10 countries), %d plans, %d titles in 12 genres (the query benchmarks' catalog generator, ids of the "+
		"rebuild's own), %d subscriptions (one per second user; %d with a card fingerprint, %d distinct cards), "+
		"%d ratings (of watched titles; titles' figures counted by PostgreSQL, rating_seq 1), and a throwaway "+
		"Cassandra keyspace holding %d watches (continue_watching + user_titles rows as WritePartition leaves "+
		"them, written raw: one unlogged batch per user); generated in %.1f s, PostgreSQL loaded in %.1f s, "+
		"Cassandra in %.1f s; ours: wiring.Rebuild (`streamingd -rebuild=<store>`: Build of every store client, "+
		"then the store's projector fed by rebuild.Project in pages of 500 rows, one Project call at a time), timed "+
		"whole; its own \"rebuilt in\" line excludes the start-up; raw sides write from memory (rows prepared "+
		"before the clock, so they do not read PostgreSQL or Cassandra: ours does); each side starts from an empty "+
		"store (what the previous side wrote is deleted between runs); %s; %s",
		size.Users, len(d.plans), size.Titles, len(d.subs), fingerprinted(d.subs), len(d.fingerprints()),
		len(d.ratings), len(d.watches), generated.Seconds(), pgLoaded.Seconds(), cassLoaded.Seconds(), pg, machine())
	conditions := map[string]string{
		config.RebuildGraph: fmt.Sprintf("graph: ours = the Neo4j projector's versioned MERGEs (with the "+
			"erased-user lock) for users, subscriptions' PAID_WITH links, titles with IN_GENRE, and ratings as "+
			"WATCHED edges, one write transaction per page of 500, then rebuild.Watches: Cassandra's ScanWatches "+
			"(a merge of both tables) into Graph.ApplyWatches, 500 watches per transaction; raw = the neo4j Go "+
			"driver, one writer, UNWIND batches of %d rows each in its own write transaction (ExecuteQuery), "+
			"MERGE on the unique keys without versions or locks, endpoints MATCHed, every WATCHED edge written once "+
			"with its rating; the final graph counted on both sides (%s); reading the sources alone (the same "+
			"rebuild through a projector and a sink that discard): %.1f s; runs (s): ours %s (its own line: %s), "+
			"raw %s, one run per side in this order as a cycle takes minutes; DETACH DELETE of the bench's nodes "+
			"(%d per transaction) between runs took %s s; %s",
			rebuildGraphBatch, expected, graph.sourcesAlone.Seconds(), durations(graph.ours),
			strings.Join(graph.reported, ", "), durations(graph.base), rebuildDeleteBatch, durations(graph.clearTook), common),
		config.RebuildSearch: fmt.Sprintf("search: ours = search.Index.Rebuild (a new index with refresh off, "+
			"the first pass of %d titles through the search projector into it: bulk requests of up to 500 with "+
			"external versions, refresh restored, alias swapped, the second pass through the alias, the old index "+
			"deleted, refresh, count); raw = net/http with the search package's transport settings: a fresh index "+
			"with the same mapping and settings, refresh off, _bulk of the same document JSON (%d documents per "+
			"request, one at a time, no versions), refresh restored, refresh; %d documents counted and the first "+
			"%d compared on both sides; reading the sources alone: %.2f s; runs (s), palindromic: ours %s (its "+
			"own line: %s), raw %s; value and baseline are each side's mean; %s",
			len(titles), rebuildSearchBatch, len(titles), rebuildChecked, search.sourcesAlone.Seconds(),
			durations(search.ours), strings.Join(search.reported, ", "), durations(search.base), common),
		config.RebuildRedis: fmt.Sprintf("redis: ours = the Redis projector: one versioned-write script call "+
			"(EVALSHA) per plan, user, subscription and title, pipelined per page of 500, then the titles' rating "+
			"figures by a second script, and a DEL of each subscriber's cached recommendations; raw = rueidis "+
			"DoMulti pipelines of %d HSETs, one per key with the same fields and values (%d keys: %d users with "+
			"their subscriptions, %d titles, %d plans), no DELs (no such keys exist); every key checked and %d "+
			"users' and titles' hashes compared on both sides; reading the sources alone: %.2f s; runs (s), "+
			"palindromic: ours %s (its own line: %s), raw %s; value and baseline are each side's mean; %s",
			rebuildRedisBatch, len(redisValues), len(d.users), len(titles), len(d.plans), rebuildChecked,
			redisStore.sourcesAlone.Seconds(), durations(redisStore.ours), strings.Join(redisStore.reported, ", "),
			durations(redisStore.base), common),
	}
	var out []Result
	for _, st := range stores {
		o, b := mean(st.ours).Seconds(), mean(st.base).Seconds()
		out = append(out, Result{Name: "rebuild_" + st.name, Value: round(o, 3), Unit: "s", Baseline: round(b, 3),
			Ratio: ratio(o, b), Conditions: conditions[st.name]})
	}
	return out, nil
}

func fingerprinted(subs []streaming.Subscription) int {
	n := 0
	for _, s := range subs {
		if s.PaymentFingerprint != "" {
			n++
		}
	}
	return n
}

// graphCounts is what the graph holds of the rebuild's data.
type graphCounts struct {
	Users, Titles, Genres, InGenre, Watched, Rated, Completed, PaidWith, Cards int64
}

func (c graphCounts) String() string {
	return fmt.Sprintf("%d users, %d titles, %d genres, %d IN_GENRE, %d WATCHED of which %d rated and %d completed, "+
		"%d PAID_WITH to %d cards", c.Users, c.Titles, c.Genres, c.InGenre, c.Watched, c.Rated, c.Completed, c.PaidWith, c.Cards)
}

func (d *rebuildData) expectedGraph() graphCounts {
	c := graphCounts{Users: int64(len(d.users)), Titles: int64(d.size.Titles), Watched: int64(len(d.watches)),
		Rated: int64(len(d.ratings)), PaidWith: int64(fingerprinted(d.subs)), Cards: int64(len(d.fingerprints()))}
	genres := map[string]bool{}
	for _, t := range d.cat.catalog[:d.size.Titles] {
		c.InGenre += int64(len(t.Genres))
		for _, g := range t.Genres {
			genres[g] = true
		}
	}
	c.Genres = int64(len(genres))
	for _, w := range d.watches {
		if w.Completed {
			c.Completed++
		}
	}
	return c
}

// countRebuildGraph counts what the graph holds of the rebuild's nodes, edges and properties.
func countRebuildGraph(ctx context.Context, drv neo4j.DriverWithContext, db string, d *rebuildData) (graphCounts, error) {
	var c graphCounts
	for _, q := range []struct {
		cypher string
		params map[string]any
		into   []*int64
	}{
		{`UNWIND $ids AS id MATCH (u:User {id: id}) WHERE u.version = 1
			OPTIONAL MATCH (u)-[w:WATCHED]->(:Content)
			RETURN count(DISTINCT u), count(w), count(w.rating), count(CASE WHEN w.completed THEN 1 END)`,
			map[string]any{"ids": d.userIDs()}, []*int64{&c.Users, &c.Watched, &c.Rated, &c.Completed}},
		{`UNWIND $ids AS id MATCH (:User {id: id})-[p:PAID_WITH]->(card:PaymentInstrument)
			RETURN count(p), count(DISTINCT card)`,
			map[string]any{"ids": d.userIDs()}, []*int64{&c.PaidWith, &c.Cards}},
		{`UNWIND $ids AS id MATCH (t:Content {id: id}) WHERE t.title IS NOT NULL
			OPTIONAL MATCH (t)-[i:IN_GENRE]->(g:Genre)
			RETURN count(DISTINCT t), count(i), count(DISTINCT g)`,
			map[string]any{"ids": d.titleIDs()}, []*int64{&c.Titles, &c.InGenre, &c.Genres}},
	} {
		res, err := neo4j.ExecuteQuery(ctx, drv, q.cypher, q.params, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(db), neo4j.ExecuteQueryWithReadersRouting())
		if err != nil {
			return c, fmt.Errorf("count the graph: %w", err)
		}
		for i, v := range res.Records[0].Values {
			*q.into[i], _ = v.(int64)
		}
	}
	return c, nil
}

// deleteRebuildGraph removes every node the rebuild's data makes (with its relationships), in batches.
func deleteRebuildGraph(ctx context.Context, drv neo4j.DriverWithContext, db string, d *rebuildData) error {
	for _, set := range []struct {
		match string
		keys  []string
	}{
		{"(n:User {id: k})", d.userIDs()},
		{"(n:Content {id: k})", d.titleIDs()},
		{"(n:Genre {name: k})", d.cat.genres},
		{"(n:PaymentInstrument {fingerprint: k})", d.fingerprints()},
	} {
		for keys := range slices.Chunk(set.keys, rebuildDeleteBatch) {
			if _, err := neo4j.ExecuteQuery(ctx, drv, "UNWIND $keys AS k MATCH "+set.match+" DETACH DELETE n",
				map[string]any{"keys": keys}, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(db),
				neo4j.ExecuteQueryWithWritersRouting()); err != nil {
				return fmt.Errorf("delete %s: %w", set.match, err)
			}
		}
	}
	return nil
}

// The raw graph writer's statements: what the projector leaves, written by MERGE on the unique keys (the
// constraints EnsureSchema made), without the projector's version guards and erased-user lock.
const (
	rawGenresCypher = `UNWIND $rows AS name MERGE (:Genre {name: name})`
	rawUsersCypher  = `UNWIND $rows AS r MERGE (u:User {id: r.id}) SET u.version = r.version`
	rawTitlesCypher = `
UNWIND $rows AS r
MERGE (c:Content {id: r.id})
SET c.title = r.title, c.type = r.type, c.rating_avg = r.rating_avg, c.version = r.version, c.rating_seq = r.seq
WITH c, r
UNWIND r.genres AS name
MATCH (g:Genre {name: name})
MERGE (c)-[:IN_GENRE]->(g)`
	rawCardsCypher = `UNWIND $rows AS fingerprint MERGE (:PaymentInstrument {fingerprint: fingerprint})`
	rawPaidCypher  = `
UNWIND $rows AS r
MATCH (u:User {id: r.user_id})
MATCH (p:PaymentInstrument {fingerprint: r.fingerprint})
MERGE (u)-[w:PAID_WITH]->(p)
SET w.first = r.at, w.last = r.at`
	rawWatchedCypher = `
UNWIND $rows AS r
MATCH (u:User {id: r.user_id})
MATCH (c:Content {id: r.content_id})
MERGE (u)-[w:WATCHED]->(c)
SET w.completed = r.completed, w.rating = r.rating, w.rating_version = r.rating_version, w.rated_at = r.rated_at`
)

// rawGraph writes the rebuild's graph with the driver: genres, users, titles with their genres, cards and PAID_WITH
// edges, then every WATCHED edge once with its rating, rebuildGraphBatch rows per write transaction.
func rawGraph(ctx context.Context, drv neo4j.DriverWithContext, db string, d *rebuildData) error {
	write := func(cypher string, n int, row func(i int) any) error {
		for from := 0; from < n; from += rebuildGraphBatch {
			rows := make([]any, 0, min(rebuildGraphBatch, n-from))
			for i := from; i < min(from+rebuildGraphBatch, n); i++ {
				rows = append(rows, row(i))
			}
			if _, err := neo4j.ExecuteQuery(ctx, drv, cypher, map[string]any{"rows": rows}, neo4j.EagerResultTransformer,
				neo4j.ExecuteQueryWithDatabase(db), neo4j.ExecuteQueryWithWritersRouting()); err != nil {
				return err
			}
		}
		return nil
	}
	titles := d.titles()
	var paid []streaming.Subscription
	for _, s := range d.subs {
		if s.PaymentFingerprint != "" {
			paid = append(paid, s)
		}
	}
	type pair struct{ user, content string }
	rated := make(map[pair]streaming.Rating, len(d.ratings))
	for _, r := range d.ratings {
		rated[pair{r.UserID, r.ContentID}] = r
	}
	cards := d.fingerprints()
	steps := []struct {
		cypher string
		n      int
		row    func(i int) any
	}{
		{rawGenresCypher, len(d.cat.genres), func(i int) any { return d.cat.genres[i] }},
		{rawUsersCypher, len(d.users), func(i int) any {
			return map[string]any{"id": d.users[i].ID, "version": d.users[i].Version}
		}},
		{rawTitlesCypher, len(titles), func(i int) any {
			t := titles[i]
			var seq any
			if f := d.figures[t.ID]; f.RatingSeq > 0 {
				seq = f.RatingSeq
			}
			return map[string]any{"id": t.ID, "title": t.Title, "type": t.Type, "rating_avg": t.RatingAvg,
				"version": t.Version, "seq": seq, "genres": t.Genres}
		}},
		{rawCardsCypher, len(cards), func(i int) any { return cards[i] }},
		{rawPaidCypher, len(paid), func(i int) any {
			return map[string]any{"user_id": paid[i].UserID, "fingerprint": paid[i].PaymentFingerprint, "at": paid[i].CreatedAt}
		}},
		{rawWatchedCypher, len(d.watches), func(i int) any {
			w := d.watches[i]
			row := map[string]any{"user_id": w.UserID, "content_id": w.ContentID, "completed": w.Completed,
				"rating": nil, "rating_version": nil, "rated_at": nil}
			if r, ok := rated[pair{w.UserID, w.ContentID}]; ok {
				row["rating"], row["rating_version"], row["rated_at"] = int64(r.Stars), r.Version, r.UpdatedAt
			}
			return row
		}},
	}
	for _, st := range steps {
		if err := write(st.cypher, st.n, st.row); err != nil {
			return err
		}
	}
	return nil
}

// searchDoc is a title as the search package indexes it (its document JSON; the mapping is strict, so a field it
// does not know would be refused).
type searchDoc struct {
	ID              string    `json:"id"`
	Title           string    `json:"title"`
	Description     string    `json:"description"`
	Type            string    `json:"type"`
	Genres          []string  `json:"genres"`
	Actors          []string  `json:"actors"`
	Seasons         int32     `json:"seasons"`
	ReleaseYear     int32     `json:"release_year"`
	DurationSeconds int32     `json:"duration_seconds"`
	RatingAvg       float64   `json:"rating_avg"`
	RatingCount     int64     `json:"rating_count"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// rawSearchIndex creates index with the alias's mapping and settings and refresh off, bulk-indexes the titles
// (bodies encoded first), restores the refresh interval and refreshes.
func rawSearchIndex(ctx context.Context, c *http.Client, base, index string, mapping, settings json.RawMessage, titles []streaming.Content) error {
	if mapping == nil {
		return errors.New("no mapping: ours runs first and the raw index copies its index's mapping")
	}
	var bodies [][]byte
	for chunk := range slices.Chunk(titles, rebuildSearchBatch) {
		var b bytes.Buffer
		for _, t := range chunk {
			meta, err := json.Marshal(map[string]any{"index": map[string]any{"_index": index, "_id": t.ID}})
			if err != nil {
				return err
			}
			doc, err := json.Marshal(searchDoc{ID: t.ID, Title: t.Title, Description: t.Description, Type: t.Type,
				Genres: t.Genres, Actors: t.Actors, Seasons: t.Seasons, ReleaseYear: t.ReleaseYear,
				DurationSeconds: t.DurationSeconds, RatingAvg: t.RatingAvg, RatingCount: t.RatingCount, UpdatedAt: t.UpdatedAt})
			if err != nil {
				return err
			}
			b.Write(meta)
			b.WriteByte('\n')
			b.Write(doc)
			b.WriteByte('\n')
		}
		bodies = append(bodies, b.Bytes())
	}
	var s map[string]any
	if err := json.Unmarshal(settings, &s); err != nil {
		return err
	}
	s["refresh_interval"] = "-1"
	create, err := json.Marshal(map[string]any{"settings": s, "mappings": mapping})
	if err != nil {
		return err
	}
	if err := searchDo(ctx, c, http.MethodPut, base+"/"+index, create); err != nil {
		return err
	}
	for _, body := range bodies {
		if err := searchBulk(ctx, c, base, body); err != nil {
			return err
		}
	}
	if err := searchDo(ctx, c, http.MethodPut, base+"/"+index+"/_settings",
		[]byte(`{"index":{"refresh_interval":null}}`)); err != nil {
		return err
	}
	return searchDo(ctx, c, http.MethodPost, base+"/"+index+"/_refresh", nil)
}

// indexLayout reads the mapping and the shard and replica counts of the index the alias leads to.
func indexLayout(ctx context.Context, c *http.Client, base, alias string) (mapping, settings json.RawMessage, err error) {
	var m map[string]struct {
		Mappings json.RawMessage `json:"mappings"`
	}
	if err := searchGet(ctx, c, base+"/"+alias+"/_mapping", &m); err != nil {
		return nil, nil, err
	}
	var s map[string]struct {
		Settings struct {
			Index struct {
				Shards   string `json:"number_of_shards"`
				Replicas string `json:"number_of_replicas"`
			} `json:"index"`
		} `json:"settings"`
	}
	if err := searchGet(ctx, c, base+"/"+alias+"/_settings", &s); err != nil {
		return nil, nil, err
	}
	if len(m) != 1 || len(s) != 1 {
		return nil, nil, fmt.Errorf("alias %s leads to %d indices", alias, len(m))
	}
	for _, v := range m {
		mapping = v.Mappings
	}
	for _, v := range s {
		settings, err = json.Marshal(map[string]string{"number_of_shards": v.Settings.Index.Shards,
			"number_of_replicas": v.Settings.Index.Replicas})
	}
	return mapping, settings, err
}

func searchCount(ctx context.Context, c *http.Client, base, target string) (int64, error) {
	var res struct {
		Count int64 `json:"count"`
	}
	err := searchGet(ctx, c, base+"/"+target+"/_count", &res)
	return res.Count, err
}

func searchSource(ctx context.Context, c *http.Client, base, target, id string) (json.RawMessage, error) {
	var res struct {
		Source json.RawMessage `json:"_source"`
	}
	err := searchGet(ctx, c, base+"/"+target+"/_doc/"+id, &res)
	return res.Source, err
}

// sameJSON says whether two JSON texts hold the same value.
func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// redisUserDoc is a user as the Redis read model keeps it (no password hash).
type redisUserDoc struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Country     string    `json:"country"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
}

// redisHashes are the read model's hashes as the projector leaves them after a rebuild: key → field → value.
func (d *rebuildData) redisHashes() (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	v := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, p := range d.plans {
		b, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		out["plan:"+p.ID] = map[string]string{"plan": string(b), "v:plan": v(p.Version)}
	}
	for _, u := range d.users {
		b, err := json.Marshal(redisUserDoc{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Country: u.Country,
			Version: u.Version, CreatedAt: u.CreatedAt})
		if err != nil {
			return nil, err
		}
		out["user_profile:"+u.ID] = map[string]string{"user": string(b), "v:user": v(u.Version)}
	}
	for _, sub := range d.subs {
		// The subscription as its event carries it (no card fingerprint), as the projector writes it.
		s, err := streaming.NewSubscriptionPayload(&sub).Subscription(sub.Version)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(s)
		if err != nil {
			return nil, err
		}
		h := out["user_profile:"+s.UserID]
		h["sub:"+s.ID], h["v:sub:"+s.ID] = string(b), v(s.Version)
	}
	for _, t := range d.titles() {
		b, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		h := map[string]string{"content": string(b), "v:content": v(t.Version)}
		if f := d.figures[t.ID]; f.RatingSeq > 0 {
			h["v:rating"] = v(f.RatingSeq)
		}
		out["content:"+t.ID] = h
	}
	return out, nil
}

// rawRedis writes the hashes with one HSET per key, rebuildRedisBatch per DoMulti.
func rawRedis(ctx context.Context, rc rueidis.Client, hashes map[string]map[string]string) error {
	keys := slices.Sorted(maps.Keys(hashes))
	for chunk := range slices.Chunk(keys, rebuildRedisBatch) {
		cmds := make(rueidis.Commands, 0, len(chunk))
		for _, k := range chunk {
			fv := rc.B().Hset().Key(k).FieldValue()
			for f, v := range hashes[k] {
				fv = fv.FieldValue(f, v)
			}
			cmds = append(cmds, fv.Build())
		}
		for _, res := range rc.DoMulti(ctx, cmds...) {
			if err := res.Error(); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRebuildRedis checks that every key is there and that the first users' and titles' hashes hold what the
// projector writes (the plans' JSON carries the rebuild's time, so only their fields are compared).
func checkRebuildRedis(ctx context.Context, rc rueidis.Client, d *rebuildData, want map[string]map[string]string) error {
	keys := slices.Sorted(maps.Keys(want))
	missing := 0
	for chunk := range slices.Chunk(keys, rebuildRedisBatch) {
		cmds := make(rueidis.Commands, len(chunk))
		for i, k := range chunk {
			cmds[i] = rc.B().Exists().Key(k).Build()
		}
		for _, res := range rc.DoMulti(ctx, cmds...) {
			n, err := res.AsInt64()
			if err != nil {
				return err
			}
			missing += int(1 - n)
		}
	}
	if missing > 0 {
		return fmt.Errorf("%d of %d keys missing", missing, len(keys))
	}
	var sample []string
	for i := range min(rebuildChecked, len(d.users)) {
		sample = append(sample, "user_profile:"+d.users[i].ID)
	}
	for i := range min(rebuildChecked, d.size.Titles) {
		sample = append(sample, "content:"+d.cat.catalog[i].ID)
	}
	for _, p := range d.plans {
		sample = append(sample, "plan:"+p.ID)
	}
	for _, k := range sample {
		got, err := rc.Do(ctx, rc.B().Hgetall().Key(k).Build()).AsStrMap()
		if err != nil {
			return err
		}
		if strings.HasPrefix(k, "plan:") {
			if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want[k]))) {
				return fmt.Errorf("%s has fields %v, want %v", k, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want[k])))
			}
			continue
		}
		if !maps.Equal(got, want[k]) {
			return fmt.Errorf("%s holds %v, want %v", k, got, want[k])
		}
	}
	return nil
}

// deleteRebuildKeys deletes the read model's keys of the rebuild's ids, and the cached recommendations the
// projector invalidates (there are none, but a key of another run's would be the bench's).
func deleteRebuildKeys(ctx context.Context, rc rueidis.Client, d *rebuildData) error {
	var keys []string
	for _, p := range d.plans {
		keys = append(keys, "plan:"+p.ID)
	}
	for _, u := range d.users {
		keys = append(keys, "user_profile:"+u.ID, "recommendations:"+u.ID)
	}
	for _, id := range d.titleIDs() {
		keys = append(keys, "content:"+id)
	}
	for chunk := range slices.Chunk(keys, rebuildRedisBatch) {
		cmds := make(rueidis.Commands, len(chunk))
		for i, k := range chunk {
			cmds[i] = rc.B().Del().Key(k).Build()
		}
		for _, res := range rc.DoMulti(ctx, cmds...) {
			if err := res.Error(); err != nil {
				return err
			}
		}
	}
	return nil
}

// searchHTTPClient is a plain HTTP client with the search package's settings: the default transport with 64 idle
// connections per host, no gzip, a 10 s timeout per request.
func searchHTTPClient() (*http.Client, func()) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	transport.DisableCompression = true
	return &http.Client{Transport: transport, Timeout: 10 * time.Second}, transport.CloseIdleConnections
}

// searchDo sends a request to the search server and reads the answer; a status other than 2xx (or one of ok) is
// an error.
func searchDo(ctx context.Context, c *http.Client, method, url string, body []byte, ok ...int) error {
	_, err := searchCall(ctx, c, method, url, "application/json", body, ok...)
	return err
}

func searchGet(ctx context.Context, c *http.Client, url string, into any) error {
	data, err := searchCall(ctx, c, http.MethodGet, url, "", nil)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, into)
}

// searchBulk sends one _bulk body; any refused item is an error.
func searchBulk(ctx context.Context, c *http.Client, base string, body []byte) error {
	data, err := searchCall(ctx, c, http.MethodPost, base+"/_bulk", "application/x-ndjson", body)
	if err != nil {
		return err
	}
	type item struct {
		Status int             `json:"status"`
		Error  json.RawMessage `json:"error"`
	}
	var res struct {
		Errors bool              `json:"errors"`
		Items  []map[string]item `json:"items"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return err
	}
	if res.Errors {
		for _, item := range res.Items {
			for _, r := range item {
				if r.Status > 299 {
					return fmt.Errorf("bulk: status %d: %s", r.Status, r.Error)
				}
			}
		}
	}
	return nil
}

// deleteIndices deletes the indices whose names match pattern (listed first: a wildcard delete may be refused).
func deleteIndices(ctx context.Context, c *http.Client, base, pattern string) error {
	var indices []struct {
		Index string `json:"index"`
	}
	if err := searchGet(ctx, c, base+"/_cat/indices/"+pattern+"?format=json&h=index", &indices); err != nil {
		return err
	}
	if len(indices) == 0 {
		return nil
	}
	names := make([]string, len(indices))
	for i, ix := range indices {
		names[i] = ix.Index
	}
	return searchDo(ctx, c, http.MethodDelete, base+"/"+strings.Join(names, ",")+"?ignore_unavailable=true", nil)
}
