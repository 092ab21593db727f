package query_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Function-field fakes of our ports (never of a store: each adapter is tested against its real server). A method
// whose function is nil panics, which fails the test: the query touched a port it should not.

var at = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

func clock() time.Time { return at }

type fakeViews struct {
	userView    func(userID string) (*streaming.UserView, bool, error)
	putUserView func(v streaming.UserView) error
	plans       func(ids []string) (map[string]streaming.Plan, error)
	putPlan     func(p streaming.Plan) error
	contents    func(ids []string) (map[string]streaming.Content, error)
	putContent  func(c streaming.Content) error
}

func (f *fakeViews) UserView(_ context.Context, userID string) (*streaming.UserView, bool, error) {
	return f.userView(userID)
}
func (f *fakeViews) PutUserView(_ context.Context, v streaming.UserView) error {
	return f.putUserView(v)
}
func (f *fakeViews) Plans(_ context.Context, ids ...string) (map[string]streaming.Plan, error) {
	return f.plans(ids)
}
func (f *fakeViews) PutPlan(_ context.Context, p streaming.Plan) error { return f.putPlan(p) }
func (f *fakeViews) Contents(_ context.Context, ids ...string) (map[string]streaming.Content, error) {
	return f.contents(ids)
}
func (f *fakeViews) PutContent(_ context.Context, c streaming.Content) error { return f.putContent(c) }

type fakeSource struct {
	userView     func(userID string) (*streaming.UserView, error)
	planByID     func(id string) (*streaming.Plan, error)
	contentsByID func(ids []string) ([]streaming.Content, error)
	listPlans    func(limit int, afterID string) ([]streaming.Plan, error)
}

func (f *fakeSource) UserView(_ context.Context, userID string) (*streaming.UserView, error) {
	return f.userView(userID)
}
func (f *fakeSource) PlanByID(_ context.Context, id string) (*streaming.Plan, error) {
	return f.planByID(id)
}
func (f *fakeSource) ContentsByID(_ context.Context, ids []string) ([]streaming.Content, error) {
	return f.contentsByID(ids)
}
func (f *fakeSource) ListPlans(_ context.Context, limit int, afterID string) ([]streaming.Plan, error) {
	return f.listPlans(limit, afterID)
}

type fakeRecs struct {
	cached     func(userID string, limit int) ([]streaming.Recommendation, bool, error)
	cache      func(userID string, recs []streaming.Recommendation) error
	invalidate func(userIDs []string) error
}

func (f *fakeRecs) CachedRecommendations(_ context.Context, userID string, limit int) ([]streaming.Recommendation, bool, error) {
	return f.cached(userID, limit)
}
func (f *fakeRecs) CacheRecommendations(_ context.Context, userID string, recs []streaming.Recommendation) error {
	return f.cache(userID, recs)
}
func (f *fakeRecs) InvalidateRecommendations(_ context.Context, userIDs ...string) error {
	return f.invalidate(userIDs)
}

type fakeGraph struct {
	recommend func(ctx context.Context, userID string, limit int) ([]streaming.Recommendation, error)
}

func (f *fakeGraph) Recommend(ctx context.Context, userID string, limit int) ([]streaming.Recommendation, error) {
	return f.recommend(ctx, userID, limit)
}

type fakeCounters struct {
	top func(now time.Time, window time.Duration, limit int) ([]streaming.TrendingItem, error)
}

func (f *fakeCounters) Top(_ context.Context, now time.Time, window time.Duration, limit int) ([]streaming.TrendingItem, error) {
	return f.top(now, window, limit)
}

type fakeIndex struct {
	search func(q streaming.SearchQuery) (*streaming.SearchResult, error)
}

func (f *fakeIndex) Search(_ context.Context, q streaming.SearchQuery) (*streaming.SearchResult, error) {
	return f.search(q)
}

type fakePlayback struct {
	continueWatching func(userID string, limit int) ([]streaming.ContinueWatchingItem, error)
	watchHistory     func(userID, contentID string, pageSize int, pageToken string) ([]streaming.PlaybackEvent, string, error)
}

func (f *fakePlayback) ContinueWatching(_ context.Context, userID string, limit int) ([]streaming.ContinueWatchingItem, error) {
	return f.continueWatching(userID, limit)
}
func (f *fakePlayback) WatchHistory(_ context.Context, userID, contentID string, pageSize int, pageToken string) ([]streaming.PlaybackEvent, string, error) {
	return f.watchHistory(userID, contentID, pageSize, pageToken)
}

// testLog is a logger whose output the test can read.
func testLog() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, nil)), &buf
}

func wantErr(t *testing.T, err error, code streaming.Code, message string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("error = %v, want none", err)
		}
		return
	}
	e := streaming.AsError(err)
	if streaming.ErrorCode(err) != code || (message != "" && (e == nil || e.Message != message)) {
		t.Fatalf("error = %v; want code %s message %q", err, code, message)
	}
}

var errDown = streaming.Unavailable("Redis", nil)

// catalog is a read model holding titles (nil: none), recording the ids asked for and the titles put back.
type catalog struct {
	held  map[string]streaming.Content
	asked [][]string
	put   []streaming.Content
}

func (c *catalog) views() *fakeViews {
	return &fakeViews{
		contents: func(ids []string) (map[string]streaming.Content, error) {
			c.asked = append(c.asked, ids)
			out := map[string]streaming.Content{}
			for _, id := range ids {
				if t, ok := c.held[id]; ok {
					out[id] = t
				}
			}
			return out, nil
		},
		putContent: func(t streaming.Content) error { c.put = append(c.put, t); return nil },
	}
}
