package cassandra

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
	"sync"
	"time"

	"github.com/gocql/gocql"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Statements. Kept constant so the driver's prepared-statement cache (keyed by text) finds them again.
const (
	insertEvent = `INSERT INTO playback_events (user_id, content_id, ts, event_id, played_seconds, position_seconds, ` +
		`device, quality, completed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`
	insertEventArgs = 10

	upsertPosition = `INSERT INTO continue_watching (user_id, content_id, position_seconds, updated_at, completed) ` +
		`VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ?`

	// The user's title index, which EraseUser reads (erase.go). Unlike the statements above its write timestamp is the
	// wall clock, not an event time, and its TTL outlasts the events': see titleTTLSeconds.
	upsertTitle = `INSERT INTO user_titles (user_id, content_id) VALUES (?, ?) USING TTL ? AND TIMESTAMP ?`

	selectHistory = `SELECT event_id, ts, played_seconds, position_seconds, device, quality, completed ` +
		`FROM playback_events WHERE user_id = ? AND content_id = ?`

	selectPositions = `SELECT content_id, position_seconds, updated_at, completed FROM continue_watching WHERE user_id = ?`
)

// Largest page and limit of the readers (a larger one is served at this size). The sizes a caller leaves open are
// the query side's business (app/query's defaults); the readers refuse a size that is not positive.
const (
	MaxPageSize = 500
	MaxLimit    = 100
)

// WritePartition writes events that share one (user_id, content_id) as unlogged single-partition batches of at most
// Config.MaxBatch inserts, and moves the user's continue-watching position for the title to the newest event's.
//
// A single-partition batch is applied atomically and in isolation on each replica, goes to one replica set (the
// driver routes it by the first statement's partition key) and costs the coordinator no batch log. Every insert
// carries its event time as write timestamp, so writing the same events again rewrites identical cells: no new rows,
// no change. The position upsert carries the newest event's time, so an older event arriving late loses to the
// newer position already stored (last write wins by event time, not by arrival).
//
// It also refreshes the (user, title) row of user_titles, the index a user erasure finds the user's partitions by.
// continue_watching cannot be that index: its row carries the newest event's time, so a late or replayed older
// event rewrites the event rows (their TTL counts from this write) while its position upsert loses, and the row
// expires before those events do (TestEraseUserFindsLateEvents shows it).
//
// The sub-batches, the position upsert and the index upsert run concurrently; nil means all of them were
// acknowledged at the configured consistency. On error some of them may have been applied; retrying the whole call
// is safe.
//
// The ts column is a CQL timestamp: OccurredAt is stored, and read back, at millisecond precision; the write
// timestamp keeps its microseconds. OccurredAt must lie after 1970 and at most Config.MaxClockSkew in the future.
func (s *Store) WritePartition(ctx context.Context, events []*streaming.PlaybackEvent) error {
	if len(events) == 0 {
		return nil
	}
	user, err := gocql.ParseUUID(events[0].UserID)
	if err != nil {
		return streaming.Invalid("user_id", "is not a UUID")
	}
	content, err := gocql.ParseUUID(events[0].ContentID)
	if err != nil {
		return streaming.Invalid("content_id", "is not a UUID")
	}
	// Box the partition key once: every statement shares the same interface values.
	var userArg, contentArg any = user, content

	// One backing array for every statement's arguments: one allocation instead of one per event.
	args := make([]any, len(events)*insertEventArgs)
	latest := 0
	maxTime := time.Now().Add(s.cfg.MaxClockSkew)
	for i, e := range events {
		if e.UserID != events[0].UserID && !sameUUID(e.UserID, user) {
			return streaming.Invalid("user_id", "events %d and 0 belong to different users: one call writes one (user, title) partition", i)
		}
		if e.ContentID != events[0].ContentID && !sameUUID(e.ContentID, content) {
			return streaming.Invalid("content_id", "events %d and 0 belong to different titles: one call writes one (user, title) partition", i)
		}
		id, err := gocql.ParseUUID(e.EventID)
		if err != nil {
			return streaming.Invalid("event_id", "event %d: is not a UUID", i)
		}
		if e.OccurredAt.Before(minTime) {
			return streaming.Invalid("occur_time", "event %d: is missing or before 1970", i)
		}
		if e.OccurredAt.After(maxTime) {
			return streaming.Invalid("occur_time", "event %d: lies more than %s in the future", i, s.cfg.MaxClockSkew)
		}
		if e.OccurredAt.After(events[latest].OccurredAt) {
			latest = i
		}
		a := args[i*insertEventArgs : (i+1)*insertEventArgs : (i+1)*insertEventArgs]
		a[0], a[1], a[2], a[3] = userArg, contentArg, e.OccurredAt, id
		a[4], a[5], a[6], a[7], a[8] = e.PlayedSeconds, e.PositionSeconds, e.Device, e.Quality, e.Completed
		a[9] = e.OccurredAt.UnixMicro()
	}

	n := (len(events) + s.cfg.MaxBatch - 1) / s.cfg.MaxBatch
	errs := make([]error, n+2)
	var wg sync.WaitGroup
	for b := range n {
		lo, hi := b*s.cfg.MaxBatch, min((b+1)*s.cfg.MaxBatch, len(events))
		wg.Go(func() { errs[b] = s.writeBatch(ctx, args[lo*insertEventArgs:hi*insertEventArgs]) })
	}
	wg.Go(func() {
		errs[n+1] = s.session.Query(upsertTitle, userArg, contentArg, s.cfg.titleTTLSeconds(), time.Now().UnixMicro()).
			WithContext(ctx).Idempotent(true).Exec()
	})
	// The position upsert runs on this goroutine, beside the batches: it is a different partition (the user's), so
	// putting it in the batch would make the batch multi-partition.
	e := events[latest]
	errs[n] = s.session.Query(upsertPosition, userArg, contentArg, e.PositionSeconds, e.OccurredAt, e.Completed, e.OccurredAt.UnixMicro()).
		WithContext(ctx).Idempotent(true).Exec()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// sameUUID reports whether s is id in any spelling the driver accepts (case, hyphens).
func sameUUID(s string, id gocql.UUID) bool {
	u, err := gocql.ParseUUID(s)
	return err == nil && u == id
}

// minTime is the earliest event time accepted: write timestamps are microseconds since 1970 and must be positive.
var minTime = time.Unix(0, 1000)

// writeBatch sends the inserts whose arguments are args (insertEventArgs per statement) as one unlogged batch.
func (s *Store) writeBatch(ctx context.Context, args []any) error {
	b := s.session.NewBatch(gocql.UnloggedBatch)
	b.Entries = make([]gocql.BatchEntry, 0, len(args)/insertEventArgs)
	for i := 0; i < len(args); i += insertEventArgs {
		b.Entries = append(b.Entries, gocql.BatchEntry{Stmt: insertEvent, Args: args[i : i+insertEventArgs], Idempotent: true})
	}
	return s.session.ExecuteBatch(b.WithContext(ctx))
}

// ContinueWatching reads the user's whole continue_watching partition (one row per title started, bounded by the
// catalog and by the TTL), sorts it by event time, newest first, and returns at most limit items (0 means
// DefaultLimit; more than MaxLimit means MaxLimit).
func (s *Store) ContinueWatching(ctx context.Context, userID string, limit int) ([]streaming.ContinueWatchingItem, error) {
	user, err := gocql.ParseUUID(userID)
	if err != nil {
		return nil, streaming.Invalid("user_id", "is not a UUID")
	}
	switch {
	case limit <= 0:
		return nil, streaming.Invalid("limit", "must be positive")
	case limit > MaxLimit:
		limit = MaxLimit
	}
	iter := s.session.Query(selectPositions, user).WithContext(ctx).PageSize(1000).Iter()
	items := make([]streaming.ContinueWatchingItem, 0, min(iter.NumRows(), 1000))
	var it streaming.ContinueWatchingItem
	for iter.Scan(&it.ContentID, &it.PositionSeconds, &it.UpdatedAt, &it.Completed) { // a row from before step 2: false
		items = append(items, it)
	}
	if err := iter.Close(); err != nil {
		return nil, mapErr(err)
	}
	slices.SortFunc(items, func(a, b streaming.ContinueWatchingItem) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ContentID, b.ContentID)
	})
	if len(items) > limit {
		items = slices.Clip(items[:limit])
	}
	return items, nil
}

// WatchHistory reads one page of the user's events for one title, newest first (ts DESC, then event_id). The page
// token is Cassandra's paging state behind a 4-byte checksum of (user, title), base64url-encoded: Cassandra would
// accept another title's paging state and silently resume at its position, the checksum turns that client mistake
// into a CodeInvalid error. next is "" when Cassandra reports no more rows; when the last rows exactly fill a page,
// one more, empty, page can follow.
func (s *Store) WatchHistory(ctx context.Context, userID, contentID string, pageSize int, pageToken string) ([]streaming.PlaybackEvent, string, error) {
	user, err := gocql.ParseUUID(userID)
	if err != nil {
		return nil, "", streaming.Invalid("user_id", "is not a UUID")
	}
	content, err := gocql.ParseUUID(contentID)
	if err != nil {
		return nil, "", streaming.Invalid("content_id", "is not a UUID")
	}
	switch {
	case pageSize <= 0:
		return nil, "", streaming.Invalid("page_size", "must be positive")
	case pageSize > MaxPageSize:
		pageSize = MaxPageSize
	}
	sum := listChecksum(user, content)
	var state []byte
	if pageToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(pageToken)
		if err != nil || len(raw) <= 4 || binary.BigEndian.Uint32(raw) != sum {
			return nil, "", streaming.Invalid("page_token", "is not a page token of this list")
		}
		state = raw[4:]
	}
	// PageState (even nil) turns off the driver's automatic paging: the iterator stops at the end of this page.
	iter := s.session.Query(selectHistory, user, content).WithContext(ctx).PageSize(pageSize).PageState(state).Iter()
	events := make([]streaming.PlaybackEvent, 0, iter.NumRows())
	uid, cid := user.String(), content.String()
	var e streaming.PlaybackEvent
	for iter.Scan(&e.EventID, &e.OccurredAt, &e.PlayedSeconds, &e.PositionSeconds, &e.Device, &e.Quality, &e.Completed) {
		e.UserID, e.ContentID = uid, cid
		events = append(events, e)
	}
	next := iter.PageState()
	if err := iter.Close(); err != nil {
		if state != nil && badPagingState(err) {
			return nil, "", streaming.Invalid("page_token", "is not a page token of this list")
		}
		return nil, "", mapErr(err)
	}
	if len(next) == 0 {
		return events, "", nil
	}
	token := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(next)), sum)
	return events, base64.RawURLEncoding.EncodeToString(append(token, next...)), nil
}

// listChecksum identifies the list a page token belongs to.
func listChecksum(user, content gocql.UUID) uint32 {
	return crc32.Update(crc32.ChecksumIEEE(user[:]), crc32.IEEETable, content[:])
}

// badPagingState reports whether Cassandra rejected the request as malformed, which with a caller-supplied paging
// state means the state was not one it issued.
func badPagingState(err error) bool {
	var reqErr gocql.RequestError
	if !errors.As(err, &reqErr) {
		return false
	}
	switch reqErr.Code() {
	case gocql.ErrCodeProtocol, gocql.ErrCodeInvalid: // "Invalid value for the paging state" is a protocol error
		return true
	}
	return false
}
