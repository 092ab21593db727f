package query

import (
	"context"

	"github.com/streamingplatform/streaming/server/streaming"
)

// ContinueWatching is where the user stopped in each title, most recent first, at most limit titles
// (DefaultContinueWatching when 0). Cassandra is the source of truth for playback; there is no read model to miss.
func (h *Handler) ContinueWatching(ctx context.Context, userID string, limit int) ([]streaming.ContinueWatchingItem, error) {
	return h.Playback.ContinueWatching(ctx, userID, orDefault(limit, DefaultContinueWatching))
}

// WatchHistory is the user's events in one title, newest first, a page of pageSize (DefaultHistoryPageSize when 0)
// at a time; next is "" on the last page.
func (h *Handler) WatchHistory(ctx context.Context, userID, contentID string, pageSize int, pageToken string) (events []streaming.PlaybackEvent, next string, err error) {
	return h.Playback.WatchHistory(ctx, userID, contentID, orDefault(pageSize, DefaultHistoryPageSize), pageToken)
}
