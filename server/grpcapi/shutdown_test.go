package grpcapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// slowTrending answers GetTrending once release is closed, and says when a call has arrived.
type slowTrending struct {
	pb.UnimplementedQueryServiceServer
	arrived chan struct{}
	release chan struct{}
}

func (s *slowTrending) GetTrending(ctx context.Context, _ *pb.GetTrendingRequest) (*pb.GetTrendingResponse, error) {
	s.arrived <- struct{}{}
	select {
	case <-s.release:
		return &pb.GetTrendingResponse{Items: []*pb.TrendingItem{{ContentId: "done"}}}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// A REST call in flight when shutdown begins is drained like a gRPC one: it finishes with its answer within the
// grace period, while the HTTP listener takes no new call.
func TestShutdownDrainsREST(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	q := &slowTrending{arrived: make(chan struct{}, 1), release: make(chan struct{})}
	srv, err := New(Options{GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", OpsAddr: "127.0.0.1:0",
		MaxRecvBytes: 4 << 20, DefaultDeadline: 10 * time.Second, ShutdownGrace: 10 * time.Second},
		log, &Interceptors{Log: log, Auth: &Authenticator{AdminToken: "admin-token-0123456789"}},
		pb.UnimplementedCommandServiceServer{}, q, pb.UnimplementedIngestServiceServer{}, pb.UnimplementedPlaybackServiceServer{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- srv.Run(ctx) }()
	defer func() {
		stop()
		<-ran
	}()

	type answer struct {
		code int
		body string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, "http://"+srv.HTTPAddr()+"/v1/trending", nil)
		req.Header.Set("Authorization", "Bearer admin-token-0123456789")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- answer{err: err}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		got <- answer{code: res.StatusCode, body: string(b)}
	}()
	select {
	case <-q.arrived:
	case a := <-got:
		t.Fatalf("the REST call ended before reaching the handler: %+v", a)
	case <-time.After(10 * time.Second):
		t.Fatal("the REST call never reached the handler")
	}

	stop() // shutdown begins with the call in flight
	time.Sleep(200 * time.Millisecond)
	if _, err := http.Get("http://" + srv.HTTPAddr() + "/v1/trending"); err == nil {
		t.Error("a new REST call was taken after shutdown began")
	}
	close(q.release)
	select {
	case a := <-got:
		if a.err != nil || a.code != http.StatusOK {
			t.Fatalf("the in-flight REST call: HTTP %d %s %v; want 200 with its answer", a.code, a.body, a.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the in-flight REST call did not finish")
	}
	select {
	case err := <-ran:
		ran <- err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the drain")
	}
}
