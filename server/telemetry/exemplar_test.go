package telemetry

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// A measurement under a sampled span carries its trace id as the bucket's exemplar; under an unsampled span or none
// it carries nothing (an exemplar must lead to a trace that was kept).
func TestObserveAttachesTheSampledTraceID(t *testing.T) {
	tid := trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	span := func(flags trace.TraceFlags) context.Context {
		return trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: tid, SpanID: trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8}, TraceFlags: flags}))
	}
	for _, c := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"sampled", span(trace.FlagsSampled), tid.String()},
		{"not sampled", span(0), ""},
		{"no span", context.Background(), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Buckets: []float64{1}})
			Observe(c.ctx, h, 0.5)
			var m dto.Metric
			if err := h.Write(&m); err != nil {
				t.Fatal(err)
			}
			if n := m.GetHistogram().GetSampleCount(); n != 1 {
				t.Fatalf("%d samples, want 1", n)
			}
			var got string
			if ex := m.GetHistogram().GetBucket()[0].GetExemplar(); ex != nil {
				for _, l := range ex.GetLabel() {
					if l.GetName() == "trace_id" {
						got = l.GetValue()
					}
				}
			}
			if got != c.want {
				t.Fatalf("exemplar trace_id %q, want %q", got, c.want)
			}
		})
	}
}

// The sampler keeps a child of a sampled parent, drops a child of an unsampled one, keeps a new root that links to a
// sampled span and samples other roots by the ratio (0 here: none).
func TestSamplerKeepsWhatAKeptTraceCaused(t *testing.T) {
	tr, err := Setup(context.Background(), Config{SampleRatio: 0, ServiceName: "test"}, noopProcessor{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Shutdown(context.Background())
	tracer := tr.Tracer("test")
	remote := func(flags trace.TraceFlags) context.Context {
		return trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: flags}))
	}
	sampled := trace.SpanContextFromContext(remote(trace.FlagsSampled))
	unsampled := trace.SpanContextFromContext(remote(0))
	for _, c := range []struct {
		name string
		ctx  context.Context
		opts []trace.SpanStartOption
		want bool
	}{
		{"child of a sampled parent", remote(trace.FlagsSampled), nil, true},
		{"child of an unsampled parent", remote(0), nil, false},
		{"root linked to a sampled span", context.Background(), []trace.SpanStartOption{trace.WithLinks(trace.Link{SpanContext: unsampled}, trace.Link{SpanContext: sampled})}, true},
		{"root linked to unsampled spans only", context.Background(), []trace.SpanStartOption{trace.WithLinks(trace.Link{SpanContext: unsampled})}, false},
		{"new root under a sampled parent, linked to a sampled span", remote(trace.FlagsSampled), []trace.SpanStartOption{trace.WithNewRoot(), trace.WithLinks(trace.Link{SpanContext: sampled})}, true},
		{"root, ratio 0", context.Background(), nil, false},
	} {
		_, span := tracer.Start(c.ctx, "s", c.opts...)
		if got := span.SpanContext().IsSampled(); got != c.want {
			t.Errorf("%s: sampled %v, want %v", c.name, got, c.want)
		}
		span.End()
	}
}

type noopProcessor struct{}

func (noopProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (noopProcessor) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (noopProcessor) Shutdown(context.Context) error                  { return nil }
func (noopProcessor) ForceFlush(context.Context) error                { return nil }
