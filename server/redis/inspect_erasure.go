package redis

import (
	"context"
	"slices"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/streaming"
)

// ErasedKeys is what Redis holds of a user readcheck knows as erased, for its erasure check. An erasure (Eraser)
// leaves at most the tombstone in user_profile:<id> (fields "erased" and "v:user", expiring after TombstoneTTL) and
// none of the user's other keys. Only key and field names are read, never values: the report must not copy them.
type ErasedKeys struct {
	ProfileKey    string   // user_profile:<id>
	ProfileFields []string // the fields of user_profile:<id>, sorted; empty when the key does not exist
	// Present are the user's other keys that exist, among sessions:<id>, recommendations:<id> and leases:<id>, in
	// that order.
	Present []string
}

// TombstoneFields returns the fields of an erased user's user_profile tombstone, sorted: all it may hold.
func TombstoneFields() []string { return []string{fieldErased, "v:" + fieldUser} }

// erasedUserKeys are the keys named by the user id that an erasure deletes.
func erasedUserKeys(userID string) []string {
	return []string{userSessionsKey(userID), recommendationsKey(userID), leasesKey(userID)}
}

// ErasedUserKeys reads, for each of ids, the fields of its user_profile hash (HKEYS) and whether its other keys exist
// (EXISTS), pipelined: one round trip per maxPipeline commands. Each command names one key, so it works on a Redis
// Cluster, where a user's keys sit in different slots.
func (m *ReadModel) ErasedUserKeys(ctx context.Context, ids []string) (map[string]ErasedKeys, error) {
	ids = dedupe(ids)
	perUser := 1 + len(erasedUserKeys(""))
	out := make(map[string]ErasedKeys, len(ids))
	for chunk := range slices.Chunk(ids, maxPipeline/perUser) {
		cmds := make(rueidis.Commands, 0, len(chunk)*perUser)
		for _, id := range chunk {
			cmds = append(cmds, m.c.B().Hkeys().Key(userProfileKey(id)).Build())
			for _, k := range erasedUserKeys(id) {
				cmds = append(cmds, m.c.B().Exists().Key(k).Build())
			}
		}
		res := m.c.DoMulti(ctx, cmds...)
		for i, id := range chunk {
			r := res[i*perUser : (i+1)*perUser]
			fields, err := r[0].AsStrSlice()
			if err != nil {
				return nil, streaming.Unavailable("Redis", err)
			}
			slices.Sort(fields)
			k := ErasedKeys{ProfileKey: userProfileKey(id), ProfileFields: fields}
			for j, key := range erasedUserKeys(id) {
				n, err := r[1+j].AsInt64()
				if err != nil {
					return nil, streaming.Unavailable("Redis", err)
				}
				if n > 0 {
					k.Present = append(k.Present, key)
				}
			}
			out[id] = k
		}
	}
	return out, nil
}
