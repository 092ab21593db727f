package telemetry

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
)

// Exemplar is the exemplar of a measurement made under ctx: the trace id of ctx's span when that span is sampled
// (kept), so a latency bucket in Prometheus leads to a trace that exists; nil otherwise (tracing off, or the span
// not sampled), which records no exemplar.
func Exemplar(ctx context.Context) prometheus.Labels {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsSampled() {
		return nil
	}
	return prometheus.Labels{"trace_id": sc.TraceID().String()}
}

// Observe records v in o, with ctx's trace id as its exemplar when ctx's span is sampled. The exemplar is kept only
// by a histogram (a prometheus.ExemplarObserver); the /metrics endpoint serves it in the OpenMetrics format.
func Observe(ctx context.Context, o prometheus.Observer, v float64) {
	if ex := Exemplar(ctx); ex != nil {
		if eo, ok := o.(prometheus.ExemplarObserver); ok {
			eo.ObserveWithExemplar(v, ex)
			return
		}
	}
	o.Observe(v)
}
