package query

import "time"

// What a query answers when its caller leaves the size open (0). Every default of the query side lives here; the
// contract bounds the largest values a caller may ask for.
const (
	DefaultRecommendations  = 10
	DefaultTrending         = 20
	DefaultTrendingWindow   = 24 * time.Hour
	DefaultSearchPageSize   = 20
	DefaultContinueWatching = 20
	DefaultHistoryPageSize  = 50
	DefaultSuspiciousPage   = 20
	DefaultAnalyticsTopN    = 10
	DefaultViewingStatsDays = 30
	// MaxSuspiciousCandidates bounds the accounts ListSuspiciousAccounts scores per call (docs/risk.md).
	MaxSuspiciousCandidates = 10_000
)

// orDefault is n, or def when n is not positive.
func orDefault[T int | time.Duration](n, def T) T {
	if n <= 0 {
		return def
	}
	return n
}
