// Package grpcapi is the transport: the gRPC services, the REST gateway in front of them, the interceptors every
// call goes through and the one map from domain errors to status codes. It holds no business logic.
package grpcapi

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/net/netutil"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/grpcapi/wire"
	"github.com/streamingplatform/streaming/server/telemetry"
)

// Options configure the server.
type Options struct {
	// NoAPI leaves the API off (no gRPC or HTTP API listener): a process that only runs the outbox relay, with its
	// operators' listener for metrics and health.
	NoAPI    bool
	GRPCAddr string
	HTTPAddr string
	// OpsAddr serves operators: /metrics, /healthz, /readyz, apart from the API.
	OpsAddr string
	// TLSCertFile and TLSKeyFile (PEM) turn TLS on for the gRPC and HTTP API listeners; the files are read again
	// when they change. Empty: plaintext.
	TLSCertFile, TLSKeyFile string
	// MaxConnections bounds the connections each API listener holds at once (the REST gateway's own connection to
	// the gRPC listener counts); past it new connections wait to be accepted. 0: no bound.
	MaxConnections int
	// TLSClientCAFile (PEM) verifies client certificates when callers present one (mutual TLS for services; see
	// Authenticator.ServiceCerts). Empty: none are asked for.
	TLSClientCAFile string
	MaxRecvBytes    int
	DefaultDeadline time.Duration
	ShutdownGrace   time.Duration
	// OpenAPI is served at /openapi.json (the OpenAPI 3 document), OpenAPIV2 at /openapi-v2.json (Swagger 2.0).
	OpenAPI, OpenAPIV2 []byte
	// Registry receives the server's metrics; a new one when nil. /metrics serves it.
	Registry *prometheus.Registry
	// OnShutdown run when shutdown begins, before in-flight calls are drained (e.g. ending ingest streams cleanly).
	OnShutdown []func()
	// Checks are the dependencies reported by grpc.health.v1, one service name each ("postgres", "redis").
	Checks map[string]func(context.Context) error
	// Degradable names checks whose failure is reported under their own name but leaves the overall status
	// SERVING, because the server still answers without them (Neo4j: recommendations fall back to trending).
	Degradable map[string]bool
	// TracerProvider traces every call (otelgrpc on the gRPC server, otelhttp on the REST gateway, W3C trace
	// context). nil: tracing is off and no stats handler or HTTP wrapper is installed at all.
	TracerProvider trace.TracerProvider
}

// Server is the gRPC server and the HTTP server (REST gateway, OpenAPI, metrics, health) of one process.
type Server struct {
	opts      Options
	log       *slog.Logger
	grpc      *grpc.Server
	health    *health.Server
	registry  *prometheus.Registry
	grpcLis   net.Listener
	httpLis   net.Listener
	opsLis    net.Listener
	certs     *certFiles // nil: plaintext
	clientCAs *x509.CertPool
	// gatewayKey marks the in-process REST gateway's calls (ClientAddrs).
	gatewayKey string
	// storeUp is the last health check of each dependency, 1 answering, 0 not (store_up{store}): what alerts read.
	storeUp *prometheus.GaugeVec
}

// New builds the server and binds its two listeners, so the caller knows the addresses (port 0 picks free ports).
func New(opts Options, log *slog.Logger, ic *Interceptors, cmd pb.CommandServiceServer, query pb.QueryServiceServer, ingest pb.IngestServiceServer, playback pb.PlaybackServiceServer) (*Server, error) {
	s := &Server{opts: opts, log: log, health: health.NewServer(), registry: opts.Registry}
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
	}
	s.storeUp = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "store_up",
		Help: "Whether the store answered its last health check (every 5s): 1 yes, 0 no."}, []string{"store"})
	s.registry.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}), s.storeUp)
	ic.Metrics = NewMetrics(s.registry)
	if ic.Clients == nil {
		ic.Clients = &ClientAddrs{}
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	ic.Clients.gatewayKey = hex.EncodeToString(key)
	s.gatewayKey = ic.Clients.gatewayKey
	var creds []grpc.ServerOption
	if opts.TLSCertFile != "" {
		var err error
		if s.certs, err = newCertFiles(opts.TLSCertFile, opts.TLSKeyFile, log); err != nil {
			return nil, err
		}
		if opts.TLSClientCAFile != "" {
			if s.clientCAs, err = loadCAs(opts.TLSClientCAFile); err != nil {
				return nil, err
			}
		}
		creds = append(creds, grpc.Creds(credentials.NewTLS(s.certs.serverConfig(s.clientCAs))))
	}
	if opts.TracerProvider != nil {
		creds = append(creds, grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithTracerProvider(opts.TracerProvider),
			otelgrpc.WithPropagators(telemetry.Propagator), otelgrpc.WithMeterProvider(metricnoop.NewMeterProvider()),
			// Health probes every few seconds would drown the traces that matter.
			otelgrpc.WithFilter(filters.Not(filters.HealthCheck())))))
	}
	s.grpc = grpc.NewServer(append(creds,
		grpc.ChainUnaryInterceptor(ic.UnaryChain()...),
		grpc.ChainStreamInterceptor(ic.StreamChain()...),
		grpc.MaxRecvMsgSize(opts.MaxRecvBytes),
		// The protobuf codec with a fast path for playback event batches (package wire).
		grpc.ForceServerCodecV2(wire.NewCodec()),
		// Bounds the calls one connection may hold open (each ingest stream keeps up to 64k events to settle).
		grpc.MaxConcurrentStreams(1024),
		// Connection-level limits: headers of at most 16 KiB (grpc-go accepts 16 MiB by default), clients may not
		// ping more often than every 10 s, and a connection without calls for 15 min is closed.
		grpc.MaxHeaderListSize(maxHeaderBytes),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: 15 * time.Minute, Time: 2 * time.Minute,
			Timeout: 20 * time.Second}),
	)...)
	pb.RegisterCommandServiceServer(s.grpc, cmd)
	pb.RegisterQueryServiceServer(s.grpc, query)
	pb.RegisterIngestServiceServer(s.grpc, ingest)
	pb.RegisterPlaybackServiceServer(s.grpc, playback)
	healthpb.RegisterHealthServer(s.grpc, s.health)
	reflection.Register(s.grpc)
	ic.Metrics.InitializeMetrics(s.grpc) // every method's series from zero, before its first call

	var err error
	if s.opsLis, err = net.Listen("tcp", opts.OpsAddr); err != nil {
		return nil, fmt.Errorf("operators' address %s: %w", opts.OpsAddr, err)
	}
	if opts.NoAPI {
		return s, nil
	}
	if s.grpcLis, err = net.Listen("tcp", opts.GRPCAddr); err != nil {
		s.opsLis.Close()
		return nil, fmt.Errorf("gRPC address %s: %w", opts.GRPCAddr, err)
	}
	if s.httpLis, err = net.Listen("tcp", opts.HTTPAddr); err != nil {
		s.opsLis.Close()
		s.grpcLis.Close()
		return nil, fmt.Errorf("HTTP address %s: %w", opts.HTTPAddr, err)
	}
	if opts.MaxConnections > 0 {
		s.grpcLis = netutil.LimitListener(s.grpcLis, opts.MaxConnections)
		s.httpLis = netutil.LimitListener(s.httpLis, opts.MaxConnections)
	}
	return s, nil
}

// maxHeaderBytes bounds a call's headers, gRPC and HTTP alike.
const maxHeaderBytes = 16 << 10

// GRPCAddr, HTTPAddr and OpsAddr are the bound addresses ("" for the API's when it is off).
func (s *Server) GRPCAddr() string { return addrOf(s.grpcLis) }
func (s *Server) HTTPAddr() string { return addrOf(s.httpLis) }
func (s *Server) OpsAddr() string  { return addrOf(s.opsLis) }

func addrOf(l net.Listener) string {
	if l == nil {
		return ""
	}
	return l.Addr().String()
}

// Run serves until ctx ends, then shuts down gracefully: health turns NOT_SERVING, both API listeners stop taking
// calls, and the gRPC and REST calls in flight get ShutdownGrace to finish before they are cut.
func (s *Server) Run(ctx context.Context) error {
	if s.opts.NoAPI {
		return s.runOpsOnly(ctx)
	}
	// The gateway's connections to the gRPC server close with gwCtx, after the REST calls in flight have drained:
	// with ctx they would close when shutdown begins and fail those calls.
	gwCtx, closeGateway := context.WithCancel(context.WithoutCancel(ctx))
	defer closeGateway()
	gateway, err := s.gateway(gwCtx)
	if err != nil {
		return err
	}
	// Read, write and idle timeouts bound what a slow or idle client holds; a REST call has its unary deadline well
	// inside them.
	httpSrv := &http.Server{Handler: gateway, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: maxHeaderBytes}
	opsSrv := &http.Server{Handler: s.ops(), ReadHeaderTimeout: 10 * time.Second}
	defer s.startChecks(ctx)()

	errc := make(chan error, 3)
	go func() { errc <- s.grpc.Serve(s.grpcLis) }()
	serveHTTP := func(srv *http.Server, lis net.Listener) {
		if err := srv.Serve(lis); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}
	httpLis := s.httpLis
	if s.certs != nil {
		httpSrv.TLSConfig = s.certs.serverConfig(s.clientCAs)
		httpLis = tls.NewListener(httpLis, httpSrv.TLSConfig)
	}
	go serveHTTP(httpSrv, httpLis)
	go serveHTTP(opsSrv, s.opsLis)
	s.log.Info("serving", "grpc", s.GRPCAddr(), "http", s.HTTPAddr(), "ops", s.OpsAddr(), "tls", s.certs != nil)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", s.opts.ShutdownGrace)
	s.health.Shutdown()
	for _, f := range s.opts.OnShutdown {
		f()
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownGrace)
	defer cancel()
	defer opsSrv.Shutdown(shutCtx) // last: metrics and health stay readable while calls drain
	// REST and gRPC drain together: both listeners stop taking calls, the calls in flight get the grace period. The
	// REST calls in flight are gRPC calls of the gateway too, so GracefulStop also waits for them.
	restDone := make(chan struct{})
	go func() { httpSrv.Shutdown(shutCtx); close(restDone) }()
	done := make(chan struct{})
	go func() { s.grpc.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-shutCtx.Done():
		s.log.Warn("grace period over; cutting remaining calls")
		s.grpc.Stop()
	}
	select {
	case <-restDone:
	case <-shutCtx.Done():
		httpSrv.Close() // cut what is left, as gRPC's Stop does
		<-restDone
	}
	return nil
}

// runOpsOnly serves the operators' listener and the health checks until ctx ends (the API is off).
func (s *Server) runOpsOnly(ctx context.Context) error {
	opsSrv := &http.Server{Handler: s.ops(), ReadHeaderTimeout: 10 * time.Second}
	defer s.startChecks(ctx)()
	errc := make(chan error, 1)
	go func() {
		if err := opsSrv.Serve(s.opsLis); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	s.log.Info("serving operators only (the API is off)", "ops", s.OpsAddr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.health.Shutdown()
	shutCtx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownGrace)
	defer cancel()
	return opsSrv.Shutdown(shutCtx)
}

// gateway is the API's HTTP handler: REST (grpc-gateway, through the gRPC server so every interceptor applies) and
// the OpenAPI document.
func (s *Server) gateway(ctx context.Context) (http.Handler, error) {
	mux := runtime.NewServeMux(runtime.WithIncomingHeaderMatcher(func(key string) (string, bool) {
		switch strings.ToLower(key) {
		case "idempotency-key", "x-request-id", "traceparent":
			return strings.ToLower(key), true
		}
		return runtime.DefaultHeaderMatcher(key)
	}), runtime.WithErrorHandler(retryAfterErrors))
	creds := insecure.NewCredentials()
	if s.certs != nil {
		creds = credentials.NewTLS(s.certs.selfConfig())
	}
	// The gateway's calls carry this process's key: the server then reads the HTTP client's address from the
	// x-forwarded-for the gateway writes (ClientAddrs).
	key := s.gatewayKey
	dial := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			return invoker(metadata.AppendToOutgoingContext(ctx, gatewayKeyHeader, key), method, req, reply, cc, opts...)
		}),
		grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			return streamer(metadata.AppendToOutgoingContext(ctx, gatewayKeyHeader, key), desc, cc, method, opts...)
		}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(s.opts.MaxRecvBytes), grpc.MaxCallSendMsgSize(s.opts.MaxRecvBytes)),
	}
	if tp := s.opts.TracerProvider; tp != nil {
		// The gateway's call to the gRPC server continues the HTTP request's trace (its traceparent replaces the one
		// the header matcher forwarded).
		dial = append(dial, grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelgrpc.WithTracerProvider(tp),
			otelgrpc.WithPropagators(telemetry.Propagator), otelgrpc.WithMeterProvider(metricnoop.NewMeterProvider()))))
	}
	target := s.GRPCAddr()
	for _, register := range []func(context.Context, *runtime.ServeMux, string, []grpc.DialOption) error{
		pb.RegisterCommandServiceHandlerFromEndpoint,
		pb.RegisterQueryServiceHandlerFromEndpoint,
		pb.RegisterIngestServiceHandlerFromEndpoint,
		pb.RegisterPlaybackServiceHandlerFromEndpoint,
	} {
		if err := register(ctx, mux, target, dial); err != nil {
			return nil, err
		}
	}
	root := http.NewServeMux()
	var api http.Handler = mux
	if tp := s.opts.TracerProvider; tp != nil {
		api = otelhttp.NewHandler(mux, "gateway", otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(telemetry.Propagator),
			otelhttp.WithMeterProvider(metricnoop.NewMeterProvider()),
			otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return "gateway " + r.Method }))
	}
	root.Handle("/v1/", http.MaxBytesHandler(api, int64(s.opts.MaxRecvBytes)))
	for path, doc := range map[string][]byte{"/openapi.json": s.opts.OpenAPI, "/openapi-v2.json": s.opts.OpenAPIV2} {
		root.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(doc)
		})
	}
	return root, nil
}

// ops is the operators' handler, on a listener of its own: Prometheus metrics and plain health endpoints.
func (s *Server) ops() http.Handler {
	root := http.NewServeMux()
	// OpenMetrics when the scraper asks for it (Prometheus does): the only format that carries exemplars.
	root.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	root.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		res, err := s.health.Check(r.Context(), &healthpb.HealthCheckRequest{})
		if err != nil || res.Status != healthpb.HealthCheckResponse_SERVING {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	return root
}

// startChecks runs checkLoop until ctx ends or the returned stop is called; stop returns once no check runs, so the
// stores' clients can be closed after Run returns (a check still in flight would use a closed driver).
func (s *Server) startChecks(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.checkLoop(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// checkLoop keeps grpc.health.v1 current: one status per dependency, and the overall status ("") SERVING only
// while every dependency that is not Degradable answers.
func (s *Server) checkLoop(ctx context.Context) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		s.checkOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (s *Server) checkOnce(ctx context.Context) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	all := healthpb.HealthCheckResponse_SERVING
	for name, check := range s.opts.Checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			st := healthpb.HealthCheckResponse_SERVING
			up := 1.0
			if err := check(cctx); err != nil {
				st, up = healthpb.HealthCheckResponse_NOT_SERVING, 0
				s.log.Warn("dependency not healthy", "dependency", name, "err", err)
			}
			if ctx.Err() == nil { // a check cut by shutdown says nothing about the store
				s.storeUp.WithLabelValues(name).Set(up)
			}
			s.health.SetServingStatus(name, st)
			mu.Lock()
			if st != healthpb.HealthCheckResponse_SERVING && !s.opts.Degradable[name] {
				all = st
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return
	}
	s.health.SetServingStatus("", all)
	for _, svc := range []string{pb.CommandService_ServiceDesc.ServiceName, pb.QueryService_ServiceDesc.ServiceName,
		pb.IngestService_ServiceDesc.ServiceName, pb.PlaybackService_ServiceDesc.ServiceName} {
		s.health.SetServingStatus(svc, all)
	}
}

// retryAfterErrors writes the gateway's error answers as grpc-gateway does (ResourceExhausted is 429), adding the
// Retry-After header HTTP clients look for from the status's RetryInfo, in whole seconds rounded up.
func retryAfterErrors(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	if st, ok := status.FromError(err); ok {
		for _, d := range st.Details() {
			if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay() != nil {
				secs := int64(math.Ceil(ri.GetRetryDelay().AsDuration().Seconds()))
				w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
				break
			}
		}
	}
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
}
