package command_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/streaming"
)

type createSubscriptionTx struct {
	*fakeIdempotency
	*fakeUsers
	*fakePlans
	*fakePaymentAttempts
	*fakeSubscriptions
	*fakePayments
	*fakeInvoices
	*fakeOutbox
}

// subscribeWorld is the state one CreateSubscription test case runs against, and what the command did to it.
type subscribeWorld struct {
	claimed, completed []string // scope + " " + key
	hashes             []string
	response           []byte
	charges            []streaming.Charge
	subs               []streaming.Subscription
	payments           []streaming.Payment
	attempts           map[string]streaming.PaymentAttempt // open ones, by scope + " " + key
	declined           []streaming.PaymentAttempt
	released           []string // scope + " " + key
	invoices           []streaming.Invoice
	tokens             map[string]string // saved payment tokens by subscription
	out                fakeOutbox
}

// invoiceRepo keeps the world's invoices and saved payment tokens.
func (w *subscribeWorld) invoiceRepo() *fakeInvoices {
	return &fakeInvoices{
		create: func(inv *streaming.Invoice) error {
			inv.ID = fmt.Sprintf("i%d", len(w.invoices)+1)
			w.invoices = append(w.invoices, *inv)
			return nil
		},
		saveToken: func(id, token string) error {
			if w.tokens == nil {
				w.tokens = map[string]string{}
			}
			w.tokens[id] = token
			return nil
		},
	}
}

// attemptRepo keeps the world's payment attempts, as the store would between transactions.
func (w *subscribeWorld) attemptRepo() *fakePaymentAttempts {
	if w.attempts == nil {
		w.attempts = map[string]streaming.PaymentAttempt{}
	}
	return &fakePaymentAttempts{
		create: func(a *streaming.PaymentAttempt) error {
			if _, ok := w.attempts[a.Scope+" "+a.Key]; ok {
				return streaming.Errorf(streaming.CodeConflict, "payment attempt already exists")
			}
			a.ID = fmt.Sprintf("a%d", len(w.attempts)+len(w.declined)+1)
			w.attempts[a.Scope+" "+a.Key] = *a
			return nil
		},
		forUpdate: func(scope, key string) (*streaming.PaymentAttempt, error) {
			a, ok := w.attempts[scope+" "+key]
			if !ok {
				return nil, notFound("payment attempt")
			}
			return &a, nil
		},
		update: func(a *streaming.PaymentAttempt) error {
			if open, ok := w.attempts[a.Scope+" "+a.Key]; !ok || open.ID != a.ID {
				return notFound("payment attempt")
			}
			w.attempts[a.Scope+" "+a.Key] = *a
			if a.Status == streaming.AttemptDeclined { // no longer open
				delete(w.attempts, a.Scope+" "+a.Key)
				w.declined = append(w.declined, *a)
			}
			return nil
		},
	}
}

// attempt is the key's open attempt, else its last declined one.
func (w *subscribeWorld) attempt(scopeKey string) (streaming.PaymentAttempt, bool) {
	if a, ok := w.attempts[scopeKey]; ok {
		return a, true
	}
	if n := len(w.declined); n > 0 {
		return w.declined[n-1], true
	}
	return streaming.PaymentAttempt{}, false
}

// processorKey is what the processor must see for the first request the world saw.
func (w *subscribeWorld) processorKey() string {
	return command.ProcessorKey("create_subscription:u1", "k1", w.hashes[0])
}

func TestCreateSubscription(t *testing.T) {
	plan := &streaming.Plan{ID: "p1", PriceCents: 999, Currency: "EUR", Available: true}
	stored := command.SubscriptionResult{Subscription: streaming.Subscription{ID: "s0", UserID: "u1", PlanID: "p1"},
		Payment: streaming.Payment{ID: "pay0"}}
	storedJSON, _ := json.Marshal(stored)
	approve := func(streaming.Charge) (streaming.ChargeResult, error) {
		return streaming.ChargeResult{Approved: true, Reference: "ch_1"}, nil
	}
	request := command.CreateSubscription{UserID: "u1", PlanID: "p1", PaymentMethod: streaming.PaymentCard,
		PaymentToken: "tok_visa", IdempotencyKey: "k1"}
	tests := []struct {
		name     string
		edit     func(c *command.CreateSubscription)
		claim    func() ([]byte, bool, error)
		user     error
		plan     func() (*streaming.Plan, error)
		charge   func(streaming.Charge) (streaming.ChargeResult, error)
		create   error
		code     streaming.Code
		message  string
		replayed bool
		charged  bool
		attempt  string // the attempt's status afterwards, when charged
		active   bool   // the user already has an active subscription
	}{
		{name: "subscribes", charged: true, attempt: streaming.AttemptApproved},
		{name: "no idempotency key", edit: func(c *command.CreateSubscription) { c.IdempotencyKey = "" },
			code: streaming.CodeInvalid, message: "required: set the field or the Idempotency-Key header"},
		{name: "replays a completed key", claim: func() ([]byte, bool, error) { return storedJSON, true, nil },
			replayed: true},
		{name: "key reused for another request", claim: func() ([]byte, bool, error) {
			return nil, false, streaming.Errorf(streaming.CodeConflict, "idempotency key reused with a different request")
		}, code: streaming.CodeConflict, message: "idempotency key reused with a different request"},
		{name: "unknown user", user: notFound("user"), code: streaming.CodeNotFound, message: "user not found"},
		{name: "unknown plan", plan: func() (*streaming.Plan, error) { return nil, notFound("plan") },
			code: streaming.CodeNotFound, message: "plan not found"},
		{name: "unavailable plan is not charged", plan: func() (*streaming.Plan, error) {
			return &streaming.Plan{ID: "p1", PriceCents: 999, Currency: "EUR"}, nil
		}, code: streaming.CodePrecondition, message: "plan p1 is not available"},
		{name: "declined", charge: func(streaming.Charge) (streaming.ChargeResult, error) {
			return streaming.ChargeResult{Reason: "insufficient funds"}, nil
		}, code: streaming.CodePrecondition, message: "payment declined: insufficient funds", charged: true,
			attempt: streaming.AttemptDeclined},
		{name: "processor down", charge: func(streaming.Charge) (streaming.ChargeResult, error) {
			return streaming.ChargeResult{}, errors.New("connection refused")
		}, code: streaming.CodeUnavailable, message: "the payment processor is unavailable, retry later", charged: true,
			attempt: streaming.AttemptPending},
		{name: "already subscribed is not charged", active: true, code: streaming.CodePrecondition,
			message: "user already has an active subscription"},
		// Subscribed with another key between the check and the confirmation: charged, recorded for a refund.
		{name: "subscribed meanwhile", create: streaming.Errorf(streaming.CodePrecondition, "user already has an active subscription"),
			code: streaming.CodePrecondition, message: "user already has an active subscription", charged: true,
			attempt: streaming.AttemptUnfulfilled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := request
			if tc.edit != nil {
				tc.edit(&c)
			}
			w := &subscribeWorld{}
			tx := createSubscriptionTx{
				fakeIdempotency: &fakeIdempotency{
					claim: func(scope, key, hash string) ([]byte, bool, error) {
						w.claimed, w.hashes = append(w.claimed, scope+" "+key), append(w.hashes, hash)
						if tc.claim != nil {
							return tc.claim()
						}
						return nil, false, nil
					},
					complete: func(scope, key string, response []byte) error {
						w.completed, w.response = append(w.completed, scope+" "+key), response
						return nil
					},
					release: func(scope, key string) error {
						w.released = append(w.released, scope+" "+key)
						return nil
					},
				},
				fakeUsers: &fakeUsers{userByID: func(id string) (*streaming.User, error) {
					if tc.user != nil {
						return nil, tc.user
					}
					return &streaming.User{ID: id}, nil
				}},
				fakePlans: &fakePlans{planByID: func(id string) (*streaming.Plan, error) {
					if tc.plan != nil {
						return tc.plan()
					}
					return plan, nil
				}},
				fakePaymentAttempts: w.attemptRepo(),
				fakeSubscriptions: &fakeSubscriptions{hasActive: func(string) (bool, error) { return tc.active, nil },
					createSubscription: func(s *streaming.Subscription) error {
						if tc.create != nil {
							return tc.create
						}
						s.Version = 1
						w.subs = append(w.subs, *s)
						return nil
					}},
				fakePayments: &fakePayments{createPayment: func(p *streaming.Payment) error {
					w.payments = append(w.payments, *p)
					return nil
				}},
				fakeInvoices: w.invoiceRepo(),
				fakeOutbox:   &w.out,
			}
			charge := tc.charge
			if charge == nil {
				charge = approve
			}
			h := command.CreateSubscriptionHandler{Tx: &fakeUoW[command.CreateSubscriptionTx]{tx: tx}, Now: clock,
				Processor: &fakeProcessor{charge: func(ch streaming.Charge) (streaming.ChargeResult, error) {
					w.charges = append(w.charges, ch)
					return charge(ch)
				}}}
			res, err := h.Handle(t.Context(), c)
			wantErr(t, err, tc.code, tc.message)
			if tc.charged != (len(w.charges) == 1) {
				t.Fatalf("charges %+v, want charged=%v", w.charges, tc.charged)
			}
			a, attempted := w.attempt("create_subscription:u1 k1")
			if tc.charged && (!attempted || a.Status != tc.attempt || a.AmountCents != 999 || a.Currency != "EUR" ||
				a.ProcessorKey != w.processorKey() || a.UserID != "u1" || a.PlanID != "p1" || a.PaymentMethod != streaming.PaymentCard) {
				t.Fatalf("attempt = %+v (recorded %v), want %s", a, attempted, tc.attempt)
			}
			if !tc.charged && attempted {
				t.Fatalf("attempt %+v recorded without a charge", a)
			}
			// Only a decline gives the key back (as a declined request always did); the other failures keep it
			// claimed for a retry to resume, or answer what it answered.
			if wantReleased := tc.attempt == streaming.AttemptDeclined; wantReleased != (len(w.released) == 1) {
				t.Fatalf("released %v, want released=%v", w.released, wantReleased)
			}
			if tc.code != "" {
				if res != nil || len(w.completed) != 0 || len(w.out.events) != 0 || len(w.payments) != 0 || len(w.subs) != 0 {
					t.Fatalf("failed command returned %+v, completed %v, events %d, payments %d, subscriptions %d", res,
						w.completed, len(w.out.events), len(w.payments), len(w.subs))
				}
				return
			}
			if tc.replayed {
				if len(w.claimed) != 1 {
					t.Fatalf("claimed %v, want once", w.claimed)
				}
			} else if len(w.claimed) != 2 || w.claimed[0] != "create_subscription:u1 k1" || w.claimed[1] != w.claimed[0] ||
				len(w.hashes[0]) != 64 || w.hashes[1] != w.hashes[0] {
				// Once to record the attempt, once to confirm it.
				t.Fatalf("claimed %v with %v", w.claimed, w.hashes)
			}
			if tc.replayed {
				if !res.Replayed || res.Subscription.ID != "s0" || res.Payment.ID != "pay0" || len(w.subs) != 0 {
					t.Fatalf("replay = %+v, wrote %d subscriptions", res, len(w.subs))
				}
				return
			}
			ch := w.charges[0]
			if ch != (streaming.Charge{IdempotencyKey: w.processorKey(), UserID: "u1", AmountCents: 999, Currency: "EUR",
				Method: streaming.PaymentCard, Token: "tok_visa"}) {
				t.Fatalf("charge = %+v", ch)
			}
			s := res.Subscription
			if res.Replayed || len(w.subs) != 1 || w.subs[0] != s || s.ID == "" || s.UserID != "u1" || s.PlanID != "p1" ||
				s.Status != streaming.SubscriptionActive || !s.StartDate.Equal(at) || s.PriceCents != 999 ||
				s.Currency != "EUR" || s.PaymentMethod != streaming.PaymentCard || s.EndDate != nil {
				t.Fatalf("subscription = %+v (stored %+v)", s, w.subs)
			}
			p := res.Payment
			if len(w.payments) != 1 || w.payments[0] != p || p.ID == "" || p.SubscriptionID != s.ID || p.UserID != "u1" ||
				p.AmountCents != 999 || p.Currency != "EUR" || p.Status != streaming.PaymentApproved || p.ProcessorRef != "ch_1" {
				t.Fatalf("payment = %+v", p)
			}
			pl := wantEvent[streaming.SubscriptionPayload](t, w.out.events, streaming.AggregateSubscription, s.ID, 1,
				streaming.EventSubscriptionCreated)
			if pl.UserID != "u1" || pl.PlanID != "p1" || pl.Status != streaming.SubscriptionActive || pl.MonthlyPrice != "9.99" {
				t.Fatalf("payload = %+v", pl)
			}
			// The first period, paid, and the token renewals will charge.
			if len(w.invoices) != 1 {
				t.Fatalf("invoices %+v, want the first period's", w.invoices)
			}
			inv := w.invoices[0]
			periodEnd := time.Date(2026, 6, 6, 7, 8, 9, 0, time.UTC)
			if inv.SubscriptionID != s.ID || inv.UserID != "u1" || inv.PlanID != "p1" || inv.Kind != streaming.InvoicePeriod ||
				inv.Status != streaming.InvoicePaid || inv.AmountCents != 999 || inv.Currency != "EUR" || inv.Attempts != 1 ||
				!inv.PeriodStart.Equal(at) || !inv.PeriodEnd.Equal(periodEnd) || inv.PaidAt == nil || !inv.PaidAt.Equal(at) ||
				inv.ProcessorRef != "ch_1" || len(inv.Lines) != 1 || inv.Lines[0].AmountCents != 999 {
				t.Fatalf("first invoice = %+v", inv)
			}
			if !s.CurrentPeriodStart.Equal(at) || !s.CurrentPeriodEnd.Equal(periodEnd) || s.CancelAtPeriodEnd {
				t.Fatalf("subscription's period = %s to %s", s.CurrentPeriodStart, s.CurrentPeriodEnd)
			}
			if w.tokens[s.ID] != "tok_visa" {
				t.Fatalf("saved tokens %v", w.tokens)
			}
			// The key's stored response is what a retry replays: the same result.
			var replay command.SubscriptionResult
			if len(w.completed) != 1 || w.completed[0] != "create_subscription:u1 k1" {
				t.Fatalf("completed %v", w.completed)
			}
			if err := json.Unmarshal(w.response, &replay); err != nil || replay.Subscription.ID != s.ID ||
				replay.Payment.ID != p.ID || !replay.Subscription.StartDate.Equal(s.StartDate) {
				t.Fatalf("stored response %s: %v", w.response, err)
			}
		})
	}
}

// TestCreateSubscriptionRequestHash: a key is bound to the request's fields, each of which changes the hash.
func TestCreateSubscriptionRequestHash(t *testing.T) {
	secret := []byte("fingerprint-key")
	hashWith := func(key []byte, c command.CreateSubscription) string {
		var got string
		tx := createSubscriptionTx{fakeIdempotency: &fakeIdempotency{claim: func(_, _, hash string) ([]byte, bool, error) {
			got = hash
			return nil, false, streaming.Errorf(streaming.CodeConflict, "stop here")
		}}}
		h := command.CreateSubscriptionHandler{Tx: &fakeUoW[command.CreateSubscriptionTx]{tx: tx}, FingerprintKey: key}
		if _, err := h.Handle(t.Context(), c); streaming.ErrorCode(err) != streaming.CodeConflict {
			t.Fatalf("Handle = %v", err)
		}
		return got
	}
	hashOf := func(c command.CreateSubscription) string { return hashWith(secret, c) }
	base := command.CreateSubscription{UserID: "u1", PlanID: "p1", PaymentMethod: "card", PaymentToken: "4242424242424242",
		IdempotencyKey: "k"}
	h := hashOf(base)
	// The fingerprint is keyed: without the key, a stored fingerprint cannot be checked against guessed card
	// numbers or tokens (a plain hash of these fields could).
	plain := sha256.Sum256([]byte("u1\x00p1\x00card\x004242424242424242"))
	if h == hex.EncodeToString(plain[:]) || len(h) != 64 {
		t.Fatalf("request hash %s is a plain SHA-256 of the request", h)
	}
	if hashWith([]byte("another key"), base) == h {
		t.Fatal("the fingerprint key does not change the request hash")
	}
	other := base
	other.IdempotencyKey = "k2"
	if hashOf(other) != h {
		t.Fatal("the key itself changed the request hash")
	}
	for _, edit := range []func(c *command.CreateSubscription){
		func(c *command.CreateSubscription) { c.UserID = "u2" },
		func(c *command.CreateSubscription) { c.PlanID = "p2" },
		func(c *command.CreateSubscription) { c.PaymentMethod = "paypal" },
		func(c *command.CreateSubscription) { c.PaymentToken = "t2" },
		// Fields are separated, so moving a character between two of them is another request.
		func(c *command.CreateSubscription) { c.PlanID, c.PaymentMethod = "p1c", "ard" },
	} {
		c := base
		edit(&c)
		if hashOf(c) == h {
			t.Fatalf("request %+v hashes like %+v", c, base)
		}
	}
}

// resumeWorld is a world whose store already holds what an earlier request with the same key left behind.
func resumeWorld(w *subscribeWorld, plan *streaming.Plan, charge func(streaming.Charge) (streaming.ChargeResult, error)) command.CreateSubscriptionHandler {
	tx := createSubscriptionTx{
		fakeIdempotency: &fakeIdempotency{
			claim: func(scope, key, hash string) ([]byte, bool, error) {
				w.claimed, w.hashes = append(w.claimed, scope+" "+key), append(w.hashes, hash)
				if w.response != nil {
					return w.response, true, nil
				}
				return nil, false, nil
			},
			complete: func(scope, key string, response []byte) error {
				w.completed, w.response = append(w.completed, scope+" "+key), response
				return nil
			},
			release: func(scope, key string) error {
				w.released = append(w.released, scope+" "+key)
				return nil
			},
		},
		fakeUsers:           &fakeUsers{userByID: func(id string) (*streaming.User, error) { return &streaming.User{ID: id}, nil }},
		fakePlans:           &fakePlans{planByID: func(string) (*streaming.Plan, error) { return plan, nil }},
		fakePaymentAttempts: w.attemptRepo(),
		fakeSubscriptions: &fakeSubscriptions{hasActive: func(string) (bool, error) { return len(w.subs) > 0, nil },
			createSubscription: func(s *streaming.Subscription) error {
				s.Version = 1
				w.subs = append(w.subs, *s)
				return nil
			}},
		fakePayments: &fakePayments{createPayment: func(p *streaming.Payment) error {
			w.payments = append(w.payments, *p)
			return nil
		}},
		fakeInvoices: w.invoiceRepo(),
		fakeOutbox:   &w.out,
	}
	return command.CreateSubscriptionHandler{Tx: &fakeUoW[command.CreateSubscriptionTx]{tx: tx}, Now: clock,
		Processor: &fakeProcessor{charge: func(ch streaming.Charge) (streaming.ChargeResult, error) {
			w.charges = append(w.charges, ch)
			return charge(ch)
		}}}
}

// TestCreateSubscriptionResumes: a retry with a key that is claimed but not completed continues what the first
// request started, charging at most once more with the same processor key, and never writes a second subscription.
func TestCreateSubscriptionResumes(t *testing.T) {
	request := command.CreateSubscription{UserID: "u1", PlanID: "p1", PaymentMethod: streaming.PaymentCard,
		PaymentToken: "tok_visa", IdempotencyKey: "k1"}
	// The plan's price changed since the first request: the resumed charge and the subscription keep the old one.
	plan := &streaming.Plan{ID: "p1", PriceCents: 1299, Currency: "EUR", Available: true}
	pending := streaming.PaymentAttempt{ID: "a0", Scope: "create_subscription:u1", Key: "k1", UserID: "u1", PlanID: "p1",
		AmountCents: 999, Currency: "EUR", PaymentMethod: streaming.PaymentCard, ProcessorKey: "sub_first",
		Status: streaming.AttemptPending}
	approve := func(streaming.Charge) (streaming.ChargeResult, error) {
		return streaming.ChargeResult{Approved: true, Reference: "ch_1"}, nil
	}

	t.Run("crash between charge and confirm", func(t *testing.T) {
		w := &subscribeWorld{}
		h := resumeWorld(w, plan, approve)
		w.attempts["create_subscription:u1 k1"] = pending
		res, err := h.Handle(t.Context(), request)
		if err != nil {
			t.Fatalf("Handle = %v", err)
		}
		want := streaming.Charge{IdempotencyKey: "sub_first", UserID: "u1", AmountCents: 999, Currency: "EUR",
			Method: streaming.PaymentCard, Token: "tok_visa"}
		if len(w.charges) != 1 || w.charges[0] != want {
			t.Fatalf("charges %+v, want one %+v", w.charges, want)
		}
		if len(w.subs) != 1 || res.Subscription.PriceCents != 999 || res.Payment.AmountCents != 999 ||
			res.Payment.ProcessorRef != "ch_1" || len(w.completed) != 1 || len(w.out.events) != 1 {
			t.Fatalf("result %+v; %d subscriptions, completed %v, %d events", res, len(w.subs), w.completed, len(w.out.events))
		}
		if a := w.attempts["create_subscription:u1 k1"]; a.Status != streaming.AttemptApproved || a.ProcessorRef != "ch_1" {
			t.Fatalf("attempt = %+v", a)
		}
		// Another retry replays the stored response: no charge, no second subscription.
		again, err := h.Handle(t.Context(), request)
		if err != nil || !again.Replayed || again.Subscription.ID != res.Subscription.ID || len(w.charges) != 1 || len(w.subs) != 1 {
			t.Fatalf("replay = %+v, %v; %d charges, %d subscriptions", again, err, len(w.charges), len(w.subs))
		}
	})

	t.Run("an unfulfilled attempt answers without charging", func(t *testing.T) {
		w := &subscribeWorld{}
		h := resumeWorld(w, plan, approve)
		unfulfilled := pending
		unfulfilled.Status, unfulfilled.Reason = streaming.AttemptUnfulfilled, "user already has an active subscription"
		w.attempts["create_subscription:u1 k1"] = unfulfilled
		_, err := h.Handle(t.Context(), request)
		wantErr(t, err, streaming.CodePrecondition, "user already has an active subscription")
		if len(w.charges) != 0 || len(w.subs) != 0 || len(w.completed) != 0 {
			t.Fatalf("%d charges, %d subscriptions, completed %v", len(w.charges), len(w.subs), w.completed)
		}
	})

	t.Run("declined, retried with the same card, then another", func(t *testing.T) {
		w := &subscribeWorld{}
		h := resumeWorld(w, plan, func(c streaming.Charge) (streaming.ChargeResult, error) {
			if c.Token == "tok_visa" {
				return streaming.ChargeResult{Approved: true, Reference: "pi_ok"}, nil
			}
			return streaming.ChargeResult{Reference: "pi_9", Reason: "insufficient funds"}, nil
		})
		declinedCard := request
		declinedCard.PaymentToken = "tok_insufficient_funds"
		for range 2 {
			_, err := h.Handle(t.Context(), declinedCard)
			wantErr(t, err, streaming.CodePrecondition, "payment declined: insufficient funds")
		}
		// The same request reaches the processor with the same key, so the processor answers with its first decline.
		if len(w.charges) != 2 || w.charges[0] != w.charges[1] || len(w.declined) != 2 || len(w.released) != 2 ||
			len(w.subs) != 0 || len(w.completed) != 0 || w.declined[0].ProcessorRef != "pi_9" {
			t.Fatalf("%d charges, declined %+v, released %v, %d subscriptions, completed %v", len(w.charges),
				w.declined, w.released, len(w.subs), w.completed)
		}
		res, err := h.Handle(t.Context(), request)
		if err != nil || len(w.subs) != 1 || res.Payment.ProcessorRef != "pi_ok" || len(w.charges) != 3 {
			t.Fatalf("with another card: %+v, %v; %d subscriptions, %d charges", res, err, len(w.subs), len(w.charges))
		}
		// Another card is another request: another processor key, which the processor does not confuse with the first.
		if w.charges[2].IdempotencyKey == w.charges[0].IdempotencyKey {
			t.Fatalf("the retry with another card reused processor key %s", w.charges[0].IdempotencyKey)
		}
	})

	t.Run("processor unavailable, then retried", func(t *testing.T) {
		w := &subscribeWorld{}
		down := true
		h := resumeWorld(w, plan, func(c streaming.Charge) (streaming.ChargeResult, error) {
			if down {
				return streaming.ChargeResult{}, errors.New("dial tcp: connection refused")
			}
			return approve(c)
		})
		_, err := h.Handle(t.Context(), request)
		wantErr(t, err, streaming.CodeUnavailable, "the payment processor is unavailable, retry later")
		if a := w.attempts["create_subscription:u1 k1"]; len(w.subs) != 0 || len(w.completed) != 0 ||
			a.Status != streaming.AttemptPending || a.AmountCents != 1299 {
			t.Fatalf("after the outage: %d subscriptions, completed %v, attempt %+v", len(w.subs), w.completed, a)
		}
		down = false
		res, err := h.Handle(t.Context(), request)
		if err != nil || res.Replayed || len(w.subs) != 1 || len(w.completed) != 1 {
			t.Fatalf("retry = %+v, %v; %d subscriptions, completed %v", res, err, len(w.subs), w.completed)
		}
		if len(w.charges) != 2 || w.charges[0] != w.charges[1] || w.charges[1].IdempotencyKey != w.attempts["create_subscription:u1 k1"].ProcessorKey {
			t.Fatalf("charges %+v, want the same request twice", w.charges)
		}
	})

	t.Run("a concurrent retry confirmed first", func(t *testing.T) {
		w := &subscribeWorld{}
		stored, _ := json.Marshal(command.SubscriptionResult{Subscription: streaming.Subscription{ID: "s0"}})
		var h command.CreateSubscriptionHandler
		h = resumeWorld(w, plan, func(streaming.Charge) (streaming.ChargeResult, error) {
			w.response = stored // the other request completes the key while this one is charging
			return streaming.ChargeResult{Approved: true, Reference: "ch_1"}, nil
		})
		res, err := h.Handle(t.Context(), request)
		if err != nil || !res.Replayed || res.Subscription.ID != "s0" || len(w.subs) != 0 || len(w.charges) != 1 {
			t.Fatalf("Handle = %+v, %v; %d subscriptions, %d charges", res, err, len(w.subs), len(w.charges))
		}
	})
}
