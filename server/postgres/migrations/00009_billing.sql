-- Billing over time (docs/billing.md): monthly periods on subscriptions, cancellation at period end with its
-- reason, the past_due state, and invoices with their lines.
--
-- A subscription's current period is [current_period_start, current_period_end): paid, or being retried while
-- past_due. Periods are counted from start_date in whole months (UTC), the day clamped to the month's end, as
-- PostgreSQL's month arithmetic does. credit is what downgrades left to carry to the next invoice; payment_token is
-- what renewals charge (the processor's reusable reference; never published in events or read models).
--
-- An invoice is a period of a subscription (kind period; one per subscription and period start: the renewal
-- worker's exactly-once guard) or the proration of a change of plan (kind proration; at most one open per
-- subscription). charging is the attempt sent to the processor and not yet recorded: a worker that finds it set
-- after a crash sends that same attempt again, with the same processor idempotency key, so the processor charges
-- once.

-- +goose Up
ALTER TABLE subscriptions
    ADD COLUMN current_period_start timestamptz,
    ADD COLUMN current_period_end   timestamptz,
    ADD COLUMN cancel_at_period_end boolean      NOT NULL DEFAULT false,
    ADD COLUMN cancel_reason        text         NOT NULL DEFAULT '',
    ADD COLUMN credit               numeric(8,2) NOT NULL DEFAULT 0,
    ADD COLUMN payment_token        text         NOT NULL DEFAULT '';

-- Subscriptions from before billing: the period of their start_date's schedule that holds now (or their end). They
-- have no saved payment token, so their first renewal is declined and they go past due (docs/billing.md).
UPDATE subscriptions s SET
    current_period_start = ((s.start_date AT TIME ZONE 'UTC') + make_interval(months => k.n)) AT TIME ZONE 'UTC',
    current_period_end = ((s.start_date AT TIME ZONE 'UTC') + make_interval(months => k.n + 1)) AT TIME ZONE 'UTC'
FROM (
    SELECT id, greatest(0, (extract(year FROM a) * 12 + extract(month FROM a))::int) AS n
    FROM (SELECT id, age(coalesce(end_date, now()) AT TIME ZONE 'UTC', start_date AT TIME ZONE 'UTC') AS a
          FROM subscriptions) x
) k
WHERE s.id = k.id;

ALTER TABLE subscriptions
    ALTER COLUMN current_period_start SET NOT NULL,
    ALTER COLUMN current_period_end SET NOT NULL,
    ADD CONSTRAINT subscriptions_current_period_end_check CHECK (current_period_end > current_period_start),
    ADD CONSTRAINT subscriptions_credit_check CHECK (credit >= 0),
    DROP CONSTRAINT subscriptions_status_check,
    ADD CONSTRAINT subscriptions_status_check CHECK (status IN ('active', 'past_due', 'canceled', 'expired'));

-- A past-due subscription is still the user's one current subscription: subscribing again while it is retried
-- would bill twice.
DROP INDEX subscriptions_one_active_per_user;
CREATE UNIQUE INDEX subscriptions_one_active_per_user ON subscriptions (user_id) WHERE status IN ('active', 'past_due');
-- The renewal worker's scan: current subscriptions by the end of their period.
CREATE INDEX subscriptions_period_end_idx ON subscriptions (current_period_end) WHERE status = 'active';

CREATE TABLE invoices (
    id              uuid         PRIMARY KEY,
    subscription_id uuid         NOT NULL,
    user_id         uuid         NOT NULL,
    plan_id         uuid         NOT NULL,
    kind            text         NOT NULL,
    period_start    timestamptz  NOT NULL,
    period_end      timestamptz  NOT NULL,
    amount          numeric(8,2) NOT NULL,
    currency        char(3)      NOT NULL,
    status          text         NOT NULL,
    attempts        int          NOT NULL DEFAULT 0,
    charging        int          NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    paid_at         timestamptz,
    processor_ref   text         NOT NULL DEFAULT '',
    last_error      text         NOT NULL DEFAULT '',
    created_at      timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT invoices_subscription_id_fkey FOREIGN KEY (subscription_id, user_id) REFERENCES subscriptions (id, user_id),
    CONSTRAINT invoices_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT invoices_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plans (id),
    CONSTRAINT invoices_kind_check CHECK (kind IN ('period', 'proration')),
    CONSTRAINT invoices_period_end_check CHECK (period_end > period_start),
    CONSTRAINT invoices_amount_check CHECK (amount >= 0),
    CONSTRAINT invoices_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT invoices_status_check CHECK (status IN ('open', 'paid', 'uncollectible', 'void')),
    CONSTRAINT invoices_paid_at_check CHECK ((status = 'paid') = (paid_at IS NOT NULL))
);
-- Each period of a subscription is invoiced once, however many workers find it due at once.
CREATE UNIQUE INDEX invoices_one_per_period ON invoices (subscription_id, period_start) WHERE kind = 'period';
-- One change of plan is charged at a time.
CREATE UNIQUE INDEX invoices_one_open_proration ON invoices (subscription_id) WHERE kind = 'proration' AND status = 'open';
-- The worker's scan of due charges.
CREATE INDEX invoices_due_idx ON invoices (next_attempt_at) WHERE status = 'open' AND kind = 'period';
-- ListInvoices (newest first, keyset) and the user_id foreign key.
CREATE INDEX invoices_user_created_idx ON invoices (user_id, created_at DESC, id DESC);
-- The revenue report: paid invoices by time of payment.
CREATE INDEX invoices_paid_at_idx ON invoices (paid_at) WHERE status = 'paid';
CREATE INDEX invoices_plan_id_idx ON invoices (plan_id);

CREATE TABLE invoice_lines (
    invoice_id   uuid         NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position     int          NOT NULL,
    description  text         NOT NULL,
    amount       numeric(8,2) NOT NULL, -- negative for a credit
    plan_id      uuid         NOT NULL,
    period_start timestamptz  NOT NULL,
    period_end   timestamptz  NOT NULL,
    PRIMARY KEY (invoice_id, position),
    CONSTRAINT invoice_lines_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plans (id)
);
CREATE INDEX invoice_lines_plan_id_idx ON invoice_lines (plan_id);

-- +goose Down
DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP INDEX subscriptions_period_end_idx;
DROP INDEX subscriptions_one_active_per_user;
CREATE UNIQUE INDEX subscriptions_one_active_per_user ON subscriptions (user_id) WHERE status = 'active';
ALTER TABLE subscriptions
    DROP CONSTRAINT subscriptions_status_check,
    ADD CONSTRAINT subscriptions_status_check CHECK (status IN ('active', 'canceled', 'expired')),
    DROP CONSTRAINT subscriptions_credit_check,
    DROP CONSTRAINT subscriptions_current_period_end_check,
    DROP COLUMN payment_token,
    DROP COLUMN credit,
    DROP COLUMN cancel_reason,
    DROP COLUMN cancel_at_period_end,
    DROP COLUMN current_period_end,
    DROP COLUMN current_period_start;
