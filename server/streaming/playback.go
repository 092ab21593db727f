package streaming

import (
	"context"
	"time"
)

// Devices a playback event may carry; its quality is one of Qualities.
var Devices = []string{"web", "mobile", "tablet", "tv", "console"}

// PlaybackEvent is one playback event (the brief's "eventos_reproduccion"). EventID is chosen by the client, so a
// replayed event rewrites the same row.
type PlaybackEvent struct {
	EventID         string
	UserID          string
	ContentID       string
	OccurredAt      time.Time
	PlayedSeconds   int32
	PositionSeconds int32
	Device          string
	Quality         string
	Completed       bool
}

// ContinueWatchingItem is where a user stopped in one title.
type ContinueWatchingItem struct {
	ContentID       string
	PositionSeconds int32
	UpdatedAt       time.Time // event time of the position
	Completed       bool      // the newest event said the title was finished
}

// PlaybackWriter durably writes playback events (Cassandra).
type PlaybackWriter interface {
	// WritePartition writes events that all share one (UserID, ContentID) partition, and moves the user's continue-watching
	// position for that title unless a later event already did. It returns only once the store confirmed the
	// write at the configured consistency; on error none of the events may be counted as durable (some may have
	// been applied; a retry rewrites the same rows). It must not keep the slice or the events after returning, nor
	// change them. The events are passed by reference: the ingest pipeline writes them from where they were
	// received, without copying each one into a batch first.
	WritePartition(ctx context.Context, events []*PlaybackEvent) error
}

// PlaybackReader reads what the writer stored.
type PlaybackReader interface {
	// ContinueWatching is the user's last position per title, most recent first, at most limit items.
	ContinueWatching(ctx context.Context, userID string, limit int) ([]ContinueWatchingItem, error)
	// WatchHistory is the user's events for one title, newest first, one page at a time; next is "" on the
	// last page. A malformed page token is a CodeInvalid error on field page_token.
	WatchHistory(ctx context.Context, userID, contentID string, pageSize int, pageToken string) (events []PlaybackEvent, next string, err error)
}

// PlaybackObserver receives events after they are durable, for derived updates (trending counters, watched edges,
// cache invalidation), one partition write at a time: the events of one call share a user and a title. Observe must
// not block: derived updates never slow the durable write path. It must copy what it keeps: the caller reuses the
// slice, and the events are not the observer's.
type PlaybackObserver interface {
	Observe(events []*PlaybackEvent)
}

// Viewing is what durable playback events say of one user and title in one UTC hour on one device: the user watched
// the title then, for Seconds over Events events, and finished it if any event said so. Derived views (trending
// viewers, WATCHED edges, cache invalidation, the analytics roll-ups) are built from viewings, one per partition
// write, hour and device however many events the write held, so their cost follows the viewers, not the events. Its
// strings are its own, never the bytes of the request the events came in.
type Viewing struct {
	UserID    string
	ContentID string
	Hour      time.Time // the events' hour, UTC, truncated
	Device    string    // one of Devices
	Completed bool
	Seconds   int64 // played, summed over the events
	Events    int32
}
