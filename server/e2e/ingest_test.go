package e2e

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/wiring"
)

func event(user, content string, at time.Time, position int32) *pb.PlaybackEvent {
	return &pb.PlaybackEvent{EventId: uuid.NewString(), UserId: user, ContentId: content, OccurTime: timestamppb.New(at),
		PlayedSeconds: 10, PositionSeconds: position, Device: pb.Device_DEVICE_TV, Quality: pb.VideoQuality_VIDEO_QUALITY_HD}
}

// rows counts the playback rows of one user and title in Cassandra.
func rows(t *testing.T, b *wiring.Built, user, content string) int {
	t.Helper()
	var n int
	if err := b.Cassandra.Session().Query(`SELECT count(*) FROM playback_events WHERE user_id = ? AND content_id = ?`,
		user, content).WithContext(storetest.Context(t, 20*time.Second)).Scan(&n); err != nil {
		t.Fatalf("count rows: %v", err)
	}
	return n
}

func TestIngestMixedStreamAndReplay(t *testing.T) {
	e := server(t)
	a, b := newUser(t, e), newUser(t, e)
	c1, c2 := uuid.NewString(), uuid.NewString()
	now := time.Now().Add(-time.Minute)
	bad := event(a.id, c1, now, 1)
	bad.Device = pb.Device_DEVICE_UNSPECIFIED
	future := event(a.id, c1, now.Add(time.Hour), 1)
	batches := [][]*pb.PlaybackEvent{
		{event(a.id, c1, now, 10), event(a.id, c1, now.Add(time.Second), 20), bad, event(a.id, c2, now, 5)},
		{event(b.id, c1, now, 1), event(a.id, c1, now.Add(2*time.Second), 30), future},
		{event(a.id, c2, now.Add(time.Second), 15)},
	}
	send := func() *pb.IngestPlaybackEventsResponse {
		stream, err := e.ingest.IngestPlaybackEvents(as(t, a.token))
		if err != nil {
			t.Fatal(err)
		}
		for _, batch := range batches {
			if err := stream.Send(&pb.IngestPlaybackEventsRequest{Events: batch}); err != nil {
				t.Fatal(err)
			}
		}
		res, err := stream.CloseAndRecv()
		if err != nil {
			t.Fatalf("close: %v", err)
		}
		return res
	}
	res := send()
	if res.GetAccepted() != 5 || res.GetRejected() != 3 {
		t.Fatalf("accepted %d, rejected %d (%v); want 5 and 3", res.GetAccepted(), res.GetRejected(), res.GetRejections())
	}
	want := map[[2]int64]string{{0, 2}: "device", {1, 0}: "user_id", {1, 2}: "occur_time"}
	for _, r := range res.GetRejections() {
		if f, ok := want[[2]int64{r.GetBatchIndex(), int64(r.GetEventIndex())}]; !ok || f != r.GetField() {
			t.Errorf("unexpected rejection %v", r)
		}
	}
	if n1, n2 := rows(t, e.built, a.id, c1), rows(t, e.built, a.id, c2); n1 != 3 || n2 != 2 {
		t.Fatalf("rows = %d and %d, want exactly the accepted 3 and 2", n1, n2)
	}
	if n := rows(t, e.built, b.id, c1); n != 0 {
		t.Fatalf("rows for user B = %d, want 0: A may not ingest for B", n)
	}
	// Ids spelt in upper case (the contract accepts them) are stored in the canonical lower case: the same rows.
	upper := batches[0][0]
	upper = &pb.PlaybackEvent{EventId: strings.ToUpper(upper.GetEventId()), UserId: strings.ToUpper(a.id),
		ContentId: strings.ToUpper(c1), OccurTime: upper.GetOccurTime(), PlayedSeconds: upper.GetPlayedSeconds(),
		PositionSeconds: upper.GetPositionSeconds(), Device: upper.GetDevice(), Quality: upper.GetQuality()}
	rec, err := e.ingest.RecordPlaybackEvents(as(t, a.token), &pb.RecordPlaybackEventsRequest{Events: []*pb.PlaybackEvent{upper}})
	if err != nil || rec.GetAccepted() != 1 {
		t.Fatalf("upper-case ids: %v, %v; want accepted", rec, err)
	}
	if n := rows(t, e.built, a.id, c1); n != 3 {
		t.Fatalf("rows after the upper-case replay of an event = %d, want still 3", n)
	}
	// A replay of the same events (same ids) rewrites the same rows.
	if res := send(); res.GetAccepted() != 5 {
		t.Fatalf("replay accepted %d, want 5", res.GetAccepted())
	}
	if n1, n2 := rows(t, e.built, a.id, c1), rows(t, e.built, a.id, c2); n1 != 3 || n2 != 2 {
		t.Fatalf("rows after replay = %d and %d, want still 3 and 2", n1, n2)
	}
}

func TestContinueWatchingNeverMovesBackwards(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	content := uuid.NewString()
	now := time.Now().Truncate(time.Millisecond)
	record := func(ev *pb.PlaybackEvent) {
		t.Helper()
		res, err := e.ingest.RecordPlaybackEvents(as(t, u.token), &pb.RecordPlaybackEventsRequest{Events: []*pb.PlaybackEvent{ev}})
		if err != nil || res.GetAccepted() != 1 {
			t.Fatalf("record: %v, %v", res, err)
		}
	}
	position := func() int32 {
		t.Helper()
		res, err := e.query.GetContinueWatching(as(t, u.token), &pb.GetContinueWatchingRequest{UserId: u.id})
		if err != nil || len(res.GetItems()) != 1 {
			t.Fatalf("continue watching: %v, %v", res, err)
		}
		return res.GetItems()[0].GetPositionSeconds()
	}
	record(event(u.id, content, now.Add(-time.Minute), 600))
	record(event(u.id, content, now.Add(-5*time.Minute), 100)) // arrives late
	if p := position(); p != 600 {
		t.Fatalf("position after a late event = %d, want 600", p)
	}
	record(event(u.id, content, now, 900))
	if p := position(); p != 900 {
		t.Fatalf("position after a newer event = %d, want 900", p)
	}
	// The newest event finishes the title: the item says so.
	done := event(u.id, content, now.Add(time.Second), 1800)
	done.Completed = true
	record(done)
	res, err := e.query.GetContinueWatching(as(t, u.token), &pb.GetContinueWatchingRequest{UserId: u.id})
	if err != nil || len(res.GetItems()) != 1 || !res.GetItems()[0].GetCompleted() || res.GetItems()[0].GetPositionSeconds() != 1800 {
		t.Fatalf("continue watching after the last event = %v, %v; want position 1800, completed", res, err)
	}
}

func TestWatchHistoryPagesNewestFirst(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	content := uuid.NewString()
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	var events []*pb.PlaybackEvent
	for i := range 7 {
		events = append(events, event(u.id, content, base.Add(time.Duration(i)*time.Minute), int32(i*60)))
	}
	// The service role may send for any user.
	if res, err := e.ingest.RecordPlaybackEvents(as(t, serviceToken), &pb.RecordPlaybackEventsRequest{Events: events}); err != nil || res.GetAccepted() != 7 {
		t.Fatalf("record as service: %v, %v", res, err)
	}
	var got []int32
	token := ""
	for page := 0; ; page++ {
		res, err := e.query.GetWatchHistory(as(t, u.token), &pb.GetWatchHistoryRequest{UserId: u.id, ContentId: content, PageSize: 3, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range res.GetEvents() {
			got = append(got, ev.GetPositionSeconds())
		}
		if token = res.GetNextPageToken(); token == "" || page > 5 {
			break
		}
	}
	if want := "[360 300 240 180 120 60 0]"; strconv.Quote(fmtInts(got)) != strconv.Quote(want) {
		t.Fatalf("history = %v, want %s", got, want)
	}
	_, err := e.query.GetWatchHistory(as(t, u.token), &pb.GetWatchHistoryRequest{UserId: u.id, ContentId: content, PageToken: "%%%"})
	wantCode(t, err, codes.InvalidArgument)
}

func fmtInts(v []int32) string {
	s := "["
	for i, x := range v {
		if i > 0 {
			s += " "
		}
		s += strconv.Itoa(int(x))
	}
	return s + "]"
}

// A shutdown in the middle of a stream ends it with Unavailable and tells the client, in the trailer, how many
// events were durable; exactly those are in Cassandra.
func TestIngestShutdownMidStreamLosesNothing(t *testing.T) {
	built, conn, cancel, done := startOwn(t, func(c *config.Config) { c.ShutdownGrace = 10 * time.Second })
	u := user{id: uuid.NewString()}
	content := uuid.NewString()
	stream, err := pb.NewIngestServiceClient(conn).IngestPlaybackEvents(as(t, serviceToken))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(-time.Hour)
	sent := 0
	for b := range 5 {
		var batch []*pb.PlaybackEvent
		for i := range 200 {
			batch = append(batch, event(u.id, content, now.Add(time.Duration(b*200+i)*time.Millisecond), int32(i)))
		}
		if err := stream.Send(&pb.IngestPlaybackEventsRequest{Events: batch}); err != nil {
			t.Fatal(err)
		}
		sent += len(batch)
	}
	time.Sleep(500 * time.Millisecond) // let the server read and write what was sent
	cancel()                           // shutdown begins while the stream is open
	// Keep our side open (no CloseSend): the server must end the stream itself.
	err = stream.RecvMsg(new(pb.IngestPlaybackEventsResponse))
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("stream ended with %v, want Unavailable", err)
	}
	accepted, convErr := strconv.Atoi(first(stream.Trailer(), "x-ingest-accepted"))
	if convErr != nil {
		t.Fatalf("no x-ingest-accepted trailer: %v", stream.Trailer())
	}
	if accepted == 0 || accepted > sent {
		t.Fatalf("accepted %d of %d sent", accepted, sent)
	}
	<-done
	if n := rows(t, built, u.id, content); n != accepted {
		t.Fatalf("rows = %d, trailer said %d durable", n, accepted)
	}
	t.Logf("%d of %d events were durable when the stream was ended", accepted, sent)
}

func first(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// A request of the stream with no events or more than the contract's 1000 ends the stream with InvalidArgument
// naming events, after the batches before it were settled (the trailer counts them); the unary RPC answers alike.
func TestIngestBatchBounds(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	now := time.Now().Add(-time.Minute)
	batch := func(n int) []*pb.PlaybackEvent {
		out := make([]*pb.PlaybackEvent, n)
		for i := range out {
			out[i] = event(u.id, uuid.NewString(), now, int32(i))
		}
		return out
	}
	for _, n := range []int{0, 1001} {
		stream, err := e.ingest.IngestPlaybackEvents(as(t, u.token))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range [][]*pb.PlaybackEvent{batch(3), batch(n), batch(2)} {
			if err := stream.Send(&pb.IngestPlaybackEventsRequest{Events: b}); err != nil {
				break // the server ended the call: CloseAndRecv has its status
			}
		}
		_, err = stream.CloseAndRecv()
		wantCode(t, err, codes.InvalidArgument)
		if f := violationFields(t, err); len(f) != 1 || !f["events"] {
			t.Errorf("%d events: violations %v, want events", n, f)
		}
		if got := stream.Trailer().Get("x-ingest-accepted"); len(got) != 1 || got[0] != "3" {
			t.Errorf("%d events: trailer x-ingest-accepted = %v, want 3 (the first batch)", n, got)
		}

		_, err = e.ingest.RecordPlaybackEvents(as(t, u.token), &pb.RecordPlaybackEventsRequest{Events: batch(n)})
		wantCode(t, err, codes.InvalidArgument)
		if f := violationFields(t, err); len(f) != 1 || !f["events"] {
			t.Errorf("unary, %d events: violations %v, want events", n, f)
		}
	}
}

// A user past their ingest quota gets ResourceExhausted with the wait in RetryInfo, and the trailer says exactly
// what was stored (Cassandra agrees), while another user's stream on the same server goes on unaffected.
func TestIngestQuotaPerUser(t *testing.T) {
	e := server(t)
	built, conn, _, _ := startOwn(t, func(c *config.Config) { c.IngestUserRate, c.IngestUserBurst = 10, 1000 })
	ingest := pb.NewIngestServiceClient(conn)
	flooder, other := newUser(t, e), newUser(t, e)
	title := uuid.NewString()
	at := time.Now().Add(-time.Minute)
	batch := func(user string, from int) *pb.IngestPlaybackEventsRequest {
		r := &pb.IngestPlaybackEventsRequest{}
		for i := range 500 {
			r.Events = append(r.Events, event(user, title, at, int32(from+i)))
		}
		return r
	}
	stream, err := ingest.IngestPlaybackEvents(as(t, flooder.token))
	if err != nil {
		t.Fatal(err)
	}
	for k := range 4 { // 2000 events against a burst of 1000 at 10/s
		if err := stream.Send(batch(flooder.id, 500*k)); err != nil {
			break // the server ended the call: CloseAndRecv has its status
		}
	}
	_, err = stream.CloseAndRecv()
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted {
		t.Fatalf("flooding stream: %v, want ResourceExhausted", err)
	}
	var wait time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			wait = ri.GetRetryDelay().AsDuration()
		}
	}
	if wait < 40*time.Second || wait > 60*time.Second { // 500 events at 10/s, give or take what refilled meanwhile
		t.Errorf("RetryInfo %s, want about 50s (500 events at 10 events/s)", wait)
	}
	if got := stream.Trailer(); fmt.Sprint(got.Get("x-ingest-accepted"), got.Get("x-ingest-durable-through-batch")) != "[1000] [1]" {
		t.Errorf("trailer %v, want 1000 accepted, durable through batch 1", got)
	}
	if n := rows(t, built, flooder.id, title); n != 1000 {
		t.Errorf("Cassandra holds %d of the flooder's events, want the 1000 acknowledged", n)
	}

	other2, err := ingest.IngestPlaybackEvents(as(t, other.token))
	if err != nil {
		t.Fatal(err)
	}
	for k := range 2 {
		if err := other2.Send(batch(other.id, 500*k)); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := other2.CloseAndRecv(); err != nil || res.GetAccepted() != 1000 {
		t.Fatalf("the other user's stream: %v, %v; want 1000 accepted", res, err)
	}
}

// streamingd -replay-derived rebuilds lost derived updates from Cassandra: a viewer's WATCHED edge and trending
// entry, removed from Neo4j and Redis behind the server's back (a restored backup, a crash before they were applied),
// are back after the command, and a second run changes nothing.
func TestReplayDerivedRebuildsFromCassandra(t *testing.T) {
	e := server(t)
	d := graph(t)
	title := newTitle(t, e, "Repetida", genre("drama"))
	viewer := uuid.NewString()
	watch(t, e, viewer, title)
	edge := func() int {
		return len(cypher(t, d, `MATCH (:User {id: $u})-[:WATCHED]->(:Content {id: $c}) RETURN 1`,
			map[string]any{"u": viewer, "c": title.GetId()}))
	}
	eventually(t, "the watch edge", func() string {
		if edge() == 1 {
			return ""
		}
		return "no edge yet"
	})
	r := e.built.Redis
	ctx := storetest.Context(t, 2*time.Minute)
	bucket := time.Now().Add(-time.Minute).UTC().Format("2006010215")
	hll, hour := "trending:viewers:"+bucket+":"+title.GetId(), "trending:{sets}:viewers:"+bucket
	cypher(t, d, `MATCH (u:User {id: $u}) DETACH DELETE u`, map[string]any{"u": viewer})
	if err := r.Do(ctx, r.B().Del().Key(hll).Build()).Error(); err != nil {
		t.Fatal(err)
	}

	cfg, err := config.Load(storetest.Settings(t).ServerArgs())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Migrate, cfg.CassandraKeyspace = false, "streaming_test"
	cfg.PostgresURL = storetest.WithSearchPath(cfg.PostgresURL, schema)
	replay := func() float64 {
		t.Helper()
		n, err := wiring.ReplayDerived(ctx, cfg, time.Now().Add(-10*time.Minute), slog.New(slog.DiscardHandler))
		if err != nil || n == 0 {
			t.Fatalf("replay: %d viewings, %v", n, err)
		}
		if edge() != 1 {
			t.Error("the WATCHED edge was not rebuilt")
		}
		if count, err := r.Do(ctx, r.B().Pfcount().Key(hll).Build()).AsInt64(); err != nil || count != 1 {
			t.Errorf("trending viewers of the title: %d, %v; want the viewer back", count, err)
		}
		score, err := r.Do(ctx, r.B().Zscore().Key(hour).Member(title.GetId()).Build()).AsFloat64()
		if err != nil {
			t.Fatal(err)
		}
		return score
	}
	if first, second := replay(), replay(); first != second {
		t.Errorf("the title's trending score went from %v to %v on a second replay; want no change", first, second)
	}
}
