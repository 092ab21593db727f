package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/storetest"
)

// A signed-in user's search filtered on a genre feeds their genre interest in the graph (asynchronously): their
// recommendations come to include a title of that genre, a genre they never watched, with reason "searched:<g>".
func TestSearchedGenreFeedsRecommendations(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	drama, thriller := genre("drama"), genre("thriller")
	seen := newTitle(t, e, "Visto", drama)
	wanted := newTitle(t, e, "Suspense", thriller)
	watch(t, e, u.id, seen)

	// Only a genre a title has counts: wait until the title's genre is in the graph.
	d := graph(t)
	eventually(t, "the searched genre in the graph", func() string {
		res, err := neo4j.ExecuteQuery(storetest.Context(t, 10*time.Second), d, `MATCH (g:Genre {name: $g}) RETURN count(g) AS n`,
			map[string]any{"g": thriller}, neo4j.EagerResultTransformer)
		if err != nil {
			return err.Error()
		}
		if n, _ := res.Records[0].Get("n"); n != int64(1) {
			return fmt.Sprintf("%v genre nodes", n)
		}
		return ""
	})
	ctx := as(t, u.token)
	if _, err := e.query.SearchContent(ctx, &pb.SearchContentRequest{Query: "suspense", Genres: []string{thriller}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a recommendation from the searched genre", func() string {
		// Each call until the graph has the edge may cache a list without it: invalidate so the next computes.
		if err := e.built.ReadModels.InvalidateRecommendations(storetest.Context(t, 10*time.Second), u.id); err != nil {
			return err.Error()
		}
		res, err := e.query.GetRecommendations(ctx, &pb.GetRecommendationsRequest{UserId: u.id, Limit: 50})
		if err != nil {
			return err.Error()
		}
		reasons := map[string]string{}
		for _, r := range res.GetRecommendations() {
			reasons[r.GetContentId()] = r.GetReason()
		}
		if _, ok := reasons[seen.GetId()]; ok {
			t.Fatalf("recommended a watched title: %v", res)
		}
		if res.GetSource() != pb.RecommendationSource_RECOMMENDATION_SOURCE_GRAPH || reasons[wanted.GetId()] != "searched:"+thriller {
			return fmt.Sprint(res)
		}
		return ""
	})
}
