package grpcapi

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

// chainUnary runs a unary chain outermost first, as grpc.ChainUnaryInterceptor does.
func chainUnary(chain []grpc.UnaryServerInterceptor) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		for k := len(chain) - 1; k >= 0; k-- {
			next, ic := handler, chain[k]
			handler = func(ctx context.Context, req any) (any, error) { return ic(ctx, req, info, next) }
		}
		return handler(ctx, req)
	}
}

// panickingHealth panics in every call (health is open: no token needed).
type panickingHealth struct {
	healthpb.UnimplementedHealthServer
}

func (panickingHealth) Check(context.Context, *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	panic("boom")
}

func (panickingHealth) Watch(*healthpb.HealthCheckRequest, grpc.ServerStreamingServer[healthpb.HealthCheckResponse]) error {
	panic("boom")
}

// A panic, unary or streaming, answers Internal quoting the request id (echoed in the header), and the standard
// metrics count it under the standard labels, with the handling-time histogram.
func TestPanicAnswerAndStandardMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	ic := &Interceptors{Log: discard, Auth: &Authenticator{}, Metrics: NewMetrics(reg)}
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(ic.UnaryChain()...), grpc.ChainStreamInterceptor(ic.StreamChain()...))
	healthpb.RegisterHealthServer(srv, panickingHealth{})
	ic.Metrics.InitializeMetrics(srv)
	lis := bufconn.Listen(1 << 20)
	go srv.Serve(lis)
	defer srv.Stop()
	conn, err := grpc.NewClient("passthrough:///bufconn", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)

	ctx := metadata.AppendToOutgoingContext(context.Background(), "x-request-id", "req-42")
	var header metadata.MD
	_, err = client.Check(ctx, &healthpb.HealthCheckRequest{}, grpc.Header(&header))
	if status.Code(err) != codes.Internal || status.Convert(err).Message() != "internal error (request id req-42)" {
		t.Fatalf("unary panic: %v, want Internal \"internal error (request id req-42)\"", err)
	}
	if got := header.Get("x-request-id"); len(got) != 1 || got[0] != "req-42" {
		t.Errorf("x-request-id header %v, want [req-42]", got)
	}
	watch, err := client.Watch(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = watch.Recv()
	if status.Code(err) != codes.Internal || !strings.HasPrefix(status.Convert(err).Message(), "internal error (request id ") {
		t.Fatalf("stream panic: %v, want Internal quoting a request id", err)
	}

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	// sample finds the series of name with exactly these labels: its counter value or histogram sample count.
	sample := func(name string, labels map[string]string) (float64, bool) {
		for _, mf := range mfs {
			if mf.GetName() != name {
				continue
			}
		series:
			for _, m := range mf.GetMetric() {
				if len(m.GetLabel()) != len(labels) {
					continue
				}
				for _, l := range m.GetLabel() {
					if labels[l.GetName()] != l.GetValue() {
						continue series
					}
				}
				if h := m.GetHistogram(); h != nil {
					return float64(h.GetSampleCount()), true
				}
				return m.GetCounter().GetValue(), true
			}
		}
		return 0, false
	}
	const service = "grpc.health.v1.Health"
	for _, c := range []struct {
		name              string
		typ, method, code string
		want              float64
	}{
		{"grpc_server_handled_total", "unary", "Check", "Internal", 1},
		{"grpc_server_handled_total", "server_stream", "Watch", "Internal", 1},
		{"grpc_server_handled_total", "unary", "List", "OK", 0}, // every method's series starts at zero
		{"grpc_server_handling_seconds", "unary", "Check", "", 1},
		{"grpc_server_handling_seconds", "server_stream", "Watch", "", 1},
	} {
		labels := map[string]string{"grpc_type": c.typ, "grpc_service": service, "grpc_method": c.method}
		if c.code != "" {
			labels["grpc_code"] = c.code
		}
		if got, ok := sample(c.name, labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.name, labels, got, ok, c.want)
		}
	}
}
