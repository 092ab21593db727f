-- Risk signals (docs/risk.md): a subscription keeps the payment processor's fingerprint of the card it was last
-- charged on (Stripe's card.fingerprint: the same card gives the same value on every account, and it is not card
-- data). Its events carry it to the graph, which links accounts paying with one card. NULL when unknown (a
-- subscription from before this migration, or a processor that gives none); cleared by an erasure.

-- +goose Up
ALTER TABLE subscriptions ADD COLUMN payment_fingerprint text;

-- +goose Down
ALTER TABLE subscriptions DROP COLUMN payment_fingerprint;
