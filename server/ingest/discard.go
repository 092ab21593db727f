package ingest

import (
	"context"

	"github.com/streamingplatform/streaming/server/streaming"
)

// DiscardWriter confirms every write at once and stores nothing. It exists to measure the ingest front end on its
// own (benchmarks); never wire it into a server.
type DiscardWriter struct{}

var _ streaming.PlaybackWriter = DiscardWriter{}

// WritePartition returns nil.
func (DiscardWriter) WritePartition(context.Context, []*streaming.PlaybackEvent) error { return nil }
