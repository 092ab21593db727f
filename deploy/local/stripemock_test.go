package main

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/storetest"
)

// TestStripeMockLifecycle installs the pinned stripe-mock into a fresh STACK_HOME, starts it on a free loopback
// port, probes it, checks that a confirmed PaymentIntent comes back succeeded (our fixtures), and stops it.
func TestStripeMockLifecycle(t *testing.T) {
	if testing.Short() { // CI never runs -short: there it would fail
		storetest.Missing(t, "builds stripe-mock with go install, which -short leaves out")
	}
	t.Setenv("STACK_HOME", t.TempDir())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	t.Setenv("STACK_STRIPE_MOCK_PORT", strconv.Itoa(port))
	s := newStripeMock(loadForTest(t))
	ctx := t.Context()
	if err := s.Install(ctx); err != nil {
		t.Fatalf("Install: %v", err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.Stop(ctx) })
	var version string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if version, err = s.Probe(ctx); err == nil {
			break
		}
		if time.Now().After(deadline) || s.Exited() != "" {
			t.Fatalf("Probe: %v; exited: %s", err, s.Exited())
		}
	}
	if version != "stripe-mock v0.203.0" {
		t.Fatalf("version = %q", version)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.StripeMockURL()+"/v1/payment_intents",
		strings.NewReader("amount=999&currency=eur&confirm=true&payment_method=pm_card_visa"))
	req.Header.Set("Authorization", "Bearer sk_test_123")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var pi struct{ Status string }
	if err := json.NewDecoder(res.Body).Decode(&pi); err != nil || res.StatusCode != 200 || pi.Status != "succeeded" {
		t.Fatalf("create PaymentIntent: %s %v status %q", res.Status, err, pi.Status)
	}
	pid := s.PID()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if s.PID() != 0 || alive(pid) {
		t.Fatalf("pid %d still running after Stop", pid)
	}
	if _, err := os.Stat(s.bin()); err != nil {
		t.Fatal(err)
	}
}
