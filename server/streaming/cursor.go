package streaming

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Subscriptions are listed newest first by (CreatedAt, ID). Both the PostgreSQL store and the read model page with
// this one cursor format, so a token from either continues in the other.

// SubscriptionCursor is the page token that continues after s: base64url (unpadded) of
// "<CreatedAt in UTC, RFC 3339 with nanoseconds>,<ID>". Callers treat it as opaque.
func SubscriptionCursor(s Subscription) string {
	return base64.RawURLEncoding.EncodeToString([]byte(s.CreatedAt.UTC().Format(time.RFC3339Nano) + "," + s.ID))
}

// ParseSubscriptionCursor reads a SubscriptionCursor; ok is false for anything malformed.
func ParseSubscriptionCursor(c string) (createdAt time.Time, id string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", false
	}
	ts, id, found := strings.Cut(string(b), ",")
	if !found {
		return time.Time{}, "", false
	}
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return time.Time{}, "", false
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	return t, id, err == nil
}

// SubscriptionBefore orders subscriptions newest first: a is listed before b.
func SubscriptionBefore(a, b Subscription) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.After(b.CreatedAt)
	}
	return a.ID > b.ID
}
