-- Idempotency keys are kept for a while (STREAMING_IDEMPOTENCY_TTL) and then deleted in small batches, oldest
-- first: the index lets each batch find them without scanning the table.

-- +goose Up
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- +goose Down
DROP INDEX idempotency_keys_created_at_idx;
