package telemetry

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
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
