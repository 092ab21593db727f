package query

import (
	"context"
	"slices"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Profile is a user with the subscription that is active now, if any, and its plan's name.
type Profile struct {
	User     streaming.User
	Active   *streaming.Subscription
	PlanName string
}

// UserProfile reads the profile read model, rebuilding it from PostgreSQL on a miss.
func (h *Handler) UserProfile(ctx context.Context, userID string) (*Profile, error) {
	v, err := h.userView(ctx, userID)
	if err != nil {
		return nil, err
	}
	p := &Profile{User: v.User}
	for i := range v.Subscriptions {
		s := &v.Subscriptions[i]
		// A past-due subscription still plays while its renewal is retried: it is the user's current one.
		current := s.Status == streaming.SubscriptionActive || s.Status == streaming.SubscriptionPastDue
		if current && (p.Active == nil || streaming.SubscriptionBefore(*s, *p.Active)) {
			p.Active = s
		}
	}
	if p.Active != nil {
		plans, err := h.plans(ctx, p.Active.PlanID)
		if err != nil {
			return nil, err
		}
		p.PlanName = plans[p.Active.PlanID].Name
	}
	return p, nil
}

// ListSubscriptions pages through the user's subscriptions, newest first, from the read model. Page tokens are
// streaming.SubscriptionCursor values, the same as the PostgreSQL store's.
func (h *Handler) ListSubscriptions(ctx context.Context, userID string, pageSize int, pageToken string) ([]streaming.Subscription, string, error) {
	if pageSize <= 0 {
		pageSize = 20
	}
	pageSize = min(pageSize, 100)
	var after streaming.Subscription
	if pageToken != "" {
		var ok bool
		if after.CreatedAt, after.ID, ok = streaming.ParseSubscriptionCursor(pageToken); !ok {
			return nil, "", streaming.Invalid("page_token", "malformed page token")
		}
	}
	v, err := h.userView(ctx, userID)
	if err != nil {
		return nil, "", err
	}
	subs := slices.Clone(v.Subscriptions)
	slices.SortFunc(subs, func(a, b streaming.Subscription) int {
		if streaming.SubscriptionBefore(a, b) {
			return -1
		}
		return 1
	})
	start := 0
	if pageToken != "" {
		start = len(subs)
		for i, s := range subs {
			if streaming.SubscriptionBefore(after, s) {
				start = i
				break
			}
		}
	}
	page := subs[start:min(start+pageSize, len(subs))]
	next := ""
	if start+pageSize < len(subs) {
		next = streaming.SubscriptionCursor(page[len(page)-1])
	}
	return page, next, nil
}

// userView reads the user's view, or rebuilds it from PostgreSQL: the user and every subscription, read from one
// snapshot so the view is consistent. Versioned writes keep any newer projected state.
func (h *Handler) userView(ctx context.Context, userID string) (*streaming.UserView, error) {
	v, ok, err := h.Views.UserView(ctx, userID)
	if err != nil {
		return nil, err
	}
	if ok {
		return v, nil
	}
	rebuilt, err := h.Store.UserView(ctx, userID)
	if err != nil {
		return nil, err
	}
	rebuilt.User.PasswordHash = "" // never into a read model, whatever the store returns
	if err := h.Views.PutUserView(ctx, *rebuilt); err != nil {
		h.log().Warn("profile read model: rebuild not stored", "user_id", userID, "err", err)
		return rebuilt, nil
	}
	// Read back: a projector may have stored newer parts than the snapshot between the read and the put.
	if v, ok, err := h.Views.UserView(ctx, userID); err == nil && ok {
		return v, nil
	}
	return rebuilt, nil
}

// plans returns the named plans from the read model, rebuilding misses from PostgreSQL.
func (h *Handler) plans(ctx context.Context, ids ...string) (map[string]streaming.Plan, error) {
	got, err := h.Views.Plans(ctx, ids...)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, ok := got[id]; ok {
			continue
		}
		p, err := h.Store.PlanByID(ctx, id)
		if err != nil {
			return nil, err
		}
		got[id] = *p
		if err := h.Views.PutPlan(ctx, *p); err != nil {
			h.log().Warn("plan read model: rebuild not stored", "plan_id", id, "err", err)
		}
	}
	return got, nil
}
