package grpcapi

import (
	"context"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/streaming"
)

// QueryServer implements streaming.v1.QueryService. The playback reads (Cassandra) are here; the read models of
// the query issue (profiles, recommendations, search, trending) answer Unimplemented until they land.
type QueryServer struct {
	pb.UnimplementedQueryServiceServer
	Playback streaming.PlaybackReader
}

func (s *QueryServer) GetContinueWatching(ctx context.Context, r *pb.GetContinueWatchingRequest) (*pb.GetContinueWatchingResponse, error) {
	limit := int(r.GetLimit())
	if limit == 0 {
		limit = 20
	}
	items, err := s.Playback.ContinueWatching(ctx, r.GetUserId(), limit)
	if err != nil {
		return nil, err
	}
	out := &pb.GetContinueWatchingResponse{Items: make([]*pb.ContinueWatchingItem, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, &pb.ContinueWatchingItem{ContentId: it.ContentID, PositionSeconds: it.PositionSeconds,
			UpdateTime: ts(it.UpdatedAt)})
	}
	return out, nil
}

func (s *QueryServer) GetWatchHistory(ctx context.Context, r *pb.GetWatchHistoryRequest) (*pb.GetWatchHistoryResponse, error) {
	size := int(r.GetPageSize())
	if size == 0 {
		size = 50
	}
	events, next, err := s.Playback.WatchHistory(ctx, r.GetUserId(), r.GetContentId(), size, r.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &pb.GetWatchHistoryResponse{Events: make([]*pb.PlaybackEvent, 0, len(events)), NextPageToken: next}
	for i := range events {
		out.Events = append(out.Events, playbackToPB(&events[i]))
	}
	return out, nil
}
