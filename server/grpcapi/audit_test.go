package grpcapi

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/streaming"
)

// auditCommands answers the command calls the audit test makes, with the ids a real server would assign.
type auditCommands struct {
	pb.UnimplementedCommandServiceServer
}

func (auditCommands) CreatePlan(context.Context, *pb.CreatePlanRequest) (*pb.CreatePlanResponse, error) {
	return &pb.CreatePlanResponse{Plan: &pb.Plan{Id: "11111111-1111-4111-8111-111111111111"}}, nil
}

func (auditCommands) CreateSubscription(_ context.Context, r *pb.CreateSubscriptionRequest) (*pb.CreateSubscriptionResponse, error) {
	return &pb.CreateSubscriptionResponse{Subscription: &pb.Subscription{Id: "33333333-3333-4333-8333-333333333333",
		UserId: r.GetUserId(), PlanId: r.GetPlanId()}}, nil
}

func (auditCommands) RegisterUser(context.Context, *pb.RegisterUserRequest) (*pb.RegisterUserResponse, error) {
	return nil, streaming.Errorf(streaming.CodeConflict, "email taken")
}

func (auditCommands) UpdatePlan(context.Context, *pb.UpdatePlanRequest) (*pb.UpdatePlanResponse, error) {
	panic("boom")
}

// sessions is a fake of the session port: one live session.
type sessions struct {
	streaming.SessionStore
	user func(token string) (string, error)
}

func (s sessions) SessionUser(_ context.Context, token string) (string, error) { return s.user(token) }

// syncBuffer collects log output written from the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// records is every JSON log record with msg "audit".
func (b *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == "audit" {
			out = append(out, rec)
		}
	}
	return out
}

// Each admin or service call leaves exactly one audit record (role, RPC, ids from the request and the response,
// code, request id), a user's call none, and no record, nor any other log line, carries a secret of the request.
func TestAuditRecords(t *testing.T) {
	const (
		adminToken   = "admin-token-0123456789"
		serviceToken = "service-token-0123456789"
		userToken    = "user-session-token-0123456789"
		userID       = "22222222-2222-4222-8222-222222222222"
		planID       = "11111111-1111-4111-8111-111111111111"
		payment      = "tok_visa_secret_4242"
		password     = "correct horse battery staple"
	)
	logs := &syncBuffer{}
	ic := &Interceptors{Log: slog.New(slog.NewJSONHandler(logs, nil)), Auth: &Authenticator{AdminToken: adminToken,
		ServiceToken: serviceToken, Sessions: sessions{user: func(token string) (string, error) {
			if token == userToken {
				return userID, nil
			}
			return "", streaming.Errorf(streaming.CodeUnauthenticated, "unknown token")
		}}}}
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(ic.UnaryChain()...), grpc.ChainStreamInterceptor(ic.StreamChain()...))
	pb.RegisterCommandServiceServer(srv, auditCommands{})
	lis := bufconn.Listen(1 << 20)
	go srv.Serve(lis)
	defer srv.Stop()
	conn, err := grpc.NewClient("passthrough:///bufconn", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := pb.NewCommandServiceClient(conn)
	as := func(token, requestID string) context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		t.Cleanup(cancel)
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token, "x-request-id", requestID)
	}
	subscribe := &pb.CreateSubscriptionRequest{UserId: userID, PlanId: planID, PaymentToken: payment, IdempotencyKey: "idem-key-1"}

	for _, c := range []struct {
		name string
		call func() error
		want map[string]any // nil: no record
	}{
		{"admin creates a plan", func() error {
			_, err := client.CreatePlan(as(adminToken, "req-1"), &pb.CreatePlanRequest{Name: "Basic"})
			return err
		}, map[string]any{"logger": "audit", "role": "admin", "rpc": "/streaming.v1.CommandService/CreatePlan",
			"code": "OK", "request_id": "req-1", "plan_id": planID}},
		{"admin subscribes a user, with a payment token", func() error {
			_, err := client.CreateSubscription(as(adminToken, "req-2"), subscribe)
			return err
		}, map[string]any{"role": "admin", "rpc": "/streaming.v1.CommandService/CreateSubscription", "code": "OK",
			"request_id": "req-2", "user_id": userID, "plan_id": planID, "subscription_id": "33333333-3333-4333-8333-333333333333"}},
		{"admin registers a user, with a password", func() error {
			_, err := client.RegisterUser(as(adminToken, "req-3"), &pb.RegisterUserRequest{Email: "a@example.com", Password: password})
			return err
		}, map[string]any{"role": "admin", "rpc": "/streaming.v1.CommandService/RegisterUser", "code": "AlreadyExists",
			"request_id": "req-3"}},
		{"service denied an admin call", func() error {
			_, err := client.CreatePlan(as(serviceToken, "req-4"), &pb.CreatePlanRequest{Name: "Basic"})
			return err
		}, map[string]any{"role": "service", "rpc": "/streaming.v1.CommandService/CreatePlan", "code": "PermissionDenied",
			"request_id": "req-4"}},
		{"admin call that panics", func() error {
			_, err := client.UpdatePlan(as(adminToken, "req-5"), &pb.UpdatePlanRequest{PlanId: planID})
			return err
		}, map[string]any{"role": "admin", "code": "Internal", "request_id": "req-5", "plan_id": planID}},
		{"user subscribes, with a payment token", func() error {
			_, err := client.CreateSubscription(as(userToken, "req-6"), subscribe)
			return err
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(logs.records(t))
			err := c.call()
			if code, _ := c.want["code"].(string); code != "" && status.Code(err).String() != code {
				t.Fatalf("answer %v, want %s", err, code)
			}
			if c.want == nil && err != nil {
				t.Fatalf("user call: %v", err)
			}
			recs := logs.records(t)[before:]
			if c.want == nil {
				if len(recs) != 0 {
					t.Fatalf("a user's call left audit records: %v", recs)
				}
				return
			}
			if len(recs) != 1 {
				t.Fatalf("%d audit records, want exactly 1: %v", len(recs), recs)
			}
			for k, v := range c.want {
				if recs[0][k] != v {
					t.Errorf("record[%s] = %v, want %v (record %v)", k, recs[0][k], v, recs[0])
				}
			}
			if _, ok := recs[0]["duration"]; !ok {
				t.Errorf("record without a duration: %v", recs[0])
			}
		})
	}
	all := logs.String()
	for _, secret := range []string{payment, password, adminToken, serviceToken, userToken, "idem-key-1"} {
		if strings.Contains(all, secret) {
			t.Errorf("the log carries the secret %q:\n%s", secret, all)
		}
	}
	for _, rec := range logs.records(t) {
		for k := range rec {
			if strings.Contains(k, "token") || strings.Contains(k, "password") {
				t.Errorf("audit record has a field %q: %v", k, rec)
			}
		}
	}
}
