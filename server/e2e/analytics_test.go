package e2e

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/grpcapi/wire"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
	"github.com/streamingplatform/streaming/server/wiring"
)

// userIn registers a user of the country.
func userIn(t *testing.T, e *env, country string) user {
	t.Helper()
	email := fmt.Sprintf("user-%s@example.com", storetest.Unique())
	reg, err := e.cmd.RegisterUser(as(t, ""), &pb.RegisterUserRequest{Email: email, Password: "correct horse battery",
		DisplayName: "Viewer", Country: country})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return user{id: reg.GetUser().GetId(), email: email}
}

// analyticsTitle upserts a title of the genres (newTitle) and returns its id.
func analyticsTitle(t *testing.T, e *env, genres ...string) string {
	t.Helper()
	return newTitle(t, e, "Analítica "+storetest.Unique(), genres...).GetId()
}

// expected sums raw events as the roll-ups count them: seconds and events add up; a viewer is one play (and one
// completion) per title, hour, country and device.
type expected struct {
	metrics     map[string]*streaming.PlaybackMetrics // by content id
	byCountry   map[string]map[string]int64           // content → country → seconds
	byDevice    map[string]map[string]int64           // content → device → seconds
	byDay       map[string]map[time.Time]int64        // content → day → seconds
	plays, done map[string]bool
}

func newExpected() *expected {
	return &expected{metrics: map[string]*streaming.PlaybackMetrics{}, byCountry: map[string]map[string]int64{},
		byDevice: map[string]map[string]int64{}, byDay: map[string]map[time.Time]int64{}, plays: map[string]bool{}, done: map[string]bool{}}
}

func (x *expected) add(e *streaming.PlaybackEvent, country string) {
	m := x.metrics[e.ContentID]
	if m == nil {
		m = &streaming.PlaybackMetrics{}
		x.metrics[e.ContentID] = m
		x.byCountry[e.ContentID], x.byDevice[e.ContentID], x.byDay[e.ContentID] = map[string]int64{}, map[string]int64{}, map[time.Time]int64{}
	}
	m.Seconds += int64(e.PlayedSeconds)
	m.Events++
	viewer := fmt.Sprint(e.ContentID, e.OccurredAt.UTC().Truncate(time.Hour).Unix(), country, e.Device, e.UserID)
	if !x.plays[viewer] {
		x.plays[viewer] = true
		m.Plays++
	}
	if e.Completed && !x.done[viewer] {
		x.done[viewer] = true
		m.Completions++
	}
	x.byCountry[e.ContentID][country] += int64(e.PlayedSeconds)
	x.byDevice[e.ContentID][wire.DeviceToPB(e.Device).String()] += int64(e.PlayedSeconds)
	x.byDay[e.ContentID][e.OccurredAt.UTC().Truncate(24*time.Hour)] += int64(e.PlayedSeconds)
}

func metricsOf(m *pb.PlaybackMetrics) streaming.PlaybackMetrics {
	return streaming.PlaybackMetrics{Seconds: m.GetSecondsWatched(), Plays: m.GetPlays(), Completions: m.GetCompletions(), Events: m.GetEvents()}
}

// TestContentAnalyticsOverASeededMonth: a month of playback seeded into Cassandra (a keyspace of the test's own, so
// the rebuild reads only these events) and rolled up by the analytics rebuild answers GetContentAnalytics with the
// totals, days, countries and devices the raw events give; live events reach the roll-ups through ingest.
func TestContentAnalyticsOverASeededMonth(t *testing.T) {
	e := server(t)
	ctx := storetest.Context(t, 3*time.Minute)
	admin := as(t, adminToken)
	titles := []string{analyticsTitle(t, e, "drama"), analyticsTitle(t, e, "comedy"), analyticsTitle(t, e, "drama", "crime")}
	countryOf := map[string]string{}
	var viewers []string
	for _, c := range []string{"ES", "FR", "ES", "MX", "AR"} {
		u := userIn(t, e, c)
		countryOf[u.id] = c
		viewers = append(viewers, u.id)
	}
	// The roll-ups take each viewer's country from the user read model.
	eventually(t, "the viewers' countries in the read model", func() string {
		got, err := e.built.ReadModels.UserCountries(ctx, viewers)
		if err != nil || !maps.Equal(got, countryOf) {
			return fmt.Sprintf("%v (%v)", got, err)
		}
		return ""
	})

	cassCfg, err := wiring.CassandraConfig(e.cfg) // the server's hosts, credentials and TLS
	if err != nil {
		t.Fatal(err)
	}
	cassCfg.Keyspace = "analytics_e2e_" + storetest.Unique()
	history, closeHistory, err := cassandra.Open(ctx, cassCfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = history.Session().Query("DROP KEYSPACE IF EXISTS " + history.Keyspace()).Exec()
		closeHistory()
	})
	end := time.Now().UTC().Truncate(time.Hour)
	start := end.Add(-30 * 24 * time.Hour)
	rng := rand.New(rand.NewPCG(17, uint64(end.Unix())))
	want := newExpected()
	parts := map[[2]string][]*streaming.PlaybackEvent{}
	for range 1500 {
		ev := &streaming.PlaybackEvent{EventID: uuid.NewString(), UserID: viewers[rng.IntN(len(viewers))],
			ContentID: titles[rng.IntN(len(titles))], OccurredAt: start.Add(time.Duration(rng.Int64N(int64(end.Sub(start))))).Truncate(time.Millisecond),
			PlayedSeconds: rng.Int32N(900), PositionSeconds: rng.Int32N(5000), Device: streaming.Devices[rng.IntN(3)],
			Quality: "hd", Completed: rng.IntN(8) == 0}
		want.add(ev, countryOf[ev.UserID])
		k := [2]string{ev.UserID, ev.ContentID}
		parts[k] = append(parts[k], ev)
	}
	for _, events := range parts {
		if err := history.WritePartition(ctx, events); err != nil {
			t.Fatal(err)
		}
	}
	st, err := e.built.Rollups.Rebuild(ctx, history, start, end)
	if err != nil || st.Events != 1500 {
		t.Fatalf("rebuild: %+v, %v; want 1500 events", st, err)
	}
	if err := e.built.Analytics.Refresh(ctx); err != nil {
		t.Fatal(err)
	}

	for _, title := range titles {
		res, err := e.query.GetContentAnalytics(admin, &pb.GetContentAnalyticsRequest{StartTime: timestamppb.New(start),
			EndTime: timestamppb.New(end), ContentId: title, Interval: pb.AnalyticsInterval_ANALYTICS_INTERVAL_DAY, TopN: 10})
		if err != nil {
			t.Fatal(err)
		}
		if got := metricsOf(res.GetTotals()); got != *want.metrics[title] {
			t.Errorf("title %s totals %+v, want %+v (from the raw events)", title, got, *want.metrics[title])
		}
		if n := len(res.GetHistogram()); n != 31 { // 30 days from an hour that is rarely midnight: 31 UTC days
			if end.Hour() != 0 || n != 30 {
				t.Errorf("%d day buckets", n)
			}
		}
		days := map[time.Time]int64{}
		for _, b := range res.GetHistogram() {
			if s := b.GetMetrics().GetSecondsWatched(); s > 0 {
				days[b.GetStartTime().AsTime()] = s
			}
		}
		if !maps.Equal(days, want.byDay[title]) {
			t.Errorf("title %s days %v, want %v", title, days, want.byDay[title])
		}
		for name, got := range map[string][]*pb.AnalyticsTerm{"country": res.GetByCountry(), "device": res.GetByDevice()} {
			terms := map[string]int64{}
			var order []int64
			for _, term := range got {
				terms[term.GetKey()] = term.GetMetrics().GetSecondsWatched()
				order = append(order, term.GetMetrics().GetSecondsWatched())
			}
			exp := want.byCountry[title]
			if name == "device" {
				exp = want.byDevice[title]
			}
			if !maps.Equal(terms, exp) || !slices.IsSortedFunc(order, func(a, b int64) int { return int(b - a) }) {
				t.Errorf("title %s by %s %v, want %v, most watched first", title, name, terms, exp)
			}
		}
	}
	// Across the catalog, filtered to Spain: the top titles hold ours with the Spanish viewers' seconds.
	res, err := e.query.GetContentAnalytics(admin, &pb.GetContentAnalyticsRequest{StartTime: timestamppb.New(start),
		EndTime: timestamppb.New(end), Country: "ES", TopN: 100})
	if err != nil {
		t.Fatal(err)
	}
	top := map[string]int64{}
	for _, term := range res.GetTopTitles() {
		top[term.GetKey()] = term.GetMetrics().GetSecondsWatched()
	}
	for _, title := range titles {
		if top[title] != want.byCountry[title]["ES"] {
			t.Errorf("title %s in Spain: %d s, want %d", title, top[title], want.byCountry[title]["ES"])
		}
	}

	// Live: events ingested now reach the roll-ups through the ingest's derived updates.
	live := analyticsTitle(t, e, "documental")
	liveWant := newExpected()
	var batch []*pb.PlaybackEvent
	for i := range 40 {
		ev := &streaming.PlaybackEvent{EventID: uuid.NewString(), UserID: viewers[i%len(viewers)], ContentID: live,
			OccurredAt: time.Now().Add(-time.Duration(i) * time.Second).UTC(), PlayedSeconds: int32(10 + i), Device: "tv",
			Quality: "hd", Completed: i%10 == 0}
		liveWant.add(ev, countryOf[ev.UserID])
		batch = append(batch, &pb.PlaybackEvent{EventId: ev.EventID, UserId: ev.UserID, ContentId: live,
			OccurTime: timestamppb.New(ev.OccurredAt), PlayedSeconds: ev.PlayedSeconds, Device: pb.Device_DEVICE_TV,
			Quality: pb.VideoQuality_VIDEO_QUALITY_HD, Completed: ev.Completed})
	}
	if r, err := e.ingest.RecordPlaybackEvents(as(t, serviceToken), &pb.RecordPlaybackEventsRequest{Events: batch}); err != nil || r.GetAccepted() != 40 {
		t.Fatalf("ingest: %v, %v", r, err)
	}
	now := time.Now().UTC().Truncate(time.Hour)
	// The roll-ups gather viewings for wiring.AnalyticsGather before adding them.
	eventuallyWithin(t, wiring.AnalyticsGather+projectionBound, "live playback in the roll-ups", func() string {
		_ = e.built.Analytics.Refresh(ctx)
		res, err := e.query.GetContentAnalytics(admin, &pb.GetContentAnalyticsRequest{StartTime: timestamppb.New(now.Add(-time.Hour)),
			EndTime: timestamppb.New(now.Add(time.Hour)), ContentId: live, Interval: pb.AnalyticsInterval_ANALYTICS_INTERVAL_HOUR})
		if err != nil {
			return err.Error()
		}
		if got := metricsOf(res.GetTotals()); got != *liveWant.metrics[live] {
			return fmt.Sprintf("totals %+v, want %+v", got, *liveWant.metrics[live])
		}
		return ""
	})

	// Bad ranges name the field; admin only.
	_, err = e.query.GetContentAnalytics(admin, &pb.GetContentAnalyticsRequest{StartTime: timestamppb.New(start.Add(time.Minute)),
		EndTime: timestamppb.New(end)})
	wantCode(t, err, codes.InvalidArgument)
	viewer := newUser(t, e)
	_, err = e.query.GetContentAnalytics(as(t, viewer.token), &pb.GetContentAnalyticsRequest{StartTime: timestamppb.New(start), EndTime: timestamppb.New(end)})
	wantCode(t, err, codes.PermissionDenied)
}

// TestViewingStatsFromHistory: a user's own time watched per day and per genre, from Cassandra, equals what the
// events say; a title's seconds count in each of its genres; another user may not read them.
func TestViewingStatsFromHistory(t *testing.T) {
	e := server(t)
	u, other := newUser(t, e), newUser(t, e)
	drama, crime := analyticsTitle(t, e, "drama"), analyticsTitle(t, e, "drama", "crime")
	days := map[string]int64{}
	genres := map[string]int64{}
	var batch []*pb.PlaybackEvent
	for i := range 30 {
		title, secs := drama, int32(60+i)
		if i%3 == 0 {
			title = crime
		}
		at := time.Now().Add(-time.Duration(i) * 45 * time.Minute).UTC() // back over most of the last day
		days[at.Format(time.DateOnly)] += int64(secs)
		genres["drama"] += int64(secs)
		if title == crime {
			genres["crime"] += int64(secs)
		}
		batch = append(batch, &pb.PlaybackEvent{EventId: uuid.NewString(), UserId: u.id, ContentId: title,
			OccurTime: timestamppb.New(at), PlayedSeconds: secs, Device: pb.Device_DEVICE_WEB, Quality: pb.VideoQuality_VIDEO_QUALITY_HD})
	}
	if r, err := e.ingest.RecordPlaybackEvents(as(t, u.token), &pb.RecordPlaybackEventsRequest{Events: batch}); err != nil || r.GetAccepted() != 30 {
		t.Fatalf("ingest: %v, %v", r, err)
	}
	res, err := e.query.GetViewingStats(as(t, u.token), &pb.GetViewingStatsRequest{UserId: u.id})
	if err != nil {
		t.Fatal(err)
	}
	gotDays, gotGenres := map[string]int64{}, map[string]int64{}
	var total int64
	for _, d := range res.GetDays() {
		gotDays[d.GetDate()] = d.GetSecondsWatched()
		total += d.GetSecondsWatched()
	}
	for _, g := range res.GetGenres() {
		gotGenres[g.GetGenre()] = g.GetSecondsWatched()
	}
	if !maps.Equal(gotDays, days) || !maps.Equal(gotGenres, genres) || total != res.GetSecondsWatched() || res.GetGenres()[0].GetGenre() != "drama" {
		t.Fatalf("stats %v, want days %v and genres %v (drama first)", res, days, genres)
	}
	if res.GetToDate() != time.Now().UTC().Format(time.DateOnly) {
		t.Errorf("to_date %s, want today by default", res.GetToDate())
	}
	_, err = e.query.GetViewingStats(as(t, other.token), &pb.GetViewingStatsRequest{UserId: u.id})
	wantCode(t, err, codes.PermissionDenied)
	_, err = e.query.GetViewingStats(as(t, u.token), &pb.GetViewingStatsRequest{UserId: u.id, FromDate: "2026-02-30"})
	wantCode(t, err, codes.InvalidArgument)
}
