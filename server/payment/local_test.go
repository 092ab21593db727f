package payment

import (
	"testing"

	"github.com/streamingplatform/streaming/server/streaming"
)

// TestLocalFingerprints: a named test card has one fingerprint whoever pays with it; the shared test tokens stand
// for each account's own card; a decline has none.
func TestLocalFingerprints(t *testing.T) {
	charge := func(user, token string) streaming.ChargeResult {
		t.Helper()
		res, err := Local{}.Charge(t.Context(), streaming.Charge{IdempotencyKey: "k-" + user, UserID: user, Token: token})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := charge("u1", CardTokenPrefix+"family-1"), charge("u2", CardTokenPrefix+"family-1")
	if !a.Approved || a.Fingerprint == "" || a.Fingerprint != b.Fingerprint {
		t.Fatalf("one named card on two accounts: %+v and %+v, want approved with one fingerprint", a, b)
	}
	if c := charge("u1", CardTokenPrefix+"other"); c.Fingerprint == a.Fingerprint {
		t.Fatalf("another card got the same fingerprint %q", c.Fingerprint)
	}
	v1, v2 := charge("u1", "tok_visa"), charge("u2", "tok_visa")
	if !v1.Approved || v1.Fingerprint == "" || v1.Fingerprint == v2.Fingerprint || v1.Fingerprint != charge("u1", "tok_visa").Fingerprint {
		t.Fatalf("tok_visa on two accounts: %q and %q, want one stable fingerprint per account", v1.Fingerprint, v2.Fingerprint)
	}
	for _, bad := range []string{CardTokenPrefix, CardTokenPrefix + "no spaces", "tok_decline"} {
		if r := charge("u1", bad); r.Approved || r.Fingerprint != "" {
			t.Errorf("token %q: %+v, want declined without a fingerprint", bad, r)
		}
	}
}
