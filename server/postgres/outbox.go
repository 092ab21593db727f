package postgres

import (
	"context"

	"github.com/streamingplatform/streaming/server/streaming"
	"github.com/streamingplatform/streaming/server/telemetry"
)

// AppendEvent writes e to the outbox in the caller's transaction, so the event exists if and only if the change it
// describes commits. An insert trigger sends NOTIFY outbox at commit to wake the relay. OccurredAt defaults to now and
// an empty payload to {}. The
// event carries the trace context of the span that appends it (telemetry.StoredContext), unless e brings its own.
func (t *commandTx) AppendEvent(ctx context.Context, e streaming.Event) error {
	payload := string(e.Payload)
	if payload == "" {
		payload = "{}"
	}
	_, err := t.tx.Exec(ctx, `
		INSERT INTO outbox (aggregate_type, aggregate_id, version, event_type, payload, occurred_at, trace_context)
		VALUES ($1, $2, $3, $4, $5::jsonb, coalesce($6, now()), nullif($7, ''))`,
		e.AggregateType, e.AggregateID, e.Version, e.Type, payload, timeOrNil(e.OccurredAt), traceContext(ctx, e))
	return mapErr(err, "")
}

// traceContext is the stored trace context of e: its own, else the span ctx carries ("" for NULL).
func traceContext(ctx context.Context, e streaming.Event) string {
	if e.TraceContext != "" {
		return e.TraceContext
	}
	return telemetry.StoredContext(ctx)
}
