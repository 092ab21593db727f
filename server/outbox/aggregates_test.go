package outbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamingplatform/streaming/server/outbox"
)

// fakeAggregates is the flusher's port as a function.
type fakeAggregates func(limit int) (int, bool, error)

func (f fakeAggregates) FlushAggregates(_ context.Context, limit int) (int, bool, error) {
	return f(limit)
}

// A flush publishes everything pending, a transaction of limit changes at a time (here one title each), and stops
// once the store says nothing may remain; a failed one is counted and left to the next pass.
func TestFlusherDrainsThenStops(t *testing.T) {
	for _, tc := range []struct {
		name              string
		pending           int
		failAt            int // call number that fails (0: none)
		calls             int
		published, failed float64
	}{
		{"nothing pending", 0, 0, 1, 0, 0},
		{"less than a transaction", 7, 0, 1, 7, 0},
		{"exactly two transactions", 10000, 0, 3, 10000, 0},
		{"three transactions", 12000, 0, 3, 12000, 0},
		{"a failure ends the pass", 12000, 2, 2, 5000, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pending, calls := tc.pending, 0
			store := fakeAggregates(func(limit int) (int, bool, error) {
				calls++
				if calls == tc.failAt {
					return 0, false, errors.New("down")
				}
				n := min(limit, pending)
				pending -= n
				return n, n == limit, nil
			})
			reg := prometheus.NewRegistry()
			f := outbox.NewFlusher(store, time.Second, reg, nil)
			f.Flush(t.Context())
			if calls != tc.calls {
				t.Errorf("%d calls, want %d", calls, tc.calls)
			}
			mfs, err := reg.Gather()
			if err != nil || len(mfs) != 2 {
				t.Fatalf("metrics = %d, %v", len(mfs), err)
			}
			values := map[string]float64{}
			for _, mf := range mfs {
				values[mf.GetName()] = mf.GetMetric()[0].GetCounter().GetValue()
			}
			if values["outbox_rating_aggregates_published_total"] != tc.published || values["outbox_rating_flush_failures_total"] != tc.failed {
				t.Errorf("metrics = %v, want %v published, %v failed", values, tc.published, tc.failed)
			}
		})
	}
}
