package client

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	streamingv1 "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// Ingester sends playback events through IngestPlaybackEvents and makes sure each one is stored: what a stream did
// not store is sent again on a new stream (on another server when the connection has several), until every event is
// durable or one is refused for a field at fault. Resending is safe: the server keys rows by event id, so an event
// stored twice is one row.
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
	Stored  int // events acknowledged durable
	Streams int // streams opened
	Resent  int // events sent again after a failed stream or a "not stored" answer
}

// Send stores events, in order of first sending. It returns when every event is durable (nil), when ctx ends, or
// when the server rejects an event for a field at fault (an *EventError, with the events before it stored).
func (in *Ingester) Send(ctx context.Context, events []*streamingv1.PlaybackEvent) (IngestResult, error) {
	batch, perStream := in.Batch, in.PerStream
	if batch <= 0 {
		batch = 500
	}
	batch = min(batch, 1000)
	if perStream <= 0 {
		perStream = 20
	}
	backoff := in.Backoff
	if backoff <= 0 {
		backoff = 100 * time.Millisecond
	}
	var res IngestResult
	pending := events
	wait := backoff
	for len(pending) > 0 {
		n := min(len(pending), batch*perStream)
		stored, resend, err := in.stream(ctx, pending[:n], batch)
		res.Streams++
		res.Stored += stored
		res.Resent += len(resend)
		var bad *EventError
		if errors.As(err, &bad) {
			return res, err
		}
		pending = append(resend, pending[n:]...)
		if len(resend) == 0 && err == nil {
			wait = backoff
			continue
		}
		if d, ok := retryAfter(err); ok {
			wait = d
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
	return res, nil
}

// EventError is an event the server refused for a field at fault: sending it again would not help.
type EventError struct {
	EventID, Field, Reason string
}

func (e *EventError) Error() string {
	return fmt.Sprintf("client: event %s refused: %s: %s", e.EventID, e.Field, e.Reason)
}

// stream sends events on one stream, batch per message, and returns how many were stored and which to send again.
func (in *Ingester) stream(ctx context.Context, events []*streamingv1.PlaybackEvent, batch int) (int, []*streamingv1.PlaybackEvent, error) {
	s, err := in.Client.Ingest.IngestPlaybackEvents(ctx)
	if err != nil {
		return 0, events, err
	}
	for i := 0; i < len(events); i += batch {
		if s.Send(&streamingv1.IngestPlaybackEventsRequest{Events: events[i:min(i+batch, len(events))]}) != nil {
			break // the stream ended; CloseAndRecv says why
		}
	}
	res, err := s.CloseAndRecv()
	if err != nil {
		// The trailer says through which message every event has an outcome. When all of those were accepted they
		// are stored; otherwise it cannot say which were not, and the whole stream is sent again.
		through, err1 := strconv.Atoi(first(s.Trailer().Get("x-ingest-durable-through-batch")))
		accepted, err2 := strconv.Atoi(first(s.Trailer().Get("x-ingest-accepted")))
		if err1 != nil || err2 != nil || through < 0 {
			return 0, events, err
		}
		settled := min((through+1)*batch, len(events))
		if accepted != settled {
			return 0, events, err
		}
		return settled, events[settled:], err
	}
	var resend []*streamingv1.PlaybackEvent
	for _, r := range res.GetRejections() {
		ev := events[int(r.GetBatchIndex())*batch+int(r.GetEventIndex())]
		if r.GetField() != "" {
			return 0, nil, &EventError{EventID: ev.GetEventId(), Field: r.GetField(), Reason: r.GetReason()}
		}
		resend = append(resend, ev) // "not stored, retry"
	}
	if int64(len(resend)) != res.GetRejected() {
		// More rejections than the answer lists (it caps them): resend the whole stream.
		return 0, events, nil
	}
	return len(events) - len(resend), resend, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// retryAfter is the wait a ResourceExhausted answer's RetryInfo asks for.
func retryAfter(err error) (time.Duration, bool) {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.ResourceExhausted {
		return 0, false
	}
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return ri.GetRetryDelay().AsDuration(), true
		}
	}
	return 0, false
}
