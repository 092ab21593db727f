package config

import (
	"os"
	"strings"
	"testing"
)

// stores are the required settings, pointing anywhere.
var stores = []string{"-postgres-url=postgres://db.example:5432/streaming", "-redis-addr=redis.example:6379",
	"-cassandra-hosts=c1.example,c2.example", "-neo4j-uri=neo4j://graph.example", "-search-url=https://search.example"}

func unsetAll(t *testing.T) {
	for _, s := range Settings {
		t.Setenv(s.Env, "")
		os.Unsetenv(s.Env)
	}
}

func TestDefaults(t *testing.T) {
	unsetAll(t)
	c, err := Load(stores)
	if err != nil {
		t.Fatal(err)
	}
	if c.GRPCAddr != ":50051" || c.HTTPAddr != ":8080" || c.SessionTTL.String() != "24h0m0s" || !c.Migrate || c.MaxRecvBytes != 4<<20 {
		t.Fatalf("defaults = %+v", c)
	}
	if len(c.CassandraHosts) != 2 || c.SearchURL != "https://search.example" {
		t.Fatalf("stores = %v, %q", c.CassandraHosts, c.SearchURL)
	}
}

// The server assumes no store address (no development stack's either): each missing one is named, with its
// variable, in one error.
func TestStoresAreRequired(t *testing.T) {
	unsetAll(t)
	_, err := Load(nil)
	if err == nil {
		t.Fatal("Load without store settings succeeded")
	}
	for _, want := range []string{"-postgres-url: required (or STREAMING_POSTGRES_URL)", "-redis-addr: required",
		"-cassandra-hosts: required", "-neo4j-uri: required", "-search-url: required"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	t.Setenv("STREAMING_POSTGRES_URL", "postgres://db.example/streaming")
	if _, err := Load(stores[1:]); err != nil {
		t.Errorf("with STREAMING_POSTGRES_URL and the other stores as flags: %v", err)
	}
}

func TestBadValuesNameTheSetting(t *testing.T) {
	cases := map[string][]string{
		"-session-ttl":      {"-session-ttl=forever"},
		"-admin-token":      {"-admin-token=short"},
		"-max-recv-bytes":   {"-max-recv-bytes=1"},
		"-log-level":        {"-log-level=loud"},
		"-default-deadline": {"-default-deadline=-1s"},
		"must differ":       {"-admin-token=0123456789abcdef", "-service-token=0123456789abcdef"},
	}
	for want, args := range cases {
		if _, err := Load(append(args, stores...)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%v) = %v, want an error naming %s", args, err, want)
		}
	}
	t.Setenv("STREAMING_SESSION_TTL", "1h")
	if c, err := Load(append([]string{"-session-ttl=2h"}, stores...)); err != nil || c.SessionTTL.String() != "2h0m0s" {
		t.Errorf("flag over env: %v, %v", c.SessionTTL, err)
	}
}

// The configuration reference must document every setting.
func TestReferenceDocumentsEverySetting(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings {
		if !strings.Contains(string(doc), "`"+s.Env+"`") || !strings.Contains(string(doc), "`-"+s.Flag+"`") {
			t.Errorf("docs/configuration.md does not document -%s / %s", s.Flag, s.Env)
		}
	}
}

func TestPaymentSettings(t *testing.T) {
	unsetAll(t)
	c, err := Load(stores)
	if err != nil {
		t.Fatal(err)
	}
	if c.Payments != PaymentsLocal || c.FingerprintKey != DevFingerprintKey || c.StripeTimeout.String() != "5s" || c.StripeMaxRetries != 1 {
		t.Fatalf("payment defaults = %q %q %s %d", c.Payments, c.FingerprintKey, c.StripeTimeout, c.StripeMaxRetries)
	}
	dir := t.TempDir()
	keyFile, fpFile := dir+"/stripe-key", dir+"/fingerprint-key"
	if err := os.WriteFile(keyFile, []byte("sk_test_fromfile\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fpFile, []byte("0123456789abcdef-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = Load(append([]string{"-payments=stripe", "-stripe-api-key-file=" + keyFile,
		"-idempotency-fingerprint-key-file=" + fpFile, "-stripe-api-url=http://127.0.0.1:12111"}, stores...))
	if err != nil {
		t.Fatal(err)
	}
	if c.Payments != PaymentsStripe || c.StripeAPIKey != "sk_test_fromfile" || c.FingerprintKey != "0123456789abcdef-secret" ||
		c.StripeAPIURL != "http://127.0.0.1:12111" {
		t.Fatalf("from files: %q %q %q", c.Payments, c.FingerprintKey, c.StripeAPIURL)
	}
	cases := map[string][]string{
		"-payments=\"paypal\"":                  {"-payments=paypal"},
		"-stripe-api-key: required":             {"-payments=stripe"},
		"set one of them":                       {"-stripe-api-key=sk_test_x", "-stripe-api-key-file=" + keyFile},
		"-stripe-api-key-file: open":            {"-stripe-api-key-file=" + dir + "/missing"},
		"-stripe-timeout":                       {"-stripe-timeout=0s"},
		"-stripe-max-retries":                   {"-stripe-max-retries=9"},
		"-idempotency-fingerprint-key: want at": {"-idempotency-fingerprint-key=short"},
	}
	for want, args := range cases {
		_, err := Load(append(args, stores...))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%v) = %v, want an error containing %s", args, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "sk_test_x") {
			t.Errorf("error %q shows the key", err)
		}
	}
}
