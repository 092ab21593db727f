package command_test

import (
	"testing"

	"github.com/streamingplatform/streaming/server/app/command"
	"github.com/streamingplatform/streaming/server/streaming"
)

type planTx struct {
	*fakePlans
	*fakeOutbox
}

func TestCreatePlan(t *testing.T) {
	valid := command.CreatePlan{Name: " Basic ", Description: "d", MonthlyPrice: "9.9", Currency: "EUR", MaxStreams: 2,
		MaxQuality: "hd", Available: true}
	tests := []struct {
		name    string
		edit    func(c *command.CreatePlan)
		create  func(p *streaming.Plan) error
		code    streaming.Code
		field   string
		message string
	}{
		{name: "creates"},
		{name: "malformed price", edit: func(c *command.CreatePlan) { c.MonthlyPrice = "9.999" },
			code: streaming.CodeInvalid, field: "monthly_price"},
		{name: "price too large", edit: func(c *command.CreatePlan) { c.MonthlyPrice = "1000000" },
			code: streaming.CodeInvalid, field: "monthly_price"},
		{name: "unknown quality", edit: func(c *command.CreatePlan) { c.MaxQuality = "8k" },
			code: streaming.CodeInvalid, field: "max_quality", message: "must be one of sd, hd, full_hd, uhd"},
		{name: "too many streams", edit: func(c *command.CreatePlan) { c.MaxStreams = 11 },
			code: streaming.CodeInvalid, field: "max_streams", message: "must be between 1 and 10"},
		{name: "taken name", create: func(*streaming.Plan) error {
			return &streaming.Error{Code: streaming.CodeConflict, Field: "name", Message: "plan name already taken"}
		}, code: streaming.CodeConflict, field: "name", message: "plan name already taken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid
			if tc.edit != nil {
				tc.edit(&c)
			}
			var stored *streaming.Plan
			out := &fakeOutbox{}
			uow := &fakeUoW[command.CreatePlanTx]{tx: planTx{&fakePlans{createPlan: func(p *streaming.Plan) error {
				stored = p
				if tc.create != nil {
					return tc.create(p)
				}
				p.Version = 1
				return nil
			}}, out}}
			p, err := command.CreatePlanHandler{Tx: uow, Now: clock}.Handle(t.Context(), c)
			wantErr(t, err, tc.code, tc.message)
			if e := streaming.AsError(err); e != nil && e.Field != tc.field {
				t.Fatalf("error field %q, want %q", e.Field, tc.field)
			}
			if tc.code != "" {
				if p != nil || len(out.events) != 0 {
					t.Fatalf("failed create returned %+v, events %+v", p, out.events)
				}
				if tc.code == streaming.CodeInvalid && uow.runs != 0 {
					t.Fatal("invalid input opened a transaction")
				}
				return
			}
			want := streaming.Plan{ID: stored.ID, Name: "Basic", Description: "d", PriceCents: 990, Currency: "EUR",
				MaxStreams: 2, MaxQuality: "hd", Available: true, Version: 1}
			if p != stored || *p != want || p.ID == "" {
				t.Fatalf("plan = %+v, want %+v", p, want)
			}
			pl := wantEvent[streaming.PlanPayload](t, out.events, streaming.AggregatePlan, p.ID, 1, streaming.EventPlanCreated)
			if pl.MonthlyPrice != "9.90" || pl.Name != "Basic" || !pl.Available {
				t.Fatalf("payload = %+v", pl)
			}
		})
	}
}

func TestUpdatePlan(t *testing.T) {
	stored := func() *streaming.Plan {
		return &streaming.Plan{ID: "p1", Name: "Basic", Description: "old", PriceCents: 999, Currency: "EUR",
			MaxStreams: 2, MaxQuality: "hd", Available: true, Version: 3}
	}
	tests := []struct {
		name      string
		update    command.UpdatePlan
		forUpdate func(id string) (*streaming.Plan, error)
		want      func(p *streaming.Plan)
		code      streaming.Code
		message   string
	}{
		{name: "only the set fields", update: command.UpdatePlan{PlanID: "p1", Name: ptr(" Plus "), MonthlyPrice: ptr("12.5"),
			Available: ptr(false)},
			want: func(p *streaming.Plan) { p.Name, p.PriceCents, p.Available = "Plus", 1250, false }},
		{name: "every field", update: command.UpdatePlan{PlanID: "p1", Name: ptr("Max"), Description: ptr("new"),
			MonthlyPrice: ptr("0"), MaxStreams: ptr(int32(4)), MaxQuality: ptr("uhd"), Available: ptr(true)},
			want: func(p *streaming.Plan) {
				p.Name, p.Description, p.PriceCents, p.MaxStreams, p.MaxQuality = "Max", "new", 0, 4, "uhd"
			}},
		{name: "nothing set still bumps the version", update: command.UpdatePlan{PlanID: "p1"}, want: func(*streaming.Plan) {}},
		{name: "malformed price", update: command.UpdatePlan{PlanID: "p1", MonthlyPrice: ptr("abc")},
			code: streaming.CodeInvalid},
		{name: "unknown plan", update: command.UpdatePlan{PlanID: "nope", Name: ptr("x")},
			forUpdate: func(string) (*streaming.Plan, error) { return nil, notFound("plan") },
			code:      streaming.CodeNotFound, message: "plan not found"},
		{name: "invalid result", update: command.UpdatePlan{PlanID: "p1", MaxStreams: ptr(int32(0))},
			code: streaming.CodeInvalid, message: "must be between 1 and 10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var locked string
			var updated *streaming.Plan
			out := &fakeOutbox{}
			plans := &fakePlans{
				planForUpdate: func(id string) (*streaming.Plan, error) {
					locked = id
					if tc.forUpdate != nil {
						return tc.forUpdate(id)
					}
					return stored(), nil
				},
				updatePlan: func(p *streaming.Plan) error {
					updated = p
					p.Version++
					return nil
				},
			}
			uow := &fakeUoW[command.UpdatePlanTx]{tx: planTx{plans, out}}
			p, err := command.UpdatePlanHandler{Tx: uow, Now: clock}.Handle(t.Context(), tc.update)
			wantErr(t, err, tc.code, tc.message)
			if tc.code != "" {
				if p != nil || updated != nil || len(out.events) != 0 {
					t.Fatalf("failed update returned %+v, wrote %+v, events %+v", p, updated, out.events)
				}
				return
			}
			want := *stored()
			tc.want(&want)
			want.Version = 4
			if locked != "p1" || p != updated || *p != want {
				t.Fatalf("locked %q; plan = %+v, want %+v", locked, p, want)
			}
			pl := wantEvent[streaming.PlanPayload](t, out.events, streaming.AggregatePlan, "p1", 4, streaming.EventPlanUpdated)
			if pl.Name != want.Name || pl.MonthlyPrice != streaming.FormatCents(want.PriceCents) || pl.Available != want.Available {
				t.Fatalf("payload = %+v", pl)
			}
		})
	}
}
