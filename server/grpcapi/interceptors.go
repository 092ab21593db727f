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
	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	middleware "github.com/grpc-ecosystem/go-grpc-middleware/v2"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/streamingplatform/streaming/server/streaming"
	"github.com/streamingplatform/streaming/server/telemetry"
)

// Interceptors carry what every call goes through, outermost first: the request id (the panic answer quotes it),
// the standard gRPC server metrics and one log line per call (go-grpc-middleware; outside the recovery so that a
// panic is counted and logged as the Internal it answers, as before), panic recovery (go-grpc-middleware; it wraps
// all of our code below), then ours: the default deadline, authentication and authorization, the audit record of
// admin and service calls (audit.go), the protovalidate rules, the handler and the error map.
type Interceptors struct {
	Log             *slog.Logger
	Auth            *Authenticator
	Validator       protovalidate.Validator
	DefaultDeadline time.Duration
	Metrics         *grpcprom.ServerMetrics // nil: no metrics
	// Clients finds each call's client address (ClientAddrFrom) for per-client throttling; nil: the peer's.
	Clients *ClientAddrs
}

// NewMetrics registers the standard gRPC server metrics with reg: grpc_server_started_total,
// grpc_server_handled_total, grpc_server_msg_received_total and grpc_server_msg_sent_total with the labels
// grpc_type, grpc_service, grpc_method (and grpc_code), and the grpc_server_handling_seconds histogram.
func NewMetrics(reg prometheus.Registerer) *grpcprom.ServerMetrics {
	m := grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram(grpcprom.WithHistogramBuckets(
		[]float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10})))
	reg.MustRegister(m)
	return m
}

// UnaryChain is the unary interceptors, outermost first, for grpc.ChainUnaryInterceptor.
func (i *Interceptors) UnaryChain() []grpc.UnaryServerInterceptor {
	chain := []grpc.UnaryServerInterceptor{unaryRequestID}
	if i.Metrics != nil {
		chain = append(chain, i.Metrics.UnaryServerInterceptor(grpcprom.WithExemplarFromContext(telemetry.Exemplar)))
	}
	return append(chain,
		logging.UnaryServerInterceptor(i.logger(), i.logOptions()...),
		recovery.UnaryServerInterceptor(recovery.WithRecoveryHandlerContext(i.recovered)),
		i.unary)
}

// StreamChain is the stream interceptors, outermost first, for grpc.ChainStreamInterceptor.
func (i *Interceptors) StreamChain() []grpc.StreamServerInterceptor {
	chain := []grpc.StreamServerInterceptor{streamRequestID}
	if i.Metrics != nil {
		chain = append(chain, i.Metrics.StreamServerInterceptor(grpcprom.WithExemplarFromContext(telemetry.Exemplar)))
	}
	return append(chain,
		logging.StreamServerInterceptor(i.logger(), i.logOptions()...),
		recovery.StreamServerInterceptor(recovery.WithRecoveryHandlerContext(i.recovered)),
		i.stream)
}

func unaryRequestID(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	return handler(withRequestID(ctx), req)
}

func streamRequestID(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	w := middleware.WrapServerStream(ss)
	w.WrappedContext = withRequestID(ss.Context())
	return handler(srv, w)
}

// recovered answers a panic: Internal quoting the request id; the panic and its stack are logged, never sent.
func (i *Interceptors) recovered(ctx context.Context, p any) error {
	method, _ := grpc.Method(ctx)
	i.Log.ErrorContext(ctx, "panic", "method", method, "request_id", requestIDFrom(ctx),
		"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	return status.Error(codes.Internal, "internal error (request id "+requestIDFrom(ctx)+")")
}

// logger adapts the injected *slog.Logger to go-grpc-middleware's logging.
func (i *Interceptors) logger() logging.Logger {
	return logging.LoggerFunc(func(ctx context.Context, level logging.Level, msg string, fields ...any) {
		i.Log.Log(ctx, slog.Level(level), msg, fields...)
	})
}

// logOptions: one line when a call finishes, with its request id; Error for Internal and Unknown, Info otherwise.
func (i *Interceptors) logOptions() []logging.Option {
	return []logging.Option{
		logging.WithLogOnEvents(logging.FinishCall),
		logging.WithFieldsFromContext(func(ctx context.Context) logging.Fields {
			return logging.Fields{"request_id", requestIDFrom(ctx)}
		}),
		logging.WithLevels(func(code codes.Code) logging.Level {
			if code == codes.Internal || code == codes.Unknown {
				return logging.LevelError
			}
			return logging.LevelInfo
		}),
	}
}

// unary is our part of a unary call: default deadline, authentication and authorization, the audit record of an
// admin's or service's call (audit.go), the protovalidate rules, the handler and the error map.
func (i *Interceptors) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if _, ok := ctx.Deadline(); !ok && i.DefaultDeadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, i.DefaultDeadline)
		defer cancel()
	}
	started := time.Now()
	ctx, err := i.authenticate(ctx, info.FullMethod, req)
	if !audited(PrincipalFrom(ctx)) {
		return i.handle(ctx, req, info, handler, err)
	}
	// After authentication, so the principal is known; around everything else, so the record has the answer.
	finished := false
	defer func() {
		if !finished { // a panic on its way to the recovery interceptor, which answers Internal
			i.audit(ctx, info.FullMethod, started, status.Error(codes.Internal, ""), req)
		}
	}()
	resp, err := i.handle(ctx, req, info, handler, err)
	finished = true
	i.audit(ctx, info.FullMethod, started, err, req, resp)
	return resp, err
}

// handle is the rest of a unary call once the caller is known (authErr: authentication or authorization failed).
func (i *Interceptors) handle(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler, authErr error) (any, error) {
	if authErr != nil {
		return nil, toStatus(ctx, i.Log, info.FullMethod, authErr)
	}
	if err := i.validate(req); err != nil {
		return nil, err
	}
	ctx = context.WithValue(ctx, clientAddrKey{}, i.Clients.Of(ctx))
	resp, err := handler(ctx, req)
	return resp, toStatus(ctx, i.Log, info.FullMethod, err)
}

// stream is our part of a streaming call: authentication and authorization, the audit record, the rules on every received message
// (validatingStream), the handler and the error map. Streams have no default deadline: an ingest stream may
// legitimately run for hours.
func (i *Interceptors) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	started := time.Now()
	ctx, err := i.authenticate(ss.Context(), info.FullMethod, nil)
	if !audited(PrincipalFrom(ctx)) {
		return i.handleStream(ctx, srv, ss, info, handler, err)
	}
	finished := false // one record per stream, when it ends (as in unary)
	defer func() {
		if !finished {
			i.audit(ctx, info.FullMethod, started, status.Error(codes.Internal, ""))
		}
	}()
	err = i.handleStream(ctx, srv, ss, info, handler, err)
	finished = true
	i.audit(ctx, info.FullMethod, started, err)
	return err
}

// handleStream is the rest of a streaming call once the caller is known (authErr as in handle).
func (i *Interceptors) handleStream(ctx context.Context, srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo,
	handler grpc.StreamHandler, authErr error) error {
	if authErr != nil {
		return toStatus(ctx, i.Log, info.FullMethod, authErr)
	}
	if p := PrincipalFrom(ctx); p.Role == streaming.RoleUser {
		var stop func()
		ctx, stop = i.Auth.watchSession(ctx, p.Token)
		defer stop()
	}
	err := handler(srv, &validatingStream{ServerStream: ss, ctx: ctx, i: i})
	return toStatus(ctx, i.Log, info.FullMethod, err)
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
