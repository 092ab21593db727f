package grpcapi

import (
	"context"
	"net"
	"net/netip"
	"testing"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// TestClientAddrs: x-forwarded-for counts only from a trusted proxy or with the in-process gateway's key, and then
// only back to the first address that is not a trusted proxy.
func TestClientAddrs(t *testing.T) {
	c := &ClientAddrs{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, gatewayKey: "k3y"}
	tests := []struct {
		name, peer string
		md         []string
		want       string
	}{
		{"no forwarding", "203.0.113.5:4000", nil, "203.0.113.5"},
		{"untrusted peer's header is ignored", "203.0.113.5:4000", []string{"x-forwarded-for", "1.2.3.4"}, "203.0.113.5"},
		{"loopback is not trusted by itself", "127.0.0.1:4000", []string{"x-forwarded-for", "1.2.3.4"}, "127.0.0.1"},
		{"a wrong gateway key", "127.0.0.1:4000", []string{gatewayKeyHeader, "guess", "x-forwarded-for", "1.2.3.4"}, "127.0.0.1"},
		{"trusted proxy", "10.0.0.7:4000", []string{"x-forwarded-for", "198.51.100.9"}, "198.51.100.9"},
		{"a spoofed hop left of the client", "10.0.0.7:4000", []string{"x-forwarded-for", "1.1.1.1, 198.51.100.9, 10.0.0.3"}, "198.51.100.9"},
		{"gateway: the HTTP peer is last", "127.0.0.1:4000", []string{gatewayKeyHeader, "k3y", "x-forwarded-for", "1.1.1.1, 198.51.100.9"}, "198.51.100.9"},
		{"gateway behind a trusted proxy", "127.0.0.1:4000", []string{gatewayKeyHeader, "k3y", "x-forwarded-for", "198.51.100.9, 10.0.0.7"}, "198.51.100.9"},
		{"malformed hop stops the walk", "10.0.0.7:4000", []string{"x-forwarded-for", "1.1.1.1, nonsense"}, "10.0.0.7"},
		{"IPv6 peer", "[2001:db8::1]:4000", nil, "2001:db8::1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr, err := net.ResolveTCPAddr("tcp", tc.peer)
			if err != nil {
				t.Fatal(err)
			}
			ctx := peer.NewContext(context.Background(), &peer.Peer{Addr: addr})
			if tc.md != nil {
				ctx = metadata.NewIncomingContext(ctx, metadata.Pairs(tc.md...))
			}
			if got := c.Of(ctx); got != tc.want {
				t.Fatalf("Of = %q, want %q", got, tc.want)
			}
		})
	}
	if got := (*ClientAddrs)(nil).Of(context.Background()); got != "" {
		t.Fatalf("no peer: %q", got)
	}
}
