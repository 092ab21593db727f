package query_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/app/query"
	"github.com/streamingplatform/streaming/server/streaming"
)

func recs(ids ...string) []streaming.Recommendation {
	out := make([]streaming.Recommendation, len(ids))
	for i, id := range ids {
		out[i] = streaming.Recommendation{ContentID: id, Title: "title " + id, Score: float64(100 - i), Reason: "co-watched"}
	}
	return out
}

func recIDs(rs []streaming.Recommendation) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ContentID+"/"+r.Reason)
	}
	return out
}

func TestRecommendations(t *testing.T) {
	fifty := make([]string, 60)
	for i := range fifty {
		fifty[i] = string(rune('A'+i/26)) + string(rune('a'+i%26))
	}
	graphDown := streaming.Unavailable("Neo4j", nil)
	// The fallback's world: u1 watched w1 (drama) and w2 (comedy); trending are w1, t1 (drama), t2 (horror),
	// t3 (comedy, drama), t4 (drama).
	catalogTitles := map[string]streaming.Content{
		"w1": {ID: "w1", Genres: []string{"drama"}}, "w2": {ID: "w2", Genres: []string{"comedy"}},
		"t1": {ID: "t1", Title: "T1", Genres: []string{"drama"}}, "t2": {ID: "t2", Genres: []string{"horror"}},
		"t3": {ID: "t3", Genres: []string{"comedy", "drama"}}, "t4": {ID: "t4", Genres: []string{"drama"}},
	}
	trendingIDs := items("w1", "t1", "t2", "t3", "t4")
	watched := []streaming.ContinueWatchingItem{{ContentID: "w1"}, {ContentID: "w2"}, {ContentID: "w1"}}

	tests := []struct {
		name         string
		limit        int
		timeout      time.Duration
		cached       func(limit int) ([]streaming.Recommendation, bool, error)
		graph        func(ctx context.Context, limit int) ([]streaming.Recommendation, error)
		cacheErr     error
		history      []streaming.ContinueWatchingItem
		historyErr   error
		want         []string
		source       query.RecommendationSource
		cachedLimit  int
		cachedWrites int
		code         streaming.Code
		logs         string
	}{
		{name: "from the cache", limit: 3, cached: func(limit int) ([]streaming.Recommendation, bool, error) {
			return recs("a", "b", "c"), true, nil
		}, want: []string{"a/co-watched", "b/co-watched", "c/co-watched"}, source: query.FromCache, cachedLimit: 3},
		{name: "default limit", limit: 0, cached: func(int) ([]streaming.Recommendation, bool, error) { return recs("a"), true, nil },
			want: []string{"a/co-watched"}, source: query.FromCache, cachedLimit: 10},
		{name: "limit capped at what is cached", limit: 500, cached: func(int) ([]streaming.Recommendation, bool, error) {
			return recs("a"), true, nil
		}, want: []string{"a/co-watched"}, source: query.FromCache, cachedLimit: 50},
		{name: "a miss computes 50 on the graph, caches them and answers the limit", limit: 2,
			graph: func(_ context.Context, limit int) ([]streaming.Recommendation, error) {
				return recs(fifty[:limit]...), nil
			},
			want: []string{fifty[0] + "/co-watched", fifty[1] + "/co-watched"}, source: query.FromGraph, cachedLimit: 2,
			cachedWrites: 50},
		{name: "the graph may have fewer", limit: 5,
			graph: func(context.Context, int) ([]streaming.Recommendation, error) { return recs("a"), nil },
			want:  []string{"a/co-watched"}, source: query.FromGraph, cachedLimit: 5, cachedWrites: 1},
		{name: "a cache that is down is skipped", limit: 1,
			cached: func(int) ([]streaming.Recommendation, bool, error) { return nil, false, errDown },
			graph:  func(context.Context, int) ([]streaming.Recommendation, error) { return recs("a"), nil },
			want:   []string{"a/co-watched"}, source: query.FromGraph, cachedLimit: 1, cachedWrites: 1,
			logs: "recommendation cache unavailable"},
		{name: "an answer that is not cached is still given", limit: 1, cacheErr: errDown,
			graph: func(context.Context, int) ([]streaming.Recommendation, error) { return recs("a"), nil },
			want:  []string{"a/co-watched"}, source: query.FromGraph, cachedLimit: 1, cachedWrites: 1,
			logs: "recommendations not cached"},
		{name: "graph down: trending in the user's genres, unwatched", limit: 10, history: watched,
			graph: func(context.Context, int) ([]streaming.Recommendation, error) { return nil, graphDown },
			want:  []string{"t1/trending:drama", "t3/trending:comedy", "t4/trending:drama"}, source: query.FromFallback,
			cachedLimit: 10, logs: "answering with trending titles"},
		{name: "graph down, no history: the day's trending", limit: 2,
			graph: func(context.Context, int) ([]streaming.Recommendation, error) { return nil, graphDown },
			want:  []string{"w1/trending", "t1/trending"}, source: query.FromFallback, cachedLimit: 2},
		{name: "graph too slow: the fallback", limit: 1, timeout: time.Millisecond,
			graph: func(ctx context.Context, int2 int) ([]streaming.Recommendation, error) {
				<-ctx.Done()
				return nil, ctx.Err()
			},
			want: []string{"w1/trending"}, source: query.FromFallback, cachedLimit: 1},
		{name: "a graph bug is not hidden", limit: 1,
			graph: func(context.Context, int) ([]streaming.Recommendation, error) { return nil, errors.New("bug") },
			code:  streaming.CodeInternal, cachedLimit: 1},
		{name: "graph and playback down", limit: 1, historyErr: streaming.Unavailable("Cassandra", nil),
			graph: func(context.Context, int) ([]streaming.Recommendation, error) { return nil, graphDown },
			code:  streaming.CodeUnavailable, cachedLimit: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var cachedLimits []int
			var writes [][]streaming.Recommendation
			cache := &fakeRecs{
				cached: func(userID string, limit int) ([]streaming.Recommendation, bool, error) {
					if userID != "u1" {
						t.Errorf("cache asked for %q", userID)
					}
					cachedLimits = append(cachedLimits, limit)
					if tc.cached != nil {
						return tc.cached(limit)
					}
					return nil, false, nil
				},
				cache: func(userID string, rs []streaming.Recommendation) error {
					writes = append(writes, rs)
					return tc.cacheErr
				},
			}
			var graphLimits []int
			graph := &fakeGraph{recommend: func(ctx context.Context, userID string, limit int) ([]streaming.Recommendation, error) {
				graphLimits = append(graphLimits, limit)
				return tc.graph(ctx, limit)
			}}
			playback := &fakePlayback{continueWatching: func(userID string, limit int) ([]streaming.ContinueWatchingItem, error) {
				if userID != "u1" || limit != 50 {
					t.Errorf("continue watching of %q, %d", userID, limit)
				}
				return tc.history, tc.historyErr
			}}
			var limits []int
			log, logged := testLog()
			h := &query.Handler{Recs: cache, Graph: graph, Playback: playback, Views: (&catalog{held: catalogTitles}).views(),
				Counters: counted(trendingIDs, &limits, 24*time.Hour), GraphTimeout: tc.timeout, Log: log, Now: clock}
			got, source, err := h.Recommendations(t.Context(), "u1", tc.limit)
			wantErr(t, err, tc.code, "")
			if !slices.Equal(cachedLimits, []int{tc.cachedLimit}) {
				t.Fatalf("cache read with limits %v, want [%d]", cachedLimits, tc.cachedLimit)
			}
			if tc.cached == nil || source != query.FromCache {
				if tc.source != query.FromCache && !slices.Equal(graphLimits, []int{50}) {
					t.Fatalf("graph asked for %v, want [50]", graphLimits)
				}
			}
			if tc.code != "" {
				if got != nil || source != 0 {
					t.Fatalf("failed query returned %v from %v", got, source)
				}
				return
			}
			if !slices.Equal(recIDs(got), tc.want) || source != tc.source {
				t.Fatalf("recommendations %v from %v; want %v from %v", recIDs(got), source, tc.want, tc.source)
			}
			if (tc.cachedWrites == 0 && len(writes) != 0) || (tc.cachedWrites > 0 && (len(writes) != 1 || len(writes[0]) != tc.cachedWrites)) {
				t.Fatalf("cached %d lists, want one of %d", len(writes), tc.cachedWrites)
			}
			if tc.logs != "" && !strings.Contains(logged.String(), tc.logs) {
				t.Fatalf("log %q, want %q", logged, tc.logs)
			}
		})
	}
}

// TestRecommendationsCallerGaveUp: when the caller's own context ends, there is no fallback.
func TestRecommendationsCallerGaveUp(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	h := &query.Handler{
		Recs: &fakeRecs{cached: func(string, int) ([]streaming.Recommendation, bool, error) { return nil, false, nil }},
		Graph: &fakeGraph{recommend: func(context.Context, string, int) ([]streaming.Recommendation, error) {
			cancel()
			return nil, context.Canceled
		}},
	}
	got, source, err := h.Recommendations(ctx, "u1", 5)
	if !errors.Is(err, context.Canceled) || got != nil || source != 0 {
		t.Fatalf("Recommendations = %v, %v, %v; want the graph's cancellation", got, source, err)
	}
}
