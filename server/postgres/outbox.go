package postgres

import (
	"context"

	"github.com/streamingplatform/streaming/server/streaming"
)

// AppendEvent writes e to the outbox in the caller's transaction, so the event exists if and only if the change it
// describes commits. An insert trigger sends NOTIFY outbox at commit to wake the relay. OccurredAt defaults to now and
// an empty payload to {}.
func (t *commandTx) AppendEvent(ctx context.Context, e streaming.Event) error {
	payload := string(e.Payload)
	if payload == "" {
		payload = "{}"
	}
	_, err := t.tx.Exec(ctx, `
		INSERT INTO outbox (aggregate_type, aggregate_id, version, event_type, payload, occurred_at)
		VALUES ($1, $2, $3, $4, $5::jsonb, coalesce($6, now()))`,
		e.AggregateType, e.AggregateID, e.Version, e.Type, payload, timeOrNil(e.OccurredAt))
	return mapErr(err, "")
}
