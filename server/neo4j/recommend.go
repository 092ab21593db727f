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
	MaxCoWatchers      = 500
	TitlesPerCoWatcher = 100
)

// MaxRecommendations is the largest limit Recommend accepts.
const MaxRecommendations = 100

// recommendTxTimeout is the server-side timeout of the recommendation query when the caller's context has no
// earlier deadline: the server stops a runaway query instead of working on for a caller that has gone.
const recommendTxTimeout = 5 * time.Second

// RecommendCypher is the recommendation query. It starts from the user (a seek on the user_id constraint's index),
// and every later step expands from nodes it already holds, so there is no label scan and no cartesian product.
//
//   - watched: everything the user has a WATCHED edge to; never recommended.
//   - genre affinity: for each title in a genre of a watched title, the number of distinct watched titles that share
//     a genre with it (the seed's "affinity", counted per title, not per shared genre).
//   - co-watching: the number of distinct other viewers of the user's titles (sampled, see the bounds above) who
//     also watched the candidate.
//   - score = $genreWeight * affinity / max(affinity) + $coWatchWeight * cowatchers / max(cowatchers), maxima over
//     the candidates; ties broken by content id. Only projected titles (with a title) are candidates.
//   - reason: "genre:<name>" of the genre shared with most of the user's titles (ties by name) when the genre term
//     is at least the co-watching term, else "co-watched".
//
// Parameters: RecommendParams.
const RecommendCypher = `
MATCH (u:User {id: $userId})
CALL (u) {
  MATCH (u)-[:WATCHED]->(w:Content)
  RETURN collect(w) AS watched
}
WITH u, watched WHERE size(watched) > 0
CALL (u, watched) {
  CALL (u, watched) {
    UNWIND watched AS w
    MATCH (w)-[:IN_GENRE]->(g:Genre)
    WITH g, collect(w) AS inGenre
    MATCH (g)<-[:IN_GENRE]-(c:Content)
    WITH c, collect(inGenre) AS lists
    RETURN c, size(reduce(acc = [], l IN lists | acc + [x IN l WHERE NOT x IN acc])) AS affinity, 0 AS cowatchers
  UNION ALL
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
    RETURN c, 0 AS affinity, count(DISTINCT o) AS cowatchers
  }
  WITH watched, c, affinity, cowatchers WHERE NOT c IN watched
  WITH c, sum(affinity) AS affinity, sum(cowatchers) AS cowatchers
  WHERE c.title IS NOT NULL
  RETURN collect({c: c, affinity: affinity, cowatchers: cowatchers}) AS candidates,
         max(affinity) AS maxAffinity, max(cowatchers) AS maxCowatchers
}
UNWIND candidates AS x
WITH watched, x.c AS c,
     CASE maxAffinity WHEN 0 THEN 0.0 ELSE $genreWeight * x.affinity / maxAffinity END AS genreScore,
     CASE maxCowatchers WHEN 0 THEN 0.0 ELSE $coWatchWeight * x.cowatchers / maxCowatchers END AS coWatchScore
WITH watched, c, genreScore, coWatchScore, genreScore + coWatchScore AS score, c.id AS id
ORDER BY score DESC, id ASC
LIMIT $limit
CALL (watched, c) {
  WITH watched, [(c)-[:IN_GENRE]->(cg:Genre) | cg] AS genres
  UNWIND watched AS w
  MATCH (w)-[:IN_GENRE]->(g:Genre)
  WHERE g IN genres
  WITH g.name AS name, count(*) AS n
  ORDER BY n DESC, name ASC
  RETURN head(collect(name)) AS topGenre
}
RETURN id, c.title AS title, score,
       CASE WHEN topGenre IS NOT NULL AND genreScore >= coWatchScore THEN 'genre:' + topGenre ELSE 'co-watched' END AS reason
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
	}
}

// Recommend returns at most limit titles the user has not watched, best first (see RecommendCypher). A user unknown
// to the graph, or with nothing watched, gets an empty list.
func (g *Graph) Recommend(ctx context.Context, userID string, limit int) ([]streaming.Recommendation, error) {
	if userID == "" {
		return nil, streaming.Invalid("user_id", "is empty")
	}
	if limit < 1 || limit > MaxRecommendations {
		return nil, streaming.Invalid("limit", "must be between 1 and %d", MaxRecommendations)
	}
	if g.closed.Load() {
		return nil, errClosed
	}
	timeout := recommendTxTimeout
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = max(time.Until(d), time.Millisecond)
	}
	s := g.session(ctx, neo4j.AccessModeRead)
	defer s.Close(context.WithoutCancel(ctx))
	recs, err := neo4j.ExecuteRead(ctx, s, func(tx neo4j.ManagedTransaction) ([]streaming.Recommendation, error) {
		res, err := tx.Run(ctx, RecommendCypher, RecommendParams(userID, limit))
		if err != nil {
			return nil, err
		}
		records, err := res.Collect(ctx)
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
	}, neo4j.WithTxTimeout(timeout))
	if err != nil {
		return nil, mapErr(err)
	}
	return recs, nil
}
