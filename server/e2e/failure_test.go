package e2e

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/wiring"
)

// startOwn starts a server of its own (not the shared one) with cfg adjusted by tweak; it stops at test end.
func startOwn(t *testing.T, tweak func(*config.Config)) (*wiring.Built, *grpc.ClientConn, context.CancelFunc, chan error) {
	t.Helper()
	server(t) // the stores must be there
	cfg, err := config.Load(storetest.Settings(t).ServerArgs())
	if err != nil {
		t.Fatal(err)
	}
	cfg.GRPCAddr, cfg.HTTPAddr, cfg.OpsAddr, cfg.AdminToken, cfg.Migrate = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", adminToken, false
	cfg.ServiceToken = serviceToken
	cfg.CassandraKeyspace, cfg.SearchAlias = "streaming_test", searchAlias
	cfg.PostgresURL = storetest.WithSearchPath(cfg.PostgresURL, schema) // the shared server's tables
	tweak(&cfg)
	built, err := wiring.Build(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done, ran := make(chan error, 1), make(chan struct{})
	go func() {
		defer close(ran)
		done <- built.Server.Run(ctx)
	}()
	conn, err := grpc.NewClient(built.Server.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	// The stores' clients close only after Run has returned: nothing of the server uses them any more.
	t.Cleanup(func() { cancel(); conn.Close(); <-ran; built.Close() })
	return built, conn, cancel, done
}

// A store that is down is Unavailable to callers (with no driver text), and health says which one.
func TestPostgresDownIsUnavailable(t *testing.T) {
	dead := deadAddr(t)
	_, conn, _, _ := startOwn(t, func(c *config.Config) {
		c.PostgresURL = "postgres://streaming:streaming@" + dead + "/streaming?sslmode=disable&connect_timeout=2"
	})
	_, err := pb.NewCommandServiceClient(conn).RegisterUser(as(t, ""), &pb.RegisterUserRequest{Email: "down@example.com",
		Password: "correct horse battery", DisplayName: "Down", Country: "ES"})
	wantCode(t, err, codes.Unavailable)
	hc := healthpb.NewHealthClient(conn)
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := hc.Check(as(t, ""), &healthpb.HealthCheckRequest{Service: "postgres"})
		if err == nil && res.GetStatus() == healthpb.HealthCheckResponse_NOT_SERVING {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("health of postgres = %v, %v; want NOT_SERVING", res, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A PostgreSQL that takes the connection and never answers (a hung host, or a port another process now holds) is
// Unavailable too, once the driver's connect_timeout passes: the store's timeout, not the caller's deadline (the
// caller allowed 30 s). CI once saw DeadlineExceeded here, when the closed port of the test above was taken again.
func TestPostgresSilentIsUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn // accepted and never answered; closed with the listener
	var mu sync.Mutex
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	_, conn, _, _ := startOwn(t, func(c *config.Config) {
		c.PostgresURL = "postgres://streaming:streaming@" + l.Addr().String() + "/streaming?sslmode=disable&connect_timeout=1"
	})
	_, err = pb.NewCommandServiceClient(conn).RegisterUser(as(t, ""), &pb.RegisterUserRequest{Email: "silent@example.com",
		Password: "correct horse battery", DisplayName: "Silent", Country: "ES"})
	wantCode(t, err, codes.Unavailable)
}

// Shutdown lets calls in flight finish: every call started before the stop either completes or was never
// accepted; none is cut half-way.
func TestGracefulShutdownDrainsCalls(t *testing.T) {
	_, conn, cancel, done := startOwn(t, func(c *config.Config) {
		c.ShutdownGrace = 10 * time.Second
		// The logins queue for the password-hash slots (one per core); let them wait rather than be turned away
		// busy, so every call is in flight at the stop.
		c.PasswordHashWait = 30 * time.Second
		c.LoginsPerAccount = 0 // twenty logins of one account at once: not what this test is about
	})
	cmd := pb.NewCommandServiceClient(conn)
	u := newUser(t, server(t))
	results := make(chan error, 20)
	for range 20 {
		go func() {
			// Login hashes with Argon2id: each call takes tens of milliseconds, so some are in flight at the stop.
			_, err := cmd.Login(as(t, ""), &pb.LoginRequest{Email: u.email, Password: "correct horse battery"})
			results <- err
		}()
	}
	time.Sleep(30 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop within its grace period")
	}
	succeeded := 0
	for range 20 {
		err := <-results
		switch code := grpcCode(err); code {
		case codes.OK:
			succeeded++
		case codes.Unavailable: // refused before it started: the client may retry elsewhere
		default:
			t.Errorf("call cut by shutdown: %v", err)
		}
	}
	t.Logf("%d of 20 calls completed; the stop came 30 ms after they were sent", succeeded)
	if succeeded == 0 {
		t.Error("no call in flight completed")
	}
}

func grpcCode(err error) codes.Code { return status.Code(err) }

// deadAddr is a loopback address where nothing answers (a port taken and released).
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// A relay-only process (-api=false): no API listener; the operators' listener serves readiness and metrics, the
// relay's among them.
func TestRelayOnlyProcessServesOperatorsOnly(t *testing.T) {
	server(t) // the stores, and the shared server's schema
	cfg, err := config.Load(storetest.Settings(t).ServerArgs())
	if err != nil {
		t.Fatal(err)
	}
	cfg.API, cfg.ReadModelsEnabled, cfg.OpsAddr, cfg.Migrate = false, true, "127.0.0.1:0", false
	cfg.CassandraKeyspace, cfg.SearchAlias = "streaming_test", searchAlias
	cfg.PostgresURL = storetest.WithSearchPath(cfg.PostgresURL, schema)
	built, err := wiring.Build(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- built.Server.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		built.Close()
	})
	if built.Server.GRPCAddr() != "" || built.Server.HTTPAddr() != "" {
		t.Fatalf("API listeners %q and %q with -api=false", built.Server.GRPCAddr(), built.Server.HTTPAddr())
	}
	ops := "http://" + built.Server.OpsAddr()
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get(ops + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz of the relay-only process: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	res, err := http.Get(ops + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "outbox_oldest_unpublished_seconds") {
		t.Fatalf("/metrics of the relay-only process has no outbox metrics")
	}
}
