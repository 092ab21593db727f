package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestRatio(t *testing.T) {
	for _, tt := range []struct {
		ours, base float64
		want       *float64
	}{
		{2, 4, ptr(0.5)},
		{1, 3, ptr(0.333)},
		{0.41, 0, nil}, // a latency baseline below the rounding
		{0, 0, nil},
		{math.NaN(), 1, nil},
		{math.Inf(1), 1, nil},
	} {
		got := ratio(tt.ours, tt.base)
		if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
			t.Errorf("ratio(%v, %v) = %v, want %v", tt.ours, tt.base, deref(got), deref(tt.want))
		}
	}
}

// A zero baseline must not cost the run its JSON: the ratio is null and the table shows "—".
func TestZeroBaselineEncodes(t *testing.T) {
	results := []Result{
		{Name: "recs_warm_p99", Value: 0.41, Unit: "ms", Baseline: 0, Ratio: ratio(0.41, 0)},
		{Name: "search_p99", Value: 15.3, Unit: "ms", Baseline: 14.5, Ratio: ratio(15.3, 14.5)},
	}
	data, err := encodeResults(results, time.Date(2026, 12, 3, 4, 0, 0, 5, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		FinishedAt string           `json:"finished_at"`
		Results    []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.FinishedAt != "2026-12-03T04:00:00Z" {
		t.Errorf("finished_at = %q", back.FinishedAt)
	}
	if r, ok := back.Results[0]["ratio"]; !ok || r != nil {
		t.Errorf("zero baseline: ratio = %v (present %t), want null", r, ok)
	}
	if r := back.Results[1]["ratio"]; r != 1.055 {
		t.Errorf("ratio = %v, want 1.055", r)
	}
	var table bytes.Buffer
	printTable(&table, results)
	lines := strings.Split(table.String(), "\n")
	if !strings.HasSuffix(strings.TrimSpace(lines[1]), "—") || !strings.HasSuffix(strings.TrimSpace(lines[2]), "1.055") {
		t.Errorf("table:\n%s", table.String())
	}
}

func ptr(v float64) *float64 { return &v }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// Every latency comparison gives its one-worker and its two-worker entries, each a row of its own.
func TestLatencyResultsBothWorkerCounts(t *testing.T) {
	side := func(ms ...int) *latSide {
		s := &latSide{}
		for _, m := range ms {
			s.lat = append(s.lat, time.Duration(m)*time.Millisecond)
		}
		return s
	}
	got := latencyResults("recs_cold", side(10, 20), side(10, 10), side(30, 40), side(20, 20), "c")
	var names []string
	for _, r := range got {
		names = append(names, r.Name)
	}
	if want := "recs_cold_p50 recs_cold_p99 recs_cold_p50_w2 recs_cold_p99_w2"; strings.Join(names, " ") != want {
		t.Fatalf("entries %v, want %s", names, want)
	}
	if got[3].Value != 40 || got[3].Baseline != 20 || *got[3].Ratio != 2 {
		t.Errorf("recs_cold_p99_w2 = %+v", got[3])
	}
	if only := latencyResults("projection_lag", side(1), side(1), nil, nil, "c"); len(only) != 2 {
		t.Errorf("without a two-worker measure: %d entries, want 2", len(only))
	}
}
