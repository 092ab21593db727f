package streaming

import (
	"context"
	"time"
)

// Analytics intervals (proto AnalyticsInterval).
const (
	IntervalHour = "hour"
	IntervalDay  = "day"
)

// UnknownCountry is the country of a roll-up whose viewer's country is not known (an account not in the read model).
const UnknownCountry = "ZZ"

// Rollup is one title's playback in one UTC hour by the viewers of one country on one device: the unit of catalog
// analytics, kept in the search server. Seconds and Events add up; Plays and Completions count distinct viewers of the
// roll-up (a viewer's second playback of the same title in the same hour on the same device is no new play).
type Rollup struct {
	ContentID   string
	Hour        time.Time // UTC, truncated to the hour
	Country     string    // ISO 3166-1 alpha-2, or UnknownCountry
	Device      string    // one of Devices
	Seconds     int64
	Events      int64
	Plays       int64
	Completions int64
}

// PlaybackMetrics are roll-ups summed.
type PlaybackMetrics struct {
	Seconds     int64
	Plays       int64
	Completions int64
	Events      int64
}

// AnalyticsQuery asks for catalog analytics over [Start, End) (whole hours), optionally one title, country or
// device.
type AnalyticsQuery struct {
	Start, End time.Time
	Interval   string // IntervalHour or IntervalDay
	ContentID  string // "" every title
	Country    string // "" every country
	Device     string // "" every device
	TopN       int
}

// Bounds of an AnalyticsQuery (the contract's GetContentAnalyticsRequest documents them).
const (
	MaxAnalyticsRange   = 400 * 24 * time.Hour
	MaxAnalyticsBuckets = 2000
	MaxAnalyticsTopN    = 100
)

// Buckets checks q and returns the starts of its histogram's buckets: every hour, or every UTC day, that
// [Start, End) touches (a day bucket starts at midnight, so the first and last may cover part of the range). A bad
// query is a CodeInvalid error naming the request's field: start_time, end_time (whole hours, end after start, at
// most MaxAnalyticsRange, at most MaxAnalyticsBuckets buckets), top_n (1 to MaxAnalyticsTopN), interval.
func (q AnalyticsQuery) Buckets() ([]time.Time, error) {
	start, end := q.Start.UTC(), q.End.UTC()
	wholeHour := func(t time.Time) bool { return t.Equal(t.Truncate(time.Hour)) }
	switch {
	case start.IsZero():
		return nil, Invalid("start_time", "is required")
	case end.IsZero():
		return nil, Invalid("end_time", "is required")
	case !wholeHour(start):
		return nil, Invalid("start_time", "must be a whole hour (minutes and seconds zero)")
	case !wholeHour(end):
		return nil, Invalid("end_time", "must be a whole hour (minutes and seconds zero)")
	case !end.After(start):
		return nil, Invalid("end_time", "must be after start_time")
	case end.Sub(start) > MaxAnalyticsRange:
		return nil, Invalid("end_time", "must be at most %d days after start_time", int(MaxAnalyticsRange.Hours()/24))
	case q.TopN < 1 || q.TopN > MaxAnalyticsTopN:
		return nil, Invalid("top_n", "must be between 1 and %d", MaxAnalyticsTopN)
	}
	first, next := start, func(t time.Time) time.Time { return t.Add(time.Hour) }
	switch q.Interval {
	case IntervalHour:
	case IntervalDay:
		first = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	default:
		return nil, Invalid("interval", "must be %s or %s", IntervalHour, IntervalDay)
	}
	var starts []time.Time
	for t := first; t.Before(end); t = next(t) {
		if len(starts) == MaxAnalyticsBuckets {
			return nil, Invalid("end_time", "the range has more than %d %s buckets: take a larger interval or a shorter range",
				MaxAnalyticsBuckets, q.Interval)
		}
		starts = append(starts, t)
	}
	return starts, nil
}

// AnalyticsBucket is one bucket of the date histogram.
type AnalyticsBucket struct {
	Start   time.Time
	Metrics PlaybackMetrics
}

// AnalyticsTerm is one title, country or device of a breakdown.
type AnalyticsTerm struct {
	Key     string
	Metrics PlaybackMetrics
}

// ContentAnalytics answers an AnalyticsQuery: totals, every histogram bucket of the range (empty ones included),
// and the top TopN titles, countries and devices by seconds watched.
type ContentAnalytics struct {
	Totals    PlaybackMetrics
	Histogram []AnalyticsBucket
	TopTitles []AnalyticsTerm
	ByCountry []AnalyticsTerm
	ByDevice  []AnalyticsTerm
}

// AnalyticsStore keeps the roll-ups (the search server, one index per month) and answers analytics by aggregation.
type AnalyticsStore interface {
	// AddRollups adds each roll-up's figures to the stored one (creating it).
	AddRollups(ctx context.Context, rollups []Rollup) error
	// PutRollups replaces the stored roll-ups with these (a rebuild).
	PutRollups(ctx context.Context, rollups []Rollup) error
	// ContentAnalytics aggregates the roll-ups q selects.
	ContentAnalytics(ctx context.Context, q AnalyticsQuery) (*ContentAnalytics, error)
	// DropBefore deletes the roll-ups of the months that ended before t (retention) and names what it deleted.
	DropBefore(ctx context.Context, t time.Time) ([]string, error)
}

// DailyTitleViewing is the seconds a user played of one title on one UTC day.
type DailyTitleViewing struct {
	Day       time.Time // UTC midnight
	ContentID string
	Seconds   int64
}

// ViewingHistory reads a user's own viewing from the playback history (Cassandra).
type ViewingHistory interface {
	// DailyViewing is the user's seconds played per title and UTC day, for events in [from, to).
	DailyViewing(ctx context.Context, userID string, from, to time.Time) ([]DailyTitleViewing, error)
}

// RollupKey is what identifies a roll-up.
type RollupKey struct {
	ContentID string
	Hour      time.Time
	Country   string
	Device    string
}

// ViewerMark says a viewer played in a roll-up, and finished the title if Completed.
type ViewerMark struct {
	Key       RollupKey
	UserID    string
	Completed bool
}

// RollupViewers remembers which viewers each recent roll-up has counted (Redis sets kept two days), so a viewer is
// one play (and one completion) of a roll-up however many of its events arrive, and when: live, late or replayed.
type RollupViewers interface {
	// MarkViewers records the marks and says, mark by mark, whether its viewer is a new play of the roll-up and
	// whether a Completed mark is a new completion.
	MarkViewers(ctx context.Context, marks []ViewerMark) (plays, completions []bool, err error)
}

// UserCountries tells accounts' countries of residence (the Redis user read model).
type UserCountries interface {
	// UserCountries maps each id the read model knows to its country; unknown ids are absent.
	UserCountries(ctx context.Context, ids []string) (map[string]string, error)
}
