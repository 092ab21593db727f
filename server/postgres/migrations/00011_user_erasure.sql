-- Erasure (DeleteUser): the user's row stays, anonymized, because payments and invoices must be kept (without
-- personal data) and refer to it; users.erased_at marks it, and an erased user is found by no lookup. Each other
-- store's part is a row of user_erasures, retried by the erasure worker until the store answers; PostgreSQL's own
-- part is recorded done in DeleteUser's transaction, so the table shows the whole erasure.

-- +goose Up
ALTER TABLE users ADD COLUMN erased_at timestamptz;

CREATE TABLE user_erasures (
    user_id         uuid        NOT NULL,
    store           text        NOT NULL,
    requested_at    timestamptz NOT NULL,
    erased_at       timestamptz,                -- NULL while pending
    attempts        int         NOT NULL DEFAULT 0,
    last_error      text        NOT NULL DEFAULT '',
    next_attempt_at timestamptz NOT NULL,       -- when the worker may take it (again): now, a backoff, or a lease's end
    PRIMARY KEY (user_id, store),
    CONSTRAINT user_erasures_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)
);
-- The worker's claim reads the pending rows due first.
CREATE INDEX user_erasures_due_idx ON user_erasures (next_attempt_at) WHERE erased_at IS NULL;

-- +goose Down
DROP TABLE user_erasures;
ALTER TABLE users DROP COLUMN erased_at;
