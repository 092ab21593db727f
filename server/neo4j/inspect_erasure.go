package neo4j

import (
	"context"
	"slices"
)

// ErasedNode is what the graph holds of a user readcheck knows as erased, for its erasure check: an erasure leaves
// the tombstone (:User {id, version, erased: true}) with no relationships (see EraseUser), so anything more is
// personal data left behind. Only property names are read, never their values: the report must not copy them.
type ErasedNode struct {
	ID            string
	Version       int64    // 0 when the node has none
	Erased        bool     // the node carries erased = true
	Properties    []string // the names of all its properties, sorted
	Relationships int64    // its relationships, of any type and direction
}

// TombstoneProperties returns the property names of an erased user's tombstone, sorted: all an erased user's node
// may hold.
func TombstoneProperties() []string { return []string{"erased", "id", "version"} }

// COUNT { (u)--() } is answered from the node's degree (no relationship is read); keys(u) gives the names only.
const erasedNodesCypher = `
UNWIND $ids AS id
MATCH (u:User {id: id})
RETURN u.id AS id, u.version AS version, coalesce(u.erased = true, false) AS erased, keys(u) AS properties,
       COUNT { (u)--() } AS relationships`

// ErasedNodes returns the User nodes among ids, by id, as the erasure check sees them: one read for the batch.
func (g *Graph) ErasedNodes(ctx context.Context, ids []string) (map[string]ErasedNode, error) {
	recs, err := g.read(ctx, "read erased users", erasedNodesCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]ErasedNode, len(recs))
	for _, r := range recs {
		version, _ := recInt(r, "version")
		rels, _ := recInt(r, "relationships")
		erased, _ := r.Get("erased")
		props := recStrings(r, "properties")
		slices.Sort(props)
		n := ErasedNode{ID: recString(r, "id"), Version: version, Erased: erased == true, Properties: props,
			Relationships: rels}
		out[n.ID] = n
	}
	return out, nil
}
