package redis

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/redis/rueidis"
)

// Config says how to reach Redis.
type Config struct {
	Addr string // host:port
	// ClientCache turns on client-side caching (RESP3 tracking), which serves the recommendation cache; everything
	// else reads with plain Do.
	ClientCache bool
	// DialTimeout bounds connecting (the client's default when 0), so a tool fails fast on an unreachable server.
	DialTimeout time.Duration
}

// Open returns a client and its cleanup, the one way every process (streamingd, readcheck, bench) connects. The
// client connects at once: an unreachable server is an error naming its address.
func Open(_ context.Context, cfg Config) (rueidis.Client, func(), error) {
	opt := rueidis.ClientOption{InitAddress: []string{cfg.Addr}, DisableCache: !cfg.ClientCache}
	if cfg.DialTimeout > 0 {
		opt.Dialer = net.Dialer{Timeout: cfg.DialTimeout}
		opt.ConnWriteTimeout = cfg.DialTimeout
	}
	c, err := rueidis.NewClient(opt)
	if err != nil {
		return nil, nil, fmt.Errorf("redis %s: %w", cfg.Addr, err)
	}
	return c, c.Close, nil
}
