package main

// search: SearchContent through the server (gRPC with the admin token, interceptors, the query handler,
// search.Index.Search over olivere/elastic) against the identical request body (search.Index.Request) POSTed straight
// to /{alias}/_search with a plain HTTP client configured like the search package's, on the generated catalog.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/app/query"
	"github.com/streamingplatform/streaming/server/streaming"
)

const (
	searchPerSide = 2000
	searchWarmup  = 500 // per side; 100 left a just-started OpenSearch cold for the first measured round (ours: p99 × 1.4)
	searchCycles  = 2
	searchSideCap = 60 * time.Second
	searchChecked = 50 // queries whose total hits are compared between the two sides
	// The mix: share of queries with text (else filters alone), of text queries with a typo, with a genres filter,
	// with the brief's minimum rating of 4.0.
	searchTextShare   = 0.85
	searchTypoShare   = 0.25
	searchGenresShare = 0.4
	searchRatingShare = 0.3
)

// searchQueries generates n queries the way people search a catalog: words of a title (popular titles more often,
// by the catalog's Zipf popularity), sometimes misspelt, with a genres filter and the brief's minimum rating
// sometimes.
func searchQueries(d *queryDataset, n int, seed uint64) []streaming.SearchQuery {
	rng := rand.New(rand.NewPCG(seed, 5))
	titles := rand.NewZipf(rng, titleZipfS, 1, uint64(d.size.Docs-1))
	weights := genreWeights(len(d.genres))
	out := make([]streaming.SearchQuery, n)
	for i := range out {
		q := streaming.SearchQuery{PageSize: query.DefaultSearchPageSize} // what a caller that sets none gets
		if rng.Float64() < searchTextShare {
			var words []string
			for _, w := range strings.Fields(strings.ToLower(d.catalog[titles.Uint64()].Title)) {
				if !slices.Contains([]string{"el", "la", "los", "the"}, w) {
					words = append(words, w)
				}
			}
			k := rng.IntN(len(words))
			text := words[k : k+1]
			if k+1 < len(words) && rng.Float64() < 0.4 {
				text = words[k : k+2]
			}
			text = slices.Clone(text)
			if rng.Float64() < searchTypoShare {
				text[0] = typo(rng, text[0])
			}
			q.Text = strings.Join(text, " ")
		}
		if rng.Float64() < searchGenresShare {
			q.Genres = []string{d.genres[pick(rng, weights)]}
			if rng.Float64() < 0.3 {
				if g := d.genres[pick(rng, weights)]; g != q.Genres[0] {
					q.Genres = append(q.Genres, g)
				}
			}
		}
		if rng.Float64() < searchRatingShare {
			q.MinRating = 4.0
		}
		out[i] = q
	}
	return out
}

// typo replaces one letter after the first (the index's fuzzy match keeps the first letter) of a word of four
// letters or more.
func typo(rng *rand.Rand, w string) string {
	r := []rune(w)
	if len(r) < 4 {
		return w
	}
	i := 1 + rng.IntN(len(r)-1)
	c := rune('a' + rng.IntN(26))
	if c == r[i] {
		c = 'x'
	}
	r[i] = c
	return string(r)
}

// rawSearchAnswer is what the baseline decodes of the answer: enough to check it against the server's.
type rawSearchAnswer struct {
	Took     int  `json:"took"`
	TimedOut bool `json:"timed_out"`
	Hits     struct {
		Total struct {
			Value int64 `json:"value"`
		} `json:"total"`
		Hits []json.RawMessage `json:"hits"`
	} `json:"hits"`
}

func searchContent(ctx context.Context) ([]Result, error) {
	qb, err := startQueryBench(ctx)
	if err != nil {
		return nil, err
	}
	defer qb.stop()
	cfg := qb.srv.cfg
	client := pb.NewQueryServiceClient(qb.srv.conn)
	perSide := quickScale(searchPerSide)
	queries := searchQueries(qb.data, searchWarmup+perSide, 3)
	bodies := make([][]byte, len(queries))
	for i, q := range queries {
		body, err := qb.srv.built.Search.Request(q)
		if err != nil {
			return nil, err
		}
		if bodies[i], err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	// The search package's HTTP settings: the default transport with 64 idle connections per host, no gzip, 10 s
	// timeout.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	transport.DisableCompression = true
	defer transport.CloseIdleConnections()
	httpClient := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	url := strings.TrimRight(cfg.SearchURLs[0], "/") + "/" + qb.data.alias + "/_search"

	var mu sync.Mutex
	rawTotals := map[int]int64{}
	var took []time.Duration    // the engine's own time per raw request
	var matches []time.Duration // matching titles per query, as durations only to reuse the percentile code
	ours := &latSide{name: "server", op: func(ctx context.Context, i int) (time.Duration, error) {
		q := queries[i%len(queries)]
		t := time.Now()
		res, err := client.SearchContent(qb.srv.asAdmin(ctx), &pb.SearchContentRequest{Query: q.Text, Genres: q.Genres, MinRating: q.MinRating, PageSize: int32(q.PageSize)})
		d := time.Since(t)
		if err != nil {
			return 0, fmt.Errorf("query %+v: %w", q, err)
		}
		mu.Lock()
		defer mu.Unlock()
		if want, ok := rawTotals[i]; ok && want != res.GetTotalHits() {
			return 0, fmt.Errorf("query %+v: server found %d titles, the raw request %d", q, res.GetTotalHits(), want)
		}
		matches = append(matches, time.Duration(res.GetTotalHits()))
		return d, nil
	}}
	base := &latSide{name: "raw HTTP", op: func(ctx context.Context, i int) (time.Duration, error) {
		t := time.Now()
		ans, err := rawSearch(ctx, httpClient, url, bodies[i%len(bodies)])
		d := time.Since(t)
		if err != nil {
			return 0, err
		}
		mu.Lock()
		defer mu.Unlock()
		if i < searchChecked {
			rawTotals[i] = ans.Hits.Total.Value
		}
		took = append(took, time.Duration(ans.Took)*time.Millisecond)
		return d, nil
	}}
	// For the record, a third contender splits our overhead: the search package called in-process (olivere, the
	// answer decoded into the domain's result), without gRPC, interceptors or conversion.
	library := &latSide{name: "search.Index.Search in-process", op: func(ctx context.Context, i int) (time.Duration, error) {
		t := time.Now()
		_, err := qb.srv.built.Search.Search(ctx, queries[i%len(queries)])
		return time.Since(t), err
	}}
	// The baseline first, so its totals of the first queries are there to check the server's against.
	for _, s := range []*latSide{base, ours, library} {
		if err := s.warm(ctx, searchWarmup, queryConcurrency); err != nil {
			return nil, err
		}
	}
	took, matches = nil, nil
	if err := measureLatencyABBA(ctx, []*latSide{ours, base, library}, perSide, searchCycles, latencyWorkers, searchSideCap); err != nil {
		return nil, err
	}
	engine := load{lat: took} // of the comparison's raw requests only
	w2, saturated, err := measureSaturated(ctx, []*latSide{ours, base}, perSide/2, queryConcurrency, searchSideCap)
	if err != nil {
		return nil, err
	}
	var text, genres, rating int
	for _, q := range queries {
		if q.Text != "" {
			text++
		}
		if len(q.Genres) > 0 {
			genres++
		}
		if q.MinRating > 0 {
			rating++
		}
	}
	conditions := fmt.Sprintf("SearchContent (page size 20, facets genres + rating, track_total_hits) through the "+
		"server against the same body (search.Index.Request) POSTed to /%s/_search by net/http with the search "+
		"package's transport settings (64 idle connections per host, no gzip, 10 s timeout), answer read and decoded "+
		"(took, total, hits); %d distinct queries, the same in the same order on both sides: %.0f%% with text (1–2 "+
		"words of a title drawn by popularity, %.0f%% of them with one letter changed, fuzziness AUTO), %.0f%% with "+
		"a genres filter (1–2 genres), %.0f%% with min rating 4.0; matching titles per query: median %d, p90 %d "+
		"(of %d); OpenSearch's own took: p50 %d ms, p99 %d ms; the search package called in-process (olivere "+
		"and decoding, no gRPC): p50 %.2f ms, p99 %.2f ms; totals of the first %d queries checked equal on both sides; %d "+
		"samples ours, %d baseline, %d in-process, after %d unmeasured per side, %d closed-loop workers per side, "+
		"%d cycles of palindromic rounds; %s; OpenSearch 1 shard 0 replicas, index refreshed after loading; %s; %s",
		qb.data.alias, len(queries), 100*float64(text)/float64(len(queries)), 100*searchTypoShare,
		100*float64(genres)/float64(len(queries)), 100*float64(rating)/float64(len(queries)),
		int64(load{lat: matches}.percentile(.5)), int64(load{lat: matches}.percentile(.9)), qb.data.size.Docs,
		engine.percentile(.5).Milliseconds(), engine.percentile(.99).Milliseconds(), ms(library.percentile(.5)),
		ms(library.percentile(.99)),
		searchChecked, len(ours.lat), len(base.lat), len(library.lat), searchWarmup, latencyWorkers, searchCycles, saturated,
		qb.data.describe(qb.report), machine())
	return latencyResults("search", ours, base, w2[0], w2[1], conditions), nil
}

func rawSearch(ctx context.Context, c *http.Client, url string, body []byte) (*rawSearchAnswer, error) {
	data, err := searchCall(ctx, c, http.MethodPost, url, "application/json", body)
	if err != nil {
		return nil, err
	}
	var ans rawSearchAnswer
	if err := json.Unmarshal(data, &ans); err != nil {
		return nil, err
	}
	if ans.TimedOut {
		return nil, fmt.Errorf("search timed out")
	}
	return &ans, nil
}

// searchCall sends one request to the search server and returns the body of its answer; a status outside 2xx
// (and ok) is an error quoting the answer.
func searchCall(ctx context.Context, c *http.Client, method, url, contentType string, body []byte, ok ...int) ([]byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if (res.StatusCode < 200 || res.StatusCode > 299) && !slices.Contains(ok, res.StatusCode) {
		return nil, fmt.Errorf("%s %s: %s: %.300s", method, url, res.Status, data)
	}
	return data, nil
}
