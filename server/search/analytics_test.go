package search_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/search"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Every analytics test works on a prefix of its own (its indices and template), deleted when it ends.

// openAnalytics returns an analytics store on a fresh prefix, with its template in place.
func openAnalytics(t *testing.T) (*search.Analytics, context.Context, string) {
	t.Helper()
	url := searchURL(t)
	ctx := storetest.Context(t, 2*time.Minute)
	a := analyticsAt(t, ctx, []string{url}, "analytics_test_"+storetest.Unique())
	t.Cleanup(func() {
		for _, index := range analyticsIndices(t, url, a.Prefix()) {
			if code, body := raw(t, http.MethodDelete, url+"/"+index, nil); code != http.StatusOK && code != http.StatusNotFound {
				t.Errorf("delete index %s: %d %v", index, code, body)
			}
		}
		if code, body := raw(t, http.MethodDelete, url+"/_index_template/"+a.Prefix(), nil); code != http.StatusOK && code != http.StatusNotFound {
			t.Errorf("delete index template %s: %d %v", a.Prefix(), code, body)
		}
	})
	if err := a.EnsureAnalytics(ctx); err != nil {
		t.Fatal(err)
	}
	return a, ctx, url
}

// analyticsAt is the analytics store of prefix on a lazily opened index of the given nodes.
func analyticsAt(t *testing.T, ctx context.Context, urls []string, prefix string) *search.Analytics {
	t.Helper()
	x, closeIndex, err := search.Open(ctx, search.Config{URLs: urls, Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeIndex)
	a, err := x.Analytics(prefix)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// analyticsIndices lists the indices <prefix>-*, sorted, straight from the server.
func analyticsIndices(t *testing.T, url, prefix string) []string {
	t.Helper()
	res, err := http.Get(url + "/_cat/indices/" + prefix + "-*?format=json&h=index")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var rows []struct {
		Index string `json:"index"`
	}
	if err := json.NewDecoder(res.Body).Decode(&rows); err != nil {
		t.Fatalf("list %s-*: %d %v", prefix, res.StatusCode, err)
	}
	names := []string{}
	for _, r := range rows {
		names = append(names, r.Index)
	}
	slices.Sort(names)
	return names
}

func hour(s string) time.Time {
	t, err := time.Parse("2006-01-02T15", s)
	if err != nil {
		panic(err)
	}
	return t
}

func rollup(content, at, country, device string, seconds, events, plays, completions int64) streaming.Rollup {
	return streaming.Rollup{ContentID: content, Hour: hour(at), Country: country, Device: device,
		Seconds: seconds, Events: events, Plays: plays, Completions: completions}
}

func addMetrics(m *streaming.PlaybackMetrics, r streaming.Rollup) {
	m.Seconds += r.Seconds
	m.Events += r.Events
	m.Plays += r.Plays
	m.Completions += r.Completions
}

func metricsOf(rs ...streaming.Rollup) streaming.PlaybackMetrics {
	var m streaming.PlaybackMetrics
	for _, r := range rs {
		addMetrics(&m, r)
	}
	return m
}

// stored is what the store holds for r's key: the totals of a query selecting exactly it.
func stored(t *testing.T, ctx context.Context, a *search.Analytics, r streaming.Rollup) streaming.PlaybackMetrics {
	t.Helper()
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := a.ContentAnalytics(ctx, streaming.AnalyticsQuery{Start: r.Hour, End: r.Hour.Add(time.Hour),
		Interval: streaming.IntervalHour, ContentID: r.ContentID, Country: r.Country, Device: r.Device, TopN: 1})
	if err != nil {
		t.Fatal(err)
	}
	return res.Totals
}

// docCount is the number of documents in the month index of t.
func docCount(t *testing.T, url string, a *search.Analytics, at time.Time) any {
	t.Helper()
	_, body := raw(t, http.MethodGet, url+"/"+a.MonthIndex(at)+"/_count", nil)
	return body["count"]
}

// expected answers q over rollups the simple way: each roll-up of the range and filters counted once.
func expected(rollups []streaming.Rollup, q streaming.AnalyticsQuery) *streaming.ContentAnalytics {
	out := &streaming.ContentAnalytics{Histogram: []streaming.AnalyticsBucket{}}
	bucket := func(t time.Time) time.Time {
		if q.Interval == streaming.IntervalDay {
			return t.Truncate(24 * time.Hour)
		}
		return t
	}
	for t := bucket(q.Start); t.Before(q.End); {
		out.Histogram = append(out.Histogram, streaming.AnalyticsBucket{Start: t})
		if q.Interval == streaming.IntervalDay {
			t = t.AddDate(0, 0, 1)
		} else {
			t = t.Add(time.Hour)
		}
	}
	titles, countries, devices := map[string]*streaming.PlaybackMetrics{}, map[string]*streaming.PlaybackMetrics{}, map[string]*streaming.PlaybackMetrics{}
	add := func(m map[string]*streaming.PlaybackMetrics, key string, r streaming.Rollup) {
		if m[key] == nil {
			m[key] = &streaming.PlaybackMetrics{}
		}
		addMetrics(m[key], r)
	}
	for _, r := range rollups {
		if r.Hour.Before(q.Start) || !r.Hour.Before(q.End) || q.ContentID != "" && r.ContentID != q.ContentID ||
			q.Country != "" && r.Country != q.Country || q.Device != "" && r.Device != q.Device {
			continue
		}
		addMetrics(&out.Totals, r)
		for i := range out.Histogram {
			if out.Histogram[i].Start.Equal(bucket(r.Hour)) {
				addMetrics(&out.Histogram[i].Metrics, r)
			}
		}
		add(titles, r.ContentID, r)
		add(countries, r.Country, r)
		add(devices, r.Device, r)
	}
	top := func(m map[string]*streaming.PlaybackMetrics) []streaming.AnalyticsTerm {
		terms := []streaming.AnalyticsTerm{}
		for k, v := range m {
			terms = append(terms, streaming.AnalyticsTerm{Key: k, Metrics: *v})
		}
		slices.SortFunc(terms, func(a, b streaming.AnalyticsTerm) int {
			return cmp.Or(cmp.Compare(b.Metrics.Seconds, a.Metrics.Seconds), strings.Compare(a.Key, b.Key))
		})
		return terms[:min(len(terms), q.TopN)]
	}
	out.TopTitles, out.ByCountry, out.ByDevice = top(titles), top(countries), top(devices)
	return out
}

func keys(terms []streaming.AnalyticsTerm) []string {
	out := []string{}
	for _, t := range terms {
		out = append(out, t.Key)
	}
	return out
}

func TestAnalyticsLayout(t *testing.T) {
	a, ctx, url := openAnalytics(t)
	if err := a.EnsureAnalytics(ctx); err != nil {
		t.Fatalf("second EnsureAnalytics: %v", err)
	}
	if got := a.MonthIndex(time.Date(2025, 3, 31, 23, 0, 0, 0, time.FixedZone("x", -5*3600))); got != a.Prefix()+"-2025.04" {
		t.Errorf("MonthIndex in UTC-5 = %s, want the UTC month 2025.04", got)
	}
	r := rollup(uuid.NewString(), "2025-03-04T05", "ES", "tv", 60, 3, 1, 1)
	if err := a.AddRollups(ctx, []streaming.Rollup{r}); err != nil {
		t.Fatal(err)
	}
	index := a.Prefix() + "-2025.03"
	if got := analyticsIndices(t, url, a.Prefix()); !slices.Equal(got, []string{index}) {
		t.Fatalf("indices %v, want [%s]", got, index)
	}
	_, m := raw(t, http.MethodGet, url+"/"+index+"/_mapping", nil)
	mappings := dig(m, index, "mappings")
	if got := dig(mappings, "dynamic"); got != "strict" {
		t.Errorf("dynamic = %v, want strict", got)
	}
	for field, want := range map[string]string{"content_id": "keyword", "hour": "date", "country": "keyword", "device": "keyword",
		"seconds": "long", "events": "long", "plays": "long", "completions": "long"} {
		if got := dig(mappings, "properties", field, "type"); got != want {
			t.Errorf("%s is %v, want %s", field, got, want)
		}
	}
	if n := len(dig(mappings, "properties").(map[string]any)); n != 8 {
		t.Errorf("%d fields mapped, want 8", n)
	}
	_, s := raw(t, http.MethodGet, url+"/"+index+"/_settings", nil)
	if shards, replicas := dig(s, index, "settings", "index", "number_of_shards"), dig(s, index, "settings", "index", "number_of_replicas"); shards != "1" || replicas != "0" {
		t.Errorf("shards %v, replicas %v; want 1 and 0", shards, replicas)
	}
	if code, _ := raw(t, http.MethodGet, url+"/_index_template/"+a.Prefix(), nil); code != http.StatusOK {
		t.Errorf("GET the index template: %d", code)
	}

	t.Run("prefix", func(t *testing.T) {
		x, closeIndex, err := search.Open(ctx, search.Config{URLs: []string{url}, Alias: "films", Lazy: true})
		if err != nil {
			t.Fatal(err)
		}
		defer closeIndex()
		if d, err := x.Analytics(""); err != nil || d.Prefix() != "films_analytics" {
			t.Errorf("default prefix = %v, %v; want films_analytics", d, err)
		}
		for _, bad := range []string{"Upper", "_lead", "-lead", "with space", "a*", "a,b", "a/b", strings.Repeat("a", 201)} {
			if _, err := x.Analytics(bad); err == nil {
				t.Errorf("prefix %q accepted", bad)
			}
		}
	})

	t.Run("bad roll-ups write nothing", func(t *testing.T) {
		good := rollup(uuid.NewString(), "2025-05-01T00", "ES", "tv", 1, 1, 1, 0)
		for name, bad := range map[string]func(*streaming.Rollup){
			"not a whole hour": func(r *streaming.Rollup) { r.Hour = r.Hour.Add(30 * time.Minute) },
			"no hour":          func(r *streaming.Rollup) { r.Hour = time.Time{} },
			"no content":       func(r *streaming.Rollup) { r.ContentID = "" },
			"no country":       func(r *streaming.Rollup) { r.Country = "" },
			"no device":        func(r *streaming.Rollup) { r.Device = "" },
			"bar in a key":     func(r *streaming.Rollup) { r.Device = "t|v" },
			"negative":         func(r *streaming.Rollup) { r.Seconds = -1 },
		} {
			r := good
			bad(&r)
			if err := a.AddRollups(ctx, []streaming.Rollup{good, r}); err == nil {
				t.Errorf("AddRollups with %s: no error", name)
			}
			if err := a.PutRollups(ctx, []streaming.Rollup{good, r}); err == nil {
				t.Errorf("PutRollups with %s: no error", name)
			}
		}
		if got := analyticsIndices(t, url, a.Prefix()); len(got) != 1 {
			t.Errorf("indices %v: a refused batch was written", got)
		}
		if err := a.AddRollups(ctx, nil); err != nil {
			t.Errorf("AddRollups(nil) = %v", err)
		}
	})
}

func TestAnalyticsAddAndPut(t *testing.T) {
	a, ctx, url := openAnalytics(t)
	content := uuid.NewString()
	r := rollup(content, "2025-01-31T20", "ES", "tv", 100, 10, 2, 1)
	other := rollup(content, "2025-01-31T20", "ES", "web", 7, 3, 1, 0)

	if err := a.AddRollups(ctx, []streaming.Rollup{r}); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, ctx, a, r); got != metricsOf(r) {
		t.Errorf("after one add: %+v, want %+v", got, metricsOf(r))
	}
	// The stored one adds up; a new one in the same batch counts once.
	if err := a.AddRollups(ctx, []streaming.Rollup{r, other}); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, ctx, a, r); got != metricsOf(r, r) {
		t.Errorf("after two adds: %+v, want %+v", got, metricsOf(r, r))
	}
	if got := stored(t, ctx, a, other); got != metricsOf(other) {
		t.Errorf("new roll-up: %+v, want %+v (counted once)", got, metricsOf(other))
	}
	// Two of the same key in one batch both count.
	dup := rollup(content, "2025-01-31T21", "MX", "tv", 5, 1, 1, 1)
	if err := a.AddRollups(ctx, []streaming.Rollup{dup, dup}); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, ctx, a, dup); got != metricsOf(dup, dup) {
		t.Errorf("a key twice in a batch: %+v, want %+v", got, metricsOf(dup, dup))
	}
	if n := docCount(t, url, a, r.Hour); n != float64(3) {
		t.Errorf("%v documents, want one per key (3)", n)
	}

	// Put replaces, and putting again changes nothing.
	put := r
	put.Seconds, put.Events, put.Plays, put.Completions = 7, 1, 1, 0
	for range 2 {
		if err := a.PutRollups(ctx, []streaming.Rollup{put}); err != nil {
			t.Fatal(err)
		}
		if got := stored(t, ctx, a, r); got != metricsOf(put) {
			t.Errorf("after put: %+v, want %+v", got, metricsOf(put))
		}
	}
	if got := stored(t, ctx, a, other); got != metricsOf(other) {
		t.Errorf("put touched another key: %+v", got)
	}

	t.Run("concurrent adds all count", func(t *testing.T) {
		shared := rollup(content, "2025-02-01T00", "ES", "tv", 11, 2, 1, 0)
		const writers = 4
		var wg sync.WaitGroup
		errs := make([]error, writers)
		own := make([]streaming.Rollup, writers)
		for i := range writers {
			own[i] = rollup(content, "2025-02-01T00", fmt.Sprintf("C%d", i), "web", int64(i+1), 1, 1, 0)
			wg.Go(func() { errs[i] = a.AddRollups(ctx, []streaming.Rollup{shared, own[i]}) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
			}
		}
		if got, want := stored(t, ctx, a, shared), metricsOf(shared, shared, shared, shared); got != want {
			t.Errorf("shared roll-up: %+v, want %+v", got, want)
		}
		for _, o := range own {
			if got := stored(t, ctx, a, o); got != metricsOf(o) {
				t.Errorf("%s: %+v, want %+v", o.Country, got, metricsOf(o))
			}
		}
	})

	t.Run("batches larger than a bulk request", func(t *testing.T) {
		const n = 2100 // three bulk requests
		var batch []streaming.Rollup
		for i := range n {
			batch = append(batch, rollup(uuid.NewString(), "2025-04-02T03", "ES", "tv", int64(i%7+1), 1, 1, int64(i%2)))
		}
		want := metricsOf(batch...)
		for round := 1; round <= 2; round++ {
			if err := a.AddRollups(ctx, batch); err != nil {
				t.Fatal(err)
			}
			if err := a.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			res, err := a.ContentAnalytics(ctx, streaming.AnalyticsQuery{Start: hour("2025-04-02T03"), End: hour("2025-04-02T04"),
				Interval: streaming.IntervalHour, TopN: 3})
			if err != nil {
				t.Fatal(err)
			}
			w := want
			w.Seconds, w.Events, w.Plays, w.Completions = w.Seconds*int64(round), w.Events*int64(round), w.Plays*int64(round), w.Completions*int64(round)
			if res.Totals != w {
				t.Errorf("round %d: totals %+v, want %+v", round, res.Totals, w)
			}
		}
		if got := docCount(t, url, a, hour("2025-04-02T03")); got != float64(n) {
			t.Errorf("%v documents, want %d", got, n)
		}
		if err := a.PutRollups(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if err := a.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := a.ContentAnalytics(ctx, streaming.AnalyticsQuery{Start: hour("2025-04-02T03"), End: hour("2025-04-02T04"),
			Interval: streaming.IntervalHour, TopN: 3})
		if err != nil || res.Totals != want {
			t.Errorf("after put: %+v, %v; want %+v", res.Totals, err, want)
		}
	})
}

// TestAnalyticsAddReadsOnlyWhatItDidNotWrite: an addition to a roll-up this store wrote reads nothing first (it
// writes from what it wrote, conditionally on that write's sequence number), and stays exact when another writer
// changed the roll-up in between (an addition, a put, the month deleted): the conditional write is refused and the
// roll-up read again.
func TestAnalyticsAddReadsOnlyWhatItDidNotWrite(t *testing.T) {
	a, ctx, url := openAnalytics(t)
	other := analyticsAt(t, ctx, []string{url}, a.Prefix()) // another replica's store on the same indices
	content := uuid.NewString()
	r := rollup(content, "2025-05-06T07", "ES", "tv", 100, 10, 2, 1)
	add := func(s *search.Analytics, rs ...streaming.Rollup) {
		t.Helper()
		if err := s.AddRollups(ctx, rs); err != nil {
			t.Fatal(err)
		}
	}
	reads := func() uint64 {
		read, _ := a.RollupIO()
		return read
	}

	add(a, r)
	if got := reads(); got != 1 {
		t.Errorf("first addition read %d roll-ups, want 1 (it was not written here)", got)
	}
	add(a, r)
	add(a, r)
	if got := reads(); got != 1 {
		t.Errorf("additions to a roll-up written here read %d more, want none", got-1)
	}
	if got, want := stored(t, ctx, a, r), metricsOf(r, r, r); got != want {
		t.Errorf("after three additions: %+v, want %+v", got, want)
	}

	add(other, r) // a's memory of r is now stale
	add(a, r)
	if got := reads(); got != 2 {
		t.Errorf("after another writer's addition: %d reads in all, want 2 (the refused write read again)", got)
	}
	if got, want := stored(t, ctx, a, r), metricsOf(r, r, r, r, r); got != want {
		t.Errorf("after another writer's addition: %+v, want %+v", got, want)
	}

	put := r
	put.Seconds, put.Events, put.Plays, put.Completions = 1, 1, 1, 0
	if err := other.PutRollups(ctx, []streaming.Rollup{put}); err != nil {
		t.Fatal(err)
	}
	add(a, r)
	if got, want := stored(t, ctx, a, r), metricsOf(put, r); got != want {
		t.Errorf("after another writer's put: %+v, want %+v", got, want)
	}

	// The month deleted and created again: its writes are numbered from 0 again.
	if _, err := other.DropBefore(ctx, hour("2025-06-01T00")); err != nil {
		t.Fatal(err)
	}
	small := r
	small.Seconds, small.Events, small.Plays, small.Completions = 3, 1, 0, 0
	add(other, small)
	add(a, r)
	if got, want := stored(t, ctx, a, r), metricsOf(small, r); got != want {
		t.Errorf("after the month was recreated: %+v, want %+v", got, want)
	}
}

func TestAnalyticsQuery(t *testing.T) {
	a, ctx, url := openAnalytics(t)
	ta, tb, tc := "a-"+uuid.NewString(), "b-"+uuid.NewString(), "c-"+uuid.NewString()
	// The range is 8 hours across the end of January: two monthly indices. 21h and 01h have no roll-ups.
	start, end := hour("2025-01-31T20"), hour("2025-02-01T04")
	in := []streaming.Rollup{
		rollup(ta, "2025-01-31T20", "ES", "tv", 100, 11, 3, 1),
		rollup(tb, "2025-01-31T20", "MX", "web", 50, 7, 2, 0),
		rollup(tb, "2025-01-31T20", "ES", "mobile", 40, 4, 1, 0),
		rollup(ta, "2025-01-31T20", "ES", "web", 45, 4, 1, 0),
		rollup(ta, "2025-01-31T22", "MX", "tv", 30, 5, 1, 1),
		rollup(tc, "2025-01-31T22", streaming.UnknownCountry, "web", 15, 3, 2, 1),
		rollup(tb, "2025-01-31T22", "FR", "console", 0, 0, 0, 0), // no figures: listed all the same
		rollup(tc, "2025-01-31T23", "ES", "mobile", 10, 2, 1, 0),
		rollup(tb, "2025-01-31T23", "MX", "tv", 80, 8, 3, 2),
		rollup(ta, "2025-01-31T23", streaming.UnknownCountry, "tv", 5, 1, 1, 0),
		rollup(tb, "2025-02-01T00", "ES", "tv", 70, 9, 2, 2),
		rollup(tc, "2025-02-01T00", "MX", "web", 35, 3, 1, 1),
		rollup(ta, "2025-02-01T02", streaming.UnknownCountry, "web", 5, 1, 1, 0),
		rollup(tb, "2025-02-01T02", "ES", "tablet", 60, 6, 2, 1),
		rollup(tc, "2025-02-01T03", "MX", "tv", 200, 20, 4, 3),
		rollup(ta, "2025-02-01T03", "MX", "mobile", 25, 2, 1, 1),
	}
	out := []streaming.Rollup{
		rollup(ta, "2025-01-31T19", "ES", "tv", 1000, 100, 10, 10),                  // the hour before the range
		rollup(tb, "2025-02-01T04", "ES", "tv", 999, 99, 9, 9),                      // the range's end, excluded
		rollup(ta, "2025-03-01T00", "ES", "tv", 777, 77, 7, 7),                      // another month
		rollup(tc, "2025-01-15T08", "ES", "mobile", 333, 33, 3, 3),                  // earlier in the first month
		rollup(tb, "2024-12-31T23", "ES", "tv", 4444, 44, 4, 4),                     // the previous month
		rollup(tc, "2025-06-01T00", "ES", "tv", 123456, 1, 1, 1),                    // far away
		rollup(tc, "2025-01-30T00", "ES", "console", 2, 2, 2, 2),                    // the day query's first hour
		rollup(tb, "2025-01-30T10", "MX", "console", 12, 4, 1, 0),                   // in the day query
		rollup(ta, "2025-02-01T23", streaming.UnknownCountry, "tablet", 1, 1, 1, 1), // the day query's last hour
		rollup(tc, "2025-02-02T00", "ES", "tablet", 55, 5, 5, 5),                    // the day after the day query
	}
	all := append(slices.Clone(in), out...)
	// Written in two batches, some through Put, so both paths are read back.
	if err := a.AddRollups(ctx, all[:10]); err != nil {
		t.Fatal(err)
	}
	if err := a.PutRollups(ctx, all[10:]); err != nil {
		t.Fatal(err)
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := analyticsIndices(t, url, a.Prefix()); len(got) != 5 {
		t.Errorf("indices %v, want 5 months", got)
	}

	query := func(t *testing.T, q streaming.AnalyticsQuery) *streaming.ContentAnalytics {
		t.Helper()
		got, err := a.ContentAnalytics(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(expected(all, q), got); diff != "" {
			t.Errorf("ContentAnalytics(%+v) (-want +got):\n%s", q, diff)
		}
		return got
	}

	t.Run("hours across two months", func(t *testing.T) {
		got := query(t, streaming.AnalyticsQuery{Start: start, End: end, Interval: streaming.IntervalHour, TopN: 10})
		// Checked by hand as well, not only against expected.
		if got.Totals.Seconds != 770 {
			t.Errorf("seconds %d", got.Totals.Seconds)
		}
		if len(got.Histogram) != 8 || !got.Histogram[0].Start.Equal(start) || !got.Histogram[7].Start.Equal(end.Add(-time.Hour)) {
			t.Fatalf("histogram %+v, want the 8 hours from %s", got.Histogram, start)
		}
		if got.Histogram[1].Metrics != (streaming.PlaybackMetrics{}) || got.Histogram[5].Metrics != (streaming.PlaybackMetrics{}) {
			t.Errorf("empty hours: %+v, %+v", got.Histogram[1], got.Histogram[5])
		}
		// a: 100+45+30+5+5+25 = 210, b: 50+40+0+80+70+60 = 300, c: 15+10+35+200 = 260.
		if k := keys(got.TopTitles); !slices.Equal(k, []string{tb, tc, ta}) {
			t.Errorf("top titles %v, want b, c, a", k)
		}
	})

	t.Run("top n", func(t *testing.T) {
		got := query(t, streaming.AnalyticsQuery{Start: start, End: end, Interval: streaming.IntervalHour, TopN: 2})
		if k := keys(got.TopTitles); !slices.Equal(k, []string{tb, tc}) {
			t.Errorf("top 2 titles %v, want b, c", k)
		}
		if len(got.ByCountry) != 2 || len(got.ByDevice) != 2 {
			t.Errorf("by country %v, by device %v: want 2 each", got.ByCountry, got.ByDevice)
		}
		query(t, streaming.AnalyticsQuery{Start: start, End: end, Interval: streaming.IntervalHour, TopN: 1})
	})

	t.Run("days", func(t *testing.T) {
		got := query(t, streaming.AnalyticsQuery{Start: hour("2025-01-29T00"), End: hour("2025-02-02T00"), Interval: streaming.IntervalDay, TopN: 10})
		if len(got.Histogram) != 4 || got.Histogram[0].Metrics != (streaming.PlaybackMetrics{}) || !got.Histogram[3].Start.Equal(hour("2025-02-01T00")) {
			t.Errorf("histogram %+v, want 4 days, the first empty", got.Histogram)
		}
		// A range that starts and ends inside days: the buckets are whole days, the sums only the range's hours.
		got = query(t, streaming.AnalyticsQuery{Start: hour("2025-01-31T22"), End: hour("2025-02-01T01"), Interval: streaming.IntervalDay, TopN: 10})
		if len(got.Histogram) != 2 || !got.Histogram[0].Start.Equal(hour("2025-01-31T00")) || got.Histogram[0].Metrics.Seconds != 30+15+0+10+80+5 {
			t.Errorf("histogram %+v", got.Histogram)
		}
	})

	t.Run("filters", func(t *testing.T) {
		for _, q := range []streaming.AnalyticsQuery{
			{ContentID: ta},
			{Country: "ES"},
			{Country: streaming.UnknownCountry},
			{Device: "tv"},
			{ContentID: ta, Country: "ES", Device: "tv"},
			{ContentID: tb, Device: "console"},
		} {
			q.Start, q.End, q.Interval, q.TopN = start, end, streaming.IntervalHour, 10
			got := query(t, q)
			if got.Totals.Seconds == 0 && q.Device != "console" {
				t.Errorf("%+v: nothing found", q)
			}
			for _, term := range got.TopTitles {
				if q.ContentID != "" && term.Key != q.ContentID {
					t.Errorf("%+v: title %s", q, term.Key)
				}
			}
		}
	})

	t.Run("nothing matches", func(t *testing.T) {
		got := query(t, streaming.AnalyticsQuery{Start: start, End: end, Interval: streaming.IntervalHour, Country: "PT", TopN: 10})
		if got.Totals != (streaming.PlaybackMetrics{}) || len(got.Histogram) != 8 || len(got.TopTitles) != 0 {
			t.Errorf("%+v", got)
		}
		// A prefix without a single index (nor a template).
		empty := analyticsAt(t, ctx, []string{url}, "analytics_test_"+storetest.Unique())
		res, err := empty.ContentAnalytics(ctx, streaming.AnalyticsQuery{Start: start, End: end, Interval: streaming.IntervalDay, TopN: 10})
		if err != nil {
			t.Fatal(err)
		}
		want := &streaming.ContentAnalytics{Histogram: []streaming.AnalyticsBucket{{Start: hour("2025-01-31T00")}, {Start: hour("2025-02-01T00")}},
			TopTitles: []streaming.AnalyticsTerm{}, ByCountry: []streaming.AnalyticsTerm{}, ByDevice: []streaming.AnalyticsTerm{}}
		if diff := gocmp.Diff(want, res); diff != "" {
			t.Errorf("no indices (-want +got):\n%s", diff)
		}
	})
}

func TestAnalyticsValidation(t *testing.T) {
	a, ctx, _ := openAnalytics(t)
	start := hour("2025-01-01T00")
	valid := streaming.AnalyticsQuery{Start: start, End: start.Add(24 * time.Hour), Interval: streaming.IntervalHour, TopN: 10}
	for _, c := range []struct {
		name  string
		edit  func(q *streaming.AnalyticsQuery)
		field string // "" valid
	}{
		{"valid", func(q *streaming.AnalyticsQuery) {}, ""},
		{"no start", func(q *streaming.AnalyticsQuery) { q.Start = time.Time{} }, "start_time"},
		{"no end", func(q *streaming.AnalyticsQuery) { q.End = time.Time{} }, "end_time"},
		{"start not a whole hour", func(q *streaming.AnalyticsQuery) { q.Start = q.Start.Add(time.Minute) }, "start_time"},
		{"end not a whole hour", func(q *streaming.AnalyticsQuery) { q.End = q.End.Add(time.Second) }, "end_time"},
		{"end not after start", func(q *streaming.AnalyticsQuery) { q.End = q.Start }, "end_time"},
		{"end before start", func(q *streaming.AnalyticsQuery) { q.End = q.Start.Add(-time.Hour) }, "end_time"},
		{"2000 hours", func(q *streaming.AnalyticsQuery) { q.End = q.Start.Add(2000 * time.Hour) }, ""},
		{"2001 hours", func(q *streaming.AnalyticsQuery) { q.End = q.Start.Add(2001 * time.Hour) }, "end_time"},
		{"400 days", func(q *streaming.AnalyticsQuery) {
			q.End, q.Interval = q.Start.AddDate(0, 0, 400), streaming.IntervalDay
		}, ""},
		{"400 days and an hour", func(q *streaming.AnalyticsQuery) {
			q.End, q.Interval = q.Start.AddDate(0, 0, 400).Add(time.Hour), streaming.IntervalDay
		}, "end_time"},
		{"no interval", func(q *streaming.AnalyticsQuery) { q.Interval = "" }, "interval"},
		{"weekly", func(q *streaming.AnalyticsQuery) { q.Interval = "week" }, "interval"},
		{"top 0", func(q *streaming.AnalyticsQuery) { q.TopN = 0 }, "top_n"},
		{"top -1", func(q *streaming.AnalyticsQuery) { q.TopN = -1 }, "top_n"},
		{"top 100", func(q *streaming.AnalyticsQuery) { q.TopN = 100 }, ""},
		{"top 101", func(q *streaming.AnalyticsQuery) { q.TopN = 101 }, "top_n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := valid
			c.edit(&q)
			_, err := a.ContentAnalytics(ctx, q)
			if c.field == "" {
				if err != nil {
					t.Errorf("ContentAnalytics = %v, want no error", err)
				}
				return
			}
			if e := streaming.AsError(err); e == nil || e.Code != streaming.CodeInvalid || e.Field != c.field {
				t.Errorf("ContentAnalytics = %v, want invalid %s", err, c.field)
			}
		})
	}
}

func TestAnalyticsDropBefore(t *testing.T) {
	a, ctx, url := openAnalytics(t)
	content := uuid.NewString()
	if err := a.PutRollups(ctx, []streaming.Rollup{
		rollup(content, "2024-11-30T23", "ES", "tv", 1, 1, 1, 1),
		rollup(content, "2024-12-01T00", "ES", "tv", 2, 1, 1, 1),
		rollup(content, "2024-12-31T23", "ES", "tv", 4, 1, 1, 1),
		rollup(content, "2025-01-15T12", "ES", "tv", 8, 1, 1, 1),
	}); err != nil {
		t.Fatal(err)
	}
	// An index under the prefix not named for a month is not retention's business.
	other := a.Prefix() + "-other"
	if code, body := raw(t, http.MethodPut, url+"/"+other, nil); code != http.StatusOK {
		t.Fatalf("create %s: %d %v", other, code, body)
	}
	p := a.Prefix() + "-"
	for _, c := range []struct {
		at   time.Time
		want []string
	}{
		{hour("2024-11-15T00"), nil},
		// December ends on the 1st of January: not yet.
		{hour("2025-01-01T00").Add(-time.Second), []string{p + "2024.11"}},
		{hour("2025-01-01T00"), []string{p + "2024.12"}},
		{hour("2025-01-01T00"), nil},
		{hour("2025-01-31T23"), nil},
	} {
		got, err := a.DropBefore(ctx, c.at)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("DropBefore(%s) = %v, want %v", c.at, got, c.want)
		}
	}
	if got, want := analyticsIndices(t, url, a.Prefix()), []string{p + "2025.01", other}; !slices.Equal(got, want) {
		t.Errorf("indices left %v, want %v", got, want)
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := a.ContentAnalytics(ctx, streaming.AnalyticsQuery{Start: hour("2024-11-01T00"), End: hour("2025-02-01T00"),
		Interval: streaming.IntervalDay, TopN: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Totals.Seconds != 8 {
		t.Errorf("seconds left %d, want January's 8", res.Totals.Seconds)
	}
	// Two months at once, sorted.
	if err := a.PutRollups(ctx, []streaming.Rollup{rollup(content, "2025-02-01T00", "ES", "tv", 1, 1, 1, 1)}); err != nil {
		t.Fatal(err)
	}
	if got, err := a.DropBefore(ctx, hour("2025-06-01T00")); err != nil || !slices.Equal(got, []string{p + "2025.01", p + "2025.02"}) {
		t.Errorf("DropBefore(June) = %v, %v", got, err)
	}
}

func TestAnalyticsUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close() // nothing listens there now
	ctx := storetest.Context(t, time.Minute)
	a := analyticsAt(t, ctx, []string{url}, "")
	r := []streaming.Rollup{rollup(uuid.NewString(), "2025-01-01T00", "ES", "tv", 1, 1, 1, 1)}
	q := streaming.AnalyticsQuery{Start: hour("2025-01-01T00"), End: hour("2025-01-02T00"), Interval: streaming.IntervalDay, TopN: 10}
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"ensure", func() error { return a.EnsureAnalytics(ctx) }},
		{"add", func() error { return a.AddRollups(ctx, r) }},
		{"put", func() error { return a.PutRollups(ctx, r) }},
		{"query", func() error { _, err := a.ContentAnalytics(ctx, q); return err }},
		{"drop", func() error { _, err := a.DropBefore(ctx, time.Now()); return err }},
		{"refresh", func() error { return a.Refresh(ctx) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(); streaming.ErrorCode(err) != streaming.CodeUnavailable {
				t.Errorf("%s = %v, want unavailable", c.name, err)
			}
		})
	}
}

// Additions are sent again only when they cannot have reached a server: a node that refuses connections is passed
// over, and every addition counts exactly once.
func TestAnalyticsAddPassesOverRefusingNode(t *testing.T) {
	a, ctx, url := openAnalytics(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusing := "http://" + l.Addr().String()
	l.Close()
	b := analyticsAt(t, ctx, []string{refusing, url}, a.Prefix())
	r := rollup(uuid.NewString(), "2025-01-01T00", "ES", "tv", 3, 1, 1, 0)
	for i := range 6 { // round robin: each node is first in turn
		if err := b.AddRollups(ctx, []streaming.Rollup{r}); err != nil {
			t.Fatalf("add %d with one node refusing: %v", i, err)
		}
	}
	if got, want := stored(t, ctx, a, r), metricsOf(r, r, r, r, r, r); got != want {
		t.Errorf("%+v, want %+v", got, want)
	}
}
