package neo4j

import (
	"context"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Reads of the graph as the projector wrote it, for server/readcheck, which compares it with PostgreSQL. Each is one
// managed read transaction (retried by the driver on transient failures) with its records collected inside it;
// errors are mapped by mapErr like every other call's.

// ContentNode is a Content node. One merged by a watch or a rating before the title's own event arrived has no
// version yet (HasVersion false).
type ContentNode struct {
	ID         string
	Version    int64
	HasVersion bool
	Title      string
	Type       string
	RatingAvg  float64
	Genres     []string // the names of its IN_GENRE genres
}

// Node is a node's id and version. A node merged by a watch or a rating before its own event arrived has no version
// yet (HasVersion false).
type Node struct {
	ID         string
	Version    int64
	HasVersion bool
}

// Label is a node label that NodePage lists.
type Label string

const (
	LabelContent Label = "Content"
	LabelUser    Label = "User"
)

// read runs one read query; op names it in errors.
func (g *Graph) read(ctx context.Context, op, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	if g.closed.Load() {
		return nil, errClosed
	}
	ctx, end := g.span(ctx, op)
	res, err := neo4j.ExecuteQuery(ctx, g.driver, cypher, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(g.database), neo4j.ExecuteQueryWithReadersRouting())
	if err != nil {
		err = mapErr(fmt.Errorf("%s: %w", op, err))
		end(err)
		return nil, err
	}
	end(nil)
	return res.Records, nil
}

const contentNodesCypher = `
UNWIND $ids AS id
MATCH (c:Content {id: id})
OPTIONAL MATCH (c)-[:IN_GENRE]->(g:Genre)
RETURN c.id AS id, c.version AS version, c.title AS title, c.type AS type, c.rating_avg AS rating_avg,
       collect(g.name) AS genres`

// ContentNodes returns the Content nodes among ids, by id.
func (g *Graph) ContentNodes(ctx context.Context, ids []string) (map[string]ContentNode, error) {
	recs, err := g.read(ctx, "read titles", contentNodesCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]ContentNode, len(recs))
	for _, r := range recs {
		v, ok := recInt(r, "version")
		n := ContentNode{ID: recString(r, "id"), Version: v, HasVersion: ok, Title: recString(r, "title"),
			Type: recString(r, "type"), RatingAvg: recFloat(r, "rating_avg"), Genres: recStrings(r, "genres")}
		out[n.ID] = n
	}
	return out, nil
}

// Only rated edges: a WATCHED edge from playback alone carries no rating.
const ratedEdgesCypher = `
UNWIND $ids AS id
MATCH (u:User)-[w:WATCHED]->(c:Content {id: id})
WHERE w.rating IS NOT NULL
RETURN u.id AS user_id, c.id AS content_id, w.rating AS rating`

// Ratings returns the ratings the WATCHED edges to the titles hold (user, title and stars).
func (g *Graph) Ratings(ctx context.Context, contentIDs []string) ([]streaming.Rating, error) {
	recs, err := g.read(ctx, "read ratings", ratedEdgesCypher, map[string]any{"ids": contentIDs})
	if err != nil {
		return nil, err
	}
	out := make([]streaming.Rating, 0, len(recs))
	for _, r := range recs {
		stars, _ := recInt(r, "rating")
		out = append(out, streaming.Rating{UserID: recString(r, "user_id"), ContentID: recString(r, "content_id"),
			Stars: int32(stars)})
	}
	return out, nil
}

const userNodesCypher = `
UNWIND $ids AS id
MATCH (u:User {id: id})
RETURN u.id AS id, u.version AS version`

// UserNodes returns the User nodes among ids, by id. An erased user's tombstone is one, at the erasure's version:
// the version of its anonymized PostgreSQL row, so readcheck finds the two consistent.
func (g *Graph) UserNodes(ctx context.Context, ids []string) (map[string]Node, error) {
	recs, err := g.read(ctx, "read users", userNodesCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Node, len(recs))
	for _, r := range recs {
		v, ok := recInt(r, "version")
		n := Node{ID: recString(r, "id"), Version: v, HasVersion: ok}
		out[n.ID] = n
	}
	return out, nil
}

// Keyset pages over every node of a label, in id order (the uniqueness constraint's index serves both).
var pageCypher = map[Label]string{
	LabelContent: `
MATCH (n:Content) WHERE n.id > $after
RETURN n.id AS id, n.version AS version ORDER BY n.id LIMIT $limit`,
	LabelUser: `
MATCH (n:User) WHERE n.id > $after
RETURN n.id AS id, n.version AS version ORDER BY n.id LIMIT $limit`,
}

// NodePage returns up to limit nodes of label with an id greater than after ("" for the first page), in id order,
// with their versions (0 when they have none).
func (g *Graph) NodePage(ctx context.Context, label Label, after string, limit int) ([]Node, error) {
	cypher, ok := pageCypher[label]
	if !ok {
		return nil, fmt.Errorf("neo4j: no page query for label %q", string(label))
	}
	recs, err := g.read(ctx, "list nodes", cypher, map[string]any{"after": after, "limit": int64(limit)})
	if err != nil {
		return nil, err
	}
	out := make([]Node, 0, len(recs))
	for _, r := range recs {
		v, ok := recInt(r, "version")
		out = append(out, Node{ID: recString(r, "id"), Version: v, HasVersion: ok})
	}
	return out, nil
}

// Record accessors that read a missing or null property as the zero value.

func recString(r *neo4j.Record, key string) string {
	v, _ := r.Get(key)
	s, _ := v.(string)
	return s
}

func recInt(r *neo4j.Record, key string) (int64, bool) {
	v, _ := r.Get(key)
	i, ok := v.(int64)
	return i, ok
}

func recFloat(r *neo4j.Record, key string) float64 {
	v, _ := r.Get(key)
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return 0
}

func recStrings(r *neo4j.Record, key string) []string {
	v, _ := r.Get(key)
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
