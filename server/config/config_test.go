package config

import (
	"os"
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	for _, s := range Settings {
		t.Setenv(s.Env, "")
		os.Unsetenv(s.Env)
	}
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.GRPCAddr != ":50051" || c.HTTPAddr != ":8080" || c.SessionTTL.String() != "24h0m0s" || !c.Migrate || c.MaxRecvBytes != 4<<20 {
		t.Fatalf("defaults = %+v", c)
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
		if _, err := Load(args); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%v) = %v, want an error naming %s", args, err, want)
		}
	}
	t.Setenv("STREAMING_SESSION_TTL", "1h")
	if c, err := Load([]string{"-session-ttl=2h"}); err != nil || c.SessionTTL.String() != "2h0m0s" {
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
