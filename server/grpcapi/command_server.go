package grpcapi

import (
	"context"
	"math"

	"google.golang.org/grpc/metadata"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/grpcapi/wire"
	"github.com/streamingplatform/streaming/server/streaming"
)

// CommandServer implements streaming.v1.CommandService: it converts messages and calls the command handlers.
// Requests arrive authenticated, authorized and validated by the interceptors.
type CommandServer struct {
	pb.UnimplementedCommandServiceServer
	H *command.Handler
}

func (s *CommandServer) RegisterUser(ctx context.Context, r *pb.RegisterUserRequest) (*pb.RegisterUserResponse, error) {
	u, err := s.H.RegisterUser(ctx, command.RegisterUser{Email: r.GetEmail(), Password: r.GetPassword(),
		DisplayName: r.GetDisplayName(), Country: r.GetCountry()})
	if err != nil {
		return nil, err
	}
	return &pb.RegisterUserResponse{User: userToPB(u)}, nil
}

func (s *CommandServer) Login(ctx context.Context, r *pb.LoginRequest) (*pb.LoginResponse, error) {
	sess, u, err := s.H.Login(ctx, command.Login{Email: r.GetEmail(), Password: r.GetPassword(),
		ClientAddr: ClientAddrFrom(ctx)})
	if err != nil {
		return nil, err
	}
	return &pb.LoginResponse{Token: sess.Token, ExpireTime: ts(sess.ExpiresAt), User: userToPB(u)}, nil
}

func (s *CommandServer) Logout(ctx context.Context, _ *pb.LogoutRequest) (*pb.LogoutResponse, error) {
	if err := s.H.Logout(ctx, PrincipalFrom(ctx).Token); err != nil {
		return nil, err
	}
	return &pb.LogoutResponse{}, nil
}

func (s *CommandServer) LogoutAll(ctx context.Context, _ *pb.LogoutAllRequest) (*pb.LogoutAllResponse, error) {
	n, err := s.H.LogoutAll(ctx, PrincipalFrom(ctx).UserID)
	if err != nil {
		return nil, err
	}
	return &pb.LogoutAllResponse{SessionsEnded: int32(min(n, math.MaxInt32))}, nil
}

func (s *CommandServer) CreatePlan(ctx context.Context, r *pb.CreatePlanRequest) (*pb.CreatePlanResponse, error) {
	p, err := s.H.CreatePlan(ctx, command.CreatePlan{Name: r.GetName(), Description: r.GetDescription(),
		MonthlyPrice: r.GetMonthlyPrice(), Currency: r.GetCurrency(), MaxStreams: r.GetMaxStreams(),
		MaxQuality: wire.QualityFromPB[r.GetMaxQuality()], Available: r.GetAvailable()})
	if err != nil {
		return nil, err
	}
	return &pb.CreatePlanResponse{Plan: planToPB(p)}, nil
}

func (s *CommandServer) UpdatePlan(ctx context.Context, r *pb.UpdatePlanRequest) (*pb.UpdatePlanResponse, error) {
	c := command.UpdatePlan{PlanID: r.GetPlanId(), Name: r.Name, Description: r.Description,
		MonthlyPrice: r.MonthlyPrice, MaxStreams: r.MaxStreams, Available: r.Available}
	if r.MaxQuality != nil {
		q := wire.QualityFromPB[r.GetMaxQuality()]
		c.MaxQuality = &q
	}
	p, err := s.H.UpdatePlan(ctx, c)
	if err != nil {
		return nil, err
	}
	return &pb.UpdatePlanResponse{Plan: planToPB(p)}, nil
}

func (s *CommandServer) CreateSubscription(ctx context.Context, r *pb.CreateSubscriptionRequest) (*pb.CreateSubscriptionResponse, error) {
	key := r.GetIdempotencyKey()
	if md, _ := metadata.FromIncomingContext(ctx); len(md.Get("idempotency-key")) > 0 {
		header := md.Get("idempotency-key")[0]
		if key != "" && key != header {
			return nil, streaming.Invalid("idempotency_key", "differs from the Idempotency-Key header")
		}
		if len(header) > 100 {
			return nil, streaming.Invalid("idempotency_key", "the Idempotency-Key header is longer than 100 characters")
		}
		key = header
	}
	res, err := s.H.CreateSubscription(ctx, command.CreateSubscription{UserID: r.GetUserId(), PlanID: r.GetPlanId(),
		PaymentMethod: paymentMethodFromPB[r.GetPaymentMethod()], PaymentToken: r.GetPaymentToken(), IdempotencyKey: key})
	if err != nil {
		return nil, err
	}
	return &pb.CreateSubscriptionResponse{Subscription: subscriptionToPB(&res.Subscription), Payment: paymentToPB(&res.Payment)}, nil
}

func (s *CommandServer) CancelSubscription(ctx context.Context, r *pb.CancelSubscriptionRequest) (*pb.CancelSubscriptionResponse, error) {
	sub, err := s.H.CancelSubscription(ctx, command.CancelSubscription{UserID: r.GetUserId(),
		SubscriptionID: r.GetSubscriptionId(), Reason: r.GetReason()})
	if err != nil {
		return nil, err
	}
	return &pb.CancelSubscriptionResponse{Subscription: subscriptionToPB(sub)}, nil
}

func (s *CommandServer) ChangeSubscriptionPlan(ctx context.Context, r *pb.ChangeSubscriptionPlanRequest) (*pb.ChangeSubscriptionPlanResponse, error) {
	res, err := s.H.ChangeSubscriptionPlan(ctx, command.ChangeSubscriptionPlan{UserID: r.GetUserId(),
		SubscriptionID: r.GetSubscriptionId(), PlanID: r.GetPlanId()})
	if err != nil {
		return nil, err
	}
	out := &pb.ChangeSubscriptionPlanResponse{Subscription: subscriptionToPB(res.Subscription)}
	if res.Proration != nil {
		out.Proration = invoiceToPB(res.Proration)
	}
	return out, nil
}

func (s *CommandServer) UpdatePaymentMethod(ctx context.Context, r *pb.UpdatePaymentMethodRequest) (*pb.UpdatePaymentMethodResponse, error) {
	sub, err := s.H.UpdatePaymentMethod(ctx, command.UpdatePaymentMethod{UserID: r.GetUserId(),
		SubscriptionID: r.GetSubscriptionId(), PaymentMethod: paymentMethodFromPB[r.GetPaymentMethod()],
		PaymentToken: r.GetPaymentToken()})
	if err != nil {
		return nil, err
	}
	return &pb.UpdatePaymentMethodResponse{Subscription: subscriptionToPB(sub)}, nil
}

func (s *CommandServer) UpsertContent(ctx context.Context, r *pb.UpsertContentRequest) (*pb.UpsertContentResponse, error) {
	c, created, err := s.H.UpsertContent(ctx, contentFromPB(r.GetContent()))
	if err != nil {
		return nil, err
	}
	return &pb.UpsertContentResponse{Content: contentToPB(c), Created: created}, nil
}

func (s *CommandServer) RateContent(ctx context.Context, r *pb.RateContentRequest) (*pb.RateContentResponse, error) {
	rating, err := s.H.RateContent(ctx, command.RateContent{UserID: r.GetUserId(), ContentID: r.GetContentId(),
		Stars: r.GetStars(), Review: r.GetReview()})
	if err != nil {
		return nil, err
	}
	return &pb.RateContentResponse{Rating: ratingToPB(rating)}, nil
}

func (s *CommandServer) DeleteUser(ctx context.Context, r *pb.DeleteUserRequest) (*pb.DeleteUserResponse, error) {
	e, err := s.H.DeleteUser(ctx, r.GetUserId())
	if err != nil {
		return nil, err
	}
	return &pb.DeleteUserResponse{Erasure: erasureToPB(e)}, nil
}
