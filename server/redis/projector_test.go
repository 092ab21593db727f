package redis_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

func event(t *testing.T, aggType, aggID string, v int64, typ string, payload any) streaming.Event {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return streaming.Event{AggregateType: aggType, AggregateID: aggID, Version: v, Type: typ, Payload: b, OccurredAt: day0.Add(time.Duration(v) * time.Minute)}
}

func TestProjectorAppliesAMixedBatch(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	p := m.Projector()
	if p.Name() != "redis" {
		t.Errorf("Name = %q, want redis", p.Name())
	}

	u := storetest.Unique()
	user := streaming.User{ID: "u-" + u, Email: "ann@example.com", DisplayName: "Ann", Country: "ES", CreatedAt: day0}
	rater, bystander := "u-"+u+"-rater", "u-"+u+"-bystander"
	plan := streaming.Plan{ID: "p-" + u, Name: "Basic", PriceCents: 799, Currency: "EUR", MaxStreams: 1, MaxQuality: "hd", Available: true}
	renamed := plan
	renamed.Name, renamed.PriceCents = "Basic Plus", 999
	sub := streaming.Subscription{ID: "s-" + u, UserID: user.ID, PlanID: plan.ID, Status: streaming.SubscriptionActive,
		StartDate: day0, PriceCents: 799, Currency: "EUR", PaymentMethod: streaming.PaymentCard, CreatedAt: day0, UpdatedAt: day0}
	changed := sub
	changed.PlanID, changed.PriceCents, changed.UpdatedAt = "p-other", 1599, day0.Add(time.Hour)
	repaid := changed // a new payment method (its token is never in an event)
	repaid.PaymentMethod, repaid.UpdatedAt = streaming.PaymentPayPal, day0.Add(2*time.Hour)
	end := day0.Add(48 * time.Hour)
	canceled := repaid
	canceled.Status, canceled.EndDate, canceled.UpdatedAt = streaming.SubscriptionCanceled, &end, end
	content := streaming.Content{ID: "c-" + u, Title: "Dark", Type: streaming.ContentSeries, Genres: []string{"sci-fi"}, Seasons: 3, UpdatedAt: day0}
	rated := content
	rated.RatingAvg, rated.RatingCount = 4.5, 1
	ratedPayload := streaming.NewContentPayload(&rated)
	ratedPayload.RatedBy, ratedPayload.Stars = rater, 5
	dropAfter(t, c, "user_profile:"+user.ID, "plan:"+plan.ID, "content:"+content.ID)
	dropAfter(t, c, "recommendations:"+user.ID, "recommendations:"+rater, "recommendations:"+bystander)

	for _, who := range []string{user.ID, rater, bystander} {
		if err := m.CacheRecommendations(ctx, who, []streaming.Recommendation{{ContentID: "old", Score: 1}}); err != nil {
			t.Fatal(err)
		}
	}

	batch := []streaming.Event{
		event(t, streaming.AggregateUser, user.ID, 1, streaming.EventUserRegistered, streaming.NewUserPayload(&user)),
		event(t, streaming.AggregatePlan, plan.ID, 1, streaming.EventPlanCreated, streaming.NewPlanPayload(&plan)),
		event(t, streaming.AggregateSubscription, sub.ID, 1, streaming.EventSubscriptionCreated, streaming.NewSubscriptionPayload(&sub)),
		// Another aggregate's later events may arrive before the earlier ones of a replay: versions decide.
		event(t, streaming.AggregateSubscription, sub.ID, 4, streaming.EventSubscriptionCanceled, streaming.NewSubscriptionPayload(&canceled)),
		event(t, streaming.AggregateSubscription, sub.ID, 2, streaming.EventSubscriptionPlanChanged, streaming.NewSubscriptionPayload(&changed)),
		event(t, streaming.AggregateSubscription, sub.ID, 3, streaming.EventSubscriptionPaymentMethodUpdated, streaming.NewSubscriptionPayload(&repaid)),
		event(t, streaming.AggregatePlan, plan.ID, 2, streaming.EventPlanUpdated, streaming.NewPlanPayload(&renamed)),
		event(t, streaming.AggregateContent, content.ID, 1, streaming.EventContentUpserted, streaming.NewContentPayload(&content)),
		event(t, streaming.AggregateContent, content.ID, 2, streaming.EventContentRated, ratedPayload),
		// An aggregate type no projector knows (ratings are content events), with a payload this one could not even
		// read: skipped.
		{AggregateType: "rating", AggregateID: "r-" + u, Version: 1, Type: "SomethingElse", Payload: json.RawMessage(`not json`)},
	}
	check := func(t *testing.T) {
		t.Helper()
		plans, err := m.Plans(ctx, plan.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantPlan := renamed
		wantPlan.Version, wantPlan.UpdatedAt = 2, day0.Add(2*time.Minute)
		if !reflect.DeepEqual(plans[plan.ID], wantPlan) {
			t.Errorf("plan = %+v, want %+v", plans[plan.ID], wantPlan)
		}
		contents, err := m.Contents(ctx, content.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantContent := rated
		wantContent.Version = 2
		if !reflect.DeepEqual(contents[content.ID], wantContent) {
			t.Errorf("content = %+v, want %+v", contents[content.ID], wantContent)
		}
		// Projected parts alone are an incomplete view; a rebuild that knows nothing newer completes it.
		if _, ok, err := m.UserView(ctx, user.ID); ok || err != nil {
			t.Fatalf("before the rebuild: ok = %v, err = %v; want a miss", ok, err)
		}
		if err := m.PutUserView(ctx, streaming.UserView{User: user}); err != nil {
			t.Fatal(err)
		}
		view, ok, err := m.UserView(ctx, user.ID)
		if err != nil || !ok {
			t.Fatalf("UserView: ok = %v, err = %v", ok, err)
		}
		wantUser := user
		wantUser.Version = 1
		wantSub := canceled
		wantSub.Version = 4
		if !reflect.DeepEqual(view.User, wantUser) || !reflect.DeepEqual(view.Subscriptions, []streaming.Subscription{wantSub}) {
			t.Errorf("view = %+v, want user %+v with %+v", view, wantUser, wantSub)
		}
		for who, want := range map[string]bool{user.ID: false, rater: false, bystander: true} {
			if _, ok, err := m.CachedRecommendations(ctx, who, 0); ok != want || err != nil {
				t.Errorf("recommendations of %s cached = %v (%v), want %v", who, ok, err, want)
			}
		}
		c.Do(ctx, c.B().Hdel().Key("user_profile:"+user.ID).Field("complete").Build())
	}

	if err := p.Project(ctx, batch); err != nil {
		t.Fatal(err)
	}
	t.Run("first delivery", check)
	// At-least-once delivery: the whole batch again, and its first events alone, change nothing.
	if err := p.Project(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := p.Project(ctx, batch[:3]); err != nil {
		t.Fatal(err)
	}
	t.Run("redelivery", check)
	if err := p.Project(ctx, nil); err != nil {
		t.Errorf("empty batch: %v", err)
	}
}

// TestProjectorAppliesEverySubscriptionEvent: each subscription event type updates the user's view (the projector
// skips event types it does not know, so a type missing from its list would leave the view behind silently).
func TestProjectorAppliesEverySubscriptionEvent(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	p := m.Projector()
	for _, typ := range []string{streaming.EventSubscriptionPlanChanged, streaming.EventSubscriptionCanceled,
		streaming.EventSubscriptionRenewed, streaming.EventSubscriptionPastDue, streaming.EventSubscriptionExpired,
		streaming.EventSubscriptionEnded, streaming.EventSubscriptionPaymentMethodUpdated} {
		t.Run(typ, func(t *testing.T) {
			u := storetest.Unique()
			user := streaming.User{ID: "u-" + u, Email: "ann@example.com", DisplayName: "Ann", Country: "ES", CreatedAt: day0, Version: 1}
			sub := streaming.Subscription{ID: "s-" + u, UserID: user.ID, PlanID: "p-" + u, Status: streaming.SubscriptionActive,
				StartDate: day0, PriceCents: 799, Currency: "EUR", PaymentMethod: streaming.PaymentCard, CreatedAt: day0, UpdatedAt: day0}
			next := sub
			next.PaymentMethod, next.UpdatedAt = streaming.PaymentPayPal, day0.Add(time.Hour)
			dropAfter(t, c, "user_profile:"+user.ID, "recommendations:"+user.ID)
			if err := p.Project(ctx, []streaming.Event{
				event(t, streaming.AggregateUser, user.ID, 1, streaming.EventUserRegistered, streaming.NewUserPayload(&user)),
				event(t, streaming.AggregateSubscription, sub.ID, 1, streaming.EventSubscriptionCreated, streaming.NewSubscriptionPayload(&sub)),
				event(t, streaming.AggregateSubscription, sub.ID, 2, typ, streaming.NewSubscriptionPayload(&next)),
			}); err != nil {
				t.Fatal(err)
			}
			if err := m.PutUserView(ctx, streaming.UserView{User: user}); err != nil {
				t.Fatal(err)
			}
			view, ok, err := m.UserView(ctx, user.ID)
			if err != nil || !ok {
				t.Fatalf("UserView: ok = %v, err = %v", ok, err)
			}
			want := next
			want.Version = 2
			if !reflect.DeepEqual(view.Subscriptions, []streaming.Subscription{want}) {
				t.Errorf("subscriptions = %+v, want %+v", view.Subscriptions, want)
			}
		})
	}
}

func TestProjectorFailsLoudlyOnABadEvent(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	p := redis.NewReadModel(c, redis.ReadModelOptions{}).Projector()
	u := storetest.Unique()
	sub := streaming.Subscription{ID: "s-" + u, UserID: "u-" + u, PriceCents: 100}
	badPrice := streaming.NewSubscriptionPayload(&sub)
	badPrice.MonthlyPrice = "nine"
	noID := streaming.NewPlanPayload(&streaming.Plan{Name: "nameless"})
	cases := []struct {
		name string
		e    streaming.Event
		want string
	}{
		{"undecodable payload", streaming.Event{AggregateType: "user", AggregateID: "u-" + u, Version: 1,
			Type: streaming.EventUserRegistered, Payload: json.RawMessage(`{"user_id": 7}`)}, "UserRegistered event user/u-" + u + " v1"},
		{"bad price", event(t, streaming.AggregateSubscription, sub.ID, 2, streaming.EventSubscriptionCreated, badPrice),
			"SubscriptionCreated event subscription/" + sub.ID + " v2"},
		{"no id", event(t, streaming.AggregatePlan, "p-"+u, 1, streaming.EventPlanCreated, noID), "PlanCreated event plan/p-" + u + " v1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := p.Project(ctx, []streaming.Event{tc.e})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %q", err, tc.want)
			}
			if streaming.ErrorCode(err) == streaming.CodeUnavailable {
				t.Errorf("a bad event reported as a store outage: %v", err)
			}
		})
	}
	for _, k := range []string{"user_profile:u-" + u, "plan:"} { // one EXISTS each: a cluster puts them in two slots
		if n, _ := c.Do(ctx, c.B().Exists().Key(k).Build()).AsInt64(); n != 0 {
			t.Errorf("a failed batch wrote %s", k)
		}
	}
}

// A title's rating figures replace those in its cached view and nothing else, the newest of them winning whatever
// order they arrive in; a RatingChanged drops the rater's recommendations; a title not cached stays uncached.
func TestProjectorAppliesRatingFigures(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	p := m.Projector()
	u := storetest.Unique()
	content := streaming.Content{ID: "c-" + u, Title: `"RatingAvg":1,"RatingCount":1, in a title`, Type: streaming.ContentMovie,
		Genres: []string{}, RatingAvg: 2, RatingCount: 1, UpdatedAt: day0}
	uncached, rater := "c-"+u+"-uncached", "u-"+u+"-rater"
	dropAfter(t, c, "content:"+content.ID, "content:"+uncached, "recommendations:"+rater)
	if err := m.CacheRecommendations(ctx, rater, []streaming.Recommendation{{ContentID: "old", Score: 1}}); err != nil {
		t.Fatal(err)
	}
	figures := func(id string, avg float64, count, seq int64) streaming.Event {
		return event(t, streaming.AggregateContent, id, 3, streaming.EventContentRatingAggregated,
			streaming.RatingAggregatePayload{ContentID: id, RatingAvg: avg, RatingCount: count, RatingSeq: seq})
	}
	batch := []streaming.Event{
		event(t, streaming.AggregateContent, content.ID, 3, streaming.EventContentUpserted, streaming.NewContentPayload(&content)),
		figures(content.ID, 4.33, 3, 2),
		figures(content.ID, 3.5, 2, 1),
		figures(uncached, 5, 1, 1),
		event(t, streaming.AggregateRating, streaming.RatingAggregateID(content.ID, rater), 1, streaming.EventRatingChanged,
			streaming.RatingPayload{UserID: rater, ContentID: content.ID, Stars: 5, UpdatedAt: day0}),
	}
	want := content
	want.RatingAvg, want.RatingCount, want.Version = 4.33, 3, 3
	for _, round := range []string{"first delivery", "redelivery"} {
		if err := p.Project(ctx, batch); err != nil {
			t.Fatalf("%s: %v", round, err)
		}
		got, err := m.Contents(ctx, content.ID, uncached)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, map[string]streaming.Content{content.ID: want}) {
			t.Errorf("%s: contents = %+v, want only %+v", round, got, want)
		}
	}
	// An older figure alone, later, is ignored too.
	if err := p.Project(ctx, []streaming.Event{figures(content.ID, 1, 9, 1)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Contents(ctx, content.ID); got[content.ID].RatingAvg != 4.33 {
		t.Errorf("an older figure was applied: %+v", got[content.ID])
	}
	if _, ok, err := m.CachedRecommendations(ctx, rater, 0); ok || err != nil {
		t.Errorf("rater's recommendations cached = %v (%v) after a rating", ok, err)
	}
}
