package ingest

import (
	"context"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamingplatform/streaming/server/streaming"
)

// BenchmarkShippedRate drives Pipeline.Submit as the shipped ingest front end does: 4 streams submitting 500-event
// batches, pipelined (up to 16 tickets outstanding each, waited in order), paced to 1M events/s in total, over
// 10,000 (user, title) partitions (bench/ingest.go's 2,000 users × 5 titles), the default Config with 16 writers,
// metrics registered, DiscardWriter. It reports the rate reached and the process CPU per event: at the shipped rate
// the CPU per event is what a change in the pipeline's hot path costs or saves; below it, the rate is.
//
// It decided which hand-written pieces gave way to maintained ones (issue 10), each built into its own test binary
// and run alternately with the hand-written one, five runs each, CPU per event of the new ÷ the old (medians):
// golang.org/x/sync/semaphore for the FIFO semaphore 1.02, plain Prometheus collectors for the sharded ones 1.03
// (both within the run-to-run spread of ±10%, so they went); context deadlines per write for the watchdog 1.37
// (so it stays: BenchmarkWriteTimeout isolates why). Run it the same way to check a change to the hot path: the
// machine's other load moves the absolute numbers, the ratio is what counts.
func BenchmarkShippedRate(b *testing.B) {
	const (
		streams = 4
		batch   = 500
		depth   = 16
		rate    = 1_000_000 // events/s over all streams
		users   = 2000
		titles  = 5
	)
	rng := rand.New(rand.NewPCG(1, 2))
	batches := make([][]streaming.PlaybackEvent, 128)
	for k := range batches {
		events := make([]streaming.PlaybackEvent, batch)
		for i := range events {
			u := rng.IntN(users)
			events[i] = ev(u, u*titles+rng.IntN(titles), k*batch+i)
		}
		batches[k] = events
	}
	p := New(Config{Writers: 16}, DiscardWriter{}, nil, prometheus.NewRegistry(), nil)
	defer p.Close(context.Background())

	every := time.Duration(float64(time.Second) * batch * streams / rate) // per stream
	cpu0 := cpuTime()
	start := time.Now()
	var wg sync.WaitGroup
	for s := range streams {
		wg.Go(func() {
			ctx := context.Background()
			var window []*Ticket
			due := time.Now()
			for k := s; k < b.N*streams; k += streams { // b.N batches per stream
				if d := time.Until(due); d > 0 {
					time.Sleep(d)
				}
				due = due.Add(every)
				tk, err := p.Submit(ctx, batches[k%len(batches)])
				if err != nil {
					b.Error(err)
					return
				}
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
	}
	wg.Wait()
	elapsed, events := time.Since(start), float64(b.N*streams*batch)
	b.ReportMetric(events/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/events, "cpu-ns/event")
	if n := p.m.batchCount(); n > 0 {
		b.ReportMetric(events/float64(n), "events/write")
	}
	b.ReportMetric(0, "ns/op")
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
