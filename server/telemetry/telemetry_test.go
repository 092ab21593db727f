package telemetry_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/streamingplatform/streaming/internal/golden"
	"github.com/streamingplatform/streaming/server/telemetry"
)

func fixedContext(t *testing.T, state string) context.Context {
	t.Helper()
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ts, err := trace.ParseTraceState(state)
	if err != nil {
		t.Fatal(err)
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, TraceState: ts})
	return trace.ContextWithSpanContext(context.Background(), sc)
}

// TestStoredTraceContextFormat pins outbox.trace_context: written by one binary, read by the relay of another
// (possibly newer) one, and by any tool that speaks W3C trace context.
func TestStoredTraceContextFormat(t *testing.T) {
	for name, state := range map[string]string{"trace_context.golden.json": "", "trace_context_state.golden.json": "vendor=abc"} {
		ctx := fixedContext(t, state)
		stored := golden.JSON(t, name, []byte(telemetry.StoredContext(ctx)))
		got, err := telemetry.ParseStored(string(stored))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := trace.SpanContextFromContext(ctx).WithRemote(true)
		if !got.Equal(want) {
			t.Errorf("%s: read back %+v, want %+v", name, got, want)
		}
	}
}

func TestNoTraceContextIsNull(t *testing.T) {
	if s := telemetry.StoredContext(context.Background()); s != "" {
		t.Errorf("outside a trace: stored %q, want empty (NULL)", s)
	}
	for _, bad := range []string{"", "{", `{"traceparent":"garbage"}`, `{"traceparent":"00-00000000000000000000000000000000-00f067aa0ba902b7-01"}`} {
		if _, err := telemetry.ParseStored(bad); err == nil {
			t.Errorf("ParseStored(%q): no error", bad)
		}
	}
}

func TestLinksAreDistinctAndBounded(t *testing.T) {
	a := telemetry.StoredContext(fixedContext(t, ""))
	links := telemetry.Links([]string{a, "", a, "not json"}, 10)
	if len(links) != 1 || links[0].SpanContext.SpanID().String() != "00f067aa0ba902b7" {
		t.Errorf("links = %+v, want the one distinct valid context", links)
	}
	if n := len(telemetry.Links([]string{a}, 0)); n != 0 {
		t.Errorf("max 0: %d links", n)
	}
}

// Off, Setup builds nothing: no provider, no tracer, and Shutdown is a no-op.
func TestOffByDefault(t *testing.T) {
	tr, err := telemetry.Setup(context.Background(), telemetry.Config{SampleRatio: 1, ServiceName: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Enabled() || tr.Provider() != nil || tr.Tracer("x") != nil {
		t.Errorf("tracing without endpoint is on: %+v", tr)
	}
	var nilTracing *telemetry.Tracing
	if nilTracing.Enabled() || nilTracing.Tracer("x") != nil || nilTracing.Shutdown(context.Background()) != nil {
		t.Error("a nil Tracing is not off")
	}
}

// The sampler is parent-based: a sampled caller's trace is kept even at ratio 0, and a new trace is not.
func TestParentBasedSampling(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tr, err := telemetry.Setup(context.Background(), telemetry.Config{SampleRatio: 0, ServiceName: "svc"}, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Shutdown(context.Background())
	_, root := tr.Tracer("t").Start(context.Background(), "new")
	root.End()
	_, child := tr.Tracer("t").Start(fixedContext(t, ""), "continued")
	child.End()
	ended := rec.Ended()
	if len(ended) != 1 || ended[0].Name() != "continued" {
		t.Fatalf("recorded %d spans, want only the one with a sampled parent", len(ended))
	}
	if got := ended[0].Resource().String(); got != "service.name=svc" {
		t.Errorf("resource %q", got)
	}
	if _, err := telemetry.Setup(context.Background(), telemetry.Config{SampleRatio: 2}, rec); err == nil {
		t.Error("ratio 2 accepted")
	}
	var _ sdktrace.SpanProcessor = rec
}
