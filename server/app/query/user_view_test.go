package query_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/app/query"
	"github.com/streamingplatform/streaming/server/streaming"
)

// sub is a subscription with a uuid-shaped id (page tokens carry ids), created n hours after a fixed time.
func sub(n int, status, planID string) streaming.Subscription {
	return streaming.Subscription{ID: fmt.Sprintf("00000000-0000-0000-0000-%012d", n), UserID: "u1", PlanID: planID,
		Status: status, CreatedAt: at.Add(time.Duration(n) * time.Hour)}
}

// userWorld is the read model and source of truth of one profile test, and what the query did to them.
type userWorld struct {
	view      *streaming.UserView // what the read model holds; nil is a miss
	viewErr   error
	source    *streaming.UserView
	sourceErr error
	putErr    error
	plans     map[string]streaming.Plan // the plan read model
	sourced   []string
	put       []streaming.UserView
	putPlans  []streaming.Plan
}

func (w *userWorld) handler() (*query.Handler, func() string) {
	log, logged := testLog()
	views := &fakeViews{
		userView: func(userID string) (*streaming.UserView, bool, error) {
			if userID != "u1" {
				return nil, false, fmt.Errorf("view of %q", userID)
			}
			return w.view, w.view != nil, w.viewErr
		},
		putUserView: func(v streaming.UserView) error {
			w.put = append(w.put, v)
			if w.putErr == nil {
				w.view = &v
			}
			return w.putErr
		},
		plans: func(ids []string) (map[string]streaming.Plan, error) {
			out := map[string]streaming.Plan{}
			for _, id := range ids {
				if p, ok := w.plans[id]; ok {
					out[id] = p
				}
			}
			return out, nil
		},
		putPlan: func(p streaming.Plan) error { w.putPlans = append(w.putPlans, p); return nil },
	}
	source := &fakeSource{
		userView: func(userID string) (*streaming.UserView, error) {
			w.sourced = append(w.sourced, userID)
			if w.sourceErr != nil {
				return nil, w.sourceErr
			}
			v := *w.source
			v.Subscriptions = slices.Clone(v.Subscriptions)
			return &v, nil
		},
		planByID: func(id string) (*streaming.Plan, error) {
			if id == "p2" {
				return &streaming.Plan{ID: "p2", Name: "Premium"}, nil
			}
			return nil, streaming.Errorf(streaming.CodeNotFound, "plan not found")
		},
	}
	return &query.Handler{Views: views, Store: source, Log: log}, logged.String
}

func TestUserProfile(t *testing.T) {
	ana := streaming.User{ID: "u1", Email: "ana@example.com"}
	older, newer := sub(1, streaming.SubscriptionActive, "p1"), sub(2, streaming.SubscriptionActive, "p2")
	ended := sub(3, streaming.SubscriptionCanceled, "p1")
	basic := map[string]streaming.Plan{"p1": {ID: "p1", Name: "Basic"}}
	tests := []struct {
		name     string
		world    userWorld
		active   string
		planName string
		rebuilt  bool
		plansPut []string
		code     streaming.Code
		logs     string
	}{
		{name: "from the read model", world: userWorld{view: &streaming.UserView{User: ana,
			Subscriptions: []streaming.Subscription{older, ended}}, plans: basic}, active: older.ID, planName: "Basic"},
		{name: "no active subscription", world: userWorld{view: &streaming.UserView{User: ana,
			Subscriptions: []streaming.Subscription{ended}}}},
		{name: "the newest active one wins; its plan rebuilt", world: userWorld{view: &streaming.UserView{User: ana,
			Subscriptions: []streaming.Subscription{older, newer}}, plans: basic}, active: newer.ID, planName: "Premium",
			plansPut: []string{"p2"}},
		{name: "a miss rebuilds the view without the password hash", world: userWorld{source: &streaming.UserView{
			User: streaming.User{ID: "u1", PasswordHash: "secret"}, Subscriptions: []streaming.Subscription{older}},
			plans: basic}, active: older.ID, planName: "Basic", rebuilt: true},
		{name: "a rebuild that is not stored still answers", world: userWorld{source: &streaming.UserView{User: ana,
			Subscriptions: []streaming.Subscription{older}}, putErr: errDown, plans: basic}, active: older.ID,
			planName: "Basic", rebuilt: true, logs: "rebuild not stored"},
		{name: "unknown user", world: userWorld{sourceErr: streaming.Errorf(streaming.CodeNotFound, "user not found")},
			code: streaming.CodeNotFound},
		{name: "read model down", world: userWorld{viewErr: errDown}, code: streaming.CodeUnavailable},
		{name: "unknown plan", world: userWorld{view: &streaming.UserView{User: ana,
			Subscriptions: []streaming.Subscription{sub(1, streaming.SubscriptionActive, "p9")}}}, code: streaming.CodeNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.world
			h, logged := w.handler()
			p, err := h.UserProfile(t.Context(), "u1")
			wantErr(t, err, tc.code, "")
			if tc.code != "" {
				if p != nil {
					t.Fatalf("failed query returned %+v", p)
				}
				return
			}
			active := ""
			if p.Active != nil {
				active = p.Active.ID
			}
			if p.User.ID != "u1" || p.User.PasswordHash != "" || active != tc.active || p.PlanName != tc.planName {
				t.Fatalf("profile = %+v (active %s); want active %q on %q", p, active, tc.active, tc.planName)
			}
			if tc.rebuilt != (len(w.sourced) == 1) || tc.rebuilt != (len(w.put) == 1) {
				t.Fatalf("sourced %v, put %d views; want a rebuild: %v", w.sourced, len(w.put), tc.rebuilt)
			}
			if tc.rebuilt && (w.put[0].User.PasswordHash != "" || len(w.put[0].Subscriptions) != 1) {
				t.Fatalf("stored view %+v", w.put[0])
			}
			var put []string
			for _, pl := range w.putPlans {
				put = append(put, pl.ID)
			}
			if !slices.Equal(put, tc.plansPut) {
				t.Fatalf("plans put back %v, want %v", put, tc.plansPut)
			}
			if tc.logs != "" && !strings.Contains(logged(), tc.logs) {
				t.Fatalf("log %q, want %q", logged(), tc.logs)
			}
		})
	}
}

// TestUserProfileReadsBackNewerParts: after storing a rebuilt view, the profile is read back, as a projector may have
// stored newer parts meanwhile.
func TestUserProfileReadsBackNewerParts(t *testing.T) {
	w := &userWorld{source: &streaming.UserView{User: streaming.User{ID: "u1", DisplayName: "old"}}}
	h, _ := w.handler()
	views := h.Views.(*fakeViews)
	put := views.putUserView
	views.putUserView = func(v streaming.UserView) error {
		err := put(v)
		w.view.User.DisplayName = "newer" // a projector's write lands right after ours
		return err
	}
	p, err := h.UserProfile(t.Context(), "u1")
	if err != nil || p.User.DisplayName != "newer" {
		t.Fatalf("profile = %+v, %v; want the read-back view", p, err)
	}
}

func TestListSubscriptions(t *testing.T) {
	var all []streaming.Subscription
	for n := range 25 {
		all = append(all, sub(n, streaming.SubscriptionExpired, "p1"))
	}
	w := &userWorld{view: &streaming.UserView{User: streaming.User{ID: "u1"}, Subscriptions: all}}
	h, _ := w.handler()
	ctx := t.Context()

	// Pages of 10, newest first, until the token runs out.
	var ids []string
	token := ""
	for page := 0; ; page++ {
		got, next, err := h.ListSubscriptions(ctx, "u1", 10, token)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		if next == "" || page > 5 {
			break
		}
		if len(got) != 10 {
			t.Fatalf("page %d has %d subscriptions and a next token", page, len(got))
		}
		token = next
	}
	want := make([]string, 25)
	for i := range want {
		want[i] = sub(24-i, "", "").ID
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("listed %v, want %v", ids, want)
	}

	for _, tc := range []struct {
		size, want int
	}{{0, 20}, {-1, 20}, {1000, 25}, {25, 25}} {
		got, next, err := h.ListSubscriptions(ctx, "u1", tc.size, "")
		if err != nil || len(got) != tc.want || (tc.want == 25) != (next == "") {
			t.Fatalf("page size %d: %d subscriptions, next %q, %v; want %d", tc.size, len(got), next, err, tc.want)
		}
	}
	// A token past the last subscription gives an empty last page.
	last := streaming.SubscriptionCursor(sub(0, "", ""))
	if got, next, err := h.ListSubscriptions(ctx, "u1", 10, last); err != nil || len(got) != 0 || next != "" {
		t.Fatalf("after the last: %v, %q, %v", got, next, err)
	}
	_, _, err := h.ListSubscriptions(ctx, "u1", 10, "not a token")
	wantErr(t, err, streaming.CodeInvalid, "malformed page token")
	if e := streaming.AsError(err); e.Field != "page_token" {
		t.Fatalf("field %q", e.Field)
	}
	w.viewErr, w.view = errDown, nil
	_, _, err = h.ListSubscriptions(ctx, "u1", 10, "")
	wantErr(t, err, streaming.CodeUnavailable, "")
}
