// Package client is the Go SDK of the streaming platform: one gRPC connection (to one server, or balanced round robin
// over several), the generated service clients (Command, Query, Playback, Ingest) with the bearer token sent as
// per-RPC credentials, retries of the calls that are safe to repeat, typed errors, and a Batcher that streams
// playback events until every one is durable.
//
// Usage:
//
//	c, err := client.Dial(ctx, "10.0.0.1:50051,10.0.0.2:50051", client.WithToken(adminToken))
//	if err != nil {
//		return err // no server answered before ctx ended
//	}
//	defer c.Close()
//	login, err := c.Command.Login(ctx, &streamingv1.LoginRequest{Email: email, Password: pw})
//	if err != nil {
//		return err
//	}
//	me := c.WithToken(login.GetToken()) // same connection, the user's token
//	recs, err := me.Query.GetRecommendations(ctx, &streamingv1.GetRecommendationsRequest{UserId: login.GetUser().GetId()})
//
// # Retries
//
// The connection's service config retries, on UNAVAILABLE (a server going away, a store it needs down, a connection
// cut mid-call), up to 4 attempts with exponential backoff (0.1s doubling to 1s), on whichever server round robin
// picks next, the calls that are safe to repeat:
//
//	QueryService, every method             reads
//	PlaybackService, every method          keyed by the device id: a repeated Start replaces the device's own
//	                                       lease, Renew extends it again, Stop of a gone lease is not an error
//	IngestService.RecordPlaybackEvents     keyed by event id: a replay rewrites the same rows
//	CommandService.CreateSubscription      keyed by its required idempotency key: the server replays the first
//	                                       answer (and charges once)
//
// No other command is retried on UNAVAILABLE: one that reached the server may have been applied, and a second
// RegisterUser answers AlreadyExists, a second Login opens another session, a second CancelSubscription fails its
// precondition. A caller that knows better (it handles AlreadyExists, or the command replaces a value) wraps the
// call in Retry. Retries are throttled per connection (gRPC's retryThrottling), so a whole cluster down does not
// multiply the load by four.
//
// Every unary call answered RESOURCE_EXHAUSTED with a google.rpc.RetryInfo (busy: no password-hash slot free, too
// many conflicting transactions, a login limit, an ingest quota) is sent again after the delay the server asked for,
// whatever the method: such an answer is a refusal (its transaction rolled back or never began, the ingest batch was
// not taken), so repeating the call is safe. The SDK waits at most WithRetryInfoWait in all (10s by default) and
// never past the call's deadline; a longer wait is the caller's decision (RetryAfter). The IngestPlaybackEvents
// stream is not retried by gRPC: the Batcher resumes it (see Batcher).
//
// # Errors
//
// Errors of the stubs are *Error (errors.As), with the status's details decoded: FieldViolations (BadRequest),
// RetryAfter (RetryInfo), Reason (ErrorInfo), Quota (QuotaFailure); IsRetryable says whether the answer invites a
// retry. status.Code and status.Convert keep working on them.
package client

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"

	streamingv1 "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// Client holds a connection and the service clients bound to one token. Copies made by WithToken share the
// connection; only the Client returned by Dial should be closed.
type Client struct {
	Command  streamingv1.CommandServiceClient
	Query    streamingv1.QueryServiceClient
	Playback streamingv1.PlaybackServiceClient
	Ingest   streamingv1.IngestServiceClient

	conn  *grpc.ClientConn
	token string
}

type options struct {
	token         string
	tls           *tls.Config
	userAgent     string
	retryInfoWait time.Duration
	dialOpts      []grpc.DialOption
}

// Option configures Dial.
type Option func(*options)

// WithToken sends "authorization: Bearer <token>" on every call (a session token from Login, or the operator's
// admin or service credential). An empty token means anonymous calls.
func WithToken(token string) Option { return func(o *options) { o.token = token } }

// WithTLS connects over TLS with the given configuration. Without it the connection is plaintext, which is meant
// for a local server.
func WithTLS(cfg *tls.Config) Option { return func(o *options) { o.tls = cfg } }

// WithUserAgent prefixes the gRPC user agent, so the server's logs can tell callers apart.
func WithUserAgent(ua string) Option { return func(o *options) { o.userAgent = ua } }

// WithRetryInfoWait is how long, in all, a unary call answered RESOURCE_EXHAUSTED with a RetryInfo may wait for the
// delays the server asks for before the SDK gives the answer to the caller (10s by default; 0 turns these retries
// off, so every busy answer reaches the caller at once).
func WithRetryInfoWait(d time.Duration) Option {
	return func(o *options) { o.retryInfoWait = max(0, d) }
}

// WithDialOptions adds gRPC dial options (a stats handler, interceptors of the caller's own, ...) after the SDK's.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.dialOpts = append(o.dialOpts, opts...) }
}

// serviceConfig balances calls over every address (round robin) and retries, on UNAVAILABLE, the calls that are safe
// to repeat (the table in the package documentation). retryThrottling stops retrying while more than about half of
// the last hundred calls failed, so an outage of every server does not multiply the load.
const serviceConfig = `{
  "loadBalancingConfig": [{"round_robin": {}}],
  "methodConfig": [{
    "name": [
      {"service": "streaming.v1.QueryService"},
      {"service": "streaming.v1.PlaybackService"},
      {"service": "streaming.v1.IngestService", "method": "RecordPlaybackEvents"},
      {"service": "streaming.v1.CommandService", "method": "CreateSubscription"}
    ],
    "retryPolicy": {"maxAttempts": 4, "initialBackoff": "0.1s", "maxBackoff": "1s", "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]}
  }],
  "retryThrottling": {"maxTokens": 100, "tokenRatio": 0.1}
}`

// Dial connects to addr and waits until the connection is ready or has failed once, so a server that is not
// running is reported here rather than by the first call. addr is host:port, any gRPC target (dns:///name:port
// resolves every address of a name), or a comma-separated list of host:port: calls are balanced round robin over
// every address the target gives, and the safe ones retried on another when one answers Unavailable. ctx bounds the
// wait; the connection itself lives until Close.
func Dial(ctx context.Context, addr string, opts ...Option) (*Client, error) {
	o := options{retryInfoWait: 10 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	transport := insecure.NewCredentials()
	if o.tls != nil {
		transport = credentials.NewTLS(o.tls)
	}
	dialOpts := []grpc.DialOption{grpc.WithTransportCredentials(transport), grpc.WithDefaultServiceConfig(serviceConfig),
		// A server that vanished without closing its connections (its host lost, its process frozen) is noticed
		// within 30 s, so a stream waiting for its answer fails and is sent again elsewhere instead of hanging until
		// the caller's deadline. 20 s respects the server's keep-alive policy (pings at most every 10 s).
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 20 * time.Second, Timeout: 10 * time.Second}),
		grpc.WithChainUnaryInterceptor(typedErrors, retryInfo(o.retryInfoWait)),
		grpc.WithChainStreamInterceptor(typedStreamErrors)}
	if strings.Contains(addr, ",") {
		r := manual.NewBuilderWithScheme("streaming-list")
		var state resolver.State
		for _, a := range strings.Split(addr, ",") {
			state.Addresses = append(state.Addresses, resolver.Address{Addr: strings.TrimSpace(a)})
		}
		r.InitialState(state)
		dialOpts = append(dialOpts, grpc.WithResolvers(r))
		addr = r.Scheme() + ":///list"
	}
	if o.userAgent != "" {
		dialOpts = append(dialOpts, grpc.WithUserAgent(o.userAgent))
	}
	dialOpts = append(dialOpts, o.dialOpts...)
	conn, err := grpc.NewClient(addr, dialOpts...)
	if err != nil {
		return nil, fmt.Errorf("client: %s: %w", addr, err)
	}
	if err := waitReady(ctx, conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("client: cannot reach %s: %w", addr, err)
	}
	return newClient(conn, o.token), nil
}

// typedErrors makes a unary call's status error an *Error (the outermost interceptor, so the caller gets it).
func typedErrors(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	return wrapError(invoker(ctx, method, req, reply, cc, opts...))
}

// busyAttempts bounds the calls retryInfo makes for one call, the first included.
const busyAttempts = 5

// retryInfo sends a unary call answered RESOURCE_EXHAUSTED with a RetryInfo again after the delay asked for (plus up
// to a tenth, so callers turned away together do not come back together), while the delays add up to at most
// maxWait and end before the call's deadline. gRPC's own retry policy runs inside it (UNAVAILABLE, safe methods).
func retryInfo(maxWait time.Duration) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		var waited time.Duration
		for attempt := 1; ; attempt++ {
			err := invoker(ctx, method, req, reply, cc, opts...)
			if err == nil || maxWait <= 0 || attempt >= busyAttempts {
				return err
			}
			e, ok := AsError(err)
			if !ok || e.Code != codes.ResourceExhausted {
				return err
			}
			d, ok := e.RetryAfter()
			if !ok {
				return err
			}
			d += rand.N(d/10 + 1)
			if waited+d > maxWait {
				return err
			}
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
				return err
			}
			if sleep(ctx, d) != nil {
				return err
			}
			waited += d
		}
	}
}

// typedStreamErrors makes a stream's status errors *Error. io.EOF from Send (the server ended the stream: the status
// comes from the receive) stays io.EOF.
func typedStreamErrors(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	s, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		return nil, wrapError(err)
	}
	return typedStream{s}, nil
}

type typedStream struct{ grpc.ClientStream }

func (s typedStream) SendMsg(m any) error {
	err := s.ClientStream.SendMsg(m)
	if err == io.EOF {
		return err
	}
	return wrapError(err)
}

func (s typedStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err == io.EOF {
		return err
	}
	return wrapError(err)
}

func (s typedStream) CloseSend() error { return wrapError(s.ClientStream.CloseSend()) }

// waitReady connects and returns nil once the connection is ready, or an error after the first failed attempt
// (grpc keeps retrying in the background, but a caller starting up wants to know now).
func waitReady(ctx context.Context, conn *grpc.ClientConn) error {
	conn.Connect()
	for {
		switch s := conn.GetState(); s {
		case connectivity.Ready:
			return nil
		case connectivity.TransientFailure, connectivity.Shutdown:
			return fmt.Errorf("connection %s", s)
		default:
			if !conn.WaitForStateChange(ctx, s) {
				return ctx.Err()
			}
		}
	}
}

func newClient(conn *grpc.ClientConn, token string) *Client {
	var cc grpc.ClientConnInterface = conn
	if token != "" {
		cc = authConn{ClientConn: conn, creds: grpc.PerRPCCredentials(bearer(token))}
	}
	return &Client{
		Command:  streamingv1.NewCommandServiceClient(cc),
		Query:    streamingv1.NewQueryServiceClient(cc),
		Playback: streamingv1.NewPlaybackServiceClient(cc),
		Ingest:   streamingv1.NewIngestServiceClient(cc),
		conn:     conn,
		token:    token,
	}
}

// WithToken returns a Client on the same connection whose calls carry token instead ("" for anonymous). It is
// cheap: use one per user on a shared connection.
func (c *Client) WithToken(token string) *Client { return newClient(c.conn, token) }

// Token is the bearer token the calls carry, "" for anonymous.
func (c *Client) Token() string { return c.token }

// Conn is the underlying connection, for other services (health) or raw stubs.
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Close closes the connection shared by this Client and every copy made with WithToken.
func (c *Client) Close() error { return c.conn.Close() }

// authConn adds the token's credentials to every call made through the generated stubs (never appending to the
// caller's options slice, which it may share).
type authConn struct {
	*grpc.ClientConn
	creds grpc.CallOption
}

func (a authConn) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	return a.ClientConn.Invoke(ctx, method, args, reply, append(opts[:len(opts):len(opts)], a.creds)...)
}

func (a authConn) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return a.ClientConn.NewStream(ctx, desc, method, append(opts[:len(opts):len(opts)], a.creds)...)
}

// bearer is a per-RPC credential. It does not require transport security, so a local plaintext connection can
// carry it; over the network, use WithTLS.
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

func (bearer) RequireTransportSecurity() bool { return false }
