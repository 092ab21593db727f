package grpcapi

import (
	"math"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/grpcapi/wire"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Conversions between the contract's messages and the domain's types. Enum values map to the domain's strings by
// explicit tables, so renumbering or renaming either side fails to compile or shows here.

var paymentMethodToPB = map[string]pb.PaymentMethod{
	streaming.PaymentCard: pb.PaymentMethod_PAYMENT_METHOD_CARD, streaming.PaymentPayPal: pb.PaymentMethod_PAYMENT_METHOD_PAYPAL,
	streaming.PaymentBankTransfer: pb.PaymentMethod_PAYMENT_METHOD_BANK_TRANSFER,
}

var subscriptionStatusToPB = map[string]pb.SubscriptionStatus{
	streaming.SubscriptionActive:   pb.SubscriptionStatus_SUBSCRIPTION_STATUS_ACTIVE,
	streaming.SubscriptionCanceled: pb.SubscriptionStatus_SUBSCRIPTION_STATUS_CANCELED,
	streaming.SubscriptionExpired:  pb.SubscriptionStatus_SUBSCRIPTION_STATUS_EXPIRED,
	streaming.SubscriptionPastDue:  pb.SubscriptionStatus_SUBSCRIPTION_STATUS_PAST_DUE,
}

var contentTypeToPB = map[string]pb.ContentType{
	streaming.ContentMovie: pb.ContentType_CONTENT_TYPE_MOVIE, streaming.ContentSeries: pb.ContentType_CONTENT_TYPE_SERIES,
	streaming.ContentDocumentary: pb.ContentType_CONTENT_TYPE_DOCUMENTARY,
}

var paymentStatusToPB = map[string]pb.PaymentStatus{
	streaming.PaymentApproved: pb.PaymentStatus_PAYMENT_STATUS_APPROVED,
	streaming.PaymentDeclined: pb.PaymentStatus_PAYMENT_STATUS_DECLINED,
}

// reverse inverts an enum table for requests.
func reverse[K comparable, V comparable](m map[K]V) map[V]K {
	out := make(map[V]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

var (
	paymentMethodFromPB = reverse(paymentMethodToPB)
	contentTypeFromPB   = reverse(contentTypeToPB)
)

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func userToPB(u *streaming.User) *pb.User {
	return &pb.User{Id: u.ID, Email: u.Email, DisplayName: u.DisplayName, Country: u.Country, CreateTime: ts(u.CreatedAt)}
}

func planToPB(p *streaming.Plan) *pb.Plan {
	return &pb.Plan{Id: p.ID, Name: p.Name, Description: p.Description, MonthlyPrice: streaming.FormatCents(p.PriceCents),
		Currency: p.Currency, MaxStreams: p.MaxStreams, MaxQuality: wire.QualityToPB[p.MaxQuality], Available: p.Available,
		CreateTime: ts(p.CreatedAt), UpdateTime: ts(p.UpdatedAt)}
}

func subscriptionToPB(s *streaming.Subscription) *pb.Subscription {
	out := &pb.Subscription{Id: s.ID, UserId: s.UserID, PlanId: s.PlanID, Status: subscriptionStatusToPB[s.Status],
		StartTime: ts(s.StartDate), MonthlyPrice: streaming.FormatCents(s.PriceCents), Currency: s.Currency,
		PaymentMethod: paymentMethodToPB[s.PaymentMethod], CreateTime: ts(s.CreatedAt), UpdateTime: ts(s.UpdatedAt),
		CurrentPeriodStart: ts(s.CurrentPeriodStart), CurrentPeriodEnd: ts(s.CurrentPeriodEnd),
		CancelAtPeriodEnd: s.CancelAtPeriodEnd, CancelReason: s.CancelReason}
	if s.EndDate != nil {
		out.EndTime = ts(*s.EndDate)
	}
	return out
}

func paymentToPB(p *streaming.Payment) *pb.Payment {
	return &pb.Payment{Id: p.ID, SubscriptionId: p.SubscriptionID, Amount: streaming.FormatCents(p.AmountCents),
		Currency: p.Currency, Status: paymentStatusToPB[p.Status], ProcessorReference: p.ProcessorRef, CreateTime: ts(p.CreatedAt)}
}

func contentToPB(c *streaming.Content) *pb.Content {
	return &pb.Content{Id: c.ID, Title: c.Title, Description: c.Description, Type: contentTypeToPB[c.Type],
		Genres: c.Genres, Actors: c.Actors, Seasons: c.Seasons, ReleaseYear: c.ReleaseYear,
		DurationSeconds: c.DurationSeconds, RatingAvg: c.RatingAvg, RatingCount: c.RatingCount, UpdateTime: ts(c.UpdatedAt)}
}

func contentFromPB(c *pb.Content) streaming.Content {
	return streaming.Content{ID: c.GetId(), Title: c.GetTitle(), Description: c.GetDescription(),
		Type: contentTypeFromPB[c.GetType()], Genres: c.GetGenres(), Actors: c.GetActors(), Seasons: c.GetSeasons(),
		ReleaseYear: c.GetReleaseYear(), DurationSeconds: c.GetDurationSeconds()}
}

func ratingToPB(r *streaming.Rating) *pb.Rating {
	return &pb.Rating{UserId: r.UserID, ContentId: r.ContentID, Stars: r.Stars, Review: r.Review, UpdateTime: ts(r.UpdatedAt)}
}

func erasureToPB(e *streaming.UserErasure) *pb.UserErasure {
	out := &pb.UserErasure{UserId: e.UserID, RequestedAt: ts(e.RequestedAt), Complete: e.Complete(),
		Stores: make([]*pb.StoreErasure, 0, len(e.Stores))}
	for _, s := range e.Stores {
		out.Stores = append(out.Stores, &pb.StoreErasure{Store: s.Store, ErasedAt: ts(s.ErasedAt),
			Attempts: int32(min(s.Attempts, math.MaxInt32)), LastError: s.LastError})
	}
	return out
}
