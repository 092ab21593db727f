package readcheck_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/redis/rueidis"

	graph "github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/outbox"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/readcheck"
	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/search"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// world is one test's platform: a PostgreSQL schema, a search alias, Redis keys and Neo4j nodes of its own, so tests
// running at the same time (here or in other packages) never see each other's data. Commands write rows and outbox
// events through the real command store; relay plays the outbox relay's part with the real projectors.
type world struct {
	t         *testing.T
	ctx       context.Context
	pool      *postgres.Pool
	store     *postgres.CommandStore
	index     *search.Index
	searchURL string
	graph     *graph.Graph
	driver    neo4j.DriverWithContext
	rc        rueidis.Client
	views     *redis.ReadModel
	sfx       string

	mu     sync.Mutex
	ids    []string // every aggregate id the test made (and extra ones it planted in read models)
	genres []string
	n      int
}

func newWorld(t *testing.T) *world {
	t.Helper()
	s := storetest.Settings(t)
	storetest.Require(t, "search server", s.SearchAddr())
	storetest.Require(t, "Neo4j", s.Neo4jAddr())
	ctx := storetest.Context(t, 3*time.Minute)
	w := &world{t: t, ctx: ctx, sfx: storetest.Unique(), searchURL: s.SearchURL()}

	url, _ := storetest.PostgresSchema(t, "readcheck")
	pool, closePool, err := postgres.Open(ctx, postgres.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closePool)
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	w.pool, w.store = pool, postgres.NewCommandStore(pool)

	alias := "readcheck_" + storetest.Unique()
	var closeIndex func()
	if w.index, closeIndex, err = search.Open(ctx, search.Config{URLs: []string{s.SearchURL()}, Alias: alias}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		closeIndex()
		if code, body := w.rawSearch(http.MethodDelete, "/"+w.index.IndexName(), nil); code != http.StatusOK && code != http.StatusNotFound {
			t.Errorf("delete index %s: %d %s", w.index.IndexName(), code, body)
		}
		http.DefaultClient.CloseIdleConnections() // rawSearch's connections (goleak checks the package ends clean)
	})

	var closeGraph func()
	if w.graph, closeGraph, err = graph.Open(ctx, graph.Config{URI: s.Neo4jURI(), MaxConnections: 4}); err != nil {
		t.Fatal(err)
	}
	w.driver = w.graph.Driver() // to plant differences and clean up; the check itself reads through w.graph
	t.Cleanup(func() {
		// t.Context is already canceled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := neo4j.ExecuteQuery(ctx, w.driver, `
CALL {
  MATCH (n:User) WHERE n.id IN $ids RETURN n
  UNION
  MATCH (n:Content) WHERE n.id IN $ids RETURN n
  UNION
  MATCH (n:Genre) WHERE n.name IN $genres RETURN n
}
DETACH DELETE n`, map[string]any{"ids": w.ids, "genres": w.genres}, neo4j.EagerResultTransformer)
		if err != nil {
			t.Errorf("neo4j cleanup: %v", err)
		}
		closeGraph()
	})

	w.rc = storetest.Redis(t)
	w.views = redis.NewReadModel(w.rc, redis.ReadModelOptions{})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var keys []string
		for _, id := range w.ids {
			keys = append(keys, "user_profile:"+id, "plan:"+id, "content:"+id, "recommendations:"+id)
		}
		if len(keys) > 0 {
			if err := w.rc.Do(ctx, w.rc.B().Del().Key(keys...).Build()).Error(); err != nil {
				t.Errorf("redis cleanup: %v", err)
			}
		}
	})
	return w
}

// sources are every store, with the world's own search alias.
func (w *world) sources() readcheck.Sources {
	return readcheck.Sources{Postgres: postgres.NewCheckSource(w.pool), Redis: w.views, Search: w.index, Graph: w.graph}
}

func (w *world) check(src readcheck.Sources, opts readcheck.Options) *readcheck.Report {
	w.t.Helper()
	rep, err := readcheck.Check(w.ctx, src, opts)
	if err != nil {
		w.t.Fatalf("Check: %v", err)
	}
	return rep
}

// own records ids the test created, for cleanup and for Options.IDs.
func (w *world) own(ids ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ids = append(w.ids, ids...)
}

func (w *world) allIDs() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.ids)
}

func (w *world) genre(name string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	g := name + "-" + w.sfx
	w.genres = append(w.genres, g)
	return g
}

func (w *world) seq() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n++
	return w.n
}

// inTx runs a command: its change and its outbox event commit together.
func (w *world) inTx(fn func(tx streaming.CommandTx) error) {
	w.t.Helper()
	if err := w.store.InTx(w.ctx, fn); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) event(aggType, id string, version int64, typ string, payload any) streaming.Event {
	w.t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		w.t.Fatal(err)
	}
	return streaming.Event{AggregateType: aggType, AggregateID: id, Version: version, Type: typ, Payload: b}
}

func (w *world) user() streaming.User {
	w.t.Helper()
	n := w.seq()
	u := streaming.User{Email: fmt.Sprintf("user%d-%s@example.com", n, w.sfx), DisplayName: "User " + strconv.Itoa(n),
		Country: "ES", PasswordHash: "x"}
	w.inTx(func(tx streaming.CommandTx) error {
		if err := tx.CreateUser(w.ctx, &u); err != nil {
			return err
		}
		return tx.AppendEvent(w.ctx, w.event(streaming.AggregateUser, u.ID, u.Version, streaming.EventUserRegistered, streaming.NewUserPayload(&u)))
	})
	w.own(u.ID)
	return u
}

func (w *world) plan() streaming.Plan {
	w.t.Helper()
	p := streaming.Plan{Name: "Plan " + strconv.Itoa(w.seq()), Description: "d", PriceCents: 999, Currency: "EUR",
		MaxStreams: 2, MaxQuality: "hd", Available: true}
	w.inTx(func(tx streaming.CommandTx) error {
		if err := tx.CreatePlan(w.ctx, &p); err != nil {
			return err
		}
		return tx.AppendEvent(w.ctx, w.event(streaming.AggregatePlan, p.ID, p.Version, streaming.EventPlanCreated, streaming.NewPlanPayload(&p)))
	})
	w.own(p.ID)
	return p
}

func (w *world) updatePlan(p streaming.Plan) streaming.Plan {
	w.t.Helper()
	p.PriceCents += 100
	w.inTx(func(tx streaming.CommandTx) error {
		if err := tx.UpdatePlan(w.ctx, &p); err != nil {
			return err
		}
		return tx.AppendEvent(w.ctx, w.event(streaming.AggregatePlan, p.ID, p.Version, streaming.EventPlanUpdated, streaming.NewPlanPayload(&p)))
	})
	return p
}

func (w *world) subscribe(u streaming.User, p streaming.Plan) streaming.Subscription {
	w.t.Helper()
	s := streaming.Subscription{UserID: u.ID, PlanID: p.ID, Status: streaming.SubscriptionActive, PriceCents: p.PriceCents,
		Currency: p.Currency, PaymentMethod: streaming.PaymentCard}
	w.inTx(func(tx streaming.CommandTx) error {
		if err := tx.CreateSubscription(w.ctx, &s); err != nil {
			return err
		}
		return tx.AppendEvent(w.ctx, w.event(streaming.AggregateSubscription, s.ID, s.Version, streaming.EventSubscriptionCreated, streaming.NewSubscriptionPayload(&s)))
	})
	w.own(s.ID)
	return s
}

// content creates a title, or replaces one when c.ID is set (a new version).
func (w *world) content(c streaming.Content) streaming.Content {
	w.t.Helper()
	if c.Type == "" {
		c.Type = streaming.ContentMovie
	}
	if c.ReleaseYear == 0 {
		c.ReleaseYear = 2020
	}
	w.inTx(func(tx streaming.CommandTx) error {
		if _, err := tx.UpsertContent(w.ctx, &c); err != nil {
			return err
		}
		return tx.AppendEvent(w.ctx, w.event(streaming.AggregateContent, c.ID, c.Version, streaming.EventContentUpserted, streaming.NewContentPayload(&c)))
	})
	w.own(c.ID)
	return c
}

func (w *world) title(name string) streaming.Content {
	w.t.Helper()
	return w.content(streaming.Content{Title: name, Genres: []string{w.genre("drama"), w.genre("crime")},
		Actors: []string{"Ana", "Luis"}, DurationSeconds: 5400})
}

func (w *world) rate(u streaming.User, c streaming.Content, stars int32) {
	w.t.Helper()
	r := &streaming.Rating{UserID: u.ID, ContentID: c.ID, Stars: stars}
	if err := w.store.RecordRating(w.ctx, r); err != nil {
		w.t.Fatal(err)
	}
	// What the server's flusher does within its interval: the rating's event and the title's new figures.
	if _, _, err := postgres.NewRatingStore(w.pool).FlushAggregates(w.ctx, 1000); err != nil {
		w.t.Fatal(err)
	}
}

// relay delivers the unpublished events (of the given aggregates only, when named) to the projectors, as the
// outbox relay does, and marks them published. With no projectors, the events are marked published undelivered: a
// lost projection.
func (w *world) relay(aggregates []string, projectors ...outbox.Projector) {
	w.t.Helper()
	rows, err := w.pool.Query(w.ctx, `
		SELECT id, aggregate_type, aggregate_id, version, event_type, payload, occurred_at FROM outbox
		WHERE published_at IS NULL AND ($1::text[] IS NULL OR aggregate_id = ANY($1::text[]))
		ORDER BY id`, aggregates)
	if err != nil {
		w.t.Fatal(err)
	}
	var ids []int64
	var events []streaming.Event
	var id int64
	var e streaming.Event
	var payload []byte
	for rows.Next() {
		if err := rows.Scan(&id, &e.AggregateType, &e.AggregateID, &e.Version, &e.Type, &payload, &e.OccurredAt); err != nil {
			w.t.Fatal(err)
		}
		e.Payload = slices.Clone(payload)
		ids, events = append(ids, id), append(events, e)
	}
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
	for _, p := range projectors {
		if err := p.Project(w.ctx, events); err != nil {
			w.t.Fatalf("%s projector: %v", p.Name(), err)
		}
	}
	if _, err := w.pool.Exec(w.ctx, `UPDATE outbox SET published_at = now() WHERE id = ANY($1)`, ids); err != nil {
		w.t.Fatal(err)
	}
}

// relayAll delivers every unpublished event to every projector, in the order the server registers them.
func (w *world) relayAll() {
	w.t.Helper()
	w.relay(nil, w.graph.Projector(), w.index.Projector(), w.views.Projector())
}

// putView rebuilds the user's Redis view from PostgreSQL, as the query side does on a miss.
func (w *world) putView(u streaming.User) {
	w.t.Helper()
	var subs []streaming.Subscription
	w.inTx(func(tx streaming.CommandTx) error {
		var err error
		subs, err = tx.ListSubscriptions(w.ctx, u.ID, 100, "")
		return err
	})
	if err := w.views.PutUserView(w.ctx, streaming.UserView{User: u, Subscriptions: subs}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) cypher(q string, params map[string]any) {
	w.t.Helper()
	if _, err := neo4j.ExecuteQuery(w.ctx, w.driver, q, params, neo4j.EagerResultTransformer); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

func (w *world) redis(cmd rueidis.Completed) {
	w.t.Helper()
	if err := w.rc.Do(w.ctx, cmd).Error(); err != nil {
		w.t.Fatal(err)
	}
}

// rawSearch sends a request straight to the search server, behind the platform's back.
func (w *world) rawSearch(method, path string, body any) (int, string) {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			w.t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // also used from t.Cleanup
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, w.searchURL+path, &buf)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(res.Body)
	return res.StatusCode, out.String()
}

// finding is a difference reduced to what a test asserts.
type finding struct {
	Model  readcheck.Model
	Kind   readcheck.Kind
	ID     string
	Status readcheck.Status
	Fields string // the names of the fields at fault, comma-separated
}

func findings(rep *readcheck.Report) []finding {
	out := make([]finding, 0, len(rep.Differences))
	for _, d := range rep.Differences {
		var names []string
		for _, f := range d.Fields {
			names = append(names, f.Field)
		}
		out = append(out, finding{d.Model, d.Kind, d.ID, d.Status, strings.Join(names, ",")})
	}
	return out
}

func sortFindings(f []finding) []finding {
	slices.SortFunc(f, func(a, b finding) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
	return f
}

func TestConsistentStateHasNoDivergence(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ann, bob := w.user(), w.user()
	basic, premium := w.plan(), w.plan()
	w.subscribe(ann, basic)
	w.subscribe(bob, premium)
	titles := []streaming.Content{w.title("Uno"), w.title("Dos"), w.title("Tres")}
	w.rate(ann, titles[0], 5)
	w.rate(bob, titles[0], 3)
	w.rate(ann, titles[1], 4)
	w.relayAll()
	w.putView(ann) // bob's view stays absent: a cache miss, which is fine
	if err := w.index.Refresh(w.ctx); err != nil {
		t.Fatal(err)
	}

	type row struct {
		model               readcheck.Model
		kind                readcheck.Kind
		checked, ok, absent int64
	}
	all := []row{
		{readcheck.ModelSearch, readcheck.KindContent, 3, 3, 0},
		{readcheck.ModelNeo4j, readcheck.KindContent, 3, 3, 0},
		{readcheck.ModelNeo4j, readcheck.KindRating, 3, 3, 0},
		{readcheck.ModelNeo4j, readcheck.KindUser, 2, 2, 0},
		{readcheck.ModelRedis, readcheck.KindContent, 3, 3, 0},
		{readcheck.ModelRedis, readcheck.KindPlan, 2, 2, 0},
		{readcheck.ModelRedis, readcheck.KindUser, 2, 1, 1},
		{readcheck.ModelRedis, readcheck.KindSubscription, 2, 1, 1},
		// Nobody is erased: the erasure kind is checked, on no rows.
		{readcheck.ModelNeo4j, readcheck.KindErasure, 0, 0, 0},
		{readcheck.ModelRedis, readcheck.KindErasure, 0, 0, 0},
		{readcheck.ModelPostgres, readcheck.KindErasure, 0, 0, 0},
	}
	noGraph := w.sources()
	noGraph.Graph = nil // a full scan of the shared graph would find every other test's and the dev data's nodes
	for _, tc := range []struct {
		name string
		src  readcheck.Sources
		opts readcheck.Options
		mode string
		rows []row
	}{
		{"ids", w.sources(), readcheck.Options{IDs: w.allIDs()}, "ids", all},
		// The private schema and alias restrict a full check; a batch of 2 makes it page.
		{"full", noGraph, readcheck.Options{BatchSize: 2}, "full", slices.DeleteFunc(slices.Clone(all), func(r row) bool { return r.model == readcheck.ModelNeo4j })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := w.check(tc.src, tc.opts)
			if rep.Failed() || len(rep.Differences) != 0 {
				t.Fatalf("consistent state reported as failed: %+v", rep.Differences)
			}
			if rep.Mode != tc.mode || rep.UnpublishedAtStart != 0 {
				t.Errorf("mode %q, unpublished %d; want %q, 0", rep.Mode, rep.UnpublishedAtStart, tc.mode)
			}
			if len(rep.Counts) != len(tc.rows) {
				t.Errorf("%d count rows, want %d: %+v", len(rep.Counts), len(tc.rows), rep.Counts)
			}
			for _, r := range tc.rows {
				got, ok := rep.Count(r.model, r.kind)
				want := readcheck.Counts{Model: r.model, Kind: r.kind, Checked: r.checked, OK: r.ok, Absent: r.absent}
				if !ok || got != want {
					t.Errorf("counts of %s %s = %+v, want %+v", r.model, r.kind, got, want)
				}
			}
		})
	}

	t.Run("sample", func(t *testing.T) {
		rep := w.check(w.sources(), readcheck.Options{Sample: 2})
		if rep.Failed() || rep.Mode != "sample" {
			t.Fatalf("mode %q, failed %v: %+v", rep.Mode, rep.Failed(), rep.Differences)
		}
		for _, k := range []readcheck.Kind{readcheck.KindContent, readcheck.KindUser, readcheck.KindPlan} {
			if c, _ := rep.Count(readcheck.ModelRedis, k); c.Checked != 2 {
				t.Errorf("sample of 2 checked %d %s rows", c.Checked, k)
			}
		}
	})
}

// TestCheckReportsEachDifference breaks the read models in every way the check knows, each case on rows of its
// own, and expects exactly the differences the cases cause: nothing missed, nothing more.
func TestCheckReportsEachDifference(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	type F = finding
	const mSearch, mGraph, mRedis = readcheck.ModelSearch, readcheck.ModelNeo4j, readcheck.ModelRedis
	cases := []struct {
		name string
		// arrange writes rows through commands before the relay runs; it returns what runs after the relay (the
		// tampering) and the findings expected.
		arrange func() (tamper func(), want []F)
	}{
		{"search missed an update (stale document)", func() (func(), []F) {
			c := w.title("Stale")
			return func() {
				c.Title = "Stale, revised"
				c = w.content(c)
				// Every read model but search got version 2, and the event was published.
				w.relay([]string{c.ID}, w.graph.Projector(), w.views.Projector())
			}, []F{{mSearch, readcheck.KindContent, c.ID, readcheck.StatusBehind, "version"}}
		}},
		{"search document deleted", func() (func(), []F) {
			c := w.title("Deleted")
			return func() {
				if code, body := w.rawSearch(http.MethodDelete, "/"+w.index.Alias()+"/_doc/"+c.ID, nil); code != http.StatusOK {
					t.Fatalf("delete document: %d %s", code, body)
				}
			}, []F{{mSearch, readcheck.KindContent, c.ID, readcheck.StatusMissing, ""}}
		}},
		{"search orphan document", func() (func(), []F) {
			id := uuid.NewString()
			w.own(id)
			return func() {
				doc := map[string]any{"id": id, "title": "Ghost", "genres": []string{"x"}, "rating_avg": 0}
				if code, body := w.rawSearch(http.MethodPut, "/"+w.index.Alias()+"/_doc/"+id+"?version=3&version_type=external", doc); code != http.StatusCreated {
					t.Fatalf("index document: %d %s", code, body)
				}
			}, []F{{mSearch, readcheck.KindContent, id, readcheck.StatusOrphan, ""}}
		}},
		{"neo4j title changed behind the platform's back", func() (func(), []F) {
			c := w.title("Original")
			return func() {
				w.cypher(`MATCH (c:Content {id: $id}) SET c.title = $title`, map[string]any{"id": c.ID, "title": "Hacked"})
			}, []F{{mGraph, readcheck.KindContent, c.ID, readcheck.StatusDiverged, "title"}}
		}},
		{"neo4j genre edge removed", func() (func(), []F) {
			c := w.title("Genres")
			return func() {
				w.cypher(`MATCH (:Content {id: $id})-[e:IN_GENRE]->(g:Genre {name: $genre}) DELETE e`,
					map[string]any{"id": c.ID, "genre": c.Genres[1]})
			}, []F{{mGraph, readcheck.KindContent, c.ID, readcheck.StatusDiverged, "genres"}}
		}},
		{"neo4j rating changed", func() (func(), []F) {
			u, c := w.user(), w.title("Rated")
			w.rate(u, c, 4)
			return func() {
				w.cypher(`MATCH (:User {id: $user})-[w:WATCHED]->(:Content {id: $content}) SET w.rating = 1`,
					map[string]any{"user": u.ID, "content": c.ID})
			}, []F{{mGraph, readcheck.KindRating, u.ID + "/" + c.ID, readcheck.StatusDiverged, "rating"}}
		}},
		{"neo4j rated edge without a rating", func() (func(), []F) {
			u, c := w.user(), w.title("Unrated")
			return func() {
				w.cypher(`MATCH (u:User {id: $user}), (c:Content {id: $content}) MERGE (u)-[w:WATCHED]->(c) SET w.rating = 3`,
					map[string]any{"user": u.ID, "content": c.ID})
			}, []F{{mGraph, readcheck.KindRating, u.ID + "/" + c.ID, readcheck.StatusOrphan, "rating"}}
		}},
		{"neo4j user node deleted", func() (func(), []F) {
			u := w.user()
			return func() {
				w.cypher(`MATCH (u:User {id: $id}) DETACH DELETE u`, map[string]any{"id": u.ID})
			}, []F{{mGraph, readcheck.KindUser, u.ID, readcheck.StatusMissing, ""}}
		}},
		{"neo4j orphan title", func() (func(), []F) {
			id := uuid.NewString()
			w.own(id)
			return func() {
				w.cypher(`CREATE (:Content {id: $id, title: 'Ghost', version: 1})`, map[string]any{"id": id})
			}, []F{{mGraph, readcheck.KindContent, id, readcheck.StatusOrphan, ""}}
		}},
		{"redis title with other data at the same version", func() (func(), []F) {
			c := w.title("Cached")
			return func() {
				views, err := w.views.Contents(w.ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				v := views[c.ID]
				v.Title = "Wrong"
				b, _ := json.Marshal(v)
				w.redis(w.rc.B().Hset().Key("content:"+c.ID).FieldValue().FieldValue("content", string(b)).Build())
			}, []F{{mRedis, readcheck.KindContent, c.ID, readcheck.StatusDiverged, "title"}}
		}},
		{"redis title ahead of PostgreSQL", func() (func(), []F) {
			c := w.title("Future")
			return func() {
				v := c
				v.Version = 9
				b, _ := json.Marshal(v)
				w.redis(w.rc.B().Hset().Key("content:"+c.ID).FieldValue().FieldValue("content", string(b)).FieldValue("v:content", "9").Build())
			}, []F{{mRedis, readcheck.KindContent, c.ID, readcheck.StatusAhead, "version"}}
		}},
		{"redis plan missed an update", func() (func(), []F) {
			p := w.plan()
			return func() {
				w.updatePlan(p)
				w.relay([]string{p.ID}) // published, never projected
			}, []F{{mRedis, readcheck.KindPlan, p.ID, readcheck.StatusBehind, "version"}}
		}},
		{"redis subscription with other data at the same version", func() (func(), []F) {
			u, p := w.user(), w.plan()
			s := w.subscribe(u, p)
			return func() {
				w.putView(u)
				bad := s
				bad.PaymentMethod = streaming.PaymentPayPal
				b, _ := json.Marshal(bad)
				w.redis(w.rc.B().Hset().Key("user_profile:"+u.ID).FieldValue().FieldValue("sub:"+s.ID, string(b)).Build())
			}, []F{{mRedis, readcheck.KindSubscription, s.ID, readcheck.StatusDiverged, "payment_method"}}
		}},
		{"redis complete view without a subscription", func() (func(), []F) {
			u, p := w.user(), w.plan()
			s := w.subscribe(u, p)
			return func() {
				w.putView(u)
				w.redis(w.rc.B().Hdel().Key("user_profile:"+u.ID).Field("sub:"+s.ID, "v:sub:"+s.ID).Build())
			}, []F{{mRedis, readcheck.KindSubscription, s.ID, readcheck.StatusMissing, ""}}
		}},
		{"unpublished update: pending everywhere", func() (func(), []F) {
			c := w.title("Pending")
			return func() {
					c.Title = "Pending, revised"
					w.content(c) // its event stays in the outbox
				}, []F{
					{mSearch, readcheck.KindContent, c.ID, readcheck.StatusPending, "version"},
					{mGraph, readcheck.KindContent, c.ID, readcheck.StatusPending, "version"},
					{mRedis, readcheck.KindContent, c.ID, readcheck.StatusPending, "version"},
				}
		}},
	}
	var tampers []func()
	var want []F
	for _, tc := range cases {
		tamper, found := tc.arrange()
		tampers = append(tampers, tamper)
		want = append(want, found...)
	}
	w.relayAll()
	for _, tamper := range tampers {
		tamper()
	}

	rep := w.check(w.sources(), readcheck.Options{IDs: w.allIDs(), MaxDiffs: 1000})
	if diff := cmp.Diff(sortFindings(want), sortFindings(findings(rep))); diff != "" {
		t.Errorf("differences (-want +got):\n%s", diff)
	}
	if !rep.Failed() {
		t.Error("Failed() = false with missing, diverged, ahead and orphan entries")
	}
	if rep.UnpublishedAtStart != 1 {
		t.Errorf("UnpublishedAtStart = %d, want 1", rep.UnpublishedAtStart)
	}
	for _, c := range rep.Counts {
		var sum int64
		for _, s := range []readcheck.Status{readcheck.StatusOK, readcheck.StatusAbsent, readcheck.StatusMissing,
			readcheck.StatusBehind, readcheck.StatusDiverged, readcheck.StatusAhead, readcheck.StatusPending} {
			sum += c.Of(s)
		}
		if sum != c.Checked {
			t.Errorf("%s %s: statuses add up to %d, checked %d", c.Model, c.Kind, sum, c.Checked)
		}
	}
	if got, want := rep.Total(readcheck.StatusPending), int64(3); got != want {
		t.Errorf("pending total %d, want %d", got, want)
	}
	for i, d := range rep.Differences[1:] {
		if d.Status.Failing() && !rep.Differences[i].Status.Failing() {
			t.Errorf("difference %d (%s) listed after a lag (%s): want the worst first", i+1, d.Status, rep.Differences[i].Status)
		}
	}

	t.Run("strict reports the pending lag as behind", func(t *testing.T) {
		rep := w.check(w.sources(), readcheck.Options{IDs: w.allIDs(), Strict: true, MaxDiffs: 1000})
		if n := rep.Total(readcheck.StatusPending); n != 0 {
			t.Errorf("%d pending in strict mode", n)
		}
		if n := rep.Total(readcheck.StatusBehind); n != 3+2 { // the pending title everywhere, and the two lags
			t.Errorf("%d behind in strict mode, want 5: %+v", n, rep.Differences)
		}
	})

	t.Run("a full check scans the index for orphans", func(t *testing.T) {
		if err := w.index.Refresh(w.ctx); err != nil {
			t.Fatal(err)
		}
		src := w.sources()
		src.Graph = nil // the shared graph holds everyone's nodes
		rep := w.check(src, readcheck.Options{BatchSize: 3, MaxDiffs: 1000})
		var wantFull []F
		for _, f := range want {
			if f.Model != mGraph {
				wantFull = append(wantFull, f)
			}
		}
		if diff := cmp.Diff(sortFindings(wantFull), sortFindings(findings(rep))); diff != "" {
			t.Errorf("differences (-want +got):\n%s", diff)
		}
	})

	t.Run("max diffs bounds the list, not the counts", func(t *testing.T) {
		rep := w.check(w.sources(), readcheck.Options{IDs: w.allIDs(), MaxDiffs: 2})
		if len(rep.Differences) != 2 || rep.Unlisted != int64(len(want)-2) {
			t.Errorf("listed %d, unlisted %d; want 2, %d", len(rep.Differences), rep.Unlisted, len(want)-2)
		}
		for _, d := range rep.Differences {
			if !d.Status.Failing() {
				t.Errorf("listed %s before the divergences", d.Status)
			}
		}
	})
}

func TestCheckRefusesBadOptionsAndReportsUnreachableStores(t *testing.T) {
	t.Parallel()
	s := storetest.Settings(t)
	storetest.Require(t, "PostgreSQL", s.PostgresAddr())
	ctx := storetest.Context(t, time.Minute)
	url, _ := storetest.PostgresSchema(t, "readcheck")
	pool, closePool, err := postgres.Open(ctx, postgres.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closePool)
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	// Nothing listens on port 1: the driver is refused at once (and retries for Open's retry budget).
	dead, closeDead, err := graph.Open(ctx, graph.Config{URI: "bolt://127.0.0.1:1", Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeDead)
	pg := postgres.NewCheckSource(pool)
	id := uuid.NewString()
	for _, tc := range []struct {
		name     string
		src      readcheck.Sources
		opts     readcheck.Options
		wantCode streaming.Code // "" for a plain error
		wantText string
	}{
		{"no postgres", readcheck.Sources{}, readcheck.Options{}, "", "Postgres is nil"},
		{"negative sample", readcheck.Sources{Postgres: pg}, readcheck.Options{Sample: -1}, "", "negative"},
		{"sample and ids", readcheck.Sources{Postgres: pg}, readcheck.Options{Sample: 1, IDs: []string{id}}, "", "exclude"},
		{"malformed id", readcheck.Sources{Postgres: pg}, readcheck.Options{IDs: []string{"nope"}}, "", "not a uuid"},
		// The orphan lookup of an id reaches the graph even with no rows at all.
		{"neo4j down", readcheck.Sources{Postgres: pg, Graph: dead}, readcheck.Options{IDs: []string{id}}, streaming.CodeUnavailable, "Neo4j"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readcheck.Check(ctx, tc.src, tc.opts)
			if err == nil {
				t.Fatal("Check succeeded")
			}
			if tc.wantCode != "" && streaming.ErrorCode(err) != tc.wantCode {
				t.Errorf("code %q, want %q: %v", streaming.ErrorCode(err), tc.wantCode, err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not mention %q", err, tc.wantText)
			}
		})
	}
}
