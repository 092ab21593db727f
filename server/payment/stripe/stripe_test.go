package stripe_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/payment/stripe"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// seen is one request that reached stripe-mock through the recording proxy.
type seen struct {
	method, path, idempotencyKey, auth string
	form                               url.Values
}

// throughProxy returns a base URL that forwards to stripe-mock and records what the adapter sent: stripe-mock
// checks each request against Stripe's API description but does not tell which headers it got.
func throughProxy(t *testing.T, target string) (string, func() []seen) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []seen
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		form, _ := url.ParseQuery(string(body))
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.Path, r.Header.Get("Idempotency-Key"), r.Header.Get("Authorization"), form})
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []seen {
		mu.Lock()
		defer mu.Unlock()
		return append([]seen(nil), got...)
	}
}

// TestChargeAgainstStripeMock: an approved charge, its retry with the same key, and the request stripe-mock
// validated against Stripe's API description.
func TestChargeAgainstStripeMock(t *testing.T) {
	cfg := storetest.Settings(t)
	storetest.Require(t, "stripe-mock", cfg.StripeMockAddr())
	base, requests := throughProxy(t, cfg.StripeMockURL())
	p, err := stripe.New(stripe.Config{APIKey: "sk_test_123", BaseURL: base, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := storetest.Context(t, 30*time.Second)
	c := streaming.Charge{IdempotencyKey: "sub_" + storetest.Unique(), UserID: "u1", AmountCents: 999, Currency: "EUR",
		Method: streaming.PaymentCard, Token: "pm_card_visa"}
	first, err := p.Charge(ctx, c)
	if err != nil {
		t.Fatalf("Charge: %v", err)
	}
	if !first.Approved || !strings.HasPrefix(first.Reference, "pi_") || first.Reason != "" || first.Fingerprint == "" {
		t.Fatalf("Charge = %+v, want approved with a PaymentIntent reference and the card's fingerprint", first)
	}
	// The retry sends the same Idempotency-Key (checked below), which is what makes Stripe answer it with the
	// first PaymentIntent; stripe-mock remembers nothing, so only the outcome can be compared here.
	again, err := p.Charge(ctx, c)
	if err != nil || !again.Approved || !strings.HasPrefix(again.Reference, "pi_") {
		t.Fatalf("retry = %+v, %v; want approved like %+v", again, err, first)
	}
	got := charges(requests())
	if len(got) != 2 {
		t.Fatalf("%d charge requests reached stripe-mock, want 2: %+v", len(got), got)
	}
	for _, r := range got {
		want := url.Values{"amount": {"999"}, "currency": {"eur"}, "confirm": {"true"}, "payment_method": {"pm_card_visa"},
			"payment_method_types[0]": {"card"}, "metadata[user_id]": {"u1"}, "expand[0]": {"payment_method"}}
		if r.method != http.MethodPost || r.path != "/v1/payment_intents" || r.idempotencyKey != c.IdempotencyKey ||
			r.auth != "Bearer sk_test_123" {
			t.Fatalf("request %s %s key %q auth %q", r.method, r.path, r.idempotencyKey, r.auth)
		}
		for k, v := range want {
			if r.form.Get(k) != v[0] {
				t.Fatalf("form %s = %q, want %q (form %v)", k, r.form.Get(k), v[0], r.form)
			}
		}
	}
}

// TestChargeProcessorDown: nothing listening is an outage, retryable.
func TestChargeProcessorDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	p, err := stripe.New(stripe.Config{APIKey: "sk_test_123", BaseURL: base, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Charge(t.Context(), streaming.Charge{IdempotencyKey: "k", AmountCents: 999, Currency: "EUR", Token: "pm_card_visa"})
	if streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Fatalf("Charge = %v, want unavailable", err)
	}
}

// charges are the requests that charge: stripe-mock echoes payment_method as the id sent instead of expanding it (Stripe
// expands it), so after each charge the processor reads the card once more for its fingerprint (GET
// /v1/payment_methods/<id>), which this leaves out.
func charges(all []seen) []seen {
	var out []seen
	for _, r := range all {
		if r.method != http.MethodGet || !strings.HasPrefix(r.path, "/v1/payment_methods/") {
			out = append(out, r)
		}
	}
	return out
}
