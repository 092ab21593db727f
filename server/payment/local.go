// Package payment holds payment processors. Local is the simulated processor used locally and in tests: like a
// card network's test numbers, the token decides the outcome.
package payment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Test tokens understood by Local. Any other token is declined as unknown.
var (
	ApprovedTokens = []string{"tok_approve", "tok_visa", "tok_mastercard", "4242424242424242"}
	DeclinedTokens = []string{"tok_decline", "tok_insufficient_funds", "4000000000000002"}
)

// Local approves or declines by test token. It is deterministic: the reference is derived from the idempotency key,
// so a retried charge returns the same reference, as a real processor does for an idempotent request.
type Local struct{}

func (Local) Charge(ctx context.Context, c streaming.Charge) (streaming.ChargeResult, error) {
	if err := ctx.Err(); err != nil {
		return streaming.ChargeResult{}, err
	}
	sum := sha256.Sum256([]byte(c.UserID + "\x00" + c.IdempotencyKey))
	ref := "local_" + hex.EncodeToString(sum[:8])
	for _, t := range ApprovedTokens {
		if c.Token == t {
			return streaming.ChargeResult{Approved: true, Reference: ref}, nil
		}
	}
	reason := "unknown payment token"
	for _, t := range DeclinedTokens {
		if c.Token == t {
			reason = "card declined"
		}
	}
	return streaming.ChargeResult{Approved: false, Reference: ref, Reason: reason}, nil
}
