package query_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/app/query"
	"github.com/streamingplatform/streaming/server/streaming"
)

// counted is a trending counter over the given items, answering the first limit of them and recording each limit.
func counted(items []streaming.TrendingItem, limits *[]int, window time.Duration) *fakeCounters {
	return &fakeCounters{top: func(now time.Time, w time.Duration, limit int) ([]streaming.TrendingItem, error) {
		if !now.Equal(at) || w != window {
			return nil, fmt.Errorf("asked at %s over %s, want %s over %s", now, w, at, window)
		}
		*limits = append(*limits, limit)
		return items[:min(limit, len(items))], nil
	}}
}

func titles(ids ...string) map[string]streaming.Content {
	out := map[string]streaming.Content{}
	for _, id := range ids {
		out[id] = streaming.Content{ID: id, Title: "title " + id}
	}
	return out
}

func items(ids ...string) []streaming.TrendingItem {
	out := make([]streaming.TrendingItem, len(ids))
	for i, id := range ids {
		out[i] = streaming.TrendingItem{ContentID: id, Viewers: int64(1000 - i)}
	}
	return out
}

func TestTrending(t *testing.T) {
	// 30 counted ids unknown to the catalog, then known ones.
	unknown := make([]string, 30)
	for i := range unknown {
		unknown[i] = fmt.Sprintf("gone%02d", i)
	}
	many := make([]string, 6000)
	for i := range many {
		many[i] = fmt.Sprintf("gone%04d", i)
	}
	tests := []struct {
		name   string
		counts []streaming.TrendingItem
		known  map[string]streaming.Content
		limit  int
		want   []string
		limits []int
	}{
		{name: "most played first, unknown ids left out", counts: items("a", "x", "b", "c"), known: titles("a", "b", "c"),
			limit: 2, want: []string{"a", "b"}, limits: []int{20}},
		{name: "fewer counted than the limit", counts: items("a", "b"), known: titles("a", "b"), limit: 5,
			want: []string{"a", "b"}, limits: []int{20}},
		{name: "a page of unknown ids reads a bigger page", counts: items(append(slices.Clone(unknown), "a", "b")...),
			known: titles("a", "b"), limit: 1, want: []string{"a"}, limits: []int{20, 80}},
		{name: "the scan is bounded", counts: items(many...), known: titles(), limit: 10, want: nil,
			limits: []int{20, 80, 320, 1280, 5120}},
		{name: "nothing counted", known: titles(), limit: 3, want: nil, limits: []int{20}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var limits []int
			cat := &catalog{held: tc.known}
			views := cat.views()
			h := &query.Handler{Counters: counted(tc.counts, &limits, time.Hour), Views: views, Now: clock,
				Store: &fakeSource{contentsByID: func([]string) ([]streaming.Content, error) { return nil, nil }}}
			got, err := h.Trending(t.Context(), time.Hour, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for i, tt := range got {
				ids = append(ids, tt.Content.ID)
				if tt.Content.Title != "title "+tt.Content.ID || tt.Viewers <= 0 || (i > 0 && tt.Viewers >= got[i-1].Viewers) {
					t.Fatalf("trending %d = %+v", i, tt)
				}
			}
			if !slices.Equal(ids, tc.want) || !slices.Equal(limits, tc.limits) {
				t.Fatalf("trending %v after reading %v; want %v after %v", ids, limits, tc.want, tc.limits)
			}
			// Each page looks up only the ids it has not seen.
			seen := map[string]bool{}
			for _, ask := range cat.asked {
				for _, id := range ask {
					if seen[id] {
						t.Fatalf("looked up %s twice", id)
					}
					seen[id] = true
				}
			}
		})
	}
	t.Run("counters down", func(t *testing.T) {
		h := &query.Handler{Now: clock, Counters: &fakeCounters{top: func(time.Time, time.Duration, int) ([]streaming.TrendingItem, error) {
			return nil, errDown
		}}}
		_, err := h.Trending(t.Context(), time.Hour, 5)
		wantErr(t, err, streaming.CodeUnavailable, "")
	})
	t.Run("catalog down", func(t *testing.T) {
		var limits []int
		h := &query.Handler{Now: clock, Counters: counted(items("a"), &limits, 24*time.Hour),
			Views: &fakeViews{contents: func([]string) (map[string]streaming.Content, error) { return nil, errDown }}}
		_, err := h.Trending(t.Context(), 24*time.Hour, 5)
		wantErr(t, err, streaming.CodeUnavailable, "")
	})
}
