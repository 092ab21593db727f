package cassandra

import (
	"context"

	"github.com/gocql/gocql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// batchTracer turns each attempt of a batch write into a span (gocql.BatchObserver), a child of the partition
// write that sent it. Only batches: a span per event or per read would cost more than the write at ingest rates.
// The driver reports an attempt after it ended, so the span is recorded with the attempt's own start and end.
type batchTracer struct{ tracer trace.Tracer }

func newBatchTracer(tp trace.TracerProvider) *batchTracer {
	return &batchTracer{tracer: tp.Tracer("github.com/streamingplatform/streaming/server/cassandra")}
}

func (b *batchTracer) ObserveBatch(ctx context.Context, o gocql.ObservedBatch) {
	if !trace.SpanContextFromContext(ctx).IsSampled() {
		return // no sampled span to hang it under (an unsampled parent's child would not be kept either)
	}
	attrs := []attribute.KeyValue{attribute.String("db.system.name", "cassandra"), attribute.String("db.namespace", o.Keyspace),
		attribute.Int("db.operation.batch.size", len(o.Statements)), attribute.Int("cassandra.attempt", o.Attempt)}
	if o.Host != nil {
		attrs = append(attrs, attribute.String("server.address", o.Host.ConnectAddress().String()))
	}
	_, span := b.tracer.Start(ctx, "cassandra BATCH", trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(o.Start),
		trace.WithAttributes(attrs...))
	if o.Err != nil {
		span.SetStatus(codes.Error, o.Err.Error())
	}
	span.End(trace.WithTimestamp(o.End))
}
