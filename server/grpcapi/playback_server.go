package grpcapi

import (
	"context"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/app/playback"
	"github.com/streamingplatform/streaming/server/grpcapi/wire"
	"github.com/streamingplatform/streaming/server/streaming"
)

// PlaybackServer implements streaming.v1.PlaybackService: it converts between the contract and app/playback, which
// leases stream slots. Callers are authorized before a method runs (auth.go).
type PlaybackServer struct {
	pb.UnimplementedPlaybackServiceServer
	S *playback.Service
}

func (s *PlaybackServer) StartPlayback(ctx context.Context, r *pb.StartPlaybackRequest) (*pb.StartPlaybackResponse, error) {
	got, err := s.S.Start(ctx, playback.Start{UserID: r.GetUserId(), DeviceID: r.GetDeviceId(),
		Device: wire.DeviceFromPB(r.GetDevice()), ContentID: r.GetContentId(), Quality: wire.QualityFromPB[r.GetQuality()],
		ClientAddr: ClientAddrFrom(ctx)})
	if err != nil {
		return nil, err
	}
	return &pb.StartPlaybackResponse{Lease: leaseToPB(&got.Lease), QualityCapped: got.QualityCapped}, nil
}

func (s *PlaybackServer) RenewPlayback(ctx context.Context, r *pb.RenewPlaybackRequest) (*pb.RenewPlaybackResponse, error) {
	l, err := s.S.Renew(ctx, r.GetUserId(), r.GetDeviceId())
	if err != nil {
		return nil, err
	}
	return &pb.RenewPlaybackResponse{Lease: leaseToPB(l)}, nil
}

func (s *PlaybackServer) StopPlayback(ctx context.Context, r *pb.StopPlaybackRequest) (*pb.StopPlaybackResponse, error) {
	if err := s.S.Stop(ctx, r.GetUserId(), r.GetDeviceId()); err != nil {
		return nil, err
	}
	return &pb.StopPlaybackResponse{}, nil
}

func (s *PlaybackServer) ListPlaybacks(ctx context.Context, r *pb.ListPlaybacksRequest) (*pb.ListPlaybacksResponse, error) {
	leases, err := s.S.List(ctx, r.GetUserId())
	if err != nil {
		return nil, err
	}
	out := &pb.ListPlaybacksResponse{Leases: make([]*pb.PlaybackLease, 0, len(leases))}
	for i := range leases {
		out.Leases = append(out.Leases, leaseToPB(&leases[i]))
	}
	return out, nil
}

func leaseToPB(l *streaming.Lease) *pb.PlaybackLease {
	return &pb.PlaybackLease{DeviceId: l.DeviceID, Device: wire.DeviceToPB(l.Device), ContentId: l.ContentID,
		Quality: wire.QualityToPB[l.Quality], StartTime: ts(l.StartedAt), ExpireTime: ts(l.ExpiresAt)}
}
