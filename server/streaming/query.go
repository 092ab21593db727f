package streaming

import (
	"context"
	"time"
)

// Recommendation is one title suggested to a user, with why.
type Recommendation struct {
	ContentID string
	Title     string
	Score     float64
	Reason    string // e.g. "genre:drama", "co-watched", "trending"
}

// RecommendationGraph computes recommendations from the watch graph (Neo4j).
type RecommendationGraph interface {
	// Recommend returns at most limit titles the user has not watched, best first. A user unknown to the graph gets
	// an empty list, not an error. A graph that cannot be reached is a CodeUnavailable error.
	Recommend(ctx context.Context, userID string, limit int) ([]Recommendation, error)
}

// Watch is a derived signal from playback: the user watched the title, and finished it if Completed. It feeds the
// graph's WATCHED edges; a replay or a late event must leave the same edge (Completed never goes back to false).
type Watch struct {
	UserID    string
	ContentID string
	Completed bool
}

// SearchQuery is a catalog search (the brief's query: free text over title and description, genres, minimum rating).
type SearchQuery struct {
	Text      string
	Genres    []string // any of these; empty = all
	MinRating float64  // 0 = any
	PageSize  int
	PageToken string // from a previous SearchResult; a malformed one is a CodeInvalid error on field page_token
	// Reader is who searches (a user's id; "" for anyone else). Every search by one reader reads the same copies of
	// the catalog's shards, so a title the reader has seen does not vanish from their next search while the copies
	// catch up with each other. It does not change the answer's content otherwise.
	Reader string
}

// SearchHit is one matching title.
type SearchHit struct {
	Content Content
	Score   float64
}

// FacetBucket counts matching titles for one value of a facet.
type FacetBucket struct {
	Value string
	Count int64
}

// Facet is a named set of buckets: "genres" or "rating".
type Facet struct {
	Name    string
	Buckets []FacetBucket
}

// SearchResult is one page of a search.
type SearchResult struct {
	Hits          []SearchHit
	Facets        []Facet
	TotalHits     int64
	NextPageToken string // "" on the last page
}

// CatalogSearch answers catalog searches (the search server).
type CatalogSearch interface {
	Search(ctx context.Context, q SearchQuery) (*SearchResult, error)
}

// UserView is the profile read model: a user with all their subscriptions.
type UserView struct {
	User          User
	Subscriptions []Subscription
}

// ReadModels are the query side's views of the command side's aggregates (Redis). Projectors keep them current from
// the outbox; a query that misses rebuilds the view from PostgreSQL and puts it back. Every write is versioned, so
// neither a late event nor a stale rebuild overwrites newer state.
type ReadModels interface {
	// UserView is the user's complete view; ok is false when it must be rebuilt.
	UserView(ctx context.Context, userID string) (v *UserView, ok bool, err error)
	PutUserView(ctx context.Context, v UserView) error
	// Plans and Contents return what the read model holds; missing ids are absent from the map.
	Plans(ctx context.Context, ids ...string) (map[string]Plan, error)
	PutPlan(ctx context.Context, p Plan) error
	Contents(ctx context.Context, ids ...string) (map[string]Content, error)
	PutContent(ctx context.Context, c Content) error
}

// RecommendationCache keeps each user's computed recommendations for a while (Redis, one hour).
type RecommendationCache interface {
	// CachedRecommendations returns the first limit cached titles, best first (all with limit <= 0); ok is false on
	// a miss.
	CachedRecommendations(ctx context.Context, userID string, limit int) (recs []Recommendation, ok bool, err error)
	CacheRecommendations(ctx context.Context, userID string, recs []Recommendation) error
	InvalidateRecommendations(ctx context.Context, userIDs ...string) error
}

// TrendingItem is one title's viewers over a window (distinct per hour, summed over its hours).
type TrendingItem struct {
	ContentID string
	Viewers   int64
}

// TrendingCounters are the time-bucketed viewer counters fed by ingest (Redis).
type TrendingCounters interface {
	// Top returns the most watched titles over the window ending at now, most viewers first.
	Top(ctx context.Context, now time.Time, window time.Duration, limit int) ([]TrendingItem, error)
}
