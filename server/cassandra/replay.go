package cassandra

import (
	"context"
	"slices"
	"time"

	"github.com/gocql/gocql"
	"golang.org/x/sync/errgroup"

	"github.com/streamingplatform/streaming/server/streaming"
)

const (
	// Every (user, title) started, with the newest event's time. One row per pair rather than per event: the
	// window's pairs are found by reading this table, not the events.
	selectStarted = `SELECT user_id, content_id, updated_at FROM continue_watching`
	// One pair's events of the window: a slice of its partition (ts is the clustering key).
	selectSince = `SELECT ts, completed, played_seconds, device FROM playback_events WHERE user_id = ? AND content_id = ? AND ts >= ?`

	replayChunk = 1000 // viewings per call of the replay's fn
	replayReads = 8    // partition reads in flight
)

// ViewingsSince calls fn, in chunks, with the viewings (one per user, title, UTC hour and device, completed if any of
// its events was, with the seconds played and the events summed, as ingest.Viewings folds them) of every event at or
// after since: the derived updates' input, read back from what is durable.
//
// It reads the whole continue_watching table, one row per (user, title) started, whose updated_at is the newest
// event's time and never moves back, so a pair with events in the window has updated_at ≥ since; for those pairs it
// reads the window's slice of their playback_events partition. The cost grows with the pairs started within the
// TTL, not with the events, and the table is read in pages (no ALLOW FILTERING on the server). Nothing is written.
func (s *Store) ViewingsSince(ctx context.Context, since time.Time, fn func([]streaming.Viewing) error) error {
	iter := s.session.Query(selectStarted).WithContext(ctx).PageSize(5000).Iter()
	var user, content gocql.UUID
	var updated time.Time
	var pairs [][2]gocql.UUID
	flush := func() error {
		viewings, err := s.viewingsOf(ctx, pairs, since)
		pairs = pairs[:0]
		if err != nil || len(viewings) == 0 {
			return err
		}
		return fn(viewings)
	}
	for iter.Scan(&user, &content, &updated) {
		if updated.Before(since) {
			continue
		}
		pairs = append(pairs, [2]gocql.UUID{user, content})
		if len(pairs) == replayChunk/4 { // most pairs give one viewing or a few
			if err := flush(); err != nil {
				iter.Close()
				return err
			}
		}
	}
	if err := iter.Close(); err != nil {
		return mapErr(err)
	}
	return flush()
}

// viewingsOf reads the window of each pair's partition, replayReads at a time, and folds it into viewings.
func (s *Store) viewingsOf(ctx context.Context, pairs [][2]gocql.UUID, since time.Time) ([]streaming.Viewing, error) {
	per := make([][]streaming.Viewing, len(pairs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(replayReads)
	for i, p := range pairs {
		g.Go(func() error {
			iter := s.session.Query(selectSince, p[0], p[1], since).WithContext(gctx).PageSize(5000).Iter()
			var ts time.Time
			var completed bool
			var played int32
			var device string
			userID, contentID := p[0].String(), p[1].String()
			var vs []streaming.Viewing
			hourStart := 0 // vs[hourStart:] are the current hour's: rows come newest first, so hours are grouped
			for iter.Scan(&ts, &completed, &played, &device) {
				hour := ts.UTC().Truncate(time.Hour)
				if n := len(vs); n > 0 && !vs[n-1].Hour.Equal(hour) {
					hourStart = n
				}
				i := slices.IndexFunc(vs[hourStart:], func(v streaming.Viewing) bool { return v.Device == device })
				if i < 0 {
					vs = append(vs, streaming.Viewing{UserID: userID, ContentID: contentID, Hour: hour, Device: device})
					i = len(vs) - 1 - hourStart
				}
				v := &vs[hourStart+i]
				v.Completed = v.Completed || completed
				v.Seconds += int64(played)
				v.Events++
			}
			per[i] = vs
			return mapErr(iter.Close())
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []streaming.Viewing
	for _, vs := range per {
		out = append(out, vs...)
	}
	return out, nil
}
