package neo4j

import (
	"context"

	"github.com/streamingplatform/streaming/server/streaming"
)

var _ streaming.UserEraser = (*Graph)(nil)

// eraseUserCypher deletes every relationship of the user, whatever its type or direction (WATCHED with its ratings,
// SEARCHED_GENRE, anything added later), and replaces all of the node's properties with the tombstone's: its id,
// the erasure's version and erased = true. The node itself stays: without it, a projection of an older event still
// in flight would MERGE the user back; with it, every write that merges a user skips a tombstone (see lockUser).
//
// The first SET takes the node's write lock before the relationships are read, so a watch or a rating committed
// meanwhile is either seen (and deleted) or waits for the erasure and then finds the tombstone. The version never
// goes down: a node already at a higher version keeps it, like every other versioned write of the package.
const eraseUserCypher = `
MERGE (u:User {id: $id})
SET u.erased = true
WITH u
CALL (u) {
  MATCH (u)-[r]-()
  DELETE r
}
WITH u, CASE WHEN coalesce(u.version, 0) > $version THEN u.version ELSE $version END AS version
SET u = {id: $id, version: version, erased: true}`

// lockUser, after a statement's MERGEs of its nodes, takes the user node's write lock (a property set and removed:
// no net change) before the statement reads u.erased. Without it the check could read a node that an erasure is
// about to tombstone and write its edge after the erasure commits, where no retry of the erasure would look again.
// Each writer that merges a user runs it and then skips rows whose user is erased. It comes after the title's MERGE
// in every statement that merges one, so two writers creating the same title lock in the same order.
const lockUser = `SET u._lock = true REMOVE u._lock`

// ErasureStore names the graph in the erasure's progress (user_erasures.store).
func (*Graph) ErasureStore() string { return streaming.ErasureStoreGraph }

// EraseUser removes everything the graph holds about the user: all of its relationships and every property but its
// id, leaving the tombstone (:User {id, version, erased: true}) that keeps later writes of the user out (the
// projector and ApplyWatches skip it, Recommend finds nothing to start from). version is the user's version after
// the erasure. It is idempotent, creates the tombstone when the user was never in the graph, and answers with a
// streaming.Unavailable error when Neo4j cannot be reached.
func (g *Graph) EraseUser(ctx context.Context, userID string, version int64) error {
	if userID == "" {
		return streaming.Invalid("user_id", "is empty")
	}
	if version < 1 {
		return streaming.Invalid("version", "must be positive, got %d", version)
	}
	return g.write(ctx, func(tx txRunner) error {
		return run(ctx, tx, eraseUserCypher, map[string]any{"id": userID, "version": version})
	})
}
