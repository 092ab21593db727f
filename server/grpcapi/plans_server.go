package grpcapi

import (
	"context"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// The plan catalog's RPCs of streaming.v1.QueryService (QueryServer, query_server.go).

func (s *QueryServer) ListPlans(ctx context.Context, r *pb.ListPlansRequest) (*pb.ListPlansResponse, error) {
	plans, next, err := s.H.ListPlans(ctx, int(r.GetPageSize()), r.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &pb.ListPlansResponse{Plans: make([]*pb.Plan, 0, len(plans)), NextPageToken: next}
	for i := range plans {
		out.Plans = append(out.Plans, planToPB(&plans[i]))
	}
	return out, nil
}

func (s *QueryServer) GetPlan(ctx context.Context, r *pb.GetPlanRequest) (*pb.GetPlanResponse, error) {
	p, err := s.H.Plan(ctx, r.GetPlanId())
	if err != nil {
		return nil, err
	}
	return &pb.GetPlanResponse{Plan: planToPB(p)}, nil
}
