package grpcapi

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"buf.build/go/protovalidate"
	"github.com/google/uuid"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	appingest "github.com/streamingplatform/streaming/server/app/ingest"
	"github.com/streamingplatform/streaming/server/ingest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Every test of the transport ends every goroutine it started: servers, streams, pipelines.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testServiceToken = "grpcapi-test-service-token-0123456789"

// gatedWriter is a store that can be made to stall: while the gate is shut every write waits (for the gate, or for
// the pipeline's write timeout).
type gatedWriter struct {
	mu   sync.Mutex
	open chan struct{} // closed while writes pass
}

func newGatedWriter() *gatedWriter { return &gatedWriter{open: make(chan struct{})} }

func (w *gatedWriter) shut() {
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case <-w.open:
		w.open = make(chan struct{})
	default:
	}
}

func (w *gatedWriter) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case <-w.open:
	default:
		close(w.open)
	}
}

func (w *gatedWriter) WritePartition(ctx context.Context, _ []*streaming.PlaybackEvent) error {
	w.mu.Lock()
	open := w.open
	w.mu.Unlock()
	select {
	case <-open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ingestTransport is the transport as streamingd assembles it (every interceptor, the codec, the stream limits)
// serving an ingest pipeline over w, and one client connection to it.
type ingestTransport struct {
	pipeline *ingest.Pipeline
	ingest   *IngestServer
	conn     *grpc.ClientConn
	client   pb.IngestServiceClient
}

func startIngestTransport(t *testing.T, w streaming.PlaybackWriter, pc ingest.Config, maxInFlightBytes int) *ingestTransport {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	p := ingest.New(pc, w, nil, nil, log)
	is := NewIngestServer(&appingest.Service{Queue: p, MaxSkew: 5 * time.Minute, MaxAge: 24 * time.Hour, MaxInFlightBytes: maxInFlightBytes})
	validator, err := protovalidate.New()
	if err != nil {
		t.Fatal(err)
	}
	ic := &Interceptors{Log: log, Auth: &Authenticator{ServiceToken: testServiceToken}, Validator: validator,
		DefaultDeadline: 10 * time.Second}
	srv, err := New(Options{GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", OpsAddr: "127.0.0.1:0", MaxRecvBytes: 4 << 20,
		DefaultDeadline: 10 * time.Second, ShutdownGrace: 5 * time.Second, OnShutdown: []func(){is.Drain}},
		log, ic, pb.UnimplementedCommandServiceServer{}, pb.UnimplementedQueryServiceServer{}, is, pb.UnimplementedPlaybackServiceServer{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // after the server has stopped (cleanups run last registered first)
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Close(cctx); err != nil {
			t.Errorf("pipeline close: %v", err)
		}
	})
	run(t, srv)
	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &ingestTransport{pipeline: p, ingest: is, conn: conn, client: pb.NewIngestServiceClient(conn)}
}

func serviceCtx(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+testServiceToken)
}

// validBatch is n good events of one user, with event ids padded to pad bytes (the contract allows 128).
func validBatch(n int) *pb.IngestPlaybackEventsRequest {
	user, content, at := uuid.NewString(), uuid.NewString(), timestamppb.New(time.Now().Add(-time.Minute))
	r := &pb.IngestPlaybackEventsRequest{Events: make([]*pb.PlaybackEvent, n)}
	for i := range r.Events {
		r.Events[i] = &pb.PlaybackEvent{EventId: uuid.NewString(), UserId: user, ContentId: content, OccurTime: at,
			PlayedSeconds: 10, PositionSeconds: int32(i), Device: pb.Device_DEVICE_TV, Quality: pb.VideoQuality_VIDEO_QUALITY_HD}
	}
	return r
}

// settledGoroutines waits until the process runs at most want goroutines (or until the wait ends) and returns the
// last count.
func settledGoroutines(want int, wait time.Duration) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(wait); n > want && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(20 * time.Millisecond)
	}
	return n
}

// oneStream sends one batch of n events on a new stream and waits for the answer.
func oneStream(ctx context.Context, c pb.IngestServiceClient, n int) (*pb.IngestPlaybackEventsResponse, error) {
	s, err := c.IngestPlaybackEvents(serviceCtx(ctx))
	if err != nil {
		return nil, err
	}
	if err := s.Send(validBatch(n)); err != nil {
		return nil, err
	}
	return s.CloseAndRecv()
}

// The ways a client abandons an ingest stream (a phone losing its network, a caller's deadline).
const (
	abandonBeforeFirstMessage = iota // the stream is opened and canceled before anything is sent
	abandonMidBatch                  // canceled while a large request is still being sent
	abandonAfterBatches              // canceled after some batches, while the server is reading or settling them
	abandonInBackPressure            // canceled while the server waits on the stalled store (its in-flight bound)
	abandonByDeadline                // the client's deadline passes while the server waits on the stalled store
	abandonKinds
)

// Issue 18: streams whose client went away must end their handler at once and release what they hold, whatever
// the stream was doing; otherwise each keeps one of the connection's concurrent streams and a goroutine, and a
// client that multiplexes over one connection stops being served. 1,000 streams are abandoned at random points
// over one connection while the store stalls; the goroutine count must come back to its baseline with the store
// still stalled, and a new stream on the same connection must then be served at once.
func TestAbandonedStreamsEndTheirHandlers(t *testing.T) {
	const streams, concurrency = 1000, 64
	w := newGatedWriter()
	w.release()
	// A small in-flight bound: one batch of 100 events (well over 16 kB kept alive) makes a stream wait for it.
	tr := startIngestTransport(t, w, ingest.Config{QueueEvents: 20_000, EnqueueWait: time.Minute, WriteTimeout: time.Minute}, 16<<10)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// Warm the connection and the server (its transport goroutines belong to the baseline).
	if res, err := oneStream(ctx, tr.client, 10); err != nil || res.GetAccepted() != 10 {
		t.Fatalf("warm-up stream: %v, %v", res, err)
	}
	baseline := settledGoroutines(0, 500*time.Millisecond)

	w.shut() // the store stalls: every handed-over batch stays unsettled
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	var kinds [abandonKinds]int
	var mu sync.Mutex
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i := range streams {
		rng := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
		kind := rng.IntN(abandonKinds)
		mu.Lock()
		kinds[kind]++
		mu.Unlock()
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := abandonStream(ctx, tr.client, kind, rng); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	t.Logf("abandoned %d streams (before the first message %d, mid-batch %d, after batches %d, in back-pressure %d, by deadline %d)",
		streams, kinds[abandonBeforeFirstMessage], kinds[abandonMidBatch], kinds[abandonAfterBatches],
		kinds[abandonInBackPressure], kinds[abandonByDeadline])

	after := settledGoroutines(baseline, 10*time.Second)
	t.Logf("goroutines: baseline %d, after %d abandoned streams with the store stalled %d", baseline, streams, after)
	if after > baseline {
		t.Fatalf("%d goroutines after %d abandoned streams, baseline %d: handlers or their receivers did not end\n%s",
			after, streams, baseline, goroutineDump())
	}

	// The store answers again; a new stream on the same connection is served at once.
	w.release()
	sctx, scancel := context.WithTimeout(ctx, 2*time.Second)
	defer scancel()
	res, err := oneStream(sctx, tr.client, 10)
	if err != nil || res.GetAccepted() != 10 {
		t.Fatalf("a new stream on the same connection: %v, %v", res, err)
	}
	if n := settledGoroutines(baseline, 10*time.Second); n > baseline {
		t.Fatalf("%d goroutines after the store answered again, baseline %d", n, baseline)
	}
}

// abandonStream opens one stream and abandons it as kind says. It returns an error only when the call ended in a
// way an abandoned stream must not (the server answered something other than the cancellation).
func abandonStream(ctx context.Context, c pb.IngestServiceClient, kind int, rng *rand.Rand) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if kind == abandonByDeadline {
		sctx, cancel = context.WithTimeout(ctx, time.Duration(5+rng.IntN(30))*time.Millisecond)
		defer cancel()
	}
	s, err := c.IngestPlaybackEvents(serviceCtx(sctx))
	if err != nil {
		return abandoned(err)
	}
	switch kind {
	case abandonBeforeFirstMessage:
		if rng.IntN(2) == 0 {
			time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
		}
	case abandonMidBatch:
		// A request of about 1 MB (every other event padded, and so rejected): canceled while its frames are
		// still going out.
		big := validBatch(1000)
		for k := 0; k < len(big.Events); k += 2 {
			big.Events[k].EventId = strings.Repeat("x", 2000)
		}
		time.AfterFunc(time.Duration(rng.IntN(1000))*time.Microsecond, cancel)
		s.Send(big)
	case abandonAfterBatches:
		for range 1 + rng.IntN(3) {
			if s.Send(validBatch(1+rng.IntN(50))) != nil {
				break
			}
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
	case abandonInBackPressure, abandonByDeadline:
		// The first batch is over the stream's in-flight bound, so the handler waits for the stalled store; more
		// batches queue behind it in flow control.
		for range 2 + rng.IntN(3) {
			if s.Send(validBatch(100)) != nil {
				break
			}
		}
		if kind == abandonInBackPressure {
			time.Sleep(time.Duration(1+rng.IntN(10)) * time.Millisecond)
		}
	}
	if kind != abandonByDeadline {
		cancel()
	}
	_, err = s.CloseAndRecv()
	if err == nil {
		return nil // every batch was settled before the cancellation or the deadline reached the server
	}
	return abandoned(err)
}

// abandoned passes the errors of a call its client abandoned and returns any other.
func abandoned(err error) error {
	switch status.Code(err) {
	case codes.Canceled, codes.DeadlineExceeded:
		return nil
	}
	return err
}

func goroutineDump() string {
	buf := make([]byte, 64<<10) // the first goroutines are enough to see where handlers wait
	return string(buf[:runtime.Stack(buf, true)])
}
