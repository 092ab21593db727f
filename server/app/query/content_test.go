package query_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/streamingplatform/streaming/server/app/query"
	"github.com/streamingplatform/streaming/server/streaming"
)

func TestContent(t *testing.T) {
	title := streaming.Content{ID: "c1", Title: "Held", Version: 3}
	tests := []struct {
		name     string
		held     map[string]streaming.Content
		viewsErr error
		source   func(ids []string) ([]streaming.Content, error)
		putErr   error
		want     string // title
		rebuilt  bool
		code     streaming.Code
		message  string
	}{
		{name: "from the read model", held: map[string]streaming.Content{"c1": title}, want: "Held"},
		{name: "miss rebuilt from the source of truth", source: func(ids []string) ([]streaming.Content, error) {
			return []streaming.Content{{ID: "c1", Title: "Rebuilt", Version: 4}}, nil
		}, want: "Rebuilt", rebuilt: true},
		{name: "a rebuild that is not stored still answers", source: func(ids []string) ([]streaming.Content, error) {
			return []streaming.Content{{ID: "c1", Title: "Rebuilt"}}, nil
		}, putErr: errDown, want: "Rebuilt", rebuilt: true},
		{name: "unknown title", source: func(ids []string) ([]streaming.Content, error) { return nil, nil },
			code: streaming.CodeNotFound, message: "content c1 not found"},
		{name: "read model down", viewsErr: errDown, code: streaming.CodeUnavailable},
		{name: "source of truth down", source: func(ids []string) ([]streaming.Content, error) {
			return nil, streaming.Unavailable("PostgreSQL", nil)
		}, code: streaming.CodeUnavailable, message: "PostgreSQL is unavailable, retry later"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cat := &catalog{held: tc.held}
			views := cat.views()
			if tc.viewsErr != nil {
				views.contents = func([]string) (map[string]streaming.Content, error) { return nil, tc.viewsErr }
			}
			views.putContent = func(c streaming.Content) error { cat.put = append(cat.put, c); return tc.putErr }
			var sourced [][]string
			source := &fakeSource{contentsByID: func(ids []string) ([]streaming.Content, error) {
				sourced = append(sourced, ids)
				return tc.source(ids)
			}}
			log, logged := testLog()
			h := &query.Handler{Views: views, Store: source, Log: log}
			c, err := h.Content(t.Context(), "c1")
			wantErr(t, err, tc.code, tc.message)
			if tc.code != "" {
				if c != nil {
					t.Fatalf("failed read returned %+v", c)
				}
				return
			}
			if c.Title != tc.want {
				t.Fatalf("content = %+v, want %q", c, tc.want)
			}
			if tc.rebuilt != (len(sourced) == 1) || (tc.rebuilt && !slices.Equal(sourced[0], []string{"c1"})) {
				t.Fatalf("source of truth read %v, want a rebuild: %v", sourced, tc.rebuilt)
			}
			if tc.rebuilt && (len(cat.put) != 1 || cat.put[0].Title != tc.want) {
				t.Fatalf("put back %+v", cat.put)
			}
			if (tc.putErr != nil) != strings.Contains(logged.String(), "rebuild not stored") {
				t.Fatalf("log %q; want a warning only when the rebuild is not stored", logged)
			}
		})
	}
}

func TestSearch(t *testing.T) {
	q := streaming.SearchQuery{Text: "space", Genres: []string{"sci-fi"}, MinRating: 3, PageSize: 5, PageToken: "t"}
	want := &streaming.SearchResult{TotalHits: 1, Hits: []streaming.SearchHit{{Content: streaming.Content{ID: "c1"}}}}
	for _, fail := range []bool{false, true} {
		var got streaming.SearchQuery
		h := &query.Handler{Index: &fakeIndex{search: func(sq streaming.SearchQuery) (*streaming.SearchResult, error) {
			got = sq
			if fail {
				return nil, streaming.Unavailable("search", nil)
			}
			return want, nil
		}}}
		res, err := h.Search(t.Context(), q)
		if got.Text != "space" || !slices.Equal(got.Genres, q.Genres) || got.MinRating != 3 || got.PageSize != 5 || got.PageToken != "t" {
			t.Fatalf("searched %+v, want %+v", got, q)
		}
		if fail {
			wantErr(t, err, streaming.CodeUnavailable, "search is unavailable, retry later")
			continue
		}
		if err != nil || res != want {
			t.Fatalf("Search = %+v, %v", res, err)
		}
	}
}
