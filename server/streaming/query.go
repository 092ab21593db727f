package streaming

import "context"

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

// SearchQuery is a catalog search (the seed's query: free text over title and description, genres, minimum rating).
type SearchQuery struct {
	Text      string
	Genres    []string // any of these; empty = all
	MinRating float64  // 0 = any
	PageSize  int
	PageToken string // from a previous SearchResult; a malformed one is a CodeInvalid error on field page_token
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
