package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
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

	"github.com/streamingplatform/streaming/server/storetest"
)

// build compiles streamingd into a folder of the test's own.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "streamingd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
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
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = []string{ // nothing else: no HOME, no PATH, no STACK_*
		"STREAMING_POSTGRES_URL=" + pgURL,
		"STREAMING_REDIS_ADDR=" + s.RedisAddr(),
		"STREAMING_CASSANDRA_HOSTS=" + s.CassandraAddr(),
		"STREAMING_CASSANDRA_KEYSPACE=streaming_test",
		"STREAMING_CASSANDRA_CONSISTENCY=ONE",
		"STREAMING_NEO4J_URI=" + s.Neo4jURI(),
		"STREAMING_SEARCH_URL=" + s.SearchURL(),
		"STREAMING_GRPC_ADDR=127.0.0.1:0",
		"STREAMING_HTTP_ADDR=127.0.0.1:0",
		"STREAMING_ADMIN_TOKEN=out-of-tree-admin-token-0123456789",
	}
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
	serving := make(chan [2]string, 1)
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
			var line struct{ Msg, GRPC, HTTP string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
				serving <- [2]string{line.GRPC, line.HTTP}
			}
		}
	}()
	go func() {
		<-logDone // Wait only after every read from the pipe
		exited <- cmd.Wait()
	}()
	var addrs [2]string
	select {
	case addrs = <-serving:
	case err := <-exited:
		exited <- err
		t.Fatalf("streamingd exited before serving: %v\n%s", err, logged())
	case <-time.After(2 * time.Minute):
		t.Fatalf("streamingd did not serve within 2 minutes\n%s", logged())
	}

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
	res, err := http.Get("http://" + addrs[1] + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/readyz: %s", res.Status)
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
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, build(t))
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
