package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/streamingplatform/streaming/server/streaming"
)

// ClaimIdempotencyKey reserves (scope, key) for requestHash within the transaction. The first claimer inserts the
// row and holds it until its transaction ends; a concurrent claimer's insert waits for that, then reads the outcome:
// the stored response if the first one completed and committed, or the claim itself if the first one rolled back.
func (t *commandTx) ClaimIdempotencyKey(ctx context.Context, scope, key, requestHash string) ([]byte, bool, error) {
	// Two rounds cover a key deleted (e.g. expired) between our insert and our read.
	for range 2 {
		tag, err := t.tx.Exec(ctx, `
			INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
			ON CONFLICT (scope, key) DO NOTHING`,
			scope, key, requestHash)
		if err != nil {
			return nil, false, mapErr(err, "")
		}
		if tag.RowsAffected() == 1 {
			return nil, false, nil
		}
		var storedHash string
		var response []byte
		err = t.tx.QueryRow(ctx, `
			SELECT request_hash, response FROM idempotency_keys WHERE scope = $1 AND key = $2 FOR UPDATE`,
			scope, key).Scan(&storedHash, &response)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, false, mapErr(err, "")
		}
		if storedHash != requestHash {
			return nil, false, streaming.Errorf(streaming.CodeConflict, "idempotency key reused with a different request")
		}
		// A NULL response means a claim was committed without being completed; the row is now ours to complete.
		return response, response != nil, nil
	}
	return nil, false, streaming.Errorf(streaming.CodeBusy, "idempotency key is changing, retry later")
}

// CompleteIdempotencyKey stores the response of a key claimed in this transaction.
func (t *commandTx) CompleteIdempotencyKey(ctx context.Context, scope, key string, response []byte) error {
	if response == nil {
		response = []byte{} // NULL would mean "not completed"
	}
	tag, err := t.tx.Exec(ctx, `UPDATE idempotency_keys SET response = $3 WHERE scope = $1 AND key = $2`,
		scope, key, response)
	if err != nil {
		return mapErr(err, "")
	}
	if tag.RowsAffected() == 0 {
		return &streaming.Error{Code: streaming.CodeInternal, Message: "internal error",
			Err: errors.New("postgres: completing an idempotency key that was not claimed")}
	}
	return nil
}

// ReleaseIdempotencyKey deletes the claim of (scope, key) unless it was completed.
func (t *commandTx) ReleaseIdempotencyKey(ctx context.Context, scope, key string) error {
	_, err := t.tx.Exec(ctx, `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND response IS NULL`, scope, key)
	return mapErr(err, "")
}

// ExpireIdempotencyKeys deletes idempotency keys created more than ttl ago, batch keys per statement (oldest first,
// so no statement holds many row locks or runs long), and reports how many it deleted. A key claimed by a
// transaction still running is locked and skipped. A retry with an expired key runs its command again, so ttl must
// be longer than any client retries.
func (s *CommandStore) ExpireIdempotencyKeys(ctx context.Context, ttl time.Duration, batch int) (int64, error) {
	if ttl <= 0 || batch <= 0 {
		return 0, fmt.Errorf("postgres: expire idempotency keys: ttl %s and batch %d must be positive", ttl, batch)
	}
	var total int64
	for {
		tag, err := s.pool.Exec(ctx, `
			DELETE FROM idempotency_keys WHERE (scope, key) IN (
				SELECT scope, key FROM idempotency_keys
				WHERE created_at < now() - make_interval(secs => $1)
				ORDER BY created_at
				LIMIT $2
				FOR UPDATE SKIP LOCKED)`,
			ttl.Seconds(), batch)
		if err != nil {
			return total, mapErr(err, "")
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < int64(batch) {
			return total, nil
		}
	}
}
