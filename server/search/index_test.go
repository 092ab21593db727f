package search_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/app/query"
	"github.com/streamingplatform/streaming/server/search"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Every test works on an alias and index of its own, so tests never see each other's (or anyone's) documents.

func searchURL(t *testing.T) string {
	t.Helper()
	s := storetest.Settings(t)
	storetest.Require(t, "search server", strings.TrimPrefix(s.SearchURL(), "http://"))
	return s.SearchURL()
}

// newAlias returns a fresh alias name and deletes its versioned index (and any extra indices named) when the test
// ends.
func newAlias(t *testing.T, url string, extra ...string) string {
	t.Helper()
	alias := "content_test_" + storetest.Unique()
	t.Cleanup(func() {
		for _, index := range append([]string{alias + "_v" + strconv.Itoa(search.MappingVersion)}, extra...) {
			index = strings.ReplaceAll(index, "{alias}", alias)
			if code, body := raw(t, http.MethodDelete, url+"/"+index, nil); code != http.StatusOK && code != http.StatusNotFound {
				t.Errorf("delete index %s: %d %v", index, code, body)
			}
		}
	})
	return alias
}

func openIndex(t *testing.T) (*search.Index, context.Context, string) {
	t.Helper()
	url := searchURL(t)
	ctx := storetest.Context(t, 2*time.Minute)
	x, closeIndex, err := search.Open(ctx, search.Config{URLs: []string{url}, Alias: newAlias(t, url)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeIndex)
	return x, ctx, url
}

// raw sends a request straight to the server (outside the package under test) and decodes the JSON answer.
func raw(t *testing.T, method, url string, body any) (int, map[string]any) {
	t.Helper()
	var r *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	} else {
		r = bytes.NewReader(nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // also used from t.Cleanup
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// dig walks nested JSON objects.
func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func event(typ string, c streaming.Content) streaming.Event {
	b, err := json.Marshal(streaming.NewContentPayload(&c))
	if err != nil {
		panic(err)
	}
	return streaming.Event{AggregateType: streaming.AggregateContent, AggregateID: c.ID, Version: c.Version,
		Type: typ, Payload: b, OccurredAt: time.Now()}
}

// ratingEvent is a ContentRatingAggregated event of the title at its version.
func ratingEvent(id string, version int64, avg float64, count, seq int64) streaming.Event {
	b, err := json.Marshal(streaming.RatingAggregatePayload{ContentID: id, RatingAvg: avg, RatingCount: count, RatingSeq: seq})
	if err != nil {
		panic(err)
	}
	return streaming.Event{AggregateType: streaming.AggregateContent, AggregateID: id, Version: version,
		Type: streaming.EventContentRatingAggregated, Payload: b, OccurredAt: time.Now()}
}

func title(id, name string, version int64) streaming.Content {
	return streaming.Content{ID: id, Title: name, Description: "about " + name, Type: streaming.ContentMovie,
		Genres: []string{"drama"}, Actors: []string{"Ana Torres", "Luis Gil"}, ReleaseYear: 2020, DurationSeconds: 5400,
		RatingAvg: 3.5, RatingCount: 2, Version: version,
		UpdatedAt: time.Date(2025, 3, 4, 5, 6, 7, 123456000, time.UTC)} // microseconds, as PostgreSQL keeps them
}

func TestEnsureIndex(t *testing.T) {
	url := searchURL(t)
	checkLayout := func(t *testing.T, alias string) {
		t.Helper()
		index := alias + "_v" + strconv.Itoa(search.MappingVersion)
		code, aliases := raw(t, http.MethodGet, url+"/_alias/"+alias, nil)
		if code != http.StatusOK || len(aliases) != 1 || aliases[index] == nil {
			t.Fatalf("alias %s -> %d %v, want exactly %s", alias, code, aliases, index)
		}
		_, m := raw(t, http.MethodGet, url+"/"+index+"/_mapping", nil)
		mappings := dig(m, index, "mappings")
		for _, c := range []struct {
			path []string
			want any
		}{
			{[]string{"dynamic"}, "strict"},
			{[]string{"_meta", "mapping_version"}, float64(search.MappingVersion)},
			{[]string{"properties", "title", "analyzer"}, nil}, // standard is the default, not written back
			{[]string{"properties", "title", "fields", "es", "analyzer"}, "spanish"},
			{[]string{"properties", "title", "fields", "keyword", "type"}, "keyword"},
			{[]string{"properties", "description", "fields", "es", "analyzer"}, "spanish"},
			{[]string{"properties", "actors", "fields", "keyword", "type"}, "keyword"},
			{[]string{"properties", "genres", "type"}, "keyword"},
			{[]string{"properties", "id", "type"}, "keyword"},
			{[]string{"properties", "rating_avg", "type"}, "float"},
			{[]string{"properties", "rating_count", "type"}, "long"},
			{[]string{"properties", "updated_at", "type"}, "date"},
		} {
			if got := dig(mappings, c.path...); got != c.want && !(c.want == nil && got == "standard") {
				t.Errorf("mapping %s = %v, want %v", strings.Join(c.path, "."), got, c.want)
			}
		}
	}

	t.Run("twice", func(t *testing.T) {
		x, ctx, _ := openIndex(t)
		if err := x.EnsureIndex(ctx); err != nil {
			t.Fatalf("second EnsureIndex: %v", err)
		}
		checkLayout(t, x.Alias())
		if err := x.Ping(ctx); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})

	t.Run("concurrently", func(t *testing.T) {
		alias := newAlias(t, url)
		ctx := storetest.Context(t, time.Minute)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				_, closeIndex, err := search.Open(ctx, search.Config{URLs: []string{url}, Alias: alias})
				if err == nil {
					closeIndex()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("Open #%d: %v", i, err)
			}
		}
		checkLayout(t, alias)
	})

	t.Run("alias on another mapping version", func(t *testing.T) {
		alias := newAlias(t, url, "{alias}_v0")
		old := alias + "_v0"
		if code, body := raw(t, http.MethodPut, url+"/"+old, map[string]any{
			"settings": map[string]any{"number_of_shards": 1, "number_of_replicas": 0},
			"mappings": map[string]any{"_meta": map[string]any{"mapping_version": 0}},
			"aliases":  map[string]any{alias: map[string]any{}},
		}); code != http.StatusOK {
			t.Fatalf("create %s: %d %v", old, code, body)
		}
		_, _, err := search.Open(storetest.Context(t, time.Minute), search.Config{URLs: []string{url}, Alias: alias})
		if err == nil || !strings.Contains(err.Error(), "reindex") {
			t.Fatalf("Open with the alias on a v0 index: %v, want a reindex error", err)
		}
		// The alias was left where it was, and no index of this version was made: that is Rebuild's work.
		_, aliases := raw(t, http.MethodGet, url+"/_alias/"+alias, nil)
		if len(aliases) != 1 || aliases[old] == nil {
			t.Errorf("alias moved: %v", aliases)
		}
		if code, _ := raw(t, http.MethodGet, url+"/"+alias+"_v"+strconv.Itoa(search.MappingVersion), nil); code != http.StatusNotFound {
			t.Errorf("GET the index of this version = %d, want 404", code)
		}
	})
}

func TestProjector(t *testing.T) {
	x, ctx, url := openIndex(t)
	p := x.Projector()
	if p.Name() != "search" {
		t.Errorf("Name() = %q", p.Name())
	}
	a, b, c := uuid.NewString(), uuid.NewString(), uuid.NewString()
	user, _ := json.Marshal(streaming.UserPayload{UserID: uuid.NewString(), Email: "x@example.com"})

	get := func(t *testing.T, id string) (*streaming.Content, int64) {
		t.Helper()
		got, v, found, err := x.Get(ctx, id)
		if err != nil || !found {
			t.Fatalf("Get(%s) = found %v, %v", id, found, err)
		}
		return got, v
	}
	seqNo := func(t *testing.T, id string) any {
		t.Helper()
		_, doc := raw(t, http.MethodGet, url+"/"+x.Alias()+"/_doc/"+id, nil)
		return doc["_seq_no"]
	}
	project := func(t *testing.T, events ...streaming.Event) {
		t.Helper()
		if err := p.Project(ctx, events); err != nil {
			t.Fatalf("Project: %v", err)
		}
	}

	// One batch: three titles, a rating, and events that are other projectors' business.
	rated := title(c, "Rated", 2)
	rated.RatingAvg, rated.RatingCount = 4.5, 3
	ratedEvent := event(streaming.EventContentRated, rated)
	ratedEvent.Payload, _ = json.Marshal(func() streaming.ContentPayload {
		pl := streaming.NewContentPayload(&rated)
		pl.RatedBy, pl.Stars = uuid.NewString(), 5
		return pl
	}())
	batch := []streaming.Event{
		event(streaming.EventContentUpserted, title(a, "Alpha", 1)),
		{AggregateType: streaming.AggregateUser, AggregateID: "u1", Version: 1, Type: streaming.EventUserRegistered, Payload: user},
		event(streaming.EventContentUpserted, title(b, "Beta", 1)),
		event(streaming.EventContentUpserted, title(c, "Gamma", 1)),
		ratedEvent,
		{AggregateType: "plan", AggregateID: "p1", Version: 1, Type: streaming.EventPlanCreated, Payload: json.RawMessage(`"not a plan"`)},
	}
	project(t, batch...)
	if err := x.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := x.Count(ctx); err != nil || n != 3 {
		t.Fatalf("Count = %d, %v; want 3", n, err)
	}
	for _, want := range []streaming.Content{title(a, "Alpha", 1), title(b, "Beta", 1), rated} {
		got, v := get(t, want.ID)
		if v != want.Version {
			t.Errorf("%s indexed at version %d, want %d", want.Title, v, want.Version)
		}
		if diff := cmp.Diff(want, *got); diff != "" {
			t.Errorf("%s as indexed (-want +got):\n%s", want.Title, diff)
		}
	}
	if _, _, found, err := x.Get(ctx, uuid.NewString()); found || err != nil {
		t.Errorf("Get(unknown) = found %v, %v", found, err)
	}

	t.Run("replaying the batch changes nothing", func(t *testing.T) {
		before := seqNo(t, a)
		project(t, batch...)
		if after := seqNo(t, a); after != before {
			t.Errorf("_seq_no %v -> %v: the replay rewrote the document", before, after)
		}
		if got, v := get(t, c); v != 2 || got.RatingAvg != 4.5 {
			t.Errorf("after replay: v%d rating %v, want v2 4.5", v, got.RatingAvg)
		}
	})

	t.Run("an older version after a newer is ignored", func(t *testing.T) {
		project(t, event(streaming.EventContentUpserted, title(a, "Alpha v3", 3)))
		project(t, event(streaming.EventContentUpserted, title(a, "Alpha v2", 2)))
		if got, v := get(t, a); v != 3 || got.Title != "Alpha v3" {
			t.Errorf("got %q v%d, want Alpha v3 v3", got.Title, v)
		}
	})

	t.Run("a batch keeps the latest version of each title", func(t *testing.T) {
		project(t,
			event(streaming.EventContentUpserted, title(b, "Beta v5", 5)),
			event(streaming.EventContentUpserted, title(b, "Beta v4", 4)),
			event(streaming.EventContentUpserted, title(c, "Gamma v6", 6)),
			event(streaming.EventContentRated, title(c, "Gamma v7", 7)),
		)
		for _, want := range []streaming.Content{title(b, "Beta v5", 5), title(c, "Gamma v7", 7)} {
			if got, v := get(t, want.ID); got.Title != want.Title || v != want.Version || got.Version != v {
				t.Errorf("got %q v%d (Version %d), want %q v%d", got.Title, v, got.Version, want.Title, want.Version)
			}
		}
	})

	t.Run("rating figures are a partial update at the title's version", func(t *testing.T) {
		d := uuid.NewString()
		project(t, event(streaming.EventContentUpserted, title(d, "Delta", 4)))
		project(t, ratingEvent(d, 4, 4.25, 8, 1), ratingEvent(d, 4, 4.5, 10, 3), ratingEvent(d, 4, 4.0, 9, 2))
		want := title(d, "Delta", 4)
		want.RatingAvg, want.RatingCount = 4.5, 10 // the newest figures of the batch; the rest as indexed
		if got, v := get(t, d); v != 4 || cmp.Diff(want, *got) != "" {
			t.Errorf("after figures: v%d (-want +got):\n%s", v, cmp.Diff(want, *got))
		}
		// The title's next catalog change is not refused as old (an update request would have bumped the version).
		project(t, event(streaming.EventContentUpserted, title(d, "Delta v5", 5)))
		if got, v := get(t, d); v != 5 || got.Title != "Delta v5" {
			t.Errorf("catalog change after figures: %q v%d, want Delta v5 v5", got.Title, v)
		}
		// Figures after a whole title in one batch apply on top of it; figures of a title not indexed are skipped.
		missing := uuid.NewString()
		project(t, event(streaming.EventContentUpserted, title(d, "Delta v6", 6)), ratingEvent(d, 6, 1.5, 2, 4),
			ratingEvent(missing, 1, 5, 1, 1))
		if got, v := get(t, d); v != 6 || got.Title != "Delta v6" || got.RatingAvg != 1.5 || got.RatingCount != 2 {
			t.Errorf("whole title then figures: %+v v%d", got, v)
		}
		if _, _, found, err := x.Get(ctx, missing); found || err != nil {
			t.Errorf("figures of an unindexed title created a document: found %v, %v", found, err)
		}
		// The same title again (as a redelivery or a rebuild's second pass sends it) with newer figures: the title is
		// refused as not newer, the figures still apply; with an older title they do not.
		before := seqNo(t, d)
		project(t, event(streaming.EventContentUpserted, title(d, "Delta v6", 6)), ratingEvent(d, 6, 1.5, 2, 4))
		if after := seqNo(t, d); after != before {
			t.Errorf("_seq_no %v -> %v: unchanged figures rewrote the document", before, after)
		}
		project(t, event(streaming.EventContentUpserted, title(d, "Delta v6", 6)), ratingEvent(d, 6, 2.5, 3, 5))
		if got, v := get(t, d); v != 6 || got.Title != "Delta v6" || got.RatingAvg != 2.5 || got.RatingCount != 3 {
			t.Errorf("same title, newer figures: %+v v%d, want v6 with 2.5 from 3", got, v)
		}
		project(t, event(streaming.EventContentUpserted, title(d, "Delta v5", 5)), ratingEvent(d, 5, 4.5, 1, 1))
		if got, v := get(t, d); v != 6 || got.RatingAvg != 2.5 || got.RatingCount != 3 {
			t.Errorf("older title with its figures: %+v v%d, want v6 with 2.5 from 3", got, v)
		}
	})

	t.Run("an undecodable payload is an error naming the event", func(t *testing.T) {
		bad := streaming.Event{AggregateType: streaming.AggregateContent, AggregateID: "c-bad", Version: 9,
			Type: streaming.EventContentUpserted, Payload: json.RawMessage(`{"content_id": 5}`)}
		err := p.Project(ctx, []streaming.Event{event(streaming.EventContentUpserted, title(a, "Alpha v10", 10)), bad})
		if err == nil || !strings.Contains(err.Error(), "c-bad") {
			t.Fatalf("Project = %v, want an error naming c-bad", err)
		}
		if got, _ := get(t, a); got.Title != "Alpha v3" {
			t.Errorf("a batch with a bad event was partly applied: %q", got.Title)
		}
	})
}

// A document the index refuses (here: a mapping that does not fit) is an error naming it; the conflicts of older
// versions in the same batch are not.
func TestProjectorItemFailure(t *testing.T) {
	url := searchURL(t)
	ctx := storetest.Context(t, time.Minute)
	alias := newAlias(t, url)
	index := alias + "_v" + strconv.Itoa(search.MappingVersion)
	if code, body := raw(t, http.MethodPut, url+"/"+index, map[string]any{
		"settings": map[string]any{"number_of_shards": 1, "number_of_replicas": 0},
		"mappings": map[string]any{"properties": map[string]any{"release_year": map[string]any{"type": "date", "format": "yyyy-MM-dd"}}},
		"aliases":  map[string]any{alias: map[string]any{}},
	}); code != http.StatusOK {
		t.Fatalf("create %s: %d %v", index, code, body)
	}
	x, _, err := search.Open(ctx, search.Config{URLs: []string{url}, Alias: alias, Lazy: true}) // no EnsureIndex: it would refuse this index
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	id := uuid.NewString()
	err = x.Projector().Project(ctx, []streaming.Event{event(streaming.EventContentUpserted, title(id, "Broken", 1))})
	if err == nil || !strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), "mapper_parsing_exception") {
		t.Fatalf("Project = %v, want an error naming %s and the reason", err, id)
	}
	if streaming.ErrorCode(err) == streaming.CodeUnavailable {
		t.Errorf("a refused document is not an outage: %v", err)
	}
}

// catalog is a small known catalog, Spanish and English.
var catalog = []streaming.Content{
	{Title: "The Great Adventure", Description: "A journey across the mountains.", Genres: []string{"adventure"}, RatingAvg: 4.6},
	{Title: "El Mar", Description: "Dos hermanos viven aventuras en el océano.", Genres: []string{"adventure", "drama"}, RatingAvg: 3.8},
	{Title: "Los Golpistas", Description: "Una banda de ladrones planea un golpe.", Genres: []string{"crime"}, RatingAvg: 4.2},
	{Title: "Comedy Night", Description: "Stand-up jokes all night.", Genres: []string{"comedy"}, RatingAvg: 2.5},
	{Title: "Quiet Drama", Description: "A family story.", Genres: []string{"drama"}, RatingAvg: 5.0},
	{Title: "Space Documentary", Description: "Planets and stars.", Genres: []string{"documentary"}, RatingAvg: 0.9},
	{Title: "Laugh Out Loud", Description: "Sketch comedy about a family.", Genres: []string{"comedy", "drama"}, RatingAvg: 4.0},
}

func load(t *testing.T, ctx context.Context, x *search.Index, titles []streaming.Content) map[string]streaming.Content {
	t.Helper()
	byTitle := map[string]streaming.Content{}
	var events []streaming.Event
	for _, c := range titles {
		c.ID, c.Version, c.Type, c.UpdatedAt = uuid.NewString(), 1, streaming.ContentMovie, time.Now().UTC().Truncate(time.Microsecond)
		c.RatingCount = 1
		byTitle[c.Title] = c
		events = append(events, event(streaming.EventContentUpserted, c))
	}
	if err := x.Projector().Project(ctx, events); err != nil {
		t.Fatal(err)
	}
	if err := x.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	return byTitle
}

// buckets builds facet buckets from value, count pairs.
func buckets(pairs ...any) []streaming.FacetBucket {
	out := []streaming.FacetBucket{}
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, streaming.FacetBucket{Value: pairs[i].(string), Count: int64(pairs[i+1].(int))})
	}
	return out
}

func titles(r *streaming.SearchResult) []string {
	out := []string{}
	for _, h := range r.Hits {
		out = append(out, h.Content.Title)
	}
	return out
}

func TestSearch(t *testing.T) {
	x, ctx, _ := openIndex(t)
	byTitle := load(t, ctx, x, catalog)

	for _, c := range []struct {
		name string
		q    streaming.SearchQuery
		want []string // in any order
	}{
		{"everything", streaming.SearchQuery{}, []string{"The Great Adventure", "El Mar", "Los Golpistas", "Comedy Night", "Quiet Drama", "Space Documentary", "Laugh Out Loud"}},
		// "aventura" finds "aventuras" (same Spanish stem, and one typo away), and also "Adventure": two edits away,
		// within fuzziness AUTO.
		{"spanish plural", streaming.SearchQuery{Text: "aventura"}, []string{"El Mar", "The Great Adventure"}},
		// "ladrón" is three edits from "ladrones": only the Spanish analyzer (stem "ladron") can find it.
		{"spanish stem beyond typos", streaming.SearchQuery{Text: "ladrón"}, []string{"Los Golpistas"}},
		// "advnture" is one edit from "adventure". Typos are matched against the words as written, not the Spanish
		// stems, so it does not reach "aventuras" (four edits), which a fuzzy match on the stems would.
		{"typo", streaming.SearchQuery{Text: "advnture"}, []string{"The Great Adventure"}},
		// A misspelt Spanish plural: "aventras" is one edit from "aventuras".
		{"typo in a spanish word", streaming.SearchQuery{Text: "aventras"}, []string{"El Mar"}},
		{"typo in title word", streaming.SearchQuery{Text: "comdy"}, []string{"Comedy Night", "Laugh Out Loud"}},
		{"no match", streaming.SearchQuery{Text: "zebra"}, []string{}},
		{"genres are any of", streaming.SearchQuery{Genres: []string{"crime", "documentary"}}, []string{"Los Golpistas", "Space Documentary"}},
		{"min rating includes the bound", streaming.SearchQuery{MinRating: 4}, []string{"The Great Adventure", "Los Golpistas", "Quiet Drama", "Laugh Out Loud"}},
		{"the seed's query", streaming.SearchQuery{Text: "family", Genres: []string{"drama"}, MinRating: 4.5}, []string{"Quiet Drama"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := x.Search(ctx, sized(c.q))
			if err != nil {
				t.Fatal(err)
			}
			got := titles(r)
			if diff := cmp.Diff(slices.Sorted(slices.Values(c.want)), slices.Sorted(slices.Values(got))); diff != "" {
				t.Errorf("titles (-want +got):\n%s", diff)
			}
			if r.TotalHits != int64(len(c.want)) || r.NextPageToken != "" {
				t.Errorf("total %d, next %q; want %d, \"\"", r.TotalHits, r.NextPageToken, len(c.want))
			}
		})
	}

	t.Run("hits carry the indexed title", func(t *testing.T) {
		r, err := x.Search(ctx, sized(streaming.SearchQuery{Text: "ladrones"}))
		if err != nil || len(r.Hits) != 1 {
			t.Fatalf("Search = %v, %v", r, err)
		}
		if diff := cmp.Diff(byTitle["Los Golpistas"], r.Hits[0].Content); diff != "" {
			t.Errorf("hit (-want +got):\n%s", diff)
		}
		if r.Hits[0].Score <= 0 {
			t.Errorf("score %v, want > 0", r.Hits[0].Score)
		}
	})

	t.Run("a title match outranks a description match", func(t *testing.T) {
		r, err := x.Search(ctx, sized(streaming.SearchQuery{Text: "comedy"}))
		if err != nil {
			t.Fatal(err)
		}
		if got := titles(r); len(got) != 2 || got[0] != "Comedy Night" {
			t.Errorf("order %v, want Comedy Night first", got)
		}
	})

	t.Run("facets", func(t *testing.T) {
		for _, c := range []struct {
			name string
			q    streaming.SearchQuery
			want []streaming.Facet
		}{
			{"whole catalog", streaming.SearchQuery{}, []streaming.Facet{
				{Name: "genres", Buckets: buckets("drama", 3, "adventure", 2, "comedy", 2, "crime", 1, "documentary", 1)},
				// 4.0 opens "4-5" and 5.0 closes it.
				{Name: "rating", Buckets: buckets("0-1", 1, "1-2", 0, "2-3", 1, "3-4", 1, "4-5", 4)},
			}},
			{"facets count the filtered matches", streaming.SearchQuery{Genres: []string{"comedy"}}, []streaming.Facet{
				{Name: "genres", Buckets: buckets("comedy", 2, "drama", 1)},
				{Name: "rating", Buckets: buckets("0-1", 0, "1-2", 0, "2-3", 1, "3-4", 0, "4-5", 1)},
			}},
			{"no match", streaming.SearchQuery{Text: "zebra"}, []streaming.Facet{
				{Name: "genres", Buckets: []streaming.FacetBucket{}},
				{Name: "rating", Buckets: buckets("0-1", 0, "1-2", 0, "2-3", 0, "3-4", 0, "4-5", 0)},
			}},
		} {
			t.Run(c.name, func(t *testing.T) {
				r, err := x.Search(ctx, sized(c.q))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(c.want, r.Facets); diff != "" {
					t.Errorf("facets (-want +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("request body", func(t *testing.T) {
		for _, c := range []struct {
			size, want int
		}{{1, 1}, {7, 7}, {500, search.MaxPageSize}} {
			body, err := x.Request(streaming.SearchQuery{Text: "mar", PageSize: c.size})
			if err != nil {
				t.Fatal(err)
			}
			if body["size"] != c.want || body["track_total_hits"] != true || body["version"] != true {
				t.Errorf("PageSize %d: size %v, track_total_hits %v, version %v", c.size, body["size"], body["track_total_hits"], body["version"])
			}
		}
		for _, size := range []int{-1, 0} {
			if _, err := x.Search(ctx, streaming.SearchQuery{PageSize: size}); streaming.ErrorCode(err) != streaming.CodeInvalid {
				t.Errorf("PageSize %d: %v, want invalid (the default is the query side's)", size, err)
			}
		}
	})
}

func TestSearchPaging(t *testing.T) {
	x, ctx, _ := openIndex(t)
	// 23 matches of "serie" in four score groups (the word's frequency varies), so pages cross ties broken by id;
	// 20 of them are genre "a". Three titles do not match.
	var titlesIn []streaming.Content
	for i := range 23 {
		genre := "a"
		if i >= 20 {
			genre = "b"
		}
		titlesIn = append(titlesIn, streaming.Content{Title: fmt.Sprintf("Show %02d", i), Genres: []string{genre},
			Description: strings.Repeat("serie ", 1+i%4) + "final", RatingAvg: float64(i % 5)})
	}
	for i := range 3 {
		titlesIn = append(titlesIn, streaming.Content{Title: fmt.Sprintf("Other %d", i), Description: "nada", Genres: []string{"a"}})
	}
	load(t, ctx, x, titlesIn)

	walk := func(t *testing.T, q streaming.SearchQuery) (ids []string, pages int) {
		t.Helper()
		var first *streaming.SearchResult
		for {
			r, err := x.Search(ctx, sized(q))
			if err != nil {
				t.Fatalf("page %d: %v", pages+1, err)
			}
			pages++
			if first == nil {
				first = r
			} else if r.TotalHits != first.TotalHits || !cmp.Equal(r.Facets, first.Facets) {
				t.Errorf("page %d: total %d facets %v differ from page 1's %d %v", pages, r.TotalHits, r.Facets, first.TotalHits, first.Facets)
			}
			for _, h := range r.Hits {
				ids = append(ids, h.Content.ID)
			}
			if r.NextPageToken == "" {
				return ids, pages
			}
			if pages > 50 {
				t.Fatal("paging does not end")
			}
			q.PageToken = r.NextPageToken
		}
	}

	for _, c := range []struct {
		name      string
		q         streaming.SearchQuery
		wantTotal int
		wantPages int
	}{
		{"last page short", streaming.SearchQuery{Text: "serie", PageSize: 5}, 23, 5},
		// 20 matches in pages of 5: the fourth page says there is no fifth, rather than leading to an empty one.
		{"last page full", streaming.SearchQuery{Text: "serie", Genres: []string{"a"}, PageSize: 5}, 20, 4},
		{"match all", streaming.SearchQuery{PageSize: 7}, 26, 4},
		{"one page", streaming.SearchQuery{Text: "serie", PageSize: 23}, 23, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			ids, pages := walk(t, c.q)
			all := c.q
			all.PageSize = search.MaxPageSize
			r, err := x.Search(ctx, sized(all))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			ties := 0
			for i, h := range r.Hits {
				want = append(want, h.Content.ID)
				// Best first; equal scores in id order.
				if i > 0 {
					prev := r.Hits[i-1]
					if prev.Score == h.Score {
						ties++
					}
					if prev.Score < h.Score || prev.Score == h.Score && prev.Content.ID >= h.Content.ID {
						t.Errorf("hit %d (%v, %s) after (%v, %s)", i, h.Score, h.Content.ID, prev.Score, prev.Content.ID)
					}
				}
			}
			if ties == 0 {
				t.Error("no equal scores: the id tie-break is not exercised")
			}
			if len(want) != c.wantTotal || pages != c.wantPages {
				t.Errorf("%d matches in %d pages, want %d in %d", len(want), pages, c.wantTotal, c.wantPages)
			}
			if diff := cmp.Diff(want, ids); diff != "" {
				t.Errorf("paged ids differ from one big page (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("bad tokens", func(t *testing.T) {
		q := streaming.SearchQuery{Text: "serie", Genres: []string{"a", "b"}, PageSize: 5}
		r, err := x.Search(ctx, sized(q))
		if err != nil || r.NextPageToken == "" {
			t.Fatalf("first page: %v, token %q", err, r.NextPageToken)
		}
		token := r.NextPageToken
		// The genres are a set: their order does not make another query.
		same := q
		same.Genres, same.PageToken = []string{"b", "a"}, token
		if _, err := x.Search(ctx, sized(same)); err != nil {
			t.Errorf("token with the genres reordered: %v", err)
		}
		decoded, _ := base64.RawURLEncoding.DecodeString(token)
		var fields map[string]json.RawMessage
		json.Unmarshal(decoded, &fields)
		edit := func(key, value string) string {
			m := map[string]json.RawMessage{}
			for k, v := range fields {
				m[k] = v
			}
			m[key] = json.RawMessage(value)
			b, _ := json.Marshal(m)
			return base64.RawURLEncoding.EncodeToString(b)
		}
		enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		for _, c := range []struct {
			name string
			q    streaming.SearchQuery
		}{
			{"not base64", streaming.SearchQuery{Text: "serie", PageToken: "%%%"}},
			{"not json", streaming.SearchQuery{Text: "serie", PageToken: enc("hello")}},
			{"empty object", streaming.SearchQuery{Text: "serie", PageToken: enc("{}")}},
			{"other text", streaming.SearchQuery{Text: "final", Genres: q.Genres, PageSize: 5, PageToken: token}},
			{"other genres", streaming.SearchQuery{Text: "serie", Genres: []string{"a"}, PageSize: 5, PageToken: token}},
			{"other min rating", streaming.SearchQuery{Text: "serie", Genres: q.Genres, MinRating: 1, PageSize: 5, PageToken: token}},
			{"other page size", streaming.SearchQuery{Text: "serie", Genres: q.Genres, PageSize: 6, PageToken: token}},
			{"edited position", streaming.SearchQuery{Text: "serie", Genres: q.Genres, PageSize: 5, PageToken: edit("a", `[1.5,"zzz"]`)}},
			{"edited count", streaming.SearchQuery{Text: "serie", Genres: q.Genres, PageSize: 5, PageToken: edit("n", `3`)}},
			{"truncated", streaming.SearchQuery{Text: "serie", Genres: q.Genres, PageSize: 5, PageToken: token[:len(token)-4]}},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := x.Search(ctx, sized(c.q))
				if e := streaming.AsError(err); e == nil || e.Code != streaming.CodeInvalid || e.Field != "page_token" {
					t.Errorf("Search = %v, want invalid page_token", err)
				}
			})
		}
	})
}

func TestUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close() // nothing listens there now
	ctx := storetest.Context(t, time.Minute)
	if _, _, err := search.Open(ctx, search.Config{URLs: []string{url}}); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Errorf("Open = %v, want unavailable", err)
	}
	x, _, err := search.Open(ctx, search.Config{URLs: []string{url}, Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"search", func() error { _, err := x.Search(ctx, sized(streaming.SearchQuery{Text: "mar"})); return err }},
		{"search again", func() error { _, err := x.Search(ctx, sized(streaming.SearchQuery{})); return err }},
		{"project", func() error {
			return x.Projector().Project(ctx, []streaming.Event{event(streaming.EventContentUpserted, title(uuid.NewString(), "X", 1))})
		}},
		{"ping", func() error { return x.Ping(ctx) }},
		{"count", func() error { _, err := x.Count(ctx); return err }},
		{"get", func() error { _, _, _, err := x.Get(ctx, "x"); return err }},
		{"ensure index", func() error { return x.EnsureIndex(ctx) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(); streaming.ErrorCode(err) != streaming.CodeUnavailable {
				t.Errorf("%s = %v, want unavailable", c.name, err)
			}
		})
	}
}

// After an outage the first request reaches the server again: the client, which marked the node dead, must not
// refuse it without trying. The outage is a loopback proxy to the real search server that drops every connection
// while down and forwards while up (one listener throughout, so no port has to be taken again).
func TestRecoversAfterOutage(t *testing.T) {
	real, ctx, url := openIndex(t)
	proxy := storetest.NewSwitchProxy(t, strings.TrimPrefix(url, "http://"), false)
	x, _, err := search.Open(ctx, search.Config{URLs: []string{"http://" + proxy.Addr}, Alias: real.Alias(), Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.Ping(ctx); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Fatalf("Ping while down = %v, want unavailable", err)
	}
	proxy.Up()
	if err := x.Ping(ctx); err != nil {
		t.Errorf("first Ping after the server came back = %v", err)
	}
}

// sized gives q the page size the query side gives a request that sets none (the adapter has no default).
func sized(q streaming.SearchQuery) streaming.SearchQuery {
	if q.PageSize == 0 {
		q.PageSize = query.DefaultSearchPageSize
	}
	return q
}

// With several nodes, one that is down does not fail a call while another answers: the client passes over a node
// that refuses connections or drops them, and goes back to it once it answers (nothing marked it dead). The nodes
// are the real search server behind two addresses: directly, and through a loopback proxy switched off and on.
func TestNodeDownIsPassedOver(t *testing.T) {
	real, ctx, url := openIndex(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusing := "http://" + l.Addr().String()
	l.Close() // nothing listens there now
	proxy := storetest.NewSwitchProxy(t, strings.TrimPrefix(url, "http://"), false)
	for name, urls := range map[string][]string{
		"refused":  {refusing, url},
		"dropped":  {"http://" + proxy.Addr, url},
		"only bad": {refusing, "http://" + proxy.Addr},
	} {
		t.Run(name, func(t *testing.T) {
			x, _, err := search.Open(ctx, search.Config{URLs: urls, Alias: real.Alias(), Lazy: true})
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			for i := range 6 { // round robin: each node is first in turn
				err := x.Ping(ctx)
				if name == "only bad" {
					if streaming.ErrorCode(err) != streaming.CodeUnavailable {
						t.Fatalf("Ping %d with no node up = %v, want unavailable", i, err)
					}
				} else if err != nil {
					t.Fatalf("Ping %d with one node down = %v", i, err)
				}
				if _, err := x.Search(ctx, sized(streaming.SearchQuery{Text: "mar"})); err != nil && name != "only bad" {
					t.Fatalf("Search %d with one node down = %v", i, err)
				}
			}
		})
	}
	proxy.Up()
	x, _, err := search.Open(ctx, search.Config{URLs: []string{refusing, "http://" + proxy.Addr}, Alias: real.Alias(), Lazy: true})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.Ping(ctx); err != nil {
		t.Errorf("Ping with the proxied node back = %v", err)
	}
}
