package grpcapi

import (
	"context"
	"time"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/app/query"
	"github.com/streamingplatform/streaming/server/grpcapi/wire"
	"github.com/streamingplatform/streaming/server/streaming"
)

// QueryServer implements streaming.v1.QueryService: it converts between the contract and app/query, whose
// handler reads the read models. Callers are authorized before a method runs (auth.go).
type QueryServer struct {
	pb.UnimplementedQueryServiceServer
	H *query.Handler
}

func (s *QueryServer) GetUserProfile(ctx context.Context, r *pb.GetUserProfileRequest) (*pb.GetUserProfileResponse, error) {
	p, err := s.H.UserProfile(ctx, r.GetUserId())
	if err != nil {
		return nil, err
	}
	out := &pb.GetUserProfileResponse{User: userToPB(&p.User)}
	if a := p.Active; a != nil {
		out.ActiveSubscription = &pb.ActiveSubscription{SubscriptionId: a.ID, PlanId: a.PlanID, PlanName: p.PlanName,
			MonthlyPrice: streaming.FormatCents(a.PriceCents), Currency: a.Currency, StartTime: ts(a.StartDate),
			Status: subscriptionStatusToPB[a.Status], CurrentPeriodEnd: ts(a.CurrentPeriodEnd), CancelAtPeriodEnd: a.CancelAtPeriodEnd}
	}
	return out, nil
}

func (s *QueryServer) ListSubscriptions(ctx context.Context, r *pb.ListSubscriptionsRequest) (*pb.ListSubscriptionsResponse, error) {
	subs, next, err := s.H.ListSubscriptions(ctx, r.GetUserId(), int(r.GetPageSize()), r.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &pb.ListSubscriptionsResponse{Subscriptions: make([]*pb.Subscription, 0, len(subs)), NextPageToken: next}
	for i := range subs {
		out.Subscriptions = append(out.Subscriptions, subscriptionToPB(&subs[i]))
	}
	return out, nil
}

var recommendationSources = map[query.RecommendationSource]pb.RecommendationSource{
	query.FromCache:    pb.RecommendationSource_RECOMMENDATION_SOURCE_CACHE,
	query.FromGraph:    pb.RecommendationSource_RECOMMENDATION_SOURCE_GRAPH,
	query.FromFallback: pb.RecommendationSource_RECOMMENDATION_SOURCE_FALLBACK,
}

func (s *QueryServer) GetRecommendations(ctx context.Context, r *pb.GetRecommendationsRequest) (*pb.GetRecommendationsResponse, error) {
	recs, source, err := s.H.Recommendations(ctx, r.GetUserId(), int(r.GetLimit()))
	if err != nil {
		return nil, err
	}
	out := &pb.GetRecommendationsResponse{Source: recommendationSources[source],
		Recommendations: make([]*pb.Recommendation, 0, len(recs))}
	for _, rec := range recs {
		out.Recommendations = append(out.Recommendations, &pb.Recommendation{ContentId: rec.ContentID, Title: rec.Title,
			Score: rec.Score, Reason: rec.Reason})
	}
	return out, nil
}

var trendingWindows = map[pb.TrendingWindow]time.Duration{
	pb.TrendingWindow_TRENDING_WINDOW_UNSPECIFIED: 0, // the query's default
	pb.TrendingWindow_TRENDING_WINDOW_HOUR:        time.Hour,
	pb.TrendingWindow_TRENDING_WINDOW_DAY:         24 * time.Hour,
	pb.TrendingWindow_TRENDING_WINDOW_WEEK:        7 * 24 * time.Hour,
}

func (s *QueryServer) GetTrending(ctx context.Context, r *pb.GetTrendingRequest) (*pb.GetTrendingResponse, error) {
	window, ok := trendingWindows[r.GetWindow()]
	if !ok {
		return nil, streaming.Invalid("window", "unknown window %d", r.GetWindow())
	}
	items, err := s.H.Trending(ctx, window, int(r.GetLimit()))
	if err != nil {
		return nil, err
	}
	out := &pb.GetTrendingResponse{Items: make([]*pb.TrendingItem, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, &pb.TrendingItem{ContentId: it.Content.ID, Title: it.Content.Title, Plays: it.Viewers})
	}
	return out, nil
}

func (s *QueryServer) SearchContent(ctx context.Context, r *pb.SearchContentRequest) (*pb.SearchContentResponse, error) {
	var userID string // a signed-in user's genre searches feed their recommendations
	if p := PrincipalFrom(ctx); p.Role == streaming.RoleUser {
		userID = p.UserID
	}
	res, err := s.H.SearchAs(ctx, userID, streaming.SearchQuery{Text: r.GetQuery(), Genres: r.GetGenres(), MinRating: r.GetMinRating(),
		PageSize: int(r.GetPageSize()), PageToken: r.GetPageToken()})
	if err != nil {
		return nil, err
	}
	out := &pb.SearchContentResponse{TotalHits: res.TotalHits, NextPageToken: res.NextPageToken,
		Hits: make([]*pb.SearchHit, 0, len(res.Hits)), Facets: make([]*pb.Facet, 0, len(res.Facets))}
	for i := range res.Hits {
		out.Hits = append(out.Hits, &pb.SearchHit{Content: contentToPB(&res.Hits[i].Content), Score: res.Hits[i].Score})
	}
	for _, f := range res.Facets {
		pf := &pb.Facet{Name: f.Name, Buckets: make([]*pb.FacetBucket, 0, len(f.Buckets))}
		for _, b := range f.Buckets {
			pf.Buckets = append(pf.Buckets, &pb.FacetBucket{Value: b.Value, Count: b.Count})
		}
		out.Facets = append(out.Facets, pf)
	}
	return out, nil
}

func (s *QueryServer) GetContent(ctx context.Context, r *pb.GetContentRequest) (*pb.GetContentResponse, error) {
	c, err := s.H.Content(ctx, r.GetContentId())
	if err != nil {
		return nil, err
	}
	return &pb.GetContentResponse{Content: contentToPB(c)}, nil
}

func (s *QueryServer) GetContinueWatching(ctx context.Context, r *pb.GetContinueWatchingRequest) (*pb.GetContinueWatchingResponse, error) {
	items, err := s.H.ContinueWatching(ctx, r.GetUserId(), int(r.GetLimit()))
	if err != nil {
		return nil, err
	}
	out := &pb.GetContinueWatchingResponse{Items: make([]*pb.ContinueWatchingItem, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, &pb.ContinueWatchingItem{ContentId: it.ContentID, PositionSeconds: it.PositionSeconds,
			UpdateTime: ts(it.UpdatedAt), Completed: it.Completed})
	}
	return out, nil
}

func (s *QueryServer) GetWatchHistory(ctx context.Context, r *pb.GetWatchHistoryRequest) (*pb.GetWatchHistoryResponse, error) {
	events, next, err := s.H.WatchHistory(ctx, r.GetUserId(), r.GetContentId(), int(r.GetPageSize()), r.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &pb.GetWatchHistoryResponse{Events: make([]*pb.PlaybackEvent, 0, len(events)), NextPageToken: next}
	for i := range events {
		out.Events = append(out.Events, wire.ToPB(&events[i]))
	}
	return out, nil
}

func (s *QueryServer) GetUserErasure(ctx context.Context, r *pb.GetUserErasureRequest) (*pb.GetUserErasureResponse, error) {
	e, err := s.H.UserErasure(ctx, r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &pb.GetUserErasureResponse{Erasure: erasureToPB(e)}, nil
}
