// Package client is a small Go SDK for the streaming platform: one gRPC connection (to one server, or balanced over
// several) and the three generated service clients (Command, Query, Ingest), with the bearer token sent as per-RPC
// credentials; queries and RecordPlaybackEvents are retried on another server when one answers Unavailable, and an
// Ingester streams playback events until every one is stored.
//
// Usage:
//
//	c, err := client.Dial(ctx, "127.0.0.1:50051", client.WithToken(adminToken))
//	if err != nil {
//		return err // the server did not answer before ctx ended
//	}
//	defer c.Close()
//	login, err := c.Command.Login(ctx, &streamingv1.LoginRequest{Email: email, Password: pw})
//	if err != nil {
//		return err
//	}
//	me := c.WithToken(login.GetToken()) // same connection, the user's token
//	recs, err := me.Query.GetRecommendations(ctx, &streamingv1.GetRecommendationsRequest{UserId: login.GetUser().GetId()})
package client

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc"
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
	Command streamingv1.CommandServiceClient
	Query   streamingv1.QueryServiceClient
	Ingest  streamingv1.IngestServiceClient

	conn  *grpc.ClientConn
	token string
}

type options struct {
	token     string
	tls       *tls.Config
	userAgent string
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

// serviceConfig balances calls over every address (round robin) and retries, on Unavailable, the calls that are safe
// to repeat: every query, and RecordPlaybackEvents (event ids make a replay idempotent). Commands are not retried
// here: one that reached the server may have been applied (CreateSubscription carries an idempotency key for that).
const serviceConfig = `{
  "loadBalancingConfig": [{"round_robin": {}}],
  "methodConfig": [{
    "name": [{"service": "streaming.v1.QueryService"}, {"service": "streaming.v1.IngestService", "method": "RecordPlaybackEvents"}],
    "retryPolicy": {"maxAttempts": 4, "initialBackoff": "0.1s", "maxBackoff": "1s", "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]}
  }]
}`

// Dial connects to addr and waits until the connection is ready or has failed once, so a server that is not
// running is reported here rather than by the first call. addr is host:port, any gRPC target (dns:///name:port
// resolves every address of a name), or a comma-separated list of host:port: calls are balanced round robin over
// every address the target gives, and the safe ones retried on another when one answers Unavailable. ctx bounds the
// wait; the connection itself lives until Close.
func Dial(ctx context.Context, addr string, opts ...Option) (*Client, error) {
	var o options
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
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 20 * time.Second, Timeout: 10 * time.Second})}
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
		Command: streamingv1.NewCommandServiceClient(cc),
		Query:   streamingv1.NewQueryServiceClient(cc),
		Ingest:  streamingv1.NewIngestServiceClient(cc),
		conn:    conn,
		token:   token,
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
