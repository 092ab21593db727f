package ingest

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamingplatform/streaming/server/streaming"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	w := &recWriter{fail: map[string]error{partitionName(ev(2, 2, 0)): errors.New("down")}}
	p := New(Config{Linger: -1}, w, nil, reg, nil)
	tk, err := p.Submit(context.Background(), []streaming.PlaybackEvent{ev(1, 1, 1), ev(1, 1, 2), ev(2, 2, 3)})
	if err != nil {
		t.Fatal(err)
	}
	waitTicket(t, tk)
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		m := mf.GetMetric()[0]
		switch {
		case m.Counter != nil:
			got[mf.GetName()] = m.Counter.GetValue()
		case m.Gauge != nil:
			got[mf.GetName()] = m.Gauge.GetValue()
		case m.Histogram != nil:
			got[mf.GetName()] = float64(m.Histogram.GetSampleCount())
		}
	}
	want := map[string]float64{"ingest_events_accepted_total": 2, "ingest_events_failed_total": 1,
		"ingest_submit_busy_total": 0, "ingest_queue_events": 0, "ingest_write_seconds": 2, "ingest_write_batch_events": 2}
	for name, v := range want {
		if g, ok := got[name]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", name, g, ok, v)
		}
	}
}
