package readcheck

import (
	"context"
	"strconv"

	"github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/streaming"
)

// checkUsers compares users (graph, Redis views) and their subscriptions (Redis views) with PostgreSQL.
func (c *checker) checkUsers(ctx context.Context, ids []string) ([]result, error) {
	var (
		nodes map[string]neo4j.Node
		views map[string]*streaming.UserView
		err   error
	)
	if c.src.Graph != nil {
		if nodes, err = c.src.Graph.UserNodes(ctx, ids); err != nil {
			return nil, err
		}
	}
	if c.src.Redis != nil {
		if views, err = c.userViews(ctx, ids); err != nil {
			return nil, err
		}
	}
	// PostgreSQL after the read models: see the package doc.
	rows, err := c.src.Postgres.Users(ctx, ids)
	if err != nil {
		return nil, err
	}
	var subs map[string][]streaming.Subscription
	if c.src.Redis != nil {
		if subs, err = c.src.Postgres.Subscriptions(ctx, ids); err != nil {
			return nil, err
		}
	}

	var out []result
	for _, id := range ids {
		row, ok := rows[id]
		if !ok {
			continue
		}
		base := result{kind: KindUser, id: id, batchID: id, agg: aggregate{Type: streaming.AggregateUser, ID: id}, version: row.Version}
		if c.src.Graph != nil {
			r := base
			r.model = ModelNeo4j
			node, found := nodes[id]
			switch {
			case !found:
				r.status = StatusMissing
			case !node.HasVersion: // merged by a watch or a rating; UserRegistered never arrived
				r.status = StatusMissing
				r.fields = fields{{Field: "version", Want: strconv.FormatInt(row.Version, 10), Got: "null"}}
			default:
				r.modelVersion = node.Version
				r.status, r.fields = versioned(row.Version, node.Version, nil)
			}
			out = append(out, r)
		}
		if c.src.Redis != nil {
			out = append(out, compareUserView(base, row, subs[id], views[id])...)
		}
	}
	return out, nil
}

// compareUserView checks a user's Redis view: the user part and every subscription, each at its own version. A
// view that is absent (or incomplete: the query side rebuilds those) is fine. A complete view must hold every
// subscription: the projector adds the ones created after it was built.
func compareUserView(base result, row streaming.User, subs []streaming.Subscription, view *streaming.UserView) []result {
	r := base
	r.model = ModelRedis
	subResult := func(s streaming.Subscription) result {
		return result{model: ModelRedis, kind: KindSubscription, id: s.ID, batchID: row.ID,
			agg: aggregate{Type: streaming.AggregateSubscription, ID: s.ID}, version: s.Version}
	}
	if view == nil {
		r.status = StatusAbsent
		out := []result{r}
		for _, s := range subs {
			sr := subResult(s)
			sr.status = StatusAbsent
			out = append(out, sr)
		}
		return out
	}
	var f fields
	f.str("email", row.Email, view.User.Email)
	f.str("display_name", row.DisplayName, view.User.DisplayName)
	f.str("country", row.Country, view.User.Country)
	r.modelVersion = view.User.Version
	r.status, r.fields = versioned(row.Version, view.User.Version, f)
	out := []result{r}

	inView := make(map[string]streaming.Subscription, len(view.Subscriptions))
	for _, s := range view.Subscriptions {
		inView[s.ID] = s
	}
	for _, s := range subs {
		sr := subResult(s)
		got, found := inView[s.ID]
		delete(inView, s.ID)
		if !found {
			sr.status = StatusMissing
			out = append(out, sr)
			continue
		}
		sr.modelVersion = got.Version
		sr.status, sr.fields = versioned(s.Version, got.Version, subscriptionFields(s, got))
		out = append(out, sr)
	}
	for _, s := range view.Subscriptions {
		if _, extra := inView[s.ID]; extra {
			sr := subResult(s)
			sr.version, sr.modelVersion, sr.status = 0, s.Version, StatusOrphan
			out = append(out, sr)
		}
	}
	return out
}

func subscriptionFields(want, got streaming.Subscription) fields {
	var f fields
	f.str("plan_id", want.PlanID, got.PlanID)
	f.str("status", want.Status, got.Status)
	f.int("price_cents", want.PriceCents, got.PriceCents)
	f.str("currency", want.Currency, got.Currency)
	f.str("payment_method", want.PaymentMethod, got.PaymentMethod)
	f.time("start_date", &want.StartDate, &got.StartDate)
	f.time("end_date", want.EndDate, got.EndDate)
	return f
}

// checkPlans compares plans (Redis views) with PostgreSQL.
func (c *checker) checkPlans(ctx context.Context, ids []string) ([]result, error) {
	if c.src.Redis == nil {
		return nil, nil // only Redis keeps plans
	}
	views, err := c.src.Redis.Plans(ctx, ids...)
	if err != nil {
		return nil, err
	}
	rows, err := c.src.Postgres.Plans(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []result
	for _, id := range ids {
		row, ok := rows[id]
		if !ok {
			continue
		}
		r := result{model: ModelRedis, kind: KindPlan, id: id, batchID: id, agg: aggregate{Type: streaming.AggregatePlan, ID: id},
			version: row.Version}
		view, found := views[id]
		if !found {
			r.status = StatusAbsent
			out = append(out, r)
			continue
		}
		var f fields
		f.str("name", row.Name, view.Name)
		f.str("description", row.Description, view.Description)
		f.int("price_cents", row.PriceCents, view.PriceCents)
		f.str("currency", row.Currency, view.Currency)
		f.int("max_streams", int64(row.MaxStreams), int64(view.MaxStreams))
		f.str("max_quality", row.MaxQuality, view.MaxQuality)
		f.bool("available", row.Available, view.Available)
		r.modelVersion = view.Version
		r.status, r.fields = versioned(row.Version, view.Version, f)
		out = append(out, r)
	}
	return out, nil
}
