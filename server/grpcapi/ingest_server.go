package grpcapi

import (
	"context"
	"errors"
	"io"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/ingest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// IngestServer implements streaming.v1.IngestService. Each event is checked on its own (ingest.Validate, which
// applies the contract's PlaybackEvent bounds and the clock-skew window, after ids spelt in upper case are lowered,
// and ownership: a user may send only their own events), so a bad event is rejected alone. Good events go to the
// ingest pipeline; an event is accepted only once the pipeline reports it durable.
type IngestServer struct {
	pb.UnimplementedIngestServiceServer
	pipeline *ingest.Pipeline
	maxSkew  time.Duration
	maxAge   time.Duration
	// maxInFlightBytes bounds, per stream, the memory its queued events keep alive (DefaultMaxInFlightBytes).
	maxInFlightBytes int

	drainOnce sync.Once
	draining  chan struct{}
}

// NewIngestServer serves the pipeline; events must lie within [now-maxAge, now+maxSkew].
func NewIngestServer(p *ingest.Pipeline, maxSkew, maxAge time.Duration) *IngestServer {
	return &IngestServer{pipeline: p, maxSkew: maxSkew, maxAge: maxAge, maxInFlightBytes: DefaultMaxInFlightBytes,
		draining: make(chan struct{})}
}

// Drain makes open streams stop reading, settle what they handed over and end with Unavailable and the durable
// counts in their trailer, while the connection is still up. The server calls it when shutdown begins.
func (s *IngestServer) Drain() { s.drainOnce.Do(func() { close(s.draining) }) }

// maxRejections caps the rejection details in one response; the counts stay exact.
const maxRejections = 1000

// maxInFlightEvents is how many events of one stream may be queued or being written before the stream waits for its
// oldest batch. Reading far ahead keeps the pipeline full, and a full pipeline is what lets it group many events of
// a partition into one write under load; memory stays bounded by the pipeline's queue (Submit waits when it is full)
// and, per stream, by this bound on what a stream keeps to settle.
const maxInFlightEvents = 64 << 10

// DefaultMaxInFlightBytes bounds the memory one stream's queued events keep alive. A queued event holds its whole
// request (the message copy its strings point into, and the batch's event slab) until it is written, so counting
// events alone would let a client that pads each request with invalid events — rejected at once, but in the same
// message — pin up to the largest message per queued event while the store is slow. Past this bound the stream
// waits for its oldest batch, as past maxInFlightEvents.
const DefaultMaxInFlightBytes = 64 << 20

// summary accumulates the outcome of a stream or a batch.
type summary struct {
	accepted, rejected int64
	rejections         []*pb.EventRejection
	durableThrough     int64 // highest batch index whose every event has a definite outcome; -1 before any
}

func (s *summary) reject(batch int64, index int, field, reason string) {
	s.rejected++
	if len(s.rejections) < maxRejections {
		s.rejections = append(s.rejections, &pb.EventRejection{BatchIndex: batch, EventIndex: int32(index), Field: field, Reason: reason})
	}
}

// pending is a batch handed to the pipeline and not yet resolved.
type pending struct {
	batch  int64
	ticket *ingest.Ticket
	bytes  int     // memory the batch keeps alive until settled
	n      int     // events submitted
	index  []int32 // position in the batch of each submitted event; nil when they are all of them, in order
}

// position is where the k-th submitted event of q sat in its batch.
func (q *pending) position(k int) int {
	if q.index == nil {
		return k
	}
	return int(q.index[k])
}

// prepare checks every event of one batch and records the rejections. It moves the good events to the front of
// events, in order, and returns them and their positions in the batch (nil when every event is good).
func (s *IngestServer) prepare(p streaming.Principal, batch int64, events []streaming.PlaybackEvent, sum *summary) ([]streaming.PlaybackEvent, []int32) {
	now := time.Now()
	good := events[:0]
	var index []int32
	for i := range events {
		e := &events[i]
		err := ingest.Validate(e, now, s.maxSkew, s.maxAge)
		if err != nil && ingest.LowerUUIDs(e) { // the contract accepts upper-case UUIDs; the stores key by lower case
			err = ingest.Validate(e, now, s.maxSkew, s.maxAge)
		}
		if err == nil && p.Role == streaming.RoleUser && e.UserID != p.UserID {
			err = streaming.Invalid("user_id", "users may only send their own events")
		}
		if err != nil {
			if index == nil { // the first rejection: positions so far were the identity
				index = make([]int32, len(good), len(events))
				for k := range index {
					index[k] = int32(k)
				}
			}
			sum.reject(batch, i, err.Field, err.Message)
			continue
		}
		if len(good) != i {
			good = append(good, *e)
		} else {
			good = good[:i+1]
		}
		if index != nil {
			index = append(index, int32(i))
		}
	}
	return good, index
}

// settle waits for a pending batch and tallies its events.
func settle(ctx context.Context, q pending, sum *summary) error {
	results, err := q.ticket.Wait(ctx)
	if err != nil {
		return err
	}
	for k := range q.n {
		if results != nil && results[k] != nil {
			reason := "not stored, retry"
			if e := streaming.AsError(results[k]); e != nil {
				reason = "not stored, retry: " + e.Message
			}
			sum.reject(q.batch, q.position(k), "", reason)
			continue
		}
		sum.accepted++
	}
	sum.durableThrough = q.batch
	return nil
}

func (s *IngestServer) RecordPlaybackEvents(ctx context.Context, r *pb.RecordPlaybackEventsRequest) (*pb.RecordPlaybackEventsResponse, error) {
	sum := &summary{durableThrough: -1}
	events := make([]streaming.PlaybackEvent, len(r.GetEvents()))
	for i, e := range r.GetEvents() {
		events[i] = playbackFromPB(e)
	}
	good, index := s.prepare(PrincipalFrom(ctx), 0, events, sum)
	if len(good) > 0 {
		t, err := s.pipeline.Submit(ctx, good)
		if err != nil {
			return nil, err
		}
		if err := settle(ctx, pending{batch: 0, ticket: t, n: len(good), index: index}, sum); err != nil {
			return nil, err
		}
	}
	return &pb.RecordPlaybackEventsResponse{Accepted: sum.accepted, Rejected: sum.rejected, Rejections: sum.rejections}, nil
}

// IngestPlaybackEvents reads batches, hands them to the pipeline while earlier ones are written, and answers once
// the client closes its side and every event has an outcome. When the pipeline is full, reading stops (flow control
// slows the client); past the pipeline's wait bound the stream ends with ResourceExhausted. If the stream ends in
// an error, the trailer says how many events were durable and through which batch (x-ingest-accepted,
// x-ingest-durable-through-batch), so the client knows what to resend.
func (s *IngestServer) IngestPlaybackEvents(stream grpc.ClientStreamingServer[pb.IngestPlaybackEventsRequest, pb.IngestPlaybackEventsResponse]) error {
	ctx := stream.Context()
	p := PrincipalFrom(ctx)
	sum := &summary{durableThrough: -1}
	var queue []pending
	inFlight, inFlightBytes := 0, 0 // events in queue, and the memory they keep alive
	// fail ends the stream with err. While the client is still there it first settles what was handed over, so the
	// trailer is exact; a client that went away (ctx ended) gets nothing more, and the handler returns at once: the
	// pipeline writes and resolves the handed-over events on its own, so nothing waits on them here.
	fail := func(err error) error {
		for _, q := range queue {
			if settle(ctx, q, sum) != nil {
				break
			}
		}
		stream.SetTrailer(metadata.Pairs("x-ingest-accepted", strconv.FormatInt(sum.accepted, 10),
			"x-ingest-durable-through-batch", strconv.FormatInt(sum.durableThrough, 10)))
		return err
	}
	// Recv runs in its own goroutine so a shutdown can interrupt a stream that is waiting for the client.
	// It receives into a playbackBatch, not the generated message: the codec decodes the events straight into
	// domain events (see codec). The goroutine ends after its first error, or when the stream's context ends
	// (gRPC ends it once this handler returns); the handler never relies on it handing an error over, because a
	// context that ends makes the goroutine's select free to drop that error.
	type received struct {
		msg *playbackBatch
		err error
	}
	next := make(chan received, 1)
	go func() {
		for {
			msg := new(playbackBatch)
			err := stream.RecvMsg(msg)
			select {
			case next <- received{msg, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for batch := int64(0); ; batch++ {
		var r received
		select {
		case r = <-next:
		case <-ctx.Done(): // the client went away, its deadline passed or the connection broke
			return fail(status.FromContextError(ctx.Err()).Err())
		case <-s.draining:
			return fail(status.Errorf(codes.Unavailable, "server shutting down: events through batch %d are settled (see trailer); resend the rest to another server", batch-1))
		}
		if errors.Is(r.err, io.EOF) {
			break
		}
		if r.err != nil {
			return fail(r.err)
		}
		good, index := s.prepare(p, batch, r.msg.events, sum)
		if len(good) == 0 {
			continue
		}
		t, err := s.pipeline.Submit(ctx, good)
		if err != nil {
			return fail(err)
		}
		queue = append(queue, pending{batch: batch, ticket: t, bytes: r.msg.bytes, n: len(good), index: index})
		inFlight += len(good)
		inFlightBytes += r.msg.bytes
		for inFlight > maxInFlightEvents || inFlightBytes > s.maxInFlightBytes {
			if err := settle(ctx, queue[0], sum); err != nil {
				return fail(err)
			}
			inFlight -= queue[0].n
			inFlightBytes -= queue[0].bytes
			queue = queue[1:]
		}
	}
	for len(queue) > 0 {
		if err := settle(ctx, queue[0], sum); err != nil {
			return fail(err)
		}
		queue = queue[1:]
	}
	return stream.SendAndClose(&pb.IngestPlaybackEventsResponse{Accepted: sum.accepted, Rejected: sum.rejected, Rejections: sum.rejections})
}
