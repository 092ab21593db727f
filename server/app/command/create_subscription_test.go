package command_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/streaming"
)

type createSubscriptionTx struct {
	*fakeIdempotency
	*fakeUsers
	*fakePlans
	*fakeSubscriptions
	*fakePayments
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
	out                fakeOutbox
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
	}{
		{name: "subscribes", charged: true},
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
		}, code: streaming.CodePrecondition, message: "payment declined: insufficient funds", charged: true},
		{name: "processor down", charge: func(streaming.Charge) (streaming.ChargeResult, error) {
			return streaming.ChargeResult{}, errors.New("connection refused")
		}, code: streaming.CodeUnavailable, message: "the payment processor is unavailable, retry later", charged: true},
		{name: "already subscribed", create: streaming.Errorf(streaming.CodePrecondition, "user already has an active subscription"),
			code: streaming.CodePrecondition, message: "user already has an active subscription", charged: true},
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
				fakeSubscriptions: &fakeSubscriptions{createSubscription: func(s *streaming.Subscription) error {
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
				fakeOutbox: &w.out,
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
			if tc.code != "" {
				if res != nil || len(w.completed) != 0 || len(w.out.events) != 0 || len(w.payments) != 0 {
					t.Fatalf("failed command returned %+v, completed %v, events %d, payments %d", res, w.completed,
						len(w.out.events), len(w.payments))
				}
				return
			}
			if len(w.claimed) != 1 || w.claimed[0] != "create_subscription:u1 k1" || len(w.hashes[0]) != 64 {
				t.Fatalf("claimed %v with %v", w.claimed, w.hashes)
			}
			if tc.replayed {
				if !res.Replayed || res.Subscription.ID != "s0" || res.Payment.ID != "pay0" || len(w.subs) != 0 {
					t.Fatalf("replay = %+v, wrote %d subscriptions", res, len(w.subs))
				}
				return
			}
			ch := w.charges[0]
			if ch != (streaming.Charge{IdempotencyKey: "k1", UserID: "u1", AmountCents: 999, Currency: "EUR",
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
	hashOf := func(c command.CreateSubscription) string {
		var got string
		tx := createSubscriptionTx{fakeIdempotency: &fakeIdempotency{claim: func(_, _, hash string) ([]byte, bool, error) {
			got = hash
			return nil, false, streaming.Errorf(streaming.CodeConflict, "stop here")
		}}}
		h := command.CreateSubscriptionHandler{Tx: &fakeUoW[command.CreateSubscriptionTx]{tx: tx}}
		if _, err := h.Handle(t.Context(), c); streaming.ErrorCode(err) != streaming.CodeConflict {
			t.Fatalf("Handle = %v", err)
		}
		return got
	}
	base := command.CreateSubscription{UserID: "u1", PlanID: "p1", PaymentMethod: "card", PaymentToken: "t", IdempotencyKey: "k"}
	h := hashOf(base)
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
