package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"google.golang.org/grpc/codes"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/readcheck"
	"github.com/streamingplatform/streaming/server/storetest"
)

// A user with a subscription, a rating with a review, a viewing history, graph edges, a cached view, cached
// recommendations and sessions asks to be erased: the call answers at once with PostgreSQL done, the worker erases the
// other stores, and afterwards each store, asked directly, holds nothing personal about them. Another user's data is
// untouched, and nobody else may erase them.
func TestDeleteUserLeavesNoTrace(t *testing.T) {
	e := server(t)
	d := graph(t)
	u, other := newUser(t, e), newUser(t, e)
	plan := newPlan(t, e, "7.99")
	g := genre("erasure")
	seen, shared := newTitle(t, e, "Lo que se borra", g), newTitle(t, e, "Lo que queda", g)
	ctx := as(t, u.token)
	if _, err := e.cmd.CreateSubscription(ctx, &pb.CreateSubscriptionRequest{UserId: u.id, PlanId: plan.GetId(),
		PaymentMethod: pb.PaymentMethod_PAYMENT_METHOD_CARD, PaymentToken: "tok_visa", IdempotencyKey: "erase-" + storetest.Unique()}); err != nil {
		t.Fatal(err)
	}
	review := "Reseña de " + storetest.Unique()
	if _, err := e.cmd.RateContent(ctx, &pb.RateContentRequest{UserId: u.id, ContentId: seen.GetId(), Stars: 5, Review: review}); err != nil {
		t.Fatal(err)
	}
	watch(t, e, u.id, seen, shared)
	watch(t, e, other.id, shared)
	// A stream slot leased: the device and network reach the graph's risk links (the card's did with the event).
	if _, err := e.playback.StartPlayback(ctx, startReq(u, "erase-tv-"+storetest.Unique(), pb.VideoQuality_VIDEO_QUALITY_HD)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.query.GetUserProfile(ctx, &pb.GetUserProfileRequest{UserId: u.id}); err != nil {
		t.Fatal(err)
	}
	relationships := func(id string) int {
		res, err := neo4j.ExecuteQuery(storetest.Context(t, 10*time.Second), d,
			`MATCH (:User {id: $id})-[r]-() RETURN count(r) AS n`, map[string]any{"id": id}, neo4j.EagerResultTransformer)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := res.Records[0].Get("n")
		return int(n.(int64))
	}
	eventually(t, "the user's edges in the graph", func() string {
		// Two WATCHED, the card's PAID_WITH, the device's USED_DEVICE and the network's PLAYED_FROM.
		if n := relationships(u.id); n < 5 {
			return fmt.Sprintf("%d relationships", n)
		}
		return ""
	})
	if _, err := e.query.GetRecommendations(ctx, &pb.GetRecommendationsRequest{UserId: u.id}); err != nil {
		t.Fatal(err)
	}

	// Another user may not erase them (REST answers 403 as gRPC answers PermissionDenied).
	_, err := e.cmd.DeleteUser(as(t, other.token), &pb.DeleteUserRequest{UserId: u.id})
	wantCode(t, err, codes.PermissionDenied)
	req, _ := http.NewRequestWithContext(storetest.Context(t, 10*time.Second), http.MethodDelete, e.httpURL+"/v1/users/"+u.id, nil)
	req.Header.Set("Authorization", "Bearer "+other.token)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("REST DELETE of another user = %v, %v; want 403", res, err)
	} else {
		res.Body.Close()
	}

	res, err := e.cmd.DeleteUser(ctx, &pb.DeleteUserRequest{UserId: u.id})
	if err != nil {
		t.Fatal(err)
	}
	if s := res.GetErasure().GetStores(); len(s) != 4 || s[0].GetStore() != "postgres" || s[0].GetErasedAt() == nil {
		t.Fatalf("erasure right after the call = %v, want postgres done first of 4 stores", res.GetErasure())
	}

	// Every session ended; the account cannot sign in again, and its email is free.
	_, err = e.query.GetUserProfile(ctx, &pb.GetUserProfileRequest{UserId: u.id})
	wantCode(t, err, codes.Unauthenticated)
	_, err = e.cmd.Login(as(t, ""), &pb.LoginRequest{Email: u.email, Password: "correct horse battery"})
	wantCode(t, err, codes.Unauthenticated)

	eventually(t, "every store erased", func() string {
		res, err := e.query.GetUserErasure(as(t, adminToken), &pb.GetUserErasureRequest{UserId: u.id})
		if err != nil {
			return err.Error()
		}
		if !res.GetErasure().GetComplete() {
			return fmt.Sprint(res.GetErasure())
		}
		return ""
	})

	// Once Redis is erased, the profile is found nowhere (until then its cached view may still answer an admin).
	_, err = e.query.GetUserProfile(as(t, adminToken), &pb.GetUserProfileRequest{UserId: u.id})
	wantCode(t, err, codes.NotFound)

	// PostgreSQL: the row stays, anonymized (payments refer to it); the review and the saved card token are gone; the
	// subscription is canceled at its period's end.
	if n := count(t, e, `SELECT count(*) FROM users WHERE id = $1 AND email = $2 AND display_name = '' AND erased_at IS NOT NULL`,
		u.id, u.id+"@erased.invalid"); n != 1 {
		t.Errorf("anonymized user rows = %d, want 1", n)
	}
	if n := count(t, e, `SELECT count(*) FROM users WHERE email = $1`, u.email); n != 0 {
		t.Errorf("rows with the erased email = %d", n)
	}
	if n := count(t, e, `SELECT count(*) FROM ratings WHERE review = $1`, review); n != 0 {
		t.Errorf("ratings still holding the review = %d", n)
	}
	if n := count(t, e, `SELECT count(*) FROM subscriptions WHERE user_id = $1 AND (payment_token <> '' OR NOT cancel_at_period_end)`, u.id); n != 0 {
		t.Errorf("subscriptions still renewing or holding a token = %d", n)
	}
	if n := count(t, e, `SELECT count(*) FROM payments WHERE user_id = $1`, u.id); n != 1 {
		t.Errorf("payments kept = %d, want 1", n)
	}

	// Neo4j: a tombstone with no relationship and no property but its id, version and mark.
	if n := relationships(u.id); n != 0 {
		t.Errorf("erased user has %d relationships in the graph", n)
	}
	props, err := neo4j.ExecuteQuery(storetest.Context(t, 10*time.Second), d,
		`MATCH (u:User {id: $id}) RETURN keys(u) AS k`, map[string]any{"id": u.id}, neo4j.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range props.Records {
		k, _ := r.Get("k")
		for _, name := range k.([]any) {
			if name != "id" && name != "version" && name != "erased" {
				t.Errorf("graph tombstone keeps property %v", name)
			}
		}
	}
	if n := relationships(other.id); n == 0 {
		t.Error("the other user's edges went too")
	}

	// Redis: no session, lease or cached recommendation; the profile key holds only its tombstone.
	rctx := storetest.Context(t, 10*time.Second)
	r := e.built.Redis
	for _, key := range []string{"sessions:" + u.id, "recommendations:" + u.id, "leases:" + u.id} {
		if n, err := r.Do(rctx, r.B().Exists().Key(key).Build()).AsInt64(); err != nil || n != 0 {
			t.Errorf("redis %s exists = %d, %v", key, n, err)
		}
	}
	profile, err := r.Do(rctx, r.B().Hgetall().Key("user_profile:"+u.id).Build()).AsStrMap()
	if err != nil {
		t.Fatal(err)
	}
	for field, value := range profile {
		if strings.Contains(value, u.email) || strings.Contains(value, "Test User") {
			t.Errorf("redis user_profile:%s %s still holds personal data: %s", u.id, field, value)
		}
	}

	// Cassandra: no history and no continue-watching row, for any title; the other user's stay.
	cs := e.built.Cassandra.Session()
	for _, c := range []*pb.Content{seen, shared} {
		var n int
		if err := cs.Query(`SELECT count(*) FROM playback_events WHERE user_id = ? AND content_id = ?`, u.id, c.GetId()).
			WithContext(rctx).Scan(&n); err != nil || n != 0 {
			t.Errorf("cassandra history of %s = %d, %v", c.GetTitle(), n, err)
		}
	}
	var n int
	if err := cs.Query(`SELECT count(*) FROM continue_watching WHERE user_id = ?`, u.id).WithContext(rctx).Scan(&n); err != nil || n != 0 {
		t.Errorf("cassandra continue_watching rows = %d, %v", n, err)
	}
	if err := cs.Query(`SELECT count(*) FROM playback_events WHERE user_id = ? AND content_id = ?`, other.id, shared.GetId()).
		WithContext(rctx).Scan(&n); err != nil || n == 0 {
		t.Errorf("the other user's history = %d, %v", n, err)
	}

	// The search server holds the catalog only: neither the email nor the review is anywhere in it.
	for _, q := range []string{u.email, review} {
		sr, err := e.query.SearchContent(as(t, other.token), &pb.SearchContentRequest{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(sr.GetHits()) != 0 {
			t.Errorf("search for %q found %v", q, sr.GetHits())
		}
	}

	// The consistency check proves it too, store by store.
	rep, err := readcheck.Check(storetest.Context(t, time.Minute), readcheck.Sources{
		Postgres: postgres.NewCheckSource(e.built.Pool), Redis: e.built.ReadModels, Search: e.built.Search,
		Graph: e.built.Graph, Cassandra: e.built.Cassandra}, readcheck.Options{IDs: []string{u.id, seen.GetId()}, Strict: true})
	if err != nil {
		t.Fatalf("readcheck: %v", err)
	}
	if rep.Failed() {
		t.Errorf("the consistency check finds what the erasure left: %+v", rep.Differences)
	}
	checked := map[readcheck.Model]int64{}
	for _, c := range rep.Counts {
		if c.Kind == readcheck.KindErasure {
			checked[c.Model] += c.OK
		}
	}
	for _, m := range []readcheck.Model{readcheck.ModelPostgres, readcheck.ModelNeo4j, readcheck.ModelRedis, readcheck.ModelCassandra} {
		if checked[m] != 1 {
			t.Errorf("the consistency check proved the erasure in %s for %d users, want 1 (%+v)", m, checked[m], rep.Counts)
		}
	}

	// A second request succeeds and erases again.
	if _, err := e.cmd.DeleteUser(as(t, adminToken), &pb.DeleteUserRequest{UserId: u.id}); err != nil {
		t.Fatalf("second DeleteUser: %v", err)
	}
	eventually(t, "the second erasure done", func() string {
		res, err := e.query.GetUserErasure(as(t, adminToken), &pb.GetUserErasureRequest{UserId: u.id})
		if err != nil || !res.GetErasure().GetComplete() {
			return fmt.Sprint(res, err)
		}
		return ""
	})
	// Only an admin reads an erasure's progress.
	_, err = e.query.GetUserErasure(as(t, other.token), &pb.GetUserErasureRequest{UserId: other.id})
	wantCode(t, err, codes.PermissionDenied)
}
