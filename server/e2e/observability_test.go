package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/storetest"
)

// The stack's optional observability servers, for the tests that read traces and metrics back from them.

// requireObservability returns the stack's settings once Jaeger and Prometheus answer (fails under CI, skips
// elsewhere, when they do not).
func requireObservability(t *testing.T) stackenv.Settings {
	t.Helper()
	s := storetest.Settings(t)
	for _, c := range []struct{ name, url string }{
		{"jaeger", s.JaegerUIURL() + "/api/v3/services"},
		{"prometheus", s.PrometheusURL() + "/api/v1/status/buildinfo"},
	} {
		res, err := http.Get(c.url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				continue
			}
			err = fmt.Errorf("status %s", res.Status)
		}
		storetest.Missing(t, fmt.Sprintf("%s does not answer at %s (%v); start it with `go tool task stack:up -- jaeger prometheus`",
			c.name, c.url, err))
	}
	return s
}

// prometheusDirs asks the running Prometheus which folders it reads scrape targets (file_sd) and rule files from, so a
// test adds its own where that Prometheus looks (the stack that started it may not be the test's STACK_HOME: test:tls
// shares the default stack's observability servers).
func prometheusDirs(t *testing.T, prom string) (targets, rules string) {
	t.Helper()
	res, err := http.Get(prom + "/api/v1/status/config")
	if err != nil {
		t.Fatalf("Prometheus: %v", err)
	}
	defer res.Body.Close()
	var status struct {
		Data struct{ YAML string } `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&status); err != nil {
		t.Fatalf("Prometheus configuration: %v", err)
	}
	var conf struct {
		RuleFiles     []string `json:"rule_files"`
		ScrapeConfigs []struct {
			FileSD []struct {
				Files []string `json:"files"`
			} `json:"file_sd_configs"`
		} `json:"scrape_configs"`
	}
	if err := yaml.Unmarshal([]byte(status.Data.YAML), &conf); err != nil {
		t.Fatalf("Prometheus configuration: %v", err)
	}
	for _, sc := range conf.ScrapeConfigs {
		for _, sd := range sc.FileSD {
			for _, f := range sd.Files {
				if strings.HasSuffix(f, "/*.json") {
					targets = filepath.Dir(f)
				}
			}
		}
	}
	for _, f := range conf.RuleFiles {
		if strings.HasSuffix(f, "/*.yml") {
			rules = filepath.Dir(f)
		}
	}
	if targets == "" || rules == "" {
		t.Fatalf("Prometheus at %s reads no target folder (*.json) or no rule folder (*.yml): not the stack's: %s", prom, status.Data.YAML)
	}
	return targets, rules
}

// jaegerSpan is a span as Jaeger's query API (/api/v3, OTLP JSON) returns it: ids in hex, kind as OTLP's number.
type jaegerSpan struct {
	TraceID      string `json:"traceId"`
	SpanID       string `json:"spanId"`
	ParentSpanID string `json:"parentSpanId"`
	Name         string `json:"name"`
	Kind         int    `json:"kind"` // 2 server, 3 client
	Links        []struct {
		TraceID string `json:"traceId"`
		SpanID  string `json:"spanId"`
	} `json:"links"`
}

const (
	otlpKindServer = 2
	otlpKindClient = 3
)

func (s jaegerSpan) linksTo(traceID string) bool {
	return slices.ContainsFunc(s.Links, func(l struct {
		TraceID string `json:"traceId"`
		SpanID  string `json:"spanId"`
	}) bool {
		return l.TraceID == traceID
	})
}

// jaegerSpans reads every span Jaeger holds for service since since, through its query API.
func jaegerSpans(t *testing.T, s stackenv.Settings, service string, since time.Time) []jaegerSpan {
	t.Helper()
	q := url.Values{
		"query.service_name":   {service},
		"query.start_time_min": {since.Add(-time.Minute).UTC().Format(time.RFC3339Nano)},
		"query.start_time_max": {time.Now().Add(time.Minute).UTC().Format(time.RFC3339Nano)},
		"query.num_traces":     {"1000"},
	}
	res, err := http.Get(s.JaegerUIURL() + "/api/v3/traces?" + q.Encode())
	if err != nil {
		t.Fatalf("Jaeger: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusNotFound {
		return nil // no trace yet
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("Jaeger: GET /api/v3/traces: %s %s", res.Status, body)
	}
	var out struct {
		Result struct {
			ResourceSpans []struct {
				ScopeSpans []struct {
					Spans []jaegerSpan `json:"spans"`
				} `json:"scopeSpans"`
			} `json:"resourceSpans"`
		} `json:"result"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("Jaeger: %v in %.300s", err, body)
	}
	var spans []jaegerSpan
	for _, rs := range out.Result.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			spans = append(spans, ss.Spans...)
		}
	}
	return spans
}

// waitJaeger polls Jaeger until ok holds for the service's spans, or fails after 60 s with what it saw (the server
// exports in batches every few seconds).
func waitJaeger(t *testing.T, s stackenv.Settings, service string, since time.Time, what string, ok func([]jaegerSpan) bool) []jaegerSpan {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		spans := jaegerSpans(t, s, service, since)
		if ok(spans) {
			return spans
		}
		if time.Now().After(deadline) {
			var b strings.Builder
			for _, sp := range spans {
				fmt.Fprintf(&b, "  %s kind=%d trace=%s span=%s parent=%s links=%d\n", sp.Name, sp.Kind, sp.TraceID, sp.SpanID, sp.ParentSpanID, len(sp.Links))
			}
			t.Fatalf("Jaeger, service %s: %s: not among %d spans:\n%s", service, what, len(spans), b.String())
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// A server exporting over OTLP to the stack's Jaeger (the shipped exporter, not a recorder): one REST
// CreateSubscription sent with a caller's traceparent is one trace in Jaeger, read back through its query API, holding
// the gateway's span (a child of the caller's), the gRPC server's span below it and the PostgreSQL statements; the
// outbox relay and each projector record traces of their own linked to it. One ingest stream gives batch spans under
// the stream's span, partition writes linked to them and the Cassandra batch under each write. The latency histogram
// of the call carries the trace's id as its exemplar, which Prometheus, scraping the server, stores.
func TestTracesAndExemplarsInJaegerAndPrometheus(t *testing.T) {
	s := requireObservability(t)
	service := "streamingd-e2e-" + storetest.Unique()
	since := time.Now()
	e := ownServer(t, "e2e_jaeger", func(c *config.Config) {
		c.OTelEndpoint, c.OTelSampleRatio, c.OTelServiceName = s.JaegerOTLPAddr(), 1, service
	})
	// Prometheus scrapes this server from now on (a target file of its own; Prometheus watches the folder).
	targets, _ := prometheusDirs(t, s.PrometheusURL())
	target := filepath.Join(targets, service+".json")
	body, _ := json.Marshal([]map[string]any{{"targets": []string{e.built.Server.OpsAddr()}, "labels": map[string]string{"test": service}}})
	if err := os.WriteFile(target, body, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(target) })

	u := newUser(t, e)
	plan := newPlan(t, e, "9.99")
	traceID, callerSpan := randomHex(16), randomHex(8)
	code, res := rest(t, e, "POST", "/v1/users/"+u.id+"/subscriptions", u.token, map[string]any{
		"planId": plan.GetId(), "paymentMethod": "PAYMENT_METHOD_CARD", "paymentToken": "tok_visa",
		"idempotencyKey": "jaeger-" + storetest.Unique()}, "traceparent", "00-"+traceID+"-"+callerSpan+"-01")
	if code != http.StatusOK {
		t.Fatalf("REST CreateSubscription: status %d: %v", code, res)
	}

	const method = "streaming.v1.CommandService/CreateSubscription"
	projectors := []string{"outbox.relay", "outbox.project neo4j", "outbox.project search", "outbox.project redis"}
	spans := waitJaeger(t, s, service, since, "the CreateSubscription trace and the relay and projector spans linked to it",
		func(spans []jaegerSpan) bool {
			has := func(f func(jaegerSpan) bool) bool { return slices.ContainsFunc(spans, f) }
			inTrace := func(name string, kind int) bool {
				return has(func(sp jaegerSpan) bool { return sp.TraceID == traceID && sp.Name == name && sp.Kind == kind })
			}
			if !inTrace(method, otlpKindServer) || !inTrace("postgres INSERT", otlpKindClient) {
				return false
			}
			for _, name := range projectors {
				if !has(func(sp jaegerSpan) bool { return sp.Name == name && sp.linksTo(traceID) }) {
					return false
				}
			}
			return true
		})
	byID := map[string]jaegerSpan{}
	var grpcSpan jaegerSpan
	for _, sp := range spans {
		if sp.TraceID == traceID {
			byID[sp.SpanID] = sp
			if sp.Name == method && sp.Kind == otlpKindServer {
				grpcSpan = sp
			}
		}
	}
	// Up from the gRPC span: the gateway's HTTP server span, whose parent is the caller's span.
	var gateway *jaegerSpan
	for p := grpcSpan.ParentSpanID; p != ""; {
		sp, ok := byID[p]
		if !ok {
			break
		}
		if sp.Kind == otlpKindServer && strings.HasPrefix(sp.Name, "gateway ") {
			gateway = &sp
		}
		p = sp.ParentSpanID
	}
	if gateway == nil {
		t.Fatalf("no gateway span above the gRPC span in trace %s (%d spans)", traceID, len(byID))
	}
	if gateway.ParentSpanID != callerSpan {
		t.Errorf("the gateway span's parent is %q, want the caller's span %s", gateway.ParentSpanID, callerSpan)
	}
	for _, sp := range spans {
		if strings.HasPrefix(sp.Name, "postgres ") && sp.TraceID == traceID {
			if _, ok := byID[sp.ParentSpanID]; !ok {
				t.Errorf("%s has a parent outside the trace", sp.Name)
			}
		}
		if slices.Contains(projectors, sp.Name) && sp.linksTo(traceID) && sp.TraceID == traceID {
			t.Errorf("%s is a child in the command's trace; want a linked trace of its own", sp.Name)
		}
	}

	t.Run("ingest stream", func(t *testing.T) {
		streamBatches(t, e, batches, 4)
		// The stream's span, its batch spans, the partition writes linked to them and a Cassandra batch under a write.
		var streamSpan jaegerSpan
		var batchIDs, writeIDs map[string]bool
		waitJaeger(t, s, service, since, "stream, batch, partition-write and Cassandra spans", func(spans []jaegerSpan) bool {
			batchIDs, writeIDs = map[string]bool{}, map[string]bool{}
			for _, sp := range spans {
				if sp.Name == "streaming.v1.IngestService/IngestPlaybackEvents" && sp.Kind == otlpKindServer {
					streamSpan = sp
				}
			}
			for _, sp := range spans {
				if sp.Name == "ingest.batch" && sp.ParentSpanID == streamSpan.SpanID && sp.TraceID == streamSpan.TraceID {
					batchIDs[sp.SpanID] = true
				}
			}
			for _, sp := range spans {
				if sp.Name == "ingest.partition_write" && slices.ContainsFunc(sp.Links, func(l struct {
					TraceID string `json:"traceId"`
					SpanID  string `json:"spanId"`
				}) bool {
					return batchIDs[l.SpanID]
				}) {
					writeIDs[sp.SpanID] = true
				}
			}
			return streamSpan.SpanID != "" && len(batchIDs) == batches && len(writeIDs) > 0 &&
				slices.ContainsFunc(spans, func(sp jaegerSpan) bool { return sp.Name == "cassandra BATCH" && writeIDs[sp.ParentSpanID] })
		})
		if len(writeIDs) > batches {
			t.Errorf("%d partition writes for %d batches of one partition", len(writeIDs), batches)
		}
	})

	t.Run("exemplar in Prometheus", func(t *testing.T) {
		// The server's own endpoint, in the OpenMetrics format Prometheus asks for.
		req, _ := http.NewRequest(http.MethodGet, "http://"+e.built.Server.OpsAddr()+"/metrics", nil)
		req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		metrics, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var line string
		for l := range strings.Lines(string(metrics)) {
			if strings.HasPrefix(l, "grpc_server_handling_seconds_bucket{") && strings.Contains(l, `grpc_method="CreateSubscription"`) &&
				strings.Contains(l, `trace_id="`+traceID+`"`) {
				line = l
			}
		}
		if line == "" {
			t.Fatalf("no grpc_server_handling_seconds bucket of CreateSubscription carries the exemplar trace_id=%s", traceID)
		}
		// Prometheus, scraping the server, stores it.
		deadline := time.Now().Add(60 * time.Second)
		for {
			q := url.Values{
				"query": {fmt.Sprintf(`grpc_server_handling_seconds_bucket{test=%q,grpc_method="CreateSubscription"}`, service)},
				"start": {since.Add(-time.Minute).UTC().Format(time.RFC3339)},
				"end":   {time.Now().Add(time.Minute).UTC().Format(time.RFC3339)},
			}
			res, err := http.Get(s.PrometheusURL() + "/api/v1/query_exemplars?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if strings.Contains(string(body), `"trace_id":"`+traceID+`"`) {
				t.Logf("Prometheus holds the exemplar: %.300s", body)
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("Prometheus holds no exemplar with trace_id %s for the server at %s: %.500s", traceID, e.built.Server.OpsAddr(), body)
			}
			time.Sleep(time.Second)
		}
	})
}
