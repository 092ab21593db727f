package readcheck

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strconv"

	"github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/streaming"
)

// checkContent compares titles (search, graph, Redis) and their ratings (graph) with PostgreSQL.
func (c *checker) checkContent(ctx context.Context, ids []string) ([]result, error) {
	var (
		docs  map[string]streaming.Content
		nodes map[string]neo4j.ContentNode
		edges map[ratingKey]int64
		views map[string]streaming.Content
		err   error
	)
	if c.src.Search != nil {
		if docs, err = c.searchDocs(ctx, ids); err != nil {
			return nil, err
		}
	}
	if c.src.Graph != nil {
		if nodes, err = c.src.Graph.ContentNodes(ctx, ids); err != nil {
			return nil, err
		}
		rated, err := c.src.Graph.Ratings(ctx, ids)
		if err != nil {
			return nil, err
		}
		edges = byRating(rated)
	}
	if c.src.Redis != nil {
		if views, err = c.src.Redis.Contents(ctx, ids...); err != nil {
			return nil, err
		}
	}
	// PostgreSQL after the read models: see the package doc.
	rows, err := c.src.Postgres.Contents(ctx, ids)
	if err != nil {
		return nil, err
	}
	var ratings map[ratingKey]int64
	if c.src.Graph != nil {
		rated, err := c.src.Postgres.Ratings(ctx, ids)
		if err != nil {
			return nil, err
		}
		ratings = byRating(rated)
	}

	var out []result
	for _, id := range ids {
		row, ok := rows[id]
		if !ok {
			continue // listed, then gone: titles are never deleted, so only a concurrent test's cleanup does this
		}
		base := result{kind: KindContent, id: id, batchID: id, agg: aggregate{Type: streaming.AggregateContent, ID: id},
			version: row.Version}
		if c.src.Search != nil {
			r := base
			r.model = ModelSearch
			if doc, found := docs[id]; found {
				r.modelVersion = doc.Version
				r.status, r.fields = versioned(row.Version, doc.Version, contentFields(row, doc))
			} else {
				r.status = StatusMissing
			}
			out = append(out, r)
		}
		if c.src.Graph != nil {
			r := base
			r.model = ModelNeo4j
			node, found := nodes[id]
			switch {
			case !found:
				r.status = StatusMissing
			case !node.HasVersion: // merged by a watch or a rating; the title's own event never arrived
				r.status = StatusMissing
				r.fields = fields{{Field: "version", Want: strconv.FormatInt(row.Version, 10), Got: "null"}}
			default:
				r.modelVersion = node.Version
				var f fields
				f.str("title", row.Title, node.Title)
				f.str("type", row.Type, node.Type)
				f.float("rating_avg", row.RatingAvg, node.RatingAvg)
				f.set("genres", row.Genres, node.Genres)
				r.status, r.fields = versioned(row.Version, node.Version, f)
			}
			out = append(out, r)
		}
		if c.src.Redis != nil {
			r := base
			r.model = ModelRedis
			if view, found := views[id]; found {
				r.modelVersion = view.Version
				r.status, r.fields = versioned(row.Version, view.Version, contentFields(row, view))
			} else {
				r.status = StatusAbsent // rebuilt from PostgreSQL on the next read
			}
			out = append(out, r)
		}
	}
	if c.src.Graph != nil {
		out = append(out, compareRatings(rows, ratings, edges)...)
	}
	return out, nil
}

// compareRatings checks that every rating is a WATCHED edge with the same stars, and that no rated edge lacks a
// rating. Ratings are compared by stars only (their versions are not compared); a rating's own outbox events
// (RatingChanged, aggregate "rating") explain a lag.
func compareRatings(rows map[string]streaming.Content, ratings, edges map[ratingKey]int64) []result {
	keys := slices.SortedFunc(maps.Keys(ratings), compareKeys)
	var out []result
	for _, k := range keys {
		r := result{model: ModelNeo4j, kind: KindRating, id: k.String(), batchID: k.content,
			agg: aggregate{Type: streaming.AggregateRating, ID: streaming.RatingAggregateID(k.content, k.user)}}
		stars, found := edges[k]
		switch {
		case !found:
			r.status = StatusMissing
		case stars != ratings[k]:
			r.status = StatusDiverged
			r.fields = fields{{Field: "rating", Want: strconv.FormatInt(ratings[k], 10), Got: strconv.FormatInt(stars, 10)}}
		default:
			r.status = StatusOK
		}
		out = append(out, r)
	}
	for _, k := range slices.SortedFunc(maps.Keys(edges), compareKeys) {
		if _, rated := ratings[k]; rated {
			continue
		}
		if _, ok := rows[k.content]; !ok {
			continue // the title itself is gone from this batch's rows; it is not this edge's fault
		}
		out = append(out, result{model: ModelNeo4j, kind: KindRating, id: k.String(), batchID: k.content,
			agg: aggregate{Type: streaming.AggregateContent, ID: k.content}, status: StatusOrphan,
			fields: fields{{Field: "rating", Want: "none", Got: strconv.FormatInt(edges[k], 10)}}})
	}
	return out
}

// byRating keys ratings by user and title.
func byRating(ratings []streaming.Rating) map[ratingKey]int64 {
	out := make(map[ratingKey]int64, len(ratings))
	for _, r := range ratings {
		out[ratingKey{r.UserID, r.ContentID}] = int64(r.Stars)
	}
	return out
}

func compareKeys(a, b ratingKey) int {
	return cmp.Or(cmp.Compare(a.content, b.content), cmp.Compare(a.user, b.user))
}
