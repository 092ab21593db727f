package readcheck

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/streaming"
)

// The erasure check (KindErasure) proves that an erased user (DeleteUser, docs/erasure.md) left nothing personal
// behind. Erased users are no rows to compare a read model with (Table.name leaves them out of the user checks):
// instead each store is asked what it still holds of them, and anything beyond what an erasure leaves is reported
// as diverged, with the fields naming what remains:
//
//   - postgres: the row is anonymized (email "<id>@erased.invalid", no display name, password hash "!") and no
//     rating review or saved payment token is left.
//   - neo4j: at most the tombstone (:User {id, version, erased: true}), without relationships.
//   - redis: user_profile:<id> holds at most the tombstone's fields; sessions:<id>, recommendations:<id> and
//     leases:<id> do not exist.
//   - cassandra: no continue_watching or user_titles row, and no playback_events row on the titles they name.
//
// A store whose user_erasures row is not done yet (the erasure worker has not reached it, or keeps failing on it) is
// expected to hold data still: what it holds is pending, not a divergence, unless Options.Strict. A store that holds
// nothing is ok, queued or not. The report names what remains, never its values: it is printed and logged, and
// must not copy the personal data it finds.

// notShown stands for a personal value found where none should be.
const notShown = "(personal data, not shown)"

// checkErasures checks the erased users among ids in PostgreSQL and in each store given.
//
// Unlike the other kinds, PostgreSQL is read first. Both sides only move one way while the check runs: a store's
// user_erasures row goes from pending to done after the store was erased, and an erased store only loses data (or
// gains a late playback event, which is data left as much as any). Read in this order, a row seen done was done
// before the store was read, so what the store holds then is really left over; read the other way round, an
// erasure finishing between the two reads would look like data left behind by a completed erasure.
func (c *checker) checkErasures(ctx context.Context, ids []string) ([]result, error) {
	users, err := c.src.Postgres.ErasedUsers(ctx, ids)
	if err != nil {
		return nil, err
	}
	var nodes map[string]neo4j.ErasedNode
	if c.src.Graph != nil {
		if nodes, err = c.src.Graph.ErasedNodes(ctx, ids); err != nil {
			return nil, err
		}
	}
	var keys map[string]redis.ErasedKeys
	if c.src.Redis != nil {
		if keys, err = c.src.Redis.ErasedUserKeys(ctx, ids); err != nil {
			return nil, err
		}
	}
	var rows map[string]cassandra.ErasedRows
	if c.src.Cassandra != nil {
		if rows, err = c.src.Cassandra.ErasedUserRows(ctx, ids); err != nil {
			return nil, err
		}
	}

	var out []result
	for _, id := range ids {
		u, ok := users[id]
		if !ok {
			continue // not erased (ids name only erased users: it cannot be undone)
		}
		base := result{kind: KindErasure, id: id, batchID: id, agg: aggregate{Type: streaming.AggregateUser, ID: id},
			version: u.Version}
		out = append(out, c.erasureResult(base, ModelPostgres, u, streaming.ErasureStorePostgres, postgresLeft(u)))
		if c.src.Graph != nil {
			node, found := nodes[id]
			r := c.erasureResult(base, ModelNeo4j, u, streaming.ErasureStoreGraph, graphLeft(node, found))
			r.modelVersion = node.Version
			out = append(out, r)
		}
		if c.src.Redis != nil {
			out = append(out, c.erasureResult(base, ModelRedis, u, streaming.ErasureStoreRedis, redisLeft(keys[id])))
		}
		if c.src.Cassandra != nil {
			out = append(out, c.erasureResult(base, ModelCassandra, u, streaming.ErasureStoreCassandra, cassandraLeft(rows[id])))
		}
	}
	return out, nil
}

// erasureResult is the outcome of one store for an erased user, given what it still holds (left): ok when nothing,
// pending while the store's erasure is queued (unless Strict), diverged otherwise.
func (c *checker) erasureResult(base result, m Model, u postgres.ErasedUser, store string, left fields) result {
	r := base
	r.model = m
	switch {
	case len(left) == 0:
		r.status = StatusOK
	case !c.opts.Strict && slices.Contains(u.Pending, store):
		r.status, r.fields = StatusPending, left
	default:
		r.status, r.fields = StatusDiverged, left
	}
	return r
}

// postgresLeft is what the user's PostgreSQL rows hold beyond what AnonymizeUser leaves.
func postgresLeft(u postgres.ErasedUser) fields {
	var f fields
	if !u.EmailAnonymized {
		f.add("email", strconv.Quote(u.ID+"@erased.invalid"), notShown)
	}
	if !u.DisplayNameEmpty {
		f.add("display_name", `""`, notShown)
	}
	if !u.PasswordCleared {
		f.add("password_hash", `"!"`, notShown)
	}
	f.int("rating reviews", 0, u.Reviews)
	f.int("payment tokens and card fingerprints", 0, u.PaymentTokens)
	return f
}

// graphLeft is what the user's node holds beyond the tombstone. No node at all holds nothing.
func graphLeft(n neo4j.ErasedNode, found bool) fields {
	var f fields
	if !found {
		return f
	}
	if !n.Erased {
		f.add("erased", "true", "false")
	}
	tomb := neo4j.TombstoneProperties()
	if slices.ContainsFunc(n.Properties, func(p string) bool { return !slices.Contains(tomb, p) }) {
		f.add("properties", fmt.Sprintf("%q", tomb), fmt.Sprintf("%q", n.Properties))
	}
	f.int("relationships", 0, n.Relationships)
	return f
}

// redisLeft is what the user's keys hold beyond the profile's tombstone. An absent profile (never cached, or its
// tombstone expired) holds nothing.
func redisLeft(k redis.ErasedKeys) fields {
	var f fields
	tomb := redis.TombstoneFields()
	if slices.ContainsFunc(k.ProfileFields, func(field string) bool { return !slices.Contains(tomb, field) }) {
		f.add("key "+k.ProfileKey, fmt.Sprintf("fields %q", tomb), fmt.Sprintf("fields %q", k.ProfileFields))
	}
	for _, key := range k.Present {
		f.add("key "+key, "absent", "present")
	}
	return f
}

// cassandraLeft is what Cassandra holds of the user: an erasure leaves nothing.
func cassandraLeft(r cassandra.ErasedRows) fields {
	var f fields
	f.int("continue_watching rows", 0, r.ContinueWatching)
	f.int("user_titles rows", 0, r.UserTitles)
	f.int("playback_events rows", 0, r.PlaybackEvents)
	return f
}
