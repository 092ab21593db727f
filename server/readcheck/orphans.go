package readcheck

import (
	"context"
	"slices"

	"github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/search"
	"github.com/streamingplatform/streaming/server/streaming"
)

// scanOrphans walks every search document and every Content and User node, and reports those without a
// PostgreSQL row. Each page is read before PostgreSQL is asked, and read models only hold committed rows (nothing
// is ever deleted), so a row created meanwhile is never taken for a missing one. Redis is not scanned: its views are
// caches written from rows that exist, and ReadModel lists no keys.
func (c *checker) scanOrphans(ctx context.Context) error {
	if c.src.Search != nil {
		if err := c.searchOrphans(ctx); err != nil {
			return err
		}
	}
	if c.src.Graph != nil {
		for _, l := range []struct {
			label neo4j.Label
			table postgres.Table
			kind  Kind
		}{
			{neo4j.LabelContent, postgres.TableContent, KindContent},
			{neo4j.LabelUser, postgres.TableUsers, KindUser},
		} {
			if err := c.graphOrphans(ctx, l.label, l.table, l.kind); err != nil {
				return err
			}
		}
	}
	return nil
}

// searchOrphans pages through the whole index with the catalog search itself (everything matches, in id order),
// the only listing Index offers.
func (c *checker) searchOrphans(ctx context.Context) error {
	token := ""
	for {
		res, err := c.src.Search.Search(ctx, streaming.SearchQuery{PageSize: search.MaxPageSize, PageToken: token})
		if err != nil {
			return err
		}
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.Content.ID
		}
		exist, err := c.src.Postgres.Existing(ctx, postgres.TableContent, ids)
		if err != nil {
			return err
		}
		var out []result
		for _, h := range res.Hits {
			if !exist[h.Content.ID] {
				out = append(out, result{model: ModelSearch, kind: KindContent, id: h.Content.ID, status: StatusOrphan,
					modelVersion: h.Content.Version})
			}
		}
		c.record(out)
		if res.NextPageToken == "" {
			return nil
		}
		token = res.NextPageToken
	}
}

func (c *checker) graphOrphans(ctx context.Context, label neo4j.Label, table postgres.Table, kind Kind) error {
	after := ""
	for {
		nodes, err := c.src.Graph.NodePage(ctx, label, after, c.opts.BatchSize)
		if err != nil {
			return err
		}
		ids := make([]string, len(nodes))
		for i, n := range nodes {
			ids[i] = n.ID
		}
		exist, err := c.src.Postgres.Existing(ctx, table, ids)
		if err != nil {
			return err
		}
		var out []result
		for _, n := range nodes {
			if !exist[n.ID] {
				out = append(out, result{model: ModelNeo4j, kind: kind, id: n.ID, status: StatusOrphan, modelVersion: n.Version})
			}
		}
		c.record(out)
		if len(nodes) < c.opts.BatchSize {
			return nil
		}
		after = nodes[len(nodes)-1].ID
	}
}

// orphansAmong looks for read-model entries of the given ids that have no PostgreSQL row of their kind.
func (c *checker) orphansAmong(ctx context.Context, ids []string) error {
	without := func(table postgres.Table) ([]string, error) {
		exist, err := c.src.Postgres.Existing(ctx, table, ids)
		if err != nil {
			return nil, err
		}
		return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return exist[id] }), nil
	}
	orphan := func(m Model, k Kind, id string, version int64) result {
		return result{model: m, kind: k, id: id, status: StatusOrphan, modelVersion: version}
	}
	var out []result

	noContent, err := without(postgres.TableContent)
	if err != nil {
		return err
	}
	if len(noContent) > 0 {
		if c.src.Search != nil {
			docs, err := c.searchDocs(ctx, noContent)
			if err != nil {
				return err
			}
			for _, id := range noContent {
				if d, ok := docs[id]; ok {
					out = append(out, orphan(ModelSearch, KindContent, id, d.Version))
				}
			}
		}
		if c.src.Graph != nil {
			nodes, err := c.src.Graph.ContentNodes(ctx, noContent)
			if err != nil {
				return err
			}
			for _, id := range noContent {
				if n, ok := nodes[id]; ok {
					out = append(out, orphan(ModelNeo4j, KindContent, id, n.Version))
				}
			}
		}
		if c.src.Redis != nil {
			views, err := c.src.Redis.Contents(ctx, noContent...)
			if err != nil {
				return err
			}
			for _, id := range noContent {
				if v, ok := views[id]; ok {
					out = append(out, orphan(ModelRedis, KindContent, id, v.Version))
				}
			}
		}
	}

	noUser, err := without(postgres.TableUsers)
	if err != nil {
		return err
	}
	if len(noUser) > 0 {
		if c.src.Graph != nil {
			nodes, err := c.src.Graph.UserNodes(ctx, noUser)
			if err != nil {
				return err
			}
			for _, id := range noUser {
				if n, ok := nodes[id]; ok {
					out = append(out, orphan(ModelNeo4j, KindUser, id, n.Version))
				}
			}
		}
		if c.src.Redis != nil {
			views, err := c.userViews(ctx, noUser)
			if err != nil {
				return err
			}
			for _, id := range noUser {
				if v, ok := views[id]; ok {
					out = append(out, orphan(ModelRedis, KindUser, id, v.User.Version))
				}
			}
		}
	}

	if c.src.Redis != nil {
		noPlan, err := without(postgres.TablePlans)
		if err != nil {
			return err
		}
		if len(noPlan) > 0 {
			views, err := c.src.Redis.Plans(ctx, noPlan...)
			if err != nil {
				return err
			}
			for _, id := range noPlan {
				if v, ok := views[id]; ok {
					out = append(out, orphan(ModelRedis, KindPlan, id, v.Version))
				}
			}
		}
	}
	c.record(out)
	return nil
}
