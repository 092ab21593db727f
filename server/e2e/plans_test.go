package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// catalogPlans creates plans of this test (names sharing one unique prefix): three available, two not, created out
// of the catalog's order. It returns them in the order the catalog lists them.
func catalogPlans(t *testing.T, e *env) []*pb.Plan {
	t.Helper()
	prefix := "Catalog " + storetest.Unique()
	create := func(suffix, price string, available bool) *pb.Plan {
		res, err := e.cmd.CreatePlan(as(t, adminToken), &pb.CreatePlanRequest{Name: prefix + " " + suffix, MonthlyPrice: price,
			Currency: "EUR", MaxStreams: 1, MaxQuality: pb.VideoQuality_VIDEO_QUALITY_SD, Available: available})
		if err != nil {
			t.Fatalf("create plan %s: %v", suffix, err)
		}
		return res.GetPlan()
	}
	gone := create("e", "0.50", false) // the cheapest of all, but not available: listed after every available one
	b := create("b", "4.99", true)
	old := create("f", "3.00", false)
	a := create("a", "4.99", true) // same price as b: by name
	cheap := create("c", "1.99", true)
	return []*pb.Plan{cheap, a, b, gone, old}
}

// planPrice is a listed plan's price in cents, for checking the order.
func planPrice(t *testing.T, p *pb.Plan) int64 {
	c, err := streaming.ParseCents(p.GetMonthlyPrice())
	if err != nil {
		t.Fatalf("plan %s price %q: %v", p.GetId(), p.GetMonthlyPrice(), err)
	}
	return c
}

// checkCatalog checks that listed walks the whole catalog once in its order, with mine in their order.
func checkCatalog(t *testing.T, listed []*pb.Plan, mine []*pb.Plan) {
	t.Helper()
	seen := map[string]int{}
	for i, p := range listed {
		if j, dup := seen[p.GetId()]; dup {
			t.Fatalf("plan %s listed twice (at %d and %d)", p.GetId(), j, i)
		}
		seen[p.GetId()] = i
		if i == 0 {
			continue
		}
		prev := listed[i-1]
		if !prev.GetAvailable() && p.GetAvailable() {
			t.Fatalf("available plan %s listed after unavailable %s", p.GetName(), prev.GetName())
		}
		if prev.GetAvailable() == p.GetAvailable() && planPrice(t, prev) > planPrice(t, p) {
			t.Fatalf("plan %s (%s) listed after the dearer %s (%s)", p.GetName(), p.GetMonthlyPrice(), prev.GetName(), prev.GetMonthlyPrice())
		}
	}
	last := -1
	for _, p := range mine {
		at, ok := seen[p.GetId()]
		if !ok {
			t.Fatalf("plan %s not listed", p.GetName())
		}
		if at < last {
			t.Fatalf("plan %s listed out of order", p.GetName())
		}
		last = at
	}
}

func TestListPlansGRPC(t *testing.T) {
	e := server(t)
	mine := catalogPlans(t, e)
	ctx := as(t, "") // anonymous: the catalog is public
	var listed []*pb.Plan
	token := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("the walk does not end")
		}
		res, err := e.query.ListPlans(ctx, &pb.ListPlansRequest{PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatalf("ListPlans: %v", err)
		}
		if len(res.GetPlans()) > 2 || (res.GetNextPageToken() != "" && len(res.GetPlans()) != 2) {
			t.Fatalf("page of %d plans with next token %q, want full pages of 2 until the last", len(res.GetPlans()), res.GetNextPageToken())
		}
		listed = append(listed, res.GetPlans()...)
		if token = res.GetNextPageToken(); token == "" {
			break
		}
	}
	checkCatalog(t, listed, mine)
	for _, p := range listed {
		if p.GetId() == mine[0].GetId() && (p.GetMonthlyPrice() != "1.99" || p.GetMaxStreams() != 1 ||
			p.GetMaxQuality() != pb.VideoQuality_VIDEO_QUALITY_SD || !p.GetAvailable() || p.GetCreateTime() == nil) {
			t.Fatalf("listed plan %v, want every field as created", p)
		}
	}

	got, err := e.query.GetPlan(ctx, &pb.GetPlanRequest{PlanId: mine[3].GetId()})
	if err != nil || got.GetPlan().GetName() != mine[3].GetName() || got.GetPlan().GetAvailable() {
		t.Fatalf("GetPlan of the unavailable plan: %v %v", got, err)
	}
	_, err = e.query.GetPlan(ctx, &pb.GetPlanRequest{PlanId: uuid.NewString()})
	wantCode(t, err, codes.NotFound)
	_, err = e.query.GetPlan(ctx, &pb.GetPlanRequest{PlanId: "not-a-uuid"})
	wantCode(t, err, codes.InvalidArgument)
	_, err = e.query.ListPlans(ctx, &pb.ListPlansRequest{PageToken: "not a token"})
	wantCode(t, err, codes.InvalidArgument)
	_, err = e.query.ListPlans(ctx, &pb.ListPlansRequest{PageSize: 101})
	wantCode(t, err, codes.InvalidArgument)

	// A change of plan reaches GetPlan (the read model) once projected.
	price, streams := "9.99", int32(3)
	if _, err := e.cmd.UpdatePlan(as(t, adminToken), &pb.UpdatePlanRequest{PlanId: mine[0].GetId(), MonthlyPrice: &price,
		MaxStreams: &streams}); err != nil {
		t.Fatalf("UpdatePlan: %v", err)
	}
	eventually(t, "the updated plan", func() string {
		got, err := e.query.GetPlan(ctx, &pb.GetPlanRequest{PlanId: mine[0].GetId()})
		if err != nil || got.GetPlan().GetMonthlyPrice() != "9.99" || got.GetPlan().GetMaxStreams() != 3 {
			return fmt.Sprintf("%v %v", got, err)
		}
		return ""
	})
}

func TestListPlansREST(t *testing.T) {
	e := server(t)
	mine := catalogPlans(t, e)
	var listed []*pb.Plan
	token := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("the walk does not end")
		}
		q := url.Values{"pageSize": {"3"}}
		if token != "" {
			q.Set("pageToken", token)
		}
		code, body := rest(t, e, "GET", "/v1/plans?"+q.Encode(), "", nil) // anonymous
		if code != http.StatusOK {
			t.Fatalf("GET /v1/plans: %d %v", code, body)
		}
		plans, _ := body["plans"].([]any)
		for _, raw := range plans {
			m := raw.(map[string]any)
			streams, _ := m["maxStreams"].(float64)
			available, _ := m["available"].(bool)
			listed = append(listed, &pb.Plan{Id: m["id"].(string), Name: m["name"].(string),
				MonthlyPrice: m["monthlyPrice"].(string), Available: available, MaxStreams: int32(streams)})
		}
		token, _ = body["nextPageToken"].(string)
		if token == "" {
			break
		}
	}
	checkCatalog(t, listed, mine)

	code, body := rest(t, e, "GET", "/v1/plans/"+mine[1].GetId(), "", nil)
	if code != http.StatusOK {
		t.Fatalf("GET /v1/plans/{id}: %d %v", code, body)
	}
	plan, _ := body["plan"].(map[string]any)
	if plan["name"] != mine[1].GetName() || plan["monthlyPrice"] != "4.99" || plan["maxQuality"] != "VIDEO_QUALITY_SD" {
		t.Fatalf("GET /v1/plans/{id}: %v", body)
	}
	if code, body := rest(t, e, "GET", "/v1/plans/"+uuid.NewString(), "", nil); code != http.StatusNotFound {
		t.Fatalf("unknown plan over REST: %d %v, want 404", code, body)
	}
	if code, body := rest(t, e, "GET", "/v1/plans?pageSize="+strconv.Itoa(500), "", nil); code != http.StatusBadRequest ||
		!strings.Contains(mustJSON(body), `"field":"page_size"`) {
		t.Fatalf("page size 500 over REST: %d %v, want 400 naming page_size", code, body)
	}
}
