package query

import (
	"context"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// TrendingTitle is a title with its plays over the window.
type TrendingTitle struct {
	Content streaming.Content
	Plays   int64
}

// Trending returns the most played catalog titles over the window (an hour, a day or a week) ending now. Counted
// ids that are not in the catalog are left out.
func (h *Handler) Trending(ctx context.Context, window time.Duration, limit int) ([]TrendingTitle, error) {
	return h.trending(ctx, window, limit, nil)
}

// trending is Trending restricted to titles that keep returns true for (nil keeps all). It reads a few times the
// limit from the counters so that filtering still fills the page in the common case.
func (h *Handler) trending(ctx context.Context, window time.Duration, limit int, keep func(streaming.Content) bool) ([]TrendingTitle, error) {
	want := limit * 2
	if keep != nil {
		want = limit * 10
	}
	top, err := h.Counters.Top(ctx, h.now(), window, want)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(top))
	for i, t := range top {
		ids[i] = t.ContentID
	}
	titles, err := h.contents(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]TrendingTitle, 0, limit)
	for _, t := range top {
		c, ok := titles[t.ContentID]
		if !ok || (keep != nil && !keep(c)) {
			continue
		}
		out = append(out, TrendingTitle{Content: c, Plays: t.Plays})
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
