package e2e

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.uber.org/goleak"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// Issue 18, as it was found: ingest streams that a client abandons (a phone losing its network) against the real
// server and stores, over one connection. Each stream sends some batches, or none, and is canceled at a random
// point; afterwards no goroutine the streams started is left, and a new stream on the same connection is served
// at once. (The grpcapi package abandons 1,000 streams at every point, including while the store stalls.)
func TestAbandonedIngestStreamsLeaveNothingBehind(t *testing.T) {
	e := server(t)
	const streams, concurrency = 300, 32
	u := newUser(t, e)
	content := uuid.NewString()
	batch := func(n int) *pb.IngestPlaybackEventsRequest {
		r := &pb.IngestPlaybackEventsRequest{}
		for i := range n {
			r.Events = append(r.Events, event(u.id, content, time.Now().Add(-time.Minute), int32(i)))
		}
		return r
	}
	stream := func(ctx context.Context, batches int) (*pb.IngestPlaybackEventsResponse, error) {
		s, err := e.ingest.IngestPlaybackEvents(ctx)
		if err != nil {
			return nil, err
		}
		for range batches {
			if err := s.Send(batch(100)); err != nil {
				break
			}
		}
		return s.CloseAndRecv()
	}
	if _, err := stream(as(t, u.token), 1); err != nil { // warm the path
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	existing := goleak.IgnoreCurrent()

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i := range streams {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ctx, cancel := context.WithCancel(as(t, u.token))
			// Canceled before anything is sent, while batches are going out, or while the server settles them.
			time.AfterFunc(time.Duration(rng.IntN(20_000))*time.Microsecond, cancel)
			_, err := stream(ctx, rng.IntN(6))
			if c := status.Code(err); c != codes.OK && c != codes.Canceled {
				t.Errorf("abandoned stream: %v", err)
			}
		})
	}
	wg.Wait()

	ctx, cancel := context.WithTimeout(as(t, u.token), 2*time.Second)
	defer cancel()
	if res, err := stream(ctx, 1); err != nil || res.GetAccepted() != 100 {
		t.Fatalf("a new stream on the same connection after %d abandoned ones: %v, %v", streams, res, err)
	}
	if err := goleak.Find(append(pooledConnections, existing)...); err != nil {
		t.Fatalf("goroutines left by %d abandoned streams (%d before): %v", streams, before, err)
	}
	t.Logf("goroutines: %d before, %d after %d abandoned streams", before, runtime.NumGoroutine(), streams)
}
