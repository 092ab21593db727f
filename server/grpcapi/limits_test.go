package grpcapi

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/ingest"
)

// An ingest stream whose client goes quiet is ended after the idle timeout, with the trailer saying what is durable;
// a stream that keeps sending within it is not.
func TestIdleIngestStreamIsEnded(t *testing.T) {
	w := newGatedWriter()
	w.release()
	tr := startIngestTransport(t, w, ingest.Config{QueueEvents: 20_000}, 0)
	tr.ingest.IdleTimeout = 300 * time.Millisecond
	ctx, cancel := context.WithTimeout(serviceCtx(t.Context()), 30*time.Second)
	defer cancel()

	busy, err := tr.client.IngestPlaybackEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for range 6 { // 6 × 100 ms: longer than the idle timeout in all, but never idle that long
		if err := busy.Send(validBatch(5)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if res, err := busy.CloseAndRecv(); err != nil || res.GetAccepted() != 30 {
		t.Fatalf("a stream that kept sending: %v, %v", res, err)
	}

	quiet, err := tr.client.IngestPlaybackEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := quiet.Send(validBatch(5)); err != nil {
		t.Fatal(err)
	}
	err = quiet.RecvMsg(new(pb.IngestPlaybackEventsResponse)) // the client never closes its side: it waits for the server
	if status.Code(err) != codes.DeadlineExceeded || !strings.Contains(err.Error(), "no message for 300ms") {
		t.Fatalf("an idle stream: %v; want DeadlineExceeded naming the idle timeout", err)
	}
	if got := quiet.Trailer().Get("x-ingest-accepted"); len(got) != 1 || got[0] != "5" {
		t.Fatalf("trailer x-ingest-accepted %v, want 5", got)
	}
}

// Headers over 16 KiB are refused, and the server goes on serving; the API listeners hold at most MaxConnections
// connections, a further one waiting until one closes.
func TestConnectionLimits(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	srv, err := New(Options{GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", OpsAddr: "127.0.0.1:0", MaxConnections: 1,
		MaxRecvBytes: 4 << 20, DefaultDeadline: 5 * time.Second, ShutdownGrace: 5 * time.Second},
		log, &Interceptors{Log: log, Auth: &Authenticator{}},
		pb.UnimplementedCommandServiceServer{}, pb.UnimplementedQueryServiceServer{}, pb.UnimplementedIngestServiceServer{}, pb.UnimplementedPlaybackServiceServer{})
	if err != nil {
		t.Fatal(err)
	}
	run(t, srv) // the REST gateway connects on its first REST call: none here
	dial := func() *grpc.ClientConn {
		conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		return conn
	}
	check := func(conn *grpc.ClientConn, wait time.Duration, md ...string) error {
		ctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(t.Context(), md...), wait)
		defer cancel()
		_, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
		return err
	}
	first := dial()
	defer first.Close()
	if err := check(first, 5*time.Second); err != nil {
		t.Fatalf("first connection: %v", err)
	}
	if err := check(first, 5*time.Second, "x-padding", strings.Repeat("p", 32<<10)); err == nil {
		t.Fatal("a call with 32 KiB of headers was answered")
	}
	if err := check(first, 5*time.Second); err != nil {
		t.Fatalf("after the refused headers: %v", err)
	}

	second := dial()
	defer second.Close()
	if err := check(second, 500*time.Millisecond); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("a second connection over a bound of one: %v; want it to wait for a free slot", err)
	}
	first.Close()
	if err := check(second, 10*time.Second); err != nil {
		t.Fatalf("once a connection closed, the waiting one: %v", err)
	}
}
