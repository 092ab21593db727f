package e2e

import (
	"testing"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
)

// Neo4j unreachable at start is a warning, not a failure: the server builds and serves, health reports neo4j down
// while the server stays SERVING, and recommendations come from the fallback.
func TestNeo4jDownAtStartStillServes(t *testing.T) {
	dead := deadAddr(t)
	_, conn, _, _ := startOwn(t, func(c *config.Config) { c.Neo4jURI = "bolt://" + dead })
	u := newUser(t, server(t)) // the shared server's tables and sessions are this server's too

	hc := healthpb.NewHealthClient(conn)
	deadline := time.Now().Add(10 * time.Second) // the first health pass runs once the server starts
	for {
		res, err := hc.Check(as(t, ""), &healthpb.HealthCheckRequest{Service: "neo4j"})
		if err == nil && res.GetStatus() == healthpb.HealthCheckResponse_NOT_SERVING {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("health of neo4j = %v, %v; want NOT_SERVING", res, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if res, err := hc.Check(as(t, ""), &healthpb.HealthCheckRequest{}); err != nil ||
		res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health of the server = %v, %v; want SERVING (recommendations degrade)", res, err)
	}
	res, err := pb.NewQueryServiceClient(conn).GetRecommendations(as(t, u.token),
		&pb.GetRecommendationsRequest{UserId: u.id, Limit: 5})
	if err != nil {
		t.Fatalf("GetRecommendations without Neo4j: %v", err)
	}
	if res.GetSource() != pb.RecommendationSource_RECOMMENDATION_SOURCE_FALLBACK {
		t.Errorf("recommendations without Neo4j came from %v, want the fallback", res.GetSource())
	}
}
