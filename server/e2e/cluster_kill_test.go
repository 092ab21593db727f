//go:build cluster

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"

	"github.com/streamingplatform/streaming/clients/client"
	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
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
	var killedAt time.Duration
	var openAtKill int
	var written float64
wait:
	for {
		select {
		case <-sent:
			t.Fatal("every event was sent before the replica was killed: the test proved nothing")
		case <-time.After(20 * time.Millisecond):
		}
		if acked, open, most := rec.progress(victim.grpc); acked >= killAfter && most >= killBatch*killPerStream/2 {
			written = opsCounter(t, victim.ops, "ingest_events_accepted_total")
			killedAt, openAtKill = time.Since(start), open
			rec.killed(killedAt) // first, so no stream opened after the kill counts as opened before it
			victim.kill(t)
			break wait
		}
	}
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

// senderKey carries a sender's number in the context it gives Send, so the recorder can tell whose stream is whose.
type senderKey struct{}

// streamRecorder is the SDK's Ingest stub with every IngestPlaybackEvents stream recorded.
type streamRecorder struct {
	pb.IngestServiceClient
	start time.Time

	mu       sync.Mutex
	streams  []*recordedStream
	acked    map[string]int64 // addr → events acknowledged by streams to it
	killedAt time.Duration    // 0 until the kill
}

type recordedStream struct {
	sender       int
	addr         string        // the replica round robin picked
	opened, done time.Duration // since the start
	closed       bool          // it has ended
	sent         int           // events handed to Send without error
	err          error         // how it ended
	afterKill    bool          // opened after the kill
}

func (r *streamRecorder) IngestPlaybackEvents(ctx context.Context, opts ...grpc.CallOption) (grpc.ClientStreamingClient[pb.IngestPlaybackEventsRequest, pb.IngestPlaybackEventsResponse], error) {
	s, err := r.IngestServiceClient.IngestPlaybackEvents(ctx, opts...)
	sender, _ := ctx.Value(senderKey{}).(int)
	rs := &recordedStream{sender: sender, opened: time.Since(r.start)}
	if err == nil {
		// The transport stream exists once the call returns: its context names the server it went to.
		if p, ok := peer.FromContext(s.Context()); ok {
			rs.addr = p.Addr.String()
		}
	} else {
		rs.err, rs.done, rs.closed = err, rs.opened, true
	}
	r.mu.Lock()
	rs.afterKill = r.killedAt > 0
	r.streams = append(r.streams, rs)
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return &recordingStream{ClientStreamingClient: s, r: r, rs: rs}, nil
}

type recordingStream struct {
	grpc.ClientStreamingClient[pb.IngestPlaybackEventsRequest, pb.IngestPlaybackEventsResponse]
	r  *streamRecorder
	rs *recordedStream
}

func (s *recordingStream) Send(m *pb.IngestPlaybackEventsRequest) error {
	err := s.ClientStreamingClient.Send(m)
	if err == nil {
		s.r.mu.Lock()
		s.rs.sent += len(m.GetEvents())
		s.r.mu.Unlock()
	}
	return err
}

func (s *recordingStream) CloseAndRecv() (*pb.IngestPlaybackEventsResponse, error) {
	res, err := s.ClientStreamingClient.CloseAndRecv()
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.rs.done, s.rs.err, s.rs.closed = time.Since(s.r.start), err, true
	if err == nil {
		if s.r.acked == nil {
			s.r.acked = map[string]int64{}
		}
		s.r.acked[s.rs.addr] += res.GetAccepted()
	}
	return res, err
}

// progress is the events acknowledged so far, how many streams to addr are open and the most events one of them
// has sent.
func (r *streamRecorder) progress(addr string) (acked int64, open, most int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.streams {
		if s.addr == addr && !s.closed {
			open++
			most = max(most, s.sent)
		}
	}
	for _, n := range r.acked {
		acked += n
	}
	return acked, open, most
}

// ackedBy is the events acknowledged by streams to addr.
func (r *streamRecorder) ackedBy(addr string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.acked[addr]
}

func (r *streamRecorder) killed(at time.Duration) {
	r.mu.Lock()
	r.killedAt = at
	r.mu.Unlock()
}

// report logs what the kill did to the streams and how the SDK went on, and returns how many streams it cut.
func (r *streamRecorder) report(t *testing.T, victim, survivor string, killedAt time.Duration) (cut int) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	ms := func(d time.Duration) string { return (d - killedAt).Round(time.Millisecond).String() }
	per := map[string][2]int{} // addr → streams acknowledged, failed
	var deadPicks int
	for _, s := range r.streams {
		n := per[s.addr]
		if s.err == nil {
			n[0]++
		} else {
			n[1]++
		}
		per[s.addr] = n
		if s.afterKill && s.addr != survivor {
			deadPicks++
		}
	}
	t.Logf("streams: victim %s %d acknowledged, %d failed; survivor %s %d acknowledged, %d failed; %d opened after the kill went elsewhere than the survivor",
		victim, per[victim][0], per[victim][1], survivor, per[survivor][0], per[survivor][1], deadPicks)
	if deadPicks > 0 {
		for _, s := range r.streams {
			if s.afterKill && s.addr != survivor {
				t.Logf("  sender %d: a stream opened at kill+%s to %q ended at kill+%s: %v", s.sender, ms(s.opened), s.addr, ms(s.done), s.err)
			}
		}
	}
	// Each stream the kill cut, and its sender's next streams: when the SDK saw the error, when it opened the
	// stream that resends, where, and when that one was acknowledged.
	for i, s := range r.streams {
		if s.addr != victim || s.afterKill || s.err == nil {
			continue
		}
		cut++
		line := fmt.Sprintf("sender %d: stream (opened %v before the kill, %d events sent) failed at kill+%s (%v)",
			s.sender, (killedAt - s.opened).Round(time.Millisecond), s.sent, ms(s.done), s.err)
		for _, n := range r.streams[i+1:] {
			if n.sender != s.sender {
				continue
			}
			if n.err != nil {
				line += fmt.Sprintf("; retry opened at kill+%s to %s failed at kill+%s (%v)", ms(n.opened), n.addr, ms(n.done), n.err)
				continue
			}
			line += fmt.Sprintf("; resent on a stream opened at kill+%s to %s, acknowledged at kill+%s", ms(n.opened), n.addr, ms(n.done))
			break
		}
		t.Log(line)
	}
	return cut
}
