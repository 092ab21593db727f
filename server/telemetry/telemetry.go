// Package telemetry sets up OpenTelemetry tracing for the server: the tracer provider (OTLP/gRPC exporter,
// parent-based ratio sampling), and the one stored form of a span context that rides with each outbox event.
//
// Tracing is off unless an endpoint is configured (or a test injects a span processor): then Setup returns a
// Tracing whose Provider is nil, and every adapter installs no hook at all, so tracing off costs nothing.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// Config says where traces go and how many are kept.
type Config struct {
	// Endpoint is the OTLP/gRPC collector: a URL (http://host:4317 is plaintext, https:// TLS) or host:port
	// (plaintext). Empty: tracing off.
	Endpoint string
	// SampleRatio is the share of traces started here that are kept (0..1); a call that arrives with a sampled
	// parent is always kept (parent-based), so one trace is never cut in half, and so is a new root that links to a
	// sampled span (what a kept trace caused: its relay pass, its partition writes).
	SampleRatio float64
	// ServiceName is the service.name resource of every span.
	ServiceName string
}

// Tracing is the process's tracing. A nil *Tracing, or one built without endpoint or processor, is off.
type Tracing struct {
	provider *sdktrace.TracerProvider
}

// Setup builds the tracer provider cfg describes, exporting to cfg.Endpoint and, in addition, to each of extra
// (tests pass a tracetest.SpanRecorder). With no endpoint and no extra processor tracing is off and Setup does
// nothing. Shutdown flushes and stops it.
func Setup(ctx context.Context, cfg Config, extra ...sdktrace.SpanProcessor) (*Tracing, error) {
	if cfg.Endpoint == "" && len(extra) == 0 {
		return &Tracing{}, nil
	}
	if cfg.SampleRatio < 0 || cfg.SampleRatio > 1 {
		return nil, fmt.Errorf("tracing: sample ratio %v: want 0..1", cfg.SampleRatio)
	}
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithSampler(sdktrace.ParentBased(linkedOrRatio{sdktrace.TraceIDRatioBased(cfg.SampleRatio)})),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName(cfg.ServiceName))),
	}
	if cfg.Endpoint != "" {
		exp, err := otlptracegrpc.New(ctx, endpointOption(cfg.Endpoint)...)
		if err != nil {
			return nil, fmt.Errorf("tracing: OTLP exporter %s: %w", cfg.Endpoint, err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	for _, p := range extra {
		opts = append(opts, sdktrace.WithSpanProcessor(p))
	}
	return &Tracing{provider: sdktrace.NewTracerProvider(opts...)}, nil
}

// endpointOption reads an endpoint as a URL, or as host:port meaning plaintext (a collector beside the server).
func endpointOption(endpoint string) []otlptracegrpc.Option {
	if strings.Contains(endpoint, "://") {
		return []otlptracegrpc.Option{otlptracegrpc.WithEndpointURL(endpoint)}
	}
	return []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(endpoint), otlptracegrpc.WithInsecure()}
}

// Enabled reports whether spans are recorded at all.
func (t *Tracing) Enabled() bool { return t != nil && t.provider != nil }

// Provider is the tracer provider, nil when tracing is off: callers then install no instrumentation.
func (t *Tracing) Provider() trace.TracerProvider {
	if !t.Enabled() {
		return nil
	}
	return t.provider
}

// Shutdown exports the spans still buffered and stops the provider (a no-op when off).
func (t *Tracing) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	return t.provider.Shutdown(ctx)
}

// Flush exports the spans still buffered, without stopping (a no-op when off).
func (t *Tracing) Flush(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	return t.provider.ForceFlush(ctx)
}

// Propagator is the one context propagation the server speaks: W3C trace context (traceparent, tracestate).
var Propagator propagation.TextMapPropagator = propagation.TraceContext{}

// ErrNoTraceContext is returned by ParseStored for a stored value that holds no valid span context.
var ErrNoTraceContext = errors.New("no valid trace context")

// Tracer is a named tracer of the provider, nil when tracing is off: the components that take one then record
// nothing and keep no span bookkeeping.
func (t *Tracing) Tracer(name string) trace.Tracer {
	if !t.Enabled() {
		return nil
	}
	return t.provider.Tracer(name)
}

// linkedOrRatio samples a new root span that links to a sampled span (an ingest partition write linked to a sampled
// stream's batch, a relay pass linked to a sampled command), and any other new root by the ratio: the work a kept
// trace caused is kept with it, whatever the ratio.
type linkedOrRatio struct{ ratio sdktrace.Sampler }

func (s linkedOrRatio) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	for _, l := range p.Links {
		if l.SpanContext.IsSampled() {
			return sdktrace.SamplingResult{Decision: sdktrace.RecordAndSample,
				Tracestate: trace.SpanContextFromContext(p.ParentContext).TraceState()}
		}
	}
	return s.ratio.ShouldSample(p)
}

func (s linkedOrRatio) Description() string { return "LinkedOrRatio{" + s.ratio.Description() + "}" }
