// Package ingest is the playback-event pipeline between the ingest use case (server/app/ingest) and the durable
// store, plus the event checks that use case applies (Validate, LowerUUIDs).
//
// The use case checks each event and passes the good ones to Pipeline.Submit. Submit reserves room in a queue
// bounded by event count — waiting for room is the back-pressure that stops a stream handler reading — and groups
// references to the events by partition (user, content): the events stay in the caller's slice, which the pipeline
// keeps until the ticket is done (the caller must not modify it before), and a writer gathers a group's events just
// before writing them. A group is written by one of a bounded pool of writers once it holds MaxBatch events or has
// waited Linger. The returned Ticket reports, per event, nil once the PlaybackWriter confirmed it, or the error
// that kept it from being stored. After a successful write the events go to the PlaybackObserver (AsyncObserver
// keeps slow derived updates off the write path; FanOut feeds several).
//
// A stream pipelines: it submits batch N+1 while batch N is being written, and settles its tickets in order
// (app/ingest.Stream):
//
//	for each batch:
//		good := the events that passed the checks (their positions in the batch remembered)
//		t, err := p.Submit(ctx, good) // waits while the queue is full; CodeBusy after EnqueueWait
//		if err != nil { return err }   // the transport maps CodeBusy to ResourceExhausted + RetryInfo
//		queue t; while over the stream's read-ahead bounds, settle the oldest:
//		    res, err := t.Wait(ctx)    // res == nil: all durable; res[i] != nil rejects good[i]: "not stored, retry"
//
// Lifecycle: New starts the pipeline's goroutines; on shutdown stop the RPCs, then Pipeline.Close (it writes what
// was accepted), then close the observers (AsyncObserver.Close applies what they buffered).
//
// Where the pipeline lives: pipeline.go (Config, New, Submit), semaphore.go (the bounded queue's room),
// grouping.go and partition.go (groups by partition, the open-group table), linger.go (when partial groups are
// written), writer.go (the writers, the write watchdog, results), close.go (Close, and giving up), ticket.go.
//
// What the pipeline expects of its collaborators: PlaybackWriter.WritePartition and PlaybackObserver.Observe must
// not keep or modify the slice they are given after they return — the pipeline reuses its memory.
package ingest
