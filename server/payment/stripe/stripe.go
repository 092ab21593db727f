// Package stripe is the payment processor adapter for Stripe's PaymentIntents API: one PaymentIntent created and
// confirmed per charge, our idempotency key forwarded as Stripe's Idempotency-Key so a retried charge is never
// taken twice. It is tested against stripe-mock (the local stack starts it) for the request shapes and the happy
// path, and by unit tests of the error mapping for declines and outages, which stripe-mock cannot produce.
package stripe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	stripeapi "github.com/stripe/stripe-go/v82"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Config is how to reach Stripe.
type Config struct {
	APIKey  string        // secret key (sk_...); never logged
	BaseURL string        // "" for https://api.stripe.com; stripe-mock's URL in tests and locally
	Timeout time.Duration // per HTTP request, retries included in the caller's deadline
	// MaxNetworkRetries is how often the library retries a request that failed on the network or with a
	// retryable status; the same Idempotency-Key makes that safe.
	MaxNetworkRetries int64
}

// Processor charges through Stripe. It implements streaming.PaymentProcessor.
type Processor struct {
	client *stripeapi.Client
}

// New builds a Processor. It does not call Stripe.
func New(cfg Config) (*Processor, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("stripe: an API key is required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	bc := &stripeapi.BackendConfig{
		HTTPClient:        &http.Client{Timeout: cfg.Timeout},
		MaxNetworkRetries: stripeapi.Int64(cfg.MaxNetworkRetries),
		// The library logs request errors with their bodies; we return them to the caller instead, who logs once.
		LeveledLogger: &stripeapi.LeveledLogger{Level: stripeapi.LevelNull},
	}
	if cfg.BaseURL != "" {
		bc.URL = stripeapi.String(strings.TrimRight(cfg.BaseURL, "/"))
	}
	return &Processor{client: stripeapi.NewClient(cfg.APIKey, stripeapi.WithBackends(stripeapi.NewBackendsWithConfig(bc)))}, nil
}

// Charge creates and confirms a PaymentIntent for c. c.Token is a Stripe PaymentMethod id (pm_...) made by the
// client with Stripe.js, never a card number. A decline is a ChargeResult with Approved false; an outage is a
// CodeUnavailable error, safe to retry with the same c.IdempotencyKey.
func (p *Processor) Charge(ctx context.Context, c streaming.Charge) (streaming.ChargeResult, error) {
	params, err := PaymentIntentParams(c)
	if err != nil {
		return streaming.ChargeResult{}, err
	}
	params.Context = ctx
	pi, err := p.client.V1PaymentIntents.Create(ctx, params)
	if err != nil {
		return MapError(err)
	}
	res := resultOf(pi)
	if res.Approved && res.Fingerprint == "" && pi.PaymentMethod != nil && pi.PaymentMethod.ID != "" {
		// Not expanded (stripe-mock echoes the id it was sent): read the card once more. The fingerprint is a
		// soft signal, so a failure here leaves it unknown and never fails the charge taken.
		if pm, err := p.client.V1PaymentMethods.Retrieve(ctx, pi.PaymentMethod.ID, nil); err == nil && pm.Card != nil {
			res.Fingerprint = pm.Card.Fingerprint
		}
	}
	return res, nil
}

// zeroDecimal are the currencies Stripe counts in whole units (https://docs.stripe.com/currencies#zero-decimal):
// our prices are hundredths of the unit in every currency, Stripe's amount is the smallest unit it knows.
var zeroDecimal = map[string]bool{"BIF": true, "CLP": true, "DJF": true, "GNF": true, "JPY": true, "KMF": true,
	"KRW": true, "MGA": true, "PYG": true, "RWF": true, "UGX": true, "VND": true, "VUV": true, "XAF": true,
	"XOF": true, "XPF": true}

// PaymentIntentParams is the create-and-confirm request for c: amount in the currency's smallest unit, currency
// in Stripe's lower case, card only (no redirecting methods: a subscription is charged without the customer on a
// page), and our key as the Idempotency-Key header.
func PaymentIntentParams(c streaming.Charge) (*stripeapi.PaymentIntentCreateParams, error) {
	amount := c.AmountCents
	if zeroDecimal[strings.ToUpper(c.Currency)] {
		if amount%100 != 0 {
			return nil, streaming.Invalid("monthly_price", "%s has no fractional unit", strings.ToUpper(c.Currency))
		}
		amount /= 100
	}
	params := &stripeapi.PaymentIntentCreateParams{
		Amount:             stripeapi.Int64(amount),
		Currency:           stripeapi.String(strings.ToLower(c.Currency)),
		Confirm:            stripeapi.Bool(true),
		PaymentMethod:      stripeapi.String(c.Token),
		PaymentMethodTypes: []*string{stripeapi.String("card")},
		Metadata:           map[string]string{"user_id": c.UserID},
	}
	// The payment method comes back whole, for its card's fingerprint (the risk signals): one request, no second one.
	params.AddExpand("payment_method")
	params.SetIdempotencyKey(c.IdempotencyKey)
	return params, nil
}

// resultOf reads a PaymentIntent Stripe answered without an error. A confirmed intent that has not succeeded is a
// decline: requires_action needs the customer (3-D Secure), which a server-side charge cannot complete.
func resultOf(pi *stripeapi.PaymentIntent) streaming.ChargeResult {
	res := streaming.ChargeResult{Reference: pi.ID}
	if pm := pi.PaymentMethod; pm != nil && pm.Card != nil {
		res.Fingerprint = pm.Card.Fingerprint
	}
	switch pi.Status {
	case stripeapi.PaymentIntentStatusSucceeded, stripeapi.PaymentIntentStatusProcessing,
		stripeapi.PaymentIntentStatusRequiresCapture:
		res.Approved = true
	case stripeapi.PaymentIntentStatusRequiresAction:
		res.Reason = "the card requires authentication"
	default:
		res.Reason = "payment " + strings.ReplaceAll(string(pi.Status), "_", " ")
		if e := pi.LastPaymentError; e != nil && e.Msg != "" {
			res.Reason = e.Msg
		}
	}
	return res
}

// MapError turns a failed Stripe call into our answer: a card error is a decline (a result, not an error), with
// Stripe's message for the customer; everything that may pass on retry (network errors, timeouts, 5xx, rate
// limits, a concurrent request with the same key) is CodeUnavailable; anything else (a bad key, an invalid
// request, a key reused with other parameters) is a fault of ours, an internal error.
func MapError(err error) (streaming.ChargeResult, error) {
	var se *stripeapi.Error
	if !errors.As(err, &se) {
		// No answer from Stripe at all: connection refused, DNS, TLS, timeout, canceled context.
		return streaming.ChargeResult{}, streaming.Unavailable("the payment processor", err)
	}
	if se.Type == stripeapi.ErrorTypeCard {
		res := streaming.ChargeResult{Reason: se.Msg}
		if se.PaymentIntent != nil {
			res.Reference = se.PaymentIntent.ID
		}
		if res.Reason == "" {
			res.Reason = "card declined"
			if se.DeclineCode != "" {
				res.Reason = "card declined: " + strings.ReplaceAll(string(se.DeclineCode), "_", " ")
			}
		}
		return res, nil
	}
	// safe is what goes into the error: never the request, which could hold a key in a header the library echoes.
	safe := fmt.Errorf("stripe: %s %s (status %d, request %s)", se.Type, se.Code, se.HTTPStatusCode, se.RequestID)
	switch {
	case se.HTTPStatusCode >= 500, se.HTTPStatusCode == http.StatusTooManyRequests, se.Code == stripeapi.ErrorCodeRateLimit,
		se.Type == stripeapi.ErrorTypeAPI, se.HTTPStatusCode == http.StatusConflict && se.Type == stripeapi.ErrorTypeIdempotency && isConcurrent(se):
		return streaming.ChargeResult{}, streaming.Unavailable("the payment processor", safe)
	}
	return streaming.ChargeResult{}, &streaming.Error{Code: streaming.CodeInternal, Message: "internal error", Err: safe}
}

// isConcurrent: Stripe answers 409 with an idempotency_error both for a request still running with the same key
// (retry later) and for a key reused with other parameters (our bug). Only the first passes on retry.
func isConcurrent(se *stripeapi.Error) bool {
	return strings.Contains(strings.ToLower(se.Msg), "concurrent")
}
