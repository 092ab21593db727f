package redis_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// dropAfter deletes keys when the test ends: read models have no TTL, so test runs would otherwise pile up.
func dropAfter(t *testing.T, c rueidis.Client, keys ...string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, k := range keys { // one DEL each: on a Redis Cluster they sit in different slots
			c.Do(ctx, c.B().Del().Key(k).Build())
		}
	})
}

var day0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func testUser(v int64) streaming.User {
	return streaming.User{ID: "u-" + storetest.Unique(), Email: "a@example.com", DisplayName: "Ann", Country: "ES",
		PasswordHash: "secret-hash-" + storetest.Unique(), Version: v, CreatedAt: day0}
}

// subAt is subscription id of user at version v; the status and price say which version wrote it.
func subAt(id, user string, v int64, start time.Time) streaming.Subscription {
	return streaming.Subscription{ID: id, UserID: user, PlanID: "p-1", Status: fmt.Sprintf("status-v%d", v),
		StartDate: start, PriceCents: 100 * v, Currency: "EUR", PaymentMethod: streaming.PaymentCard, Version: v,
		CreatedAt: day0, UpdatedAt: day0.Add(time.Duration(v) * time.Hour)}
}

func TestVersionedWritesKeepTheNewestInAnyOrder(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	orders := []struct {
		name     string
		versions []int64
	}{
		{"in order", []int64{1, 2, 3}},
		{"reversed", []int64{3, 2, 1}},
		{"newest in the middle", []int64{2, 3, 1}},
		{"replays and late ones", []int64{1, 3, 1, 2, 3, 2}},
		{"one event", []int64{3}},
	}
	for _, tc := range orders {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := storetest.Context(t, 30*time.Second)
			user := testUser(1)
			subID, planID, contentID := "s-"+storetest.Unique(), "p-"+storetest.Unique(), "c-"+storetest.Unique()
			dropAfter(t, c, "user_profile:"+user.ID, "plan:"+planID, "content:"+contentID)
			for _, v := range tc.versions {
				u := user
				u.DisplayName, u.Version = fmt.Sprintf("name-v%d", v), v
				if err := m.ApplyUser(ctx, u); err != nil {
					t.Fatal(err)
				}
				if err := m.ApplySubscription(ctx, subAt(subID, user.ID, v, day0)); err != nil {
					t.Fatal(err)
				}
				if err := m.PutPlan(ctx, streaming.Plan{ID: planID, Name: fmt.Sprintf("plan-v%d", v), Version: v}); err != nil {
					t.Fatal(err)
				}
				if err := m.PutContent(ctx, streaming.Content{ID: contentID, Title: fmt.Sprintf("title-v%d", v), Version: v}); err != nil {
					t.Fatal(err)
				}
			}
			// A rebuild that knows nothing newer than version 0 only marks the view complete.
			stale := user
			stale.Version = 0
			if err := m.PutUserView(ctx, streaming.UserView{User: stale}); err != nil {
				t.Fatal(err)
			}
			view, ok, err := m.UserView(ctx, user.ID)
			if err != nil || !ok {
				t.Fatalf("UserView = %v, %v", ok, err)
			}
			if view.User.DisplayName != "name-v3" || view.User.Version != 3 {
				t.Errorf("user = %+v, want version 3", view.User)
			}
			if len(view.Subscriptions) != 1 || view.Subscriptions[0].Status != "status-v3" || view.Subscriptions[0].Version != 3 {
				t.Errorf("subscriptions = %+v, want the one at version 3", view.Subscriptions)
			}
			plans, err := m.Plans(ctx, planID)
			if err != nil || plans[planID].Name != "plan-v3" {
				t.Errorf("plan = %+v, %v; want plan-v3", plans[planID], err)
			}
			contents, err := m.Contents(ctx, contentID)
			if err != nil || contents[contentID].Title != "title-v3" {
				t.Errorf("content = %+v, %v; want title-v3", contents[contentID], err)
			}
		})
	}
}

func TestApplyingTheSameVersionTwiceIsANoOp(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	id := "c-" + storetest.Unique()
	dropAfter(t, c, "content:"+id)
	first := streaming.Content{ID: id, Title: "first", Genres: []string{"drama"}, Version: 2}
	if err := m.PutContent(ctx, first); err != nil {
		t.Fatal(err)
	}
	before, _ := c.Do(ctx, c.B().Hgetall().Key("content:"+id).Build()).AsStrMap()
	// The same event again, and another payload claiming the same version: neither rewrites the stored state.
	for _, again := range []streaming.Content{first, {ID: id, Title: "imposter", Version: 2}} {
		if err := m.PutContent(ctx, again); err != nil {
			t.Fatal(err)
		}
		after, _ := c.Do(ctx, c.B().Hgetall().Key("content:"+id).Build()).AsStrMap()
		if !reflect.DeepEqual(before, after) {
			t.Errorf("after writing %q at the same version: hash = %v, want unchanged %v", again.Title, after, before)
		}
	}
	if before["v:content"] != "2" {
		t.Errorf("stored version = %q, want 2", before["v:content"])
	}
}

func TestUserViewIsIncompleteUntilRebuilt(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	user := testUser(1)
	dropAfter(t, c, "user_profile:"+user.ID)
	sub := subAt("s-"+storetest.Unique(), user.ID, 1, day0)

	if _, ok, err := m.UserView(ctx, user.ID); ok || err != nil {
		t.Fatalf("unknown user: ok = %v, err = %v; want a miss", ok, err)
	}
	// Projected parts alone are not a complete view: the user may have older subscriptions never projected here.
	if err := m.ApplyUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	if err := m.ApplySubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := m.UserView(ctx, user.ID); ok || err != nil {
		t.Fatalf("projected parts only: ok = %v, err = %v; want a miss", ok, err)
	}
	// A key with the marker but no user part (a subscription projected into a rebuilt-then-evicted view) is a miss too.
	orphan := "u-" + storetest.Unique()
	dropAfter(t, c, "user_profile:"+orphan)
	c.Do(ctx, c.B().Hset().Key("user_profile:"+orphan).FieldValue().FieldValue("complete", "1").Build())
	if _, ok, err := m.UserView(ctx, orphan); ok || err != nil {
		t.Fatalf("marker without user: ok = %v, err = %v; want a miss", ok, err)
	}

	older := subAt("s-"+storetest.Unique(), user.ID, 4, day0.AddDate(-1, 0, 0))
	if err := m.PutUserView(ctx, streaming.UserView{User: user, Subscriptions: []streaming.Subscription{sub, older}}); err != nil {
		t.Fatal(err)
	}
	view, ok, err := m.UserView(ctx, user.ID)
	if err != nil || !ok {
		t.Fatalf("after PutUserView: ok = %v, err = %v", ok, err)
	}
	wantUser := user
	wantUser.PasswordHash = ""
	if !reflect.DeepEqual(view.User, wantUser) {
		t.Errorf("user = %+v, want %+v", view.User, wantUser)
	}
	if !reflect.DeepEqual(view.Subscriptions, []streaming.Subscription{sub, older}) {
		t.Errorf("subscriptions = %+v, want %+v", view.Subscriptions, []streaming.Subscription{sub, older})
	}
	raw, _ := c.Do(ctx, c.B().Hgetall().Key("user_profile:"+user.ID).Build()).AsStrMap()
	for f, v := range raw {
		if strings.Contains(v, user.PasswordHash) {
			t.Errorf("field %s holds the password hash: %s", f, v)
		}
	}
	if ttl, _ := c.Do(ctx, c.B().Ttl().Key("user_profile:"+user.ID).Build()).AsInt64(); ttl != -1 {
		t.Errorf("TTL = %d, want none (the read model is rebuilt on a miss, not expired)", ttl)
	}
}

func TestStaleRebuildKeepsNewerProjectedParts(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	user := testUser(1)
	dropAfter(t, c, "user_profile:"+user.ID)
	subID := "s-" + storetest.Unique()

	// The rebuild read PostgreSQL at user v1 / subscription v2; meanwhile the projector applied user v2 and the
	// cancellation (subscription v3), and the rebuild's write lands last.
	renamed := user
	renamed.DisplayName, renamed.Version = "Renamed", 2
	canceled := subAt(subID, user.ID, 3, day0)
	canceled.Status = streaming.SubscriptionCanceled
	if err := m.ApplyUser(ctx, renamed); err != nil {
		t.Fatal(err)
	}
	if err := m.ApplySubscription(ctx, canceled); err != nil {
		t.Fatal(err)
	}
	newSub := subAt("s-"+storetest.Unique(), user.ID, 1, day0.Add(24*time.Hour))
	stale := streaming.UserView{User: user, Subscriptions: []streaming.Subscription{subAt(subID, user.ID, 2, day0), newSub}}
	if err := m.PutUserView(ctx, stale); err != nil {
		t.Fatal(err)
	}
	view, ok, err := m.UserView(ctx, user.ID)
	if err != nil || !ok {
		t.Fatalf("UserView: ok = %v, err = %v", ok, err)
	}
	if view.User.DisplayName != "Renamed" || view.User.Version != 2 {
		t.Errorf("user = %+v, want the projected version 2", view.User)
	}
	want := []streaming.Subscription{newSub, canceled}
	if !reflect.DeepEqual(view.Subscriptions, want) {
		t.Errorf("subscriptions = %+v, want %+v", view.Subscriptions, want)
	}
}

func TestUserViewSortsSubscriptions(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	user := testUser(1)
	dropAfter(t, c, "user_profile:"+user.ID)
	base := "s-" + storetest.Unique()
	oldest := subAt(base+"-a", user.ID, 1, day0.AddDate(-2, 0, 0))
	newest := subAt(base+"-z", user.ID, 1, day0.AddDate(1, 0, 0))
	sameDayB := subAt(base+"-b", user.ID, 1, day0)
	sameDayC := subAt(base+"-c", user.ID, 1, day0)
	if err := m.PutUserView(ctx, streaming.UserView{User: user,
		Subscriptions: []streaming.Subscription{sameDayC, oldest, newest, sameDayB}}); err != nil {
		t.Fatal(err)
	}
	view, ok, err := m.UserView(ctx, user.ID)
	if err != nil || !ok {
		t.Fatalf("UserView: ok = %v, err = %v", ok, err)
	}
	var got []string
	for _, s := range view.Subscriptions {
		got = append(got, s.ID)
	}
	want := []string{newest.ID, sameDayB.ID, sameDayC.ID, oldest.ID}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order = %v, want %v (start date descending, then id)", got, want)
	}
}

func TestPutUserViewRejectsAnotherUsersSubscription(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	user := testUser(1)
	dropAfter(t, c, "user_profile:"+user.ID)
	err := m.PutUserView(ctx, streaming.UserView{User: user,
		Subscriptions: []streaming.Subscription{subAt("s-"+storetest.Unique(), "someone-else", 1, day0)}})
	if streaming.ErrorCode(err) != streaming.CodeInvalid {
		t.Fatalf("err = %v, want invalid", err)
	}
	if n, _ := c.Do(ctx, c.B().Exists().Key("user_profile:"+user.ID).Build()).AsInt64(); n != 0 {
		t.Error("a rejected view was written")
	}
}

func TestPlansAndContentsMultiGet(t *testing.T) {
	t.Parallel()
	c := storetest.Redis(t)
	ctx := storetest.Context(t, 30*time.Second)
	m := redis.NewReadModel(c, redis.ReadModelOptions{})
	u := storetest.Unique()
	stored := map[string]streaming.Content{}
	dropAfter(t, c, "content:c-"+u+"-0", "content:c-"+u+"-1", "content:c-"+u+"-2", "plan:p-"+u)
	for i := range 3 {
		ct := streaming.Content{ID: fmt.Sprintf("c-%s-%d", u, i), Title: fmt.Sprintf("Title %d", i), Type: streaming.ContentMovie,
			Genres: []string{"drama", "crime"}, Actors: []string{"A"}, RatingAvg: 4.5, RatingCount: 2, Version: 1, UpdatedAt: day0}
		if err := m.PutContent(ctx, ct); err != nil {
			t.Fatal(err)
		}
		stored[ct.ID] = ct
	}
	plan := streaming.Plan{ID: "p-" + u, Name: "Premium", PriceCents: 1599, Currency: "EUR", MaxStreams: 4,
		MaxQuality: "uhd", Available: true, Version: 2, UpdatedAt: day0}
	if err := m.PutPlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		ids  []string
		want map[string]streaming.Content
	}{
		{"none asked", nil, map[string]streaming.Content{}},
		{"all missing", []string{"c-" + u + "-missing"}, map[string]streaming.Content{}},
		{"mixed, with a duplicate", []string{"c-" + u + "-2", "c-" + u + "-missing", "c-" + u + "-0", "c-" + u + "-2"},
			map[string]streaming.Content{"c-" + u + "-0": stored["c-"+u+"-0"], "c-" + u + "-2": stored["c-"+u+"-2"]}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := m.Contents(ctx, tc.ids...)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Contents(%v) = %+v, want %+v", tc.ids, got, tc.want)
			}
		})
	}
	plans, err := m.Plans(ctx, plan.ID, "p-"+u+"-missing")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(plans, map[string]streaming.Plan{plan.ID: plan}) {
		t.Errorf("Plans = %+v, want only %+v", plans, plan)
	}
}
