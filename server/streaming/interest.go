package streaming

import (
	"context"
	"time"
)

// GenreSearch is a derived signal from the catalog search: a signed-in user searched with a filter on these genres at
// At. It feeds the user's genre interest in the graph ((:User)-[:SEARCHED_GENRE {count, last}]->(:Genre)), which
// recommendations read alongside the watched genres.
type GenreSearch struct {
	UserID string
	Genres []string
	At     time.Time
}

// InterestRecorder records users' genre searches (Neo4j). Searches of the same user and genre add up (count) and keep
// the latest time (last); a search of an erased user is dropped. A search without a user, genre or time is a
// CodeInvalid error and nothing of the call is written; a store that cannot be reached is a CodeUnavailable error.
type InterestRecorder interface {
	RecordGenreSearches(ctx context.Context, searches []GenreSearch) error
}
