package neo4j_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	graph "github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/outbox"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

var (
	_ outbox.Projector              = (*graph.Projector)(nil)
	_ streaming.RecommendationGraph = (*graph.Graph)(nil)
)

// fixture is one test's view of the shared database: the Graph under test, a separate driver to look at what it
// wrote, and the ids and genre names the test made up, all unique, so tests running at the same time (in this package
// or others) never see each other's nodes. Everything the test created is deleted when it ends.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	g      *graph.Graph
	driver neo4j.DriverWithContext
	sfx    string

	mu     sync.Mutex
	ids    []string
	genres []string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := storetest.Settings(t)
	storetest.Require(t, "Neo4j", s.Neo4jAddr())
	ctx := storetest.Context(t, time.Minute)
	g, _, err := graph.Open(ctx, graph.Config{URI: s.Neo4jURI(), MaxConnections: 4})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	driver, err := neo4j.NewDriverWithContext(s.Neo4jURI(), neo4j.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, g: g, driver: driver, sfx: storetest.Unique()}
	t.Cleanup(func() {
		// t.Context is already canceled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := neo4j.ExecuteQuery(ctx, driver, `
CALL {
  MATCH (n:User) WHERE n.id IN $ids RETURN n
  UNION
  MATCH (n:Content) WHERE n.id IN $ids RETURN n
  UNION
  MATCH (n:Genre) WHERE n.name IN $genres RETURN n
}
DETACH DELETE n`, map[string]any{"ids": f.ids, "genres": f.genres}, neo4j.EagerResultTransformer)
		if err != nil {
			t.Errorf("cleanup: %v", err)
		}
		driver.Close(ctx)
		g.Close(ctx)
	})
	return f
}

// id is a fresh user or content id owned by the test.
func (f *fixture) id() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := uuid.NewString()
	f.ids = append(f.ids, id)
	return id
}

// genre is a genre name owned by the test.
func (f *fixture) genre(name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	g := name + "-" + f.sfx
	f.genres = append(f.genres, g)
	return g
}

func (f *fixture) query(cypher string, params map[string]any) []*neo4j.Record {
	f.t.Helper()
	res, err := neo4j.ExecuteQuery(f.ctx, f.driver, cypher, params, neo4j.EagerResultTransformer)
	if err != nil {
		f.t.Fatalf("query %s: %v", cypher, err)
	}
	return res.Records
}

func (f *fixture) project(events ...streaming.Event) {
	f.t.Helper()
	if err := f.g.Projector().Project(f.ctx, events); err != nil {
		f.t.Fatalf("Project: %v", err)
	}
}

func (f *fixture) watch(watches ...streaming.Watch) {
	f.t.Helper()
	if err := f.g.ApplyWatches(f.ctx, watches); err != nil {
		f.t.Fatalf("ApplyWatches: %v", err)
	}
}

func (f *fixture) recommend(userID string, limit int) []streaming.Recommendation {
	f.t.Helper()
	recs, err := f.g.Recommend(f.ctx, userID, limit)
	if err != nil {
		f.t.Fatalf("Recommend(%s): %v", userID, err)
	}
	return recs
}

// contentState is what the graph holds about one title.
type contentState struct {
	Title     any
	Type      any
	RatingAvg any
	Version   any
	Genres    []string
}

func (f *fixture) content(id string) (contentState, bool) {
	f.t.Helper()
	recs := f.query(`
MATCH (c:Content {id: $id})
OPTIONAL MATCH (c)-[:IN_GENRE]->(g:Genre)
WITH c, g ORDER BY g.name
RETURN c.title AS title, c.type AS type, c.rating_avg AS rating_avg, c.version AS version, collect(g.name) AS genres`,
		map[string]any{"id": id})
	if len(recs) == 0 {
		return contentState{}, false
	}
	m := recs[0].AsMap()
	s := contentState{Title: m["title"], Type: m["type"], RatingAvg: m["rating_avg"], Version: m["version"]}
	for _, g := range m["genres"].([]any) {
		s.Genres = append(s.Genres, g.(string))
	}
	return s, true
}

// watched is the WATCHED edge of (user, content), as a map of its properties, or nil without one.
func (f *fixture) watched(userID, contentID string) map[string]any {
	f.t.Helper()
	recs := f.query(`MATCH (:User {id: $u})-[w:WATCHED]->(:Content {id: $c}) RETURN properties(w) AS p`,
		map[string]any{"u": userID, "c": contentID})
	switch len(recs) {
	case 0:
		return nil
	case 1:
		p, _ := recs[0].Get("p")
		return p.(map[string]any)
	default:
		f.t.Fatalf("%d WATCHED edges from %s to %s, want at most one", len(recs), userID, contentID)
		return nil
	}
}

// snapshot describes every node the test owns and every relationship touching one, sorted, so that two snapshots
// are equal exactly when the test's part of the graph is.
func (f *fixture) snapshot() []string {
	f.t.Helper()
	recs := f.query(`
CALL {
  MATCH (n:User) WHERE n.id IN $ids RETURN n
  UNION
  MATCH (n:Content) WHERE n.id IN $ids RETURN n
  UNION
  MATCH (n:Genre) WHERE n.name IN $genres RETURN n
}
CALL (n) {
  RETURN labels(n)[0] + ' ' AS head, properties(n) AS props, '' AS tail
  UNION ALL
  MATCH (n)-[r]->(m)
  RETURN coalesce(n.id, n.name) + ' -' + type(r) AS head, properties(r) AS props, '-> ' + coalesce(m.id, m.name) AS tail
}
RETURN head, props, tail`, map[string]any{"ids": f.ids, "genres": f.genres})
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		m := r.AsMap()
		out = append(out, fmt.Sprint(m["head"], m["props"], m["tail"])) // fmt sorts map keys
	}
	slices.Sort(out)
	return out
}

func payload(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func userEvent(t *testing.T, id string, v int64) streaming.Event {
	return streaming.Event{AggregateType: streaming.AggregateUser, AggregateID: id, Version: v,
		Type: streaming.EventUserRegistered, OccurredAt: time.Now(),
		Payload: payload(t, streaming.UserPayload{UserID: id, Email: id + "@example.com"})}
}

func contentEvent(t *testing.T, id string, v int64, title string, genres ...string) streaming.Event {
	return streaming.Event{AggregateType: streaming.AggregateContent, AggregateID: id, Version: v,
		Type: streaming.EventContentUpserted, OccurredAt: time.Now(),
		Payload: payload(t, streaming.ContentPayload{ContentID: id, Title: title, Type: streaming.ContentMovie,
			Genres: genres, RatingAvg: float64(v)})}
}

func ratedEvent(t *testing.T, id string, v int64, title string, genres []string, userID string, stars int32) streaming.Event {
	return streaming.Event{AggregateType: streaming.AggregateContent, AggregateID: id, Version: v,
		Type: streaming.EventContentRated, OccurredAt: time.Now(),
		Payload: payload(t, streaming.ContentPayload{ContentID: id, Title: title, Type: streaming.ContentSeries,
			Genres: genres, RatingAvg: float64(stars), RatingCount: 1, RatedBy: userID, Stars: stars})}
}

func TestOpenIsIdempotentAndCreatesConstraints(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := storetest.Settings(t)

	// More Opens, two of them at once: each runs EnsureSchema against existing constraints.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			g, _, err := graph.Open(f.ctx, graph.Config{URI: s.Neo4jURI()})
			if err == nil {
				err = errors.Join(g.EnsureSchema(f.ctx), g.Ping(f.ctx), g.Close(f.ctx))
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open #%d: %v", i+2, err)
		}
	}

	recs := f.query(`
SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties
WHERE type = 'UNIQUENESS' AND name IN ['user_id', 'content_id', 'genre_name']
RETURN name, labelsOrTypes[0] + '.' + properties[0] AS on ORDER BY name`, nil)
	got := map[string]string{}
	for _, r := range recs {
		name, _ := r.Get("name")
		on, _ := r.Get("on")
		got[name.(string)] = on.(string)
	}
	want := map[string]string{"user_id": "User.id", "content_id": "Content.id", "genre_name": "Genre.name"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("uniqueness constraints (-want +got):\n%s", diff)
	}
}

func TestProjectorCreatesUsersContentAndGenres(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	user, title := f.id(), f.id()
	drama, comedy := f.genre("drama"), f.genre("comedy")

	if got := f.g.Projector().Name(); got != "neo4j" {
		t.Errorf("Name() = %q, want neo4j", got)
	}
	f.project(
		userEvent(t, user, 1),
		contentEvent(t, title, 3, "Title v3", drama, comedy, drama, ""), // duplicate and empty genres are dropped
		// Other projectors' events are ignored, even with a payload this projector could not decode.
		streaming.Event{AggregateType: streaming.AggregatePlan, AggregateID: f.id(), Version: 1,
			Type: streaming.EventPlanCreated, Payload: []byte(`not json`)},
	)

	recs := f.query(`MATCH (u:User {id: $id}) RETURN u.version AS v`, map[string]any{"id": user})
	if len(recs) != 1 {
		t.Fatalf("%d users with id %s, want 1", len(recs), user)
	}
	if v, _ := recs[0].Get("v"); v != int64(1) {
		t.Errorf("user version = %v, want 1", v)
	}
	got, ok := f.content(title)
	if !ok {
		t.Fatalf("content %s not projected", title)
	}
	want := contentState{Title: "Title v3", Type: streaming.ContentMovie, RatingAvg: 3.0, Version: int64(3),
		Genres: []string{comedy, drama}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("content (-want +got):\n%s", diff)
	}
	if n := len(f.query(`MATCH (g:Genre) WHERE g.name IN $names RETURN g`, map[string]any{"names": []string{drama, comedy}})); n != 2 {
		t.Errorf("%d genre nodes, want 2", n)
	}
}

func TestProjectorKeepsTheNewestVersion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b, c := f.genre("a"), f.genre("b"), f.genre("c")

	tests := []struct {
		name    string
		batches func(id string) [][]streaming.Event
	}{
		{"older event in a later batch", func(id string) [][]streaming.Event {
			return [][]streaming.Event{{contentEvent(t, id, 2, "new", b, c)}, {contentEvent(t, id, 1, "old", a)}}
		}},
		{"older after newer in one batch", func(id string) [][]streaming.Event {
			return [][]streaming.Event{{contentEvent(t, id, 2, "new", b, c), contentEvent(t, id, 1, "old", a)}}
		}},
		{"newer after older in one batch", func(id string) [][]streaming.Event {
			return [][]streaming.Event{{contentEvent(t, id, 1, "old", a), contentEvent(t, id, 2, "new", b, c)}}
		}},
		{"newer replaces the genres of an older batch", func(id string) [][]streaming.Event {
			return [][]streaming.Event{{contentEvent(t, id, 1, "old", a, b)}, {contentEvent(t, id, 2, "new", b, c)}}
		}},
		{"same version again does not change it", func(id string) [][]streaming.Event {
			return [][]streaming.Event{{contentEvent(t, id, 2, "new", b, c)}, {contentEvent(t, id, 2, "other", a)}}
		}},
		{"older rating event after a newer upsert", func(id string) [][]streaming.Event {
			return [][]streaming.Event{{contentEvent(t, id, 2, "new", b, c)}, {ratedEvent(t, id, 1, "old", []string{a}, f.id(), 5)}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := f.id()
			for _, batch := range tt.batches(id) {
				f.project(batch...)
			}
			got, _ := f.content(id)
			want := contentState{Title: "new", Type: streaming.ContentMovie, RatingAvg: 2.0, Version: int64(2),
				Genres: []string{b, c}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("content (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProjectorReplayChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	u1, u2, c1, c2 := f.id(), f.id(), f.id(), f.id()
	x, y := f.genre("x"), f.genre("y")
	batch := []streaming.Event{
		userEvent(t, u1, 1),
		userEvent(t, u2, 1),
		contentEvent(t, c1, 1, "one", x),
		contentEvent(t, c2, 1, "two", x, y),
		ratedEvent(t, c1, 2, "one", []string{x}, u1, 4),
		ratedEvent(t, c1, 3, "one", []string{x, y}, u2, 2),
		ratedEvent(t, c2, 2, "two", []string{y}, u1, 5),
	}
	f.project(batch...)
	f.watch(streaming.Watch{UserID: u2, ContentID: c2, Completed: true})
	before := f.snapshot()
	// 2 users, 2 titles, 2 genres; 3 genre edges from the newest versions (c1-x, c1-y, c2-y); 4 WATCHED edges (three
	// ratings: u1-c1, u2-c1, u1-c2; one watch: u2-c2).
	var nodes, edges int
	for _, line := range before {
		if strings.Contains(line, "->") {
			edges++
		} else {
			nodes++
		}
	}
	if nodes != 6 || edges != 7 {
		t.Fatalf("after the first delivery: %d nodes and %d edges, want 6 and 7:\n%s", nodes, edges, strings.Join(before, "\n"))
	}

	f.project(batch...)
	f.project(batch[len(batch)-1], batch[0]) // a partial replay, out of order
	if diff := cmp.Diff(before, f.snapshot()); diff != "" {
		t.Errorf("replay changed the graph (-before +after):\n%s", diff)
	}
}

func TestProjectorRatings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	user, other, title := f.id(), f.id(), f.id()
	genres := []string{f.genre("g")}

	f.project(contentEvent(t, title, 1, "t", genres...))
	f.project(ratedEvent(t, title, 3, "t", genres, user, 4))
	w := f.watched(user, title)
	if w == nil {
		t.Fatal("a rating made no WATCHED edge")
	}
	if w["rating"] != int64(4) || w["completed"] != false || w["rating_version"] != int64(3) {
		t.Errorf("after rating 4 stars at v3: edge %v, want rating 4, completed false, rating_version 3", w)
	}
	if _, ok := w["rated_at"].(time.Time); !ok {
		t.Errorf("rated_at = %T %v, want a date-time", w["rated_at"], w["rated_at"])
	}

	// An older rating event by the same user, delivered late, does not overwrite.
	f.project(ratedEvent(t, title, 2, "t", genres, user, 1))
	if got := f.watched(user, title)["rating"]; got != int64(4) {
		t.Errorf("after an older rating: rating %v, want 4", got)
	}
	// Another user's rating raises the title's version; it does not touch the first user's edge.
	f.project(ratedEvent(t, title, 4, "t", genres, other, 2))
	if got := f.watched(user, title)["rating"]; got != int64(4) {
		t.Errorf("after another user's rating: rating %v, want 4", got)
	}
	if got := f.watched(other, title)["rating"]; got != int64(2) {
		t.Errorf("other user's rating %v, want 2", got)
	}
	// A finished title stays finished when rated again; the newer rating wins.
	f.watch(streaming.Watch{UserID: user, ContentID: title, Completed: true})
	f.project(ratedEvent(t, title, 5, "t", genres, user, 5))
	if w := f.watched(user, title); w["rating"] != int64(5) || w["completed"] != true {
		t.Errorf("after a watch and a newer rating: edge %v, want rating 5, completed true", w)
	}
	// Two ratings by one user in one batch, newest first: the newest stays.
	f.project(ratedEvent(t, title, 7, "t", genres, user, 3), ratedEvent(t, title, 6, "t", genres, user, 1))
	if got := f.watched(user, title)["rating"]; got != int64(3) {
		t.Errorf("after v7 then v6 in one batch: rating %v, want 3", got)
	}
}

func TestProjectorBadPayloadFailsTheBatch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	good, bad := f.id(), f.id()
	err := f.g.Projector().Project(f.ctx, []streaming.Event{
		contentEvent(t, good, 1, "good"),
		{AggregateType: streaming.AggregateContent, AggregateID: bad, Version: 1, Type: streaming.EventContentUpserted,
			Payload: []byte(`{"content_id": 42}`)},
	})
	if err == nil {
		t.Fatal("Project with an undecodable payload: nil error")
	}
	if !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), streaming.EventContentUpserted) {
		t.Errorf("error %q does not name the event (%s %s)", err, streaming.EventContentUpserted, bad)
	}
	if _, ok := f.content(good); ok {
		t.Error("the rest of a failed batch was written")
	}
}

func TestApplyWatches(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	user, done, notDone, unknown := f.id(), f.id(), f.id(), f.id()
	f.project(contentEvent(t, done, 1, "done"), contentEvent(t, notDone, 1, "not done"))

	// One call with duplicates: completed if any says so. The unknown title gets a node without a title.
	f.watch(
		streaming.Watch{UserID: user, ContentID: done, Completed: false},
		streaming.Watch{UserID: user, ContentID: done, Completed: true},
		streaming.Watch{UserID: user, ContentID: done, Completed: false},
		streaming.Watch{UserID: user, ContentID: notDone},
		streaming.Watch{UserID: user, ContentID: unknown},
	)
	// A late "not completed" watch never takes completion back; a later completed one sets it.
	f.watch(streaming.Watch{UserID: user, ContentID: done, Completed: false})
	for _, tt := range []struct {
		content   string
		completed bool
	}{{done, true}, {notDone, false}, {unknown, false}} {
		w := f.watched(user, tt.content)
		if w == nil || w["completed"] != tt.completed {
			t.Errorf("edge to %s = %v, want completed %v", tt.content, w, tt.completed)
		}
	}
	f.watch(streaming.Watch{UserID: user, ContentID: notDone, Completed: true})
	if w := f.watched(user, notDone); w["completed"] != true {
		t.Errorf("after a completed watch: edge %v, want completed true", w)
	}
	if got, ok := f.content(unknown); !ok || got.Title != nil {
		t.Errorf("unprojected title: node %v (exists %v), want a node without a title", got, ok)
	}

	// More watches than one statement carries.
	var many []streaming.Watch
	users := []string{f.id(), f.id(), f.id()}
	titles := make([]string, 340)
	for i := range titles {
		titles[i] = f.id()
		for _, u := range users {
			many = append(many, streaming.Watch{UserID: u, ContentID: titles[i], Completed: i%2 == 0})
		}
	}
	f.watch(many...)
	recs := f.query(`
MATCH (u:User)-[w:WATCHED]->(:Content) WHERE u.id IN $users
RETURN count(w) AS edges, sum(CASE WHEN w.completed THEN 1 ELSE 0 END) AS completed`, map[string]any{"users": users})
	edges, _ := recs[0].Get("edges")
	completed, _ := recs[0].Get("completed")
	if edges != int64(len(many)) || completed != int64(len(many)/2) {
		t.Errorf("after %d watches: %v edges, %v completed; want %d and %d", len(many), edges, completed, len(many), len(many)/2)
	}

	// Bad input is refused before anything is written.
	for _, w := range []streaming.Watch{{ContentID: f.id()}, {UserID: f.id()}} {
		err := f.g.ApplyWatches(f.ctx, []streaming.Watch{{UserID: f.id(), ContentID: f.id()}, w})
		if streaming.ErrorCode(err) != streaming.CodeInvalid {
			t.Errorf("ApplyWatches(%+v) = %v, want a CodeInvalid error", w, err)
		}
	}
	if err := f.g.ApplyWatches(f.ctx, nil); err != nil {
		t.Errorf("ApplyWatches(nil) = %v", err)
	}
}

func TestRecommend(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b, c := f.genre("a"), f.genre("b"), f.genre("c")
	user := f.id()
	o1, o2, o3 := f.id(), f.id(), f.id()
	w1, w2 := f.id(), f.id()             // watched by user
	x1, x2, x5 := f.id(), f.id(), f.id() // genre candidates
	x3 := f.id()                         // co-watched only, in a genre the user never watched
	x4 := f.id()                         // shares no genre and nobody co-watched it
	unprojected := f.id()                // co-watched, but not projected yet (no title)
	f.project(
		contentEvent(t, w1, 1, "W1", a),
		contentEvent(t, w2, 1, "W2", a, b),
		contentEvent(t, x1, 1, "X1", a, b),
		contentEvent(t, x2, 1, "X2", b),
		contentEvent(t, x5, 1, "X5", b),
		contentEvent(t, x3, 1, "X3", c),
		contentEvent(t, x4, 1, "X4", c),
	)
	f.watch(
		streaming.Watch{UserID: user, ContentID: w1, Completed: true},
		streaming.Watch{UserID: user, ContentID: w2},
		streaming.Watch{UserID: o1, ContentID: w1}, streaming.Watch{UserID: o1, ContentID: x3},
		streaming.Watch{UserID: o1, ContentID: unprojected},
		streaming.Watch{UserID: o2, ContentID: w2}, streaming.Watch{UserID: o2, ContentID: x3},
		streaming.Watch{UserID: o3, ContentID: w1}, streaming.Watch{UserID: o3, ContentID: x1},
	)

	// Genre weights (watched titles per genre): a 2 (W1, W2), b 1 (W2). Affinity = the sum of a candidate's genre
	// weights: X1 (a, b) 3, X2 and X5 (b) 1; max 3. Co-watching: X3 has two co-watchers (o1, o2), X1 one (o3), max 2.
	// Score = 0.5*affinity/3 + 0.5*cowatchers/2.
	x2x5 := []string{x2, x5}
	slices.Sort(x2x5) // equal scores: by content id
	title := map[string]string{x1: "X1", x2: "X2", x5: "X5", x3: "X3"}
	want := []streaming.Recommendation{
		{ContentID: x1, Title: "X1", Score: 0.75, Reason: "genre:" + a}, // a: both watched titles; b: one
		{ContentID: x3, Title: "X3", Score: 0.5, Reason: "co-watched"},
		{ContentID: x2x5[0], Title: title[x2x5[0]], Score: 1.0 / 6, Reason: "genre:" + b},
		{ContentID: x2x5[1], Title: title[x2x5[1]], Score: 1.0 / 6, Reason: "genre:" + b},
	}
	approx := cmpopts.EquateApprox(0, 1e-9)
	if diff := cmp.Diff(want, f.recommend(user, 10), approx); diff != "" {
		t.Errorf("Recommend (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[:2], f.recommend(user, 2), approx); diff != "" {
		t.Errorf("Recommend limit 2 (-want +got):\n%s", diff)
	}

	// Once the user watches X1 and rates X3 (a rating means watched), neither comes back, and the rest is rescored.
	f.watch(streaming.Watch{UserID: user, ContentID: x1})
	f.project(ratedEvent(t, x3, 2, "X3", []string{c}, user, 5))
	got := f.recommend(user, 10)
	for _, r := range got {
		if r.ContentID == x1 || r.ContentID == x3 || r.ContentID == w1 || r.ContentID == w2 {
			t.Errorf("recommended %s (%s), which the user watched", r.ContentID, r.Title)
		}
	}
	// Genre weights: a 3, b 2 (W2, X1), c 1 (X3): X2 and X5 (b) 2, X4 (c) 1, max 2. Co-watching: the only
	// title a co-watcher has that the user has not is the unprojected one, which is never a candidate, so the
	// co-watching term is 0 for all.
	want = []streaming.Recommendation{
		{ContentID: x2x5[0], Title: title[x2x5[0]], Score: 0.5, Reason: "genre:" + b},
		{ContentID: x2x5[1], Title: title[x2x5[1]], Score: 0.5, Reason: "genre:" + b},
		{ContentID: x4, Title: "X4", Score: 0.25, Reason: "genre:" + c},
	}
	if diff := cmp.Diff(want, got, approx); diff != "" {
		t.Errorf("Recommend after a watch and a rating (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		name   string
		userID string
	}{
		{"unknown user", f.id()},
		{"user who watched nothing", func() string { id := f.id(); f.project(userEvent(t, id, 1)); return id }()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := f.g.Recommend(f.ctx, tt.userID, 10)
			if err != nil || len(recs) != 0 {
				t.Errorf("Recommend = %v, %v; want an empty list and no error", recs, err)
			}
		})
	}
	for _, limit := range []int{0, -1, graph.MaxRecommendations + 1} {
		if _, err := f.g.Recommend(f.ctx, user, limit); streaming.ErrorCode(err) != streaming.CodeInvalid {
			t.Errorf("Recommend limit %d = %v, want a CodeInvalid error", limit, err)
		}
	}
}

func TestRecommendCypherRunsDirectly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	user, seen, other := f.id(), f.id(), f.id()
	g := f.genre("g")
	f.project(contentEvent(t, seen, 1, "seen", g), contentEvent(t, other, 1, "other", g))
	f.watch(streaming.Watch{UserID: user, ContentID: seen})
	recs := f.query(graph.RecommendCypher, graph.RecommendParams(user, 5))
	if len(recs) != 1 {
		t.Fatalf("raw query: %d rows, want 1", len(recs))
	}
	if id, _ := recs[0].Get("id"); id != other {
		t.Errorf("raw query recommended %v, want %s", id, other)
	}
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	s := storetest.Settings(t)
	storetest.Require(t, "Neo4j", s.Neo4jAddr())
	ctx := storetest.Context(t, time.Minute)

	// Nothing listens on port 1.
	if _, _, err := graph.Open(ctx, graph.Config{URI: "bolt://127.0.0.1:1"}); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Errorf("Open on a closed port = %v, want a CodeUnavailable error", err)
	}
	// ReadOnly still checks that the server answers.
	if _, _, err := graph.Open(ctx, graph.Config{URI: "bolt://127.0.0.1:1", ReadOnly: true}); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Errorf("read-only Open on a closed port = %v, want a CodeUnavailable error", err)
	}
	// Lazy opens without contact; calls are then Unavailable until the server answers.
	lazy, closeLazy, err := graph.Open(ctx, graph.Config{URI: "bolt://127.0.0.1:1", Lazy: true})
	if err != nil {
		t.Fatalf("lazy Open on a closed port = %v, want a Graph", err)
	}
	if err := lazy.Ping(ctx); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Errorf("Ping of a lazy Graph on a closed port = %v, want a CodeUnavailable error", err)
	}
	closeLazy()
	// A malformed URI is a configuration error, not an outage.
	if _, _, err := graph.Open(ctx, graph.Config{URI: "http://127.0.0.1:7687"}); err == nil || streaming.ErrorCode(err) == streaming.CodeUnavailable {
		t.Errorf("Open with an http URI = %v, want a plain error", err)
	}

	g, _, err := graph.Open(ctx, graph.Config{URI: s.Neo4jURI()})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	expired, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	if _, err := g.Recommend(expired, uuid.NewString(), 10); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Errorf("Recommend past the deadline = %v, want a CodeUnavailable error", err)
	}
	if err := g.Close(ctx); err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	for name, call := range map[string]func() error{
		"Ping": func() error { return g.Ping(ctx) },
		"Recommend": func() error {
			_, err := g.Recommend(ctx, id, 10)
			return err
		},
		"ApplyWatches": func() error { return g.ApplyWatches(ctx, []streaming.Watch{{UserID: id, ContentID: id}}) },
		"Project":      func() error { return g.Projector().Project(ctx, []streaming.Event{userEvent(t, id, 1)}) },
		"EnsureSchema": func() error { return g.EnsureSchema(ctx) },
	} {
		err := call()
		if streaming.ErrorCode(err) != streaming.CodeUnavailable {
			t.Errorf("%s on a closed graph = %v, want a CodeUnavailable error", name, err)
		}
		if e := streaming.AsError(err); e != nil && !strings.Contains(e.Message, "Neo4j") {
			t.Errorf("%s error message %q does not name Neo4j", name, e.Message)
		}
	}
}

// RatingChanged sets the user's edge, guarded by the rating's own version; ContentRatingAggregated sets only the
// title's average, guarded by its sequence, leaving the title's version and properties alone.
func TestProjectorAppliesRatingEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	user, title := f.id(), f.id()
	rating := func(v int64, stars int32) streaming.Event {
		return streaming.Event{AggregateType: streaming.AggregateRating, AggregateID: streaming.RatingAggregateID(title, user),
			Version: v, Type: streaming.EventRatingChanged, OccurredAt: time.Now(),
			Payload: payload(t, streaming.RatingPayload{UserID: user, ContentID: title, Stars: stars})}
	}
	figures := func(seq int64, avg float64) streaming.Event {
		return streaming.Event{AggregateType: streaming.AggregateContent, AggregateID: title, Version: 3,
			Type: streaming.EventContentRatingAggregated, OccurredAt: time.Now(),
			Payload: payload(t, streaming.RatingAggregatePayload{ContentID: title, RatingAvg: avg, RatingCount: 4, RatingSeq: seq})}
	}
	f.project(contentEvent(t, title, 3, "Title", f.genre("drama")), rating(2, 4), rating(1, 1), figures(2, 4.25), figures(1, 1.5))
	f.project(rating(1, 1), figures(1, 1.5)) // older ones again, later: ignored
	recs := f.query(`MATCH (:User {id: $u})-[w:WATCHED]->(c:Content {id: $c})
		RETURN w.rating AS rating, w.rating_version AS rv, c.rating_avg AS avg, c.rating_seq AS seq, c.version AS v, c.title AS title`,
		map[string]any{"u": user, "c": title})
	if len(recs) != 1 {
		t.Fatalf("%d edges, want 1", len(recs))
	}
	got := recs[0].AsMap()
	want := map[string]any{"rating": int64(4), "rv": int64(2), "avg": 4.25, "seq": int64(2), "v": int64(3), "title": "Title"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("graph after rating events (-want +got):\n%s", diff)
	}
}
