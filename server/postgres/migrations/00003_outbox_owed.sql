-- Events a projector could not take because its store was unavailable. The relay publishes the batch for the other
-- projectors and records here what it owes the one that is down, then delivers these in id order once its store
-- answers again; cleanup keeps an outbox row while anything is owed on it. One store down thus no longer holds the
-- other read models back.

-- +goose Up
CREATE TABLE outbox_owed (
    projector text        NOT NULL,
    outbox_id bigint      NOT NULL,
    owed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projector, outbox_id)
);

-- +goose Down
DROP TABLE outbox_owed;
