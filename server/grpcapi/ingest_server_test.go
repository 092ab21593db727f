package grpcapi

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	appingest "github.com/streamingplatform/streaming/server/app/ingest"
	"github.com/streamingplatform/streaming/server/grpcapi/wire"
	"github.com/streamingplatform/streaming/server/ingest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// heldWriter takes partition writes but confirms none until released: a store that has stalled.
type heldWriter struct{ release chan struct{} }

func (w heldWriter) WritePartition(ctx context.Context, _ []*streaming.PlaybackEvent) error {
	select {
	case <-w.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// queued reads the pipeline's ingest_queue_events gauge.
func queued(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "ingest_queue_events" {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatal("no ingest_queue_events gauge")
	return 0
}

// A client that pads every request with an invalid event of 256 kB keeps one valid event per request queued while
// the store stalls; each pins its whole request. The stream stops reading once its queued events keep
// maxInFlightBytes alive, long before the event bound, and every event still gets its outcome once the store
// answers.
func TestStreamBoundsTheMemoryItsQueuedEventsKeepAlive(t *testing.T) {
	const requests, padding, bound = 40, 256 << 10, 1 << 20
	w := heldWriter{release: make(chan struct{})}
	reg := prometheus.NewRegistry()
	p := ingest.New(ingest.Config{QueueEvents: 100_000, WriteTimeout: time.Minute}, w, nil, reg, nil)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p.Close(ctx)
	})
	s := NewIngestServer(&appingest.Service{Queue: p, MaxSkew: 5 * time.Minute, MaxAge: 24 * time.Hour, MaxInFlightBytes: bound})

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer(grpc.ForceServerCodecV2(wire.NewCodec()), grpc.MaxRecvMsgSize(4<<20))
	pb.RegisterIngestServiceServer(gs, s)
	go gs.Serve(lis)
	t.Cleanup(gs.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stream, err := pb.NewIngestServiceClient(conn).IngestPlaybackEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	user, now := uuid.NewString(), time.Now().Add(-time.Minute)
	var sendErr error
	var wg sync.WaitGroup
	wg.Go(func() { // Send blocks once the server stops reading and the flow-control windows are full
		for range requests {
			good := &pb.PlaybackEvent{EventId: uuid.NewString(), UserId: user, ContentId: uuid.NewString(),
				OccurTime: timestamppb.New(now), Device: pb.Device_DEVICE_TV, Quality: pb.VideoQuality_VIDEO_QUALITY_HD}
			bad := &pb.PlaybackEvent{EventId: strings.Repeat("x", padding), UserId: user, ContentId: uuid.NewString(),
				OccurTime: timestamppb.New(now), Device: pb.Device_DEVICE_TV, Quality: pb.VideoQuality_VIDEO_QUALITY_HD}
			if sendErr = stream.Send(&pb.IngestPlaybackEventsRequest{Events: []*pb.PlaybackEvent{good, bad}}); sendErr != nil {
				return
			}
		}
	})

	// Let the stream read all it will while the store is stalled.
	var n float64
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		n = queued(t, reg)
	}
	// Each request keeps its 256 kB copy and slab alive: 1 MB covers 3 of them; the fourth goes over, then the
	// stream waits for its oldest batch, with one more request read ahead by the receiving goroutine.
	if limit := float64(bound/padding + 2); n < 2 || n > limit {
		t.Fatalf("%v events queued with the store stalled; want between 2 and %v (the stream must stop reading)", n, limit)
	}

	close(w.release)
	wg.Wait()
	if sendErr != nil {
		t.Fatal(sendErr)
	}
	res, err := stream.CloseAndRecv()
	if err != nil {
		t.Fatal(err)
	}
	if res.GetAccepted() != requests || res.GetRejected() != requests {
		t.Fatalf("accepted %d, rejected %d; want %d each", res.GetAccepted(), res.GetRejected(), requests)
	}
}
