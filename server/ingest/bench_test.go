package ingest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamingplatform/streaming/server/streaming"
)

// benchBatches builds batches of 1000 events spread over perBatch partitions each (fresh partitions per batch).
func benchBatches(count, partitions int) [][]streaming.PlaybackEvent {
	out := make([][]streaming.PlaybackEvent, count)
	for b := range out {
		events := make([]streaming.PlaybackEvent, 1000)
		for i := range events {
			events[i] = ev(b*1000+i%partitions, i%partitions, b*1000+i)
		}
		out[b] = events
	}
	return out
}

// BenchmarkSubmitWait measures the ingest front end alone (DiscardWriter): one stream submitting 1000-event
// batches, pipelined like the transport (up to depth tickets outstanding, waited in order), and parallel streams.
// Metrics are registered, as in production.
func BenchmarkSubmitWait(b *testing.B) {
	for _, parts := range []int{10, 100, 1000} {
		for _, streams := range []int{1, 4} {
			b.Run(fmt.Sprintf("partitions=%d/streams=%d", parts, streams), func(b *testing.B) {
				batches := benchBatches(64, parts)
				p := New(Config{}, DiscardWriter{}, nil, prometheus.NewRegistry(), nil)
				defer p.Close(context.Background())
				const depth = 8
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				b.SetParallelism(streams) // GOMAXPROCS × streams goroutines
				b.RunParallel(func(pb *testing.PB) {
					ctx := context.Background()
					var window []*Ticket
					i := 0
					for pb.Next() {
						tk, err := p.Submit(ctx, batches[i%len(batches)])
						if err != nil {
							b.Error(err)
							return
						}
						i++
						window = append(window, tk)
						if len(window) == depth {
							if res, err := window[0].Wait(ctx); err != nil || res != nil {
								b.Error(err, res)
								return
							}
							window = append(window[:0], window[1:]...)
						}
					}
					for _, tk := range window {
						tk.Wait(ctx)
					}
				})
				b.ReportMetric(float64(b.N)*1000/time.Since(start).Seconds(), "events/s")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// BenchmarkSubmitWaitSerial is one caller that waits for each batch before submitting the next (the unary RPC):
// each batch waits out the linger, so one such caller is bound by latency, not CPU.
func BenchmarkSubmitWaitSerial(b *testing.B) {
	batches := benchBatches(64, 10)
	p := New(Config{}, DiscardWriter{}, nil, prometheus.NewRegistry(), nil)
	defer p.Close(context.Background())
	ctx := context.Background()
	start := time.Now()
	i := 0
	for b.Loop() {
		tk, err := p.Submit(ctx, batches[i%len(batches)])
		if err != nil {
			b.Fatal(err)
		}
		i++
		if res, err := tk.Wait(ctx); err != nil || res != nil {
			b.Fatal(err, res)
		}
	}
	b.ReportMetric(float64(i)*1000/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(float64(time.Since(start).Microseconds())/float64(i), "µs/batch")
	b.ReportMetric(0, "ns/op")
}

func BenchmarkValidate(b *testing.B) {
	now := time.Now()
	e := ev(1, 1, 1)
	e.OccurredAt = now
	for b.Loop() {
		if Validate(&e, now, DefaultMaxSkew, DefaultMaxAge) != nil {
			b.Fatal()
		}
	}
}
