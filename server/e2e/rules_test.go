package e2e

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// Every metric the Prometheus rules read (deploy/prometheus/rules.yml) is one the server really exports on its
// operators' listener: a renamed metric fails here instead of silencing an alert.
func TestRulesReadExportedMetrics(t *testing.T) {
	e := server(t)
	raw, err := os.ReadFile("../../deploy/prometheus/rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Expr string `json:"expr"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatal(err)
	}
	recorded := regexp.MustCompile(`streaming:[a-z0-9_:]+`)
	metric := regexp.MustCompile(`\b(outbox_[a-z_]+|ingest_[a-z_]+|grpc_server_[a-z_]+|store_up|circuit_breaker_state)\b`)
	want := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			for _, m := range metric.FindAllString(recorded.ReplaceAllString(r.Expr, ""), -1) {
				want[strings.TrimSuffix(m, "_bucket")] = true
			}
		}
	}
	if len(want) < 10 {
		t.Fatalf("found only %v in the rules", want)
	}
	var body string
	deadline := time.Now().Add(15 * time.Second) // store_up appears with the first health check
	for {
		res, err := http.Get("http://" + e.built.Server.OpsAddr() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		body = string(b)
		if strings.Contains(body, "\nstore_up{") || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for name := range want {
		if !regexp.MustCompile(`(?m)^` + name + `(_bucket)?[{ ]`).MatchString(body) {
			t.Errorf("the rules read %s, which /metrics does not export", name)
		}
	}
}
