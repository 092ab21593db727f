package grpcapi

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/streamingplatform/streaming/server/streaming"
)

// The one map from domain error codes to gRPC codes. Nothing else in the server builds status errors from domain
// errors; handlers return domain errors and the interceptor calls toStatus.
var codeMap = map[streaming.Code]codes.Code{
	streaming.CodeInvalid:          codes.InvalidArgument,
	streaming.CodeNotFound:         codes.NotFound,
	streaming.CodeConflict:         codes.AlreadyExists,
	streaming.CodePrecondition:     codes.FailedPrecondition,
	streaming.CodeUnauthenticated:  codes.Unauthenticated,
	streaming.CodePermissionDenied: codes.PermissionDenied,
	streaming.CodeUnavailable:      codes.Unavailable,
	streaming.CodeBusy:             codes.ResourceExhausted,
	streaming.CodeQuotaExceeded:    codes.ResourceExhausted,
	streaming.CodeInternal:         codes.Internal,
}

// toStatus turns any error into a gRPC status error. Status errors pass through (validation builds its own);
// context errors become Canceled/DeadlineExceeded; an unknown error is Internal with a generic message and is
// logged here, once, with its cause. A domain error keeps its code while the call's context lasts, even when its
// cause is a context error: a store's own timeout (PostgreSQL's connect_timeout, wrapped as Unavailable) is the
// store failing, not the caller's deadline.
func toStatus(ctx context.Context, log *slog.Logger, method string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	e := streaming.AsError(err)
	if e == nil || ctx.Err() != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return status.Error(codes.DeadlineExceeded, "deadline exceeded")
		}
		if errors.Is(err, context.Canceled) {
			return status.Error(codes.Canceled, "canceled")
		}
	}
	if e == nil || e.Code == streaming.CodeInternal {
		log.ErrorContext(ctx, "internal error", "method", method, "request_id", requestIDFrom(ctx), "err", err)
		return status.Error(codes.Internal, "internal error (request id "+requestIDFrom(ctx)+")")
	}
	code, ok := codeMap[e.Code]
	if !ok {
		code = codes.Internal
	}
	if e.Code == streaming.CodeUnavailable {
		log.WarnContext(ctx, "store unavailable", "method", method, "request_id", requestIDFrom(ctx), "err", err)
	}
	msg := e.Message
	var detail protoadapt.MessageV1
	switch {
	case e.Code == streaming.CodeInvalid && e.Field != "":
		msg = e.Field + ": " + e.Message
		detail = &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: e.Field, Description: e.Message}}}
	case e.RetryAfter > 0:
		detail = &errdetails.RetryInfo{RetryDelay: durationpb.New(e.RetryAfter)}
	case len(e.Quota) > 0:
		qf := &errdetails.QuotaFailure{}
		for _, v := range e.Quota {
			qf.Violations = append(qf.Violations, &errdetails.QuotaFailure_Violation{Subject: v.Subject, Description: v.Description})
		}
		detail = qf
	}
	st := status.New(code, msg)
	if detail != nil {
		if withDetail, err := st.WithDetails(detail); err == nil {
			st = withDetail
		}
	}
	return st.Err()
}
