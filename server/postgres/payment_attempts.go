package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/streamingplatform/streaming/server/streaming"
)

const paymentAttemptColumns = `id, scope, key, user_id, plan_id, (amount * 100)::bigint, currency, payment_method,
	processor_key, status, reason, processor_ref, created_at, updated_at`

func scanPaymentAttempt(row pgx.Row, a *streaming.PaymentAttempt) error {
	return row.Scan(&a.ID, &a.Scope, &a.Key, &a.UserID, &a.PlanID, &a.AmountCents, &a.Currency, &a.PaymentMethod,
		&a.ProcessorKey, &a.Status, &a.Reason, &a.ProcessorRef, &a.CreatedAt, &a.UpdatedAt)
}

// CreatePaymentAttempt stores a (a fresh ID when empty, Status pending when empty) and writes back ID and
// timestamps. A second open attempt for one (scope, key) is CodeConflict; a missing user or plan CodeNotFound.
func (t *commandTx) CreatePaymentAttempt(ctx context.Context, a *streaming.PaymentAttempt) error {
	status := a.Status
	if status == "" {
		status = streaming.AttemptPending
	}
	row := t.tx.QueryRow(ctx, `
		INSERT INTO payment_attempts (id, scope, key, user_id, plan_id, amount, currency, payment_method,
			processor_key, status, reason, processor_ref)
		VALUES (`+newID+`, $2, $3, $4, $5, $6::bigint / 100.0, $7, $8, $9, $10, $11, $12)
		RETURNING `+paymentAttemptColumns,
		a.ID, a.Scope, a.Key, a.UserID, a.PlanID, a.AmountCents, a.Currency, a.PaymentMethod, a.ProcessorKey, status,
		a.Reason, a.ProcessorRef)
	return mapErr(scanPaymentAttempt(row, a), "payment attempt")
}

// PaymentAttemptForUpdate reads the open (not declined) attempt of (scope, key) and locks it until the transaction
// ends.
func (t *commandTx) PaymentAttemptForUpdate(ctx context.Context, scope, key string) (*streaming.PaymentAttempt, error) {
	return queryOne(ctx, t.tx, "payment attempt", scanPaymentAttempt, `
		SELECT `+paymentAttemptColumns+` FROM payment_attempts
		WHERE scope = $1 AND key = $2 AND status <> 'declined'
		FOR UPDATE`, scope, key)
}

// UpdatePaymentAttempt writes status, reason and processor reference and writes back UpdatedAt.
func (t *commandTx) UpdatePaymentAttempt(ctx context.Context, a *streaming.PaymentAttempt) error {
	if !validUUID(a.ID) {
		return notFound("payment attempt")
	}
	row := t.tx.QueryRow(ctx, `
		UPDATE payment_attempts SET status = $2, reason = $3, processor_ref = $4, updated_at = now()
		WHERE id = $1
		RETURNING `+paymentAttemptColumns,
		a.ID, a.Status, a.Reason, a.ProcessorRef)
	return mapErr(scanPaymentAttempt(row, a), "payment attempt")
}
