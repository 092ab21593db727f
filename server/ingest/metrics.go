package ingest

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	accepted     prometheus.Counter
	failed       prometheus.Counter
	busy         prometheus.Counter
	writeSeconds prometheus.Histogram
	batchEvents  prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer, queued func() float64) *metrics {
	m := &metrics{
		accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ingest_events_accepted_total", Help: "Playback events the store confirmed."}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ingest_events_failed_total", Help: "Accepted playback events that were not stored (write failed, timed out or shut down)."}),
		busy: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ingest_submit_busy_total", Help: "Submits refused because the ingest queue stayed full for the enqueue wait."}),
		writeSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ingest_write_seconds", Help: "Latency of one partition write.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}),
		batchEvents: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "ingest_write_batch_events", Help: "Events in one partition write.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}}),
	}
	reg.MustRegister(m.accepted, m.failed, m.busy, m.writeSeconds, m.batchEvents,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ingest_queue_events", Help: "Playback events queued or being written (bounded by the queue size)."}, queued))
	return m
}
