package query_test

import (
	"slices"
	"testing"

	"github.com/streamingplatform/streaming/server/app/query"
	"github.com/streamingplatform/streaming/server/streaming"
)

// catalogOf is a source whose ListPlans pages through plans (already in the catalog's order) as the store does.
func catalogOf(plans []streaming.Plan, asked *[]int) *fakeSource {
	return &fakeSource{listPlans: func(limit int, afterID string) ([]streaming.Plan, error) {
		*asked = append(*asked, limit)
		start := 0
		if afterID != "" {
			start = slices.IndexFunc(plans, func(p streaming.Plan) bool { return p.ID == afterID }) + 1
		}
		return plans[start:min(start+limit, len(plans))], nil
	}}
}

func TestListPlansPages(t *testing.T) {
	ids := []string{"0a6e1f00-0000-4000-8000-000000000001", "0a6e1f00-0000-4000-8000-000000000002",
		"0a6e1f00-0000-4000-8000-000000000003", "0a6e1f00-0000-4000-8000-000000000004", "0a6e1f00-0000-4000-8000-000000000005"}
	var plans []streaming.Plan
	for _, id := range ids {
		plans = append(plans, streaming.Plan{ID: id})
	}
	for _, tc := range []struct {
		pageSize int
		pages    [][]int // indexes of the plans on each page
		asked    []int   // limits asked of the store: one more than the page
	}{
		{2, [][]int{{0, 1}, {2, 3}, {4}}, []int{3, 3, 3}},
		{5, [][]int{{0, 1, 2, 3, 4}}, []int{6}},
		{0, [][]int{{0, 1, 2, 3, 4}}, []int{query.DefaultPlansPageSize + 1}},
		{500, [][]int{{0, 1, 2, 3, 4}}, []int{101}},
	} {
		var asked []int
		h := &query.Handler{Store: catalogOf(plans, &asked)}
		token := ""
		for i, want := range tc.pages {
			page, next, err := h.ListPlans(t.Context(), tc.pageSize, token)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, p := range page {
				got = append(got, slices.Index(ids, p.ID))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("page size %d, page %d: %v, want %v", tc.pageSize, i, got, want)
			}
			if last := i == len(tc.pages)-1; last != (next == "") {
				t.Fatalf("page size %d, page %d: next token %q on the last page %v", tc.pageSize, i, next, last)
			}
			token = next
		}
		if !slices.Equal(asked, tc.asked) {
			t.Errorf("page size %d: asked the store for %v, want %v", tc.pageSize, asked, tc.asked)
		}
	}
}

func TestListPlansMalformedToken(t *testing.T) {
	h := &query.Handler{Store: &fakeSource{}} // the store is not asked
	for _, token := range []string{"not base64!", "bm90LWEtdXVpZA", "*"} {
		_, _, err := h.ListPlans(t.Context(), 10, token)
		if e := streaming.AsError(err); e == nil || e.Code != streaming.CodeInvalid || e.Field != "page_token" {
			t.Errorf("token %q: %v, want invalid page_token", token, err)
		}
	}
}

func TestPlanFromReadModelOrSource(t *testing.T) {
	held := streaming.Plan{ID: "p-held", Name: "Held"}
	rebuilt := streaming.Plan{ID: "p-missed", Name: "From PostgreSQL", Version: 2}
	var put []streaming.Plan
	h := &query.Handler{
		Views: &fakeViews{
			plans: func(ids []string) (map[string]streaming.Plan, error) {
				out := map[string]streaming.Plan{}
				if ids[0] == held.ID {
					out[held.ID] = held
				}
				return out, nil
			},
			putPlan: func(p streaming.Plan) error { put = append(put, p); return nil },
		},
		Store: &fakeSource{planByID: func(id string) (*streaming.Plan, error) {
			if id == rebuilt.ID {
				return &rebuilt, nil
			}
			return nil, streaming.Errorf(streaming.CodeNotFound, "plan not found")
		}},
	}
	if p, err := h.Plan(t.Context(), held.ID); err != nil || p.Name != "Held" {
		t.Fatalf("held plan: %+v %v", p, err)
	}
	if p, err := h.Plan(t.Context(), rebuilt.ID); err != nil || p.Name != rebuilt.Name {
		t.Fatalf("missed plan: %+v %v", p, err)
	}
	if len(put) != 1 || put[0].ID != rebuilt.ID {
		t.Fatalf("put back %v, want the rebuilt plan", put)
	}
	_, err := h.Plan(t.Context(), "p-unknown")
	wantErr(t, err, streaming.CodeNotFound, "plan not found")
}

func TestEntitledPlan(t *testing.T) {
	plan := streaming.Plan{ID: "p-two", MaxStreams: 2, MaxQuality: "hd"}
	sub := func(status string, plan string, day int) streaming.Subscription {
		return streaming.Subscription{ID: status + plan, UserID: "u1", PlanID: plan, Status: status,
			CreatedAt: at.AddDate(0, 0, day)}
	}
	for _, tc := range []struct {
		name string
		subs []streaming.Subscription
		code streaming.Code
	}{
		{"none", nil, streaming.CodePrecondition},
		{"canceled and expired only", []streaming.Subscription{sub(streaming.SubscriptionCanceled, "p-two", 0),
			sub(streaming.SubscriptionExpired, "p-two", 1)}, streaming.CodePrecondition},
		{"active", []streaming.Subscription{sub(streaming.SubscriptionCanceled, "p-old", 0),
			sub(streaming.SubscriptionActive, "p-two", 1)}, ""},
		{"past due still plays", []streaming.Subscription{sub(streaming.SubscriptionPastDue, "p-two", 1)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &query.Handler{Views: &fakeViews{
				userView: func(string) (*streaming.UserView, bool, error) {
					return &streaming.UserView{User: streaming.User{ID: "u1"}, Subscriptions: tc.subs}, true, nil
				},
				plans: func(ids []string) (map[string]streaming.Plan, error) {
					if ids[0] != plan.ID {
						t.Fatalf("read plan %v, want %s", ids, plan.ID)
					}
					return map[string]streaming.Plan{plan.ID: plan}, nil
				},
			}}
			p, err := h.EntitledPlan(t.Context(), "u1")
			wantErr(t, err, tc.code, "")
			if tc.code == "" && (p == nil || p.MaxStreams != 2) {
				t.Fatalf("plan %+v, want p-two", p)
			}
		})
	}
}
