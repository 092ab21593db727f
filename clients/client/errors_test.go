package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/durationpb"

	streamingv1 "github.com/streamingplatform/streaming/gen/streaming/v1"
)

func withDetails(t *testing.T, code codes.Code, msg string, details ...protoadapt.MessageV1) error {
	t.Helper()
	st := status.New(code, msg)
	for _, d := range details {
		var err error
		if st, err = st.WithDetails(d); err != nil {
			t.Fatal(err)
		}
	}
	return st.Err()
}

// The details the server sends are decoded, whether the error came from a stub (an *Error) or is a plain status
// error; the status keeps its code, message and text.
func TestErrorDecodesDetails(t *testing.T) {
	bad := withDetails(t, codes.InvalidArgument, "email: value must be a valid email address",
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: "email", Description: "value must be a valid email address", Reason: "string.email"}}},
		&errdetails.ErrorInfo{Reason: "INVALID_EMAIL", Domain: "streaming.example", Metadata: map[string]string{"k": "v"}})
	busy := withDetails(t, codes.ResourceExhausted, "over the ingest quota",
		&errdetails.RetryInfo{RetryDelay: durationpb.New(1500 * time.Millisecond)})
	slots := withDetails(t, codes.ResourceExhausted, "every stream of the plan is in use",
		&errdetails.QuotaFailure{Violations: []*errdetails.QuotaFailure_Violation{{Subject: "device:tv-1", Description: "playing"}}})

	e, ok := AsError(fmt.Errorf("register: %w", wrapError(bad)))
	if !ok || e.Code != codes.InvalidArgument || e.Reason != "INVALID_EMAIL" || e.Domain != "streaming.example" || e.Metadata["k"] != "v" {
		t.Fatalf("AsError = %+v, %v", e, ok)
	}
	if v := FieldViolations(bad); len(v) != 1 || v[0] != (FieldViolation{Field: "email", Description: "value must be a valid email address", Reason: "string.email"}) {
		t.Errorf("FieldViolations = %+v", v)
	}
	if Reason(bad) != "INVALID_EMAIL" || IsRetryable(bad) {
		t.Errorf("Reason = %q, IsRetryable = %v", Reason(bad), IsRetryable(bad))
	}
	if d, ok := RetryAfter(busy); !ok || d != 1500*time.Millisecond || !IsRetryable(busy) {
		t.Errorf("RetryAfter(busy) = %v, %v; IsRetryable %v", d, ok, IsRetryable(busy))
	}
	if e, _ := AsError(slots); IsRetryable(slots) || len(e.Quota) != 1 || e.Quota[0].Subject != "device:tv-1" {
		t.Errorf("a QuotaFailure without RetryInfo: retryable %v, quota %+v", IsRetryable(slots), e.Quota)
	}
	// The *Error is the status: same text, same code and message through status's functions.
	wrapped := wrapError(busy)
	if wrapped.Error() != busy.Error() || status.Code(wrapped) != codes.ResourceExhausted || status.Convert(wrapped).Message() != "over the ingest quota" {
		t.Errorf("wrapped = %q (%s, %q), want the status's %q", wrapped, status.Code(wrapped), status.Convert(wrapped).Message(), busy)
	}
	if _, ok := AsError(errors.New("plain")); ok {
		t.Error("AsError of an error without status")
	}
	if _, ok := AsError(nil); ok || IsRetryable(nil) || FieldViolations(nil) != nil {
		t.Error("nil is no error")
	}
	for code, want := range map[codes.Code]bool{codes.Unavailable: true, codes.Aborted: true, codes.ResourceExhausted: false,
		codes.Internal: false, codes.DeadlineExceeded: false, codes.PermissionDenied: false} {
		if got := IsRetryable(status.Error(code, "x")); got != want {
			t.Errorf("IsRetryable(%s) = %v, want %v", code, got, want)
		}
	}
}

// Every name in the retry table is a method (or service) of the contract, and no command without an idempotency key
// is on it.
func TestServiceConfigNamesTheContract(t *testing.T) {
	var sc struct {
		MethodConfig []struct {
			Name []struct{ Service, Method string }
		}
	}
	if err := json.Unmarshal([]byte(serviceConfig), &sc); err != nil {
		t.Fatal(err)
	}
	for _, mc := range sc.MethodConfig {
		for _, n := range mc.Name {
			d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(n.Service))
			if err != nil {
				t.Fatalf("service %q: %v", n.Service, err)
			}
			svc := d.(protoreflect.ServiceDescriptor)
			if n.Method == "" {
				if n.Service == "streaming.v1.CommandService" {
					t.Errorf("every command retried")
				}
				continue
			}
			m := svc.Methods().ByName(protoreflect.Name(n.Method))
			if m == nil {
				t.Fatalf("%s has no method %s", n.Service, n.Method)
			}
			if n.Service == "streaming.v1.CommandService" && m.Input().Fields().ByName("idempotency_key") == nil {
				t.Errorf("%s is retried but carries no idempotency key", n.Method)
			}
		}
	}
}

func TestBackoffGrowsWithJitterUpToItsCap(t *testing.T) {
	b := backoff{initial: 100 * time.Millisecond, max: time.Second}
	for n, full := range []time.Duration{100, 200, 400, 800, 1000, 1000, 1000} {
		full *= time.Millisecond
		if full > time.Second {
			full = time.Second
		}
		d := b.next()
		if d < full/2 || d > full {
			t.Errorf("wait %d = %v, want within [%v, %v]", n, d, full/2, full)
		}
	}
	b.reset()
	if d := b.next(); d > 100*time.Millisecond {
		t.Errorf("after reset: %v", d)
	}
}

func TestRetry(t *testing.T) {
	ctx := context.Background()
	fast := RetryPolicy{InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond}
	t.Run("retryable until success", func(t *testing.T) {
		n := 0
		err := Retry(ctx, fast, func(context.Context) error {
			if n++; n < 3 {
				return status.Error(codes.Unavailable, "away")
			}
			return nil
		})
		if err != nil || n != 3 {
			t.Fatalf("Retry = %v after %d calls", err, n)
		}
	})
	t.Run("not retryable", func(t *testing.T) {
		n := 0
		err := Retry(ctx, fast, func(context.Context) error { n++; return status.Error(codes.AlreadyExists, "taken") })
		if status.Code(err) != codes.AlreadyExists || n != 1 {
			t.Fatalf("Retry = %v after %d calls", err, n)
		}
	})
	t.Run("attempts", func(t *testing.T) {
		n := 0
		err := Retry(ctx, RetryPolicy{Attempts: 2, InitialBackoff: time.Millisecond}, func(context.Context) error {
			n++
			return status.Error(codes.Unavailable, "away")
		})
		if status.Code(err) != codes.Unavailable || n != 2 {
			t.Fatalf("Retry = %v after %d calls", err, n)
		}
	})
	t.Run("waits the RetryInfo", func(t *testing.T) {
		busy := withDetails(t, codes.ResourceExhausted, "busy", &errdetails.RetryInfo{RetryDelay: durationpb.New(80 * time.Millisecond)})
		n, start := 0, time.Now()
		err := Retry(ctx, fast, func(context.Context) error {
			if n++; n == 1 {
				return busy
			}
			return nil
		})
		if err != nil || n != 2 || time.Since(start) < 80*time.Millisecond {
			t.Fatalf("Retry = %v after %d calls in %v", err, n, time.Since(start))
		}
	})
	t.Run("an attempt's own timeout is retried", func(t *testing.T) {
		n := 0
		err := Retry(ctx, RetryPolicy{AttemptTimeout: 20 * time.Millisecond, InitialBackoff: time.Millisecond}, func(ctx context.Context) error {
			if n++; n == 1 {
				<-ctx.Done()
				return status.FromContextError(ctx.Err()).Err()
			}
			return nil
		})
		if err != nil || n != 2 {
			t.Fatalf("Retry = %v after %d calls", err, n)
		}
	})
}

// busyQueries answers GetTrending ResourceExhausted with a RetryInfo of delay for the first busy calls, then serves.
type busyQueries struct {
	streamingv1.UnimplementedQueryServiceServer
	delay time.Duration
	busy  int32
	calls atomic.Int32
}

func (q *busyQueries) GetTrending(context.Context, *streamingv1.GetTrendingRequest) (*streamingv1.GetTrendingResponse, error) {
	if q.calls.Add(1) <= q.busy {
		st, _ := status.New(codes.ResourceExhausted, "busy").WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(q.delay)})
		return nil, st.Err()
	}
	return &streamingv1.GetTrendingResponse{}, nil
}

func serveQueries(t *testing.T, q streamingv1.QueryServiceServer) string {
	return serveFake(t, func(srv *grpc.Server) { streamingv1.RegisterQueryServiceServer(srv, q) })
}

// serveFake serves the services register adds on a loopback port until the test ends, and returns its address.
func serveFake(t *testing.T, register func(*grpc.Server)) string {
	t.Helper()
	srv := grpc.NewServer()
	register(srv)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// A busy answer (ResourceExhausted with RetryInfo) is sent again after the delay, within WithRetryInfoWait and the
// call's deadline; otherwise the caller gets it, as an *Error saying how long to wait.
func TestBusyAnswersAreRetriedAfterTheirDelay(t *testing.T) {
	ctx := ctxFor(t)
	q := &busyQueries{delay: 50 * time.Millisecond, busy: 2}
	c, err := Dial(ctx, serveQueries(t, q))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if _, err := c.Query.GetTrending(ctx, &streamingv1.GetTrendingRequest{}); err != nil || q.calls.Load() != 3 {
		t.Fatalf("GetTrending = %v after %d calls; want success on the third", err, q.calls.Load())
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("two busy answers of 50ms retried in %v", d)
	}

	long := &busyQueries{delay: time.Minute, busy: 1}
	c2, err := Dial(ctx, serveQueries(t, long))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	_, err = c2.Query.GetTrending(ctx, &streamingv1.GetTrendingRequest{})
	var e *Error
	if !errors.As(err, &e) || e.Code != codes.ResourceExhausted || long.calls.Load() != 1 {
		t.Fatalf("GetTrending = %v (%d calls); want the busy answer at once, as an *Error", err, long.calls.Load())
	}
	if d, ok := e.RetryAfter(); !ok || d != time.Minute {
		t.Errorf("RetryAfter = %v, %v", d, ok)
	}

	off := &busyQueries{delay: time.Millisecond, busy: 1}
	c3, err := Dial(ctx, serveQueries(t, off), WithRetryInfoWait(0))
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	if _, err := c3.Query.GetTrending(ctx, &streamingv1.GetTrendingRequest{}); status.Code(err) != codes.ResourceExhausted || off.calls.Load() != 1 {
		t.Fatalf("with WithRetryInfoWait(0): %v after %d calls", err, off.calls.Load())
	}
}

// unavailableCommands answers every command Unavailable and counts them.
type unavailableCommands struct {
	streamingv1.UnimplementedCommandServiceServer
	register, subscribe atomic.Int32
}

func (c *unavailableCommands) RegisterUser(context.Context, *streamingv1.RegisterUserRequest) (*streamingv1.RegisterUserResponse, error) {
	c.register.Add(1)
	return nil, status.Error(codes.Unavailable, "database away")
}

func (c *unavailableCommands) CreateSubscription(context.Context, *streamingv1.CreateSubscriptionRequest) (*streamingv1.CreateSubscriptionResponse, error) {
	c.subscribe.Add(1)
	return nil, status.Error(codes.Unavailable, "database away")
}

// CreateSubscription (idempotency key) is retried on Unavailable; RegisterUser is not.
func TestOnlyIdempotentCommandsAreRetried(t *testing.T) {
	cmds := &unavailableCommands{}
	srv := grpc.NewServer()
	streamingv1.RegisterCommandServiceServer(srv, cmds)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	ctx := ctxFor(t)
	c, err := Dial(ctx, lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Command.RegisterUser(ctx, &streamingv1.RegisterUserRequest{})
	if !IsRetryable(err) || cmds.register.Load() != 1 {
		t.Errorf("RegisterUser: %v after %d calls; want Unavailable after one", err, cmds.register.Load())
	}
	_, err = c.Command.CreateSubscription(ctx, &streamingv1.CreateSubscriptionRequest{IdempotencyKey: "k"})
	if status.Code(err) != codes.Unavailable || cmds.subscribe.Load() != 4 {
		t.Errorf("CreateSubscription: %v after %d calls; want Unavailable after 4", err, cmds.subscribe.Load())
	}
}
