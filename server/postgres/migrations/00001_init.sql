-- Command-side schema. Constraints carry the integrity rules; the Go store maps their names to domain errors
-- (see mapErr in store.go), so keep constraint names stable: <table>_<column>_check, <table>_<column>_fkey, <table>_<column>_key.

-- +goose Up
CREATE TABLE users (
    id            uuid        PRIMARY KEY,
    email         text        NOT NULL,
    display_name  text        NOT NULL,
    country       char(2)     NOT NULL,
    password_hash text        NOT NULL,
    version       bigint      NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_check CHECK (email = lower(email) AND email <> ''),
    CONSTRAINT users_country_check CHECK (country ~ '^[A-Z]{2}$')
);

CREATE TABLE plans (
    id            uuid         PRIMARY KEY,
    name          text         NOT NULL,
    description   text         NOT NULL DEFAULT '',
    monthly_price numeric(8,2) NOT NULL,
    currency      char(3)      NOT NULL,
    max_streams   int          NOT NULL,
    max_quality   text         NOT NULL,
    available     boolean      NOT NULL DEFAULT true,
    version       bigint       NOT NULL DEFAULT 1,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT plans_name_key UNIQUE (name),
    CONSTRAINT plans_name_check CHECK (name <> ''),
    CONSTRAINT plans_monthly_price_check CHECK (monthly_price >= 0),
    CONSTRAINT plans_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT plans_max_streams_check CHECK (max_streams BETWEEN 1 AND 10),
    CONSTRAINT plans_max_quality_check CHECK (max_quality IN ('sd', 'hd', 'full_hd', 'uhd'))
);

CREATE TABLE subscriptions (
    id             uuid         PRIMARY KEY,
    user_id        uuid         NOT NULL,
    plan_id        uuid         NOT NULL,
    start_date     timestamptz  NOT NULL,
    end_date       timestamptz,
    status         text         NOT NULL,
    monthly_price  numeric(8,2) NOT NULL,
    currency       char(3)      NOT NULL,
    payment_method text         NOT NULL,
    version        bigint       NOT NULL DEFAULT 1,
    created_at     timestamptz  NOT NULL DEFAULT now(),
    updated_at     timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT subscriptions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT subscriptions_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES plans (id),
    -- Lets payments reference (subscription, user) so a payment cannot name another user's subscription.
    CONSTRAINT subscriptions_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT subscriptions_end_date_check CHECK (end_date >= start_date),
    CONSTRAINT subscriptions_status_check CHECK (status IN ('active', 'canceled', 'expired')),
    CONSTRAINT subscriptions_monthly_price_check CHECK (monthly_price >= 0),
    CONSTRAINT subscriptions_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT subscriptions_payment_method_check CHECK (payment_method IN ('card', 'paypal', 'bank_transfer'))
);
-- The one-active-subscription rule: concurrent subscribers race on this index, not on application checks.
CREATE UNIQUE INDEX subscriptions_one_active_per_user ON subscriptions (user_id) WHERE status = 'active';
-- Serves ListSubscriptions (newest first, keyset by created_at, id) and the user_id foreign key.
CREATE INDEX subscriptions_user_created_idx ON subscriptions (user_id, created_at DESC, id DESC);
CREATE INDEX subscriptions_plan_id_idx ON subscriptions (plan_id);

CREATE TABLE payments (
    id              uuid         PRIMARY KEY,
    subscription_id uuid         NOT NULL,
    user_id         uuid         NOT NULL,
    amount          numeric(8,2) NOT NULL,
    currency        char(3)      NOT NULL,
    status          text         NOT NULL,
    processor_ref   text         NOT NULL DEFAULT '',
    created_at      timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT payments_subscription_id_fkey FOREIGN KEY (subscription_id, user_id) REFERENCES subscriptions (id, user_id),
    CONSTRAINT payments_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT payments_amount_check CHECK (amount > 0),
    CONSTRAINT payments_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT payments_status_check CHECK (status IN ('approved', 'declined'))
);
CREATE INDEX payments_subscription_id_idx ON payments (subscription_id, user_id);
CREATE INDEX payments_user_id_idx ON payments (user_id);

CREATE TABLE content (
    id               uuid         PRIMARY KEY,
    title            text         NOT NULL,
    description      text         NOT NULL DEFAULT '',
    type             text         NOT NULL,
    genres           text[]       NOT NULL DEFAULT '{}',
    actors           text[]       NOT NULL DEFAULT '{}',
    seasons          int          NOT NULL DEFAULT 0,
    release_year     int          NOT NULL,
    duration_seconds int          NOT NULL DEFAULT 0,
    rating_avg       numeric(3,2) NOT NULL DEFAULT 0,
    rating_count     bigint       NOT NULL DEFAULT 0,
    version          bigint       NOT NULL DEFAULT 1,
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT content_title_check CHECK (title <> ''),
    CONSTRAINT content_type_check CHECK (type IN ('movie', 'series', 'documentary')),
    CONSTRAINT content_seasons_check CHECK (seasons >= 0),
    CONSTRAINT content_duration_seconds_check CHECK (duration_seconds >= 0),
    CONSTRAINT content_rating_avg_check CHECK (rating_avg BETWEEN 0 AND 5),
    CONSTRAINT content_rating_count_check CHECK (rating_count >= 0)
);

CREATE TABLE ratings (
    user_id    uuid        NOT NULL,
    content_id uuid        NOT NULL,
    stars      int         NOT NULL,
    review     text        NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, content_id),
    CONSTRAINT ratings_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT ratings_content_id_fkey FOREIGN KEY (content_id) REFERENCES content (id),
    CONSTRAINT ratings_stars_check CHECK (stars BETWEEN 1 AND 5)
);
-- Recomputing a title's average reads all its ratings.
CREATE INDEX ratings_content_id_idx ON ratings (content_id);

CREATE TABLE idempotency_keys (
    scope        text        NOT NULL,
    key          text        NOT NULL,
    request_hash text        NOT NULL,
    response     bytea,      -- NULL until the command that claimed the key completes it
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

CREATE TABLE outbox (
    id             bigserial   PRIMARY KEY,
    aggregate_type text        NOT NULL,
    aggregate_id   text        NOT NULL,
    version        bigint      NOT NULL,
    event_type     text        NOT NULL,
    payload        jsonb       NOT NULL,
    occurred_at    timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- Set by the relay once the event is published. Ids are taken at insert but become visible at commit, so a
    -- relay that only remembers "last id seen" can skip a row; it scans for unpublished rows instead.
    published_at   timestamptz
);
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;

-- Wakes the relay once per inserting statement; NOTIFY is sent at commit and only if the transaction commits.
-- +goose StatementBegin
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox', '');
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- +goose Down
DROP TABLE outbox;
DROP FUNCTION outbox_notify();
DROP TABLE idempotency_keys;
DROP TABLE ratings;
DROP TABLE content;
DROP TABLE payments;
DROP TABLE subscriptions;
DROP TABLE plans;
DROP TABLE users;
