package client

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	streamingv1 "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// recorder is a gRPC server with the three services unimplemented that remembers the metadata of each call.
type recorder struct {
	mu    sync.Mutex
	calls []metadata.MD
}

func (r *recorder) record(ctx context.Context) {
	md, _ := metadata.FromIncomingContext(ctx)
	r.mu.Lock()
	r.calls = append(r.calls, md)
	r.mu.Unlock()
}

func (r *recorder) last(t *testing.T) metadata.MD {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 {
		t.Fatal("no call reached the server")
	}
	return r.calls[len(r.calls)-1]
}

func serve(t *testing.T) (string, *recorder) {
	t.Helper()
	rec := &recorder{}
	srv := grpc.NewServer(
		grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			rec.record(ctx)
			return h(ctx, req)
		}),
		grpc.StreamInterceptor(func(s any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			rec.record(ss.Context())
			return h(s, ss)
		}))
	streamingv1.RegisterCommandServiceServer(srv, streamingv1.UnimplementedCommandServiceServer{})
	streamingv1.RegisterQueryServiceServer(srv, streamingv1.UnimplementedQueryServiceServer{})
	streamingv1.RegisterIngestServiceServer(srv, streamingv1.UnimplementedIngestServiceServer{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return lis.Addr().String(), rec
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// The token travels as "authorization: Bearer <token>" over a plaintext connection, on unary calls and streams of
// every service; WithToken copies carry their own token on the shared connection without changing the original.
func TestTokenIsSentPerCall(t *testing.T) {
	addr, rec := serve(t)
	ctx := ctxFor(t)
	c, err := Dial(ctx, addr, WithToken("admin-secret"), WithUserAgent("seed-test"))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	user := c.WithToken("user-session")
	anon := c.WithToken("")

	ingest := func(cl *Client) error {
		st, err := cl.Ingest.IngestPlaybackEvents(ctx)
		if err != nil {
			return err
		}
		_, err = st.CloseAndRecv()
		return err
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"command as admin", func() error {
			_, err := c.Command.Login(ctx, &streamingv1.LoginRequest{})
			return err
		}, "Bearer admin-secret"},
		{"query as user", func() error {
			_, err := user.Query.GetTrending(ctx, &streamingv1.GetTrendingRequest{})
			return err
		}, "Bearer user-session"},
		{"stream as user", func() error { return ingest(user) }, "Bearer user-session"},
		{"anonymous", func() error {
			_, err := anon.Command.RegisterUser(ctx, &streamingv1.RegisterUserRequest{})
			return err
		}, ""},
		{"original keeps its token", func() error { return ingest(c) }, "Bearer admin-secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); status.Code(err) != codes.Unimplemented {
				t.Fatalf("call = %v, want the server's Unimplemented", err)
			}
			md := rec.last(t)
			got := strings.Join(md.Get("authorization"), ",")
			if got != tt.want {
				t.Errorf("authorization = %q, want %q", got, tt.want)
			}
			if ua := strings.Join(md.Get("user-agent"), ","); !strings.HasPrefix(ua, "seed-test") {
				t.Errorf("user-agent = %q, want it to start with seed-test", ua)
			}
		})
	}
	if c.Token() != "admin-secret" || user.Token() != "user-session" || anon.Token() != "" {
		t.Errorf("tokens: %q %q %q", c.Token(), user.Token(), anon.Token())
	}
}

// A server that is not there is reported by Dial, quickly, not by the first call.
func TestDialFailsWhenNothingListens(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	start := time.Now()
	c, err := Dial(ctxFor(t), addr)
	if err == nil {
		c.Close()
		t.Fatalf("Dial(%s) with nothing listening succeeded", addr)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("error %q does not name the address", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Dial took %s to fail", d)
	}
}

// unavailableQueries is a QueryService whose every call answers Unavailable, as a replica going away does.
type unavailableQueries struct {
	streamingv1.UnimplementedQueryServiceServer
}

func (unavailableQueries) GetTrending(context.Context, *streamingv1.GetTrendingRequest) (*streamingv1.GetTrendingResponse, error) {
	return nil, status.Error(codes.Unavailable, "going away")
}

// With a list of addresses calls are balanced over all of them, and a query answered Unavailable by one is retried
// on another.
func TestDialBalancesAndRetriesOnAnotherServer(t *testing.T) {
	good, rec := serve(t)
	srv := grpc.NewServer()
	streamingv1.RegisterQueryServiceServer(srv, unavailableQueries{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	c, err := Dial(ctxFor(t), lis.Addr().String()+","+good)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 10 {
		// The good server has no trending: Unimplemented is its answer; Unavailable would mean no retry happened.
		_, err := c.Query.GetTrending(ctxFor(t), &streamingv1.GetTrendingRequest{})
		if code := status.Code(err); code != codes.Unimplemented {
			t.Fatalf("GetTrending: %v; want the other server's answer (Unimplemented)", err)
		}
	}
	rec.mu.Lock()
	n := len(rec.calls)
	rec.mu.Unlock()
	if n != 10 {
		t.Fatalf("the good server saw %d calls, want all 10 (directly or retried)", n)
	}
}
