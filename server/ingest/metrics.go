package ingest

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/streamingplatform/streaming/server/telemetry"
)

// metrics are the pipeline's Prometheus collectors. They exist without a registerer too (then nobody reads them),
// so the pipeline counts unconditionally. Plain collectors shared by every writer: BenchmarkShippedRate showed one
// shard per writer no cheaper at the shipped rate.
type metrics struct {
	accepted prometheus.Counter
	failed   prometheus.Counter
	busy     prometheus.Counter
	latency  prometheus.Histogram
	batch    prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer, queued func() float64) *metrics {
	m := &metrics{
		accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ingest_events_accepted_total", Help: "Playback events the store confirmed."}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{Name: "ingest_events_failed_total",
			Help: "Accepted playback events that were not stored (write failed, timed out or shut down)."}),
		busy: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ingest_submit_busy_total", Help: "Submits refused because the ingest queue stayed full for the enqueue wait."}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ingest_write_seconds", Help: "Latency of one partition write.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ingest_write_batch_events", Help: "Events in one partition write.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}}),
	}
	if reg != nil {
		reg.MustRegister(m.accepted, m.failed, m.busy, m.latency, m.batch, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ingest_queue_events", Help: "Playback events queued or being written (bounded by the queue size)."}, queued))
	}
	return m
}

// observeWrite records one partition write; ctx's sampled span (the write's) becomes the latency's exemplar.
func (m *metrics) observeWrite(ctx context.Context, d time.Duration, events int) {
	telemetry.Observe(ctx, m.latency, d.Seconds())
	m.batch.Observe(float64(events))
}

// settled counts n events of one write as stored (err == nil) or not.
func (m *metrics) settled(n int, err error) {
	if err != nil {
		m.failed.Add(float64(n))
	} else {
		m.accepted.Add(float64(n))
	}
}

// batchCount is the number of partition writes so far.
func (m *metrics) batchCount() uint64 {
	var out dto.Metric
	if m.batch.Write(&out) != nil {
		return 0
	}
	return out.GetHistogram().GetSampleCount()
}
