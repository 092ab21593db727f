package storetest

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// SwitchProxy is a loopback TCP proxy to a real store that an outage test switches off and on: while down it closes
// every new connection at once and has cut the ones it was forwarding, so a client sees the store go away without
// the store being stopped (other tests share it). One listener throughout, so no port has to be taken again.
type SwitchProxy struct {
	Addr   string
	target string
	up     atomic.Bool
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
}

// NewSwitchProxy listens on a loopback port and forwards to target; it starts up when up is true. The test's
// cleanup closes it.
func NewSwitchProxy(t testing.TB, target string, up bool) *SwitchProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &SwitchProxy{Addr: l.Addr().String(), target: target, conns: map[net.Conn]struct{}{}}
	p.up.Store(up)
	t.Cleanup(func() { l.Close(); p.cut() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			if !p.up.Load() {
				c.Close()
				continue
			}
			go p.forward(c)
		}
	}()
	return p
}

// Up lets traffic through again.
func (p *SwitchProxy) Up() { p.up.Store(true) }

// Down refuses new connections and cuts the open ones.
func (p *SwitchProxy) Down() {
	p.up.Store(false)
	p.cut()
}

func (p *SwitchProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *SwitchProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.up.Load() { // switched down while this connection was being set up
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *SwitchProxy) forward(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	if !p.track(c, s) {
		return
	}
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		delete(p.conns, s)
		p.mu.Unlock()
	}()
	go func() { io.Copy(s, c); s.Close() }()
	io.Copy(c, s)
}
