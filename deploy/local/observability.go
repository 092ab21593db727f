package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
)

// The observability servers are optional: `stack up` without names leaves them out (they cost a build and memory the
// tests of the stores do not need); `stack up jaeger prometheus` starts them. `stack down` and `stack status` without
// names cover them too.

// jaegerPackage is the Jaeger v2 binary, pinned as a Go tool in internal/tools/jaeger.mod (its own modfile, so
// Jaeger's requirements stay out of go.mod).
const jaegerPackage = "github.com/jaegertracing/jaeger/cmd/jaeger"

// jaeger is Jaeger v2 (an OpenTelemetry Collector distribution) with in-memory storage: OTLP receivers (gRPC and
// HTTP) for the server's spans, and the query service with its UI and HTTP API (/api/v3) for people and tests.
type jaeger struct {
	cfg  stackenv.Settings
	home string
	d    daemon
}

func newJaeger(cfg stackenv.Settings) *jaeger {
	h := home(cfg, "jaeger")
	return &jaeger{cfg: cfg, home: h, d: daemon{
		pidFile: filepath.Join(h, "run", "jaeger.pid"),
		mark:    "jaeger",
		logFile: filepath.Join(h, "logs", "console.log"),
	}}
}

func (j *jaeger) Name() string    { return "jaeger" }
func (j *jaeger) Addr() string    { return j.cfg.JaegerUIURL() }
func (j *jaeger) DataDir() string { return filepath.Join(j.home, "data") } // spans live in memory; nothing is kept
func (j *jaeger) PID() int        { return j.d.pid() }
func (j *jaeger) Exited() string  { return j.d.exited() }

func (j *jaeger) bin() string   { return filepath.Join(j.home, "bin", "jaeger") }
func (j *jaeger) stamp() string { return filepath.Join(j.home, "bin", "built-from") }

// Install builds the pinned Jaeger once; the stamp holds a hash of the modfile, so a version bump rebuilds it. A cold
// build takes minutes (Go's build cache makes the next ones quick).
func (j *jaeger) Install(ctx context.Context) error {
	root, err := stackenv.ModuleRoot()
	if err != nil {
		return fmt.Errorf("jaeger is built from the checkout's internal/tools/jaeger.mod: %w", err)
	}
	modfile := filepath.Join(root, "internal", "tools", "jaeger.mod")
	mod, err := os.ReadFile(modfile)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(mod)
	want := hex.EncodeToString(sum[:])
	if b, err := os.ReadFile(j.stamp()); err == nil && string(b) == want {
		if _, err := os.Stat(j.bin()); err == nil {
			return nil
		}
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("jaeger is built with `go build -modfile=%s`, and go is not on PATH", stackenv.Rel(modfile))
	}
	logFile := filepath.Join(j.home, "logs", "install.log")
	for _, d := range []string{filepath.Dir(j.bin()), filepath.Dir(logFile)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	out, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	fmt.Println("stack: jaeger: building the pinned Jaeger (first run only; a cold build takes minutes)")
	build := exec.CommandContext(ctx, goBin, "build", "-modfile="+modfile, "-o", j.bin(), jaegerPackage)
	build.Dir = root
	build.Stdout, build.Stderr = out, out
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build %s failed (see %s): %w", jaegerPackage, stackenv.Rel(logFile), err)
	}
	return os.WriteFile(j.stamp(), []byte(want), 0o644)
}

// jaegerConfig: every listener on the stack's address; the collector's own metrics off (they would take port 8888).
var jaegerConfig = template.Must(template.New("jaeger").Parse(`# Written by the stack command at each start; edit the stack command, not this file.
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: info
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: "{{.Host}}:{{.UIPort}}"
    grpc:
      endpoint: "{{.Host}}:{{.QueryGRPCPort}}"
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: "{{.Host}}:{{.OTLPPort}}"
      http:
        endpoint: "{{.Host}}:{{.OTLPHTTPPort}}"
processors:
  batch:
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`))

func (j *jaeger) Start(ctx context.Context) error {
	for _, p := range []struct {
		port int
		name string
	}{{j.cfg.JaegerOTLPPort, "STACK_JAEGER_OTLP_PORT"}, {j.cfg.JaegerOTLPPort + 1, "STACK_JAEGER_OTLP_PORT (plus one: OTLP over HTTP)"},
		{j.cfg.JaegerUIPort, "STACK_JAEGER_UI_PORT"}, {j.cfg.JaegerUIPort - 1, "STACK_JAEGER_UI_PORT (minus one: the query gRPC API)"}} {
		if err := portFree(j.cfg.Host, p.port, p.name); err != nil {
			return err
		}
	}
	var conf bytes.Buffer
	if err := jaegerConfig.Execute(&conf, map[string]any{
		"Host": j.cfg.Host, "OTLPPort": j.cfg.JaegerOTLPPort, "OTLPHTTPPort": j.cfg.JaegerOTLPPort + 1,
		"UIPort": j.cfg.JaegerUIPort, "QueryGRPCPort": j.cfg.JaegerUIPort - 1,
	}); err != nil {
		return err
	}
	confFile := filepath.Join(j.home, "conf", "jaeger.yaml")
	if err := os.MkdirAll(filepath.Dir(confFile), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(confFile, conf.Bytes(), 0o644); err != nil {
		return err
	}
	return j.d.start(j.home, []string{j.bin(), "--config", confFile}, nil, nil)
}

func (j *jaeger) Stop(ctx context.Context) error { return j.d.stop(10 * time.Second) }

// Probe asks the query API for its services, as a test reading traces back would.
func (j *jaeger) Probe(ctx context.Context) (string, error) {
	body, err := httpGet(ctx, j.cfg.JaegerUIURL()+"/api/v3/services")
	if err != nil {
		return "", err
	}
	if !bytes.Contains(body, []byte("services")) && !bytes.Equal(bytes.TrimSpace(body), []byte("{}")) {
		return "", fmt.Errorf("GET /api/v3/services: unexpected answer %q", body)
	}
	return "Jaeger " + jaegerVersion(), nil
}

// jaegerVersion is the version the modfile pins, read from the checkout ("v2" when it cannot be read).
func jaegerVersion() string {
	root, err := stackenv.ModuleRoot()
	if err != nil {
		return "v2"
	}
	b, err := os.ReadFile(filepath.Join(root, "internal", "tools", "jaeger.mod"))
	if err != nil {
		return "v2"
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "github.com/jaegertracing/jaeger" {
			return f[1] + " (v2 binary)"
		}
	}
	return "v2"
}

// prometheus is the Prometheus server from Debian's package, unpacked (not installed: no service) into the stack's
// folder. It scrapes streamingd's operators' listener (the targets in STACK_HOME/prometheus/targets/*.json: the
// default file names the addresses `go tool task run` (127.0.0.1:9090) and deploy/local/scripts/with-server.sh (the stack's host, port 9190) use; tests add files
// of their own) and evaluates deploy/prometheus/rules.yml, with rule files tests add under rules/.
type prometheus struct {
	cfg  stackenv.Settings
	home string
	d    daemon
}

func newPrometheus(cfg stackenv.Settings) *prometheus {
	h := home(cfg, "prometheus")
	return &prometheus{cfg: cfg, home: h, d: daemon{
		pidFile: filepath.Join(h, "run", "prometheus.pid"),
		mark:    "prometheus",
		logFile: filepath.Join(h, "logs", "console.log"),
	}}
}

func (p *prometheus) Name() string    { return "prometheus" }
func (p *prometheus) Addr() string    { return p.cfg.PrometheusURL() }
func (p *prometheus) DataDir() string { return filepath.Join(p.home, "data") }
func (p *prometheus) PID() int        { return p.d.pid() }
func (p *prometheus) Exited() string  { return p.d.exited() }

func (p *prometheus) bin() string { return filepath.Join(p.home, "bin", "prometheus") }

// Install unpacks the prometheus and promtool binaries from Debian's package once.
func (p *prometheus) Install(ctx context.Context) error {
	if _, err := os.Stat(p.bin()); err == nil {
		return nil
	}
	for _, tool := range []string{"apt-get", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("prometheus comes from Debian's package, and %s is not on PATH", tool)
		}
	}
	tmp, err := os.MkdirTemp("", "stack-prometheus-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	download := func() error {
		cmd := exec.CommandContext(ctx, "apt-get", "download", "-q", "prometheus")
		cmd.Dir = tmp
		return cmd.Run()
	}
	if download() != nil {
		// A fresh machine has empty package lists: refresh once and retry (as aptInstall does).
		if err := exec.CommandContext(ctx, "apt-get", "update", "-q").Run(); err != nil {
			return fmt.Errorf("apt-get update failed: is a Debian mirror reachable? %w", err)
		}
		if err := download(); err != nil {
			return fmt.Errorf("apt-get download prometheus: %w", err)
		}
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "prometheus_*.deb"))
	if len(debs) != 1 {
		return fmt.Errorf("apt-get download prometheus left %d packages", len(debs))
	}
	if out, err := exec.CommandContext(ctx, "dpkg-deb", "-x", debs[0], filepath.Join(tmp, "pkg")).CombinedOutput(); err != nil {
		return fmt.Errorf("dpkg-deb -x: %v: %s", err, out)
	}
	if err := os.MkdirAll(filepath.Dir(p.bin()), 0o755); err != nil {
		return err
	}
	// promtool first: the server binary is what marks the install done.
	for _, name := range []string{"promtool", "prometheus"} {
		b, err := os.ReadFile(filepath.Join(tmp, "pkg", "usr", "bin", name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(filepath.Dir(p.bin()), name), b, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// promtool runs Debian's promtool (unpacked beside the server by Install, which runs first if needed) with args, its
// output and exit status passed through. The Go tool (github.com/prometheus/prometheus/cmd/promtool) was measured at 8
// to 9 minutes for a cold build on this project's 2-core machines, which every fresh CI machine would pay; the
// package unpacks in seconds.
func (p *prometheus) promtool(ctx context.Context, args []string) error {
	if _, err := os.Stat(filepath.Join(filepath.Dir(p.bin()), "promtool")); err != nil {
		// An install from before promtool was kept beside the server: unpack again.
		if err := os.Remove(p.bin()); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	if err := p.Install(ctx); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(filepath.Dir(p.bin()), "promtool"), args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	return cmd.Run()
}

// prometheusConfig scrapes every 2 s and evaluates every 2 s: quick enough for a test to see an alert fire.
var prometheusConfig = template.Must(template.New("prometheus").Parse(`# Written by the stack command at each start; edit the stack command, not this file.
global:
  scrape_interval: 2s
  evaluation_interval: 2s
rule_files:
  - {{.Rules}}
  - {{.Home}}/rules/*.yml
scrape_configs:
  - job_name: streamingd
    file_sd_configs:
      - files: ["{{.Home}}/targets/*.json"]
        refresh_interval: 2s
`))

func (p *prometheus) Start(ctx context.Context) error {
	if err := portFree(p.cfg.Host, p.cfg.PrometheusPort, "STACK_PROMETHEUS_PORT"); err != nil {
		return err
	}
	root, err := stackenv.ModuleRoot()
	if err != nil {
		return fmt.Errorf("prometheus evaluates the checkout's deploy/prometheus/rules.yml: %w", err)
	}
	for _, d := range []string{"conf", "rules", "targets", "data"} {
		if err := os.MkdirAll(filepath.Join(p.home, d), 0o755); err != nil {
			return err
		}
	}
	targets, err := json.Marshal([]map[string]any{{
		"targets": []string{"127.0.0.1:9090", net.JoinHostPort(p.cfg.Host, "9190")},
		"labels":  map[string]string{"source": "stack-default"},
	}})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(p.home, "targets", "default.json"), targets, 0o644); err != nil {
		return err
	}
	var conf bytes.Buffer
	if err := prometheusConfig.Execute(&conf, map[string]string{
		"Rules": filepath.Join(root, "deploy", "prometheus", "rules.yml"), "Home": p.home,
	}); err != nil {
		return err
	}
	confFile := filepath.Join(p.home, "conf", "prometheus.yml")
	if err := os.WriteFile(confFile, conf.Bytes(), 0o644); err != nil {
		return err
	}
	argv := []string{p.bin(),
		"--config.file=" + confFile,
		"--storage.tsdb.path=" + p.DataDir(),
		"--storage.tsdb.retention.time=2d",
		"--web.listen-address=" + net.JoinHostPort(p.cfg.Host, strconv.Itoa(p.cfg.PrometheusPort)),
		"--web.enable-lifecycle",               // POST /-/reload after a test adds rules or targets
		"--enable-feature=exemplar-storage",    // trace ids on latency buckets
		"--web.console.templates=/nonexistent", // no consoles (the package's live under /etc)
		"--web.console.libraries=/nonexistent",
	}
	return p.d.start(p.home, argv, nil, nil)
}

func (p *prometheus) Stop(ctx context.Context) error { return p.d.stop(10 * time.Second) }

// Probe asks for the server's build information through the HTTP API.
func (p *prometheus) Probe(ctx context.Context) (string, error) {
	body, err := httpGet(ctx, p.cfg.PrometheusURL()+"/api/v1/status/buildinfo")
	if err != nil {
		return "", err
	}
	var info struct {
		Data struct{ Version string } `json:"data"`
	}
	if err := json.Unmarshal(body, &info); err != nil || info.Data.Version == "" {
		return "", fmt.Errorf("GET /api/v1/status/buildinfo: unexpected answer %q", body)
	}
	return "Prometheus " + info.Data.Version, nil
}

// httpGet is a GET that must answer 200 within 2 s; the body is capped at 64 KiB.
func httpGet(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	res, err := (&http.Client{Timeout: 2 * time.Second}).Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s %s", url, res.Status, body)
	}
	return body, nil
}
