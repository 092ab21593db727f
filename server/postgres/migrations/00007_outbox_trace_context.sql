-- The trace context of the command that wrote each outbox event, so the relay's and projectors' spans link to it
-- (docs/stored-formats.md, "outbox.trace_context"). NULL when the command ran outside a sampled trace (tracing off).
-- Adding a nullable column without a default rewrites no rows.

-- +goose Up
ALTER TABLE outbox ADD COLUMN trace_context text;

-- +goose Down
ALTER TABLE outbox DROP COLUMN trace_context;
