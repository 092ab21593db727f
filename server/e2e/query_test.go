package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"google.golang.org/grpc/codes"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/storetest"
)

// projectionBound is how long a committed change may take to reach every read model in these tests. The relay is
// woken by NOTIFY, so it normally takes milliseconds; the bound only keeps a broken relay from hanging the test.
const projectionBound = 15 * time.Second

// eventually polls check until it returns "" (done) or the bound passes, then fails with its last complaint.
func eventually(t *testing.T, what string, check func() string) {
	t.Helper()
	eventuallyWithin(t, projectionBound, what, check)
}

// eventuallyWithin is eventually with a bound of its own (an update that gathers for a while first).
func eventuallyWithin(t *testing.T, bound time.Duration, what string, check func() string) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v: %s", what, bound, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// graph opens a driver on the stack's Neo4j for checks.
func graph(t *testing.T) neo4j.DriverWithContext {
	t.Helper()
	d, err := neo4j.NewDriverWithContext(storetest.Settings(t).Neo4jURI(), neo4j.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(context.Background()) })
	return d
}

// cypher runs a read query and returns its records as maps.
func cypher(t *testing.T, d neo4j.DriverWithContext, q string, params map[string]any) []map[string]any {
	t.Helper()
	res, err := neo4j.ExecuteQuery(storetest.Context(t, 10*time.Second), d, q, params, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	out := make([]map[string]any, len(res.Records))
	for i, r := range res.Records {
		out[i] = r.AsMap()
	}
	return out
}

// newTitle upserts a title with the given genres as admin.
func newTitle(t *testing.T, e *env, title string, genres ...string) *pb.Content {
	t.Helper()
	c := &pb.Content{Id: uuid.NewString(), Title: title, Description: "Una historia de " + title, Type: pb.ContentType_CONTENT_TYPE_MOVIE,
		Genres: genres, Actors: []string{"Ana Torrent"}, ReleaseYear: 2020}
	res, err := e.cmd.UpsertContent(as(t, adminToken), &pb.UpsertContentRequest{Content: c})
	if err != nil {
		t.Fatalf("upsert %s: %v", title, err)
	}
	return res.GetContent()
}

// genre is a genre name no other test uses.
func genre(name string) string { return name + "-" + storetest.Unique() }

// watch ingests one completed viewing of each title by user, with the service token.
func watch(t *testing.T, e *env, user string, titles ...*pb.Content) {
	t.Helper()
	var events []*pb.PlaybackEvent
	for _, c := range titles {
		ev := event(user, c.GetId(), time.Now().Add(-time.Minute), 3000)
		ev.Completed = true
		events = append(events, ev)
	}
	res, err := e.ingest.RecordPlaybackEvents(as(t, serviceToken), &pb.RecordPlaybackEventsRequest{Events: events})
	if err != nil || res.GetAccepted() != int64(len(events)) {
		t.Fatalf("record playback = %v, %v", res, err)
	}
}

// A subscription, a rating and a new title reach every read model — Redis, the search index and the graph —
// within the bound, carried by the outbox relay; the API answers from them.
func TestCommandsReachEveryReadModel(t *testing.T) {
	e := server(t)
	d := graph(t)
	u := newUser(t, e)
	plan := newPlan(t, e, "9.99")
	g := genre("noir")
	c := newTitle(t, e, "El silencio del pantano", g)
	sub, err := e.cmd.CreateSubscription(as(t, u.token), &pb.CreateSubscriptionRequest{UserId: u.id, PlanId: plan.GetId(),
		PaymentMethod: pb.PaymentMethod_PAYMENT_METHOD_CARD, PaymentToken: "tok_visa", IdempotencyKey: "rm-" + storetest.Unique()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.cmd.RateContent(as(t, u.token), &pb.RateContentRequest{UserId: u.id, ContentId: c.GetId(), Stars: 4}); err != nil {
		t.Fatal(err)
	}
	rc, ctx := e.built.Redis, storetest.Context(t, time.Minute)

	eventually(t, "subscription in the Redis profile", func() string {
		v, err := rc.Do(ctx, rc.B().Hget().Key("user_profile:"+u.id).Field("sub:"+sub.GetSubscription().GetId()).Build()).ToString()
		if err != nil {
			return err.Error()
		}
		if v == "" {
			return "empty"
		}
		return ""
	})
	eventually(t, "title and rating in the search index", func() string {
		doc, version, found, err := e.built.Search.Get(ctx, c.GetId())
		switch {
		case err != nil:
			return err.Error()
		case !found:
			return "no document"
		case version != 1 || doc.RatingAvg != 4 || doc.Title != c.GetTitle(): // a rating leaves the title's version
			return fmt.Sprintf("version %d, %+v", version, doc)
		}
		return ""
	})
	eventually(t, "title, genre and rating in the graph", func() string {
		rows := cypher(t, d, `MATCH (u:User {id: $u})-[w:WATCHED]->(c:Content {id: $c})-[:IN_GENRE]->(g:Genre)
			RETURN c.title AS title, g.name AS genre, w.rating AS rating`, map[string]any{"u": u.id, "c": c.GetId()})
		if len(rows) != 1 || rows[0]["title"] != c.GetTitle() || rows[0]["genre"] != g || rows[0]["rating"] != int64(4) {
			return fmt.Sprint(rows)
		}
		return ""
	})
	eventually(t, "title in the Redis read model", func() string {
		got, err := e.built.ReadModels.Contents(ctx, c.GetId())
		if err != nil {
			return err.Error()
		}
		if got[c.GetId()].RatingAvg != 4 {
			return fmt.Sprint(got)
		}
		return ""
	})

	// The API reads them: profile with the active subscription and its plan's name, the list, the title.
	prof, err := e.query.GetUserProfile(as(t, u.token), &pb.GetUserProfileRequest{UserId: u.id})
	if err != nil {
		t.Fatal(err)
	}
	if a := prof.GetActiveSubscription(); a.GetSubscriptionId() != sub.GetSubscription().GetId() || a.GetPlanName() != plan.GetName() ||
		prof.GetUser().GetEmail() != u.email {
		t.Errorf("profile = %v", prof)
	}
	list, err := e.query.ListSubscriptions(as(t, u.token), &pb.ListSubscriptionsRequest{UserId: u.id})
	if err != nil || len(list.GetSubscriptions()) != 1 || list.GetNextPageToken() != "" {
		t.Errorf("subscriptions = %v, %v", list, err)
	}
	got, err := e.query.GetContent(as(t, u.token), &pb.GetContentRequest{ContentId: c.GetId()})
	if err != nil || got.GetContent().GetRatingAvg() != 4 || got.GetContent().GetTitle() != c.GetTitle() {
		t.Errorf("content = %v, %v", got, err)
	}

	// Cancelling shows in the read model at once: the view is updated in place by the projector (versioned). The
	// subscription plays until its period ends, so the profile keeps it as the active one meanwhile.
	if _, err := e.cmd.CancelSubscription(as(t, u.token), &pb.CancelSubscriptionRequest{UserId: u.id,
		SubscriptionId: sub.GetSubscription().GetId(), Reason: "moving"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "cancellation in the read model", func() string {
		list, err := e.query.ListSubscriptions(as(t, u.token), &pb.ListSubscriptionsRequest{UserId: u.id})
		if err != nil {
			return err.Error()
		}
		if s := list.GetSubscriptions(); len(s) != 1 || !s[0].GetCancelAtPeriodEnd() || s[0].GetCancelReason() != "moving" {
			return fmt.Sprint(list)
		}
		return ""
	})
	prof, err = e.query.GetUserProfile(as(t, u.token), &pb.GetUserProfileRequest{UserId: u.id})
	if err != nil || prof.GetActiveSubscription().GetSubscriptionId() != sub.GetSubscription().GetId() {
		t.Errorf("profile after a cancellation at period end = %v, %v", prof, err)
	}
}

// A profile that is not in Redis (evicted, or never projected) is rebuilt from PostgreSQL on the first read.
func TestProfileRebuiltOnMiss(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	ctx := storetest.Context(t, time.Minute)
	eventually(t, "projected user", func() string {
		n, _ := e.built.Redis.Do(ctx, e.built.Redis.B().Exists().Key("user_profile:"+u.id).Build()).AsInt64()
		if n != 1 {
			return "absent"
		}
		return ""
	})
	if err := e.built.Redis.Do(ctx, e.built.Redis.B().Del().Key("user_profile:"+u.id).Build()).Error(); err != nil {
		t.Fatal(err)
	}
	prof, err := e.query.GetUserProfile(as(t, u.token), &pb.GetUserProfileRequest{UserId: u.id})
	if err != nil || prof.GetUser().GetId() != u.id || prof.GetActiveSubscription() != nil {
		t.Fatalf("profile = %v, %v", prof, err)
	}
	if _, ok, err := e.built.ReadModels.UserView(ctx, u.id); err != nil || !ok {
		t.Errorf("after the read the view is complete in Redis: ok=%v err=%v", ok, err)
	}
}

// Replaying the whole outbox through every projector changes no read model.
func TestOutboxReplayChangesNothing(t *testing.T) {
	e := server(t)
	d := graph(t)
	u := newUser(t, e)
	g := genre("western")
	c := newTitle(t, e, "Río Bravo", g)
	if _, err := e.cmd.RateContent(as(t, u.token), &pb.RateContentRequest{UserId: u.id, ContentId: c.GetId(), Stars: 5}); err != nil {
		t.Fatal(err)
	}
	ctx := storetest.Context(t, time.Minute)
	rc := e.built.Redis
	snapshot := func() string {
		profile, _ := rc.Do(ctx, rc.B().Hgetall().Key("user_profile:"+u.id).Build()).AsStrMap()
		content, _ := rc.Do(ctx, rc.B().Hgetall().Key("content:"+c.GetId()).Build()).AsStrMap()
		doc, version, _, _ := e.built.Search.Get(ctx, c.GetId())
		nodes := cypher(t, d, `MATCH (c:Content {id: $c}) OPTIONAL MATCH (c)-[:IN_GENRE]->(g:Genre)
			OPTIONAL MATCH (u:User)-[w:WATCHED]->(c) RETURN properties(c) AS c, collect(DISTINCT g.name) AS genres,
			collect(DISTINCT [u.id, properties(w)]) AS watched`, map[string]any{"c": c.GetId()})
		return fmt.Sprint(sortedMap(profile), sortedMap(content), doc, version, nodes)
	}
	settled := func() string {
		// Rated titles not yet flushed will still write an event.
		if n := count(t, e, `SELECT count(*) FROM ratings WHERE pending`); n != 0 {
			return fmt.Sprintf("%d ratings not yet flushed", n)
		}
		if n := count(t, e, `SELECT count(*) FROM outbox WHERE published_at IS NULL`); n != 0 {
			return fmt.Sprintf("%d unpublished", n)
		}
		return ""
	}
	eventually(t, "outbox published", settled)
	before := snapshot()
	n, err := e.built.Relay.Republish(ctx)
	if err != nil || n == 0 {
		t.Fatalf("republish = %d, %v", n, err)
	}
	eventually(t, "replayed outbox published", settled)
	if after := snapshot(); after != before {
		t.Errorf("the replay changed the read models:\nbefore %s\nafter  %s", before, after)
	}
}

func sortedMap(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	out := ""
	for _, k := range keys {
		out += k + "=" + m[k] + ";"
	}
	return out
}

// Recommendations come from the graph, never include watched titles, are cached, and change after a rating
// (which is a viewing, and invalidates the cache).
func TestRecommendationsFromTheGraph(t *testing.T) {
	e := server(t)
	u, other := newUser(t, e), newUser(t, e)
	drama, comedy := genre("drama"), genre("comedy")
	seen := newTitle(t, e, "Visto", drama)
	sameGenre1, sameGenre2 := newTitle(t, e, "Misma sangre", drama), newTitle(t, e, "Mismo mar", drama)
	coWatched := newTitle(t, e, "Risas compartidas", comedy)
	watch(t, e, u.id, seen)
	watch(t, e, other.id, seen, coWatched)

	ctx := as(t, u.token)
	recs := func() (*pb.GetRecommendationsResponse, map[string]string) {
		res, err := e.query.GetRecommendations(ctx, &pb.GetRecommendationsRequest{UserId: u.id, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		reasons := map[string]string{}
		for _, r := range res.GetRecommendations() {
			reasons[r.GetContentId()] = r.GetReason()
		}
		return res, reasons
	}
	eventually(t, "graph recommendations", func() string {
		// Each call until the graph has the edges may cache an incomplete list: invalidate so the next computes.
		if err := e.built.ReadModels.InvalidateRecommendations(storetest.Context(t, 10*time.Second), u.id); err != nil {
			return err.Error()
		}
		res, reasons := recs()
		if res.GetSource() != pb.RecommendationSource_RECOMMENDATION_SOURCE_GRAPH || reasons[sameGenre1.GetId()] != "genre:"+drama ||
			reasons[sameGenre2.GetId()] != "genre:"+drama || reasons[coWatched.GetId()] != "co-watched" {
			return fmt.Sprint(res)
		}
		return ""
	})
	// The graph's answer is cached. With client-side caching on (the default), the read just before it was a miss
	// that rueidis keeps locally until Redis's invalidation of the key arrives, asynchronously: a call right after may
	// still miss and compute again (a correct answer, at the graph's cost). So: the cache answers soon, not at once.
	var res *pb.GetRecommendationsResponse
	var reasons map[string]string
	eventually(t, "recommendations from the cache", func() string {
		if res, reasons = recs(); res.GetSource() != pb.RecommendationSource_RECOMMENDATION_SOURCE_CACHE {
			return "came from " + res.GetSource().String()
		}
		return ""
	})
	if _, ok := reasons[seen.GetId()]; ok {
		t.Errorf("recommended a watched title: %v", res)
	}
	for _, r := range res.GetRecommendations() {
		if r.GetScore() <= 0 || r.GetTitle() == "" {
			t.Errorf("recommendation without score or title: %v", r)
		}
	}

	// Rating a recommended title means the user saw it: it leaves the list (cache invalidated by the event).
	if _, err := e.cmd.RateContent(ctx, &pb.RateContentRequest{UserId: u.id, ContentId: sameGenre1.GetId(), Stars: 2}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "rated title out of the recommendations", func() string {
		res, reasons := recs()
		if _, ok := reasons[sameGenre1.GetId()]; ok {
			return fmt.Sprint(res)
		}
		if _, ok := reasons[sameGenre2.GetId()]; !ok {
			return "lost the other drama: " + fmt.Sprint(res)
		}
		return ""
	})
}

// With Neo4j down, recommendations answer with trending titles in the user's genres instead of failing, and the
// graph's health says NOT_SERVING while the server stays in rotation.
func TestRecommendationsFallBackWithoutTheGraph(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	thriller := genre("thriller")
	seen, trending, elsewhere := newTitle(t, e, "Visto", thriller), newTitle(t, e, "En boga", thriller), newTitle(t, e, "Otro", genre("musical"))
	watch(t, e, u.id, seen)
	for range 3 { // three viewers for the trending counters (a viewer counts once per title and hour)
		watch(t, e, uuid.NewString(), trending, elsewhere)
	}
	eventually(t, "trending counts", func() string {
		res, err := e.query.GetTrending(as(t, u.token), &pb.GetTrendingRequest{Window: pb.TrendingWindow_TRENDING_WINDOW_HOUR, Limit: 100})
		if err != nil {
			return err.Error()
		}
		for _, it := range res.GetItems() {
			if it.GetContentId() == trending.GetId() && it.GetPlays() >= 3 && it.GetTitle() == trending.GetTitle() {
				return ""
			}
		}
		return fmt.Sprint(res)
	})

	_, conn, _, _ := startOwn(t, func(c *config.Config) {
		c.Neo4jURI = "bolt://" + deadAddr(t)
		c.ReadModelsEnabled = false // its relay would only retry the graph projector
	})
	q := pb.NewQueryServiceClient(conn)
	res, err := q.GetRecommendations(as(t, u.token), &pb.GetRecommendationsRequest{UserId: u.id, Limit: 50})
	if err != nil {
		t.Fatalf("recommendations without the graph: %v", err)
	}
	if res.GetSource() != pb.RecommendationSource_RECOMMENDATION_SOURCE_FALLBACK {
		t.Errorf("source = %v, want fallback", res.GetSource())
	}
	ids := map[string]string{}
	for _, r := range res.GetRecommendations() {
		ids[r.GetContentId()] = r.GetReason()
	}
	if ids[trending.GetId()] != "trending:"+thriller {
		t.Errorf("fallback = %v, want the trending thriller", res)
	}
	if _, ok := ids[seen.GetId()]; ok {
		t.Errorf("fallback recommended a watched title: %v", res)
	}
	if _, ok := ids[elsewhere.GetId()]; ok {
		t.Errorf("fallback recommended a title outside the user's genres: %v", res)
	}
}

// The brief's search: free text over title and description (with a typo), genres and a minimum rating, with facets.
func TestSearchTheCatalog(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	scifi, drama := genre("scifi"), genre("drama")
	mk := func(title, desc string, g ...string) *pb.Content {
		c := &pb.Content{Id: uuid.NewString(), Title: title, Description: desc, Type: pb.ContentType_CONTENT_TYPE_MOVIE,
			Genres: g, ReleaseYear: 2021}
		if _, err := e.cmd.UpsertContent(as(t, adminToken), &pb.UpsertContentRequest{Content: c}); err != nil {
			t.Fatal(err)
		}
		return c
	}
	tag := storetest.Unique() // a word only these titles carry, so other tests' titles stay out
	stars := mk("Estrellas "+tag, "Una odisea espacial "+tag, scifi)
	mars := mk("Marte "+tag, "Colonos en el planeta rojo "+tag, scifi, drama)
	tears := mk("Lágrimas "+tag, "Un drama familiar "+tag, drama)
	rate := func(c *pb.Content, s int32) {
		if _, err := e.cmd.RateContent(as(t, u.token), &pb.RateContentRequest{UserId: u.id, ContentId: c.GetId(), Stars: s}); err != nil {
			t.Fatal(err)
		}
	}
	rate(stars, 5)
	rate(mars, 4)
	rate(tears, 2)
	search := func(r *pb.SearchContentRequest) *pb.SearchContentResponse {
		res, err := e.query.SearchContent(as(t, u.token), r)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	titles := func(res *pb.SearchContentResponse) []string {
		var out []string
		for _, h := range res.GetHits() {
			out = append(out, h.GetContent().GetTitle())
		}
		slices.Sort(out)
		return out
	}
	// Searches are eventually consistent; once this user has seen every title, their later searches see them too
	// (one reader's searches read the same copies of the shards: with replicas, copies refresh on their own).
	eventually(t, "rated titles searchable", func() string {
		all := search(&pb.SearchContentRequest{Query: tag})
		if fmt.Sprint(titles(all)) != fmt.Sprint([]string{"Estrellas " + tag, "Lágrimas " + tag, "Marte " + tag}) {
			return fmt.Sprint(titles(all))
		}
		res := search(&pb.SearchContentRequest{Query: tag, MinRating: 4.0})
		if fmt.Sprint(titles(res)) != fmt.Sprint([]string{"Estrellas " + tag, "Marte " + tag}) {
			return fmt.Sprint(titles(res))
		}
		return ""
	})
	// The brief's query: text, genres and rating together, with facets over the matches.
	res := search(&pb.SearchContentRequest{Query: tag, Genres: []string{scifi, drama}, MinRating: 4.0})
	if fmt.Sprint(titles(res)) != fmt.Sprint([]string{"Estrellas " + tag, "Marte " + tag}) || res.GetTotalHits() != 2 {
		t.Errorf("seed query = %v", titles(res))
	}
	facets := map[string]map[string]int64{}
	for _, f := range res.GetFacets() {
		facets[f.GetName()] = map[string]int64{}
		for _, b := range f.GetBuckets() {
			facets[f.GetName()][b.GetValue()] = b.GetCount()
		}
	}
	if facets["genres"][scifi] != 2 || facets["genres"][drama] != 1 || facets["rating"]["4-5"] != 2 {
		t.Errorf("facets = %v", facets)
	}
	// Typo tolerance and the Spanish analyzer: "planeta rojo" found through "planetas roja".
	res = search(&pb.SearchContentRequest{Query: "planetas roja " + tag})
	if len(res.GetHits()) == 0 || res.GetHits()[0].GetContent().GetId() != mars.GetId() {
		for _, h := range res.GetHits() {
			t.Logf("%.3f %s | %s", h.GetScore(), h.GetContent().GetTitle(), h.GetContent().GetDescription())
		}
		t.Errorf("typo search did not rank %q first", mars.GetTitle())
	}
	// Pages of one with tokens walk every match exactly once.
	var walked []string
	req := &pb.SearchContentRequest{Query: tag, PageSize: 1}
	for {
		page := search(req)
		for _, h := range page.GetHits() {
			walked = append(walked, h.GetContent().GetId())
		}
		if page.GetNextPageToken() == "" {
			break
		}
		req.PageToken = page.GetNextPageToken()
	}
	slices.Sort(walked)
	want := []string{stars.GetId(), mars.GetId(), tears.GetId()}
	slices.Sort(want)
	if !slices.Equal(walked, want) {
		t.Errorf("paged = %v, want %v", walked, want)
	}
	_, err := e.query.SearchContent(as(t, u.token), &pb.SearchContentRequest{Query: tag, PageToken: "bm90IGEgdG9rZW4"})
	wantCode(t, err, codes.InvalidArgument)
}

// A user reads only their own profile, subscriptions and recommendations (the matrix test covers every RPC; this
// checks the answers carry nothing of the other user).
func TestUsersReadOnlyTheirOwnData(t *testing.T) {
	e := server(t)
	a, b := newUser(t, e), newUser(t, e)
	ctx := as(t, a.token)
	_, err := e.query.GetUserProfile(ctx, &pb.GetUserProfileRequest{UserId: b.id})
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.query.ListSubscriptions(ctx, &pb.ListSubscriptionsRequest{UserId: b.id})
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.query.GetRecommendations(ctx, &pb.GetRecommendationsRequest{UserId: b.id})
	wantCode(t, err, codes.PermissionDenied)
	// Over REST as well.
	if code, _ := rest(t, e, "GET", "/v1/users/"+b.id+"/profile", a.token, nil); code != 403 {
		t.Errorf("REST profile of another user = %d, want 403", code)
	}
}

// Events for a title that is not in the catalog are stored (they are the client's history) but feed neither
// trending nor the graph; a real title in the same batch does both.
func TestUnknownTitlesFeedNoDerivedView(t *testing.T) {
	e := server(t)
	d := graph(t)
	real := newTitle(t, e, "Existe", genre("drama"))
	madeUp := &pb.Content{Id: uuid.NewString()}
	viewer := uuid.NewString()
	watch(t, e, viewer, madeUp, real)
	if n := rows(t, e.built, viewer, madeUp.GetId()); n != 1 {
		t.Fatalf("the made-up title's event: %d rows in Cassandra, want 1", n)
	}
	eventually(t, "the real title's watch edge", func() string {
		if len(cypher(t, d, `MATCH (:User {id: $u})-[:WATCHED]->(:Content {id: $c}) RETURN 1`,
			map[string]any{"u": viewer, "c": real.GetId()})) == 1 {
			return ""
		}
		return "no WATCHED edge"
	})
	// Both viewings went through the same apply calls, so the real one's edge being there means the made-up one
	// was dropped, not late.
	if got := cypher(t, d, `MATCH (c:Content {id: $c}) RETURN c`, map[string]any{"c": madeUp.GetId()}); len(got) != 0 {
		t.Errorf("the made-up title is in the graph: %v", got)
	}
	res, err := e.query.GetTrending(as(t, serviceToken), &pb.GetTrendingRequest{Window: pb.TrendingWindow_TRENDING_WINDOW_HOUR, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	r := e.built.Redis
	hour := time.Now().Add(-time.Minute).UTC().Format("2006010215") // the events' hour (watch sends them a minute back)
	score, err := r.Do(storetest.Context(t, 5*time.Second), r.B().Zscore().Key("trending:{sets}:viewers:"+hour).Member(madeUp.GetId()).Build()).AsFloat64()
	if err == nil {
		t.Errorf("the made-up title has %v viewers in trending", score)
	}
	for _, it := range res.GetItems() {
		if it.GetContentId() == madeUp.GetId() {
			t.Errorf("the made-up title is trending: %v", it)
		}
	}
}
