package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
)

// stripeMockModule is Stripe's API mock, pinned: `go install` is the only way it is served here.
const stripeMockModule = "github.com/stripe/stripe-mock@v0.203.0"

// stripeMock is stripe-mock, built with `go install` into STACK_HOME/stripemock/bin, serving HTTP on loopback. It
// is stateless: it validates requests against Stripe's API description and answers canned objects.
type stripeMock struct {
	cfg  stackenv.Settings
	home string
	d    daemon
}

func newStripeMock(cfg stackenv.Settings) *stripeMock {
	h := home(cfg, "stripemock")
	return &stripeMock{cfg: cfg, home: h, d: daemon{
		pidFile: filepath.Join(h, "run", "stripe-mock.pid"),
		mark:    "stripe-mock",
		logFile: filepath.Join(h, "logs", "console.log"),
	}}
}

func (s *stripeMock) Name() string    { return "stripemock" }
func (s *stripeMock) Addr() string    { return s.cfg.StripeMockAddr() }
func (s *stripeMock) DataDir() string { return filepath.Join(s.home, "data") }
func (s *stripeMock) PID() int        { return s.d.pid() }
func (s *stripeMock) Exited() string  { return s.d.exited() }

func (s *stripeMock) bin() string      { return filepath.Join(s.home, "bin", "stripe-mock") }
func (s *stripeMock) fixtures() string { return filepath.Join(s.DataDir(), "fixtures.json") }
func (s *stripeMock) stamp() string    { return filepath.Join(s.home, "bin", "installed") }

// Install builds the pinned stripe-mock once (a stamp names the version) and writes its fixtures.
func (s *stripeMock) Install(ctx context.Context) error {
	if b, err := os.ReadFile(s.stamp()); err == nil && string(b) == stripeMockModule {
		if _, err := os.Stat(s.fixtures()); err == nil {
			return nil
		}
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("stripe-mock is installed with `go install %s`, and go is not on PATH", stripeMockModule)
	}
	logFile := filepath.Join(s.home, "logs", "install.log")
	for _, d := range []string{filepath.Dir(s.bin()), filepath.Dir(logFile), s.DataDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	out, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	install := exec.CommandContext(ctx, goBin, "install", stripeMockModule)
	install.Env = append(os.Environ(), "GOBIN="+filepath.Dir(s.bin()), "GOFLAGS=-mod=mod")
	install.Dir = s.home // outside our module, so its go.mod does not apply
	install.Stdout, install.Stderr = out, out
	if err := install.Run(); err != nil {
		return fmt.Errorf("go install %s failed (see %s): %w", stripeMockModule, stackenv.Rel(logFile), err)
	}
	if err := s.writeFixtures(ctx, goBin); err != nil {
		return err
	}
	return os.WriteFile(s.stamp(), []byte(stripeMockModule), 0o644)
}

// writeFixtures copies the fixtures bundled with this stripe-mock version, with one change: its canned
// PaymentIntent is "requires_payment_method", which a confirmed intent that Stripe answered without an error never
// is; ours is "succeeded", so the happy path of a charge can be tested. Declines are tested from Stripe's
// documented error bodies, since stripe-mock never declines.
func (s *stripeMock) writeFixtures(ctx context.Context, goBin string) error {
	dl := exec.CommandContext(ctx, goBin, "mod", "download", "-json", stripeMockModule)
	dl.Dir = s.home
	dl.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	raw, err := dl.Output()
	if err != nil {
		return fmt.Errorf("go mod download %s: %w", stripeMockModule, err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(raw, &mod); err != nil || mod.Dir == "" {
		return fmt.Errorf("go mod download %s: no module folder in %q", stripeMockModule, raw)
	}
	b, err := os.ReadFile(filepath.Join(mod.Dir, "embedded", "openapi", "fixtures3.json"))
	if err != nil {
		return err
	}
	var fx map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&fx); err != nil {
		return fmt.Errorf("stripe-mock fixtures: %w", err)
	}
	resources, _ := fx["resources"].(map[string]any)
	pi, _ := resources["payment_intent"].(map[string]any)
	if pi == nil {
		return fmt.Errorf("stripe-mock fixtures have no payment_intent resource")
	}
	pi["status"] = "succeeded"
	b, err = json.Marshal(fx)
	if err != nil {
		return err
	}
	return os.WriteFile(s.fixtures(), b, 0o644)
}

func (s *stripeMock) Start(ctx context.Context) error {
	if err := portFree(s.cfg.Host, s.cfg.StripeMockPort, "STACK_STRIPE_MOCK_PORT"); err != nil {
		return err
	}
	sock := filepath.Join(s.home, "run", "https.sock")
	_ = os.Remove(sock)
	argv := []string{s.bin(),
		"-http-addr", s.Addr(),
		// stripe-mock also serves HTTPS on all interfaces unless told where: a socket keeps it off the network.
		"-https-unix", sock,
		"-fixtures", s.fixtures(),
	}
	return s.d.start(s.home, argv, nil, nil)
}

func (s *stripeMock) Stop(ctx context.Context) error { return s.d.stop(10 * time.Second) }

// Probe lists PaymentIntents as the Stripe adapter would call the API, with a test key.
func (s *stripeMock) Probe(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.StripeMockURL()+"/v1/payment_intents?limit=1", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer sk_test_stack")
	res, err := (&http.Client{Timeout: 2 * time.Second}).Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"object"`) {
		return "", fmt.Errorf("GET /v1/payment_intents: %s %s", res.Status, body)
	}
	return "stripe-mock " + strings.TrimPrefix(stripeMockModule, "github.com/stripe/stripe-mock@"), nil
}
