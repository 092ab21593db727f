package neo4j_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"

	graph "github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/streaming"
)

// The reads readcheck compares with PostgreSQL see exactly what the projector and the watch updates wrote.
func TestInspectReadsWhatWasWritten(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	user, rated, watchedOnly, absent := f.id(), f.id(), f.id(), uuid.NewString()
	drama, comedy := f.genre("drama"), f.genre("comedy")
	f.project(userEvent(t, user, 2), ratedEvent(t, rated, 3, "Rated", []string{drama, comedy}, user, 4))
	f.watch(streaming.Watch{UserID: user, ContentID: watchedOnly}) // merges a Content node without a version

	nodes, err := f.g.ContentNodes(f.ctx, []string{rated, watchedOnly, absent})
	if err != nil {
		t.Fatal(err)
	}
	got := nodes[rated]
	slices.Sort(got.Genres)
	want := []string{comedy, drama}
	slices.Sort(want)
	if !got.HasVersion || got.Version != 3 || got.Title != "Rated" || got.Type != streaming.ContentSeries ||
		got.RatingAvg != 4 || fmt.Sprint(got.Genres) != fmt.Sprint(want) {
		t.Errorf("ContentNodes[rated] = %+v", got)
	}
	if n, ok := nodes[watchedOnly]; !ok || n.HasVersion {
		t.Errorf("ContentNodes[watched only] = %+v, %v; want a node without a version", n, ok)
	}
	if _, ok := nodes[absent]; ok || len(nodes) != 2 {
		t.Errorf("ContentNodes returned %d nodes, want 2 (none for an unknown id)", len(nodes))
	}

	users, err := f.g.UserNodes(f.ctx, []string{user, absent})
	if err != nil {
		t.Fatal(err)
	}
	if u := users[user]; len(users) != 1 || !u.HasVersion || u.Version != 2 {
		t.Errorf("UserNodes = %+v", users)
	}

	// Only rated edges: the watched-only title has none.
	ratings, err := f.g.Ratings(f.ctx, []string{rated, watchedOnly})
	if err != nil {
		t.Fatal(err)
	}
	if len(ratings) != 1 || ratings[0] != (streaming.Rating{UserID: user, ContentID: rated, Stars: 4}) {
		t.Errorf("Ratings = %+v, want the one rating", ratings)
	}

	// Pages in id order, after the given id: a page starting just before ours holds it first.
	first := min(rated, watchedOnly)
	page, err := f.g.NodePage(f.ctx, graph.LabelContent, prev(first), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 || page[0].ID != first {
		t.Errorf("NodePage after %s = %+v, want %s", prev(first), page, first)
	}
	if _, err := f.g.NodePage(f.ctx, graph.Label("Genre"), "", 1); err == nil {
		t.Error("NodePage of a label it has no query for succeeded")
	}

	// A closed graph is unavailable, like every other call.
	closed, closeGraph, err := graph.Open(f.ctx, graph.Config{URI: "bolt://127.0.0.1:1", Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	closeGraph()
	if _, err := closed.UserNodes(context.Background(), []string{user}); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Errorf("UserNodes on a closed graph = %v, want unavailable", err)
	}
}

// prev is id with its last character lowered by one: just below id, with no other uuid in between.
func prev(id string) string {
	b := []byte(id)
	b[len(b)-1]--
	return string(b)
}
