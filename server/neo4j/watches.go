package neo4j

import (
	"cmp"
	"context"
	"slices"

	"github.com/streamingplatform/streaming/server/streaming"
)

// applyWatchesCypher merges the edge and only ever raises completed: a replayed or late "not completed" watch leaves
// a finished title finished. The title may not be projected yet, so it is merged by id alone; the projector fills in
// its title later (and Recommend ignores titles without one until then). A watch of an erased user (a tombstone, see
// EraseUser) writes no edge: playback events still queued when the user was erased must not write the user back.
const applyWatchesCypher = `
UNWIND $rows AS r
MERGE (u:User {id: r.user_id})
MERGE (c:Content {id: r.content_id})
` + lockUser + `
WITH u, c, r WHERE NOT coalesce(u.erased, false)
MERGE (u)-[w:WATCHED]->(c)
SET w.completed = coalesce(w.completed, false) OR r.completed`

// ApplyWatches records that users watched titles (the derived update of the ingest path). Watches of the same user
// and title are merged first (completed if any of them is). The whole call is one write transaction; a watch without
// a user or title id is a CodeInvalid error and nothing is written. Watches of an erased user are dropped.
func (g *Graph) ApplyWatches(ctx context.Context, watches []streaming.Watch) error {
	type key struct{ user, content string }
	completed := make(map[key]bool, len(watches))
	for _, w := range watches {
		if w.UserID == "" {
			return streaming.Invalid("user_id", "a watch needs a user id")
		}
		if w.ContentID == "" {
			return streaming.Invalid("content_id", "a watch needs a content id")
		}
		k := key{w.UserID, w.ContentID}
		completed[k] = completed[k] || w.Completed
	}
	if len(completed) == 0 {
		return nil
	}
	keys := make([]key, 0, len(completed))
	for k := range completed {
		keys = append(keys, k)
	}
	// Sorted so concurrent batches lock nodes in the same order.
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.content, b.content), cmp.Compare(a.user, b.user))
	})
	rows := make([]map[string]any, len(keys))
	for i, k := range keys {
		rows[i] = map[string]any{"user_id": k.user, "content_id": k.content, "completed": completed[k]}
	}
	return g.write(ctx, func(tx txRunner) error { return runRows(ctx, tx, applyWatchesCypher, rows) })
}
