//go:build cluster

// The cluster suite: `go tool task test:cluster` brings up the cluster topology (three Cassandra nodes, beside the
// default stack) and runs these tests against it. It kills nodes, so it has a build tag of its own and runs alone.

package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gocql/gocql"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/streamingplatform/streaming/clients/client"
	"github.com/streamingplatform/streaming/deploy/local/stackenv"
	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/readcheck"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/wiring"
)

// clusterStack is the cluster topology's stack: the stack command, its settings (CLUSTER_STACK, as the Taskfile
// gives them) and streamingd's store settings for it.
type clusterStack struct {
	bin    string
	env    []string
	home   string
	server map[string]string // STREAMING_* → value
}

func cluster(t *testing.T) clusterStack {
	t.Helper()
	c := clusterStack{bin: os.Getenv("STACK"), env: strings.Fields(os.Getenv("CLUSTER_STACK"))}
	if c.bin == "" || len(c.env) == 0 {
		storetest.Missing(t, "STACK and CLUSTER_STACK are not set; run the suite with `go tool task test:cluster`")
	}
	s, err := stackenv.LoadWith(c.env)
	if err != nil {
		t.Fatal(err)
	}
	c.home, c.server = s.Home, map[string]string{}
	for _, v := range s.ServerSettings() {
		c.server[v.Env] = v.Value
	}
	return c
}

// run runs the stack command on the cluster's stack.
func (c clusterStack) run(t *testing.T, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = append(os.Environ(), c.env...)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("stack %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
	}
	return out
}

// kill ends a node's process group with SIGKILL: a crash, not a clean stop.
func (c clusterStack) kill(t *testing.T, node string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(c.home, node, "run", node+".pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill %s (pid %d): %v", node, pid, err)
	}
}

const (
	clusterEvents     = 200_000
	clusterKillAfter  = 60_000 // acknowledged events before the node is killed
	clusterStreams    = 4
	clusterBatch      = 500
	clusterBatches    = 10 // per stream
	clusterUsers      = 200
	clusterTitlesEach = 5
)

// TestClusterCassandraNodeLoss: 200,000 events ingested through one server into the three-node cluster
// (replication 3, LOCAL_QUORUM), one node killed (SIGKILL) after 60,000 were acknowledged. Clients get no error and
// no event back as not stored; every acknowledged event is read back at QUORUM from the two survivors; the killed
// node is started again and rejoins.
func TestClusterCassandraNodeLoss(t *testing.T) {
	c := cluster(t)
	if c.server["STREAMING_CASSANDRA_REPLICATION"] != "SimpleStrategy:3" {
		t.Fatalf("the cluster stack's settings: %v; want replication 3", c.server)
	}
	hosts := strings.Split(c.server["STREAMING_CASSANDRA_HOSTS"], ",")
	_, conn, _, _ := startOwn(t, func(cfg *config.Config) {
		cfg.CassandraHosts, cfg.CassandraKeyspace = hosts, "streaming_cluster"
		cfg.CassandraReplication, cfg.CassandraConsistency = c.server["STREAMING_CASSANDRA_REPLICATION"], c.server["STREAMING_CASSANDRA_CONSISTENCY"]
		cfg.IngestServiceRate = 0
	})
	ingest := pb.NewIngestServiceClient(conn)

	titles := make([]string, clusterTitlesEach)
	for i := range titles {
		titles[i] = uuid.NewString()
	}
	users := make([]string, clusterUsers)
	for i := range users {
		users[i] = uuid.NewString()
	}
	var (
		mu       sync.Mutex
		acked    = map[string][2]string{} // event id → (user, title)
		problems []string
		sent     atomic.Int64
		killed   = make(chan time.Time, 1)
	)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for w := range clusterStreams {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for sent.Add(clusterBatch*clusterBatches) <= clusterEvents {
				batches := make([][]*pb.PlaybackEvent, clusterBatches)
				for b := range batches {
					batches[b] = make([]*pb.PlaybackEvent, clusterBatch)
					for i := range batches[b] {
						batches[b][i] = &pb.PlaybackEvent{EventId: uuid.NewString(), UserId: users[rng.IntN(len(users))],
							ContentId: titles[rng.IntN(len(titles))], OccurTime: timestamppb.New(time.Now().Add(-time.Minute)),
							PlayedSeconds: 10, PositionSeconds: int32(rng.IntN(5000)), Device: pb.Device_DEVICE_TV,
							Quality: pb.VideoQuality_VIDEO_QUALITY_HD}
					}
				}
				s, err := ingest.IngestPlaybackEvents(bearer(ctx, serviceToken))
				if err == nil {
					for _, b := range batches {
						if err = s.Send(&pb.IngestPlaybackEventsRequest{Events: b}); err != nil {
							break
						}
					}
				}
				var res *pb.IngestPlaybackEventsResponse
				if err == nil {
					res, err = s.CloseAndRecv()
				}
				mu.Lock()
				switch {
				case err != nil:
					problems = append(problems, fmt.Sprintf("a stream failed: %v", err))
				case res.GetRejected() > 0:
					problems = append(problems, fmt.Sprintf("a stream had %d events rejected, e.g. %v", res.GetRejected(), res.GetRejections()[0]))
				default:
					for _, b := range batches {
						for _, ev := range b {
							acked[ev.GetEventId()] = [2]string{ev.GetUserId(), ev.GetContentId()}
						}
					}
				}
				n := len(acked)
				mu.Unlock()
				if n >= clusterKillAfter {
					select {
					case killed <- time.Now():
						c.kill(t, "cassandra3")
					default:
					}
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	var killedAt time.Time
	select {
	case killedAt = <-killed:
	default:
		t.Fatal("the node was never killed")
	}
	t.Logf("ingest: %d events acknowledged in %v (%.0f events/s), node 3 killed %v in; %d problems",
		len(acked), took.Round(10*time.Millisecond), float64(len(acked))/took.Seconds(), killedAt.Sub(start).Round(10*time.Millisecond), len(problems))
	for _, p := range problems {
		t.Error(p)
	}

	// Every acknowledged event, read at QUORUM from the two survivors.
	survivors := clusterSession(t, hosts[:2], gocql.Quorum)
	stored := eventRows(t, ctx, survivors, users, titles)
	missing := 0
	for id := range acked {
		if stored[id] == 0 {
			missing++
		}
	}
	t.Logf("read back at QUORUM from the survivors: %d of %d acknowledged events stored (%d rows in all)", len(acked)-missing, len(acked), len(stored))
	if missing > 0 {
		t.Errorf("%d acknowledged events missing", missing)
	}

	// The killed node comes back and rejoins.
	back := time.Now()
	c.run(t, "up", "cassandra3")
	t.Logf("node 3 started again and answering in %v", time.Since(back).Round(100*time.Millisecond))
	var peers int
	if err := survivors.Query(`SELECT count(*) FROM system.peers`).WithContext(ctx).Scan(&peers); err != nil || peers != 2 {
		t.Errorf("node 1 knows %d peers (%v), want 2", peers, err)
	}
	// What node 3 missed while down reaches it by hinted handoff. Writes it had acknowledged in its last commitlog
	// sync period before the SIGKILL (periodic, 10 s) are lost on it alone: a QUORUM read still returns them (the
	// other replica of the two has them) and repair or read repair restores them. Reported, not asserted: how
	// much depends on where the kill fell.
	s3 := clusterSession(t, hosts[2:], gocql.One)
	want := map[[2]string]int{}
	for _, ut := range acked {
		want[ut]++
	}
	sample := users[:20]
	short, last, stable := -1, -1, time.Now()
	for time.Since(stable) < 15*time.Second && time.Since(back) < 2*time.Minute {
		short = 0
		for _, u := range sample {
			for _, ti := range titles {
				var n int
				if err := s3.Query(`SELECT count(*) FROM playback_events WHERE user_id = ? AND content_id = ?`, u, ti).
					WithContext(ctx).Scan(&n); err != nil {
					t.Fatalf("read from node 3: %v", err)
				}
				short += max(0, want[[2]string{u, ti}]-n)
			}
		}
		if short != last {
			last, stable = short, time.Now()
		}
		if short == 0 {
			break
		}
		time.Sleep(time.Second)
	}
	sampled := 0
	for _, u := range sample {
		for _, ti := range titles {
			sampled += want[[2]string{u, ti}]
		}
	}
	t.Logf("node 3 alone (ONE), %v after it came back: %d of %d sampled acknowledged events missing", time.Since(back).Round(100*time.Millisecond), short, sampled)

	// With all three up, QUORUM still reads every acknowledged event.
	got := 0
	for _, n := range eventRows(t, ctx, clusterSession(t, hosts, gocql.Quorum), users, titles) {
		got += n
	}
	if got != len(acked) {
		t.Errorf("read back at QUORUM with all three up: %d rows, want the %d acknowledged", got, len(acked))
	}
}

// clusterSession opens a session on the cluster's keyspace that talks only to hosts, at consistency c.
func clusterSession(t *testing.T, hosts []string, c gocql.Consistency) *gocql.Session {
	t.Helper()
	cl := gocql.NewCluster(hosts...)
	cl.Keyspace, cl.Consistency, cl.Timeout = "streaming_cluster", c, 10*time.Second
	cl.HostFilter = gocql.WhiteListHostFilter(hosts...)
	s, err := cl.CreateSession()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// eventRows reads every (user, title) partition and returns how many rows each event id has.
func eventRows(t *testing.T, ctx context.Context, s *gocql.Session, users, titles []string) map[string]int {
	t.Helper()
	rows := map[string]int{}
	for _, u := range users {
		for _, ti := range titles {
			iter := s.Query(`SELECT event_id FROM playback_events WHERE user_id = ? AND content_id = ?`, u, ti).
				WithContext(ctx).Iter()
			var id string
			for iter.Scan(&id) {
				rows[id]++
			}
			if err := iter.Close(); err != nil {
				t.Fatalf("read back %s/%s: %v", u, ti, err)
			}
		}
	}
	return rows
}

// published reads outbox_events_published_total from a server's operators' /metrics.
func published(t *testing.T, opsAddr string) float64 {
	t.Helper()
	body := metricsText(t, "http://"+opsAddr+"/metrics")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, "outbox_events_published_total "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	return 0
}

// TestClusterReplicasShareTheRelay: two more replicas of the server (on the cluster's Cassandra) beside the shared
// one, all three running the outbox relay on the same PostgreSQL. Commands go to both new replicas at once, many per
// title; every event is published exactly once in all (the replicas' published counters add up to the events
// written), and the consistency check finds the read models equal to PostgreSQL.
func TestClusterReplicasShareTheRelay(t *testing.T) {
	c := cluster(t)
	e := server(t)
	hosts := strings.Split(c.server["STREAMING_CASSANDRA_HOSTS"], ",")
	replica := func() (*wiring.Built, pb.CommandServiceClient) {
		built, conn, _, _ := startOwn(t, func(cfg *config.Config) {
			cfg.CassandraHosts, cfg.CassandraKeyspace = hosts, "streaming_cluster"
			cfg.CassandraReplication, cfg.CassandraConsistency = c.server["STREAMING_CASSANDRA_REPLICATION"], c.server["STREAMING_CASSANDRA_CONSISTENCY"]
			cfg.ReadModelsEnabled = true
		})
		return built, pb.NewCommandServiceClient(conn)
	}
	a, cmdA := replica()
	b, cmdB := replica()
	ops := []string{e.built.Server.OpsAddr(), a.Server.OpsAddr(), b.Server.OpsAddr()}
	eventually(t, "the relays idle", func() string {
		if n := count(t, e, `SELECT count(*) FROM outbox WHERE published_at IS NULL`); n != 0 {
			return fmt.Sprintf("%d unpublished", n)
		}
		return ""
	})
	var before float64
	for _, o := range ops {
		before += published(t, o)
	}
	var firstID int64
	if err := e.built.Pool.QueryRow(storetest.Context(t, 10*time.Second), `SELECT coalesce(max(id), 0) FROM outbox`).Scan(&firstID); err != nil {
		t.Fatal(err)
	}

	const titles, updates = 20, 15
	ids := make([]string, titles)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	var wg sync.WaitGroup
	var failed atomic.Int64
	for w, cmd := range []pb.CommandServiceClient{cmdA, cmdB} {
		wg.Go(func() {
			for u := range updates {
				for i, id := range ids {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					_, err := cmd.UpsertContent(bearer(ctx, adminToken), &pb.UpsertContentRequest{Content: &pb.Content{Id: id,
						Title: fmt.Sprintf("Réplica %d, versión %d de %d", i, u, w), Type: pb.ContentType_CONTENT_TYPE_MOVIE,
						Genres: []string{"replicas"}, ReleaseYear: 2024}})
					cancel()
					if err != nil {
						if failed.Add(1) == 1 {
							t.Errorf("UpsertContent: %v", err)
						}
					}
				}
			}
		})
	}
	wg.Wait()
	var events int
	if err := e.built.Pool.QueryRow(storetest.Context(t, 10*time.Second), `SELECT count(*) FROM outbox WHERE id > $1`, firstID).Scan(&events); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	eventually(t, "every event published", func() string {
		if n := count(t, e, `SELECT count(*) FROM outbox WHERE published_at IS NULL`); n != 0 {
			return fmt.Sprintf("%d unpublished", n)
		}
		return ""
	})
	drained := time.Since(start)
	var after float64
	perReplica := make([]float64, len(ops))
	for i, o := range ops {
		perReplica[i] = published(t, o)
		after += perReplica[i]
	}
	t.Logf("%d commands on two replicas, %d outbox events; published by the three relays: %v in all (counters now %v); drained %v after the last answer",
		2*titles*updates-int(failed.Load()), events, after-before, perReplica, drained.Round(10*time.Millisecond))
	if int(after-before) != events {
		t.Errorf("the relays published %v events, %d were written: each must be published exactly once", after-before, events)
	}
	rep, err := readcheck.Check(storetest.Context(t, time.Minute), readcheck.Sources{
		Postgres: postgres.NewCheckSource(e.built.Pool), Redis: e.built.ReadModels, Search: e.built.Search,
		Graph: e.built.Graph}, readcheck.Options{IDs: ids, Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() {
		t.Errorf("read models diverge from PostgreSQL: %+v", rep.Differences)
	}
}

// TestClusterReplicaStoppedMidStream: the Go SDK ingests 200,000 events over two server replicas (on the cluster's
// Cassandra); one replica is stopped while streams are open on it. The SDK resumes what was not durable on the other
// (from the trailer's durable-through message), and Cassandra holds every event exactly once: no event lost, no
// duplicate row.
func TestClusterReplicaStoppedMidStream(t *testing.T) {
	c := cluster(t)
	hosts := strings.Split(c.server["STREAMING_CASSANDRA_HOSTS"], ",")
	replica := func() (*wiring.Built, context.CancelFunc) {
		built, _, stop, _ := startOwn(t, func(cfg *config.Config) {
			cfg.CassandraHosts, cfg.CassandraKeyspace = hosts, "streaming_cluster"
			cfg.CassandraReplication, cfg.CassandraConsistency = c.server["STREAMING_CASSANDRA_REPLICATION"], c.server["STREAMING_CASSANDRA_CONSISTENCY"]
			cfg.ShutdownGrace = time.Second
		})
		return built, stop
	}
	a, stopA := replica()
	b, _ := replica()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	sdk, err := client.Dial(ctx, a.Server.GRPCAddr()+","+b.Server.GRPCAddr(), client.WithToken(serviceToken))
	if err != nil {
		t.Fatal(err)
	}
	defer sdk.Close()
	// Every stream recorded (which replica, how it ended), without changing what the SDK does.
	rec := &streamRecorder{IngestServiceClient: sdk.Ingest}
	watched := *sdk
	watched.Ingest = rec

	users, titles, events := sdkEvents(9)
	// Four senders, each with its share, so streams are open on both replicas when one stops.
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }() // a test that fails half-way stops its senders before it ends
	var mu sync.Mutex
	var total client.IngestResult
	start := time.Now()
	rec.start = start
	for w := range 4 {
		wg.Go(func() {
			in := &client.Ingester{Client: &watched, Batch: 500, PerStream: 40} // streams of seconds: longer than the stopping replica's 1 s grace
			res, err := in.Send(context.WithValue(ctx, senderKey{}, w), events[w*len(events)/4:(w+1)*len(events)/4])
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

	// The stop: once a stream on the replica has sent a quarter of its events, so it has most of its life ahead.
	// A fixed delay could fall where every open stream was on the other replica.
	stoppedAt, openAtStop := rec.cutWhen(t, sent, a.Server.GRPCAddr(),
		func(_ int64, _, most int) bool { return most >= 500*40/4 }, nil, func() { stopA() })
	<-sent
	t.Logf("%d events sent over two replicas, one stopped %v in with %d streams open on it: %d acknowledged in %d streams, %d sent again, in %v",
		len(events), stoppedAt.Round(10*time.Millisecond), openAtStop, total.Stored, total.Streams, total.Resent, time.Since(start).Round(10*time.Millisecond))
	// The stop ends its streams with the trailer; what it says was durable is not sent again, so a stop that fell
	// between messages may leave nothing to resend: how many is reported, not asserted.
	if broken := rec.report(t, a.Server.GRPCAddr(), b.Server.GRPCAddr(), stoppedAt); broken == 0 {
		t.Error("the stop ended no stream, so the test proved nothing")
	}
	if total.Stored != len(events) {
		t.Errorf("the SDK acknowledged %d events of %d", total.Stored, len(events))
	}

	// Every event once: read at QUORUM, by event id.
	eachStoredOnce(t, ctx, hosts, users, titles, events)
}

// sdkEvents are clusterEvents playback events of 100 users over 5 titles, drawn with seed, for the SDK's tests.
func sdkEvents(seed uint64) (users, titles []string, events []*pb.PlaybackEvent) {
	users, titles = make([]string, 100), make([]string, 5)
	for i := range users {
		users[i] = uuid.NewString()
	}
	for i := range titles {
		titles[i] = uuid.NewString()
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	events = make([]*pb.PlaybackEvent, clusterEvents)
	for i := range events {
		events[i] = &pb.PlaybackEvent{EventId: uuid.NewString(), UserId: users[rng.IntN(len(users))],
			ContentId: titles[rng.IntN(len(titles))], OccurTime: timestamppb.New(time.Now().Add(-time.Minute)),
			PlayedSeconds: 10, PositionSeconds: int32(i % 5000), Device: pb.Device_DEVICE_TV, Quality: pb.VideoQuality_VIDEO_QUALITY_HD}
	}
	return users, titles, events
}

// eachStoredOnce reads the events' partitions at QUORUM and fails unless every event is one row: none missing, none
// twice.
func eachStoredOnce(t *testing.T, ctx context.Context, hosts, users, titles []string, events []*pb.PlaybackEvent) {
	t.Helper()
	rows := eventRows(t, ctx, clusterSession(t, hosts, gocql.Quorum), users, titles)
	missing, extra := 0, 0
	for _, ev := range events {
		if rows[ev.GetEventId()] == 0 {
			missing++
		}
	}
	for _, n := range rows {
		extra += n - 1
	}
	t.Logf("Cassandra holds %d rows for %d events: %d missing, %d duplicates", len(rows), len(events), missing, extra)
	if missing > 0 || extra > 0 || len(rows) != len(events) {
		t.Errorf("%d events missing, %d duplicate rows, %d rows for %d events", missing, extra, len(rows), len(events))
	}
}
