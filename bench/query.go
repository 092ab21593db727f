package main

// What the query benchmarks (recs_warm, recs_cold, search) share: the server started over the generated dataset,
// and latency rounds of two contenders in ABBA order, each op timing only its own region.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/streamingplatform/streaming/server/config"
)

// queryBench is the server over the loaded dataset.
type queryBench struct {
	srv    *server
	data   *queryDataset
	report queryDataReport
	stop   func()
}

// startQueryBench starts the server exactly as the binary runs (over a throwaway PostgreSQL schema, which the query
// side does not read here) with its search alias pointed at the dataset's, projections off (nothing is committed,
// so the relay would only poll), and makes sure the dataset is loaded.
func startQueryBench(ctx context.Context) (*queryBench, error) {
	size, err := querySizeFromEnv()
	if err != nil {
		return nil, err
	}
	data := newQueryDataset(size)
	pgURL, drop, err := benchSchema(ctx)
	if err != nil {
		return nil, err
	}
	srv, err := startServer(ctx, pgURL, func(c *config.Config) {
		c.ReadModelsEnabled = false
		c.SearchAlias = data.alias
	})
	if err != nil {
		drop()
		return nil, err
	}
	stop := func() { srv.stop(); drop() }
	report, err := data.ensure(ctx, srv)
	if err != nil {
		stop()
		return nil, fmt.Errorf("dataset %q: %w", data.name, err)
	}
	return &queryBench{srv: srv, data: data, report: report, stop: stop}, nil
}

// latSide is one contender of a latency comparison. op runs sample i and returns the latency of its timed region
// (set-up such as invalidating a cache stays outside it), or a negative duration for an answer that must not count
// as a sample (the op keeps count of those, and its benchmark fails on them).
type latSide struct {
	name    string
	op      func(ctx context.Context, i int) (time.Duration, error)
	lat     []time.Duration
	next    int // the next sample index
	elapsed time.Duration
}

func (s *latSide) percentile(p float64) time.Duration { return load{lat: s.lat}.percentile(p) }

// warm runs n unmeasured ops from c workers.
func (s *latSide) warm(ctx context.Context, n, c int) error {
	_, err := latencyRound(ctx, s, n, c)
	s.next += n
	if err != nil {
		return fmt.Errorf("%s warm-up: %w", s.name, err)
	}
	return nil
}

// measureLatencyABBA measures perSide samples of each side from c closed-loop workers, in cycles of rounds in
// palindromic order (A B B A, or A B C C B A), so drift and other work on the shared machine weigh on every side
// alike. A side that has spent sideCap stops early; its percentiles stand on the samples it took.
func measureLatencyABBA(ctx context.Context, sides []*latSide, perSide, cycles, c int, sideCap time.Duration) error {
	perRound := max(1, perSide/(2*cycles))
	order := slices.Clone(sides)
	for i := range sides {
		order = append(order, sides[len(sides)-1-i])
	}
	for range cycles {
		for _, s := range order {
			if s.elapsed >= sideCap {
				continue
			}
			start := time.Now()
			lat, err := latencyRound(ctx, s, perRound, c)
			s.elapsed += time.Since(start)
			s.next += perRound
			s.lat = append(s.lat, lat...)
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
		}
	}
	return nil
}

// latencyRound runs samples [s.next, s.next+n) from c workers and returns their latencies; the first error stops
// the round.
func latencyRound(ctx context.Context, s *latSide, n, c int) ([]time.Duration, error) {
	lat := make([]time.Duration, n)
	err := parallel(ctx, n, c, func(ctx context.Context, k int) error {
		d, err := s.op(ctx, s.next+k)
		if err != nil {
			return fmt.Errorf("sample %d: %w", s.next+k, err)
		}
		if d < 0 {
			return nil // not a sample: the op counted why
		}
		lat[k] = max(d, time.Nanosecond)
		return nil
	})
	return done(lat), err
}

func ms(d time.Duration) float64 { return round(float64(d.Nanoseconds())/1e6, 3) }

// measureSaturated measures every side again after the comparison, n samples each from workers closed-loop workers
// in one palindromic cycle (A B B A), and returns the new measurements (in the order of sides) and a description
// for the conditions. On this machine the load generator, the server and the stores share the cores, so
// queryConcurrency workers keep every core busy and the p99 includes the wait for one: these are the _w2 entries.
func measureSaturated(ctx context.Context, sides []*latSide, n, workers int, sideCap time.Duration) ([]*latSide, string, error) {
	again := make([]*latSide, len(sides))
	for i, s := range sides {
		again[i] = &latSide{name: s.name, op: s.op, next: s.next}
	}
	if err := measureLatencyABBA(ctx, again, n, 1, workers, sideCap); err != nil {
		return nil, "", fmt.Errorf("%d workers: %w", workers, err)
	}
	var parts []string
	for _, s := range again {
		parts = append(parts, fmt.Sprintf("%s p50 %.3f ms, p99 %.3f ms (%d samples)", s.name, ms(s.percentile(.5)),
			ms(s.percentile(.99)), len(s.lat)))
	}
	return again, fmt.Sprintf("with %d closed-loop workers per side (the _w2 entries; the machine saturated: load "+
		"generator, server and stores share its cores; one palindromic cycle after the comparison): %s",
		workers, strings.Join(parts, "; ")), nil
}

// latencyResults are the _p50 and _p99 entries of a comparison at latencyWorkers, then (when ours2 is not nil) the
// _p50_w2 and _p99_w2 entries of the same comparison at queryConcurrency workers.
func latencyResults(name string, ours, base, ours2, base2 *latSide, conditions string) []Result {
	var out []Result
	add := func(ours, base *latSide, workers string) {
		for _, q := range []struct {
			suffix string
			p      float64
		}{{"_p50", .50}, {"_p99", .99}} {
			o, b := ms(ours.percentile(q.p)), ms(base.percentile(q.p))
			out = append(out, Result{Name: name + q.suffix + workers, Value: o, Unit: "ms", Baseline: b,
				Ratio: ratio(o, b), Conditions: conditions})
		}
	}
	add(ours, base, "")
	if ours2 != nil {
		add(ours2, base2, fmt.Sprintf("_w%d", queryConcurrency))
	}
	return out
}
