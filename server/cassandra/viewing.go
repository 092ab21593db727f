package cassandra

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/gocql/gocql"
	"golang.org/x/sync/errgroup"

	"github.com/streamingplatform/streaming/server/streaming"
)

var _ streaming.ViewingHistory = (*Store)(nil)

// Statements of the history reads.
const (
	// One title's events of a window: a slice of its partition (ts is the clustering key), newest first.
	selectPlayedBetween = `SELECT ts, played_seconds FROM playback_events WHERE user_id = ? AND content_id = ? AND ts >= ? AND ts < ?`
	// Every event: the whole table, in partition order.
	scanEvents = `SELECT user_id, content_id, ts, event_id, played_seconds, position_seconds, device, quality, completed ` +
		`FROM playback_events`
)

// viewingReads bounds the partition reads in flight during one DailyViewing: one per title the user started, and a
// heavy user has a few thousand.
const viewingReads = 8

// viewingPageSize is the page size of a title's slice read; the driver fetches the next page as the scan reaches it.
const viewingPageSize = 5000

// DailyViewing sums the user's played seconds per title and UTC day, over the events in [from, to), sorted by day,
// then content id. Days and titles without a second played are left out; an empty range gives none.
//
// The user's titles are read from the two indexes EraseUser reads, user_titles (every title with events) and
// continue_watching (which also names the titles written before user_titles existed, schema step 3): one page or
// a few of each. Each title's window is then one slice of its playback_events partition, viewingReads of them in
// flight. The cost follows the titles the user started within the TTL (one partition read each, even for a title
// with no event in the window) plus the events in the window, whatever the length of the user's whole history.
//
// Events are stored at millisecond precision, so the bounds are compared at that precision too.
func (s *Store) DailyViewing(ctx context.Context, userID string, from, to time.Time) ([]streaming.DailyTitleViewing, error) {
	user, err := gocql.ParseUUID(userID)
	if err != nil {
		return nil, streaming.Invalid("user_id", "is not a UUID")
	}
	if from.Before(minTime) { // no event is older, and the driver would send a zero time as an empty value
		from = minTime
	}
	// A ts column holds whole milliseconds: ts ≥ from exactly when ts ≥ from rounded up, and likewise for <.
	from, to = ceilMilli(from), ceilMilli(to)
	if !from.Before(to) {
		return nil, nil
	}

	titles := map[gocql.UUID]bool{}
	for _, stmt := range []string{selectUserTitles, selectStartedTitles} {
		if err := s.readTitles(ctx, stmt, user, titles); err != nil {
			return nil, err
		}
	}

	contents := slices.Collect(maps.Keys(titles))
	per := make([][]streaming.DailyTitleViewing, len(contents))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(viewingReads)
	for i, content := range contents {
		g.Go(func() error {
			days, err := s.dailyViewingOf(gctx, user, content, from, to)
			per[i] = days
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	var out []streaming.DailyTitleViewing
	for _, days := range per {
		out = append(out, days...)
	}
	slices.SortFunc(out, func(a, b streaming.DailyTitleViewing) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		return cmp.Compare(a.ContentID, b.ContentID)
	})
	return out, nil
}

// dailyViewingOf reads one title's events in [from, to) and sums their played seconds per UTC day, leaving out the
// days that sum to zero.
func (s *Store) dailyViewingOf(ctx context.Context, user, content gocql.UUID, from, to time.Time) ([]streaming.DailyTitleViewing, error) {
	iter := s.session.Query(selectPlayedBetween, user, content, from, to).WithContext(ctx).PageSize(viewingPageSize).Iter()
	contentID := content.String()
	var days []streaming.DailyTitleViewing
	var ts time.Time
	var played int32
	for iter.Scan(&ts, &played) {
		day := ts.UTC().Truncate(24 * time.Hour)
		if n := len(days); n > 0 && days[n-1].Day.Equal(day) { // rows come newest first, so days are grouped
			days[n-1].Seconds += int64(played)
			continue
		}
		days = append(days, streaming.DailyTitleViewing{Day: day, ContentID: contentID, Seconds: int64(played)})
	}
	if err := iter.Close(); err != nil {
		return nil, mapErr(err)
	}
	return slices.DeleteFunc(days, func(d streaming.DailyTitleViewing) bool { return d.Seconds == 0 }), nil
}

// ceilMilli rounds t up to a whole millisecond.
func ceilMilli(t time.Time) time.Time {
	if r := t.Truncate(time.Millisecond); r.Before(t) {
		return r.Add(time.Millisecond)
	}
	return t
}

// ScanEvents calls fn with every playback event whose OccurredAt lies in [from, to), in batches of at most pageSize
// (a positive size), in no particular order. It is the source of a rebuild of the analytics roll-ups from the
// history.
//
// Cost: it reads the whole playback_events table, every event the store keeps (the TTL's worth, two years by
// default), whatever the range: the table is partitioned by (user, title), so no index leads to the events of a
// time range, and the range is filtered here, after the rows were read and sent. Every row crosses the network once
// from each replica the consistency level asks, and the scan takes as long as reading the table does: a job to run
// seldom, off-peak, never on a request path. A narrow range is no cheaper than the whole history.
//
// How: one plain SELECT without a WHERE clause, paged by the driver (the page size, at most maxScanFetch rows per
// request), as ScanWatches does and for the same reasons: a paged full scan returns every row once and resumes
// after the last key returned, while token-range queries read the same rows with more code and pay off only when
// read in parallel. The range is not a WHERE clause: on a clustering column without the partition key it needs
// ALLOW FILTERING, which still reads every partition and can let one request walk many partitions without
// returning a row, until it times out. It holds at most a page of rows (two with the driver's prefetch) and the
// batch being filled.
//
// The scan reads at the store's consistency; events written during the scan may or may not be seen (a scan of a
// live table is not a snapshot). fn may keep the slice and the events. The scan stops at fn's first error and
// returns it unchanged, and at ctx's end (context.Canceled as is, a deadline as a CodeUnavailable error). A failed
// scan may have called fn already.
func (s *Store) ScanEvents(ctx context.Context, from, to time.Time, pageSize int, fn func([]*streaming.PlaybackEvent) error) error {
	if pageSize <= 0 {
		return streaming.Invalid("page_size", "must be positive")
	}
	if !from.Before(to) {
		return nil
	}
	iter := s.session.Query(scanEvents).WithContext(ctx).PageSize(min(pageSize, maxScanFetch)).Iter()
	defer iter.Close()

	batch := make([]streaming.PlaybackEvent, 0, pageSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		// The rows of a page are in memory already: without this check a cancelled scan would go on calling fn
		// until it needed the next page.
		if err := ctx.Err(); err != nil {
			return mapErr(err)
		}
		events := make([]*streaming.PlaybackEvent, len(batch))
		for i := range batch {
			events[i] = &batch[i]
		}
		if err := fn(events); err != nil {
			return err
		}
		batch = make([]streaming.PlaybackEvent, 0, pageSize) // fn may keep the events it was given
		return nil
	}

	// The rows of a partition come together: its key's strings are made once.
	var lastUser, lastContent gocql.UUID
	var userID, contentID string
	var user, content gocql.UUID
	var e streaming.PlaybackEvent
	for iter.Scan(&user, &content, &e.OccurredAt, &e.EventID, &e.PlayedSeconds, &e.PositionSeconds, &e.Device, &e.Quality, &e.Completed) {
		if e.OccurredAt.Before(from) || !e.OccurredAt.Before(to) {
			continue
		}
		if userID == "" || user != lastUser || content != lastContent {
			lastUser, lastContent = user, content
			userID, contentID = user.String(), content.String()
		}
		e.UserID, e.ContentID = userID, contentID
		batch = append(batch, e)
		if len(batch) == pageSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := iter.Close(); err != nil {
		return mapErr(err)
	}
	return flush()
}
