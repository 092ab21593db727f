package neo4j

import (
	"context"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Weights of the two signals in a recommendation's score. Each signal is first normalized to [0, 1] by dividing it by
// its largest value among the user's candidates, so the weights alone decide how much each one counts, whatever the
// size of the catalog or of the user's history. They are equal because nothing yet says one predicts better than the
// other; tune them with click-through data.
const (
	GenreAffinityWeight = 0.5
	CoWatchWeight       = 0.5
)

// Bounds of the co-watching fan-out, so that a popular title (watched by many) or a heavy watcher does not blow up
// the query: at most CoWatchSeedTitles of the user's titles are followed, at most CoWatchersPerTitle other viewers of
// each, at most MaxCoWatchers viewers in all, and at most TitlesPerCoWatcher titles of each. Which viewers are
// sampled is the store's order: deterministic for a given graph, not random.
const (
	CoWatchSeedTitles  = 50
	CoWatchersPerTitle = 50
	MaxCoWatchers      = 200
	TitlesPerCoWatcher = 50
	// TitlesPerGenre bounds the titles of one genre the genre affinity looks at.
	TitlesPerGenre = 200
)

// Bounds of the searched genres (the user's SEARCHED_GENRE edges, see RecordGenreSearches): only searches within
// SearchedGenreWindow count, at most SearchedGenres genres are followed (those searched most often), and a genre
// weighs its number of searches up to SearchedGenreMaxWeight, as that many watched titles of it would: a burst of
// searches (or paging bots) cannot outweigh what the user actually watches. Tune with click-through data.
const (
	SearchedGenreWindow    = 30 * 24 * time.Hour
	SearchedGenres         = 5
	SearchedGenreMaxWeight = 3
)

// MaxRecommendations is the largest limit Recommend accepts.
const MaxRecommendations = 100

// queryTxTimeout is the server-side timeout of a query on a request's path (recommendations, risk) when the caller's
// context has no earlier deadline.
const queryTxTimeout = 5 * time.Second

// RecommendCypher is the recommendation query. It starts from the user (a seek on the user_id constraint's index),
// and every later step expands from nodes it already holds, so there is no label scan and no cartesian product.
//
//   - watched: everything the user has a WATCHED edge to; never recommended.
//   - searched: the SearchedGenres genres the user searched most often within SearchedGenreWindow (SEARCHED_GENRE
//     edges whose last is at least $searchedSince), each weighing min(count, SearchedGenreMaxWeight). A user with
//     neither watches nor searches gets nothing.
//   - genre affinity (the brief's count of paths): each genre of the user's titles weighs the number of watched
//     titles in it, and each searched genre its searched weight (a genre both watched and searched weighs the sum);
//     a candidate's affinity is the sum of the weights of its genres. At most TitlesPerGenre titles
//     of each genre are looked at (store order): a genre of thousands of titles would otherwise dominate the
//     query's cost, and titles with the same genres tie anyway. Only the best limit×2 genre candidates (by
//     affinity, before reading any property) go on: no candidate outside them could make the final list.
//   - co-watching: the number of distinct other viewers of the user's titles (sampled, see the bounds above) who
//     also watched the candidate.
//   - score = $genreWeight * affinity / max(affinity) + $coWatchWeight * cowatchers / max(cowatchers), maxima over
//     the candidates; ties broken by content id. Only projected titles (with a title) are candidates.
//   - reason: when the genre term is at least the co-watching term, the candidate's genre weight that contributed
//     most (ties: a watched genre before a searched one, then by name): "genre:<name>" for a watched genre,
//     "searched:<name>" for a searched one; else "co-watched".
//
// Parameters: RecommendParams.
const RecommendCypher = `
MATCH (u:User {id: $userId})
CALL (u) {
  MATCH (u)-[:WATCHED]->(w:Content)
  RETURN collect(w) AS watched
}
CALL (u) {
  MATCH (u)-[s:SEARCHED_GENRE]->(g:Genre)
  WHERE s.last >= $searchedSince
  WITH g, s.count AS n ORDER BY n DESC, g.name ASC LIMIT $searchedGenres
  RETURN collect({g: g, w: CASE WHEN n > $searchedGenreMaxWeight THEN $searchedGenreMaxWeight ELSE n END,
                  src: 'searched'}) AS searched
}
WITH u, watched, searched WHERE size(watched) > 0 OR size(searched) > 0
CALL (watched) {
  UNWIND watched AS w
  MATCH (w)-[:IN_GENRE]->(g:Genre)
  WITH g, count(*) AS weight
  RETURN collect({g: g, w: weight, src: 'genre'}) AS weights
}
WITH u, watched, weights + searched AS weights
CALL (watched, weights) {
  UNWIND weights AS gw
  WITH gw.g AS g, sum(gw.w) AS weight
  CALL (g) {
    MATCH (g)<-[:IN_GENRE]-(c:Content)
    RETURN c LIMIT $titlesPerGenre
  }
  WITH c, sum(weight) AS a
  WHERE NOT c IN watched
  WITH c, a ORDER BY a DESC LIMIT $limit * 2
  WITH collect({c: c, a: a}) AS ranked
  RETURN [x IN ranked WHERE x.c.title IS NOT NULL] AS topGenre, coalesce(ranked[0].a, 0) AS maxAffinity
}
CALL (u, watched) {
  UNWIND watched[..$seedTitles] AS w
  CALL (u, w) {
    MATCH (w)<-[:WATCHED]-(o:User)
    WHERE o <> u
    RETURN o LIMIT $coWatchersPerTitle
  }
  WITH DISTINCT o LIMIT $maxCoWatchers
  CALL (o) {
    MATCH (o)-[:WATCHED]->(c:Content)
    RETURN c LIMIT $titlesPerCoWatcher
  }
  WITH c, count(DISTINCT o) AS k
  WHERE c.title IS NOT NULL AND NOT c IN watched
  RETURN collect({c: c, k: k}) AS coWatched, coalesce(max(k), 0) AS maxCowatchers
}
CALL (coWatched, topGenre) {
  UNWIND coWatched + [x IN topGenre | {c: x.c, k: 0}] AS y
  RETURN y.c AS c, max(y.k) AS cowatchers
}
WITH weights, maxAffinity, maxCowatchers, c, cowatchers, [(c)-[:IN_GENRE]->(x:Genre) | x] AS genres
WITH maxAffinity, maxCowatchers, c, cowatchers, [gw IN weights WHERE gw.g IN genres] AS shared
WITH c, shared, reduce(a = 0, gw IN shared | a + gw.w) AS affinity, cowatchers, maxAffinity, maxCowatchers
WITH c, shared,
     CASE maxAffinity WHEN 0 THEN 0.0 ELSE $genreWeight * affinity / maxAffinity END AS genreScore,
     CASE maxCowatchers WHEN 0 THEN 0.0 ELSE $coWatchWeight * cowatchers / maxCowatchers END AS coWatchScore
WITH c, shared, genreScore, coWatchScore, genreScore + coWatchScore AS score, c.id AS id
ORDER BY score DESC, id ASC
LIMIT $limit
WITH id, c, score, genreScore, coWatchScore, reduce(best = null, gw IN shared |
       CASE WHEN best IS NULL OR gw.w > best.w
                 OR (gw.w = best.w AND (gw.src < best.src OR (gw.src = best.src AND gw.g.name < best.g.name)))
            THEN gw ELSE best END) AS best
RETURN id, c.title AS title, score,
       CASE WHEN best IS NOT NULL AND genreScore >= coWatchScore THEN best.src + ':' + best.g.name
            ELSE 'co-watched' END AS reason
ORDER BY score DESC, id ASC`

// RecommendParams are RecommendCypher's parameters for a user and a limit, with the package's weights and bounds.
func RecommendParams(userID string, limit int) map[string]any {
	return map[string]any{
		"userId":             userID,
		"limit":              int64(limit),
		"genreWeight":        GenreAffinityWeight,
		"coWatchWeight":      CoWatchWeight,
		"seedTitles":         int64(CoWatchSeedTitles),
		"coWatchersPerTitle": int64(CoWatchersPerTitle),
		"maxCoWatchers":      int64(MaxCoWatchers),
		"titlesPerCoWatcher": int64(TitlesPerCoWatcher),
		"titlesPerGenre":     int64(TitlesPerGenre),
		// From the platform's clock, not Neo4j's datetime(): the edges' last times come from it too.
		"searchedSince":          time.Now().Add(-SearchedGenreWindow).UTC(),
		"searchedGenres":         int64(SearchedGenres),
		"searchedGenreMaxWeight": int64(SearchedGenreMaxWeight),
	}
}

// Recommend returns at most limit titles the user has not watched, best first (see RecommendCypher). A user unknown
// to the graph, or with nothing watched or searched, gets an empty list; so does an erased user, whose tombstone has
// no edges (and so is never anyone's co-watcher either).
func (g *Graph) Recommend(ctx context.Context, userID string, limit int) ([]streaming.Recommendation, error) {
	if userID == "" {
		return nil, streaming.Invalid("user_id", "is empty")
	}
	if limit < 1 || limit > MaxRecommendations {
		return nil, streaming.Invalid("limit", "must be between 1 and %d", MaxRecommendations)
	}
	records, err := g.readBounded(ctx, "recommend", RecommendCypher, RecommendParams(userID, limit))
	if err != nil {
		return nil, err
	}
	out := make([]streaming.Recommendation, 0, len(records))
	for _, rec := range records {
		var r streaming.Recommendation
		var err error
		if r.ContentID, _, err = neo4j.GetRecordValue[string](rec, "id"); err != nil {
			return nil, fmt.Errorf("recommendation id: %w", err)
		}
		if r.Title, _, err = neo4j.GetRecordValue[string](rec, "title"); err != nil {
			return nil, fmt.Errorf("recommendation %s title: %w", r.ContentID, err)
		}
		if r.Score, _, err = neo4j.GetRecordValue[float64](rec, "score"); err != nil {
			return nil, fmt.Errorf("recommendation %s score: %w", r.ContentID, err)
		}
		if r.Reason, _, err = neo4j.GetRecordValue[string](rec, "reason"); err != nil {
			return nil, fmt.Errorf("recommendation %s reason: %w", r.ContentID, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// readBounded runs one read query of a request's path in a managed read transaction whose server-side timeout is
// queryTxTimeout, or the caller's earlier deadline, so the server stops a runaway query instead of working on for a
// caller that has gone; op names it in its span and errors.
func (g *Graph) readBounded(ctx context.Context, op, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	if g.closed.Load() {
		return nil, errClosed
	}
	timeout := queryTxTimeout
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = max(time.Until(d), time.Millisecond)
	}
	ctx, end := g.span(ctx, op)
	s := g.session(ctx, neo4j.AccessModeRead)
	defer s.Close(context.WithoutCancel(ctx))
	records, err := neo4j.ExecuteRead(ctx, s, func(tx neo4j.ManagedTransaction) ([]*neo4j.Record, error) {
		res, err := tx.Run(ctx, cypher, params)
		if err != nil {
			return nil, err
		}
		return res.Collect(ctx)
	}, neo4j.WithTxTimeout(timeout))
	if err != nil {
		err = mapErr(fmt.Errorf("%s: %w", op, err))
		end(err)
		return nil, err
	}
	end(nil)
	return records, nil
}
