// Command bench measures the platform against baselines in the same run and on the same stores (the local stack,
// loopback only). It prints a table and writes {"finished_at": ..., "results": [...]} to BENCH_OUT (default
// bench-results.json at the repository root). BENCH=name,name runs a subset of the entries in benchmarks.go.
// `go tool task bench:docs` turns that file into docs/benchmark-figures.md (bench/docgen).
//
//	go tool task bench
//	BENCH=create_subscription BENCH_OUT=/tmp/b.json go run ./bench
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
)

// defaultRunCap bounds the whole run, so a hung store cannot hang the command; BENCH_TIMEOUT (a Go duration)
// overrides it. A first run of the query benchmarks also loads their data set (about two minutes).
const defaultRunCap = 30 * time.Minute

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	selected, err := selectBenchmarks(os.Getenv("BENCH"))
	if err != nil {
		return err
	}
	out, err := outPath(os.Getenv("BENCH_OUT"))
	if err != nil {
		return err
	}
	// BENCH_CPUPROFILE=file writes a CPU profile of the whole run (go tool pprof file): where our side spends.
	if path := os.Getenv("BENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	runCap := defaultRunCap
	if v := os.Getenv("BENCH_TIMEOUT"); v != "" {
		if runCap, err = time.ParseDuration(v); err != nil || runCap <= 0 {
			return fmt.Errorf("BENCH_TIMEOUT=%q: want a positive duration such as 30m", v)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, runCap)
	defer cancel()

	var results []Result
	for _, b := range selected {
		fmt.Fprintf(os.Stderr, "bench: %s ...\n", b.name)
		start := time.Now()
		rs, err := b.run(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", b.name, err)
		}
		fmt.Fprintf(os.Stderr, "bench: %s done in %s\n", b.name, time.Since(start).Round(100*time.Millisecond))
		results = append(results, rs...)
	}
	printTable(os.Stdout, results)
	// A figure that is not a number (e.g. a rate over no time) would make encoding/json refuse the whole file.
	for _, r := range results {
		if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) || math.IsNaN(r.Baseline) || math.IsInf(r.Baseline, 0) {
			return fmt.Errorf("%s: not a number (value %v, baseline %v)", r.Name, r.Value, r.Baseline)
		}
	}
	data, err := encodeResults(results, time.Now())
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, append(data, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Println("\nwrote", out)
	return nil
}

// selectBenchmarks returns the entries named in list (comma-separated), or all of them when list is empty.
func selectBenchmarks(list string) ([]benchmark, error) {
	if strings.TrimSpace(list) == "" {
		return benchmarks, nil
	}
	var out []benchmark
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(benchmarks, func(b benchmark) bool { return b.name == name })
		if i < 0 {
			var known []string
			for _, b := range benchmarks {
				known = append(known, b.name)
			}
			return nil, fmt.Errorf("BENCH: unknown benchmark %q (known: %s)", name, strings.Join(known, ", "))
		}
		out = append(out, benchmarks[i])
	}
	return out, nil
}

// outPath is BENCH_OUT, or bench-results.json beside go.mod (git-ignored) whatever the working directory.
func outPath(env string) (string, error) {
	if env != "" {
		return env, nil
	}
	root, err := stackenv.ModuleRoot()
	if err != nil {
		return "", fmt.Errorf("BENCH_OUT is not set and %w", err)
	}
	return filepath.Join(root, "bench-results.json"), nil
}

// encodeResults is the JSON file: {"finished_at": ..., "results": [...]}, read by `go run ./bench/docgen`.
func encodeResults(results []Result, finished time.Time) ([]byte, error) {
	return json.MarshalIndent(struct {
		FinishedAt time.Time `json:"finished_at"`
		Results    []Result  `json:"results"`
	}{finished.UTC().Truncate(time.Second), results}, "", "  ")
}

func printTable(out io.Writer, results []Result) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "benchmark\tours\tbaseline\tunit\tratio\t")
	for _, r := range results {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t\n", r.Name, num(r.Value), num(r.Baseline), r.Unit, ratioText(r.Ratio))
	}
	w.Flush()
	// Conditions are usually shared by a benchmark's rows: print each distinct one once.
	var seen []string
	for _, r := range results {
		if !slices.Contains(seen, r.Conditions) {
			seen = append(seen, r.Conditions)
			fmt.Fprintf(out, "\nconditions (%s): %s\n", r.Name, r.Conditions)
		}
	}
}

// ratioText is a ratio for the table: "—" where there is none (a zero baseline).
func ratioText(r *float64) string {
	if r == nil {
		return "—"
	}
	return fmt.Sprintf("%.3f", *r)
}

func num(v float64) string {
	if math.Abs(v) >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// round keeps JSON numbers readable; digits are decimal places.
func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
