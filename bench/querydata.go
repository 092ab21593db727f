package main

// The generated catalog the query benchmarks read: users, titles and WATCHED edges in Neo4j, search documents in a
// search alias of the benchmarks' own, and the titles' Redis read models. It is loaded straight through the
// platform's own write paths — the Neo4j and search outbox projectors (with the ContentUpserted events the command
// side would publish), Graph.ApplyWatches (the ingest path's edges) and ReadModel.PutContent — not through the gRPC
// API, which would spend an Argon2id registration per user.
//
// Ids are derived from the dataset's name (uuid.NewSHA1), so a rerun finds the data already there: a
// (:BenchDataset {name}) node, written after everything else, records what was loaded, and a run whose generator
// version and sizes match it loads nothing. The data stays in the stack's stores between runs on purpose (loading
// 1M edges takes minutes); deleteQueryDataset removes a dataset when its generator version changes.
//
// Sizes (the issue's): BENCH_QUERY_USERS=100000, BENCH_QUERY_TITLES=10000, BENCH_QUERY_EDGES=1000000,
// BENCH_QUERY_DOCS=100000; BENCH_QUICK=1 takes a tenth of each unless a size is set explicitly.

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/streamingplatform/streaming/server/config"
	neo4jstore "github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/search"
	"github.com/streamingplatform/streaming/server/streaming"
)

// queryDataVersion is the generator's version: change it whenever the generated data changes, so a stored dataset
// of an older generator is deleted and loaded again instead of being mistaken for this one.
const queryDataVersion = 2

const (
	usersPerBatch    = 500  // users whose watches make one ApplyWatches call (≈ 5000 edges with the defaults)
	edgeWorkers      = 3    // concurrent ApplyWatches calls while loading
	docsPerBulk      = 1000 // ContentUpserted events per search projector call
	docWorkers       = 2    // concurrent search projector calls while loading
	titlesPerGraphTx = 1000 // ContentUpserted events per Neo4j projector call (one at a time: they share genre nodes)
	favouriteShare   = 0.85 // share of a user's watches taken from their favourite genres
	titleZipfS       = 1.1  // skew of title popularity (global and within a genre)
	// Word frequency in titles and descriptions: Zipf(s, v) over the vocabulary, flattened at the head (v) so that
	// the most frequent word is in about 6% of the documents, not in nearly all of them (generator v1 had v=1 and a
	// smaller vocabulary: its top words matched 80% of the catalog, which no real title search does).
	wordZipfS = 1.1
	wordZipfV = 100
	vocabSize = 20_000
)

// querySize is how much data a dataset holds.
type querySize struct {
	Users, Titles, Edges, Docs int
}

var (
	fullQuerySize  = querySize{Users: 100_000, Titles: 10_000, Edges: 1_000_000, Docs: 100_000}
	quickQuerySize = querySize{Users: 10_000, Titles: 1_000, Edges: 100_000, Docs: 10_000}
)

// querySizeFromEnv reads the sizes: BENCH_QUERY_* override the full or (BENCH_QUICK=1) quick defaults.
func querySizeFromEnv() (querySize, error) {
	s := fullQuerySize
	if quick, _ := strconv.ParseBool(os.Getenv("BENCH_QUICK")); quick {
		s = quickQuerySize
	}
	for _, f := range []struct {
		env string
		v   *int
	}{{"BENCH_QUERY_USERS", &s.Users}, {"BENCH_QUERY_TITLES", &s.Titles}, {"BENCH_QUERY_EDGES", &s.Edges}, {"BENCH_QUERY_DOCS", &s.Docs}} {
		raw := os.Getenv(f.env)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return s, fmt.Errorf("%s=%q: want a positive number", f.env, raw)
		}
		*f.v = n
	}
	if s.Titles < 100 {
		return s, fmt.Errorf("BENCH_QUERY_TITLES=%d: want at least 100", s.Titles)
	}
	if m := float64(s.Edges) / float64(s.Users); m < 5 || m > 20 {
		return s, fmt.Errorf("%d edges for %d users is %.1f per user: users watch 5 to 20 titles", s.Edges, s.Users, m)
	}
	return s, nil
}

// baseGenres are the catalog's 12 genres, most popular first.
var baseGenres = []string{"drama", "comedy", "action", "thriller", "romance", "crime", "documentary", "sci-fi",
	"animation", "family", "fantasy", "horror"}

// queryDataset is a generated catalog, ready to load or to query.
type queryDataset struct {
	name   string
	size   querySize
	alias  string    // the search alias the documents live in
	ns     uuid.UUID // ids are uuid.NewSHA1(ns, kind/index)
	genres []string  // the dataset's genre names (the base genres, prefixed so datasets never share genre nodes)
	// catalog holds max(Titles, Docs) titles, most popular first (a title's index is its popularity rank): the
	// first Titles are in the graph and Redis, the first Docs in the search index.
	catalog []streaming.Content
	byGenre [][]int // indices of the graph's titles in each genre, by popularity
	vocab   []string
	seed    uint64
}

// newQueryDataset generates the catalog for size (deterministically: the same size gives the same data).
func newQueryDataset(size querySize) *queryDataset {
	name := fmt.Sprintf("u%d-t%d-e%d-d%d", size.Users, size.Titles, size.Edges, size.Docs)
	switch size {
	case fullQuerySize:
		name = "full"
	case quickQuerySize:
		name = "quick"
	}
	tag := sha1.Sum([]byte(name))
	d := &queryDataset{name: name, size: size, alias: "bench_content_" + strings.ReplaceAll(name, "-", "_"),
		ns:   uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/streamingplatform/streaming/bench/querydata/"+name)),
		seed: 0x5eed_0000 + queryDataVersion}
	// Genre names are shared by every title that has them: a prefix of the dataset's own keeps the benchmarks'
	// 10k titles out of the genres other tests' and users' titles use, and datasets out of each other's.
	for _, g := range baseGenres {
		d.genres = append(d.genres, "b"+hex.EncodeToString(tag[:3])+"-"+g)
	}
	d.vocab = vocabulary()
	d.generateCatalog()
	return d
}

func (d *queryDataset) userID(i int) string {
	return uuid.NewSHA1(d.ns, []byte("user/"+strconv.Itoa(i))).String()
}
func (d *queryDataset) titleID(i int) string {
	return uuid.NewSHA1(d.ns, []byte("title/"+strconv.Itoa(i))).String()
}

// genreWeights: genre g is chosen with weight 1/(g+1)^0.8 (drama most, horror least).
func genreWeights(n int) []float64 {
	w := make([]float64, n)
	for g := range w {
		w[g] = 1 / math.Pow(float64(g+1), 0.8)
	}
	return w
}

// pick draws an index with the given weights.
func pick(rng *rand.Rand, w []float64) int {
	var total float64
	for _, x := range w {
		total += x
	}
	r := rng.Float64() * total
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}

var updatedAt = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func (d *queryDataset) generateCatalog() {
	rng := rand.New(rand.NewPCG(d.seed, 0))
	words := rand.NewZipf(rng, wordZipfS, wordZipfV, uint64(len(d.vocab)-1))
	word := func() string { return d.vocab[words.Uint64()] }
	weights := genreWeights(len(d.genres))
	n := max(d.size.Titles, d.size.Docs)
	d.catalog = make([]streaming.Content, n)
	d.byGenre = make([][]int, len(d.genres))
	articles := []string{"", "", "", "El ", "La ", "Los ", "The "}
	for i := range d.catalog {
		nw := 1 + rng.IntN(3)
		parts := make([]string, 0, nw)
		for range nw {
			parts = append(parts, capitalize(word()))
		}
		title := articles[rng.IntN(len(articles))] + strings.Join(parts, " ")
		desc := make([]string, 12+rng.IntN(24))
		for k := range desc {
			desc[k] = word()
		}
		genres := []int{pick(rng, weights)}
		for _, p := range []float64{0.4, 0.1} {
			if rng.Float64() < p {
				if g := pick(rng, weights); !slices.Contains(genres, g) {
					genres = append(genres, g)
				}
			}
		}
		c := streaming.Content{ID: d.titleID(i), Title: title, Description: strings.Join(desc, " ") + ".",
			Type: streaming.ContentMovie, ReleaseYear: int32(1950 + rng.IntN(76)), Version: 1, UpdatedAt: updatedAt}
		switch r := rng.Float64(); {
		case r < 0.3:
			c.Type, c.Seasons = streaming.ContentSeries, int32(1+rng.IntN(8))
			c.DurationSeconds = int32(1500 + rng.IntN(2400))
		case r < 0.4:
			c.Type, c.DurationSeconds = streaming.ContentDocumentary, int32(2400+rng.IntN(3600))
		default:
			c.DurationSeconds = int32(4800 + rng.IntN(4200))
		}
		for _, g := range genres {
			c.Genres = append(c.Genres, d.genres[g])
			if i < d.size.Titles {
				d.byGenre[g] = append(d.byGenre[g], i)
			}
		}
		for range 2 + rng.IntN(4) {
			c.Actors = append(c.Actors, firstNames[rng.IntN(len(firstNames))]+" "+lastNames[rng.IntN(len(lastNames))])
		}
		// Averages around 3.4, about a quarter at 4.0 or more; popular titles have more ratings.
		c.RatingAvg = math.Round(min(5, max(1, 3.4+0.85*rng.NormFloat64()))*100) / 100
		c.RatingCount = int64(1 + rng.IntN(1+500_000/(i+10)))
		d.catalog[i] = c
	}
}

// watchesPerUser returns how many titles each user of a batch watches: 5 + ⌊16·r^p⌋ (at most 20), p chosen so the
// mean is Edges/Users (E⌊16·r^p⌋ ≈ 16/(p+1) − ½), so most users watch few titles and a few watch many.
func (d *queryDataset) watchesPerUser(rng *rand.Rand) int {
	m := float64(d.size.Edges)/float64(d.size.Users) - 5 + 0.5
	p := 16/m - 1
	return min(20, 5+int(16*math.Pow(rng.Float64(), p)))
}

// batchWatches returns the watches of the users of batch b ([b·usersPerBatch, (b+1)·usersPerBatch)), generated from
// a random stream of the batch's own, so batches can be generated in any order and in parallel. Each user has 2 or
// 3 favourite genres (by genre popularity) and takes favouriteShare of their titles from them; every pick follows a
// Zipf popularity, within the genre or over the whole catalog.
func (d *queryDataset) batchWatches(b int) []streaming.Watch {
	rng := rand.New(rand.NewPCG(d.seed, uint64(b)+1))
	global := rand.NewZipf(rng, titleZipfS, 1, uint64(d.size.Titles-1))
	inGenre := make([]*rand.Zipf, len(d.genres))
	for g, list := range d.byGenre {
		if len(list) > 1 {
			inGenre[g] = rand.NewZipf(rng, titleZipfS, 1, uint64(len(list)-1))
		}
	}
	weights := genreWeights(len(d.genres))
	favWeights := []float64{0.5, 0.3, 0.2}
	var out []streaming.Watch
	for u := b * usersPerBatch; u < min((b+1)*usersPerBatch, d.size.Users); u++ {
		w := slices.Clone(weights)
		favs := make([]int, 2+rng.IntN(2))
		for k := range favs {
			favs[k] = pick(rng, w)
			w[favs[k]] = 0 // without replacement
		}
		n := d.watchesPerUser(rng)
		seen := make(map[int]bool, n)
		user := d.userID(u)
		for tries := 0; len(seen) < n && tries < 20*n; tries++ {
			t := int(global.Uint64())
			if rng.Float64() < favouriteShare {
				g := favs[pick(rng, favWeights[:len(favs)])]
				if z := inGenre[g]; z != nil {
					t = d.byGenre[g][z.Uint64()]
				}
			}
			if seen[t] {
				continue
			}
			seen[t] = true
			out = append(out, streaming.Watch{UserID: user, ContentID: d.titleID(t), Completed: rng.Float64() < 0.6})
		}
	}
	return out
}

func (d *queryDataset) batches() int { return (d.size.Users + usersPerBatch - 1) / usersPerBatch }

// marker is what the (:BenchDataset) node records.
type marker struct {
	Version, Users, Titles, Edges, Docs int64
	LoadSeconds                         float64
	LoadedAt                            time.Time
}

// queryDataReport says what a run found or loaded, for the conditions.
type queryDataReport struct {
	edges  int64
	loaded string // how long loading took, now or when the dataset was first loaded
}

func (d *queryDataset) describe(r queryDataReport) string {
	return fmt.Sprintf("dataset %q (generator v%d): %d users, %d titles in 12 genres, %d WATCHED edges (5–20 per user, "+
		"%.0f%% from 2–3 favourite genres, Zipf(s=%.2f) title popularity), %d search documents in alias %s, %d title "+
		"read models in Redis; %s", d.name, queryDataVersion, d.size.Users, d.size.Titles, r.edges, 100*favouriteShare,
		titleZipfS, d.size.Docs, d.alias, d.size.Titles, r.loaded)
}

// openNeo4j opens the graph exactly as the server does (neo4jstore.Open) and returns its driver, for the raw
// baselines and the dataset marker, with its cleanup.
func openNeo4j(ctx context.Context, cfg config.Config) (neo4j.DriverWithContext, func(), error) {
	g, cleanup, err := neo4jstore.Open(ctx, neo4jstore.Config{URI: cfg.Neo4jURI, Username: cfg.Neo4jUser,
		Password: cfg.Neo4jPassword, Database: cfg.Neo4jDatabase})
	if err != nil {
		return nil, nil, fmt.Errorf("neo4j %s: %w", cfg.Neo4jURI, err)
	}
	return g.Driver(), cleanup, nil
}

func (d *queryDataset) readMarker(ctx context.Context, drv neo4j.DriverWithContext, db string) (*marker, error) {
	res, err := neo4j.ExecuteQuery(ctx, drv, `MATCH (d:BenchDataset {name: $name})
		RETURN d.version AS version, d.users AS users, d.titles AS titles, d.edges AS edges, d.docs AS docs,
		       d.load_seconds AS load_seconds, d.loaded_at AS loaded_at`,
		map[string]any{"name": d.name}, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(db))
	if err != nil || len(res.Records) == 0 {
		return nil, err
	}
	r := res.Records[0].AsMap()
	m := &marker{}
	for k, v := range map[string]*int64{"version": &m.Version, "users": &m.Users, "titles": &m.Titles, "edges": &m.Edges, "docs": &m.Docs} {
		*v, _ = r[k].(int64)
	}
	m.LoadSeconds, _ = r["load_seconds"].(float64)
	m.LoadedAt, _ = r["loaded_at"].(time.Time)
	return m, nil
}

func (d *queryDataset) writeMarker(ctx context.Context, drv neo4j.DriverWithContext, db string, m marker) error {
	// MATCH + DELETE + CREATE rather than MERGE: BenchDataset has no uniqueness constraint, and one bench process at
	// a time writes it.
	_, err := neo4j.ExecuteQuery(ctx, drv, `OPTIONAL MATCH (old:BenchDataset {name: $name}) DETACH DELETE old
		WITH count(*) AS _
		CREATE (:BenchDataset {name: $name, version: $version, users: $users, titles: $titles, edges: $edges,
			docs: $docs, load_seconds: $load_seconds, loaded_at: $loaded_at})`,
		map[string]any{"name": d.name, "version": m.Version, "users": m.Users, "titles": m.Titles, "edges": m.Edges,
			"docs": m.Docs, "load_seconds": m.LoadSeconds, "loaded_at": m.LoadedAt},
		neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(db), neo4j.ExecuteQueryWithWritersRouting())
	return err
}

// ensure makes sure srv's stores hold the dataset (srv must use d.alias as its search alias), loading what is missing.
func (d *queryDataset) ensure(ctx context.Context, srv *server) (queryDataReport, error) {
	if srv.cfg.SearchAlias != d.alias {
		return queryDataReport{}, fmt.Errorf("server uses search alias %q, the dataset lives in %q", srv.cfg.SearchAlias, d.alias)
	}
	drv, closeDrv, err := openNeo4j(ctx, srv.cfg)
	if err != nil {
		return queryDataReport{}, err
	}
	defer closeDrv()
	db := srv.cfg.Neo4jDatabase
	m, err := d.readMarker(ctx, drv, db)
	if err != nil {
		return queryDataReport{}, fmt.Errorf("read dataset marker: %w", err)
	}
	want := marker{Version: queryDataVersion, Users: int64(d.size.Users), Titles: int64(d.size.Titles), Docs: int64(d.size.Docs)}
	if m != nil && m.Version == want.Version && m.Users == want.Users && m.Titles == want.Titles && m.Docs == want.Docs {
		// The graph is what the marker vouches for; the search index and Redis are checked, as they can be reset
		// on their own.
		if err := d.repair(ctx, srv); err != nil {
			return queryDataReport{}, err
		}
		return queryDataReport{edges: m.Edges, loaded: fmt.Sprintf("already loaded (first load on %s took %.0f s)",
			m.LoadedAt.UTC().Format(time.DateOnly), m.LoadSeconds)}, nil
	}
	if m != nil {
		fmt.Fprintf(os.Stderr, "bench: dataset %q was generated by generator v%d: deleting it\n", d.name, m.Version)
		if err := deleteQueryDataset(ctx, srv, drv, d, int(m.Users), int(m.Titles)); err != nil {
			return queryDataReport{}, err
		}
	}
	start := time.Now()
	edges, err := d.load(ctx, srv)
	if err != nil {
		return queryDataReport{}, err
	}
	took := time.Since(start)
	want.Edges, want.LoadSeconds, want.LoadedAt = edges, took.Seconds(), time.Now().UTC()
	if err := d.writeMarker(ctx, drv, db, want); err != nil {
		return queryDataReport{}, fmt.Errorf("write dataset marker: %w", err)
	}
	return queryDataReport{edges: edges, loaded: fmt.Sprintf("loaded by this run in %.0f s", took.Seconds())}, nil
}

// repair reloads the search documents or the Redis read models when they are not all there.
func (d *queryDataset) repair(ctx context.Context, srv *server) error {
	n, err := srv.built.Search.Count(ctx)
	if err != nil {
		return err
	}
	if n != int64(d.size.Docs) {
		fmt.Fprintf(os.Stderr, "bench: alias %s holds %d documents, want %d: indexing again\n", d.alias, n, d.size.Docs)
		if err := d.loadDocs(ctx, srv); err != nil {
			return err
		}
	}
	ids := []string{d.titleID(0), d.titleID(d.size.Titles / 2), d.titleID(d.size.Titles - 1)}
	got, err := srv.built.ReadModels.Contents(ctx, ids...)
	if err != nil {
		return err
	}
	if len(got) != len(ids) {
		fmt.Fprintf(os.Stderr, "bench: Redis lacks title read models of dataset %q: writing them again\n", d.name)
		return d.loadReadModels(ctx, srv)
	}
	return nil
}

func contentEvent(c streaming.Content) (streaming.Event, error) {
	payload, err := json.Marshal(streaming.NewContentPayload(&c))
	return streaming.Event{AggregateType: streaming.AggregateContent, AggregateID: c.ID, Version: c.Version,
		Type: streaming.EventContentUpserted, Payload: payload, OccurredAt: c.UpdatedAt}, err
}

func (d *queryDataset) events(from, to int) ([]streaming.Event, error) {
	out := make([]streaming.Event, 0, to-from)
	for i := from; i < to; i++ {
		e, err := contentEvent(d.catalog[i])
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// load writes the whole dataset and returns the number of edges.
func (d *queryDataset) load(ctx context.Context, srv *server) (int64, error) {
	fmt.Fprintf(os.Stderr, "bench: loading dataset %q (%d users, %d titles, ≈%d edges, %d documents)\n",
		d.name, d.size.Users, d.size.Titles, d.size.Edges, d.size.Docs)
	t := time.Now()
	graph := srv.built.Graph.Projector()
	for from := 0; from < d.size.Titles; from += titlesPerGraphTx {
		events, err := d.events(from, min(from+titlesPerGraphTx, d.size.Titles))
		if err != nil {
			return 0, err
		}
		if err := graph.Project(ctx, events); err != nil {
			return 0, fmt.Errorf("graph titles: %w", err)
		}
	}
	fmt.Fprintf(os.Stderr, "bench:   %d titles into Neo4j in %.1f s\n", d.size.Titles, time.Since(t).Seconds())

	t = time.Now()
	var edges, done atomic.Int64
	batches := d.batches()
	err := parallel(ctx, batches, edgeWorkers, func(ctx context.Context, b int) error {
		w := d.batchWatches(b)
		if err := srv.built.Graph.ApplyWatches(ctx, w); err != nil {
			return fmt.Errorf("watches of batch %d: %w", b, err)
		}
		edges.Add(int64(len(w)))
		if n := done.Add(1); n%max(1, int64(batches)/10) == 0 {
			fmt.Fprintf(os.Stderr, "bench:   edges %3.0f%%: %d in %.0f s (%.0f/s)\n", 100*float64(n)/float64(batches),
				edges.Load(), time.Since(t).Seconds(), float64(edges.Load())/time.Since(t).Seconds())
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(os.Stderr, "bench:   %d WATCHED edges into Neo4j in %.1f s (%.0f/s, %d per ApplyWatches call, %d concurrent)\n",
		edges.Load(), time.Since(t).Seconds(), float64(edges.Load())/time.Since(t).Seconds(), usersPerBatch*d.size.Edges/d.size.Users, edgeWorkers)

	// As the platform's watched-edge update does: lists cached from an earlier graph (an older generator's, within
	// the hour) no longer hold.
	users := make([]string, d.size.Users)
	for i := range users {
		users[i] = d.userID(i)
	}
	if err := srv.built.ReadModels.InvalidateRecommendations(ctx, users...); err != nil {
		return 0, err
	}
	if err := d.loadDocs(ctx, srv); err != nil {
		return 0, err
	}
	if err := d.loadReadModels(ctx, srv); err != nil {
		return 0, err
	}
	return edges.Load(), nil
}

func (d *queryDataset) loadDocs(ctx context.Context, srv *server) error {
	t := time.Now()
	p := srv.built.Search.Projector()
	bulks := (d.size.Docs + docsPerBulk - 1) / docsPerBulk
	err := parallel(ctx, bulks, docWorkers, func(ctx context.Context, b int) error {
		events, err := d.events(b*docsPerBulk, min((b+1)*docsPerBulk, d.size.Docs))
		if err != nil {
			return err
		}
		return p.Project(ctx, events)
	})
	if err != nil {
		return fmt.Errorf("search documents: %w", err)
	}
	if err := srv.built.Search.Refresh(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench:   %d search documents in %.1f s (%.0f/s)\n", d.size.Docs, time.Since(t).Seconds(),
		float64(d.size.Docs)/time.Since(t).Seconds())
	return nil
}

func (d *queryDataset) loadReadModels(ctx context.Context, srv *server) error {
	t := time.Now()
	err := parallel(ctx, d.size.Titles, 8, func(ctx context.Context, i int) error {
		return srv.built.ReadModels.PutContent(ctx, d.catalog[i])
	})
	if err != nil {
		return fmt.Errorf("Redis read models: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench:   %d title read models into Redis in %.1f s\n", d.size.Titles, time.Since(t).Seconds())
	return nil
}

// deleteQueryDataset removes a dataset of users and titles (ids as d derives them) from the graph, its search index
// and its Redis read models, and its marker. (Versioned writes would otherwise keep the old data: the search index
// and Redis refuse a version 1 over a version 1.)
func deleteQueryDataset(ctx context.Context, srv *server, drv neo4j.DriverWithContext, d *queryDataset, users, titles int) error {
	db := srv.cfg.Neo4jDatabase
	del := func(label string, n int, id func(int) string) error {
		for from := 0; from < n; from += 2000 {
			ids := make([]string, 0, 2000)
			for i := from; i < min(from+2000, n); i++ {
				ids = append(ids, id(i))
			}
			if _, err := neo4j.ExecuteQuery(ctx, drv, "UNWIND $ids AS id MATCH (n:"+label+" {id: id}) DETACH DELETE n",
				map[string]any{"ids": ids}, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(db),
				neo4j.ExecuteQueryWithWritersRouting()); err != nil {
				return fmt.Errorf("delete %s nodes: %w", label, err)
			}
			if label == "Content" {
				keys := make([]string, len(ids))
				for i, id := range ids {
					keys[i] = "content:" + id
				}
				rc := srv.built.Redis
				if err := rc.Do(ctx, rc.B().Del().Key(keys...).Build()).Error(); err != nil {
					return fmt.Errorf("delete title read models: %w", err)
				}
			}
		}
		return nil
	}
	if err := del("User", users, d.userID); err != nil {
		return err
	}
	if err := del("Content", titles, d.titleID); err != nil {
		return err
	}
	if err := deleteSearchIndex(ctx, srv.cfg.SearchURLs[0], d.alias); err != nil {
		return err
	}
	// The server created the (now deleted) index at start; create it again, empty.
	if err := srv.built.Search.EnsureIndex(ctx); err != nil {
		return err
	}
	_, err := neo4j.ExecuteQuery(ctx, drv, "MATCH (m:BenchDataset {name: $name}) DETACH DELETE m",
		map[string]any{"name": d.name}, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(db),
		neo4j.ExecuteQueryWithWritersRouting())
	return err
}

// deleteSearchIndex deletes a search alias's versioned index (the alias goes with it).
func deleteSearchIndex(ctx context.Context, searchURL, alias string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete,
		fmt.Sprintf("%s/%s_v%d", strings.TrimRight(searchURL, "/"), alias, search.MappingVersion), nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNotFound {
		return fmt.Errorf("delete index of alias %s: %s", alias, res.Status)
	}
	return nil
}

func capitalize(w string) string {
	r := []rune(w)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// realWords lead the vocabulary (so they are the most frequent words): Spanish and English, like the catalog.
var realWords = strings.Fields(`amor noche mar fuego sombra ciudad camino sueño guerra tiempo luz corazón viaje
secreto silencio familia destino río montaña tierra cielo estrella lluvia invierno verano hermanos casa leyenda
misterio venganza aventura perdido último oscuro rojo dorado salvaje eterno olvidado regreso frontera isla bosque
desierto reina rey ladrón fantasma memoria promesa verdad mentira libertad esperanza océano puerto night shadow city
road dream war time light heart journey secret silence family destiny river mountain earth sky star rain winter
summer brothers house legend mystery revenge adventure lost last dark red golden wild eternal forgotten return
border island forest desert queen king thief detective killer ghost memory promise truth freedom hope ocean harbor
storm fire blood iron glass silver empire kingdom planet machine signal code game dance song voice garden train
bridge tower wolf dragon`)

// vocabulary is the real words followed by made-up words of 2–4 syllables, vocabSize in all.
func vocabulary() []string {
	rng := rand.New(rand.NewPCG(7, 11))
	cons := []string{"b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "br", "tr"}
	vows := []string{"a", "e", "i", "o", "u"}
	seen := map[string]bool{}
	out := slices.Clone(realWords)
	for _, w := range out {
		seen[w] = true
	}
	for len(out) < vocabSize {
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteString(cons[rng.IntN(len(cons))])
			b.WriteString(vows[rng.IntN(len(vows))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

var firstNames = strings.Fields(`Ana Luis Marta Carlos Lucía Javier Sofía Diego Elena Pablo Carmen Andrés Laura Miguel
Isabel Jorge Paula Raúl Valeria Tomás Emma Liam Olivia Noah Ava James Mia Lucas Grace Henry`)

var lastNames = strings.Fields(`García Torres Gil Romero Navarro Ruiz Díaz Moreno Muñoz Álvarez Castro Ortega Rubio
Molina Delgado Smith Johnson Brown Taylor Walker Harris Clark Lewis Young King Wright Scott Green Baker Hill`)
