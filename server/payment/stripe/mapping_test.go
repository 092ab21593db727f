package stripe_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	stripeapi "github.com/stripe/stripe-go/v82"

	"github.com/streamingplatform/streaming/server/payment/stripe"
	"github.com/streamingplatform/streaming/server/streaming"
)

// TestMapError feeds Stripe's documented error bodies (https://docs.stripe.com/api/errors) through the library's
// own response parsing, as a failed call would, and checks our answer. stripe-mock never declines, so this is
// where declines and outages are tested.
func TestMapError(t *testing.T) {
	backend := stripeapi.GetBackendWithConfig(stripeapi.APIBackend, &stripeapi.BackendConfig{
		LeveledLogger: &stripeapi.LeveledLogger{Level: stripeapi.LevelNull}}).(*stripeapi.BackendImplementation)
	fromBody := func(status int, body string) error {
		h := http.Header{}
		h.Set("Request-Id", "req_123")
		return backend.ResponseToError(&http.Response{StatusCode: status, Header: h}, []byte(body))
	}
	cases := []struct {
		name     string
		err      error
		code     streaming.Code // "" for a decline result
		reason   string
		ref      string
		internal bool
	}{
		{name: "declined, insufficient funds", err: fromBody(402, `{"error": {"type": "card_error", "code": "card_declined",
			"decline_code": "insufficient_funds", "message": "Your card has insufficient funds.",
			"payment_intent": {"id": "pi_3", "object": "payment_intent", "status": "requires_payment_method"}}}`),
			reason: "Your card has insufficient funds.", ref: "pi_3"},
		{name: "declined without a message", err: fromBody(402, `{"error": {"type": "card_error", "code": "card_declined",
			"decline_code": "do_not_honor"}}`), reason: "card declined: do not honor"},
		{name: "expired card", err: fromBody(402, `{"error": {"type": "card_error", "code": "expired_card",
			"message": "Your card has expired."}}`), reason: "Your card has expired."},
		{name: "stripe outage", err: fromBody(500, `{"error": {"type": "api_error", "message": "An unknown error occurred"}}`),
			code: streaming.CodeUnavailable},
		{name: "bad gateway without JSON", err: fromBody(502, `<html>502 Bad Gateway</html>`), code: streaming.CodeUnavailable},
		{name: "rate limited", err: fromBody(429, `{"error": {"type": "invalid_request_error", "code": "rate_limit",
			"message": "Too many requests hit the API too quickly."}}`), code: streaming.CodeUnavailable},
		{name: "same key still running", err: fromBody(409, `{"error": {"type": "idempotency_error",
			"message": "There is currently another in-progress request using this Stripe token (probably means you have a concurrent request). Please try again later."}}`),
			code: streaming.CodeUnavailable},
		{name: "key reused with other parameters", err: fromBody(400, `{"error": {"type": "idempotency_error",
			"message": "Keys for idempotent requests can only be used with the same parameters they were first used with."}}`),
			code: streaming.CodeInternal, internal: true},
		{name: "bad API key", err: fromBody(401, `{"error": {"type": "invalid_request_error",
			"message": "Invalid API Key provided: sk_test_****1234"}}`), code: streaming.CodeInternal, internal: true},
		{name: "invalid request", err: fromBody(400, `{"error": {"type": "invalid_request_error", "code": "parameter_invalid_integer",
			"param": "amount", "message": "Invalid integer: abc"}}`), code: streaming.CodeInternal, internal: true},
		{name: "connection refused", err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")},
			code: streaming.CodeUnavailable},
		{name: "timeout", err: context.DeadlineExceeded, code: streaming.CodeUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := stripe.MapError(tc.err)
			if tc.code == "" {
				if err != nil || res.Approved || res.Reason != tc.reason || res.Reference != tc.ref {
					t.Fatalf("MapError = %+v, %v; want a decline %q ref %q", res, err, tc.reason, tc.ref)
				}
				return
			}
			if streaming.ErrorCode(err) != tc.code || res.Approved {
				t.Fatalf("MapError = %+v, %v; want code %s", res, err, tc.code)
			}
			if tc.internal && streaming.AsError(err).Message != "internal error" {
				t.Fatalf("message %q reveals the cause", streaming.AsError(err).Message)
			}
		})
	}
}

// TestPaymentIntentParams: amounts go to Stripe in the currency's smallest unit.
func TestPaymentIntentParams(t *testing.T) {
	cases := []struct {
		currency string
		cents    int64
		amount   int64
		invalid  bool
	}{
		{"EUR", 999, 999, false},
		{"usd", 50, 50, false},
		{"JPY", 120000, 1200, false},
		{"JPY", 120050, 0, true},
	}
	for _, tc := range cases {
		p, err := stripe.PaymentIntentParams(streaming.Charge{IdempotencyKey: "k", AmountCents: tc.cents, Currency: tc.currency,
			Token: "pm_card_visa"})
		if tc.invalid {
			if streaming.ErrorCode(err) != streaming.CodeInvalid {
				t.Errorf("%d %s: err = %v, want invalid", tc.cents, tc.currency, err)
			}
			continue
		}
		if err != nil || *p.Amount != tc.amount || *p.Currency != strings.ToLower(tc.currency) || *p.IdempotencyKey != "k" ||
			!*p.Confirm {
			t.Errorf("%d %s: params %+v, %v; want amount %d", tc.cents, tc.currency, p, err, tc.amount)
		}
	}
}
