package telemetry

import (
	"context"
	"encoding/json"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// The stored trace context (outbox.trace_context, docs/stored-formats.md) is the W3C trace-context headers of the
// span that wrote the event, as one JSON object: {"traceparent":"00-<trace id>-<span id>-<flags>"} plus
// "tracestate" when there is one. Headers, not a Go encoding, so any reader (another language, a newer binary)
// takes it back with a standard propagator.

// StoredContext is ctx's span context in the stored form, "" when ctx carries no valid span context (tracing off,
// or a call outside any trace): the column is then NULL.
func StoredContext(ctx context.Context) string {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ""
	}
	carrier := propagation.MapCarrier{}
	Propagator.Inject(ctx, carrier)
	if carrier["traceparent"] == "" {
		return ""
	}
	b, err := json.Marshal(storedHeaders{TraceParent: carrier["traceparent"], TraceState: carrier["tracestate"]})
	if err != nil {
		return ""
	}
	return string(b)
}

// storedHeaders fixes the stored keys and their order.
type storedHeaders struct {
	TraceParent string `json:"traceparent"`
	TraceState  string `json:"tracestate,omitempty"`
}

// ParseStored reads a stored trace context back into the span context it names (remote: it is another process's
// span). A malformed value is ErrNoTraceContext: tracing is best effort and never fails the event.
func ParseStored(s string) (trace.SpanContext, error) {
	if s == "" {
		return trace.SpanContext{}, ErrNoTraceContext
	}
	var h storedHeaders
	if err := json.Unmarshal([]byte(s), &h); err != nil {
		return trace.SpanContext{}, ErrNoTraceContext
	}
	carrier := propagation.MapCarrier{"traceparent": h.TraceParent}
	if h.TraceState != "" {
		carrier["tracestate"] = h.TraceState
	}
	sc := trace.SpanContextFromContext(Propagator.Extract(context.Background(), carrier))
	if !sc.IsValid() {
		return trace.SpanContext{}, ErrNoTraceContext
	}
	return sc, nil
}

// Links are links to the distinct valid span contexts among stored (at most max), for a span that continues work
// those spans caused without being their child: the relay's and projectors' spans, a partition write.
func Links(stored []string, max int) []trace.Link {
	var links []trace.Link
	seen := map[trace.SpanID]bool{}
	for _, s := range stored {
		if len(links) == max {
			break
		}
		sc, err := ParseStored(s)
		if err != nil || seen[sc.SpanID()] {
			continue
		}
		seen[sc.SpanID()] = true
		links = append(links, trace.Link{SpanContext: sc})
	}
	return links
}
