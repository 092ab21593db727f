package neo4j

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

var _ streaming.InterestRecorder = (*Graph)(nil)

// recordGenreSearchesCypher adds a row's n searches to the (user, genre) SEARCHED_GENRE edge and moves its last
// search time forward (never back: batches may arrive out of order). The genre must be one a title has (the
// projector's Genre node, matched by name): a search names whatever genre its caller types, and a signed-in user must
// not be able to fill the graph with genres of their own; a search for a genre no title has counts for nothing. A
// search of an erased user (a tombstone, see EraseUser) writes nothing, guarded exactly as ApplyWatches is: the
// user's lock, then the erased check.
const recordGenreSearchesCypher = `
UNWIND $rows AS r
MATCH (g:Genre {name: r.genre})
MERGE (u:User {id: r.user_id})
` + lockUser + `
WITH u, g, r WHERE NOT coalesce(u.erased, false)
MERGE (u)-[s:SEARCHED_GENRE]->(g)
SET s.count = coalesce(s.count, 0) + r.n,
    s.last = CASE WHEN s.last IS NULL OR s.last < r.at THEN r.at ELSE s.last END`

// RecordGenreSearches records users' genre searches (streaming.InterestRecorder): the searches of the same user and
// genre are merged first (their number, and the latest time; a genre listed twice in one search counts once), then
// written in one write transaction. A search without a user id, with an empty genre or without a time is a
// CodeInvalid error and nothing is written; a search without genres records nothing. Searches of an erased user are
// dropped.
func (g *Graph) RecordGenreSearches(ctx context.Context, searches []streaming.GenreSearch) error {
	type key struct{ user, genre string }
	type agg struct {
		n    int64
		last time.Time
	}
	merged := make(map[key]agg, len(searches))
	for _, s := range searches {
		if s.UserID == "" {
			return streaming.Invalid("user_id", "a genre search needs a user id")
		}
		if s.At.IsZero() {
			return streaming.Invalid("at", "a genre search needs a time")
		}
		for i, genre := range s.Genres {
			if genre == "" {
				return streaming.Invalid("genres", "a searched genre needs a name")
			}
			if slices.Contains(s.Genres[:i], genre) {
				continue
			}
			k := key{s.UserID, genre}
			a := merged[k]
			a.n++
			if s.At.After(a.last) {
				a.last = s.At
			}
			merged[k] = a
		}
	}
	if len(merged) == 0 {
		return nil
	}
	keys := make([]key, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	// Sorted so concurrent batches lock nodes in the same order (genre, then user, as ApplyWatches: title, then user).
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.genre, b.genre), cmp.Compare(a.user, b.user))
	})
	rows := make([]map[string]any, len(keys))
	for i, k := range keys {
		a := merged[k]
		// UTC: the edge's times compare as instants anyway; one zone keeps what is stored readable.
		rows[i] = map[string]any{"user_id": k.user, "genre": k.genre, "n": a.n, "at": a.last.UTC()}
	}
	return g.write(ctx, func(tx txRunner) error { return runRows(ctx, tx, recordGenreSearchesCypher, rows) })
}
