//go:build cluster

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/readcheck"
	"github.com/streamingplatform/streaming/server/storetest"
)

const (
	searchLossTitles = 50               // titles written and searchable before the node is killed
	searchLossFor    = 20 * time.Second // how long searches and writes go on after the kill
	searchLossBound  = time.Minute      // how long a title acknowledged may take to be found, outage or not
	searchGreenBound = 3 * time.Minute  // how long the restarted node may take to hold its copies again
)

// TestClusterSearchNodeLoss: a server on the cluster stack's two search nodes (its own index, one replica per shard,
// its own PostgreSQL schema so that only its relay projects its titles). 50 titles are written and found; the second
// node is killed (SIGKILL); for 20 s searches and writes go on. Searches answer again soon after the kill and every
// one after the first that does answers; every title acknowledged, before or after the kill, is found; the node is
// started again, the cluster gets back to green (both copies of every shard), each node holds every title, and the
// consistency check finds the read models equal to PostgreSQL.
func TestClusterSearchNodeLoss(t *testing.T) {
	c := cluster(t)
	urls := strings.Split(c.server["STREAMING_SEARCH_URL"], ",")
	if len(urls) != 2 || c.server["STREAMING_SEARCH_REPLICAS"] != "1" {
		t.Fatalf("the cluster stack's search settings: %q, %q replicas; want two nodes and one replica (STACK_SEARCH_NODES=2 in CLUSTER_STACK)",
			c.server["STREAMING_SEARCH_URL"], c.server["STREAMING_SEARCH_REPLICAS"])
	}
	for _, u := range urls {
		storetest.Require(t, "a search node of the cluster stack (go tool task stack:up:cluster)", strings.TrimPrefix(u, "http://"))
	}
	pgURL, _ := storetest.PostgresSchema(t, "searchloss")
	alias := "nodeloss_" + storetest.Unique()
	built, conn, _, _ := startOwn(t, func(cfg *config.Config) {
		cfg.PostgresURL, cfg.Migrate = pgURL, true
		cfg.SearchURLs, cfg.SearchAlias, cfg.SearchReplicas = urls, alias, 1
		cfg.ReadModelsEnabled = true
	})
	t.Cleanup(func() { searchHTTP(t, urls[0], "DELETE", "/"+built.Search.IndexName(), nil) })
	cmd, query := pb.NewCommandServiceClient(conn), pb.NewQueryServiceClient(conn)

	// Each title carries a word of its own, so a search for that word finds it alone.
	var mu sync.Mutex
	acked := map[string]string{} // content id → its word
	upsert := func(ctx context.Context, n int) (id, word string, err error) {
		id, word = uuid.NewString(), "k"+storetest.Unique()
		_, err = cmd.UpsertContent(bearer(ctx, adminToken), &pb.UpsertContentRequest{Content: &pb.Content{Id: id,
			Title: fmt.Sprintf("Nodo %s %d", word, n), Description: "Un título escrito con un nodo de búsqueda caído",
			Type: pb.ContentType_CONTENT_TYPE_MOVIE, Genres: []string{"nodeloss"}, ReleaseYear: 2024}})
		if err == nil {
			mu.Lock()
			acked[id] = word
			mu.Unlock()
		}
		return id, word, err
	}
	finds := func(ctx context.Context, id, word string) (bool, error) {
		res, err := query.SearchContent(bearer(ctx, adminToken), &pb.SearchContentRequest{Query: word})
		for _, h := range res.GetHits() {
			if h.GetContent().GetId() == id {
				return true, nil
			}
		}
		return false, err
	}
	// missing lists the acknowledged titles that the search of this test's genre, page by page, does not return.
	missing := func() []string {
		found := map[string]bool{}
		var problem error
		for token := ""; ; {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			res, err := query.SearchContent(bearer(ctx, adminToken), &pb.SearchContentRequest{Genres: []string{"nodeloss"},
				PageSize: 100, PageToken: token})
			cancel()
			if err != nil {
				problem = err
				break
			}
			for _, h := range res.GetHits() {
				found[h.GetContent().GetId()] = true
			}
			if token = res.GetNextPageToken(); token == "" {
				break
			}
		}
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for id, word := range acked {
			if !found[id] {
				out = append(out, fmt.Sprintf("%s (%s; %v)", id, word, problem))
			}
		}
		return out
	}
	waitFound := func(what string) time.Duration {
		began := time.Now()
		for {
			m := missing()
			if len(m) == 0 {
				return time.Since(began)
			}
			if time.Since(began) > searchLossBound {
				t.Fatalf("%s: %d acknowledged titles not found within %v, e.g. %v", what, len(m), searchLossBound, m[:min(3, len(m))])
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	ctx := storetest.Context(t, 10*time.Minute)
	for n := range searchLossTitles {
		if _, _, err := upsert(ctx, n); err != nil {
			t.Fatalf("UpsertContent before the kill: %v", err)
		}
	}
	waitFound("before the kill")
	searchHealth(t, urls[0], built.Search.IndexName(), searchGreenBound) // both copies of every shard

	// Kill the second node, then search and write for a while, all at once.
	restarted := false
	t.Cleanup(func() {
		if !restarted { // leave the cluster stack as it was, even when the test failed
			c.run(t, "up", "search2")
		}
	})
	killedAt := time.Now()
	c.kill(t, "search2")
	var (
		searches, searchErrs, errsAfterRecovery, writes, writeErrs int
		firstOK, firstFound                                        time.Duration
		firstErrs, lateErrs                                        []string
	)
	var wg sync.WaitGroup
	wg.Go(func() { // searches: how long until they answer, and whether any fails after that
		for time.Since(killedAt) < searchLossFor {
			rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, err := query.SearchContent(bearer(rctx, adminToken), &pb.SearchContentRequest{Query: "nodo", PageSize: 5})
			cancel()
			searches++
			switch {
			case err != nil && firstOK == 0:
				searchErrs++
				if len(firstErrs) < 3 {
					firstErrs = append(firstErrs, err.Error())
				}
			case err != nil:
				errsAfterRecovery++
				if len(lateErrs) < 3 {
					lateErrs = append(lateErrs, err.Error())
				}
			case firstOK == 0:
				firstOK = time.Since(killedAt)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	wg.Go(func() { // writes, and how long until the first one written after the kill is found
		var firstID, firstWord string
		for n := searchLossTitles; time.Since(killedAt) < searchLossFor; n++ {
			rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			id, word, err := upsert(rctx, n)
			cancel()
			writes++
			switch {
			case err != nil:
				writeErrs++
				t.Errorf("UpsertContent after the kill: %v", err) // PostgreSQL takes it: a search node has no say
			case firstID == "":
				firstID, firstWord = id, word
			}
			if firstID != "" && firstFound == 0 {
				fctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				if ok, _ := finds(fctx, firstID, firstWord); ok {
					firstFound = time.Since(killedAt)
				}
				cancel()
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	wg.Wait()
	tookAll := waitFound("after the kill")
	mu.Lock()
	total := len(acked)
	mu.Unlock()
	t.Logf("search2 killed: %d searches in %v, %d failed before the first answered %v after the kill (e.g. %v), %d failed after it",
		searches, searchLossFor, searchErrs, firstOK.Round(time.Millisecond), firstErrs, errsAfterRecovery)
	t.Logf("search2 killed: %d titles written (%d errors); the first written after the kill found %v after the kill; all %d acknowledged found %v after the writes ended",
		writes, writeErrs, firstFound.Round(time.Millisecond), total, tookAll.Round(time.Millisecond))
	if firstOK == 0 {
		t.Errorf("no search answered within %v of the kill (e.g. %v)", searchLossFor, firstErrs)
	}
	if errsAfterRecovery > 0 {
		t.Errorf("%d searches failed after searches answered again, e.g. %v", errsAfterRecovery, lateErrs)
	}
	if firstFound == 0 {
		t.Errorf("no title written after the kill was found within %v of the kill", searchLossFor)
	}

	// Start the node again: the cluster gets its second copies back (green) and each node holds every title.
	began := time.Now()
	c.run(t, "up", "search2")
	restarted = true
	answered := time.Since(began)
	green := searchHealth(t, urls[0], built.Search.IndexName(), searchGreenBound)
	t.Logf("search2 started again: answering after %v, the index green %v after that", answered.Round(time.Millisecond), green.Round(time.Millisecond))
	for _, u := range urls {
		var count struct{ Count int }
		searchHTTP(t, u, "GET", "/"+alias+"/_count?preference=_only_local", &count)
		if count.Count != total {
			t.Errorf("%s holds %d titles, want all %d acknowledged", u, count.Count, total)
		}
	}
	ids := make([]string, 0, total)
	mu.Lock()
	for id := range acked {
		ids = append(ids, id)
	}
	mu.Unlock()
	rep, err := readcheck.Check(storetest.Context(t, time.Minute), readcheck.Sources{
		Postgres: postgres.NewCheckSource(built.Pool), Redis: built.ReadModels, Search: built.Search,
		Graph: built.Graph}, readcheck.Options{IDs: ids, Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() {
		t.Errorf("read models diverge from PostgreSQL: %+v", rep.Differences)
	}
}

// searchHealth waits until the index is green (every shard with all its copies) and returns how long that took.
func searchHealth(t *testing.T, url, index string, bound time.Duration) time.Duration {
	t.Helper()
	began := time.Now()
	var health struct {
		Status   string
		TimedOut bool `json:"timed_out"`
	}
	searchHTTP(t, url, "GET", fmt.Sprintf("/_cluster/health/%s?wait_for_status=green&timeout=%ds", index, int(bound.Seconds())), &health)
	if health.Status != "green" {
		t.Fatalf("index %s is %s, not green, after %v", index, health.Status, time.Since(began).Round(time.Millisecond))
	}
	return time.Since(began)
}

// searchHTTP sends a request straight to one search node and decodes its JSON answer into out (nil: ignored).
func searchHTTP(t *testing.T, base, method, path string, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), searchGreenBound+30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s%s: %v", method, base, path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 && !(method == "DELETE" && res.StatusCode == http.StatusNotFound) {
		t.Fatalf("%s %s%s: %s %s", method, base, path, res.Status, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s %s%s: %v", method, base, path, err)
		}
	}
}
