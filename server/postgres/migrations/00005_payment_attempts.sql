-- Charges sent to the payment processor, one open attempt per idempotency key. CreateSubscription records an attempt
-- and commits before it calls the processor, so no transaction (and no row lock) is held during the remote call; a
-- second transaction writes the subscription and payment and marks the attempt approved. A retry after a crash
-- finds the attempt still pending and charges again with the same processor_key, which the processor deduplicates.
-- A declined attempt stays as a record but no longer holds its key (the key is released, as a declined request
-- always left it), so the same key may be retried with another card. Subscriptions keep their statuses (active,
-- canceled, expired): nothing pending is ever visible as a subscription or counts against "one active per user".

-- +goose Up
CREATE TABLE payment_attempts (
    id             uuid         PRIMARY KEY,
    scope          text         NOT NULL,
    key            text         NOT NULL,
    user_id        uuid         NOT NULL,
    plan_id        uuid         NOT NULL,
    amount         numeric(8,2) NOT NULL,
    currency       char(3)      NOT NULL,
    payment_method text         NOT NULL,
    processor_key  text         NOT NULL,
    status         text         NOT NULL DEFAULT 'pending',
    reason         text         NOT NULL DEFAULT '',
    processor_ref  text         NOT NULL DEFAULT '',
    created_at     timestamptz  NOT NULL DEFAULT now(),
    updated_at     timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT payment_attempts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT payment_attempts_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plans (id),
    CONSTRAINT payment_attempts_amount_check CHECK (amount > 0),
    CONSTRAINT payment_attempts_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT payment_attempts_status_check CHECK (status IN ('pending', 'approved', 'declined', 'unfulfilled'))
);
-- One open (not declined) attempt per idempotency key: two requests racing on one key record one attempt.
CREATE UNIQUE INDEX payment_attempts_open_key ON payment_attempts (scope, key) WHERE status <> 'declined';
-- Serves the user_id foreign key, and finding a user's attempts (e.g. unfulfilled ones to refund).
CREATE INDEX payment_attempts_user_id_idx ON payment_attempts (user_id, status);
CREATE INDEX payment_attempts_plan_id_idx ON payment_attempts (plan_id);

-- +goose Down
DROP TABLE payment_attempts;
