package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/wiring"
)

// tracedServer starts a server of its own with every span recorded (wiring.WithSpanProcessor, the same option an
// exporter goes through), on a PostgreSQL schema of its own so that only its relay delivers its outbox events.
func tracedServer(t *testing.T) (*env, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	return ownServer(t, "e2e_traces", nil, wiring.WithSpanProcessor(rec)), rec
}

// ownServer starts a server of its own on a PostgreSQL schema of its own (so only its relay delivers its outbox
// events), with every listener on a free port; tune adjusts its configuration first.
func ownServer(t *testing.T, schema string, tune func(*config.Config), opts ...wiring.Option) *env {
	t.Helper()
	server(t) // the stores must be there
	cfg, err := config.Load(storetest.Settings(t).ServerArgs())
	if err != nil {
		t.Fatal(err)
	}
	url, _ := storetest.PostgresSchema(t, schema)
	cfg.PostgresURL, cfg.Migrate = url, true
	cfg.GRPCAddr, cfg.HTTPAddr, cfg.OpsAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.AdminToken, cfg.ServiceToken = adminToken, serviceToken
	cfg.CassandraKeyspace, cfg.SearchAlias = "streaming_test", searchAlias
	cfg.LoginsPerAccount, cfg.LoginsPerClient = 0, 0
	cfg.OutboxPoll = 100 * time.Millisecond
	if tune != nil {
		tune(&cfg)
	}
	built, err := wiring.Build(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), opts...)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); built.Server.Run(ctx) }()
	conn, err := grpc.NewClient(built.Server.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); cancel(); <-done; built.Close() })
	return &env{built: built, conn: conn, cmd: pb.NewCommandServiceClient(conn), query: pb.NewQueryServiceClient(conn),
		ingest: pb.NewIngestServiceClient(conn), httpURL: "http://" + built.Server.HTTPAddr()}
}

// waitSpans polls the recorder until ok holds for the ended spans, or fails the test after 30s with what it saw.
func waitSpans(t *testing.T, rec *tracetest.SpanRecorder, what string, ok func([]sdktrace.ReadOnlySpan) bool) []sdktrace.ReadOnlySpan {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		spans := rec.Ended()
		if ok(spans) {
			return spans
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not among %d spans:\n%s", what, len(spans), describeSpans(spans))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func describeSpans(spans []sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	for _, s := range spans {
		fmt.Fprintf(&b, "  %s trace=%s span=%s parent=%s links=%d\n", s.Name(), s.SpanContext().TraceID(),
			s.SpanContext().SpanID(), s.Parent().SpanID(), len(s.Links()))
	}
	return b.String()
}

func linksTo(s sdktrace.ReadOnlySpan, tid trace.TraceID) bool {
	return slices.ContainsFunc(s.Links(), func(l sdktrace.Link) bool { return l.SpanContext.TraceID() == tid })
}

// One REST CreateSubscription is one trace holding the gateway's span, the gRPC server's span under it and the
// PostgreSQL statements under that; the outbox relay and each projector then record spans of their own traces that
// LINK to it (through outbox.trace_context), since one relay batch carries the events of many commands.
func TestTracesFollowACommandThroughTheOutbox(t *testing.T) {
	e, rec := tracedServer(t)
	u := newUser(t, e)
	plan := newPlan(t, e, "9.99")
	code, body := rest(t, e, "POST", "/v1/users/"+u.id+"/subscriptions", u.token, map[string]any{
		"planId": plan.GetId(), "paymentMethod": "PAYMENT_METHOD_CARD", "paymentToken": "tok_visa",
		"idempotencyKey": "traced-" + storetest.Unique()})
	if code != http.StatusOK {
		t.Fatalf("REST CreateSubscription: status %d: %v", code, body)
	}
	const method = "streaming.v1.CommandService/CreateSubscription"
	spans := waitSpans(t, rec, "the gRPC server span of CreateSubscription", func(spans []sdktrace.ReadOnlySpan) bool {
		return slices.ContainsFunc(spans, func(s sdktrace.ReadOnlySpan) bool {
			return s.Name() == method && s.SpanKind() == trace.SpanKindServer
		})
	})
	var grpcSpan sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == method && s.SpanKind() == trace.SpanKindServer {
			grpcSpan = s
		}
	}
	tid := grpcSpan.SpanContext().TraceID()
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	var inTrace []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.SpanContext().TraceID() == tid {
			byID[s.SpanContext().SpanID()] = s
			inTrace = append(inTrace, s)
		}
	}
	// The gRPC server span descends from the gateway's HTTP span (through the gateway's client span).
	var gateway sdktrace.ReadOnlySpan
	for p := grpcSpan.Parent(); p.IsValid(); {
		s, ok := byID[p.SpanID()]
		if !ok {
			break
		}
		if s.SpanKind() == trace.SpanKindServer && strings.HasPrefix(s.Name(), "gateway ") {
			gateway = s
		}
		p = s.Parent()
	}
	if gateway == nil {
		t.Fatalf("the gRPC span of CreateSubscription has no gateway span above it in trace %s:\n%s", tid, describeSpans(inTrace))
	}
	if gateway.Parent().IsValid() {
		t.Errorf("the gateway span is not the trace's root (parent %s)", gateway.Parent().SpanID())
	}
	var inserts int
	for _, s := range inTrace {
		if strings.HasPrefix(s.Name(), "postgres ") && s.SpanKind() == trace.SpanKindClient {
			if s.Name() == "postgres INSERT" {
				inserts++
			}
			// Every statement is under the gRPC call.
			if _, ok := byID[s.Parent().SpanID()]; !ok {
				t.Errorf("%s has a parent outside the trace", s.Name())
			}
		}
	}
	if inserts == 0 {
		t.Fatalf("no PostgreSQL INSERT span in the CreateSubscription trace:\n%s", describeSpans(inTrace))
	}

	// The relay and every projector link to the command's trace, from traces of their own.
	want := []string{"outbox.relay", "outbox.project neo4j", "outbox.project search", "outbox.project redis"}
	spans = waitSpans(t, rec, "relay and projector spans linked to the command", func(spans []sdktrace.ReadOnlySpan) bool {
		for _, name := range want {
			if !slices.ContainsFunc(spans, func(s sdktrace.ReadOnlySpan) bool { return s.Name() == name && linksTo(s, tid) }) {
				return false
			}
		}
		return true
	})
	for _, s := range spans {
		if slices.Contains(want, s.Name()) && linksTo(s, tid) && s.SpanContext().TraceID() == tid {
			t.Errorf("%s is a child in the command's trace; want a link from a trace of its own", s.Name())
		}
	}
}

// streamBatches sends one ingest stream of n batches of perBatch events (one user, one title: one partition) with
// the service token, and checks every event was accepted.
func streamBatches(t *testing.T, e *env, n, perBatch int) {
	t.Helper()
	user, content := uuid.NewString(), uuid.NewString()
	stream, err := e.ingest.IngestPlaybackEvents(as(t, serviceToken))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(-time.Minute)
	for b := range n {
		var events []*pb.PlaybackEvent
		for i := range perBatch {
			k := b*perBatch + i
			events = append(events, event(user, content, now.Add(time.Duration(k)*time.Second), int32(k)))
		}
		if err := stream.Send(&pb.IngestPlaybackEventsRequest{Events: events}); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := stream.CloseAndRecv(); err != nil || res.GetAccepted() != int64(n*perBatch) {
		t.Fatalf("ingest: %v, %v", res, err)
	}
}

// batches is how many batches the ingest trace tests send on their stream.
const batches = 3

// One ingest stream records a span per received batch, under the stream's span, and a span per partition write
// linked to those batches, with the Cassandra batch under the write; never one per event.
func TestTracesOfAnIngestStream(t *testing.T) {
	e, rec := tracedServer(t)
	streamBatches(t, e, batches, 4)
	const method = "streaming.v1.IngestService/IngestPlaybackEvents"
	spans := waitSpans(t, rec, "stream, batch, partition-write and Cassandra spans", func(spans []sdktrace.ReadOnlySpan) bool {
		has := func(name string) bool {
			return slices.ContainsFunc(spans, func(s sdktrace.ReadOnlySpan) bool { return s.Name() == name })
		}
		return has(method) && has("ingest.batch") && has("ingest.partition_write") && has("cassandra BATCH")
	})
	var streamSpan sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == method && s.SpanKind() == trace.SpanKindServer {
			streamSpan = s
		}
	}
	if streamSpan == nil {
		t.Fatalf("no server span of the stream:\n%s", describeSpans(spans))
	}
	batchSpans := map[trace.SpanID]bool{}
	for _, s := range spans {
		if s.Name() == "ingest.batch" && s.Parent().SpanID() == streamSpan.SpanContext().SpanID() {
			batchSpans[s.SpanContext().SpanID()] = true
		}
	}
	if len(batchSpans) != batches {
		t.Fatalf("%d batch spans under the stream, want %d:\n%s", len(batchSpans), batches, describeSpans(spans))
	}
	writes := map[trace.SpanID]bool{}
	for _, s := range spans {
		if s.Name() != "ingest.partition_write" {
			continue
		}
		if slices.ContainsFunc(s.Links(), func(l sdktrace.Link) bool { return batchSpans[l.SpanContext.SpanID()] }) {
			writes[s.SpanContext().SpanID()] = true
			if s.SpanContext().TraceID() == streamSpan.SpanContext().TraceID() {
				t.Errorf("a partition write is a child in the stream's trace; want a linked trace of its own")
			}
		}
	}
	if len(writes) == 0 || len(writes) > batches {
		t.Fatalf("%d partition writes linked to the stream's batches, want 1 to %d (one partition):\n%s", len(writes), batches, describeSpans(spans))
	}
	var cassandra int
	for _, s := range spans {
		if s.Name() == "cassandra BATCH" && writes[s.Parent().SpanID()] {
			cassandra++
		}
	}
	if cassandra == 0 {
		t.Fatalf("no Cassandra batch span under the partition writes:\n%s", describeSpans(spans))
	}
}
