package grpcapi

import (
	"context"
	"crypto/subtle"
	"net"
	"net/netip"
	"strings"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// gatewayKeyHeader carries the in-process REST gateway's per-process key with each of its calls, so the server knows
// that a call's x-forwarded-for was written by its own gateway (the HTTP client's address last) and not by a caller.
const gatewayKeyHeader = "x-streaming-gateway-key"

// ClientAddrs tells the address of the client behind a call, for per-client throttling. The immediate peer is the
// client unless it is a trusted proxy (Trusted) or this process's own REST gateway; only then is x-forwarded-for
// read, from the right, past every trusted hop, so a client cannot choose the address it is counted under.
type ClientAddrs struct {
	Trusted []netip.Prefix

	gatewayKey string // set by New; "" before: no call counts as the gateway's
}

// Of returns the client address of the call in ctx ("" when there is no peer, as in some tests).
func (c *ClientAddrs) Of(ctx context.Context) string {
	var cur netip.Addr
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		cur = ipOf(p.Addr.String())
	}
	if !cur.IsValid() {
		return ""
	}
	md, _ := metadata.FromIncomingContext(ctx)
	trusted := c.fromGateway(md) || c.trusts(cur)
	if !trusted {
		return cur.String()
	}
	hops := strings.Split(strings.Join(md.Get("x-forwarded-for"), ","), ",")
	for i := len(hops) - 1; i >= 0 && trusted; i-- {
		hop := ipOf(strings.TrimSpace(hops[i]))
		if !hop.IsValid() {
			break // a malformed hop: the last trusted hop's word ends here
		}
		cur, trusted = hop, c.trusts(hop)
	}
	return cur.String()
}

func (c *ClientAddrs) fromGateway(md metadata.MD) bool {
	if c == nil || c.gatewayKey == "" {
		return false
	}
	for _, v := range md.Get(gatewayKeyHeader) {
		if subtle.ConstantTimeCompare([]byte(v), []byte(c.gatewayKey)) == 1 {
			return true
		}
	}
	return false
}

func (c *ClientAddrs) trusts(a netip.Addr) bool {
	if c == nil {
		return false
	}
	for _, p := range c.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ipOf parses an address with or without a port; IPv4-mapped IPv6 addresses become IPv4.
func ipOf(s string) netip.Addr {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

type clientAddrKey struct{}

// ClientAddrFrom is the client address the interceptors found for the call ("" when unknown).
func ClientAddrFrom(ctx context.Context) string {
	s, _ := ctx.Value(clientAddrKey{}).(string)
	return s
}
