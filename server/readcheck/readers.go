package readcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/streamingplatform/streaming/server/streaming"
)

// ratingKey names one rating: a user's stars for a title.
type ratingKey struct{ user, content string }

func (k ratingKey) String() string { return k.user + "/" + k.content }

// graphReader runs read queries on the graph, each a managed read transaction (retried by the driver on transient
// failures), with the records collected inside it.
type graphReader struct {
	driver neo4j.DriverWithContext
	db     string
}

func (c *checker) graph() graphReader { return graphReader{c.src.Graph, c.src.GraphDatabase} }

func (g graphReader) query(ctx context.Context, op, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := neo4j.ExecuteQuery(ctx, g.driver, cypher, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(g.db), neo4j.ExecuteQueryWithReadersRouting())
	if err != nil {
		return nil, graphErr(op, err)
	}
	return res.Records, nil
}

// graphErr wraps a driver failure once: a server that cannot be reached or keeps failing is streaming.Unavailable.
func graphErr(op string, err error) error {
	var (
		limit  *neo4j.TransactionExecutionLimit
		netErr net.Error
	)
	if neo4j.IsConnectivityError(err) || errors.As(err, &limit) || errors.As(err, &netErr) ||
		errors.Is(err, context.DeadlineExceeded) {
		return streaming.Unavailable("Neo4j", fmt.Errorf("%s: %w", op, err))
	}
	return fmt.Errorf("neo4j: %s: %w", op, err)
}

// graphContent is a Content node as the projector writes it. A node a watch or a rating merged before the title's
// own event arrived has no version yet.
type graphContent struct {
	version    int64
	hasVersion bool
	title, typ string
	ratingAvg  float64
	genres     []string
}

const graphContentsCypher = `
UNWIND $ids AS id
MATCH (c:Content {id: id})
OPTIONAL MATCH (c)-[:IN_GENRE]->(g:Genre)
RETURN c.id AS id, c.version AS version, c.title AS title, c.type AS type, c.rating_avg AS rating_avg,
       collect(g.name) AS genres`

func (g graphReader) contents(ctx context.Context, ids []string) (map[string]graphContent, error) {
	recs, err := g.query(ctx, "read titles", graphContentsCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]graphContent, len(recs))
	for _, r := range recs {
		v, ok := recInt(r, "version")
		out[recString(r, "id")] = graphContent{version: v, hasVersion: ok, title: recString(r, "title"),
			typ: recString(r, "type"), ratingAvg: recFloat(r, "rating_avg"), genres: recStrings(r, "genres")}
	}
	return out, nil
}

// Only rated edges: a WATCHED edge from playback alone carries no rating and has no row in ratings.
const graphRatingsCypher = `
UNWIND $ids AS id
MATCH (u:User)-[w:WATCHED]->(c:Content {id: id})
WHERE w.rating IS NOT NULL
RETURN u.id AS user_id, c.id AS content_id, w.rating AS rating`

func (g graphReader) ratings(ctx context.Context, contentIDs []string) (map[ratingKey]int64, error) {
	recs, err := g.query(ctx, "read ratings", graphRatingsCypher, map[string]any{"ids": contentIDs})
	if err != nil {
		return nil, err
	}
	out := make(map[ratingKey]int64, len(recs))
	for _, r := range recs {
		stars, _ := recInt(r, "rating")
		out[ratingKey{recString(r, "user_id"), recString(r, "content_id")}] = stars
	}
	return out, nil
}

// graphUser is a User node; one merged by a watch before the user's own event has no version.
type graphUser struct {
	version    int64
	hasVersion bool
}

const graphUsersCypher = `
UNWIND $ids AS id
MATCH (u:User {id: id})
RETURN u.id AS id, u.version AS version`

func (g graphReader) users(ctx context.Context, ids []string) (map[string]graphUser, error) {
	recs, err := g.query(ctx, "read users", graphUsersCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]graphUser, len(recs))
	for _, r := range recs {
		v, ok := recInt(r, "version")
		out[recString(r, "id")] = graphUser{version: v, hasVersion: ok}
	}
	return out, nil
}

// Keyset pages over every node of a label, in id order (the uniqueness constraint's index serves both).
const (
	graphContentPageCypher = `
MATCH (n:Content) WHERE n.id > $after
RETURN n.id AS id, n.version AS version ORDER BY n.id LIMIT $limit`
	graphUserPageCypher = `
MATCH (n:User) WHERE n.id > $after
RETURN n.id AS id, n.version AS version ORDER BY n.id LIMIT $limit`
)

// graphNode is a node's id and version from a page.
type graphNode struct {
	id      string
	version int64
}

func (g graphReader) page(ctx context.Context, cypher, after string, limit int) ([]graphNode, error) {
	recs, err := g.query(ctx, "list nodes", cypher, map[string]any{"after": after, "limit": int64(limit)})
	if err != nil {
		return nil, err
	}
	out := make([]graphNode, 0, len(recs))
	for _, r := range recs {
		v, _ := recInt(r, "version")
		out = append(out, graphNode{id: recString(r, "id"), version: v})
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

// searchDocs reads the documents of ids, Concurrency at a time: the index answers one id per request.
func (c *checker) searchDocs(ctx context.Context, ids []string) (map[string]streaming.Content, error) {
	var mu sync.Mutex
	out := make(map[string]streaming.Content, len(ids))
	err := parallel(ctx, c.opts.Concurrency, ids, func(ctx context.Context, id string) error {
		doc, version, found, err := c.src.Search.Get(ctx, id)
		if err != nil || !found {
			return err
		}
		doc.Version = version
		mu.Lock()
		out[id] = *doc
		mu.Unlock()
		return nil
	})
	return out, err
}

// userViews reads the complete Redis views of ids, Concurrency at a time; incomplete or absent ones are left out.
func (c *checker) userViews(ctx context.Context, ids []string) (map[string]*streaming.UserView, error) {
	var mu sync.Mutex
	out := make(map[string]*streaming.UserView, len(ids))
	err := parallel(ctx, c.opts.Concurrency, ids, func(ctx context.Context, id string) error {
		v, ok, err := c.src.Redis.UserView(ctx, id)
		if err != nil || !ok {
			return err
		}
		mu.Lock()
		out[id] = v
		mu.Unlock()
		return nil
	})
	return out, err
}

// parallel runs fn for every id, at most n at once, and returns the first error (which cancels the others).
func parallel(ctx context.Context, n int, ids []string, fn func(ctx context.Context, id string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	sem := make(chan struct{}, n)
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(ctx, id); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
