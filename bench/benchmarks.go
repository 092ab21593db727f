package main

import (
	"context"
	"math"
)

// benchmarks is every benchmark `go run ./bench` knows, in the order they run. Add one by writing its function in a
// file of its own and listing it here; BENCH=name,name picks entries by this name.
var benchmarks = []benchmark{
	{"create_subscription", createSubscription},
	{"rate_content_hot", rateContentHot},
	{"ingest_frontend", ingestFrontend},
	{"tracing", tracingCost},
	{"ingest_cassandra", ingestCassandra},
	{"ingest_cassandra_3nodes", ingestCassandra3Nodes},
	{"ingest_flood", ingestFlood},
	{"recs_warm", recsWarm},
	{"recs_cold", recsCold},
	{"search", searchContent},
	{"content_analytics", contentAnalytics},
	{"projection_lag", projectionLag},
	{"capacity", capacity},
	// Last: it writes and deletes a million graph edges, and Neo4j keeps the freed space in its store files, which
	// capacity's bytes on disk would count.
	{"rebuild", rebuildReadModels},
}

// benchmark is one named entry. It returns one or more results (e.g. throughput plus latency percentiles).
type benchmark struct {
	name string
	run  func(ctx context.Context) ([]Result, error)
}

// Result is one measured number compared with its baseline, as written to the JSON file.
type Result struct {
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
	Unit     string  `json:"unit"`
	Baseline float64 `json:"baseline"`
	// Ratio is value ÷ baseline (higher is better for throughput, lower for latency), rounded to 3 places; null
	// when there is none to give: a baseline of 0 (e.g. a latency below the rounding) or a figure that is not a
	// number. The table shows "—" then.
	Ratio      *float64 `json:"ratio"`
	Conditions string   `json:"conditions"`
}

// ratio is ours ÷ base for Result.Ratio, or nil when that is not a finite number: a zero baseline must not turn
// into +Inf or NaN, which encoding/json refuses (the whole run's JSON would be lost).
func ratio(ours, base float64) *float64 {
	r := ours / base
	if base == 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		return nil
	}
	r = round(r, 3)
	return &r
}
