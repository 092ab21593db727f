package config

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
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
	if c.GRPCAddr != "127.0.0.1:50051" || c.HTTPAddr != "127.0.0.1:8080" || c.SessionTTL.String() != "24h0m0s" || !c.Migrate || c.MaxRecvBytes != 4<<20 {
		t.Fatalf("defaults = %+v", c)
	}
	if len(c.CassandraHosts) != 2 || len(c.SearchURLs) != 1 || c.SearchURLs[0] != "https://search.example" || c.SearchReplicas != 0 {
		t.Fatalf("stores = %v, %q, %d replicas", c.CassandraHosts, c.SearchURLs, c.SearchReplicas)
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
	// A Redis Cluster's seed nodes, comma-separated; each must be host:port.
	if _, err := Load(append(slices.Clone(stores), "-redis-addr=10.0.0.1:6379,redis-b")); err == nil || !strings.Contains(err.Error(), "-redis-addr") {
		t.Errorf("a seed without a port: %v, want an error naming -redis-addr", err)
	}
	if c, err := Load(append(slices.Clone(stores), "-redis-addr=10.0.0.1:6379, 10.0.0.2:6379")); err != nil || c.RedisAddr != "10.0.0.1:6379, 10.0.0.2:6379" {
		t.Errorf("two seeds: %q, %v", c.RedisAddr, err)
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

// A production configuration a deployment would use: every store with credentials, tokens that are secrets, TLS.
var safeProduction = []string{"-env=production",
	"-postgres-url=postgres://app:s3cret@db.example:5432/streaming?sslmode=verify-full", "-redis-addr=redis.example:6379",
	"-cassandra-hosts=c1.example,c2.example,c3.example", "-cassandra-replication=NetworkTopologyStrategy:dc1=3,dc2=3",
	"-neo4j-uri=neo4j+s://graph.example", "-neo4j-user=streaming", "-neo4j-password=s3cret",
	"-redis-user=streaming", "-redis-password=s3cret", "-redis-tls", "-cassandra-user=streaming", "-cassandra-password=s3cret",
	"-cassandra-tls", "-search-url=https://search.example", "-search-user=streaming", "-search-password=s3cret", "-admin-token=" + strings.Repeat("a1", 20), "-service-token=" + strings.Repeat("b2", 20),
	"-tls-cert-file=/etc/streaming/tls/tls.crt", "-tls-key-file=/etc/streaming/tls/tls.key",
	"-payments=stripe", "-stripe-api-key=sk_live_" + strings.Repeat("c3", 12), "-idempotency-fingerprint-key=" + strings.Repeat("d4", 16)}

// Production refuses each setting that is only safe on a laptop, one line per problem naming it; a safe
// configuration loads, with production's defaults.
func TestProductionRefusesLaptopSettings(t *testing.T) {
	unsetAll(t)
	c, err := Load(safeProduction)
	if err != nil {
		t.Fatalf("a safe production configuration: %v", err)
	}
	if c.GRPCAddr != ":50051" || c.HTTPAddr != ":8080" || c.OpsAddr != ":9090" || c.Migrate {
		t.Fatalf("production defaults: grpc %q http %q ops %q migrate %v", c.GRPCAddr, c.HTTPAddr, c.OpsAddr, c.Migrate)
	}
	cases := []struct {
		name string
		args []string
		want string // "" = loads
	}{
		{"published admin token", []string{"-admin-token=local-admin-token-change-me"}, "-admin-token: the published development token"},
		{"published service token", []string{"-service-token=local-service-token-change-me"}, "-service-token: the published development token"},
		{"short token", []string{"-service-token=0123456789abcdef0123"}, "-service-token: 20 characters is too short"},
		{"roles disabled", []string{"-admin-token=", "-service-token="}, ""},
		{"plaintext API", []string{"-tls-cert-file=", "-tls-key-file="}, "-tls-cert-file: the API would listen in plaintext"},
		{"plaintext behind a TLS terminator", []string{"-tls-cert-file=", "-tls-key-file=", "-tls-terminated-upstream=true"}, ""},
		{"postgres without a credential", []string{"-postgres-url=postgres://app@db.example/streaming"}, "-postgres-url: no credential"},
		{"postgres with a client certificate", []string{"-postgres-url=postgres://app@db.example/streaming?sslcert=/c.pem&sslkey=/k.pem"}, ""},
		{"postgres without a user", []string{"-postgres-url=postgres://db.example/streaming"}, "-postgres-url: no user"},
		{"graph without credentials", []string{"-neo4j-password="}, "-neo4j-user, -neo4j-password"},
		{"redis without a password", []string{"-redis-password="}, "-redis-password: Redis needs a credential"},
		{"cassandra without credentials", []string{"-cassandra-user="}, "-cassandra-user, -cassandra-password"},
		{"search without credentials", []string{"-search-password="}, "-search-user, -search-password"},
		{"search with an API key", []string{"-search-user=", "-search-password=", "-search-api-key=aWQ6a2V5"}, ""},
		{"one replica", []string{"-cassandra-replication=SimpleStrategy:1", "-cassandra-consistency=ONE"}, "one replica loses its data"},
		{"quorum of two", []string{"-cassandra-replication=NetworkTopologyStrategy:dc1=3,dc2=2"}, "a quorum of 2 replicas is all of them"},
		{"two replicas at ONE", []string{"-cassandra-replication=SimpleStrategy:2", "-cassandra-consistency=LOCAL_ONE"}, ""},
		{"consistency ALL", []string{"-cassandra-consistency=ALL"}, "-cassandra-consistency=ALL"},
		{"unknown mode", []string{"-env=staging"}, `-env="staging": want development or production`},
		{"the payment simulator", []string{"-payments=local"}, "-payments=local: the simulated processor"},
		{"the published fingerprint key", []string{"-idempotency-fingerprint-key=" + DevFingerprintKey}, "-idempotency-fingerprint-key: the published development key"},
		{"a relay-only process", []string{"-api=false"}, ""},
		{"nothing to run", []string{"-api=false", "-projections=false"}, "-api=false with -projections=false"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(append(slices.Clone(safeProduction), c.args...))
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != 1 {
				t.Errorf("%d lines for one problem:\n%v", n, err)
			}
		})
	}
	// Several problems: one line each.
	_, err = Load(append(slices.Clone(safeProduction), "-admin-token=local-admin-token-change-me", "-tls-cert-file=",
		"-tls-key-file=", "-cassandra-replication=SimpleStrategy:1"))
	if n := strings.Count(fmt.Sprint(err), "\n") + 1; err == nil || n != 3 {
		t.Fatalf("three problems gave %d lines: %v", n, err)
	}
	// Development takes the same settings as they are, and listens on loopback by default.
	dev, err := Load(append(slices.Clone(stores), "-admin-token=local-admin-token-change-me"))
	if err != nil || dev.Env != Development || dev.GRPCAddr != "127.0.0.1:50051" || dev.OpsAddr != "127.0.0.1:9090" || !dev.Migrate {
		t.Fatalf("development: %+v, %v", dev, err)
	}
}

// Secrets can be read from files, as orchestrators mount them; a secret given both ways is refused.
func TestSecretsFromFiles(t *testing.T) {
	unsetAll(t)
	dir := t.TempDir()
	token := filepath.Join(dir, "admin-token")
	if err := os.WriteFile(token, []byte(strings.Repeat("z9", 20)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("STREAMING_ADMIN_TOKEN_FILE", token)
	c, err := Load(stores)
	if err != nil || c.AdminToken != strings.Repeat("z9", 20) {
		t.Fatalf("token from file: %q, %v", c.AdminToken, err)
	}
	if _, err := Load(append(slices.Clone(stores), "-admin-token="+strings.Repeat("y8", 20))); err == nil ||
		!strings.Contains(err.Error(), "given both as a value and as a file") {
		t.Fatalf("both: %v", err)
	}
	t.Setenv("STREAMING_ADMIN_TOKEN_FILE", filepath.Join(dir, "missing"))
	if _, err := Load(stores); err == nil || !strings.Contains(err.Error(), "-admin-token-file") {
		t.Fatalf("missing file: %v", err)
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
		"given both as a value and as a file":   {"-stripe-api-key=sk_test_x", "-stripe-api-key-file=" + keyFile},
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

// The bounds on expensive work: defaults sized to the machine, and refused nonsense.
func TestLimitsSettings(t *testing.T) {
	c, err := Load(stores)
	if err != nil {
		t.Fatal(err)
	}
	if c.PasswordHashConcurrency != runtime.GOMAXPROCS(0) || c.PasswordHashWait != 2*time.Second ||
		c.LoginsPerAccount != 10 || c.LoginsPerClient != 60 || c.LoginWindow != time.Minute || len(c.TrustedProxies) != 0 {
		t.Fatalf("defaults = %d %s %d %d %s %v", c.PasswordHashConcurrency, c.PasswordHashWait, c.LoginsPerAccount,
			c.LoginsPerClient, c.LoginWindow, c.TrustedProxies)
	}
	c, err = Load(append([]string{"-password-hash-concurrency=3", "-trusted-proxies=10.1.2.3/8, 192.168.0.1/32"}, stores...))
	if err != nil || c.PasswordHashConcurrency != 3 || len(c.TrustedProxies) != 2 || c.TrustedProxies[0].String() != "10.0.0.0/8" {
		t.Fatalf("given = %d %v, %v", c.PasswordHashConcurrency, c.TrustedProxies, err)
	}
	for _, bad := range []string{"-trusted-proxies=10.0.0.1", "-password-hash-concurrency=-1", "-password-hash-wait=0s",
		"-login-attempts-per-account=x", "-login-attempts-window=0s"} {
		if _, err := Load(append([]string{bad}, stores...)); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}

// Tracing is off unless an endpoint is set, ours or the standard OTEL_* one; ours wins.
func TestTracingSettings(t *testing.T) {
	unsetAll(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_SERVICE_NAME", "")
	c, err := Load(stores)
	if err != nil || c.OTelEndpoint != "" || c.OTelSampleRatio != 1 || c.OTelServiceName != "streamingd" {
		t.Fatalf("defaults: %q %v %q, %v", c.OTelEndpoint, c.OTelSampleRatio, c.OTelServiceName, err)
	}
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")
	t.Setenv("OTEL_SERVICE_NAME", "streaming-eu")
	if c, err = Load(stores); err != nil || c.OTelEndpoint != "http://collector:4317" || c.OTelServiceName != "streaming-eu" {
		t.Fatalf("standard variables: %q %q, %v", c.OTelEndpoint, c.OTelServiceName, err)
	}
	if c, err = Load(append(stores, "-otel-exporter-otlp-endpoint=jaeger:4317", "-otel-sampling-ratio=0.01")); err != nil ||
		c.OTelEndpoint != "jaeger:4317" || c.OTelSampleRatio != 0.01 {
		t.Fatalf("flags: %q %v, %v", c.OTelEndpoint, c.OTelSampleRatio, err)
	}
	for _, bad := range []string{"-otel-sampling-ratio=1.5", "-otel-sampling-ratio=-0.1", "-otel-sampling-ratio=all"} {
		if _, err := Load(append(stores, bad)); err == nil || !strings.Contains(err.Error(), "-otel-sampling-ratio") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// The search server may be several nodes of one cluster, comma-separated; a bad one is named with the flag.
func TestSearchNodes(t *testing.T) {
	unsetAll(t)
	c, err := Load(append(slices.Clone(stores), "-search-url=http://a.example:9200, http://b.example:9200", "-search-replicas=1"))
	if err != nil || strings.Join(c.SearchURLs, " ") != "http://a.example:9200 http://b.example:9200" || c.SearchReplicas != 1 {
		t.Fatalf("two nodes: %q, %d replicas, %v", c.SearchURLs, c.SearchReplicas, err)
	}
	for _, bad := range []string{"-search-url=http://a.example:9200,b.example:9200", "-search-url=,", "-search-replicas=-1"} {
		flag, _, _ := strings.Cut(bad, "=")
		if _, err := Load(append(slices.Clone(stores), bad)); err == nil || !strings.Contains(err.Error(), flag) {
			t.Errorf("Load(%s) = %v, want an error naming %s", bad, err, flag)
		}
	}
}
