package main

// content_analytics: GetContentAnalytics through the server (gRPC with the admin token, interceptors, the query
// handler, search.Analytics.ContentAnalytics over olivere/elastic) against the identical request body
// (search.Analytics.Request) POSTed straight to /<prefix>-*/_search with a plain HTTP client configured like the
// search package's, over a month of roll-ups seeded into the analytics indices of a throwaway search alias.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/grpcapi/wire"
	"github.com/streamingplatform/streaming/server/streaming"
)

const (
	analyticsRollups   = 200_000
	analyticsTitles    = 10_000
	analyticsDays      = 30
	analyticsPerSide   = 1000
	analyticsWarmup    = 200 // per side
	analyticsCycles    = 2
	analyticsSideCap   = 60 * time.Second
	analyticsChecked   = 40 // queries whose totals are compared between the two sides
	analyticsTopN      = 10
	analyticsPutChunk  = 5000 // roll-ups per PutRollups call while seeding
	analyticsPutWorker = 2
)

// analyticsKinds are the mix's queries, drawn with equal shares.
var analyticsKinds = []string{"the whole catalog over 30 days by day", "one title over 30 days by day",
	"one country over the last 7 days by hour", "one device over the last 3 days by hour"}

// analyticsQuery is one query of the mix.
type analyticsQuery struct {
	kind int // index into analyticsKinds
	q    streaming.AnalyticsQuery
}

// analyticsRollupSet generates n distinct roll-ups over the analyticsDays×24 hours ending with last: titles by
// Zipf popularity over titles (most popular first), countries by popularity, devices with fixed shares, hours
// following the day's viewing curve (evenings most); plays of popular titles larger; completions a share of plays,
// seconds some minutes per play, events about one per 30 s played.
func analyticsRollupSet(n int, titles []string, last time.Time, seed uint64) []streaming.Rollup {
	rng := rand.New(rand.NewPCG(seed, 17))
	zipf := rand.NewZipf(rng, titleZipfS, 1, uint64(len(titles)-1))
	countryWeights := genreWeights(len(countries))
	deviceWeights := []float64{0.35, 0.3, 0.2, 0.1, 0.05} // streaming.Devices: web, mobile, tablet, tv, console
	hourWeights := make([]float64, 24)
	for h := range hourWeights {
		hourWeights[h] = 1 + 0.8*math.Cos(2*math.Pi*float64(h-21)/24) // peak at 21:00 UTC
	}
	first := last.Add(-time.Duration(analyticsDays*24-1) * time.Hour)
	type key struct {
		title, hour, country, device int
	}
	index := make(map[key]int, n)
	out := make([]streaming.Rollup, 0, n)
	for tries := 0; len(out) < n && tries < 20*n; tries++ {
		day, hour := rng.IntN(analyticsDays+1), pick(rng, hourWeights) // the range starts and ends inside a day
		at := time.Date(first.Year(), first.Month(), first.Day(), hour, 0, 0, 0, time.UTC).AddDate(0, 0, day)
		if at.Before(first) || at.After(last) {
			continue
		}
		k := key{int(zipf.Uint64()), int(at.Sub(first) / time.Hour), pick(rng, countryWeights), pick(rng, deviceWeights)}
		plays := 1 + int64(rng.ExpFloat64()*(1+20/math.Sqrt(float64(k.title+1))))
		completions := int64(float64(plays) * rng.Float64() * 0.7)
		seconds := plays * int64(300+rng.IntN(3300))
		events := seconds/30 + plays
		if i, ok := index[k]; ok {
			r := &out[i]
			r.Plays, r.Completions, r.Seconds, r.Events = r.Plays+plays, r.Completions+completions, r.Seconds+seconds, r.Events+events
			continue
		}
		index[k] = len(out)
		out = append(out, streaming.Rollup{ContentID: titles[k.title], Hour: at, Country: countries[k.country],
			Device: streaming.Devices[k.device], Seconds: seconds, Events: events, Plays: plays, Completions: completions})
	}
	return out
}

// analyticsQueries draws n queries of the mix, every range ending at end (exclusive, a whole hour).
func analyticsQueries(n int, titles []string, end time.Time, seed uint64) []analyticsQuery {
	rng := rand.New(rand.NewPCG(seed, 23))
	zipf := rand.NewZipf(rng, titleZipfS, 1, uint64(len(titles)-1))
	countryWeights := genreWeights(len(countries))
	month := end.Add(-analyticsDays * 24 * time.Hour)
	out := make([]analyticsQuery, n)
	for i := range out {
		q := streaming.AnalyticsQuery{Start: month, End: end, Interval: streaming.IntervalDay, TopN: analyticsTopN}
		kind := rng.IntN(len(analyticsKinds))
		switch kind {
		case 1:
			q.ContentID = titles[zipf.Uint64()]
		case 2:
			q.Start, q.Interval, q.Country = end.Add(-7*24*time.Hour), streaming.IntervalHour, countries[pick(rng, countryWeights)]
		case 3:
			q.Start, q.Interval, q.Device = end.Add(-3*24*time.Hour), streaming.IntervalHour, streaming.Devices[rng.IntN(len(streaming.Devices))]
		}
		out[i] = analyticsQuery{kind: kind, q: q}
	}
	return out
}

func analyticsRequestPB(q streaming.AnalyticsQuery) *pb.GetContentAnalyticsRequest {
	r := &pb.GetContentAnalyticsRequest{StartTime: timestamppb.New(q.Start), EndTime: timestamppb.New(q.End),
		Interval: pb.AnalyticsInterval_ANALYTICS_INTERVAL_DAY, ContentId: q.ContentID, Country: q.Country,
		TopN: int32(q.TopN)}
	if q.Interval == streaming.IntervalHour {
		r.Interval = pb.AnalyticsInterval_ANALYTICS_INTERVAL_HOUR
	}
	if q.Device != "" {
		r.Device = wire.DeviceToPB(q.Device)
	}
	return r
}

// rawSums are the four sums of an aggregation's answer.
type rawSums struct {
	Seconds     struct{ Value float64 } `json:"seconds"`
	Events      struct{ Value float64 } `json:"events"`
	Plays       struct{ Value float64 } `json:"plays"`
	Completions struct{ Value float64 } `json:"completions"`
}

func (s *rawSums) metrics() streaming.PlaybackMetrics {
	n := func(v float64) int64 { return int64(math.Round(v)) }
	return streaming.PlaybackMetrics{Seconds: n(s.Seconds.Value), Events: n(s.Events.Value), Plays: n(s.Plays.Value),
		Completions: n(s.Completions.Value)}
}

type rawTerms struct {
	Buckets []struct {
		Key string `json:"key"`
		rawSums
	} `json:"buckets"`
}

// rawAnalyticsAnswer is the whole answer the baseline decodes: what the server reads of it.
type rawAnalyticsAnswer struct {
	Took     int  `json:"took"`
	TimedOut bool `json:"timed_out"`
	Shards   struct {
		Failed int `json:"failed"`
	} `json:"_shards"`
	Aggregations struct {
		rawSums
		Histogram struct {
			Buckets []struct {
				Key int64 `json:"key"`
				rawSums
			} `json:"buckets"`
		} `json:"histogram"`
		Titles    rawTerms `json:"titles"`
		Countries rawTerms `json:"countries"`
		Devices   rawTerms `json:"devices"`
	} `json:"aggregations"`
}

func contentAnalytics(ctx context.Context) ([]Result, error) {
	pgURL, drop, err := benchSchema(ctx)
	if err != nil {
		return nil, err
	}
	defer drop()
	alias := "bench_analytics_" + randomHex(4)
	httpClient, closeHTTP := searchHTTPClient()
	defer closeHTTP()
	srv, err := startServer(ctx, pgURL, func(c *config.Config) {
		c.ReadModelsEnabled = false
		c.SearchAlias = alias
	})
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	base := strings.TrimRight(srv.cfg.SearchURLs[0], "/")
	store := srv.built.Analytics
	prefix := store.Prefix()
	defer func() {
		// The month indices, their template and the alias's (empty) content index the server made at start.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		for _, err := range []error{
			deleteIndices(ctx, httpClient, base, prefix+"-*"),
			searchDo(ctx, httpClient, http.MethodDelete, base+"/_index_template/"+prefix, nil, http.StatusNotFound),
			deleteIndices(ctx, httpClient, base, alias+"_v*"),
		} {
			if err != nil {
				fmt.Printf("bench: content_analytics clean-up of %s: %v\n", alias, err)
			}
		}
	}()

	// A month of roll-ups: 30 days of whole hours ending with the current one.
	nRollups, nTitles := analyticsRollups, analyticsTitles
	if quickRun() {
		nRollups, nTitles = nRollups/10, nTitles/10
	}
	ns := uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/streamingplatform/streaming/bench/content_analytics"))
	titles := make([]string, nTitles)
	for i := range titles {
		titles[i] = uuid.NewSHA1(ns, fmt.Appendf(nil, "title/%d", i)).String()
	}
	last := time.Now().UTC().Truncate(time.Hour)
	rollups := analyticsRollupSet(nRollups, titles, last, 41)
	seedStart := time.Now()
	chunks := (len(rollups) + analyticsPutChunk - 1) / analyticsPutChunk
	if err := parallel(ctx, chunks, analyticsPutWorker, func(ctx context.Context, c int) error {
		return store.PutRollups(ctx, rollups[c*analyticsPutChunk:min((c+1)*analyticsPutChunk, len(rollups))])
	}); err != nil {
		return nil, fmt.Errorf("seed roll-ups: %w", err)
	}
	if err := store.Refresh(ctx); err != nil {
		return nil, err
	}
	seeded := time.Since(seedStart)
	if n, err := searchCount(ctx, httpClient, base, prefix+"-*"); err != nil || n != int64(len(rollups)) {
		return nil, fmt.Errorf("the analytics indices hold %d roll-ups, want %d (%v)", n, len(rollups), err)
	}
	var months []struct {
		Index string `json:"index"`
	}
	if err := searchGet(ctx, httpClient, base+"/_cat/indices/"+prefix+"-*?format=json&h=index&s=index", &months); err != nil {
		return nil, err
	}
	var monthNames []string
	for _, m := range months {
		monthNames = append(monthNames, m.Index)
	}

	perSide := quickScale(analyticsPerSide)
	queries := analyticsQueries(analyticsWarmup+perSide, titles, last.Add(time.Hour), 5)
	requests := make([]*pb.GetContentAnalyticsRequest, len(queries))
	bodies := make([][]byte, len(queries))
	for i, q := range queries {
		requests[i] = analyticsRequestPB(q.q)
		body, err := store.Request(q.q)
		if err != nil {
			return nil, err
		}
		if bodies[i], err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	url := base + "/" + prefix + "-*/_search?ignore_unavailable=true&allow_no_indices=true"
	client := pb.NewQueryServiceClient(srv.conn)

	var mu sync.Mutex
	rawTotals := map[int]streaming.PlaybackMetrics{}
	checked := 0
	var took []time.Duration // the engine's own time per raw request
	ours := &latSide{name: "server", op: func(ctx context.Context, i int) (time.Duration, error) {
		t := time.Now()
		res, err := client.GetContentAnalytics(srv.asAdmin(ctx), requests[i%len(requests)])
		d := time.Since(t)
		if err != nil {
			return 0, fmt.Errorf("query %d (%s): %w", i, analyticsKinds[queries[i%len(queries)].kind], err)
		}
		mu.Lock()
		defer mu.Unlock()
		if want, ok := rawTotals[i]; ok {
			got := res.GetTotals()
			if got.GetSecondsWatched() != want.Seconds || got.GetPlays() != want.Plays ||
				got.GetCompletions() != want.Completions || got.GetEvents() != want.Events {
				return 0, fmt.Errorf("query %d (%s): the server's totals are %v, the raw request's %+v", i,
					analyticsKinds[queries[i].kind], got, want)
			}
			checked++
		}
		return d, nil
	}}
	baseline := &latSide{name: "raw HTTP", op: func(ctx context.Context, i int) (time.Duration, error) {
		t := time.Now()
		data, err := searchCall(ctx, httpClient, http.MethodPost, url, "application/json", bodies[i%len(bodies)])
		if err != nil {
			return 0, err
		}
		var ans rawAnalyticsAnswer
		if err := json.Unmarshal(data, &ans); err != nil {
			return 0, err
		}
		d := time.Since(t)
		if ans.TimedOut || ans.Shards.Failed > 0 {
			return 0, fmt.Errorf("query %d: timed out or %d shards failed", i, ans.Shards.Failed)
		}
		mu.Lock()
		defer mu.Unlock()
		if i < analyticsChecked {
			rawTotals[i] = ans.Aggregations.metrics()
		}
		took = append(took, time.Duration(ans.Took)*time.Millisecond)
		return d, nil
	}}
	// For the record, the store called in-process (olivere and decoding, no gRPC or handler).
	library := &latSide{name: "search.Analytics.ContentAnalytics in-process", op: func(ctx context.Context, i int) (time.Duration, error) {
		t := time.Now()
		_, err := store.ContentAnalytics(ctx, queries[i%len(queries)].q)
		return time.Since(t), err
	}}
	// The baseline first, so its totals of the first queries are there to check the server's against.
	for _, s := range []*latSide{baseline, ours, library} {
		if err := s.warm(ctx, analyticsWarmup, queryConcurrency); err != nil {
			return nil, err
		}
	}
	if checked != min(analyticsChecked, analyticsWarmup) {
		return nil, fmt.Errorf("%d totals checked, want %d", checked, min(analyticsChecked, analyticsWarmup))
	}
	took = nil
	if err := measureLatencyABBA(ctx, []*latSide{ours, baseline, library}, perSide, analyticsCycles, latencyWorkers, analyticsSideCap); err != nil {
		return nil, err
	}
	engine := load{lat: took}
	w2, saturated, err := measureSaturated(ctx, []*latSide{ours, baseline}, perSide/2, queryConcurrency, analyticsSideCap)
	if err != nil {
		return nil, err
	}
	kinds := make([]int, len(analyticsKinds))
	for _, q := range queries {
		kinds[q.kind]++
	}
	var mix []string
	for k, name := range analyticsKinds {
		mix = append(mix, fmt.Sprintf("%d × %s", kinds[k], name))
	}
	conditions := fmt.Sprintf("GetContentAnalytics (top %d titles, countries and devices, every histogram bucket) "+
		"through the server against the same body (search.Analytics.Request) POSTed to /%s-*/_search"+
		"?ignore_unavailable=true&allow_no_indices=true by net/http with the search package's transport settings "+
		"(64 idle connections per host, no gzip, 10 s timeout), answer read and decoded (totals, histogram, the three "+
		"top lists); data: %d roll-ups seeded through search.Analytics.PutRollups (in %.0f s) into %s (one shard, "+
		"refreshed), 30 days of whole hours ending with the current one (%s to %s UTC), %d titles by Zipf(s=%.2f) "+
		"popularity, %d countries, %d devices, hours following an evening-peaked daily curve; a sequence of %d "+
		"queries, the same in the same order on both sides, kinds drawn with equal shares (titles by popularity, "+
		"countries by viewers, devices uniformly): %s; totals of the first %d queries "+
		"checked equal on both sides; OpenSearch's own took: p50 %d ms, p99 %d ms; the store called in-process "+
		"(olivere and decoding, no gRPC): p50 %.2f ms, p99 %.2f ms; %d samples ours, %d baseline, %d in-process, "+
		"after %d unmeasured per side, %d closed-loop worker(s) per side, %d cycles of palindromic rounds; %s; server "+
		"over a throwaway alias %s, admin token, one loopback HTTP/2 connection; %s",
		analyticsTopN, prefix, len(rollups), seeded.Seconds(), strings.Join(monthNames, " and "),
		last.Add(-time.Duration(analyticsDays*24-1)*time.Hour).Format("2006-01-02 15:04"), last.Format("2006-01-02 15:04"),
		len(titles), titleZipfS, len(countries), len(streaming.Devices), len(queries), strings.Join(mix, ", "),
		analyticsChecked, engine.percentile(.5).Milliseconds(), engine.percentile(.99).Milliseconds(),
		ms(library.percentile(.5)), ms(library.percentile(.99)), len(ours.lat), len(baseline.lat), len(library.lat),
		analyticsWarmup, latencyWorkers, analyticsCycles, saturated, alias, machine())
	return latencyResults("content_analytics", ours, baseline, w2[0], w2[1], conditions), nil
}
