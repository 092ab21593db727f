// Package e2e runs the real server (as wiring builds it for streamingd) on loopback ports against the real stores
// of the local stack, and talks to it with the generated gRPC stubs and over REST.
//
// The server's PostgreSQL tables live in a schema of this test run's own (dropped at the end), so its outbox relay
// delivers only the events these tests caused: other packages' tests write deliberately odd outbox rows.
package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/wiring"
)

const (
	adminToken   = "e2e-admin-token-0123456789"
	serviceToken = "e2e-service-token-0123456789"
)

type env struct {
	built   *wiring.Built
	stop    context.CancelFunc // ends Run
	stopped chan struct{}      // closed when Run has returned
	conn    *grpc.ClientConn
	cmd     pb.CommandServiceClient
	query   pb.QueryServiceClient
	ingest  pb.IngestServiceClient
	// playback is the PlaybackService (stream slots).
	playback pb.PlaybackServiceClient
	httpURL  string
	cfg      config.Config // the server's configuration (commands such as the rebuild run with it)
}

var (
	once    sync.Once
	shared  *env
	initErr error
)

// server starts one server for the whole test binary (on first use) and returns it.
func server(t *testing.T) *env {
	t.Helper()
	s := storetest.Settings(t)
	storetest.Require(t, "PostgreSQL", s.PostgresAddr())
	storetest.Require(t, "Redis", s.RedisAddr())
	storetest.Require(t, "Cassandra", s.CassandraAddr())
	storetest.Require(t, "Neo4j", s.Neo4jAddr())
	storetest.Require(t, "the search server", s.SearchAddr())
	once.Do(func() {
		cfg, err := config.Load(storetest.Settings(t).ServerArgs())
		if err != nil {
			initErr = err
			return
		}
		if schema, err = storetest.CreatePostgresSchema(cfg.PostgresURL, "e2e"); err != nil {
			initErr = err
			return
		}
		cfg.PostgresURL = storetest.WithSearchPath(cfg.PostgresURL, schema)
		cfg.GRPCAddr, cfg.HTTPAddr, cfg.OpsAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
		cfg.AdminToken, cfg.ServiceToken = adminToken, serviceToken
		cfg.Migrate = true
		cfg.CassandraKeyspace = "streaming_test" // the stack's replication and consistency (LOCAL_QUORUM; on a cluster, replication 3)
		cfg.SearchAlias = searchAlias
		// Every test logs in from loopback, often: the login limits are tested on servers of their own (limits_test.go).
		cfg.LoginsPerAccount, cfg.LoginsPerClient = 0, 0
		cfg.IngestUserRate = 0                  // the shared server's tests send fast as one user; TestIngestQuota has its own
		cfg.DerivedReplayInterval = time.Second // the fault suite waits for the replay of what its outages lost
		cfg.PlaybackLeaseTTL = playbackLeaseTTL // playback_test.go waits for a lease to expire
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		built, err := wiring.Build(context.Background(), cfg, log)
		if err != nil {
			initErr = err
			return
		}
		runCtx, stop := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			built.Server.Run(runCtx)
		}()
		conn, err := grpc.NewClient(built.Server.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			stop()
			initErr = err
			return
		}
		shared = &env{built: built, stop: stop, stopped: stopped, conn: conn, cmd: pb.NewCommandServiceClient(conn),
			query: pb.NewQueryServiceClient(conn), ingest: pb.NewIngestServiceClient(conn),
			playback: pb.NewPlaybackServiceClient(conn), httpURL: "http://" + built.Server.HTTPAddr(), cfg: cfg}
	})
	if initErr != nil {
		t.Fatalf("start server: %v", initErr)
	}
	return shared
}

// schema is the run's own PostgreSQL schema ("" until the server starts); TestMain drops it.
var schema string

// searchAlias is the run's own catalog alias, so titles indexed by earlier runs (the demo seed's names repeat) never
// answer this run's searches; TestMain deletes its index.
var searchAlias = "e2e_" + storetest.Unique()

func TestMain(m *testing.M) {
	// Every REST call and store API read in these tests (http.Get, http.DefaultClient) gives up after this: a server
	// that stops answering fails the test instead of hanging it until go test's own timeout.
	http.DefaultClient.Timeout = 30 * time.Second
	code := m.Run()
	if shared != nil {
		shared.conn.Close()
		shared.stop()
		<-shared.stopped
		shared.built.Close()
		if s, err := stackenv.Load(); err == nil {
			storetest.DropPostgresSchema(s.PostgresURL(), schema)
			// Every index of the run's alias: the first, and any a rebuild made (<alias>_v<N>_r<time>); and the
			// analytics roll-ups' months with their template.
			for _, path := range []string{"/%s_v*", "/%s_analytics-*", "/_index_template/%s_analytics"} {
				if req, err := http.NewRequest(http.MethodDelete, s.SearchURL()+fmt.Sprintf(path, searchAlias), nil); err == nil {
					if res, err := http.DefaultClient.Do(req); err == nil {
						res.Body.Close()
					}
				}
			}
		}
		http.DefaultClient.CloseIdleConnections() // the REST tests' connections
		// A server that has stopped and closed its store clients leaves no goroutine behind (issue 18).
		if err := goleak.Find(); err != nil && code == 0 {
			fmt.Fprintf(os.Stderr, "goroutines left after the server stopped: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// as returns a context whose calls carry the bearer token ("" for anonymous). Its deadline only keeps a hung
// store from hanging the test: tests use one such context across several waits for the read models (each up to
// projectionBound), so it must outlast all of them on a loaded machine, not just one call.
func as(t *testing.T, token string) context.Context {
	ctx := storetest.Context(t, asBound)
	if token == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// asBound is the deadline of as's contexts.
const asBound = 3 * time.Minute

// bearer adds the token to a context's outgoing metadata.
func bearer(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

// wantCode fails the test unless err has the gRPC code.
func wantCode(t *testing.T, err error, want codes.Code) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Fatalf("code = %s (%v), want %s", got, err, want)
	}
}

type user struct {
	id, email, token string
}

// newUser registers and logs in a user with a unique email.
func newUser(t *testing.T, e *env) user {
	t.Helper()
	email := fmt.Sprintf("user-%s@example.com", storetest.Unique())
	reg, err := e.cmd.RegisterUser(as(t, ""), &pb.RegisterUserRequest{Email: email, Password: "correct horse battery",
		DisplayName: "Test User", Country: "ES"})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	login, err := e.cmd.Login(as(t, ""), &pb.LoginRequest{Email: email, Password: "correct horse battery"})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return user{id: reg.GetUser().GetId(), email: email, token: login.GetToken()}
}

// newPlan creates an available plan as admin.
func newPlan(t *testing.T, e *env, price string) *pb.Plan {
	t.Helper()
	res, err := e.cmd.CreatePlan(as(t, adminToken), &pb.CreatePlanRequest{Name: "Plan " + storetest.Unique(),
		MonthlyPrice: price, Currency: "EUR", MaxStreams: 2, MaxQuality: pb.VideoQuality_VIDEO_QUALITY_HD, Available: true})
	if err != nil {
		t.Fatalf("create plan: %v", err)
	}
	return res.GetPlan()
}

// count runs a COUNT(*) query with parameters against PostgreSQL.
func count(t *testing.T, e *env, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.built.Pool.QueryRow(storetest.Context(t, 10*time.Second), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
