package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectpb "google.golang.org/grpc/reflection/grpc_reflection_v1"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/storetest"
)

// rest sends a JSON request to the gateway and decodes the JSON answer.
func rest(t *testing.T, e *env, method, path, token string, body any, headers ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(storetest.Context(t, 30*time.Second), method, e.httpURL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func TestRESTValidationNamesTheField(t *testing.T) {
	e := server(t)
	code, body := rest(t, e, "POST", "/v1/users", "", map[string]any{"email": "nope", "password": "long enough password",
		"displayName": "X", "country": "ES"})
	if code != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %v", code, body)
	}
	details, _ := body["details"].([]any)
	if len(details) == 0 || !strings.Contains(mustJSON(details), `"field":"email"`) {
		t.Fatalf("no field violation naming email in %v", body)
	}
	code, _ = rest(t, e, "POST", "/v1/plans", "", map[string]any{"name": "x"})
	if code != http.StatusUnauthorized {
		t.Fatalf("anonymous CreatePlan over REST: status %d, want 401", code)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRESTIdempotencyKeyHeader(t *testing.T) {
	e := server(t)
	u := newUser(t, e)
	plan := newPlan(t, e, "3.50")
	key := "hdr-" + storetest.Unique()
	body := map[string]any{"planId": plan.GetId(), "paymentMethod": "PAYMENT_METHOD_CARD", "paymentToken": "tok_visa"}
	path := "/v1/users/" + u.id + "/subscriptions"
	code1, first := rest(t, e, "POST", path, u.token, body, "Idempotency-Key", key)
	code2, second := rest(t, e, "POST", path, u.token, body, "Idempotency-Key", key)
	if code1 != 200 || code2 != 200 {
		t.Fatalf("statuses %d, %d: %v %v", code1, code2, first, second)
	}
	id1 := first["subscription"].(map[string]any)["id"]
	id2 := second["subscription"].(map[string]any)["id"]
	if id1 == nil || id1 != id2 {
		t.Fatalf("replayed subscription %v, first %v", id2, id1)
	}
	code, _ := rest(t, e, "POST", path, u.token, body)
	if code != http.StatusBadRequest {
		t.Fatalf("without any idempotency key: status %d, want 400", code)
	}
}

func TestHTTPEndpoints(t *testing.T) {
	e := server(t)
	get := func(path string) (int, string) {
		base := e.httpURL
		if ops := path == "/metrics" || path == "/readyz" || path == "/healthz"; ops {
			base = "http://" + e.built.Server.OpsAddr()
		}
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/openapi.json"); code != 200 || !strings.Contains(body, "/v1/users/{userId}/subscriptions") {
		t.Errorf("/openapi.json: %d, %.200s", code, body)
	}
	// Operators' endpoints are not on the API's listener.
	for _, path := range []string{"/metrics", "/readyz", "/healthz"} {
		res, err := http.Get(e.httpURL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s on the API listener: %s, want 404", path, res.Status)
		}
	}
	// The standard gRPC server metrics, with their standard labels (every method's series exists from the start).
	code, body := get("/metrics")
	for _, series := range []string{
		`grpc_server_handled_total{grpc_code="OK",grpc_method="IngestPlaybackEvents",grpc_service="streaming.v1.IngestService",grpc_type="client_stream"}`,
		`grpc_server_handling_seconds_count{grpc_method="GetContent",grpc_service="streaming.v1.QueryService",grpc_type="unary"}`,
		`grpc_server_msg_received_total{grpc_method="IngestPlaybackEvents",grpc_service="streaming.v1.IngestService",grpc_type="client_stream"}`,
	} {
		if code != 200 || !strings.Contains(body, series) {
			t.Errorf("/metrics (%d) lacks %s", code, series)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, _ := get("/readyz")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz: %d after 10s", code)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestHealthAndReflection(t *testing.T) {
	e := server(t)
	hc := healthpb.NewHealthClient(e.conn)
	for _, svc := range []string{"", "postgres", "redis", "streaming.v1.CommandService"} {
		deadline := time.Now().Add(10 * time.Second)
		for {
			res, err := hc.Check(as(t, ""), &healthpb.HealthCheckRequest{Service: svc})
			if err == nil && res.GetStatus() == healthpb.HealthCheckResponse_SERVING {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("health %q: %v, %v", svc, res, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	stream, err := reflectpb.NewServerReflectionClient(e.conn).ServerReflectionInfo(as(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectpb.ServerReflectionRequest{MessageRequest: &reflectpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	res, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range res.GetListServicesResponse().GetService() {
		names = append(names, s.GetName())
	}
	for _, want := range []string{"streaming.v1.CommandService", "streaming.v1.QueryService", "streaming.v1.IngestService", "grpc.health.v1.Health"} {
		if !slices.Contains(names, want) {
			t.Errorf("reflection lists %v, missing %s", names, want)
		}
	}
}

func TestRequestIDEchoed(t *testing.T) {
	e := server(t)
	var header metadata.MD
	ctx := metadata.AppendToOutgoingContext(as(t, ""), "x-request-id", "trace-abc.123")
	e.cmd.Login(ctx, &pb.LoginRequest{Email: "nobody@example.com", Password: "x"}, grpc.Header(&header))
	if got := header.Get("x-request-id"); len(got) != 1 || got[0] != "trace-abc.123" {
		t.Fatalf("x-request-id header = %v", got)
	}
}
