package streaming_test

import (
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

func ptr[T any](v T) *T { return &v }

func wantErr(t *testing.T, err error, code streaming.Code, field, message string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("error = %v, want none", err)
		}
		return
	}
	e := streaming.AsError(err)
	if e == nil || e.Code != code || e.Field != field || e.Message != message {
		t.Fatalf("error = %v; want %s on %q: %q", err, code, field, message)
	}
}

func validPlan() streaming.Plan {
	return streaming.Plan{ID: "p1", Name: "Basic", PriceCents: 999, Currency: "EUR", MaxStreams: 2, MaxQuality: "hd",
		Available: true}
}

func TestPlanApply(t *testing.T) {
	tests := []struct {
		name       string
		update     streaming.PlanUpdate
		want       func(p *streaming.Plan)
		code       streaming.Code
		field, msg string
	}{
		{name: "nothing set keeps the plan", want: func(*streaming.Plan) {}},
		{name: "every field", update: streaming.PlanUpdate{Name: ptr("  Premium "), Description: ptr("d"),
			PriceCents: ptr(int64(1999)), MaxStreams: ptr(int32(4)), MaxQuality: ptr("uhd"), Available: ptr(false)},
			want: func(p *streaming.Plan) {
				p.Name, p.Description, p.PriceCents, p.MaxStreams, p.MaxQuality, p.Available = "Premium", "d", 1999, 4, "uhd", false
			}},
		{name: "free is allowed", update: streaming.PlanUpdate{PriceCents: ptr(int64(0))},
			want: func(p *streaming.Plan) { p.PriceCents = 0 }},
		{name: "unknown quality", update: streaming.PlanUpdate{MaxQuality: ptr("8k")},
			code: streaming.CodeInvalid, field: "max_quality", msg: "must be one of sd, hd, full_hd, uhd"},
		{name: "no streams", update: streaming.PlanUpdate{MaxStreams: ptr(int32(0))},
			code: streaming.CodeInvalid, field: "max_streams", msg: "must be between 1 and 10"},
		{name: "eleven streams", update: streaming.PlanUpdate{MaxStreams: ptr(int32(11))},
			code: streaming.CodeInvalid, field: "max_streams", msg: "must be between 1 and 10"},
		{name: "negative price", update: streaming.PlanUpdate{PriceCents: ptr(int64(-1))},
			code: streaming.CodeInvalid, field: "monthly_price", msg: "must not be negative"},
		{name: "first violation in the database's order", update: streaming.PlanUpdate{MaxStreams: ptr(int32(0)),
			MaxQuality: ptr("8k")}, code: streaming.CodeInvalid, field: "max_quality", msg: "must be one of sd, hd, full_hd, uhd"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := validPlan()
			err := p.Apply(tc.update)
			wantErr(t, err, tc.code, tc.field, tc.msg)
			want := validPlan()
			if tc.want != nil {
				tc.want(&want)
			}
			if p != want {
				t.Fatalf("plan = %+v, want %+v", p, want)
			}
		})
	}
}

func TestPlanValidate(t *testing.T) {
	for _, cur := range []string{"", "eur", "EURO", "E1R"} {
		p := validPlan()
		p.Currency = cur
		wantErr(t, p.Validate(), streaming.CodeInvalid, "currency", "must be an ISO 4217 code")
	}
	p := validPlan()
	wantErr(t, p.Validate(), "", "", "")
}

func TestNewSubscription(t *testing.T) {
	p := validPlan()
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	s, err := streaming.NewSubscription("s1", "u1", &p, streaming.PaymentCard, start)
	wantErr(t, err, "", "", "")
	want := streaming.Subscription{ID: "s1", UserID: "u1", PlanID: "p1", Status: streaming.SubscriptionActive,
		StartDate: start.UTC(), PriceCents: 999, Currency: "EUR", PaymentMethod: streaming.PaymentCard}
	if s.StartDate.Location() != time.UTC || s.ID != want.ID || s.PlanID != want.PlanID || s.Status != want.Status ||
		!s.StartDate.Equal(want.StartDate) || s.PriceCents != want.PriceCents || s.Currency != want.Currency ||
		s.PaymentMethod != want.PaymentMethod || s.UserID != want.UserID || s.EndDate != nil {
		t.Fatalf("subscription = %+v, want %+v", s, want)
	}
	p.Available = false
	_, err = streaming.NewSubscription("s1", "u1", &p, streaming.PaymentCard, start)
	wantErr(t, err, streaming.CodePrecondition, "", "plan p1 is not available")
}

func TestSubscriptionCancel(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("x", -7200))
	for _, tc := range []struct {
		status string
		code   streaming.Code
		msg    string
	}{
		{streaming.SubscriptionActive, "", ""},
		{streaming.SubscriptionCanceled, streaming.CodePrecondition, "subscription is canceled, not active"},
		{streaming.SubscriptionExpired, streaming.CodePrecondition, "subscription is expired, not active"},
	} {
		t.Run(tc.status, func(t *testing.T) {
			s := streaming.Subscription{ID: "s1", Status: tc.status}
			err := s.Cancel(at)
			wantErr(t, err, tc.code, "", tc.msg)
			if tc.code != "" {
				if s.Status != tc.status || s.EndDate != nil {
					t.Fatalf("a refused cancel changed the subscription: %+v", s)
				}
				return
			}
			if s.Status != streaming.SubscriptionCanceled || s.EndDate == nil || !s.EndDate.Equal(at) ||
				s.EndDate.Location() != time.UTC {
				t.Fatalf("canceled subscription = %+v", s)
			}
		})
	}
}

func TestSubscriptionChangePlan(t *testing.T) {
	other := streaming.Plan{ID: "p2", PriceCents: 1999, Currency: "USD", Available: true}
	unavailable := other
	unavailable.Available = false
	for _, tc := range []struct {
		name   string
		status string
		plan   streaming.Plan
		code   streaming.Code
		msg    string
	}{
		{"to another plan", streaming.SubscriptionActive, other, "", ""},
		{"to its own plan", streaming.SubscriptionActive, validPlan(), streaming.CodePrecondition, "subscription is already on plan p1"},
		{"to an unavailable plan", streaming.SubscriptionActive, unavailable, streaming.CodePrecondition, "plan p2 is not available"},
		{"of a canceled subscription", streaming.SubscriptionCanceled, other, streaming.CodePrecondition, "subscription is canceled, not active"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := streaming.Subscription{ID: "s1", PlanID: "p1", Status: tc.status, PriceCents: 999, Currency: "EUR"}
			s := before
			err := s.ChangePlan(&tc.plan)
			wantErr(t, err, tc.code, "", tc.msg)
			want := before
			if tc.code == "" {
				want.PlanID, want.PriceCents, want.Currency = "p2", 1999, "USD"
			}
			if s != want {
				t.Fatalf("subscription = %+v, want %+v", s, want)
			}
		})
	}
}
