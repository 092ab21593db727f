package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/storetest"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
	buildDir  string
)

// build compiles streamingd once per test binary, into a folder of its own (removed by TestMain).
func build(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "streamingd-build-"); buildErr != nil {
			return
		}
		binary = filepath.Join(buildDir, "streamingd")
		if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// The server runs outside a checkout: built, copied nowhere near go.mod, started from an empty folder with nothing
// in its environment but STREAMING_* settings, it serves and stops cleanly on SIGTERM. (It once stopped with
// "STACK_HOME is not set and no go.mod was found above /": the configuration read the development stack's settings.)
func TestStartsOutsideTheCheckout(t *testing.T) {
	s := storetest.Settings(t)
	storetest.Require(t, "Redis", s.RedisAddr())
	storetest.Require(t, "Cassandra", s.CassandraAddr())
	storetest.Require(t, "Neo4j", s.Neo4jAddr())
	storetest.Require(t, "the search server", s.SearchAddr())
	pgURL, _ := storetest.PostgresSchema(t, "outoftree")
	bin := build(t)

	dir := t.TempDir()
	env := stackEnv(s, pgURL) // nothing else: no HOME, no PATH, no STACK_*
	// The migration step of a deployment first, as its own run; the server then starts without migrating.
	migrate := exec.Command(bin, "-migrate-only")
	migrate.Dir, migrate.Env = dir, env
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("streamingd -migrate-only: %v\n%s", err, out)
	}
	p := start(t, bin, dir, env, "-migrate=false")
	addrs, cmd, exited, logged := p.addrs, p.cmd, p.exited, p.logged

	ctx := storetest.Context(t, time.Minute)
	conn, err := grpc.NewClient(addrs[0], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var health *healthpb.HealthCheckResponse
	for {
		health, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		if err == nil && health.GetStatus() == healthpb.HealthCheckResponse_SERVING || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if health.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("gRPC health: %v, %v", health, err)
	}
	res, err := http.Get("http://" + addrs[2] + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/readyz on the operators' listener: %s", res.Status)
	}
	// The tables are there (migrated by the step above): a registration succeeds.
	reg, err := pb.NewCommandServiceClient(conn).RegisterUser(ctx, &pb.RegisterUserRequest{Email: "oot-" + storetest.Unique() + "@example.com",
		Password: "correct horse battery", DisplayName: "Out Of Tree", Country: "ES"})
	if err != nil || reg.GetUser().GetId() == "" {
		t.Fatalf("RegisterUser after -migrate-only: %v, %v", reg, err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Fatalf("after SIGTERM: %v\n%s", err, logged())
		}
	case <-time.After(time.Minute):
		t.Fatal("streamingd did not stop within a minute of SIGTERM")
	}
}

// Without store settings the server stops at once, exit code 2, naming each missing setting: it assumes no address
// of its own (a development stack's included).
func TestRefusesToStartWithoutStores(t *testing.T) {
	bin := build(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir, cmd.Env = t.TempDir(), []string{}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("exit: %v (want code 2)\n%s", err, out)
	}
	for _, want := range []string{"STREAMING_POSTGRES_URL", "STREAMING_REDIS_ADDR", "STREAMING_CASSANDRA_HOSTS",
		"STREAMING_NEO4J_URI", "STREAMING_SEARCH_URL"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the refusal does not name %s:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "STACK_HOME") || strings.Contains(string(out), "go.mod") {
		t.Errorf("the refusal mentions the development stack:\n%s", out)
	}
}

// stackEnv is streamingd's environment for the local stack's stores, PostgreSQL at pgURL, listeners on free
// loopback ports and an admin token: every setting it needs, and nothing else.
func stackEnv(s stackenv.Settings, pgURL string) []string {
	return []string{
		"STREAMING_POSTGRES_URL=" + pgURL,
		"STREAMING_REDIS_ADDR=" + s.RedisAddr(),
		"STREAMING_CASSANDRA_HOSTS=" + s.CassandraAddr(),
		"STREAMING_CASSANDRA_KEYSPACE=streaming_test",
		"STREAMING_CASSANDRA_CONSISTENCY=ONE",
		"STREAMING_NEO4J_URI=" + s.Neo4jURI(),
		"STREAMING_SEARCH_URL=" + s.SearchURL(),
		"STREAMING_GRPC_ADDR=127.0.0.1:0",
		"STREAMING_HTTP_ADDR=127.0.0.1:0",
		"STREAMING_OPS_ADDR=127.0.0.1:0",
		"STREAMING_ADMIN_TOKEN=test-admin-token-0123456789",
	}
}

// running is a streamingd process started by start.
type running struct {
	addrs  [3]string // gRPC, HTTP, operators
	cmd    *exec.Cmd
	exited chan error // its exit, once (put it back after reading)
	logged func() string
}

// start runs bin in dir with env and args, and returns once its log says it serves; it is killed at test end.
func start(t *testing.T, bin, dir string, env []string, args ...string) running {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})

	// The JSON log's "serving" line says where it listens; every line is kept for the failure message.
	serving := make(chan [3]string, 1)
	var logMu sync.Mutex
	var logLines []string
	logged := func() string {
		logMu.Lock()
		defer logMu.Unlock()
		return strings.Join(logLines, "\n")
	}
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logMu.Lock()
			logLines = append(logLines, sc.Text())
			logMu.Unlock()
			var line struct{ Msg, GRPC, HTTP, Ops string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
				serving <- [3]string{line.GRPC, line.HTTP, line.Ops}
			}
		}
	}()
	go func() {
		<-logDone // Wait only after every read from the pipe
		exited <- cmd.Wait()
	}()
	var addrs [3]string
	select {
	case addrs = <-serving:
	case err := <-exited:
		exited <- err
		t.Fatalf("streamingd exited before serving: %v\n%s", err, logged())
	case <-time.After(2 * time.Minute):
		t.Fatalf("streamingd did not serve within 2 minutes\n%s", logged())
	}

	return running{addrs: addrs, cmd: cmd, exited: exited, logged: logged}
}
