package analytics_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/analytics"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Small fakes of our ports (the Redis, search and Cassandra adapters are tested against their stores).

type store struct{ added, put []streaming.Rollup }

func (s *store) AddRollups(_ context.Context, r []streaming.Rollup) error {
	s.added = append(s.added, r...)
	return nil
}
func (s *store) PutRollups(_ context.Context, r []streaming.Rollup) error {
	s.put = append(s.put, r...)
	return nil
}
func (s *store) ContentAnalytics(context.Context, streaming.AnalyticsQuery) (*streaming.ContentAnalytics, error) {
	return nil, nil
}
func (s *store) DropBefore(context.Context, time.Time) ([]string, error) { return nil, nil }

type viewers struct{ plays, done map[string]bool }

func newViewers() *viewers { return &viewers{plays: map[string]bool{}, done: map[string]bool{}} }

func (v *viewers) MarkViewers(_ context.Context, marks []streaming.ViewerMark) (plays, completions []bool, err error) {
	for _, m := range marks {
		k := m.Key.ContentID + m.Key.Hour.String() + m.Key.Country + m.Key.Device + "/" + m.UserID
		plays = append(plays, !v.plays[k])
		v.plays[k] = true
		completions = append(completions, m.Completed && !v.done[k])
		v.done[k] = v.done[k] || m.Completed
	}
	return plays, completions, nil
}

type countries map[string]string

func (c countries) UserCountries(_ context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if v, ok := c[id]; ok {
			out[id] = v
		}
	}
	return out, nil
}

var hour = time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC)

// TestApplyFoldsViewingsIntoRollups: viewings fold per title, hour, country and device; a viewer is one play and one
// completion per roll-up however often it comes back; an unknown viewer's country is ZZ.
func TestApplyFoldsViewingsIntoRollups(t *testing.T) {
	st := &store{}
	r := &analytics.Rollups{Store: st, Viewers: newViewers(), Countries: countries{"ana": "ES", "bo": "FR"}}
	v := func(user, device string, h time.Time, secs int64, done bool) streaming.Viewing {
		return streaming.Viewing{UserID: user, ContentID: "c1", Hour: h, Device: device, Seconds: secs, Events: 2, Completed: done}
	}
	if err := r.Apply(t.Context(), []streaming.Viewing{
		v("ana", "tv", hour, 60, false), v("ana", "tv", hour, 30, true), v("bo", "tv", hour, 10, false),
		v("ana", "mobile", hour, 5, false), v("ghost", "tv", hour.Add(time.Hour), 7, true),
	}); err != nil {
		t.Fatal(err)
	}
	// A second batch: ana again (no new play), bo finishing (a new completion).
	if err := r.Apply(t.Context(), []streaming.Viewing{v("ana", "tv", hour, 20, false), v("bo", "tv", hour, 40, true)}); err != nil {
		t.Fatal(err)
	}
	want := []streaming.Rollup{
		{ContentID: "c1", Hour: hour, Country: "ES", Device: "mobile", Seconds: 5, Events: 2, Plays: 1},
		{ContentID: "c1", Hour: hour, Country: "ES", Device: "tv", Seconds: 90, Events: 4, Plays: 1, Completions: 1},
		{ContentID: "c1", Hour: hour, Country: "FR", Device: "tv", Seconds: 10, Events: 2, Plays: 1},
		{ContentID: "c1", Hour: hour.Add(time.Hour), Country: streaming.UnknownCountry, Device: "tv", Seconds: 7, Events: 2, Plays: 1, Completions: 1},
		{ContentID: "c1", Hour: hour, Country: "ES", Device: "tv", Seconds: 20, Events: 2},
		{ContentID: "c1", Hour: hour, Country: "FR", Device: "tv", Seconds: 40, Events: 2, Completions: 1},
	}
	if !slices.Equal(st.added, want) {
		t.Fatalf("added\n%+v\nwant\n%+v", st.added, want)
	}
}

type history []*streaming.PlaybackEvent

func (h history) ScanEvents(_ context.Context, from, to time.Time, pageSize int, fn func([]*streaming.PlaybackEvent) error) error {
	var in []*streaming.PlaybackEvent
	for _, e := range h {
		if !e.OccurredAt.Before(from) && e.OccurredAt.Before(to) {
			in = append(in, e)
		}
	}
	for c := range slices.Chunk(in, 2) {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// TestRebuildComputesExactRollups: a rebuild counts each viewer once per roll-up from the raw events and replaces
// the stored roll-ups; the viewers it saw are marked, so a live viewing after it is no new play.
func TestRebuildComputesExactRollups(t *testing.T) {
	st, vw := &store{}, newViewers()
	r := &analytics.Rollups{Store: st, Viewers: vw, Countries: countries{"ana": "ES"}}
	ev := func(user string, at time.Time, secs int32, done bool) *streaming.PlaybackEvent {
		return &streaming.PlaybackEvent{UserID: user, ContentID: "c1", OccurredAt: at, PlayedSeconds: secs, Device: "web", Completed: done}
	}
	h := history{
		ev("ana", hour.Add(time.Minute), 30, false), ev("ana", hour.Add(2*time.Minute), 30, true),
		ev("ana", hour.Add(3*time.Minute), 30, false), ev("bo", hour.Add(59*time.Minute), 5, false),
		ev("ana", hour.Add(-time.Minute), 99, false), // before the range
	}
	got, err := r.Rebuild(t.Context(), h, hour, hour.Add(time.Hour))
	if err != nil || got.Events != 4 || got.Rollups != 2 {
		t.Fatalf("rebuild = %+v, %v; want 4 events, 2 roll-ups", got, err)
	}
	want := []streaming.Rollup{
		{ContentID: "c1", Hour: hour, Country: "ES", Device: "web", Seconds: 90, Events: 3, Plays: 1, Completions: 1},
		{ContentID: "c1", Hour: hour, Country: streaming.UnknownCountry, Device: "web", Seconds: 5, Events: 1, Plays: 1},
	}
	if !slices.Equal(st.put, want) || len(st.added) != 0 {
		t.Fatalf("put %+v (added %+v), want %+v", st.put, st.added, want)
	}
	if err := r.Apply(t.Context(), []streaming.Viewing{{UserID: "ana", ContentID: "c1", Hour: hour, Device: "web", Seconds: 1, Events: 1, Completed: true}}); err != nil {
		t.Fatal(err)
	}
	if a := st.added[0]; a.Plays != 0 || a.Completions != 0 {
		t.Fatalf("a live viewing after the rebuild counted %+v, want no new play or completion", a)
	}
}
