package main

import "context"

// benchmarks is every benchmark `go run ./bench` knows, in the order they run. Add one by writing its function in a
// file of its own and listing it here; BENCH=name,name picks entries by this name.
var benchmarks = []benchmark{
	{"create_subscription", createSubscription},
	{"ingest_frontend", ingestFrontend},
	{"ingest_cassandra", ingestCassandra},
	{"recs_warm", recsWarm},
	{"recs_cold", recsCold},
	{"search", searchContent},
	{"projection_lag", projectionLag},
}

// benchmark is one named entry. It returns one or more results (e.g. throughput plus latency percentiles).
type benchmark struct {
	name string
	run  func(ctx context.Context) ([]Result, error)
}

// Result is one measured number compared with its baseline, as written to the JSON file.
type Result struct {
	Name       string  `json:"name"`
	Value      float64 `json:"value"`
	Unit       string  `json:"unit"`
	Baseline   float64 `json:"baseline"`
	Ratio      float64 `json:"ratio"` // value ÷ baseline: higher is better for throughput, lower for latency
	Conditions string  `json:"conditions"`
}
