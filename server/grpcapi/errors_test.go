package grpcapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/streamingplatform/streaming/server/streaming"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestToStatus(t *testing.T) {
	cases := []struct {
		err  error
		code codes.Code
		msg  string
	}{
		{streaming.Errorf(streaming.CodeNotFound, "plan not found"), codes.NotFound, "plan not found"},
		{streaming.Errorf(streaming.CodeConflict, "email already registered"), codes.AlreadyExists, "email already registered"},
		{streaming.Errorf(streaming.CodePrecondition, "payment declined"), codes.FailedPrecondition, "payment declined"},
		{streaming.Errorf(streaming.CodeUnauthenticated, "x"), codes.Unauthenticated, "x"},
		{streaming.Errorf(streaming.CodePermissionDenied, "x"), codes.PermissionDenied, "x"},
		{streaming.Unavailable("PostgreSQL", errors.New("dial tcp: refused")), codes.Unavailable, "PostgreSQL is unavailable, retry later"},
		{fmt.Errorf("wrapped: %w", streaming.Invalid("monthly_price", "bad")), codes.InvalidArgument, "monthly_price: bad"},
		{&streaming.Error{Code: streaming.CodeBusy, Message: "busy", RetryAfter: time.Second}, codes.ResourceExhausted, "busy"},
		{errors.New(`pq: relation "users" SELECT secret`), codes.Internal, "internal error"},
		{context.DeadlineExceeded, codes.DeadlineExceeded, "deadline exceeded"},
		{status.Error(codes.Aborted, "as is"), codes.Aborted, "as is"},
	}
	for _, c := range cases {
		st := status.Convert(toStatus(context.Background(), discard, "/m", c.err))
		if st.Code() != c.code || !strings.HasPrefix(st.Message(), c.msg) {
			t.Errorf("toStatus(%v) = %s %q, want %s %q", c.err, st.Code(), st.Message(), c.code, c.msg)
		}
		if strings.Contains(st.Message(), "refused") || strings.Contains(st.Message(), "SELECT") {
			t.Errorf("toStatus(%v) leaks the cause: %q", c.err, st.Message())
		}
	}
	st := status.Convert(toStatus(context.Background(), discard, "/m", streaming.Invalid("email", "taken")))
	if br, ok := st.Details()[0].(*errdetails.BadRequest); !ok || br.GetFieldViolations()[0].GetField() != "email" {
		t.Errorf("invalid error details = %v, want a BadRequest naming email", st.Details())
	}
	st = status.Convert(toStatus(context.Background(), discard, "/m", &streaming.Error{Code: streaming.CodeBusy, Message: "busy", RetryAfter: 2 * time.Second}))
	if ri, ok := st.Details()[0].(*errdetails.RetryInfo); !ok || ri.GetRetryDelay().AsDuration() != 2*time.Second {
		t.Errorf("busy error details = %v, want RetryInfo of 2s", st.Details())
	}
}

func TestEveryDomainCodeIsMapped(t *testing.T) {
	for _, c := range []streaming.Code{streaming.CodeInvalid, streaming.CodeNotFound, streaming.CodeConflict,
		streaming.CodePrecondition, streaming.CodeUnauthenticated, streaming.CodePermissionDenied,
		streaming.CodeUnavailable, streaming.CodeBusy, streaming.CodeInternal} {
		if _, ok := codeMap[c]; !ok {
			t.Errorf("domain code %s has no gRPC code", c)
		}
	}
}

func TestPanicBecomesInternal(t *testing.T) {
	ic := &Interceptors{Log: discard, Auth: &Authenticator{}}
	info := &grpc.UnaryServerInfo{FullMethod: "/streaming.v1.CommandService/RegisterUser"}
	_, err := chainUnary(ic.UnaryChain())(context.Background(), nil, info, func(context.Context, any) (any, error) {
		panic("boom")
	})
	if status.Code(err) != codes.Internal || strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v, want Internal without the panic text", err)
	}
}

func TestDefaultDeadlineApplied(t *testing.T) {
	ic := &Interceptors{Log: discard, Auth: &Authenticator{}, DefaultDeadline: 3 * time.Second}
	info := &grpc.UnaryServerInfo{FullMethod: "/streaming.v1.CommandService/Login"}
	var left time.Duration
	chainUnary(ic.UnaryChain())(context.Background(), nil, info, func(ctx context.Context, _ any) (any, error) {
		d, ok := ctx.Deadline()
		if ok {
			left = time.Until(d)
		}
		return nil, nil
	})
	if left <= 2*time.Second || left > 3*time.Second {
		t.Fatalf("deadline in %v, want about 3s", left)
	}
}

func TestUnknownMethodIsRefused(t *testing.T) {
	err := authorize("/streaming.v1.CommandService/Unlisted", streaming.Principal{Role: streaming.RoleAdmin}, nil)
	if streaming.ErrorCode(err) != streaming.CodePermissionDenied {
		t.Fatalf("authorize(unlisted) = %v, want permission denied", err)
	}
}
