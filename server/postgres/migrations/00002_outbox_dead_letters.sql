-- Events no projector can ever apply (a payload a projector refuses, not a store that is down) are moved here by
-- the outbox relay, with the projector and its error, so they stop holding back the rest of their partition and
-- nothing is lost. After a fix, an operator puts them back:
--   INSERT INTO outbox (aggregate_type, aggregate_id, version, event_type, payload, occurred_at)
--   SELECT aggregate_type, aggregate_id, version, event_type, payload, occurred_at FROM outbox_dead_letters WHERE ...;

-- +goose Up
CREATE TABLE outbox_dead_letters (
    outbox_id      bigint      PRIMARY KEY,
    aggregate_type text        NOT NULL,
    aggregate_id   text        NOT NULL,
    version        bigint      NOT NULL,
    event_type     text        NOT NULL,
    payload        jsonb       NOT NULL,
    occurred_at    timestamptz NOT NULL,
    projector      text        NOT NULL,
    error          text        NOT NULL,
    dead_at        timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE outbox_dead_letters;
