package outbox

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	lag               prometheus.Histogram
	published         prometheus.Counter
	projectorFailures *prometheus.CounterVec
	postgresErrors    prometheus.Counter
	deleted           prometheus.Counter
	deadLettered      *prometheus.CounterVec
	projectorPanics   *prometheus.CounterVec
	projectorTimeouts *prometheus.CounterVec
	oldest            prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		// A product figure: how long after a change commits the query side shows it. Outages last minutes, so the
		// buckets go well past the poll interval.
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "outbox_projection_lag_seconds",
			Help:    "Time from an outbox event's insert to its delivery to every projector (one observation per event).",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900},
		}),
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "outbox_events_published_total", Help: "Outbox events delivered to every projector and marked published."}),
		projectorFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outbox_projector_failures_total", Help: "Batches a projector failed; the batch is retried."},
			[]string{"projector"}),
		postgresErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "outbox_postgres_errors_total", Help: "Failed relay statements and lost LISTEN connections."}),
		deleted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "outbox_cleanup_deleted_total", Help: "Published outbox rows deleted after the retention."}),
		deadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outbox_dead_lettered_total", Help: "Events a projector could never apply, moved to outbox_dead_letters."},
			[]string{"projector"}),
		projectorPanics: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outbox_projector_panics_total", Help: "Projector calls that panicked; recovered, the batch counts as refused."},
			[]string{"projector"}),
		projectorTimeouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outbox_projector_timeouts_total", Help: "Projector calls abandoned at the projector deadline; the batch is owed to the projector."},
			[]string{"projector"}),
		oldest: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "outbox_oldest_unpublished_seconds",
			Help: "Age of the oldest outbox event not yet delivered to every projector (0 when none): alert on it, a stuck relay shows here first."}),
	}
	if reg != nil {
		reg.MustRegister(m.lag, m.published, m.projectorFailures, m.postgresErrors, m.deleted, m.deadLettered, m.projectorPanics,
			m.projectorTimeouts, m.oldest)
	}
	return m
}
