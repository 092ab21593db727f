package query_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/app/query"
	"github.com/streamingplatform/streaming/server/streaming"
)

type fakeRisk struct {
	links      func(userID string) (streaming.RiskLinks, error)
	suspicious func(limit int) ([]streaming.RiskLinks, error)
}

func (f *fakeRisk) RecordAccesses(context.Context, []streaming.Access) error {
	panic("not used by queries")
}
func (f *fakeRisk) RiskLinks(_ context.Context, userID string) (streaming.RiskLinks, error) {
	return f.links(userID)
}
func (f *fakeRisk) SuspiciousLinks(_ context.Context, limit int) ([]streaming.RiskLinks, error) {
	return f.suspicious(limit)
}

func uid(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

func TestAccountRiskScoresTheLinks(t *testing.T) {
	h := &query.Handler{Risk: &fakeRisk{links: func(id string) (streaming.RiskLinks, error) {
		return streaming.RiskLinks{CardPeerCount: 3, CardPeers: []string{uid(2), uid(3), uid(4)}, DevicePeerCount: 1,
			DevicePeers: []string{uid(2)}, ConcurrentNetworks: 3}, nil
	}}}
	r, err := h.AccountRisk(t.Context(), uid(1))
	if err != nil {
		t.Fatal(err)
	}
	var signals []string
	var weights []int
	for _, why := range r.Reasons {
		signals, weights = append(signals, why.Signal), append(weights, why.Weight)
	}
	// 40+10+10 for the card, 25 for the device, 20+5 for the networks: 110, capped at 100.
	if r.UserID != uid(1) || r.Score != 100 || !slices.Equal(weights, []int{60, 25, 25}) ||
		!slices.Equal(signals, []string{streaming.RiskSharedPaymentInstrument, streaming.RiskSharedDevice, streaming.RiskConcurrentNetworks}) {
		t.Fatalf("risk %+v", r)
	}
	none := streaming.ScoreRisk(streaming.RiskLinks{UserID: uid(9)})
	if none.Score != 0 || len(none.Reasons) != 0 {
		t.Fatalf("no links scored %+v", none)
	}
}

// TestSuspiciousAccountsPages: the list is by score, then id, above the minimum, and a walk by page tokens lists
// each account once; a token it did not give is InvalidArgument on page_token.
func TestSuspiciousAccountsPages(t *testing.T) {
	var links []streaming.RiskLinks
	for i := 1; i <= 7; i++ { // scores 25 (device), 40 (card) or 65 (both), and one with none
		l := streaming.RiskLinks{UserID: uid(i)}
		if i%2 == 0 {
			l.CardPeerCount = 1
		}
		if i%3 == 0 {
			l.DevicePeerCount = 1
		}
		links = append(links, l)
	}
	h := &query.Handler{Risk: &fakeRisk{suspicious: func(limit int) ([]streaming.RiskLinks, error) {
		if limit != query.MaxSuspiciousCandidates {
			t.Errorf("limit %d", limit)
		}
		return links, nil
	}}}
	var walked []string
	token := ""
	for range 10 {
		page, next, err := h.SuspiciousAccounts(t.Context(), 2, token, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			walked = append(walked, fmt.Sprint(r.Score, " ", r.UserID[len(r.UserID)-1:]))
		}
		if token = next; token == "" {
			break
		}
	}
	want := []string{"65 6", "40 2", "40 4", "25 3"} // 1, 5 and 7 have no signal
	if !slices.Equal(walked, want) {
		t.Fatalf("walked %v, want %v", walked, want)
	}
	if page, _, err := h.SuspiciousAccounts(t.Context(), 0, "", 40); err != nil || len(page) != 3 {
		t.Fatalf("min score 40: %v, %v", page, err)
	}
	for _, bad := range []string{"x", "MTAxLDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMQ"} { // "101,<uuid>": no such score
		if _, _, err := h.SuspiciousAccounts(t.Context(), 2, bad, 0); streaming.AsError(err) == nil || streaming.AsError(err).Field != "page_token" {
			t.Errorf("token %q: %v, want invalid page_token", bad, err)
		}
	}
}

type fakeAnalytics struct {
	streaming.AnalyticsStore
	got *streaming.AnalyticsQuery
}

func (f *fakeAnalytics) ContentAnalytics(_ context.Context, q streaming.AnalyticsQuery) (*streaming.ContentAnalytics, error) {
	f.got = &q
	return &streaming.ContentAnalytics{}, nil
}

func TestContentAnalyticsChecksTheRange(t *testing.T) {
	hour := at.Truncate(time.Hour)
	for _, tc := range []struct {
		name  string
		q     streaming.AnalyticsQuery
		field string // "" valid
	}{
		{"defaults", streaming.AnalyticsQuery{Start: hour.Add(-48 * time.Hour), End: hour}, ""},
		{"start not whole", streaming.AnalyticsQuery{Start: hour.Add(-time.Minute), End: hour}, "start_time"},
		{"no end", streaming.AnalyticsQuery{Start: hour}, "end_time"},
		{"backwards", streaming.AnalyticsQuery{Start: hour, End: hour.Add(-time.Hour)}, "end_time"},
		{"too long", streaming.AnalyticsQuery{Start: hour.Add(-401 * 24 * time.Hour), End: hour}, "end_time"},
		{"too many hours", streaming.AnalyticsQuery{Start: hour.Add(-2001 * time.Hour), End: hour, Interval: streaming.IntervalHour}, "end_time"},
		{"2000 hours", streaming.AnalyticsQuery{Start: hour.Add(-2000 * time.Hour), End: hour, Interval: streaming.IntervalHour}, ""},
		{"unknown interval", streaming.AnalyticsQuery{Start: hour.Add(-time.Hour), End: hour, Interval: "week"}, "interval"},
		{"top 101", streaming.AnalyticsQuery{Start: hour.Add(-time.Hour), End: hour, TopN: 101}, "top_n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &fakeAnalytics{}
			_, err := (&query.Handler{Analytics: store}).ContentAnalytics(t.Context(), tc.q)
			if tc.field == "" {
				if err != nil || store.got == nil || store.got.Interval == "" || store.got.TopN == 0 {
					t.Fatalf("%v, asked %+v: want the query sent with its defaults", err, store.got)
				}
				return
			}
			if e := streaming.AsError(err); e == nil || e.Field != tc.field || store.got != nil {
				t.Fatalf("%v, want invalid %s and no request", err, tc.field)
			}
		})
	}
}

type fakeHistory func(userID string, from, to time.Time) ([]streaming.DailyTitleViewing, error)

func (f fakeHistory) DailyViewing(_ context.Context, userID string, from, to time.Time) ([]streaming.DailyTitleViewing, error) {
	return f(userID, from, to)
}

// TestViewingStatsSumsDaysAndGenres: days from the history; a title's seconds in each of its genres; a title gone
// from the catalog in the days and the total only; the last 30 days by default.
func TestViewingStatsSumsDaysAndGenres(t *testing.T) {
	day := at.Truncate(24 * time.Hour)
	var asked [2]time.Time
	h := &query.Handler{Now: clock,
		History: fakeHistory(func(_ string, from, to time.Time) ([]streaming.DailyTitleViewing, error) {
			asked = [2]time.Time{from, to}
			return []streaming.DailyTitleViewing{
				{Day: day.AddDate(0, 0, -1), ContentID: "a", Seconds: 100},
				{Day: day.AddDate(0, 0, -1), ContentID: "gone", Seconds: 5},
				{Day: day, ContentID: "b", Seconds: 40},
			}, nil
		}),
		Views: &fakeViews{contents: func(ids []string) (map[string]streaming.Content, error) {
			return map[string]streaming.Content{"a": {ID: "a", Genres: []string{"drama"}}, "b": {ID: "b", Genres: []string{"drama", "crime"}}}, nil
		}},
		Store: &fakeSource{contentsByID: func([]string) ([]streaming.Content, error) { return nil, nil }},
	}
	st, err := h.ViewingStats(t.Context(), uid(1), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !asked[0].Equal(day.AddDate(0, 0, -29)) || !asked[1].Equal(day.AddDate(0, 0, 1)) {
		t.Errorf("asked %v, want the last 30 days", asked)
	}
	want := fmt.Sprint([]query.DayViewing{{Day: day.AddDate(0, 0, -1), Seconds: 105}, {Day: day, Seconds: 40}},
		[]query.GenreViewing{{Genre: "drama", Seconds: 140}, {Genre: "crime", Seconds: 40}}, 145)
	if got := fmt.Sprint(st.Days, st.Genres, st.Seconds); got != want {
		t.Fatalf("stats %s, want %s", got, want)
	}
	if _, err := h.ViewingStats(t.Context(), uid(1), day, day.AddDate(0, 0, -1)); streaming.AsError(err) == nil || streaming.AsError(err).Field != "to_date" {
		t.Errorf("a backwards range: %v", err)
	}
}
