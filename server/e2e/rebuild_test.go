package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/wiring"
)

// The read models are lost in part (a user's graph edges, a title's node, Redis views) and rebuilt with
// `streamingd -rebuild=graph,search,redis` while the server serves: searches run throughout and none fails or comes
// back empty, the search alias ends on a new index, the lost parts are back, and a title changed during the rebuild
// ends at its newest version everywhere (the rebuild's writes are versioned).
func TestRebuildReadModelsWhileServing(t *testing.T) {
	e := server(t)
	d := graph(t)
	g := genre("rebuild")
	u := newUser(t, e)
	titles := make([]*pb.Content, 6)
	for i := range titles {
		titles[i] = newTitle(t, e, fmt.Sprintf("Reconstruida %d %s", i, g), g)
	}
	watch(t, e, u.id, titles[0], titles[1])
	if _, err := e.cmd.RateContent(as(t, u.token), &pb.RateContentRequest{UserId: u.id, ContentId: titles[2].GetId(), Stars: 4}); err != nil {
		t.Fatal(err)
	}
	ctx := storetest.Context(t, 2*time.Minute)
	userEdges := func() int {
		res, err := neo4j.ExecuteQuery(ctx, d, `MATCH (:User {id: $id})-[w:WATCHED]->() RETURN count(w) AS n`,
			map[string]any{"id": u.id}, neo4j.EagerResultTransformer)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := res.Records[0].Get("n")
		return int(n.(int64))
	}
	search := func() (int, error) {
		res, err := e.query.SearchContent(as(t, u.token), &pb.SearchContentRequest{Query: g, Genres: []string{g}, PageSize: 50})
		return len(res.GetHits()), err
	}
	eventually(t, "everything projected", func() string {
		if n := userEdges(); n != 3 {
			return fmt.Sprintf("%d WATCHED edges", n)
		}
		if n, err := search(); err != nil || n != len(titles) {
			return fmt.Sprintf("search found %d, %v", n, err)
		}
		return ""
	})

	// Lose parts of the graph and of Redis, as a lost volume or a flushed cache would.
	if _, err := neo4j.ExecuteQuery(ctx, d, `MATCH (u:User {id: $user}) DETACH DELETE u WITH 1 AS x
		MATCH (c:Content {id: $content}) DETACH DELETE c`, map[string]any{"user": u.id, "content": titles[3].GetId()},
		neo4j.EagerResultTransformer); err != nil {
		t.Fatal(err)
	}
	r := e.built.Redis
	for _, key := range []string{"content:" + titles[4].GetId(), "user_profile:" + u.id} {
		if err := r.Do(ctx, r.B().Del().Key(key).Build()).Error(); err != nil {
			t.Fatal(err)
		}
	}
	aliasBefore := searchIndices(t, e)

	// Searches and catalog changes run throughout the rebuild.
	var searches, failed, short atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			n, err := search()
			searches.Add(1)
			if err != nil {
				failed.Add(1)
				t.Logf("search during the rebuild: %v", err)
			} else if n != len(titles) {
				short.Add(1)
			}
		}
	})
	changed := titles[5]
	wg.Go(func() {
		for i := range 20 {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			c := contentCopy(changed)
			c.Description = fmt.Sprintf("Cambiada %d", i)
			res, err := e.cmd.UpsertContent(as(t, adminToken), &pb.UpsertContentRequest{Content: c})
			if err != nil {
				t.Errorf("upsert during the rebuild: %v", err)
				return
			}
			changed = res.GetContent()
		}
	})
	cfg := e.cfg
	cfg.Rebuild = []string{config.RebuildGraph, config.RebuildSearch, config.RebuildRedis}
	var out bytes.Buffer
	err := wiring.Rebuild(context.Background(), cfg, &out, slog.New(slog.NewTextHandler(io.Discard, nil)))
	time.Sleep(300 * time.Millisecond) // a few searches after the swap too
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("rebuild: %v\n%s", err, out.String())
	}
	t.Logf("%d searches during the rebuild\n%s", searches.Load(), out.String())
	for _, model := range cfg.Rebuild {
		if !strings.Contains(out.String(), model+" rebuilt in ") {
			t.Errorf("the rebuild did not report %s:\n%s", model, out.String())
		}
	}
	if failed.Load() != 0 || short.Load() != 0 || searches.Load() == 0 {
		t.Errorf("searches during the rebuild: %d, %d failed, %d incomplete", searches.Load(), failed.Load(), short.Load())
	}
	if after := searchIndices(t, e); len(after) != 1 || after[0] == aliasBefore[0] {
		t.Errorf("the alias points at %v, before at %v: want one new index", after, aliasBefore)
	}

	// What was lost is back, and the title changed meanwhile is at its newest version everywhere.
	if n := userEdges(); n != 3 {
		t.Errorf("after the rebuild the user has %d WATCHED edges, want 3", n)
	}
	eventually(t, "the newest version of the changed title everywhere", func() string {
		res, err := neo4j.ExecuteQuery(ctx, d, `MATCH (c:Content) WHERE c.id IN $ids RETURN c.id AS id, c.version AS v`,
			map[string]any{"ids": []string{titles[3].GetId(), changed.GetId()}}, neo4j.EagerResultTransformer)
		if err != nil {
			return err.Error()
		}
		versions := map[string]int64{}
		for _, rec := range res.Records {
			id, _ := rec.Get("id")
			v, _ := rec.Get("v")
			versions[id.(string)] = v.(int64)
		}
		want := map[string]int64{}
		for _, id := range []string{titles[3].GetId(), changed.GetId()} {
			want[id] = int64(count(t, e, `SELECT version FROM content WHERE id = $1`, id))
		}
		if !maps.Equal(versions, want) {
			return fmt.Sprintf("graph versions %v, want PostgreSQL's %v", versions, want)
		}
		got, _, found, err := e.built.Search.Get(ctx, changed.GetId())
		if err != nil {
			return err.Error()
		}
		if !found || got.Description != changed.GetDescription() {
			return fmt.Sprintf("search holds %v, want %q", got, changed.GetDescription())
		}
		return ""
	})
	if n, err := r.Do(ctx, r.B().Exists().Key("content:"+titles[4].GetId()).Build()).AsInt64(); err != nil || n != 1 {
		t.Errorf("the lost Redis view of a title is not back: %d, %v", n, err)
	}
}

// searchIndices are the indices the run's search alias points at.
func searchIndices(t *testing.T, e *env) []string {
	t.Helper()
	idx, err := e.built.Search.AliasIndices(storetest.Context(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// contentCopy is a copy of c to send again.
func contentCopy(c *pb.Content) *pb.Content {
	return &pb.Content{Id: c.GetId(), Title: c.GetTitle(), Description: c.GetDescription(), Type: c.GetType(),
		Genres: c.GetGenres(), Actors: c.GetActors(), ReleaseYear: c.GetReleaseYear()}
}
