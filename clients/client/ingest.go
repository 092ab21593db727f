package client

import (
	"context"
	"fmt"
	"sync"
	"time"

	streamingv1 "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// Ingester sends a slice of playback events through IngestPlaybackEvents and makes sure each one is stored: a
// Batcher of one stream at a time, given every event at once (see Batcher for how a broken stream is resumed).
// Resending is safe: the server keys rows by event id, so an event stored twice is one row.
type Ingester struct {
	Client *Client
	// Batch is the events per stream message (500 when 0; at most 1000, the contract's bound).
	Batch int
	// PerStream is the messages per stream (20 when 0): a stream that fails loses no more than this to resend.
	PerStream int
	// Backoff is the first wait after a failed stream (100ms when 0), doubled up to 5s; a RetryInfo the server sends
	// (its ingest quota) is waited instead.
	Backoff time.Duration
}

// IngestResult says what Send did.
type IngestResult struct {
	Stored   int // events acknowledged durable
	Rejected int // events refused for a field at fault
	Streams  int // streams opened
	Resent   int // events sent again after a failed stream or a "not stored" answer
}

// Send stores events, in order of first sending. It returns when every event is durable or refused (nil when none
// was refused, else an *EventError naming the first refused, the others stored), when ctx ends (its error), or when
// the server answers with an error that retrying cannot fix (that error).
func (in *Ingester) Send(ctx context.Context, events []*streamingv1.PlaybackEvent) (IngestResult, error) {
	var mu sync.Mutex
	var refused *EventError
	b := in.Client.NewBatcher(ctx, BatcherOptions{BatchSize: in.Batch, StreamBatches: in.PerStream, Backoff: in.Backoff,
		Buffer: max(len(events), 1), Linger: time.Millisecond,
		OnReject: func(ev *streamingv1.PlaybackEvent, field, reason string) {
			mu.Lock()
			defer mu.Unlock()
			if refused == nil {
				refused = &EventError{EventID: ev.GetEventId(), Field: field, Reason: reason}
			}
		}})
	err := b.Add(ctx, events...)
	st, cerr := b.Close(ctx)
	if err == nil {
		err = cerr
	}
	res := IngestResult{Stored: int(st.Durable), Rejected: int(st.Rejected), Streams: int(st.Streams), Resent: int(st.Resent)}
	mu.Lock()
	defer mu.Unlock()
	if err == nil && refused != nil {
		err = refused
	}
	return res, err
}

// EventError is an event the server refused for a field at fault: sending it again would not help.
type EventError struct {
	EventID, Field, Reason string
}

func (e *EventError) Error() string {
	return fmt.Sprintf("client: event %s refused: %s: %s", e.EventID, e.Field, e.Reason)
}
