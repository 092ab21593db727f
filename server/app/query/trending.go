package query

import (
	"context"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// TrendingTitle is a title with its viewers over the window.
type TrendingTitle struct {
	Content streaming.Content
	Viewers int64
}

// Trending returns the most watched catalog titles over the window (an hour, a day or a week; DefaultTrendingWindow
// when 0) ending now, at most limit (DefaultTrending when 0). Counted ids that are not in the catalog are left out.
func (h *Handler) Trending(ctx context.Context, window time.Duration, limit int) ([]TrendingTitle, error) {
	return h.trending(ctx, orDefault(window, DefaultTrendingWindow), orDefault(limit, DefaultTrending), nil)
}

// trending is Trending restricted to titles that keep returns true for (nil keeps all). Counted ids may be unknown
// to the catalog (ingest does not look titles up) or filtered out, so it reads the counters in growing pages until
// the page is full or the counters run out.
func (h *Handler) trending(ctx context.Context, window time.Duration, limit int, keep func(streaming.Content) bool) ([]TrendingTitle, error) {
	out := make([]TrendingTitle, 0, limit)
	seen := 0
	for want := max(limit*2, 20); ; want *= 4 {
		top, err := h.Counters.Top(ctx, h.now(), window, want)
		if err != nil {
			return nil, err
		}
		page := top[min(seen, len(top)):]
		ids := make([]string, len(page))
		for i, t := range page {
			ids[i] = t.ContentID
		}
		titles, err := h.contents(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, t := range page {
			c, ok := titles[t.ContentID]
			if !ok || (keep != nil && !keep(c)) {
				continue
			}
			out = append(out, TrendingTitle{Content: c, Viewers: t.Viewers})
			if len(out) == limit {
				return out, nil
			}
		}
		seen = len(top)
		if len(top) < want || want >= maxTrendingScan {
			return out, nil
		}
	}
}

// maxTrendingScan bounds how many counted titles one trending answer looks at.
const maxTrendingScan = 5000
