package neo4j_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	graph "github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/streaming"
)

var _ streaming.UserEraser = (*graph.Graph)(nil)

// userNode is the user's node as a map of its properties and the relationships touching it (type and other end),
// or found false without a node.
func (f *fixture) userNode(id string) (props map[string]any, rels []string, found bool) {
	f.t.Helper()
	recs := f.query(`
MATCH (u:User {id: $id})
OPTIONAL MATCH (u)-[r]-(m)
WITH u, r, m ORDER BY type(r), coalesce(m.id, m.name)
RETURN properties(u) AS props, [x IN collect(type(r) + ' ' + coalesce(m.id, m.name)) WHERE x IS NOT NULL] AS rels`,
		map[string]any{"id": id})
	if len(recs) == 0 {
		return nil, nil, false
	}
	m := recs[0].AsMap()
	for _, r := range m["rels"].([]any) {
		rels = append(rels, r.(string))
	}
	return m["props"].(map[string]any), rels, true
}

// requireTombstone fails unless the user's node is a tombstone at version: no relationship, no other property.
func (f *fixture) requireTombstone(id string, version int64) {
	f.t.Helper()
	props, rels, found := f.userNode(id)
	if !found {
		f.t.Fatalf("user %s: no node, want a tombstone", id)
	}
	want := map[string]any{"id": id, "version": version, "erased": true}
	if diff := cmp.Diff(want, props); diff != "" {
		f.t.Errorf("user %s properties (-want +got):\n%s", id, diff)
	}
	if len(rels) != 0 {
		f.t.Errorf("user %s still has relationships %v", id, rels)
	}
}

func (f *fixture) erase(userID string, version int64) {
	f.t.Helper()
	if err := f.g.EraseUser(f.ctx, userID, version); err != nil {
		f.t.Fatalf("EraseUser(%s, %d): %v", userID, version, err)
	}
}

func ratingChanged(t *testing.T, userID, contentID string, v int64, stars int32) streaming.Event {
	return streaming.Event{AggregateType: streaming.AggregateRating, AggregateID: streaming.RatingAggregateID(contentID, userID),
		Version: v, Type: streaming.EventRatingChanged, OccurredAt: time.Now(),
		Payload: payload(t, streaming.RatingPayload{UserID: userID, ContentID: contentID, Stars: stars})}
}

// An erased user keeps only a tombstone; no later watch or projection writes the user back, another user's edges
// stay, and a second erasure changes nothing.
func TestEraseUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	user, other := f.id(), f.id()
	seen, rated, candidate := f.id(), f.id(), f.id()
	drama, comedy := f.genre("drama"), f.genre("comedy")

	if got := f.g.ErasureStore(); got != streaming.ErasureStoreGraph {
		t.Errorf("ErasureStore() = %q, want %q", got, streaming.ErasureStoreGraph)
	}

	f.project(userEvent(t, user, 2), userEvent(t, other, 1),
		contentEvent(t, seen, 1, "Seen", drama), contentEvent(t, rated, 1, "Rated", comedy),
		contentEvent(t, candidate, 1, "Candidate", drama),
		ratingChanged(t, user, rated, 1, 5))
	f.watch(streaming.Watch{UserID: user, ContentID: seen, Completed: true},
		streaming.Watch{UserID: other, ContentID: seen}, streaming.Watch{UserID: other, ContentID: candidate})
	// What an erasure must remove all the same: a SEARCHED_GENRE edge (RecordGenreSearches writes them), an edge of
	// any other type (in either direction) and any other property.
	f.query(`
MATCH (u:User {id: $user}), (g:Genre {name: $genre}), (c:Content {id: $rated})
CREATE (u)-[:SEARCHED_GENRE]->(g), (u)-[:RATED {stars: 5}]->(c), (c)-[:SUGGESTED_TO]->(u)
SET u.email = 'someone@example.com'`, map[string]any{"user": user, "genre": drama, "rated": rated})

	// Before: the other user has the user as a co-watcher of Seen, so Rated (only the user's, and in a genre the
	// other user never watched) is recommended.
	if recs := f.recommend(other, 10); !hasRecommendation(recs, rated) {
		t.Fatalf("before the erasure: Recommend(other) = %+v, want %s among them", recs, rated)
	}
	if _, rels, _ := f.userNode(user); len(rels) != 5 {
		t.Fatalf("before the erasure: user relationships %v, want 5", rels)
	}
	_, otherRels, _ := f.userNode(other)

	f.erase(user, 3)
	f.requireTombstone(user, 3)

	// Later writes: watches (of a known and an unknown title), user events older and newer than the erasure, ratings
	// of both kinds. None gives the tombstone an edge or a property.
	f.watch(streaming.Watch{UserID: user, ContentID: seen, Completed: true},
		streaming.Watch{UserID: user, ContentID: candidate}, streaming.Watch{UserID: user, ContentID: f.id()})
	f.project(userEvent(t, user, 2))
	f.project(userEvent(t, user, 9))
	f.project(ratingChanged(t, user, rated, 2, 1), ratedEvent(t, candidate, 2, "Candidate", []string{drama}, user, 4))
	f.requireTombstone(user, 3)

	// Repeated, as the erasure worker may: nothing changes.
	f.erase(user, 3)
	f.requireTombstone(user, 3)

	// The other user's edges are untouched; the titles and the genre are still there.
	if _, rels, _ := f.userNode(other); !cmp.Equal(otherRels, rels) {
		t.Errorf("other user's relationships %v, want %v", rels, otherRels)
	}
	for _, id := range []string{seen, rated, candidate} {
		if _, ok := f.content(id); !ok {
			t.Errorf("title %s deleted", id)
		}
	}

	// Recommendations: none for the erased user, and the erased user is nobody's co-watcher any more.
	if recs, err := f.g.Recommend(f.ctx, user, 10); err != nil || len(recs) != 0 {
		t.Errorf("Recommend(erased) = %v, %v; want an empty list and no error", recs, err)
	}
	if recs := f.recommend(other, 10); hasRecommendation(recs, rated) {
		t.Errorf("after the erasure: Recommend(other) = %+v, still co-watched with the erased user", recs)
	}

	// readcheck sees the tombstone at the erasure's version (the anonymized row's) and no rating.
	nodes, err := f.g.UserNodes(f.ctx, []string{user})
	if err != nil {
		t.Fatal(err)
	}
	if n := nodes[user]; !n.HasVersion || n.Version != 3 {
		t.Errorf("UserNodes[erased] = %+v, want version 3", n)
	}
	ratings, err := f.g.Ratings(f.ctx, []string{rated, candidate})
	if err != nil {
		t.Fatal(err)
	}
	if len(ratings) != 0 {
		t.Errorf("Ratings = %+v, want none", ratings)
	}
}

func hasRecommendation(recs []streaming.Recommendation, contentID string) bool {
	for _, r := range recs {
		if r.ContentID == contentID {
			return true
		}
	}
	return false
}

// A user the graph has never seen gets a tombstone all the same, so the user's events still in flight are kept out.
func TestEraseUnknownUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	user, title := f.id(), f.id()
	f.erase(user, 4)
	f.requireTombstone(user, 4)

	f.project(userEvent(t, user, 1), contentEvent(t, title, 1, "Title"), ratingChanged(t, user, title, 1, 3))
	f.watch(streaming.Watch{UserID: user, ContentID: title})
	f.requireTombstone(user, 4)

	// A newer erasure raises the version; an older one does not lower it.
	f.erase(user, 6)
	f.requireTombstone(user, 6)
	f.erase(user, 5)
	f.requireTombstone(user, 6)
}

func TestEraseUserInvalid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tt := range []struct {
		userID  string
		version int64
	}{{"", 1}, {f.id(), 0}, {f.id(), -1}} {
		if err := f.g.EraseUser(f.ctx, tt.userID, tt.version); streaming.ErrorCode(err) != streaming.CodeInvalid {
			t.Errorf("EraseUser(%q, %d) = %v, want a CodeInvalid error", tt.userID, tt.version, err)
		}
	}
	closed, closeGraph, err := graph.Open(f.ctx, graph.Config{URI: "bolt://127.0.0.1:1", Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	closeGraph()
	if err := closed.EraseUser(f.ctx, f.id(), 1); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Errorf("EraseUser on a closed graph = %v, want a CodeUnavailable error", err)
	}
}

// holdOpen runs cypher in a transaction of its own and leaves it open (holding its locks) until the returned
// function commits it.
func (f *fixture) holdOpen(cypher string, params map[string]any) (commit func()) {
	f.t.Helper()
	s := f.driver.NewSession(f.ctx, neo4j.SessionConfig{AccessMode: neo4j.AccessModeWrite})
	tx, err := s.BeginTransaction(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := tx.Run(f.ctx, cypher, params)
	if err == nil {
		_, err = res.Consume(f.ctx)
	}
	if err != nil {
		f.t.Fatalf("%s: %v", cypher, err)
	}
	return func() {
		f.t.Helper()
		if err := tx.Commit(f.ctx); err != nil {
			f.t.Errorf("commit: %v", err)
		}
		s.Close(context.WithoutCancel(f.ctx))
	}
}

// lockWait is how long a test lets a call run into a lock held by an open transaction before committing it. If the
// call has not reached the lock by then it runs after the commit, and the test passes without testing the race.
const lockWait = 300 * time.Millisecond

// A watch and a rating of a user being erased (the erasure holding the user's lock, not committed yet) wait for the
// erasure, then find the tombstone and write nothing.
func TestWritesWaitForAnErasureInProgress(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	user, title := f.id(), f.id()
	f.watch(streaming.Watch{UserID: user, ContentID: f.id()})
	commit := f.holdOpen(`MATCH (u:User {id: $id}) SET u.erased = true WITH u
MATCH (u)-[r]-() DELETE r SET u = {id: $id, version: 2, erased: true}`, map[string]any{"id": user})
	done := make(chan error, 2)
	go func() { done <- f.g.ApplyWatches(f.ctx, []streaming.Watch{{UserID: user, ContentID: title}}) }()
	go func() { done <- f.g.Projector().Project(f.ctx, []streaming.Event{ratingChanged(t, user, title, 1, 4)}) }()
	time.Sleep(lockWait)
	commit()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	f.requireTombstone(user, 2)
}

// An erasure of a user whose watch is being written (holding the user's lock, not committed yet) waits for the
// watch, then deletes its edge too.
func TestErasureWaitsForAWriteInProgress(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	user, title := f.id(), f.id()
	f.project(userEvent(t, user, 1))
	commit := f.holdOpen(`MATCH (u:User {id: $user}) MERGE (c:Content {id: $title}) MERGE (u)-[:WATCHED]->(c)`,
		map[string]any{"user": user, "title": title})
	done := make(chan error, 1)
	go func() { done <- f.g.EraseUser(f.ctx, user, 2) }()
	time.Sleep(lockWait)
	commit()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f.requireTombstone(user, 2)
}
