package query_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/streamingplatform/streaming/server/app/query"
	"github.com/streamingplatform/streaming/server/streaming"
)

type fakeInterests struct{ added []streaming.GenreSearch }

func (f *fakeInterests) Add(s streaming.GenreSearch) { f.added = append(f.added, s) }

// A signed-in user's successful first page of a genre-filtered search feeds their interest; nothing else does.
func TestSearchAsFeedsGenreInterest(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	genres := []string{"drama", "crime"}
	for _, tt := range []struct {
		name   string
		userID string
		q      streaming.SearchQuery
		fail   bool
		want   []streaming.GenreSearch
	}{
		{"user, genres", "u1", streaming.SearchQuery{Text: "x", Genres: genres},
			false, []streaming.GenreSearch{{UserID: "u1", Genres: genres, At: now}}},
		{"no user (admin, service)", "", streaming.SearchQuery{Genres: genres}, false, nil},
		{"no genre filter", "u1", streaming.SearchQuery{Text: "x"}, false, nil},
		{"a later page", "u1", streaming.SearchQuery{Genres: genres, PageToken: "t"}, false, nil},
		{"failed search", "u1", streaming.SearchQuery{Genres: genres}, true, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			interests := &fakeInterests{}
			var reader string
			h := &query.Handler{Interests: interests, Now: func() time.Time { return now },
				Index: &fakeIndex{search: func(q streaming.SearchQuery) (*streaming.SearchResult, error) {
					reader = q.Reader
					if tt.fail {
						return nil, streaming.Unavailable("search", nil)
					}
					return &streaming.SearchResult{}, nil
				}}}
			_, err := h.SearchAs(t.Context(), tt.userID, tt.q)
			if (err != nil) != tt.fail {
				t.Fatalf("SearchAs = %v, want failure %v", err, tt.fail)
			}
			if diff := cmp.Diff(tt.want, interests.added); diff != "" {
				t.Errorf("interests (-want +got):\n%s", diff)
			}
			if reader != tt.userID { // the caller's searches read the same copies of the shards
				t.Errorf("the index was asked for reader %q, want %q", reader, tt.userID)
			}
		})
	}
	// Without Interests, SearchAs is Search.
	h := &query.Handler{Index: &fakeIndex{search: func(streaming.SearchQuery) (*streaming.SearchResult, error) {
		return &streaming.SearchResult{}, nil
	}}}
	if _, err := h.SearchAs(t.Context(), "u1", streaming.SearchQuery{Genres: genres}); err != nil {
		t.Fatal(err)
	}
}
