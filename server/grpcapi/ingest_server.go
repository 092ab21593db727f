package grpcapi

import (
	"context"
	"errors"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	appingest "github.com/streamingplatform/streaming/server/app/ingest"
	"github.com/streamingplatform/streaming/server/grpcapi/wire"
	"github.com/streamingplatform/streaming/server/streaming"
)

// IngestServer implements streaming.v1.IngestService over the ingest use case (server/app/ingest), which checks
// each event, hands the good ones to the pipeline and settles them. The server only receives, decodes and answers.
type IngestServer struct {
	pb.UnimplementedIngestServiceServer
	svc *appingest.Service
	// IdleTimeout ends a stream whose client sends nothing for this long (0: never), so an idle or forgotten
	// stream does not hold its slot on the connection and what it read for good.
	IdleTimeout time.Duration
	// Tracer, when set, records one span per received batch, a child of the stream's span; the pipeline's
	// partition writes link to it. nil: no spans (tracing off).
	Tracer trace.Tracer
	// Rejected counts the events answered as rejected (failed a check, or not stored), per finished call; nil: not
	// counted.
	Rejected prometheus.Counter

	drainOnce sync.Once
	draining  chan struct{}
}

// NewIngestServer serves the use case.
func NewIngestServer(svc *appingest.Service) *IngestServer {
	return &IngestServer{svc: svc, draining: make(chan struct{})}
}

// Drain makes open streams stop reading, settle what they handed over and end with Unavailable and the durable
// counts in their trailer, while the connection is still up. The server calls it when shutdown begins.
func (s *IngestServer) Drain() { s.drainOnce.Do(func() { close(s.draining) }) }

func rejectionsToPB(rs []appingest.Rejection) []*pb.EventRejection {
	out := make([]*pb.EventRejection, len(rs))
	for i, r := range rs {
		out[i] = &pb.EventRejection{BatchIndex: r.Batch, EventIndex: int32(r.Index), Field: r.Field, Reason: r.Reason}
	}
	return out
}

func (s *IngestServer) RecordPlaybackEvents(ctx context.Context, r *pb.RecordPlaybackEventsRequest) (*pb.RecordPlaybackEventsResponse, error) {
	events := make([]streaming.PlaybackEvent, len(r.GetEvents()))
	for i, e := range r.GetEvents() {
		events[i] = wire.FromPB(e)
	}
	sum, err := s.svc.Record(ctx, PrincipalFrom(ctx), events)
	s.countRejected(sum)
	if err != nil {
		return nil, err
	}
	return &pb.RecordPlaybackEventsResponse{Accepted: sum.Accepted, Rejected: sum.Rejected, Rejections: rejectionsToPB(sum.Rejections)}, nil
}

// IngestPlaybackEvents reads batches and hands each to the stream's use case, which submits them while earlier ones
// are written, and answers once the client closes its side and every event has an outcome. When the pipeline is
// full, reading stops (flow control slows the client); past the pipeline's wait bound the stream ends with
// ResourceExhausted. If the stream ends in an error, the trailer says how many events were durable and through which
// batch (x-ingest-accepted, x-ingest-durable-through-batch), so the client knows what to resend.
func (s *IngestServer) IngestPlaybackEvents(stream grpc.ClientStreamingServer[pb.IngestPlaybackEventsRequest, pb.IngestPlaybackEventsResponse]) error {
	ctx := stream.Context()
	st := s.svc.Open(PrincipalFrom(ctx))
	// fail ends the stream with err. While the client is still there the use case first settles what was handed
	// over, so the trailer is exact; a client that went away (ctx ended) gets nothing more, and the handler returns
	// at once: the pipeline writes and resolves the handed-over events on its own, so nothing waits on them here.
	fail := func(err error) error {
		sum := st.Abort(ctx)
		s.countRejected(sum)
		stream.SetTrailer(metadata.Pairs("x-ingest-accepted", strconv.FormatInt(sum.Accepted, 10),
			"x-ingest-durable-through-batch", strconv.FormatInt(sum.DurableThrough, 10)))
		return err
	}
	// Recv runs in its own goroutine so a shutdown can interrupt a stream that is waiting for the client.
	// It receives into a wire.Batch, not the generated message: the codec decodes the events straight into
	// domain events (see codec). The goroutine ends after its first error, or when the stream's context ends
	// (gRPC ends it once this handler returns); the handler never relies on it handing an error over, because a
	// context that ends makes the goroutine's select free to drop that error.
	type received struct {
		msg *wire.Batch
		err error
	}
	next := make(chan received, 1)
	go func() {
		for {
			msg := new(wire.Batch)
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
	var idle <-chan time.Time
	var idleTimer *time.Timer
	if s.IdleTimeout > 0 {
		idleTimer = time.NewTimer(s.IdleTimeout)
		defer idleTimer.Stop()
		idle = idleTimer.C
	}
	var batches int64
	for {
		var r received
		select {
		case r = <-next:
			if idleTimer != nil {
				idleTimer.Reset(s.IdleTimeout)
			}
		case <-idle:
			sum := st.Abort(ctx)
			return fail(status.Errorf(codes.DeadlineExceeded, "no message for %s: stream closed; events through batch %d are settled (see trailer)", s.IdleTimeout, sum.DurableThrough))
		case <-ctx.Done(): // the client went away, its deadline passed, the connection broke or the session ended
			return fail(contextStatus(ctx))
		case <-s.draining:
			sum := st.Abort(ctx)
			return fail(status.Errorf(codes.Unavailable, "server shutting down: events through batch %d are settled (see trailer); resend the rest to another server", sum.DurableThrough))
		}
		if errors.Is(r.err, io.EOF) {
			break
		}
		if r.err != nil {
			return fail(r.err)
		}
		batches++
		if err := s.add(ctx, st, r.msg, batches); err != nil {
			return fail(err)
		}
	}
	sum, err := st.Finish(ctx)
	if err != nil {
		return fail(err)
	}
	s.countRejected(sum)
	return stream.SendAndClose(&pb.IngestPlaybackEventsResponse{Accepted: sum.Accepted, Rejected: sum.Rejected, Rejections: rejectionsToPB(sum.Rejections)})
}

func (s *IngestServer) countRejected(sum appingest.Summary) {
	if s.Rejected != nil && sum.Rejected > 0 {
		s.Rejected.Add(float64(sum.Rejected))
	}
}

// add hands one received batch to the stream, in a span of its own when the stream's trace is sampled (kept): a
// batch of an unsampled stream records nothing, so tracing at a low ratio costs the hot path next to nothing.
func (s *IngestServer) add(ctx context.Context, st *appingest.Stream, msg *wire.Batch, n int64) error {
	if s.Tracer == nil || !trace.SpanContextFromContext(ctx).IsSampled() {
		return st.Add(ctx, msg.Events, msg.Bytes)
	}
	ctx, span := s.Tracer.Start(ctx, "ingest.batch", trace.WithAttributes(attribute.Int64("ingest.batch.index", n),
		attribute.Int("ingest.batch.events", len(msg.Events))))
	defer span.End()
	err := st.Add(ctx, msg.Events, msg.Bytes)
	if err != nil {
		span.SetStatus(otelcodes.Error, err.Error())
	}
	return err
}
