package query_test

import (
	"context"
	"testing"

	"github.com/streamingplatform/streaming/server/app/query"
	"github.com/streamingplatform/streaming/server/streaming"
)

// playbackSpy is a fake of the domain's PlaybackReader port that records the sizes it was asked for.
type playbackSpy struct{ limit, pageSize int }

func (p *playbackSpy) ContinueWatching(_ context.Context, _ string, limit int) ([]streaming.ContinueWatchingItem, error) {
	p.limit = limit
	return nil, nil
}

func (p *playbackSpy) WatchHistory(_ context.Context, _, _ string, pageSize int, _ string) ([]streaming.PlaybackEvent, string, error) {
	p.pageSize = pageSize
	return nil, "", nil
}

// The playback queries go through the query side, which owns the sizes a caller leaves open.
func TestPlaybackQueriesApplyTheDefaults(t *testing.T) {
	for _, c := range []struct{ asked, wantLimit, wantPage int }{
		{0, query.DefaultContinueWatching, query.DefaultHistoryPageSize},
		{-3, query.DefaultContinueWatching, query.DefaultHistoryPageSize},
		{7, 7, 7},
	} {
		spy := &playbackSpy{}
		h := &query.Handler{Playback: spy}
		if _, err := h.ContinueWatching(t.Context(), "u", c.asked); err != nil {
			t.Fatal(err)
		}
		if _, _, err := h.WatchHistory(t.Context(), "u", "c", c.asked, ""); err != nil {
			t.Fatal(err)
		}
		if spy.limit != c.wantLimit || spy.pageSize != c.wantPage {
			t.Errorf("asked %d: limit %d, page %d; want %d and %d", c.asked, spy.limit, spy.pageSize, c.wantLimit, c.wantPage)
		}
	}
}
