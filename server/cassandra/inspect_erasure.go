package cassandra

import (
	"context"
	"slices"

	"github.com/gocql/gocql"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Reads for server/readcheck's erasure check: what Cassandra still holds of users whose erasure PostgreSQL records.
// They only read, and every statement is parameterized like the rest of the package's.

const (
	selectUsersPositions = `SELECT user_id, content_id FROM continue_watching WHERE user_id IN ?`
	selectUsersTitles    = `SELECT user_id, content_id FROM user_titles WHERE user_id IN ?`
	countUserEvents      = `SELECT count(*) FROM playback_events WHERE user_id = ? AND content_id IN ?`
)

// maxInKeys bounds the partition keys of one IN list: the coordinator reads each of them, so a long list is one slow
// request that holds a coordinator thread (the usual Cassandra advice is a few dozen to a hundred).
const maxInKeys = 100

// ErasedRows counts what Cassandra holds of a user readcheck knows as erased. An erasure (EraseUser) leaves nothing.
type ErasedRows struct {
	ContinueWatching int64 // rows of the user's continue_watching partition
	UserTitles       int64 // rows of the user's user_titles partition
	// PlaybackEvents counts the playback_events rows of the user on the titles the two indexes above still name.
	// playback_events is partitioned by (user, title), so the user's partitions can only be found through the
	// indexes, as EraseUser finds them: a partition neither index names is not counted (finding it would take a
	// scan of the whole table).
	PlaybackEvents int64
}

// Any reports whether anything of the user is left.
func (r ErasedRows) Any() bool { return r.ContinueWatching+r.UserTitles+r.PlaybackEvents > 0 }

// ErasedUserRows returns, by id, what Cassandra holds of each of ids that has anything left; users with nothing
// left are absent from the map. It reads the two index tables with one multi-partition read per maxInKeys users
// each, and playback_events only for the users with index rows left (one read per such user: an erased user has
// none, so this costs nothing when the erasures are complete).
func (s *Store) ErasedUserRows(ctx context.Context, ids []string) (map[string]ErasedRows, error) {
	users := make([]gocql.UUID, 0, len(ids))
	for _, id := range ids {
		u, err := gocql.ParseUUID(id)
		if err != nil {
			return nil, streaming.Invalid("user_id", "%q is not a UUID", id)
		}
		users = append(users, u)
	}
	rows := map[gocql.UUID]*ErasedRows{}
	titles := map[gocql.UUID]map[gocql.UUID]bool{} // the titles the indexes name, by user
	found := func(user, content gocql.UUID) *ErasedRows {
		if rows[user] == nil {
			rows[user], titles[user] = &ErasedRows{}, map[gocql.UUID]bool{}
		}
		titles[user][content] = true
		return rows[user]
	}
	for chunk := range slices.Chunk(users, maxInKeys) {
		err := s.scanPairs(ctx, selectUsersPositions, chunk, func(user, content gocql.UUID) {
			found(user, content).ContinueWatching++
		})
		if err != nil {
			return nil, err
		}
		err = s.scanPairs(ctx, selectUsersTitles, chunk, func(user, content gocql.UUID) {
			found(user, content).UserTitles++
		})
		if err != nil {
			return nil, err
		}
	}
	for user, r := range rows {
		for chunk := range slices.Chunk(sortedUUIDs(titles[user]), maxInKeys) {
			var n int64
			if err := s.session.Query(countUserEvents, user, chunk).WithContext(ctx).Scan(&n); err != nil {
				return nil, mapErr(err)
			}
			r.PlaybackEvents += n
		}
	}
	out := make(map[string]ErasedRows, len(rows))
	for user, r := range rows {
		out[user.String()] = *r
	}
	return out, nil
}

// scanPairs calls fn with the (user_id, content_id) of every row stmt reads for users, erasePageSize rows per request.
func (s *Store) scanPairs(ctx context.Context, stmt string, users []gocql.UUID, fn func(user, content gocql.UUID)) error {
	iter := s.session.Query(stmt, users).WithContext(ctx).PageSize(erasePageSize).Iter()
	var user, content gocql.UUID
	for iter.Scan(&user, &content) {
		fn(user, content)
	}
	return mapErr(iter.Close())
}

func sortedUUIDs(set map[gocql.UUID]bool) []gocql.UUID {
	out := make([]gocql.UUID, 0, len(set))
	for u := range set {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b gocql.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}

// OpenReadOnly connects to the cluster's existing keyspace without creating it or running the schema step, for a
// tool that only reads (readcheck): a check must change nothing, not even the schema. A keyspace that does not exist
// is an error. It returns the store and its cleanup (Close).
func OpenReadOnly(ctx context.Context, cfg Config) (*Store, func(), error) {
	return open(ctx, cfg, false)
}
