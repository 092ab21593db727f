//go:build cluster

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/clients/client"
	"github.com/streamingplatform/streaming/server/storetest"
)

const (
	killSenders   = 4
	killBatch     = 500
	killPerStream = 20     // messages per stream: 10,000 events, a few seconds, so streams are open at any moment
	killAfter     = 60_000 // acknowledged events before the replica is killed
)

// TestClusterReplicaKilledMidStream: two streamingd processes (on the cluster's Cassandra, the default stack's other
// stores); the Go SDK ingests 200,000 events over both from four senders; one process is killed (SIGKILL to its
// process group: no drain, no trailer, its connections reset by the kernel) while streams are open on it. Send
// returns no error: the SDK sends each cut stream again on the survivor, and Cassandra holds every event exactly
// once (event ids make the replay rewrite the same rows). TestClusterReplicaStoppedMidStream is the graceful case.
func TestClusterReplicaKilledMidStream(t *testing.T) {
	c := cluster(t)
	s := storetest.Settings(t)
	storetest.Require(t, "Redis", s.RedisAddr())
	storetest.Require(t, "Neo4j", s.Neo4jAddr())
	storetest.Require(t, "the search server", s.SearchAddr())
	hosts := strings.Split(c.server["STREAMING_CASSANDRA_HOSTS"], ",")
	pgURL, _ := storetest.PostgresSchema(t, "e2e_kill")
	bin := buildStreamingd(t)

	// The default stack's settings (TLS and credentials included when it has them), its PostgreSQL in a schema of
	// this test's own, the cluster's Cassandra settings over them, and nothing else from this environment.
	settings := map[string]string{}
	for _, v := range s.ServerSettings() {
		if !strings.HasPrefix(v.Env, "STREAMING_CASSANDRA_") {
			settings[v.Env] = v.Value
		}
	}
	for k, v := range c.server {
		if strings.HasPrefix(k, "STREAMING_CASSANDRA_") {
			settings[k] = v
		}
	}
	settings["STREAMING_POSTGRES_URL"] = pgURL
	settings["STREAMING_CASSANDRA_KEYSPACE"] = "streaming_cluster"
	for _, k := range []string{"STREAMING_GRPC_ADDR", "STREAMING_HTTP_ADDR", "STREAMING_OPS_ADDR"} {
		settings[k] = "127.0.0.1:0"
	}
	settings["STREAMING_ADMIN_TOKEN"], settings["STREAMING_SERVICE_TOKEN"] = adminToken, serviceToken
	settings["STREAMING_INGEST_SERVICE_RATE"] = "0" // the senders are one service: no quota in the way
	settings["STREAMING_SHUTDOWN_GRACE"] = "5s"
	var env []string
	for k, v := range settings {
		env = append(env, k+"="+v)
	}
	// Migrations as a step of their own, as a deployment runs them, so the two replicas do not race to apply them.
	migrate := exec.Command(bin, "-migrate-only")
	migrate.Dir, migrate.Env = t.TempDir(), env
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("streamingd -migrate-only: %v\n%s", err, out)
	}
	env = append(env, "STREAMING_MIGRATE=false")
	// One after the other: the first creates the keyspace and tables if this cluster has none yet.
	victim := startStreamingd(t, bin, env)
	survivor := startStreamingd(t, bin, env)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	sdk, err := client.Dial(ctx, victim.grpc+","+survivor.grpc, client.WithToken(serviceToken))
	if err != nil {
		t.Fatal(err)
	}
	defer sdk.Close()
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }() // a test that fails half-way stops its senders before it ends
	// The Ingester uses only the client's Ingest stub: a copy with that stub wrapped records every stream (which
	// replica, when it opened and ended, how) without changing what the SDK does.
	rec := &streamRecorder{IngestServiceClient: sdk.Ingest}
	watched := *sdk
	watched.Ingest = rec

	users, titles, events := sdkEvents(7)

	var mu sync.Mutex
	var total client.IngestResult
	start := time.Now()
	rec.start = start
	for w := range killSenders {
		wg.Go(func() {
			in := &client.Ingester{Client: &watched, Batch: killBatch, PerStream: killPerStream}
			res, err := in.Send(context.WithValue(ctx, senderKey{}, w), events[w*len(events)/killSenders:(w+1)*len(events)/killSenders])
			mu.Lock()
			defer mu.Unlock()
			total.Stored, total.Streams, total.Resent = total.Stored+res.Stored, total.Streams+res.Streams, total.Resent+res.Resent
			if err != nil {
				t.Errorf("Send: %v", err)
			}
		})
	}
	sent := make(chan struct{})
	go func() { wg.Wait(); close(sent) }()

	// The kill: once 60,000 events are acknowledged, at a moment when a stream on the victim has sent at least half
	// its events, so the crash cuts it half-way, usually with events of it already written by the victim.
	var written float64
	killedAt, openAtKill := rec.cutWhen(t, sent, victim.grpc, func(acked int64, _, most int) bool {
		return acked >= killAfter && most >= killBatch*killPerStream/2
	}, func() {
		written = opsCounter(t, victim.ops, "ingest_events_accepted_total")
	}, func() { victim.kill(t) })
	victim.gone(t)
	<-sent
	took := time.Since(start)

	t.Logf("%d events sent by %d senders over two streamingd processes, one killed (SIGKILL) %v in with %d streams open on it: "+
		"%d acknowledged in %d streams, %d sent again, in %v",
		len(events), killSenders, killedAt.Round(10*time.Millisecond), openAtKill, total.Stored, total.Streams, total.Resent,
		took.Round(10*time.Millisecond))
	// What the victim had stored (its counter, read just before the kill) but never acknowledged: those events were
	// in the cut streams, so the SDK sent them again and the survivor wrote rows that were already there. Reported,
	// not asserted: how many depends on where the kill fell in the victim's writes (from thousands to none; CI has
	// seen none, and a kill timed on the counter was seldom possible at all). Rewriting rows by event id is what the
	// count of rows below proves whenever there are some.
	victimAcked := rec.ackedBy(victim.grpc)
	t.Logf("the victim had stored %.0f events and acknowledged %d: at least %.0f stored events sent again", written, victimAcked, max(0, written-float64(victimAcked)))
	cut := rec.report(t, victim.grpc, survivor.grpc, killedAt)
	if cut == 0 || total.Resent == 0 {
		t.Errorf("%d streams cut, %d events sent again: the kill cut no stream, so the test proved nothing", cut, total.Resent)
	}
	if total.Stored != len(events) {
		t.Errorf("the SDK acknowledged %d events of %d", total.Stored, len(events))
	}

	// Every event once: read at QUORUM, by event id.
	eachStoredOnce(t, ctx, hosts, users, titles, events)

	// The survivor stops cleanly, as a deployment stops it.
	survivor.stop(t)
}

// buildStreamingd compiles streamingd into the test's temporary folder (removed after its processes are killed:
// cleanups run last registered first).
func buildStreamingd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "streamingd")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/streamingplatform/streaming/server/cmd/streamingd").CombinedOutput()
	if err != nil {
		t.Fatalf("go build streamingd: %v\n%s", err, out)
	}
	return bin
}

// streamingd is a server process started by startStreamingd, in a process group of its own: a SIGKILL to the group
// ends it and anything it started, as a crash of its machine or container would.
type streamingd struct {
	grpc, ops string
	cmd       *exec.Cmd
	exited    chan struct{} // closed once it has exited and its log is read to the end
	logged    func() string
}

// startStreamingd runs bin with env (and nothing else) and returns once its log says it serves. Whatever still runs
// when the test ends, failed or not, is killed with its group.
func startStreamingd(t *testing.T, bin string, env []string) *streamingd {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Dir, cmd.Env = t.TempDir(), env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &streamingd{cmd: cmd, exited: make(chan struct{})}
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-p.exited
		}
	})

	// The JSON log's "serving" line says where it listens; every line is kept for failure messages.
	serving := make(chan [2]string, 1)
	var logMu sync.Mutex
	var lines []string
	p.logged = func() string {
		logMu.Lock()
		defer logMu.Unlock()
		return strings.Join(lines, "\n")
	}
	go func() {
		defer close(p.exited)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			logMu.Lock()
			lines = append(lines, sc.Text())
			logMu.Unlock()
			var line struct{ Msg, GRPC, Ops string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
				serving <- [2]string{line.GRPC, line.Ops}
			}
		}
		cmd.Wait() // only after every read from the pipe
	}()
	select {
	case a := <-serving:
		p.grpc, p.ops = a[0], a[1]
	case <-p.exited:
		t.Fatalf("streamingd exited before serving: %v\n%s", cmd.ProcessState, p.logged())
	case <-time.After(2 * time.Minute):
		t.Fatalf("streamingd did not serve within 2 minutes\n%s", p.logged())
	}
	return p
}

// kill sends SIGKILL to the process group.
func (p *streamingd) kill(t *testing.T) {
	t.Helper()
	if err := syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill streamingd (pid %d): %v", p.cmd.Process.Pid, err)
	}
}

// gone checks that a killed process died of the SIGKILL and left nothing behind: no process in its group, nobody
// on its listeners' ports.
func (p *streamingd) gone(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("streamingd still running 30 s after SIGKILL")
	}
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("streamingd ended with %v, want killed by SIGKILL", p.cmd.ProcessState)
	}
	if err := syscall.Kill(-p.cmd.Process.Pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process group %d after the kill: %v, want no such process", p.cmd.Process.Pid, err)
	}
	for _, a := range []string{p.grpc, p.ops} {
		if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after the kill", a)
		}
	}
}

// stop ends a process as a deployment does (SIGTERM) and checks that it exits cleanly within its grace.
func (p *streamingd) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
		if !p.cmd.ProcessState.Success() {
			t.Errorf("streamingd after SIGTERM: %v\n%s", p.cmd.ProcessState, p.logged())
		}
	case <-time.After(time.Minute):
		t.Errorf("streamingd did not stop within a minute of SIGTERM")
	}
}

// opsCounter reads a counter from a server's operators' /metrics.
func opsCounter(t *testing.T, opsAddr, name string) float64 {
	t.Helper()
	for _, line := range strings.Split(metricsText(t, "http://"+opsAddr+"/metrics"), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no %s in %s/metrics", name, opsAddr)
	return 0
}
