package query

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Where recommendations came from.
type RecommendationSource int

const (
	FromCache RecommendationSource = iota + 1
	FromGraph
	FromFallback
)

// cachedRecommendations is how many recommendations are computed and cached per user: the most a request may ask
// for, so every limit is served from one cache entry.
const cachedRecommendations = 50

// fallbackWindow is the trending window of the fallback: a day has enough viewers to be meaningful.
const fallbackWindow = 24 * time.Hour

// Recommendations follows the seed: the cache first; else the graph, whose answer is cached for an hour; when the
// graph cannot answer in time, trending titles in the user's genres (not cached, so the graph's answer returns as
// soon as the graph does).
func (h *Handler) Recommendations(ctx context.Context, userID string, limit int) ([]streaming.Recommendation, RecommendationSource, error) {
	limit = min(orDefault(limit, DefaultRecommendations), cachedRecommendations)
	recs, ok, err := h.Recs.CachedRecommendations(ctx, userID, limit)
	if err != nil {
		h.log().Warn("recommendation cache unavailable; computing", "user_id", userID, "err", err)
	}
	if ok {
		return recs, FromCache, nil
	}
	timeout := h.GraphTimeout
	if timeout <= 0 {
		timeout = time.Second
	}
	gctx, cancel := context.WithTimeout(ctx, timeout)
	recs, gerr := h.Graph.Recommend(gctx, userID, cachedRecommendations)
	cancel()
	if gerr == nil {
		if err := h.Recs.CacheRecommendations(ctx, userID, recs); err != nil {
			h.log().Warn("recommendations not cached", "user_id", userID, "err", err)
		}
		return recs[:min(limit, len(recs))], FromGraph, nil
	}
	if ctx.Err() != nil { // the caller gave up: no point in a fallback
		return nil, 0, gerr
	}
	if c := streaming.ErrorCode(gerr); c != streaming.CodeUnavailable && !errors.Is(gerr, context.DeadlineExceeded) {
		return nil, 0, gerr
	}
	h.log().Warn("recommendation graph unavailable; answering with trending titles", "user_id", userID, "err", gerr)
	recs, err = h.fallbackRecommendations(ctx, userID, limit)
	if err != nil {
		return nil, 0, errors.Join(gerr, err)
	}
	return recs, FromFallback, nil
}

// fallbackRecommendations are the day's trending titles in the genres of what the user watched recently (from
// continue-watching in Cassandra, so it needs no graph), leaving out what they watched. A user with no history gets
// the day's trending titles.
func (h *Handler) fallbackRecommendations(ctx context.Context, userID string, limit int) ([]streaming.Recommendation, error) {
	recent, err := h.Playback.ContinueWatching(ctx, userID, 50)
	if err != nil {
		return nil, err
	}
	watched := make(map[string]bool, len(recent))
	for _, it := range recent {
		watched[it.ContentID] = true
	}
	titles, err := h.contents(ctx, slices.Collect(maps.Keys(watched)))
	if err != nil {
		return nil, err
	}
	genres := map[string]bool{}
	for _, c := range titles {
		for _, g := range c.Genres {
			genres[g] = true
		}
	}
	keep := func(c streaming.Content) bool {
		if watched[c.ID] {
			return false
		}
		if len(genres) == 0 {
			return true
		}
		return slices.ContainsFunc(c.Genres, func(g string) bool { return genres[g] })
	}
	top, err := h.trending(ctx, fallbackWindow, limit, keep)
	if err != nil {
		return nil, err
	}
	out := make([]streaming.Recommendation, 0, len(top))
	for _, t := range top {
		reason := "trending"
		for _, g := range t.Content.Genres {
			if genres[g] {
				reason = "trending:" + g
				break
			}
		}
		out = append(out, streaming.Recommendation{ContentID: t.Content.ID, Title: t.Content.Title,
			Score: float64(t.Viewers), Reason: reason})
	}
	return out, nil
}
