// Package query implements the platform's queries, one file each. Queries read the read models (Redis, Neo4j, the
// search server, Cassandra); a read model that misses is rebuilt from PostgreSQL through the read-only
// streaming.SourceOfTruth and put back: a query never opens a command transaction. Authorization of the caller
// happens in the transport before a query runs.
package query

import (
	"context"
	"log/slog"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Handler carries the dependencies of every query.
type Handler struct {
	Store    streaming.SourceOfTruth // PostgreSQL, read-only: read on a read-model miss
	Views    streaming.ReadModels
	Recs     streaming.RecommendationCache
	Graph    streaming.RecommendationGraph
	Counters streaming.TrendingCounters
	Index    streaming.CatalogSearch
	Playback streaming.PlaybackReader
	Billing  streaming.BillingReader // PostgreSQL, read-only: invoices and the revenue report
	Erasures streaming.ErasureQueue  // PostgreSQL: erasures' progress
	// Interests takes signed-in users' genre searches for the graph (SearchAs); nil: searches feed no interest.
	Interests GenreSearches
	Risk      streaming.RiskGraph      // Neo4j: account-sharing links
	Analytics streaming.AnalyticsStore // the search server: playback roll-ups
	History   streaming.ViewingHistory // Cassandra: a user's own viewing

	// GraphTimeout bounds one graph computation; past it the answer falls back to trending (default 1s).
	GraphTimeout time.Duration
	Log          *slog.Logger
	Now          func() time.Time
}

// GenreSearches takes genre searches off the search's path (server/signals' Buffer): Add returns at once, dropping
// what it has no room for, so a search never waits for the graph or fails because of it.
type GenreSearches interface {
	Add(streaming.GenreSearch)
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

// contents returns the titles of ids from the read model, rebuilding the ones it misses from PostgreSQL. Titles that
// do not exist are absent from the map.
func (h *Handler) contents(ctx context.Context, ids []string) (map[string]streaming.Content, error) {
	got, err := h.Views.Contents(ctx, ids...)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, id := range ids {
		if _, ok := got[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return got, nil
	}
	rebuilt, err := h.Store.ContentsByID(ctx, missing)
	if err != nil {
		return nil, err
	}
	for _, c := range rebuilt {
		got[c.ID] = c
		// Versioned: if a projector wrote a newer version meanwhile, this write is a no-op.
		if err := h.Views.PutContent(ctx, c); err != nil {
			h.log().Warn("content read model: rebuild not stored", "content_id", c.ID, "err", err)
		}
	}
	return got, nil
}
