//go:build faults

// The fault suite: `go tool task test:faults` (CI runs it after the other tests). It stops the real stores of the
// local stack one at a time with the stack command while a mixed load runs against one server, so it cannot share
// the stores with other tests: it has a build tag of its own and runs alone.

package e2e

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/readcheck"
	"github.com/streamingplatform/streaming/server/storetest"
)

// fault is one store's outage: what a caller gets while it is down (the documented answer, asserted with how fast
// it comes) and what says it is back.
type fault struct {
	store string // the stack's name for it
	// down is called while the store is down; it returns an error when the answer is not the documented one.
	down func(ctx context.Context) error
	// up returns nil once the store serves again through the same server.
	up func(ctx context.Context) error
}

// TestFaults stops each of the five stores under a mixed load (ingest streams, commands, queries), asserts the
// documented answer while it is down and how fast it comes, starts it again and asserts the server recovers
// without a restart; at the end nothing acknowledged is lost: every acknowledged playback event is in Cassandra,
// every acknowledged title in PostgreSQL, the outbox is drained and the read models agree with PostgreSQL.
func TestFaults(t *testing.T) {
	stack := os.Getenv("STACK")
	if stack == "" {
		storetest.Missing(t, "STACK (the stack command's path) is not set; run the suite with `go tool task test:faults`")
	}
	e := server(t)
	l := newFaultLoad(t, e)
	admin := func(ctx context.Context) context.Context { return bearer(ctx, adminToken) }
	viewer := l.users[0]

	faults := []fault{
		{store: "search",
			down: func(ctx context.Context) error {
				_, err := e.query.SearchContent(bearer(ctx, viewer.token), &pb.SearchContentRequest{Query: "falla"})
				return wantAnswer(err, codes.Unavailable)
			},
			up: func(ctx context.Context) error {
				_, err := e.query.SearchContent(bearer(ctx, viewer.token), &pb.SearchContentRequest{Query: "falla"})
				return err
			}},
		{store: "neo4j",
			down: func(ctx context.Context) error {
				l.forgetRecommendations(ctx, viewer.id)
				res, err := e.query.GetRecommendations(bearer(ctx, viewer.token), &pb.GetRecommendationsRequest{UserId: viewer.id})
				if err != nil {
					return fmt.Errorf("GetRecommendations: %v, want the trending fallback", err)
				}
				if res.GetSource() != pb.RecommendationSource_RECOMMENDATION_SOURCE_FALLBACK {
					return fmt.Errorf("source %s, want FALLBACK", res.GetSource())
				}
				return nil
			},
			up: func(ctx context.Context) error {
				l.forgetRecommendations(ctx, viewer.id)
				res, err := e.query.GetRecommendations(bearer(ctx, viewer.token), &pb.GetRecommendationsRequest{UserId: viewer.id})
				if err == nil && res.GetSource() != pb.RecommendationSource_RECOMMENDATION_SOURCE_GRAPH {
					_, gerr := e.built.Graph.Recommend(ctx, viewer.id, 10)
					return fmt.Errorf("source %s (the graph, asked directly: %v)", res.GetSource(), gerr)
				}
				return err
			}},
		{store: "redis",
			down: func(ctx context.Context) error {
				_, err := e.query.GetUserProfile(bearer(ctx, viewer.token), &pb.GetUserProfileRequest{UserId: viewer.id})
				return wantAnswer(err, codes.Unavailable)
			},
			up: func(ctx context.Context) error {
				_, err := e.query.GetUserProfile(bearer(ctx, viewer.token), &pb.GetUserProfileRequest{UserId: viewer.id})
				return err
			}},
		{store: "postgres",
			down: func(ctx context.Context) error {
				_, err := e.cmd.UpsertContent(admin(ctx), &pb.UpsertContentRequest{Content: faultTitle("caída")})
				return wantAnswer(err, codes.Unavailable)
			},
			up: func(ctx context.Context) error {
				_, err := e.cmd.UpsertContent(admin(ctx), &pb.UpsertContentRequest{Content: faultTitle("vuelta")})
				return err
			}},
		{store: "cassandra",
			// Ingest answers per event: each one Cassandra did not take is rejected "not stored, retry" with no
			// field at fault (docs/ingest.md), and the client sends it again.
			down: func(ctx context.Context) error {
				res, err := e.ingest.RecordPlaybackEvents(bearer(ctx, serviceToken), &pb.RecordPlaybackEventsRequest{
					Events: []*pb.PlaybackEvent{l.probeEvent()}})
				if err != nil {
					return fmt.Errorf("RecordPlaybackEvents: %v, want the event rejected", err)
				}
				if res.GetRejected() != 1 || len(res.GetRejections()) != 1 || res.GetRejections()[0].GetField() != "" ||
					!strings.HasPrefix(res.GetRejections()[0].GetReason(), "not stored, retry") {
					return fmt.Errorf("answer %v, want the event rejected \"not stored, retry\"", res)
				}
				_, err = e.query.GetContinueWatching(bearer(ctx, viewer.token), &pb.GetContinueWatchingRequest{UserId: viewer.id})
				return wantAnswer(err, codes.Unavailable)
			},
			up: func(ctx context.Context) error {
				res, err := e.ingest.RecordPlaybackEvents(bearer(ctx, serviceToken), &pb.RecordPlaybackEventsRequest{
					Events: []*pb.PlaybackEvent{l.probeEvent()}})
				if err == nil && res.GetAccepted() != 1 {
					return fmt.Errorf("answer %v", res)
				}
				return err
			}},
	}

	l.start()
	l.phase("before")
	time.Sleep(3 * time.Second)
	var figures []string
	for _, f := range faults {
		if only := os.Getenv("FAULTS"); only != "" && !slices.Contains(strings.Split(only, ","), f.store) {
			continue // a subset, while working on one store
		}
		ok := t.Run(f.store, func(t *testing.T) {
			stackCommand(t, stack, "down", f.store)
			l.phase(f.store + " down")
			// The documented answer, five times; the slowest is the figure. The bound only says that no call waited
			// for a timeout (a unary call's is 10 s): the machine is shared with the load and the race detector.
			var slowest time.Duration
			for range 5 {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				start := time.Now()
				err := f.down(ctx)
				cancel()
				if err != nil {
					t.Fatalf("%s down: %v", f.store, err)
				}
				slowest = max(slowest, time.Since(start))
				time.Sleep(200 * time.Millisecond)
			}
			if slowest > 2*time.Second {
				t.Errorf("%s down: the answer took %v", f.store, slowest)
			}
			time.Sleep(2 * time.Second) // the load meets the outage
			l.phase(f.store + " starting")
			started := stackCommand(t, stack, "up", f.store)
			l.phase(f.store + " back")
			recovered := waitUp(t, f)
			figures = append(figures, fmt.Sprintf("%-9s answer while down ≤ %-8v restart %-6v served again %v after the restart",
				f.store, slowest.Round(time.Millisecond), started.Round(100*time.Millisecond), recovered.Round(10*time.Millisecond)))
			time.Sleep(2 * time.Second) // the load on the recovered store
		})
		if !ok {
			// A store left down would fail everything after it; bring it back and stop here.
			stackCommand(t, stack, "up", f.store)
			break
		}
	}
	l.phase("after")
	time.Sleep(2 * time.Second)
	l.stop(t)

	for _, f := range figures {
		t.Log(f)
	}
	l.report(t)
	l.verify(t)
}

// wantAnswer says whether err carries the code.
func wantAnswer(err error, want codes.Code) error {
	if got := grpcCode(err); got != want {
		return fmt.Errorf("answer %s (%v), want %s", got, err, want)
	}
	return nil
}

// waitUp polls the fault's recovery check for up to a minute and returns how long it took.
func waitUp(t *testing.T, f fault) time.Duration {
	t.Helper()
	start := time.Now()
	var last error
	for time.Since(start) < time.Minute {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		last = f.up(ctx)
		cancel()
		if last != nil && os.Getenv("FAULTS_VERBOSE") != "" {
			t.Logf("%v %v", time.Since(start).Round(time.Millisecond), last)
		}
		if last == nil {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s back for a minute, the server still answers: %v", f.store, last)
	return 0
}

// stackCommand runs `stack verb store` and returns how long it took.
func stackCommand(t *testing.T, stack, verb, store string) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, stack, verb, store).CombinedOutput()
	if err != nil {
		t.Fatalf("stack %s %s: %v\n%s", verb, store, err, out)
	}
	return time.Since(start)
}

// faultTitle is a new title for the command load.
func faultTitle(word string) *pb.Content {
	return &pb.Content{Id: uuid.NewString(), Title: "Falla " + word + " " + storetest.Unique(), Description: "Una prueba de fallos",
		Type: pb.ContentType_CONTENT_TYPE_MOVIE, Genres: []string{"fallas"}, ReleaseYear: 2024}
}

// faultLoad is the mixed load: one ingest stream loop per user, a command loop (new titles as admin, ratings as
// users) and a query loop over every query a store serves. It counts every answer by phase and operation, and
// remembers what was acknowledged.
type faultLoad struct {
	e      *env
	users  []user
	titles []*pb.Content
	probe  *pb.Content // the title of the probes' events, which are not counted
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	current  string
	phases   []string
	answers  map[string]map[string]map[codes.Code]int // phase → operation → code → count
	slowest  map[string]map[string]time.Duration      // phase → operation → slowest answer that was not OK
	sent     map[string]*pb.PlaybackEvent             // every event sent, by id
	acked    map[string]bool                          // event ids acknowledged durable
	contents []string                                 // titles whose UpsertContent answered OK
	rated    map[[2]string]bool                       // (user, title) pairs whose RateContent answered OK
	odd      []string                                 // answers that are not documented for an outage
}

func newFaultLoad(t *testing.T, e *env) *faultLoad {
	l := &faultLoad{e: e, answers: map[string]map[string]map[codes.Code]int{}, slowest: map[string]map[string]time.Duration{},
		sent: map[string]*pb.PlaybackEvent{}, acked: map[string]bool{}, rated: map[[2]string]bool{}}
	for range 3 {
		l.users = append(l.users, newUser(t, e))
	}
	for i := range 5 {
		c := faultTitle("título " + strconv.Itoa(i))
		if _, err := e.cmd.UpsertContent(as(t, adminToken), &pb.UpsertContentRequest{Content: c}); err != nil {
			t.Fatal(err)
		}
		l.titles = append(l.titles, c)
		l.contents = append(l.contents, c.GetId())
	}
	l.titles, l.probe = l.titles[:4], l.titles[4]
	return l
}

func (l *faultLoad) phase(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.current = name
	l.phases = append(l.phases, name)
}

// record counts one answer. Every operation may answer OK or Unavailable while a store it needs is down (and
// ResourceExhausted if the server sheds load); anything else is odd.
func (l *faultLoad) record(op string, err error, took time.Duration) {
	code := grpcCode(err)
	l.mu.Lock()
	defer l.mu.Unlock()
	byOp := l.answers[l.current]
	if byOp == nil {
		byOp = map[string]map[codes.Code]int{}
		l.answers[l.current] = byOp
		l.slowest[l.current] = map[string]time.Duration{}
	}
	if byOp[op] == nil {
		byOp[op] = map[codes.Code]int{}
	}
	byOp[op][code]++
	if code != codes.OK {
		l.slowest[l.current][op] = max(l.slowest[l.current][op], took)
	}
	switch code {
	case codes.OK, codes.Unavailable, codes.ResourceExhausted:
	default:
		if l.ctx.Err() == nil {
			l.odd = append(l.odd, fmt.Sprintf("%s during %q: %v", op, l.current, err))
		}
	}
}

func (l *faultLoad) newEvent(userID string) *pb.PlaybackEvent {
	c := l.titles[rand.IntN(len(l.titles))]
	return &pb.PlaybackEvent{EventId: uuid.NewString(), UserId: userID, ContentId: c.GetId(),
		OccurTime: timestamppb.New(time.Now().Add(-time.Second)), PlayedSeconds: 10, PositionSeconds: int32(rand.IntN(3000)),
		Device: pb.Device_DEVICE_TV, Quality: pb.VideoQuality_VIDEO_QUALITY_HD}
}

// probeEvent is an event of a user of its own for the probe title: not part of the load's counts.
func (l *faultLoad) probeEvent() *pb.PlaybackEvent {
	ev := l.newEvent(uuid.NewString())
	ev.ContentId = l.probe.GetId()
	return ev
}

func (l *faultLoad) start() {
	l.ctx, l.cancel = context.WithCancel(context.Background())
	for _, u := range l.users {
		l.wg.Go(func() { l.ingestLoop(u) })
	}
	l.wg.Go(l.serviceLoop)
	l.wg.Go(l.commandLoop)
	l.wg.Go(l.queryLoop)
}

// stop ends the load; the ingest loops first resend what is not yet acknowledged (up to two minutes).
func (l *faultLoad) stop(t *testing.T) {
	l.cancel()
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Minute):
		t.Fatal("the load did not stop within 3 minutes")
	}
}

// ingestLoop streams batches of the user's events as a client should, and resends what was not stored: the events
// answered rejected "not stored, retry" (no field at fault), and after a stream that ended in an error, the batches
// after the trailer's x-ingest-durable-through-batch (event ids make a resend idempotent). Once the load stops it
// goes on until everything is acknowledged, for up to two minutes.
func (l *faultLoad) ingestLoop(u user) {
	var pending []*pb.PlaybackEvent
	var d draining
	for {
		if d.over(l.ctx, len(pending)) {
			return
		}
		if len(pending) == 0 {
			for range 200 {
				ev := l.newEvent(u.id)
				pending = append(pending, ev)
			}
			l.mu.Lock()
			for _, ev := range pending {
				l.sent[ev.GetEventId()] = ev
			}
			l.mu.Unlock()
		}
		stored, resend := l.stream(u, pending)
		l.mu.Lock()
		for _, ev := range stored {
			l.acked[ev.GetEventId()] = true
		}
		l.mu.Unlock()
		pending = resend
		time.Sleep(50 * time.Millisecond)
	}
}

// draining is a sending loop's end: once the load stops it goes on while events are unacknowledged, for up to two
// minutes (verify reports what stayed unacknowledged).
type draining struct{ until time.Time }

// over reports whether the loop should end, given how many events wait for an acknowledgement.
func (d *draining) over(load context.Context, pending int) bool {
	if load.Err() == nil {
		return false
	}
	if pending == 0 {
		return true
	}
	if d.until.IsZero() {
		d.until = time.Now().Add(2 * time.Minute)
	}
	return time.Now().After(d.until)
}

// stream sends the events in batches of 50 on one stream and returns those stored and those to send again.
func (l *faultLoad) stream(u user, events []*pb.PlaybackEvent) (stored, resend []*pb.PlaybackEvent) {
	var batches [][]*pb.PlaybackEvent
	for b := range slices.Chunk(events, 50) {
		batches = append(batches, b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	s, err := l.e.ingest.IngestPlaybackEvents(bearer(ctx, u.token))
	if err != nil {
		l.record("IngestPlaybackEvents", err, time.Since(start))
		return nil, events
	}
	for _, b := range batches {
		if err := s.Send(&pb.IngestPlaybackEventsRequest{Events: b}); err != nil {
			break // the stream ended; CloseAndRecv says why
		}
	}
	res, err := s.CloseAndRecv()
	took := time.Since(start)
	if err != nil {
		l.record("IngestPlaybackEvents", err, took)
		// Batches 0..durable-through have an outcome; when every event of them was accepted they are stored,
		// otherwise the trailer cannot say which were not, and the whole stream is sent again.
		through, err1 := strconv.Atoi(first(s.Trailer(), "x-ingest-durable-through-batch"))
		accepted, err2 := strconv.Atoi(first(s.Trailer(), "x-ingest-accepted"))
		if err1 != nil || err2 != nil || through < 0 {
			return nil, events
		}
		settled := 0
		for _, b := range batches[:min(through+1, len(batches))] {
			settled += len(b)
		}
		if accepted != settled {
			return nil, events
		}
		return events[:settled], events[settled:]
	}
	notStored := map[int]bool{}
	for _, r := range res.GetRejections() {
		if r.GetField() != "" {
			l.mu.Lock()
			l.odd = append(l.odd, fmt.Sprintf("a valid event rejected: %s %s", r.GetField(), r.GetReason()))
			l.mu.Unlock()
		}
		notStored[int(r.GetBatchIndex())*50+int(r.GetEventIndex())] = true
	}
	if len(notStored) != int(res.GetRejected()) {
		l.mu.Lock()
		l.odd = append(l.odd, fmt.Sprintf("%d rejected, %d rejections listed", res.GetRejected(), len(notStored)))
		l.mu.Unlock()
	}
	// A stream that answered OK but stored nothing of what it was sent is counted as Unavailable: that is what the
	// client met (every event "not stored, retry").
	if len(notStored) > 0 {
		l.record("IngestPlaybackEvents", status.Error(codes.Unavailable, "events not stored"), took)
	} else {
		l.record("IngestPlaybackEvents", nil, took)
	}
	for i, ev := range events {
		if notStored[i] {
			resend = append(resend, ev)
		} else {
			stored = append(stored, ev)
		}
	}
	return stored, resend
}

// serviceLoop sends, as the internal service, a few events of a new viewer every 200 ms, resending those not stored:
// each is a new WATCHED edge and a new trending viewer, so what an outage of Redis or Neo4j makes the derived updates
// lose can only come back through their replay.
func (l *faultLoad) serviceLoop() {
	var pending []*pb.PlaybackEvent
	var d draining
	for {
		if d.over(l.ctx, len(pending)) {
			return
		}
		if l.ctx.Err() == nil {
			viewer := uuid.NewString()
			l.mu.Lock()
			for range 3 {
				ev := l.newEvent(viewer)
				l.sent[ev.GetEventId()] = ev
				pending = append(pending, ev)
			}
			l.mu.Unlock()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		start := time.Now()
		res, err := l.e.ingest.RecordPlaybackEvents(bearer(ctx, serviceToken), &pb.RecordPlaybackEventsRequest{Events: pending})
		cancel()
		if err == nil && res.GetRejected() > 0 {
			l.record("RecordPlaybackEvents", status.Error(codes.Unavailable, "events not stored"), time.Since(start))
		} else {
			l.record("RecordPlaybackEvents", err, time.Since(start))
		}
		if err == nil {
			notStored := map[int]bool{}
			for _, r := range res.GetRejections() {
				notStored[int(r.GetEventIndex())] = true
			}
			var resend []*pb.PlaybackEvent
			l.mu.Lock()
			for i, ev := range pending {
				if notStored[i] {
					resend = append(resend, ev)
				} else {
					l.acked[ev.GetEventId()] = true
				}
			}
			l.mu.Unlock()
			pending = resend
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// commandLoop adds a title as admin and rates one as a user, every 100 ms.
func (l *faultLoad) commandLoop() {
	for i := 0; l.ctx.Err() == nil; i++ {
		ctx, cancel := context.WithTimeout(l.ctx, 10*time.Second)
		c := faultTitle("carga")
		start := time.Now()
		_, err := l.e.cmd.UpsertContent(bearer(ctx, adminToken), &pb.UpsertContentRequest{Content: c})
		l.record("UpsertContent", err, time.Since(start))
		if err == nil {
			l.mu.Lock()
			l.contents = append(l.contents, c.GetId())
			l.mu.Unlock()
		}
		u, title := l.users[i%len(l.users)], l.titles[i%len(l.titles)]
		start = time.Now()
		_, err = l.e.cmd.RateContent(bearer(ctx, u.token), &pb.RateContentRequest{UserId: u.id, ContentId: title.GetId(), Stars: int32(1 + i%5)})
		l.record("RateContent", err, time.Since(start))
		if err == nil {
			l.mu.Lock()
			l.rated[[2]string{u.id, title.GetId()}] = true
			l.mu.Unlock()
		}
		cancel()
		time.Sleep(100 * time.Millisecond)
	}
}

// queryLoop asks every query in turn, every 20 ms.
func (l *faultLoad) queryLoop() {
	q := l.e.query
	for i := 0; l.ctx.Err() == nil; i++ {
		u, c := l.users[i%len(l.users)], l.titles[i%len(l.titles)]
		ctx, cancel := context.WithTimeout(bearer(l.ctx, u.token), 10*time.Second)
		calls := []struct {
			op   string
			call func() error
		}{
			{"GetUserProfile", func() error {
				_, err := q.GetUserProfile(ctx, &pb.GetUserProfileRequest{UserId: u.id})
				return err
			}},
			{"GetContent", func() error {
				_, err := q.GetContent(ctx, &pb.GetContentRequest{ContentId: c.GetId()})
				return err
			}},
			{"GetTrending", func() error {
				_, err := q.GetTrending(ctx, &pb.GetTrendingRequest{})
				return err
			}},
			{"GetRecommendations", func() error {
				_, err := q.GetRecommendations(ctx, &pb.GetRecommendationsRequest{UserId: u.id})
				return err
			}},
			{"SearchContent", func() error {
				_, err := q.SearchContent(ctx, &pb.SearchContentRequest{Query: "falla"})
				return err
			}},
			{"GetContinueWatching", func() error {
				_, err := q.GetContinueWatching(ctx, &pb.GetContinueWatchingRequest{UserId: u.id})
				return err
			}},
			{"ListSubscriptions", func() error {
				_, err := q.ListSubscriptions(ctx, &pb.ListSubscriptionsRequest{UserId: u.id})
				return err
			}},
		}
		call := calls[i%len(calls)]
		start := time.Now()
		err := call.call()
		l.record(call.op, err, time.Since(start))
		cancel()
		time.Sleep(20 * time.Millisecond)
	}
}

// report logs, per phase, each operation's answers and its slowest answer that was not OK.
func (l *faultLoad) report(t *testing.T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, p := range l.phases {
		fmt.Fprintf(&b, "\n%s:", p)
		ops := make([]string, 0, len(l.answers[p]))
		for op := range l.answers[p] {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for _, op := range ops {
			var parts []string
			for code, n := range l.answers[p][op] {
				parts = append(parts, fmt.Sprintf("%s %d", code, n))
			}
			sort.Strings(parts)
			fmt.Fprintf(&b, "\n  %-21s %s", op, strings.Join(parts, ", "))
			if s := l.slowest[p][op]; s > 0 {
				fmt.Fprintf(&b, " (slowest not OK: %v)", s.Round(time.Millisecond))
			}
		}
	}
	t.Log("answers by phase:" + b.String())
}

// verify checks that nothing acknowledged was lost and the read models caught up.
func (l *faultLoad) verify(t *testing.T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, o := range l.odd {
		t.Error(o)
	}
	if len(l.acked) != len(l.sent) {
		t.Errorf("%d of %d events sent were never acknowledged", len(l.sent)-len(l.acked), len(l.sent))
	}

	// Cassandra holds exactly the acknowledged events (every one was acknowledged in the end).
	stored := map[string]bool{}
	partitions := map[[2]string]bool{}
	for _, ev := range l.sent {
		partitions[[2]string{ev.GetUserId(), ev.GetContentId()}] = true
	}
	for p := range partitions {
		iter := l.e.built.Cassandra.Session().Query(`SELECT event_id FROM playback_events WHERE user_id = ? AND content_id = ?`,
			p[0], p[1]).WithContext(storetest.Context(t, time.Minute)).Iter()
		var id string
		for iter.Scan(&id) {
			stored[id] = true
		}
		if err := iter.Close(); err != nil {
			t.Fatalf("read back: %v", err)
		}
	}
	lost := 0
	for id := range l.acked {
		if !stored[id] {
			lost++
		}
	}
	strays := 0
	for id := range stored {
		if l.sent[id] == nil {
			strays++
		}
	}
	t.Logf("ingest: %d events sent, %d acknowledged, %d stored in Cassandra", len(l.sent), len(l.acked), len(stored))
	if lost > 0 || strays > 0 {
		t.Errorf("%d acknowledged events missing from Cassandra, %d stored that were never sent", lost, strays)
	}

	// PostgreSQL holds every acknowledged title and rating.
	n := count(t, l.e, `SELECT count(*) FROM content WHERE id = ANY($1::uuid[])`, l.contents)
	t.Logf("commands: %d titles and %d (user, title) ratings acknowledged", len(l.contents), len(l.rated))
	if n != len(l.contents) {
		t.Errorf("%d of %d acknowledged titles in PostgreSQL", n, len(l.contents))
	}
	for k := range l.rated {
		if count(t, l.e, `SELECT count(*) FROM ratings WHERE user_id = $1 AND content_id = $2`, k[0], k[1]) != 1 {
			t.Errorf("acknowledged rating of %s by %s missing", k[1], k[0])
		}
	}

	// The outbox drains (nothing unpublished, nothing owed to a projector) and the read models agree.
	start := time.Now()
	eventually(t, "outbox drained", func() string {
		u := count(t, l.e, `SELECT count(*) FROM outbox WHERE published_at IS NULL`)
		o := count(t, l.e, `SELECT count(*) FROM outbox_owed`)
		if u+o > 0 {
			return fmt.Sprintf("%d unpublished, %d owed", u, o)
		}
		return ""
	})
	t.Logf("outbox drained %v after the load stopped", time.Since(start).Round(10*time.Millisecond))
	ids := slices.Clone(l.contents)
	for _, u := range l.users {
		ids = append(ids, u.id)
	}
	rep, err := readcheck.Check(storetest.Context(t, time.Minute), readcheck.Sources{
		Postgres: postgres.NewCheckSource(l.e.built.Pool), Redis: l.e.built.ReadModels, Search: l.e.built.Search,
		Graph: l.e.built.Graph}, readcheck.Options{IDs: ids, Strict: true})
	if err != nil {
		t.Fatalf("readcheck: %v", err)
	}
	if rep.Failed() {
		t.Errorf("read models diverge from PostgreSQL after the faults: %+v", rep.Differences)
	}

	// The derived updates lost while Redis or Neo4j was down were replayed from Cassandra: every (user, title) is a
	// WATCHED edge, and every title's trending viewers of each hour are exactly its users of that hour.
	type hourTitle struct{ hour, title string }
	viewers := map[hourTitle]map[string]bool{}
	pairs := map[[2]string]bool{}
	for _, ev := range l.sent {
		k := hourTitle{ev.GetOccurTime().AsTime().UTC().Format("2006010215"), ev.GetContentId()}
		if viewers[k] == nil {
			viewers[k] = map[string]bool{}
		}
		viewers[k][ev.GetUserId()] = true
		pairs[[2]string{ev.GetUserId(), ev.GetContentId()}] = true
	}
	d := graph(t)
	r := l.e.built.Redis
	start = time.Now()
	eventually(t, "derived updates replayed", func() string {
		var missing []string
		for p := range pairs {
			if len(cypher(t, d, `MATCH (:User {id: $u})-[:WATCHED]->(:Content {id: $c}) RETURN 1`,
				map[string]any{"u": p[0], "c": p[1]})) != 1 {
				missing = append(missing, "no WATCHED edge "+p[0]+" → "+p[1])
			}
		}
		ctx := storetest.Context(t, 10*time.Second)
		for k, users := range viewers {
			// A HyperLogLog's count is an estimate, so membership is asked of a copy: adding the expected viewers to
			// it changes nothing when they are all there (a missing one changes a register, save a rare collision).
			key, tmp := "trending:viewers:"+k.hour+":"+k.title, "faults:check:"+uuid.NewString()
			var changed int64
			err := r.Do(ctx, r.B().Copy().Source(key).Destination(tmp).Build()).Error()
			if err == nil {
				changed, err = r.Do(ctx, r.B().Pfadd().Key(tmp).Element(slices.Collect(maps.Keys(users))...).Build()).AsInt64()
				r.Do(ctx, r.B().Del().Key(tmp).Build())
			}
			n, _ := r.Do(ctx, r.B().Pfcount().Key(key).Build()).AsInt64()
			score, serr := r.Do(ctx, r.B().Zscore().Key("trending:{sets}:viewers:"+k.hour).Member(k.title).Build()).AsFloat64()
			if err != nil || serr != nil || changed != 0 || math.Abs(score-float64(n)) > max(2, 0.03*float64(n)) {
				missing = append(missing, fmt.Sprintf("hour %s title %s: viewers missing from its set: %v (%d counted of %d; score %v; %v %v)",
					k.hour, k.title, changed != 0, n, len(users), score, err, serr))
			}
		}
		sort.Strings(missing)
		return strings.Join(missing, "; ")
	})
	t.Logf("derived updates complete %v after the outbox drained (%d watched pairs, %d title-hours)",
		time.Since(start).Round(10*time.Millisecond), len(pairs), len(viewers))

	// The same server, never restarted, reports every store healthy.
	hc := healthpb.NewHealthClient(l.e.conn)
	for _, s := range []string{"postgres", "redis", "cassandra", "neo4j", "search"} {
		res, err := hc.Check(as(t, ""), &healthpb.HealthCheckRequest{Service: s})
		if err != nil || res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health of %s after the faults: %v, %v", s, res, err)
		}
	}
}

// forgetRecommendations drops the user's cached recommendations, so the next call asks the graph.
func (l *faultLoad) forgetRecommendations(ctx context.Context, userID string) {
	r := l.e.built.Redis
	r.Do(ctx, r.B().Del().Key("recommendations:"+userID).Build())
}
