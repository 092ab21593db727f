package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/storetest"
)

// TestLoginThrottledPerAccount: with the default limits, the 11th failed login of one account within a minute is
// ResourceExhausted with a retry hint (REST: 429 with Retry-After), while another account still logs in.
func TestLoginThrottledPerAccount(t *testing.T) {
	shared := server(t)
	ana, bea := newUser(t, shared), newUser(t, shared)
	built, conn, _, _ := startOwn(t, func(*config.Config) {}) // the configuration's defaults: 10 per account per minute
	cmd := pb.NewCommandServiceClient(conn)
	for i := range 10 {
		_, err := cmd.Login(as(t, ""), &pb.LoginRequest{Email: ana.email, Password: "wrong password"})
		if status.Code(err) != codes.Unauthenticated {
			t.Fatalf("failed login %d: %v, want Unauthenticated", i+1, err)
		}
	}
	_, err := cmd.Login(as(t, ""), &pb.LoginRequest{Email: ana.email, Password: "correct horse battery"})
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted {
		t.Fatalf("11th login: %v, want ResourceExhausted", err)
	}
	var hint time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			hint = ri.GetRetryDelay().AsDuration()
		}
	}
	if hint < time.Second || hint > time.Minute {
		t.Fatalf("11th login's RetryInfo = %s, want between 1s and the window", hint)
	}
	if _, err := cmd.Login(as(t, ""), &pb.LoginRequest{Email: bea.email, Password: "correct horse battery"}); err != nil {
		t.Fatalf("another account's login: %v", err)
	}
	code, header := restLogin(t, "http://"+built.Server.HTTPAddr(), ana.email, "")
	if code != http.StatusTooManyRequests {
		t.Fatalf("REST login over the limit: HTTP %d, want 429", code)
	}
	if s, err := strconv.Atoi(header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Fatalf("Retry-After = %q, want whole seconds within the window", header.Get("Retry-After"))
	}
}

// TestLoginThrottledPerClient: behind a trusted proxy the client is the X-Forwarded-For address; its limit holds
// across accounts, and another client is not affected. A REST call's client is the HTTP peer the gateway saw.
func TestLoginThrottledPerClient(t *testing.T) {
	built, _, _, _ := startOwn(t, func(c *config.Config) {
		c.LoginsPerClient = 3
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	url := "http://" + built.Server.HTTPAddr()
	// A client address of this run's own, so other runs sharing Redis do not spend its bucket.
	client := fmt.Sprintf("10.%d.%d.%d", rand.IntN(256), rand.IntN(256), rand.IntN(256))
	for i := range 3 {
		if code, _ := restLogin(t, url, "nobody-"+storetest.Unique()+"@example.com", client); code != http.StatusUnauthorized {
			t.Fatalf("attempt %d from %s: HTTP %d, want 401", i+1, client, code)
		}
	}
	code, header := restLogin(t, url, "nobody-"+storetest.Unique()+"@example.com", client)
	if code != http.StatusTooManyRequests || header.Get("Retry-After") == "" {
		t.Fatalf("4th attempt from %s: HTTP %d Retry-After %q, want 429 with Retry-After", client, code, header.Get("Retry-After"))
	}
	other := fmt.Sprintf("10.%d.%d.%d", rand.IntN(256), rand.IntN(256), rand.IntN(256))
	if code, _ := restLogin(t, url, "nobody-"+storetest.Unique()+"@example.com", other); code != http.StatusUnauthorized {
		t.Fatalf("another client: HTTP %d, want 401", code)
	}
}

// restLogin posts a login over REST, with X-Forwarded-For when xff is not empty.
func restLogin(t *testing.T, url, email, xff string) (int, http.Header) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": "correct horse battery"})
	req, _ := http.NewRequestWithContext(storetest.Context(t, 30*time.Second), "POST", url+"/v1/sessions", bytes.NewReader(b))
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /v1/sessions: %v", err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header
}
