package redis

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/redis/rueidis"
	"go.opentelemetry.io/otel/trace"

	"github.com/streamingplatform/streaming/server/tlsconf"
)

// Config says how to reach Redis.
type Config struct {
	// Addr is host:port, or several, comma-separated: the seed nodes of a Redis Cluster (any reachable one is
	// enough; the client asks it for the cluster's slots and follows failovers). A single address that answers
	// as a standalone server gets the standalone client.
	Addr string
	// ClientCache turns on client-side caching (RESP3 tracking), which serves the recommendation cache; everything
	// else reads with plain Do.
	ClientCache bool
	// DialTimeout bounds connecting (the client's default when 0), so a tool fails fast on an unreachable server.
	DialTimeout time.Duration
	// IOTimeout bounds each read and write on a connection and its keep-alive PINGs, so a server that stopped
	// answering is noticed (DialTimeout when 0; the client's default when both are 0).
	IOTimeout time.Duration
	// Retries is how many times a read-only command is retried after a network error (0: none). rueidis retries
	// until the call's deadline by default, so a call on a dead Redis took the whole deadline to fail; a small
	// budget keeps one broken connection from failing a call yet answers Unavailable at once when Redis is down.
	Retries int
	// Username and Password authenticate (AUTH, an ACL user; the default user when Username is ""). Empty: none.
	Username, Password string
	// TLS dials with TLS, verifying the server against CAFile (PEM; the system's roots when "").
	TLS    bool
	CAFile string
	// TracerProvider records a span per command or pipeline inside a trace (tracedClient); nil: the client is
	// returned bare (tracing off).
	TracerProvider trace.TracerProvider
}

// Open returns a client and its cleanup, the one way every process (streamingd, readcheck, bench) connects. The
// client connects at once: an unreachable server is an error naming its address.
func Open(_ context.Context, cfg Config) (rueidis.Client, func(), error) {
	opt := rueidis.ClientOption{InitAddress: Addrs(cfg.Addr), DisableCache: !cfg.ClientCache,
		Username: cfg.Username, Password: cfg.Password}
	if cfg.TLS {
		tc, err := tlsconf.Client(cfg.CAFile, "")
		if err != nil {
			return nil, nil, fmt.Errorf("redis %s: %w", cfg.Addr, err)
		}
		opt.TLSConfig = tc
	}
	if cfg.DialTimeout > 0 {
		opt.Dialer = net.Dialer{Timeout: cfg.DialTimeout}
		opt.ConnWriteTimeout = cfg.DialTimeout
	}
	if cfg.IOTimeout > 0 {
		opt.ConnWriteTimeout = cfg.IOTimeout
	}
	opt.RetryDelay = retryBudget(cfg.Retries)
	c, err := rueidis.NewClient(opt)
	if err != nil {
		return nil, nil, fmt.Errorf("redis %s: %w", cfg.Addr, err)
	}
	if cfg.TracerProvider != nil {
		return newTracedClient(c, cfg.TracerProvider), c.Close, nil
	}
	return c, c.Close, nil
}

// Addrs splits a comma-separated list of host:port, dropping empty entries.
func Addrs(list string) []string {
	var out []string
	for _, a := range strings.Split(list, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// retryBudget retries a read-only command at most n times, after a short pause (a reconnect), then gives up.
func retryBudget(n int) rueidis.RetryDelayFn {
	return func(attempts int, _ rueidis.Completed, _ error) time.Duration {
		if attempts > n { // attempts counts from 1
			return -1 // rueidis: do not retry
		}
		return time.Duration(attempts) * 5 * time.Millisecond
	}
}
