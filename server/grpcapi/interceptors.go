package grpcapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"buf.build/go/protovalidate"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Interceptors carry what every call goes through, in this order: panic recovery, request id, default deadline,
// authentication and authorization, protovalidate rules, the handler, then the error map, a log line and metrics.
type Interceptors struct {
	Log             *slog.Logger
	Auth            *Authenticator
	Validator       protovalidate.Validator
	DefaultDeadline time.Duration
	Metrics         *Metrics
}

// Metrics are the server's Prometheus metrics.
type Metrics struct {
	handled *prometheus.CounterVec
	latency *prometheus.HistogramVec
}

// NewMetrics registers the server's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grpc_server_handled_total", Help: "RPCs completed, by method and status code."},
			[]string{"method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "grpc_server_handling_seconds", Help: "RPC latency, by method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}},
			[]string{"method"}),
	}
	reg.MustRegister(m.handled, m.latency)
	return m
}

func (i *Interceptors) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		start := time.Now()
		ctx = withRequestID(ctx)
		defer func() {
			if r := recover(); r != nil {
				i.Log.ErrorContext(ctx, "panic", "method", info.FullMethod, "request_id", requestIDFrom(ctx),
					"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				resp, err = nil, status.Error(codes.Internal, "internal error (request id "+requestIDFrom(ctx)+")")
			}
			i.observe(ctx, info.FullMethod, start, err)
		}()
		if _, ok := ctx.Deadline(); !ok && i.DefaultDeadline > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, i.DefaultDeadline)
			defer cancel()
		}
		if ctx, err = i.authenticate(ctx, info.FullMethod, req); err != nil {
			return nil, toStatus(ctx, i.Log, info.FullMethod, err)
		}
		if err := i.validate(req); err != nil {
			return nil, err
		}
		resp, err = handler(ctx, req)
		return resp, toStatus(ctx, i.Log, info.FullMethod, err)
	}
}

func (i *Interceptors) Stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		start := time.Now()
		ctx := withRequestID(ss.Context())
		defer func() {
			if r := recover(); r != nil {
				i.Log.ErrorContext(ctx, "panic", "method", info.FullMethod, "request_id", requestIDFrom(ctx),
					"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = status.Error(codes.Internal, "internal error (request id "+requestIDFrom(ctx)+")")
			}
			i.observe(ctx, info.FullMethod, start, err)
		}()
		// Streams have no default deadline: an ingest stream may legitimately run for hours.
		if ctx, err = i.authenticate(ctx, info.FullMethod, nil); err != nil {
			return toStatus(ctx, i.Log, info.FullMethod, err)
		}
		err = handler(srv, &validatingStream{ServerStream: ss, ctx: ctx, i: i})
		return toStatus(ctx, i.Log, info.FullMethod, err)
	}
}

// validatingStream applies the request rules to every received message and carries the enriched context.
type validatingStream struct {
	grpc.ServerStream
	ctx context.Context
	i   *Interceptors
}

func (s *validatingStream) Context() context.Context { return s.ctx }

func (s *validatingStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if c, ok := m.(checked); ok {
		if v := c.Violations(); len(v) > 0 {
			return invalidRequest(v...)
		}
		return nil
	}
	return s.i.validate(m)
}

// checked is a message received into a type of ours rather than the generated one (wire.Batch); it applies the
// contract's rules itself.
type checked interface {
	Violations() []*errdetails.BadRequest_FieldViolation
}

func (i *Interceptors) authenticate(ctx context.Context, method string, req any) (context.Context, error) {
	if exempt(method) {
		return ctx, nil
	}
	p, err := i.Auth.Authenticate(ctx)
	if err != nil {
		return ctx, err
	}
	ctx = context.WithValue(ctx, principalKey{}, p)
	return ctx, authorize(method, p, req)
}

// validate enforces the protovalidate rules of the contract; every violation is reported as a field violation.
func (i *Interceptors) validate(req any) error {
	m, ok := req.(proto.Message)
	if !ok || i.Validator == nil {
		return nil
	}
	err := i.Validator.Validate(m)
	if err == nil {
		return nil
	}
	var verr *protovalidate.ValidationError
	if !errors.As(err, &verr) {
		i.Log.Error("validation could not run", "err", err)
		return status.Error(codes.Internal, "internal error")
	}
	violations := make([]*errdetails.BadRequest_FieldViolation, len(verr.Violations))
	for k, v := range verr.Violations {
		violations[k] = &errdetails.BadRequest_FieldViolation{Field: protovalidate.FieldPathString(v.Proto.GetField()),
			Description: v.Proto.GetMessage(), Reason: v.Proto.GetRuleId()}
	}
	return invalidRequest(violations...)
}

// invalidRequest is the answer to a request that breaks the contract's rules: InvalidArgument naming each field,
// with a BadRequest detail listing them.
func invalidRequest(violations ...*errdetails.BadRequest_FieldViolation) error {
	msgs := make([]string, len(violations))
	for k, v := range violations {
		msgs[k] = v.GetField() + ": " + v.GetDescription()
	}
	st := status.New(codes.InvalidArgument, "invalid request: "+strings.Join(msgs, "; "))
	if withDetail, err := st.WithDetails(&errdetails.BadRequest{FieldViolations: violations}); err == nil {
		st = withDetail
	}
	return st.Err()
}

func (i *Interceptors) observe(ctx context.Context, method string, start time.Time, err error) {
	code := status.Code(err)
	elapsed := time.Since(start)
	if i.Metrics != nil {
		i.Metrics.handled.WithLabelValues(method, code.String()).Inc()
		i.Metrics.latency.WithLabelValues(method).Observe(elapsed.Seconds())
	}
	level := slog.LevelInfo
	if code == codes.Internal || code == codes.Unknown {
		level = slog.LevelError
	}
	i.Log.Log(ctx, level, "rpc", "method", method, "code", code.String(), "ms", float64(elapsed.Microseconds())/1000,
		"request_id", requestIDFrom(ctx))
}

type requestIDKey struct{}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// withRequestID takes the caller's x-request-id when it is well-formed, else makes one, and echoes it in the
// response header so a caller can quote it.
func withRequestID(ctx context.Context) context.Context {
	md, _ := metadata.FromIncomingContext(ctx)
	id := ""
	if v := md.Get("x-request-id"); len(v) > 0 && requestIDPattern.MatchString(v[0]) {
		id = v[0]
	} else {
		b := make([]byte, 8)
		rand.Read(b)
		id = hex.EncodeToString(b)
	}
	grpc.SetHeader(ctx, metadata.Pairs("x-request-id", id))
	return context.WithValue(ctx, requestIDKey{}, id)
}

func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
