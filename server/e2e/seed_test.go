package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/clients/client"
	"github.com/streamingplatform/streaming/clients/seed"
	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/storetest"
)

// The demo seed loads its data set through the platform's own API, and what it loaded shows up where `go tool task
// seed` promises: recommendations and search answer for the seeded users right away.
func TestSeedThroughTheAPI(t *testing.T) {
	e := server(t)
	ctx := storetest.Context(t, 2*time.Minute)
	admin, err := client.Dial(ctx, e.built.Server.GRPCAddr(), client.WithToken(adminToken))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ns := "e2e-" + storetest.Unique()
	m, err := seed.Run(ctx, admin, admin.WithToken(serviceToken), seed.Options{Users: 4, Titles: 12, Watches: 24, Ratings: 6,
		Seed: 7, Namespace: ns}, nil)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	c := m.Counts
	if !m.Complete || c.Plans != 3 || c.Titles != 12 || c.Users != 4 || c.Subscriptions != 4 || c.WatchPairs != 24 || c.Ratings != 6 {
		t.Fatalf("manifest = %+v", m)
	}
	again, err := seed.Run(ctx, admin, admin.WithToken(serviceToken), seed.Options{Users: 4, Titles: 12, Watches: 24, Ratings: 6,
		Seed: 7, Namespace: ns, Previous: m}, nil)
	if err != nil || again.Counts.UsersExisting != 4 || again.Counts.Users != 0 {
		t.Fatalf("rerun = %+v, %v; want the same users found again", again, err)
	}

	login, err := e.cmd.Login(as(t, ""), &pb.LoginRequest{Email: m.Users[0].Email, Password: seed.Password})
	if err != nil {
		t.Fatal(err)
	}
	u := m.Users[0]
	eventually(t, "recommendations for a seeded user", func() string {
		res, err := e.query.GetRecommendations(as(t, login.GetToken()), &pb.GetRecommendationsRequest{UserId: u.ID})
		if err != nil {
			return err.Error()
		}
		if len(res.GetRecommendations()) == 0 {
			e.built.ReadModels.InvalidateRecommendations(ctx, u.ID) // computed before the edges landed
			return "none yet"
		}
		return ""
	})
	title := m.Contents[0]
	eventually(t, "a seeded title in search", func() string {
		res, err := e.query.SearchContent(as(t, login.GetToken()), &pb.SearchContentRequest{Query: title.Title, PageSize: 50})
		if err != nil {
			return err.Error()
		}
		for _, h := range res.GetHits() {
			if h.GetContent().GetId() == title.ID {
				return ""
			}
		}
		return fmt.Sprintf("%d hits without %q", len(res.GetHits()), title.Title)
	})
}
