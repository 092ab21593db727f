// Package payment holds payment processors. Local is the simulated processor used locally and in tests: like a
// card network's test numbers, the token decides the outcome.
package payment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Test tokens understood by Local. Any other token is declined as unknown.
var (
	ApprovedTokens = []string{"tok_approve", "tok_visa", "tok_mastercard", "4242424242424242"}
	DeclinedTokens = []string{"tok_decline", "tok_insufficient_funds", "4000000000000002"}
)

// CardTokenPrefix starts a named test card's token: "tok_card_" + a name of 1 to 40 letters, digits, '-' or '_' is
// approved like tok_visa, and every token naming the same card gets the same fingerprint, whichever account pays with
// it (as one real card does). The other approved tokens stand for a card of the paying account's own, so test users
// who all pay with tok_visa do not look like accounts sharing one card.
const CardTokenPrefix = "tok_card_"

// Local approves or declines by test token. It is deterministic: the reference is derived from the idempotency key,
// so a retried charge returns the same reference, as a real processor does for an idempotent request; the card's
// fingerprint from the card the token stands for (CardTokenPrefix).
type Local struct{}

func (Local) Charge(ctx context.Context, c streaming.Charge) (streaming.ChargeResult, error) {
	if err := ctx.Err(); err != nil {
		return streaming.ChargeResult{}, err
	}
	sum := sha256.Sum256([]byte(c.UserID + "\x00" + c.IdempotencyKey))
	ref := "local_" + hex.EncodeToString(sum[:8])
	if name, ok := strings.CutPrefix(c.Token, CardTokenPrefix); ok && validCardName(name) {
		return streaming.ChargeResult{Approved: true, Reference: ref, Fingerprint: fingerprint("card\x00" + name)}, nil
	}
	for _, t := range ApprovedTokens {
		if c.Token == t {
			return streaming.ChargeResult{Approved: true, Reference: ref, Fingerprint: fingerprint("own\x00" + c.UserID + "\x00" + t)}, nil
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

// fingerprint is Local's card fingerprint of what identifies the card: 16 hex digits, like Stripe's 16 characters.
func fingerprint(card string) string {
	sum := sha256.Sum256([]byte("local-card-fingerprint\x00" + card))
	return "fp_" + hex.EncodeToString(sum[:8])
}

func validCardName(name string) bool {
	if len(name) == 0 || len(name) > 40 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
