//go:build faults

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/storetest"
)

// alertTimeScale divides the shipped OutboxRelayStuck rule's threshold and `for` in the live test: the rule waits
// 5 + 5 minutes, which a test cannot; its expression, the metric and the path through a real Prometheus scraping a real
// server are the shipped ones.
const alertTimeScale = 30

// The stuck-relay alert fires for real: a server scraped by the stack's Prometheus, which evaluates the shipped
// OutboxRelayStuck rule (its times divided by alertTimeScale, restricted to this server), stays quiet while the relay
// delivers; Neo4j, a projector's store, is stopped and a title written, so its event is owed to the graph and the
// oldest undelivered event ages; the alert goes pending and then firing. Neo4j comes back, the owed event is
// delivered, and the alert resolves.
func TestFaultsStuckRelayAlertFires(t *testing.T) {
	stack := os.Getenv("STACK")
	if stack == "" {
		storetest.Missing(t, "STACK (the stack command's path) is not set; run the suite with `go tool task test:faults`")
	}
	s := requireObservability(t)
	id := "alert-" + storetest.Unique()

	// The shipped rule, scaled.
	raw, err := os.ReadFile("../../deploy/prometheus/rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var shipped struct {
		Groups []struct {
			Rules []struct {
				Alert, Expr, For string
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal(raw, &shipped); err != nil {
		t.Fatal(err)
	}
	var expr, forText string
	for _, g := range shipped.Groups {
		for _, r := range g.Rules {
			if r.Alert == "OutboxRelayStuck" {
				expr, forText = r.Expr, r.For
			}
		}
	}
	m := regexp.MustCompile(`^max\(outbox_oldest_unpublished_seconds\) > ([0-9]+)$`).FindStringSubmatch(expr)
	if m == nil {
		t.Fatalf("OutboxRelayStuck is %q; this test scales `max(outbox_oldest_unpublished_seconds) > N`: update it", expr)
	}
	threshold, _ := strconv.Atoi(m[1])
	hold, err := time.ParseDuration(forText)
	if err != nil {
		t.Fatalf("OutboxRelayStuck for %q: %v", forText, err)
	}
	scaled := map[string]any{"groups": []any{map[string]any{"name": id, "rules": []any{map[string]any{
		"alert":  "OutboxRelayStuck",
		"expr":   fmt.Sprintf("max(outbox_oldest_unpublished_seconds{test=%q}) > %d", id, threshold/alertTimeScale),
		"for":    (hold / alertTimeScale).String(),
		"labels": map[string]string{"test": id},
	}}}}}
	rules, _ := yaml.Marshal(scaled)
	targetDir, rulesDir := prometheusDirs(t, s.PrometheusURL())
	rulesFile := filepath.Join(rulesDir, id+".yml")
	targetFile := filepath.Join(targetDir, id+".json")

	e := ownServer(t, "e2e_alert", nil)
	target, _ := json.Marshal([]map[string]any{{"targets": []string{e.built.Server.OpsAddr()}, "labels": map[string]string{"test": id}}})
	if err := os.WriteFile(rulesFile, rules, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(targetFile, target, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.Remove(rulesFile)
		os.Remove(targetFile)
		prometheusReload(t, s.PrometheusURL())
	})
	prometheusReload(t, s.PrometheusURL())

	// Scraped, and quiet while the relay delivers (a title's event reaches every projector).
	waitProm(t, s.PrometheusURL(), "Prometheus scrapes the server", 60*time.Second, func() (bool, string) {
		v, body := promQuery(t, s.PrometheusURL(), fmt.Sprintf(`up{test=%q}`, id))
		return v == "1", body
	})
	admin := bearer(context.Background(), adminToken)
	if _, err := e.cmd.UpsertContent(admin, &pb.UpsertContentRequest{Content: faultTitle("alerta tranquila")}); err != nil {
		t.Fatal(err)
	}
	quiet := time.Now().Add(time.Duration(threshold/alertTimeScale)*time.Second + 2*hold/alertTimeScale)
	for time.Now().Before(quiet) {
		if state := alertState(t, s.PrometheusURL(), id); state != "" {
			t.Fatalf("OutboxRelayStuck is %s while the relay delivers", state)
		}
		time.Sleep(time.Second)
	}

	// Neo4j stops; a title's event is owed to the graph.
	stackCommand(t, stack, "down", "neo4j")
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			stackCommand(t, stack, "up", "neo4j")
		}
	})
	stopped := time.Now()
	if _, err := e.cmd.UpsertContent(admin, &pb.UpsertContentRequest{Content: faultTitle("alerta")}); err != nil {
		t.Fatal(err)
	}
	var pending time.Duration
	waitProm(t, s.PrometheusURL(), "OutboxRelayStuck firing", 3*time.Minute, func() (bool, string) {
		state := alertState(t, s.PrometheusURL(), id)
		if state == "pending" && pending == 0 {
			pending = time.Since(stopped)
		}
		return state == "firing", state
	})
	fired := time.Since(stopped)
	if pending == 0 {
		t.Errorf("the alert fired without being pending first (for %v)", hold/alertTimeScale)
	}
	t.Logf("Neo4j stopped: OutboxRelayStuck pending after %v, firing after %v (scaled rule: > %ds for %v)",
		pending.Round(time.Second), fired.Round(time.Second), threshold/alertTimeScale, hold/alertTimeScale)

	// Neo4j back: the owed event is delivered and the alert resolves.
	stackCommand(t, stack, "up", "neo4j")
	restarted = true
	back := time.Now()
	waitProm(t, s.PrometheusURL(), "OutboxRelayStuck resolved", 3*time.Minute, func() (bool, string) {
		state := alertState(t, s.PrometheusURL(), id)
		return state == "", state
	})
	t.Logf("Neo4j back: OutboxRelayStuck resolved after %v", time.Since(back).Round(time.Second))
}

// alertState is the state of this test's OutboxRelayStuck alert in Prometheus: "pending", "firing" or "" (inactive).
func alertState(t *testing.T, prom, id string) string {
	t.Helper()
	body := promGet(t, prom+"/api/v1/alerts")
	var res struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("Prometheus alerts: %v in %.300s", err, body)
	}
	for _, a := range res.Data.Alerts {
		if a.Labels["alertname"] == "OutboxRelayStuck" && a.Labels["test"] == id {
			return a.State
		}
	}
	return ""
}

// promQuery evaluates an instant query and returns the first sample's value ("" when there is none).
func promQuery(t *testing.T, prom, query string) (string, string) {
	t.Helper()
	body := promGet(t, prom+"/api/v1/query?"+url.Values{"query": {query}}.Encode())
	var res struct {
		Data struct {
			Result []struct {
				Value []any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("Prometheus query %s: %v in %.300s", query, err, body)
	}
	if len(res.Data.Result) == 0 || len(res.Data.Result[0].Value) != 2 {
		return "", string(body)
	}
	v, _ := res.Data.Result[0].Value[1].(string)
	return v, string(body)
}

func promGet(t *testing.T, u string) []byte {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatalf("Prometheus: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("Prometheus: GET %s: %s %s", u, res.Status, body)
	}
	return body
}

// prometheusReload makes Prometheus read its rule files again (the stack starts it with --web.enable-lifecycle).
func prometheusReload(t *testing.T, prom string) {
	t.Helper()
	res, err := http.Post(prom+"/-/reload", "", nil)
	if err != nil {
		t.Errorf("Prometheus reload: %v", err)
		return
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("Prometheus reload: %s", res.Status)
	}
}

// waitProm polls ok every second until it holds, or fails after limit with the last thing it saw.
func waitProm(t *testing.T, prom, what string, limit time.Duration, ok func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		done, last := ok()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s (Prometheus at %s): not after %v; last: %.300s", what, prom, limit, last)
		}
		time.Sleep(time.Second)
	}
}
