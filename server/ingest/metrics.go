package ingest

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The per-write metrics (events accepted and failed, write latency, batch size) are counted in one shard per
// writer and summed when scraped: Prometheus' own counters and histograms are single shared cache lines, which
// two cores writing once per partition write turned into a tenth of the pipeline's CPU.

var (
	latencyBounds = []time.Duration{500 * time.Microsecond, time.Millisecond, 2500 * time.Microsecond,
		5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
		100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond, time.Second,
		2500 * time.Millisecond, 5 * time.Second, 10 * time.Second}
	batchBounds = []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}
)

// shard is one writer's counts. Padding keeps shards of different writers off each other's cache lines.
type shard struct {
	_        [64]byte
	accepted atomic.Uint64
	failed   atomic.Uint64
	latSum   atomic.Uint64 // nanoseconds
	latBkt   [15]atomic.Uint64
	batchSum atomic.Uint64
	batchBkt [11]atomic.Uint64
	_        [64]byte
}

func (s *shard) observeWrite(d time.Duration, events int) {
	i := 0
	for i < len(latencyBounds) && d > latencyBounds[i] {
		i++
	}
	s.latBkt[i].Add(1)
	s.latSum.Add(uint64(max(d, 0)))
	j := 0
	for j < len(batchBounds) && events > batchBounds[j] {
		j++
	}
	s.batchBkt[j].Add(1)
	s.batchSum.Add(uint64(events))
}

type metrics struct {
	shards []shard // one per writer, and the last for Close
	busy   prometheus.Counter

	acceptedDesc, failedDesc, latDesc, batchDesc *prometheus.Desc
}

func newMetrics(reg prometheus.Registerer, shards int, queued func() float64) *metrics {
	m := &metrics{
		shards: make([]shard, shards),
		busy: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ingest_submit_busy_total", Help: "Submits refused because the ingest queue stayed full for the enqueue wait."}),
		acceptedDesc: prometheus.NewDesc("ingest_events_accepted_total", "Playback events the store confirmed.", nil, nil),
		failedDesc: prometheus.NewDesc("ingest_events_failed_total",
			"Accepted playback events that were not stored (write failed, timed out or shut down).", nil, nil),
		latDesc:   prometheus.NewDesc("ingest_write_seconds", "Latency of one partition write.", nil, nil),
		batchDesc: prometheus.NewDesc("ingest_write_batch_events", "Events in one partition write.", nil, nil),
	}
	reg.MustRegister(m, m.busy, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ingest_queue_events", Help: "Playback events queued or being written (bounded by the queue size)."}, queued))
	return m
}

func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.acceptedDesc
	ch <- m.failedDesc
	ch <- m.latDesc
	ch <- m.batchDesc
}

func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	var accepted, failed, latSum, batchSum uint64
	var lat [15]uint64
	var batch [11]uint64
	for i := range m.shards {
		s := &m.shards[i]
		accepted += s.accepted.Load()
		failed += s.failed.Load()
		latSum += s.latSum.Load()
		batchSum += s.batchSum.Load()
		for j := range lat {
			lat[j] += s.latBkt[j].Load()
		}
		for j := range batch {
			batch[j] += s.batchBkt[j].Load()
		}
	}
	ch <- prometheus.MustNewConstMetric(m.acceptedDesc, prometheus.CounterValue, float64(accepted))
	ch <- prometheus.MustNewConstMetric(m.failedDesc, prometheus.CounterValue, float64(failed))

	latCum := make(map[float64]uint64, len(latencyBounds))
	var n uint64
	for j, b := range latencyBounds {
		n += lat[j]
		latCum[b.Seconds()] = n
	}
	n += lat[len(latencyBounds)]
	ch <- prometheus.MustNewConstHistogram(m.latDesc, n, time.Duration(latSum).Seconds(), latCum)

	batchCum := make(map[float64]uint64, len(batchBounds))
	n = 0
	for j, b := range batchBounds {
		n += batch[j]
		batchCum[float64(b)] = n
	}
	n += batch[len(batchBounds)]
	ch <- prometheus.MustNewConstHistogram(m.batchDesc, n, float64(batchSum), batchCum)
}
