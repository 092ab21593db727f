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
