package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"google.golang.org/grpc/codes"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/storetest"
)

// A store that goes down while the server runs answers fast, and the server recovers when it is back, without a
// restart: Redis (every authenticated call) answers Unavailable within the dial timeout; Neo4j and search, once their
// breaker is open, answer at once (recommendations: the trending fallback; search: Unavailable) and the operators'
// metrics say the breaker is open; a probe closes it when the store is back. Each store sits behind a switchable
// proxy, so the shared stores keep running for the other tests.
func TestStoresDownFailFast(t *testing.T) {
	e := server(t)
	if e.built.Redis.Mode() == rueidis.ClientModeCluster {
		// A cluster client learns each node's own address from the cluster and bypasses a proxy: on the cluster
		// topology, TestClusterRedisMasterLoss kills a real master instead.
		t.Fatal("a proxy in front of one Redis cannot stand for a cluster: test:cluster leaves this test out (-skip); run it against the single-node stack")
	}
	u := newUser(t, e) // its session is in the shared Redis, which this server reaches through the proxy
	s := storetest.Settings(t)
	redisProxy := storetest.NewSwitchProxy(t, s.RedisAddr(), true)
	graphProxy := storetest.NewSwitchProxy(t, s.Neo4jAddr(), true)
	searchProxy := storetest.NewSwitchProxy(t, strings.TrimPrefix(s.SearchURL(), "http://"), true)
	const openFor = 500 * time.Millisecond
	built, conn, _, _ := startOwn(t, func(c *config.Config) {
		c.RedisAddr, c.Neo4jURI, c.SearchURLs = redisProxy.Addr, "bolt://"+graphProxy.Addr, []string{"http://" + searchProxy.Addr}
		c.ReadModelsEnabled = false // its relay would only retry the projectors
		c.RecsGraphTimeout, c.BreakerFailures, c.BreakerOpenFor = 2*time.Second, 2, openFor
	})
	// The bounds below prove that no call waited for a timeout (the graph's is 2 s here, a unary call's deadline
	// 10 s); they are not the goals (200 ms, 50 ms), which docs/reliability.md gives as measured on a quiet machine:
	// under -race, with every other package's tests on the same two cores, a fallback has taken 450 ms.
	const fast = time.Second
	q := pb.NewQueryServiceClient(conn)
	metricsURL := "http://" + built.Server.OpsAddr() + "/metrics"

	// worst runs call n times and returns the slowest.
	worst := func(n int, call func() error) time.Duration {
		var w time.Duration
		for range n {
			start := time.Now()
			if err := call(); err != nil {
				t.Fatal(err)
			}
			w = max(w, time.Since(start))
		}
		return w
	}
	recovers := func(what string, call func() error) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			err := call()
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: store back for 15s, still: %v", what, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	t.Run("redis", func(t *testing.T) {
		profile := func() error {
			_, err := q.GetUserProfile(as(t, u.token), &pb.GetUserProfileRequest{UserId: u.id})
			return err
		}
		if err := profile(); err != nil {
			t.Fatalf("before the outage: %v", err)
		}
		redisProxy.Down()
		w := worst(5, func() error {
			if err := profile(); grpcCode(err) != codes.Unavailable {
				return fmt.Errorf("authenticated call with Redis down = %v, want Unavailable", err)
			}
			return nil
		})
		t.Logf("Redis down: slowest of 5 authenticated calls answered Unavailable in %v", w)
		if w > fast {
			t.Errorf("Redis down: Unavailable took %v, want well before the call's deadline (under %v)", w, fast)
		}
		redisProxy.Up()
		recovers("Redis", profile)
	})

	t.Run("neo4j", func(t *testing.T) {
		recs := func() (pb.RecommendationSource, error) {
			res, err := q.GetRecommendations(as(t, u.token), &pb.GetRecommendationsRequest{UserId: u.id, Limit: 10})
			return res.GetSource(), err
		}
		fallback := func() error {
			if src, err := recs(); err != nil || src != pb.RecommendationSource_RECOMMENDATION_SOURCE_FALLBACK {
				return fmt.Errorf("recommendations with Neo4j down = %v, %v; want the fallback", src, err)
			}
			return nil
		}
		// Before the outage, recommendations answer: every Redis connection of the server is back from the previous
		// subtest (the pool's other connections may still be redialling after the first call succeeds). Asked for
		// another user, so that u's recommendations are not cached.
		other := newUser(t, e)
		recovers("before the Neo4j outage", func() error {
			_, err := q.GetRecommendations(as(t, other.token), &pb.GetRecommendationsRequest{UserId: other.id, Limit: 10})
			return err
		})
		graphProxy.Down()
		worst(2, fallback) // the failures that open the breaker, each waiting for the graph
		wantBreaker(t, metricsURL, "neo4j", 2)
		w := worst(5, fallback)
		t.Logf("Neo4j down, breaker open: slowest of 5 recommendations (fallback) in %v", w)
		if w > fast {
			t.Errorf("Neo4j down, breaker open: fallback took %v, want it without waiting for the graph (under %v)", w, fast)
		}
		graphProxy.Up()
		time.Sleep(openFor)
		recovers("Neo4j", func() error {
			if src, err := recs(); err != nil || src == pb.RecommendationSource_RECOMMENDATION_SOURCE_FALLBACK {
				return fmt.Errorf("recommendations = %v, %v; want from the graph", src, err)
			}
			return nil
		})
		wantBreaker(t, metricsURL, "neo4j", 0)
	})

	t.Run("search", func(t *testing.T) {
		search := func() error {
			_, err := q.SearchContent(as(t, u.token), &pb.SearchContentRequest{Query: "anything"})
			return err
		}
		if err := search(); err != nil {
			t.Fatalf("before the outage: %v", err)
		}
		searchProxy.Down()
		unavailable := func() error {
			if err := search(); grpcCode(err) != codes.Unavailable {
				return fmt.Errorf("search with its server down = %v, want Unavailable", err)
			}
			return nil
		}
		worst(2, unavailable)
		wantBreaker(t, metricsURL, "search", 2)
		w := worst(5, unavailable)
		t.Logf("search down, breaker open: slowest of 5 searches (Unavailable) in %v", w)
		if w > fast {
			t.Errorf("search down, breaker open: Unavailable took %v, want it at once (under %v)", w, fast)
		}
		searchProxy.Up()
		time.Sleep(openFor)
		recovers("search", search)
		wantBreaker(t, metricsURL, "search", 0)
	})
}

// wantBreaker checks the operators' metric circuit_breaker_state{store} (0 closed, 1 half-open, 2 open).
func wantBreaker(t *testing.T, metricsURL, store string, state int) {
	t.Helper()
	want := fmt.Sprintf("circuit_breaker_state{store=%q} %d", store, state)
	if !strings.Contains(metricsText(t, metricsURL), want) {
		t.Errorf("metrics lack %q", want)
	}
}

// metricsText is the Prometheus text a server's /metrics (at url) answers.
func metricsText(t *testing.T, url string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(storetest.Context(t, 10*time.Second), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}
