package client

// Tests against the real server (as wiring builds it for streamingd) on loopback ports, over the stores of the local
// stack (`go tool task stack:up`): skipped without them, failed under CI.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	streamingv1 "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/search"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/wiring"
)

const (
	testAdminToken   = "client-test-admin-token-0123456789"
	testServiceToken = "client-test-service-token-0123456789"
)

// stores is the local stack as this test uses it: a PostgreSQL schema and a search alias of its own (both dropped
// when it ends), the shared test keyspace of Cassandra.
type stores struct {
	pgURL, alias string
	migrated     bool
}

func localStack(t *testing.T) *stores {
	t.Helper()
	s := storetest.Settings(t)
	storetest.Require(t, "PostgreSQL", s.PostgresAddr())
	storetest.Require(t, "Redis", s.RedisAddr())
	storetest.Require(t, "Cassandra", s.CassandraAddr())
	storetest.Require(t, "the search server", s.SearchAddr())
	pgURL, _ := storetest.PostgresSchema(t, "client")
	alias := "client_" + storetest.Unique()
	t.Cleanup(func() {
		index := fmt.Sprintf("%s/%s_v%d", s.SearchURL(), alias, search.MappingVersion)
		if req, err := http.NewRequest(http.MethodDelete, index, nil); err == nil {
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		}
		http.DefaultClient.CloseIdleConnections()
	})
	return &stores{pgURL: pgURL, alias: alias}
}

// testServer is one server process's worth of the platform, running in this test.
type testServer struct {
	built *wiring.Built
	addr  string
	stop  func() // graceful shutdown (drains ingest streams); waits until it is over
}

// start builds and runs a server on the stores (the first one migrates the schema); tweak adjusts its settings.
func (st *stores) start(t *testing.T, tweak func(*config.Config)) *testServer {
	t.Helper()
	cfg, err := config.Load(storetest.Settings(t).ServerArgs())
	if err != nil {
		t.Fatal(err)
	}
	cfg.PostgresURL, cfg.Migrate = st.pgURL, !st.migrated
	cfg.GRPCAddr, cfg.HTTPAddr, cfg.OpsAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.AdminToken, cfg.ServiceToken = testAdminToken, testServiceToken
	cfg.CassandraKeyspace, cfg.SearchAlias = "streaming_test", st.alias
	// Only the API: no outbox relay, replay loop or renewals in the background of these tests.
	cfg.ReadModelsEnabled, cfg.DerivedReplayInterval, cfg.BillingInterval = false, 0, 0
	cfg.ShutdownGrace = 5 * time.Second
	if tweak != nil {
		tweak(&cfg)
	}
	built, err := wiring.Build(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("build the server: %v", err)
	}
	st.migrated = true
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		built.Server.Run(ctx)
	}()
	stop := func() { cancel(); <-ran }
	t.Cleanup(func() { stop(); built.Close() })
	return &testServer{built: built, addr: built.Server.GRPCAddr(), stop: stop}
}

// playbackEvents are n valid events of 10 users over 5 titles, and those users and titles.
func playbackEvents(n int) (events []*streamingv1.PlaybackEvent, users, titles []string) {
	users, titles = make([]string, 10), make([]string, 5)
	for i := range users {
		users[i] = uuid.NewString()
	}
	for i := range titles {
		titles[i] = uuid.NewString()
	}
	at := time.Now().Add(-time.Minute)
	events = make([]*streamingv1.PlaybackEvent, n)
	for i := range events {
		events[i] = &streamingv1.PlaybackEvent{EventId: uuid.NewString(), UserId: users[i%len(users)],
			ContentId: titles[(i/len(users))%len(titles)], OccurTime: timestamppb.New(at.Add(time.Duration(i) * time.Millisecond)),
			PlayedSeconds: 10, PositionSeconds: int32(i % 5000), Device: streamingv1.Device_DEVICE_TV,
			Quality: streamingv1.VideoQuality_VIDEO_QUALITY_HD}
	}
	return events, users, titles
}

// storedOnce reads the events' partitions back from Cassandra and fails unless each event is exactly one row.
func storedOnce(t *testing.T, ctx context.Context, srv *testServer, events []*streamingv1.PlaybackEvent, users, titles []string) {
	t.Helper()
	rows := map[string]int{}
	for _, u := range users {
		for _, ti := range titles {
			iter := srv.built.Cassandra.Session().Query(`SELECT event_id FROM playback_events WHERE user_id = ? AND content_id = ?`, u, ti).
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
	missing, twice := 0, 0
	for _, ev := range events {
		switch rows[ev.GetEventId()] {
		case 0:
			missing++
		case 1:
		default:
			twice++
		}
	}
	if missing > 0 || twice > 0 || len(rows) != len(events) {
		t.Fatalf("Cassandra holds %d rows for %d events: %d missing, %d more than once", len(rows), len(events), missing, twice)
	}
}

// The server's errors reach the caller typed: a contract violation with its field, an ingest quota with the wait it
// asks for (which the SDK waits out by default, and the Batcher too).
func TestServerErrorsAreTyped(t *testing.T) {
	st := localStack(t)
	srv := st.start(t, func(c *config.Config) { c.IngestServiceRate, c.IngestServiceBurst = 1000, 1000 })
	ctx := storetest.Context(t, 2*time.Minute)
	raw, err := Dial(ctx, srv.addr, WithToken(testServiceToken), WithRetryInfoWait(0))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()

	_, err = raw.Command.RegisterUser(ctx, &streamingv1.RegisterUserRequest{Email: "not-an-email", Password: "correct horse battery",
		DisplayName: "Bad", Country: "ES"})
	var e *Error
	if !errors.As(err, &e) || e.Code != codes.InvalidArgument || IsRetryable(err) {
		t.Fatalf("RegisterUser with a bad email = %v; want a typed InvalidArgument", err)
	}
	if v := FieldViolations(err); len(v) != 1 || v[0].Field != "email" || v[0].Description == "" {
		t.Errorf("FieldViolations = %+v; want the email", v)
	}

	// 1000 events a second, in bursts of 1000: calls of 1000 events are refused until a second has passed.
	events, users, titles := playbackEvents(10_000)
	sent := 0
	for {
		res, err := raw.Ingest.RecordPlaybackEvents(ctx, &streamingv1.RecordPlaybackEventsRequest{Events: events[sent : sent+1000]})
		if err != nil {
			break
		}
		if sent += int(res.GetAccepted()); sent >= 5000 {
			t.Fatal("5 calls of 1000 events in a row fit in a quota of 1000 events a second")
		}
	}
	_, err = raw.Ingest.RecordPlaybackEvents(ctx, &streamingv1.RecordPlaybackEventsRequest{Events: events[sent : sent+1000]})
	d, ok := RetryAfter(err)
	if status.Code(err) != codes.ResourceExhausted || !ok || d <= 0 || d > time.Second || !IsRetryable(err) {
		t.Fatalf("past the quota: %v (RetryAfter %v, %v); want ResourceExhausted asking for at most a second", err, d, ok)
	}
	t.Logf("over the quota: %v; retry after %v", err, d)

	// By default the SDK waits the delay and sends again.
	auto, err := Dial(ctx, srv.addr, WithToken(testServiceToken))
	if err != nil {
		t.Fatal(err)
	}
	defer auto.Close()
	if res, err := auto.Ingest.RecordPlaybackEvents(ctx, &streamingv1.RecordPlaybackEventsRequest{Events: events[sent : sent+1000]}); err != nil || res.GetAccepted() != 1000 {
		t.Fatalf("RecordPlaybackEvents over the quota, waited out: %v, %v", res, err)
	}
	sent += 1000
	// The Batcher pauses for the delay and resumes from the refused message.
	b := auto.NewBatcher(ctx, BatcherOptions{BatchSize: 500})
	if err := b.Add(ctx, events[sent:sent+3000]...); err != nil {
		t.Fatal(err)
	}
	bst, err := b.Close(ctx)
	t.Logf("batcher through the quota: %+v", bst)
	if err != nil || bst.Durable != 3000 || bst.Paused == 0 {
		t.Fatalf("Close = %+v, %v; want 3000 durable after pauses", bst, err)
	}
	sent += 3000
	storedOnce(t, ctx, srv, events[:sent], users, titles)
}

// attempts counts the calls gRPC makes (each retry one more), and those in flight per server address (the proxy's).
type attempts struct {
	n        atomic.Int64
	mu       sync.Mutex
	inFlight map[string]int
}

type attemptKey struct{}

// attempt is one call attempt: where it went, once its headers were sent.
type attempt struct{ addr string }

func (a *attempts) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context {
	return context.WithValue(ctx, attemptKey{}, &attempt{})
}

func (a *attempts) HandleRPC(ctx context.Context, s stats.RPCStats) {
	at, _ := ctx.Value(attemptKey{}).(*attempt)
	switch s := s.(type) {
	case *stats.Begin:
		if s.IsClient() {
			a.n.Add(1)
		}
	case *stats.OutHeader:
		if s.Client && at != nil && s.RemoteAddr != nil {
			at.addr = s.RemoteAddr.String()
			a.mu.Lock()
			if a.inFlight == nil {
				a.inFlight = map[string]int{}
			}
			a.inFlight[at.addr]++
			a.mu.Unlock()
		}
	case *stats.End:
		if s.IsClient() && at != nil && at.addr != "" {
			a.mu.Lock()
			a.inFlight[at.addr]--
			a.mu.Unlock()
		}
	}
}

// busy reports whether an attempt to addr is in flight.
func (a *attempts) busy(addr string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.inFlight[addr] > 0
}

func (a *attempts) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (a *attempts) HandleConn(context.Context, stats.ConnStats)                       {}

// Queries over two servers: one is cut off mid-call (its connections reset, as a crash does) and then stopped; the
// calls it was serving are retried on the other, and no caller sees an error.
func TestQueriesRetriedOverTwoServersWithOneStopped(t *testing.T) {
	st := localStack(t)
	a, b := st.start(t, nil), st.start(t, nil)
	pa, pb := storetest.NewSwitchProxy(t, a.addr, true), storetest.NewSwitchProxy(t, b.addr, true)
	ctx := storetest.Context(t, 2*time.Minute)
	var tries attempts
	c, err := Dial(ctx, pa.Addr+","+pb.Addr, WithDialOptions(grpc.WithStatsHandler(&tries)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	var calls, failed atomic.Int64
	var firstErr atomic.Value
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				_, err := c.Query.ListPlans(cctx, &streamingv1.ListPlansRequest{})
				cancel()
				calls.Add(1)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	time.Sleep(time.Second)
	before := calls.Load()
	// Cut while a call is in flight there: cut between calls, nothing would need a retry.
	waitFor(t, "a call in flight on the first server", func() bool { return tries.busy(pa.Addr) })
	pa.Down()
	a.stop()
	time.Sleep(time.Second)
	close(done)
	wg.Wait()
	retried := tries.n.Load() - calls.Load()
	t.Logf("%d calls (%d before the stop), %d failed, %d retries", calls.Load(), before, failed.Load(), retried)
	if failed.Load() > 0 {
		t.Fatalf("%d calls failed, first: %v", failed.Load(), firstErr.Load())
	}
	if calls.Load() == before {
		t.Fatal("no call after the stop")
	}
	if retried == 0 {
		t.Error("no call was retried: none was in flight on the server cut off, so the test proved nothing")
	}
}

// streamLog is an Ingest client that records how each IngestPlaybackEvents stream ended, and where it went.
type streamLog struct {
	streamingv1.IngestServiceClient
	mu      sync.Mutex
	streams []*loggedStream
}

type loggedStream struct {
	addr    string
	sent    int // messages
	ended   bool
	err     error
	trailer metadata.MD
}

func (l *streamLog) IngestPlaybackEvents(ctx context.Context, opts ...grpc.CallOption) (grpc.ClientStreamingClient[streamingv1.IngestPlaybackEventsRequest, streamingv1.IngestPlaybackEventsResponse], error) {
	s, err := l.IngestServiceClient.IngestPlaybackEvents(ctx, opts...)
	if err != nil {
		return nil, err
	}
	ls := &loggedStream{}
	if p, ok := peer.FromContext(s.Context()); ok {
		ls.addr = p.Addr.String()
	}
	l.mu.Lock()
	l.streams = append(l.streams, ls)
	l.mu.Unlock()
	return &logging{ClientStreamingClient: s, l: l, ls: ls}, nil
}

// open reports whether a stream to addr is open with from to through messages sent.
func (l *streamLog) open(addr string, from, through int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.streams {
		if s.addr == addr && !s.ended && s.sent >= from && s.sent <= through {
			return true
		}
	}
	return false
}

// failed counts the streams to addr that ended in an error, with and without a trailer.
func (l *streamLog) failed(addr string) (withTrailer, without int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.streams {
		if s.addr != addr || s.err == nil {
			continue
		}
		if len(s.trailer.Get(TrailerDurableThrough)) > 0 {
			withTrailer++
		} else {
			without++
		}
	}
	return withTrailer, without
}

type logging struct {
	grpc.ClientStreamingClient[streamingv1.IngestPlaybackEventsRequest, streamingv1.IngestPlaybackEventsResponse]
	l  *streamLog
	ls *loggedStream
}

func (s *logging) Send(m *streamingv1.IngestPlaybackEventsRequest) error {
	err := s.ClientStreamingClient.Send(m)
	s.l.mu.Lock()
	s.ls.sent++
	s.l.mu.Unlock()
	return err
}

func (s *logging) CloseAndRecv() (*streamingv1.IngestPlaybackEventsResponse, error) {
	res, err := s.ClientStreamingClient.CloseAndRecv()
	s.l.mu.Lock()
	s.ls.ended, s.ls.err, s.ls.trailer = true, err, s.Trailer()
	s.l.mu.Unlock()
	return res, err
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// The Batcher sends 10,000 events over two servers while its streams are broken twice: one server's connections
// are cut mid-stream (no answer, no trailer: everything of the stream is sent again), the other server is stopped
// mid-stream (it drains: Unavailable with the durable-through trailer, so only what follows is sent again). Every
// event ends stored exactly once.
func TestBatcherResumesAfterBrokenStreams(t *testing.T) {
	st := localStack(t)
	a, b := st.start(t, nil), st.start(t, nil)
	pa, pb := storetest.NewSwitchProxy(t, a.addr, true), storetest.NewSwitchProxy(t, b.addr, true)
	ctx := storetest.Context(t, 3*time.Minute)
	c, err := Dial(ctx, pa.Addr+","+pb.Addr, WithToken(testServiceToken))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	log := &streamLog{IngestServiceClient: c.Ingest}
	watched := *c
	watched.Ingest = log
	// Streams of 40 messages, about 3 s each (the two senders share a message every 40 ms): a stream caught a few
	// messages in has most of its life ahead when it is broken. Linger is well above a sender's gap between
	// messages; at the default 50 ms a sender that waited 80 ms for its next message would close its stream, and
	// streams would last a few messages, so the stop could find none open.
	bt := watched.NewBatcher(ctx, BatcherOptions{BatchSize: 100, StreamBatches: 40, Streams: 2, Linger: time.Second,
		Backoff: 20 * time.Millisecond})

	events, users, titles := playbackEvents(10_000)
	var added atomic.Int64
	producer := make(chan error, 1)
	go func() {
		// About 2,500 events a second (a message every 40 ms), so streams are open when they are broken.
		for i := 0; i < len(events); i += 25 {
			if err := bt.Add(ctx, events[i:i+25]...); err != nil {
				producer <- err
				return
			}
			added.Add(25)
			time.Sleep(10 * time.Millisecond)
		}
		producer <- nil
	}()

	waitFor(t, "a stream open on the first server", func() bool { return added.Load() >= 1500 && log.open(pa.Addr, 2, 20) })
	pa.Down() // its connections reset: as if the server were killed
	time.Sleep(50 * time.Millisecond)
	pa.Up() // it comes back (gRPC reconnects after its backoff)
	cutAt := added.Load()
	waitFor(t, "a stream open on the second server", func() bool { return added.Load() >= cutAt+1500 && log.open(pb.Addr, 2, 20) })
	stoppedAt := added.Load()
	b.stop() // drains: open streams end Unavailable with the trailer

	if err := <-producer; err != nil {
		t.Fatalf("Add: %v", err)
	}
	bst, err := bt.Close(ctx)
	aTrailer, aCut := log.failed(pa.Addr)
	bTrailer, bCut := log.failed(pb.Addr)
	t.Logf("%+v; cut at %d added, stop at %d; streams failed: first server %d with trailer, %d without; second %d with, %d without",
		bst, cutAt, stoppedAt, aTrailer, aCut, bTrailer, bCut)
	if err != nil || bst.Durable != int64(len(events)) || bst.Pending != 0 || bst.Rejected != 0 {
		t.Fatalf("Close = %+v, %v; want all %d durable", bst, err, len(events))
	}
	if aCut == 0 || bTrailer == 0 || bst.Resent == 0 {
		t.Errorf("the cut broke %d streams, the stop %d with a trailer, %d events resent: the test proved less than it says", aCut, bTrailer, bst.Resent)
	}
	storedOnce(t, ctx, a, events, users, titles)
}
