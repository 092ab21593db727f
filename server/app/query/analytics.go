package query

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// MaxViewingStatsDays bounds GetViewingStats' range.
const MaxViewingStatsDays = 366

// ContentAnalytics aggregates the playback roll-ups q selects (docs/analytics.md).
func (h *Handler) ContentAnalytics(ctx context.Context, q streaming.AnalyticsQuery) (*streaming.ContentAnalytics, error) {
	q.Interval = cmp.Or(q.Interval, streaming.IntervalDay)
	q.TopN = orDefault(q.TopN, DefaultAnalyticsTopN)
	if _, err := q.Buckets(); err != nil { // refused here, before any request
		return nil, err
	}
	return h.Analytics.ContentAnalytics(ctx, q)
}

// ViewingStats is a user's own viewing over the UTC days from..to (both included; zero: the last
// DefaultViewingStatsDays days up to today), from the playback history.
type ViewingStats struct {
	From, To time.Time // UTC midnights
	Seconds  int64
	Days     []DayViewing   // days with viewing, oldest first
	Genres   []GenreViewing // most watched first, then by name
}

type DayViewing struct {
	Day     time.Time
	Seconds int64
}

type GenreViewing struct {
	Genre   string
	Seconds int64
}

// ViewingStats reads the user's seconds per title and day from Cassandra and the titles' genres from the catalog: a
// title's seconds count in each of its genres; a title no longer in the catalog counts in the days and the total only.
func (h *Handler) ViewingStats(ctx context.Context, userID string, from, to time.Time) (*ViewingStats, error) {
	if to.IsZero() {
		to = h.now().UTC().Truncate(24 * time.Hour)
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -(DefaultViewingStatsDays - 1))
	}
	if to.Before(from) {
		return nil, streaming.Invalid("to_date", "is before from_date")
	}
	if to.Sub(from) >= MaxViewingStatsDays*24*time.Hour {
		return nil, streaming.Invalid("to_date", "more than %d days after from_date", MaxViewingStatsDays)
	}
	rows, err := h.History.DailyViewing(ctx, userID, from, to.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	st := &ViewingStats{From: from, To: to}
	perTitle := map[string]int64{}
	for _, r := range rows {
		st.Seconds += r.Seconds
		if n := len(st.Days); n > 0 && st.Days[n-1].Day.Equal(r.Day) {
			st.Days[n-1].Seconds += r.Seconds
		} else {
			st.Days = append(st.Days, DayViewing{Day: r.Day, Seconds: r.Seconds})
		}
		perTitle[r.ContentID] += r.Seconds
	}
	ids := make([]string, 0, len(perTitle))
	for id := range perTitle {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	titles, err := h.contents(ctx, ids)
	if err != nil {
		return nil, err
	}
	perGenre := map[string]int64{}
	for id, secs := range perTitle {
		for _, g := range titles[id].Genres {
			perGenre[g] += secs
		}
	}
	for g, secs := range perGenre {
		st.Genres = append(st.Genres, GenreViewing{Genre: g, Seconds: secs})
	}
	slices.SortFunc(st.Genres, func(a, b GenreViewing) int {
		return cmp.Or(cmp.Compare(b.Seconds, a.Seconds), cmp.Compare(a.Genre, b.Genre))
	})
	return st, nil
}
