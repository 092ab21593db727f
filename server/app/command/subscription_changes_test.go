package command_test

import (
	"testing"

	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/streaming"
)

type cancelTx struct {
	*fakeSubscriptions
	*fakeOutbox
}

type changePlanTx struct {
	*fakeSubscriptions
	*fakePlans
	*fakeOutbox
}

// lockedSubscription is u1's subscription s1 on plan p1 with status, as SubscriptionForUpdate returns it.
func lockedSubscription(status string) *streaming.Subscription {
	return &streaming.Subscription{ID: "s1", UserID: "u1", PlanID: "p1", Status: status, StartDate: at.AddDate(0, -1, 0),
		PriceCents: 999, Currency: "EUR", PaymentMethod: streaming.PaymentCard, Version: 2}
}

// subscriptionCases are the ownership and state checks both commands share.
var subscriptionCases = []struct {
	name      string
	userID    string
	forUpdate func(id string) (*streaming.Subscription, error)
	code      streaming.Code
	message   string
}{
	{name: "unknown subscription", userID: "u1",
		forUpdate: func(string) (*streaming.Subscription, error) { return nil, notFound("subscription") },
		code:      streaming.CodeNotFound, message: "subscription not found"},
	{name: "another user's subscription is not found", userID: "u2",
		code: streaming.CodeNotFound, message: "subscription not found"},
	{name: "canceled", userID: "u1",
		forUpdate: func(string) (*streaming.Subscription, error) {
			return lockedSubscription(streaming.SubscriptionCanceled), nil
		},
		code: streaming.CodePrecondition, message: "subscription is canceled, not active"},
	{name: "expired", userID: "u1",
		forUpdate: func(string) (*streaming.Subscription, error) {
			return lockedSubscription(streaming.SubscriptionExpired), nil
		},
		code: streaming.CodePrecondition, message: "subscription is expired, not active"},
}

func subscriptionsFake(t *testing.T, forUpdate func(string) (*streaming.Subscription, error), updated **streaming.Subscription, updateErr error) *fakeSubscriptions {
	return &fakeSubscriptions{
		subscriptionForUpdate: func(id string) (*streaming.Subscription, error) {
			if id != "s1" {
				t.Errorf("locked subscription %q, want s1", id)
			}
			if forUpdate != nil {
				return forUpdate(id)
			}
			return lockedSubscription(streaming.SubscriptionActive), nil
		},
		updateSubscription: func(s *streaming.Subscription) error {
			*updated = s
			if updateErr != nil {
				return updateErr
			}
			s.Version++
			return nil
		},
	}
}

func TestCancelSubscription(t *testing.T) {
	cases := append([]struct {
		name      string
		userID    string
		forUpdate func(id string) (*streaming.Subscription, error)
		code      streaming.Code
		message   string
	}{{name: "cancels", userID: "u1"}}, subscriptionCases...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var updated *streaming.Subscription
			out := &fakeOutbox{}
			uow := &fakeUoW[command.CancelSubscriptionTx]{tx: cancelTx{subscriptionsFake(t, tc.forUpdate, &updated, nil), out}}
			s, err := command.CancelSubscriptionHandler{Tx: uow, Now: clock}.Handle(t.Context(),
				command.CancelSubscription{UserID: tc.userID, SubscriptionID: "s1", Reason: "too expensive"})
			wantErr(t, err, tc.code, tc.message)
			if tc.code != "" {
				if s != nil || updated != nil || len(out.events) != 0 {
					t.Fatalf("failed cancel returned %+v, wrote %+v, events %+v", s, updated, out.events)
				}
				return
			}
			if s != updated || s.Status != streaming.SubscriptionCanceled || s.EndDate == nil || !s.EndDate.Equal(at) ||
				s.Version != 3 || s.PlanID != "p1" {
				t.Fatalf("canceled = %+v", s)
			}
			pl := wantEvent[streaming.SubscriptionPayload](t, out.events, streaming.AggregateSubscription, "s1", 3,
				streaming.EventSubscriptionCanceled)
			if pl.Status != streaming.SubscriptionCanceled || pl.EndDate == nil || !pl.EndDate.Equal(at) {
				t.Fatalf("payload = %+v", pl)
			}
		})
	}
	t.Run("store fails on update", func(t *testing.T) {
		var updated *streaming.Subscription
		out := &fakeOutbox{}
		uow := &fakeUoW[command.CancelSubscriptionTx]{tx: cancelTx{subscriptionsFake(t, nil, &updated, errStore), out}}
		_, err := command.CancelSubscriptionHandler{Tx: uow, Now: clock}.Handle(t.Context(),
			command.CancelSubscription{UserID: "u1", SubscriptionID: "s1"})
		wantErr(t, err, streaming.CodeUnavailable, "")
		if len(out.events) != 0 {
			t.Fatalf("events after a failed update: %+v", out.events)
		}
	})
}

func TestChangeSubscriptionPlan(t *testing.T) {
	plans := map[string]*streaming.Plan{
		"p1": {ID: "p1", PriceCents: 999, Currency: "EUR", Available: true},
		"p2": {ID: "p2", PriceCents: 1999, Currency: "USD", Available: true},
		"p3": {ID: "p3", PriceCents: 500, Currency: "EUR"},
	}
	type tcase struct {
		name      string
		userID    string
		planID    string
		forUpdate func(id string) (*streaming.Subscription, error)
		code      streaming.Code
		message   string
	}
	cases := []tcase{
		{name: "changes", userID: "u1", planID: "p2"},
		{name: "same plan", userID: "u1", planID: "p1", code: streaming.CodePrecondition,
			message: "subscription is already on plan p1"},
		{name: "unavailable plan", userID: "u1", planID: "p3", code: streaming.CodePrecondition,
			message: "plan p3 is not available"},
		{name: "unknown plan", userID: "u1", planID: "p9", code: streaming.CodeNotFound, message: "plan not found"},
	}
	for _, c := range subscriptionCases {
		cases = append(cases, tcase{name: c.name, userID: c.userID, planID: "p2", forUpdate: c.forUpdate, code: c.code,
			message: c.message})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var updated *streaming.Subscription
			out := &fakeOutbox{}
			fp := &fakePlans{planByID: func(id string) (*streaming.Plan, error) {
				if p, ok := plans[id]; ok {
					return p, nil
				}
				return nil, notFound("plan")
			}}
			uow := &fakeUoW[command.ChangeSubscriptionPlanTx]{tx: changePlanTx{subscriptionsFake(t, tc.forUpdate, &updated, nil), fp, out}}
			s, err := command.ChangeSubscriptionPlanHandler{Tx: uow, Now: clock}.Handle(t.Context(),
				command.ChangeSubscriptionPlan{UserID: tc.userID, SubscriptionID: "s1", PlanID: tc.planID})
			wantErr(t, err, tc.code, tc.message)
			if tc.code != "" {
				if s != nil || updated != nil || len(out.events) != 0 {
					t.Fatalf("failed change returned %+v, wrote %+v, events %+v", s, updated, out.events)
				}
				return
			}
			if s != updated || s.PlanID != "p2" || s.PriceCents != 1999 || s.Currency != "USD" ||
				s.Status != streaming.SubscriptionActive || s.Version != 3 || s.EndDate != nil {
				t.Fatalf("changed = %+v", s)
			}
			pl := wantEvent[streaming.SubscriptionPayload](t, out.events, streaming.AggregateSubscription, "s1", 3,
				streaming.EventSubscriptionPlanChanged)
			if pl.PlanID != "p2" || pl.MonthlyPrice != "19.99" || pl.Currency != "USD" {
				t.Fatalf("payload = %+v", pl)
			}
		})
	}
}
