package ingest

import (
	"context"
	"testing"
	"time"
)

// BenchmarkWriteTimeout compares the two ways of bounding a partition write, per write and with 16 writers on the
// cores at once: the watchdog's bookkeeping (slot.begin and slot.idle; one ticker for the whole pipeline) against
// a context deadline per write (context.WithTimeoutCause from the writer's own parent, then its cancel). The
// deadline costs a context and a runtime timer per write; at the shipped rate (BenchmarkShippedRate: 10,000
// partitions, about one event per write) that took the pipeline from 1.0 to about 1.4 times the CPU per event, so
// the watchdog stays.
func BenchmarkWriteTimeout(b *testing.B) {
	const writers = 16
	base, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	parallel := func(b *testing.B, write func(s *slot)) {
		b.SetParallelism(writers) // goroutines: GOMAXPROCS × writers, at least the pipeline's 16
		b.RunParallel(func(pb *testing.PB) {
			s := &slot{}
			s.ctx, s.cancel = context.WithCancelCause(base)
			defer s.cancel(nil)
			for pb.Next() {
				write(s)
			}
		})
	}
	b.Run("watchdog", func(b *testing.B) {
		parallel(b, func(s *slot) {
			if s.begin(base, time.Since(clock)).Err() != nil {
				b.Error("canceled")
			}
			s.idle()
		})
	})
	b.Run("deadline", func(b *testing.B) {
		parallel(b, func(s *slot) {
			ctx, cancel := context.WithTimeoutCause(s.ctx, 5*time.Second, errWriteTimeout)
			if ctx.Err() != nil {
				b.Error("canceled")
			}
			cancel()
		})
	})
}
