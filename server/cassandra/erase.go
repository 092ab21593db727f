package cassandra

import (
	"context"
	"time"

	"github.com/gocql/gocql"
	"golang.org/x/sync/errgroup"

	"github.com/streamingplatform/streaming/server/streaming"
)

var _ streaming.UserEraser = (*Store)(nil)

// Statements of a user erasure. Every delete carries an explicit write timestamp (see EraseUser).
const (
	selectUserTitles    = `SELECT content_id FROM user_titles WHERE user_id = ?`
	selectStartedTitles = `SELECT content_id FROM continue_watching WHERE user_id = ?`
	deleteEvents        = `DELETE FROM playback_events USING TIMESTAMP ? WHERE user_id = ? AND content_id = ?`
	deleteUserTitles    = `DELETE FROM user_titles USING TIMESTAMP ? WHERE user_id = ?`
	deletePositions     = `DELETE FROM continue_watching USING TIMESTAMP ? WHERE user_id = ?`
)

// eraseDeletes bounds the playback_events partition deletes in flight during one erasure: a heavy user has a few
// thousand titles, and an erasure should not crowd out the ingest path's requests.
const eraseDeletes = 16

// erasePageSize is the page size of the index reads. A variable so that a test can page through a small user.
var erasePageSize = 1000

// ErasureStore names Cassandra in the erasure's progress (user_erasures.store).
func (s *Store) ErasureStore() string { return streaming.ErasureStoreCassandra }

// EraseUser deletes the user's viewing history (every playback_events partition of the user) and continue-watching
// (the user's continue_watching partition).
//
// playback_events is partitioned by (user, title), so the user's partitions are found through two indexes, read in
// pages: user_titles, written by every WritePartition with a TTL longer than the events' (the complete index, see
// WritePartition), and continue_watching, which names the titles of events written before user_titles existed
// (schema step 3). Each title's partition is deleted by a single-partition delete, eraseDeletes at a time. The index
// partitions go last, continue_watching the very last: if the erasure fails midway they are still there for the
// retry. A second call finds nothing and succeeds.
//
// Every delete is timestamped now + Config.MaxClockSkew: write timestamps are event times, which WritePartition
// accepts up to MaxClockSkew in the future, and a tombstone only shadows cells with a timestamp at or below its own.
// It also shadows events timed before it that are still in flight when the erasure runs, on the titles found.
//
// The deletes hide the rows from every read at once; the bytes leave the disk when compaction purges them, for
// playback_events when its time window's SSTables expire (TWCS never compacts old windows again).
//
// version is not used: Cassandra holds no versioned user state (playback rows are keyed by event time, not by the
// user's version), so there is no tombstone to keep at it.
func (s *Store) EraseUser(ctx context.Context, userID string, version int64) error {
	user, err := gocql.ParseUUID(userID)
	if err != nil {
		return streaming.Invalid("user_id", "is not a UUID")
	}
	at := time.Now().Add(s.cfg.MaxClockSkew).UnixMicro()

	titles := map[gocql.UUID]bool{}
	for _, stmt := range []string{selectUserTitles, selectStartedTitles} {
		if err := s.readTitles(ctx, stmt, user, titles); err != nil {
			return err
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(eraseDeletes)
	for content := range titles {
		g.Go(func() error {
			return mapErr(s.session.Query(deleteEvents, at, user, content).WithContext(gctx).Idempotent(true).Exec())
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}

	for _, stmt := range []string{deleteUserTitles, deletePositions} {
		if err := s.session.Query(stmt, at, user).WithContext(ctx).Idempotent(true).Exec(); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// readTitles adds to titles the content_id of every row of the user's partition that stmt reads, erasePageSize rows
// per request (the driver fetches the next page as the scan reaches it).
func (s *Store) readTitles(ctx context.Context, stmt string, user gocql.UUID, titles map[gocql.UUID]bool) error {
	iter := s.session.Query(stmt, user).WithContext(ctx).PageSize(erasePageSize).Iter()
	var content gocql.UUID
	for iter.Scan(&content) {
		titles[content] = true
	}
	return mapErr(iter.Close())
}
