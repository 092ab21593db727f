package query

import (
	"context"
	"encoding/base64"

	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/streaming"
)

// DefaultPlansPageSize is what ListPlans answers when its caller leaves the size open.
const DefaultPlansPageSize = 20

// ListPlans pages through the plan catalog: available plans first, cheapest first, then by name and id.
//
// The listing is read from PostgreSQL (the read-only source of truth), not from the plan read models: plans are
// few (tens) and change rarely, so one small query answers a page complete and in order, where an index of plan ids
// in Redis would need its own upkeep by the projector, a completeness marker and a rebuild, for no read PostgreSQL
// cannot serve. Single plans (Plan, and the entitlements at playback) come from the read model.
//
// Page tokens are opaque: base64url of the last plan's id. The next page continues after that plan at its current
// place in the order, so a plan whose price or availability changes during a walk may be listed twice or not at
// all in that walk, as with any keyset paging over values that change.
func (h *Handler) ListPlans(ctx context.Context, pageSize int, pageToken string) ([]streaming.Plan, string, error) {
	pageSize = min(orDefault(pageSize, DefaultPlansPageSize), 100)
	after := ""
	if pageToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(pageToken)
		if err == nil {
			_, err = uuid.Parse(string(b))
		}
		if err != nil || len(b) != 36 {
			return nil, "", streaming.Invalid("page_token", "malformed page token")
		}
		after = string(b)
	}
	plans, err := h.Store.ListPlans(ctx, pageSize+1, after)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(plans) > pageSize {
		plans = plans[:pageSize]
		next = base64.RawURLEncoding.EncodeToString([]byte(plans[pageSize-1].ID))
	}
	return plans, next, nil
}

// Plan reads one plan from the read model, rebuilding it from PostgreSQL on a miss; an unknown one is a
// CodeNotFound error.
func (h *Handler) Plan(ctx context.Context, planID string) (*streaming.Plan, error) {
	plans, err := h.plans(ctx, planID)
	if err != nil {
		return nil, err
	}
	p := plans[planID]
	return &p, nil
}

// EntitledPlan is the plan of the user's subscription that plays now (streaming.Entitlements): from the profile
// read model and the plan's, each rebuilt from PostgreSQL on a miss, so a playback costs two Redis reads.
func (h *Handler) EntitledPlan(ctx context.Context, userID string) (*streaming.Plan, error) {
	v, err := h.userView(ctx, userID)
	if err != nil {
		return nil, err
	}
	var entitled *streaming.Subscription
	for i := range v.Subscriptions {
		s := &v.Subscriptions[i]
		if s.Entitles() && (entitled == nil || streaming.SubscriptionBefore(*s, *entitled)) {
			entitled = s
		}
	}
	if entitled == nil {
		return nil, streaming.Errorf(streaming.CodePrecondition, "no active subscription: subscribe to a plan to play")
	}
	return h.Plan(ctx, entitled.PlanID)
}

var _ streaming.Entitlements = (*Handler)(nil)
