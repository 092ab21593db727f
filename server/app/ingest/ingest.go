// Package ingest is the playback ingest use case: every event is checked on its own (the contract's bounds, the
// clock-skew window, ids spelt in upper case lowered first, and ownership: a user may send only their own events), so
// a bad event is rejected alone; good events go to the pipeline (server/ingest), and an event is accepted only once
// the pipeline reports it durable. A stream reads ahead of what is durable within two bounds (events and the memory
// they keep alive) and settles its batches in order, so at any point it can say through which batch every event has
// an outcome.
//
// The transport (server/grpcapi) only receives, decodes and answers: it hands each decoded batch to a Stream and
// turns the Summary into a response or a trailer.
package ingest

import (
	"context"
	"time"

	"github.com/streamingplatform/streaming/server/ingest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Queue takes good events and resolves each: *ingest.Pipeline.
type Queue interface {
	Submit(ctx context.Context, events []streaming.PlaybackEvent) (*ingest.Ticket, error)
}

// Defaults of Service's bounds.
const (
	// DefaultMaxInFlightEvents is how many events of one stream may be queued or being written before the stream
	// waits for its oldest batch. Reading far ahead keeps the pipeline full, and a full pipeline is what lets it group
	// many events of a partition into one write under load; memory stays bounded by the pipeline's queue (Submit
	// waits when it is full) and, per stream, by this bound on what a stream keeps to settle.
	DefaultMaxInFlightEvents = 64 << 10
	// DefaultMaxInFlightBytes bounds the memory one stream's queued events keep alive. A queued event holds its whole
	// request (the message copy its strings point into, and the batch's event slab) until it is written, so counting
	// events alone would let a client that pads each request with invalid events — rejected at once, but in the same
	// message — pin up to the largest message per queued event while the store is slow. Past this bound the stream
	// waits for its oldest batch, as past DefaultMaxInFlightEvents.
	DefaultMaxInFlightBytes = 64 << 20
	// MaxRejections caps the rejection details of one answer; the counts stay exact.
	MaxRejections = 1000
)

// Service checks playback events and hands the good ones to the queue.
type Service struct {
	Queue Queue
	// Events must lie within [now-MaxAge, now+MaxSkew]; a bound ≤ 0 is not checked.
	MaxSkew, MaxAge time.Duration
	// Per-stream read-ahead bounds (DefaultMaxInFlightEvents, DefaultMaxInFlightBytes when 0).
	MaxInFlightEvents, MaxInFlightBytes int
	// Quotas bound each caller's event rate (nil: unbounded).
	Quotas *Quotas
	Now    func() time.Time // time.Now when nil
}

// Rejection is one event that was not accepted: where it was (batch and position in it) and why.
type Rejection struct {
	Batch  int64
	Index  int
	Field  string // "" when the event was valid but not stored
	Reason string
}

// Summary is the outcome of a stream or a batch so far.
type Summary struct {
	Accepted, Rejected int64
	Rejections         []Rejection // at most MaxRejections
	// DurableThrough is the highest batch index whose every event has a definite outcome; -1 before any.
	DurableThrough int64
}

func (s *Summary) reject(batch int64, index int, field, reason string) {
	s.Rejected++
	if len(s.Rejections) < MaxRejections {
		s.Rejections = append(s.Rejections, Rejection{Batch: batch, Index: index, Field: field, Reason: reason})
	}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Record checks one batch, hands its good events over and waits until each has an outcome (the unary RPC).
func (s *Service) Record(ctx context.Context, p streaming.Principal, events []streaming.PlaybackEvent) (Summary, error) {
	st := s.Open(p)
	if err := st.Add(ctx, events, 0); err != nil {
		return st.sum, err
	}
	return st.Finish(ctx)
}

// Open starts a stream of batches sent by p.
func (s *Service) Open(p streaming.Principal) *Stream {
	st := &Stream{s: s, p: p, sum: Summary{DurableThrough: -1}, maxEvents: s.MaxInFlightEvents, maxBytes: s.MaxInFlightBytes}
	if st.maxEvents <= 0 {
		st.maxEvents = DefaultMaxInFlightEvents
	}
	if st.maxBytes <= 0 {
		st.maxBytes = DefaultMaxInFlightBytes
	}
	return st
}

// Stream is one client's stream of batches. Its methods are called from one goroutine.
type Stream struct {
	s         *Service
	p         streaming.Principal
	sum       Summary
	batch     int64 // index of the next batch
	queue     []pending
	inFlight  int // events in queue
	inBytes   int // the memory they keep alive
	maxEvents int
	maxBytes  int
}

// pending is a batch handed to the queue and not yet settled.
type pending struct {
	batch  int64
	ticket *ingest.Ticket
	bytes  int     // memory the batch keeps alive until settled
	n      int     // events submitted
	index  []int32 // position in the batch of each submitted event; nil when they are all of them, in order
}

// position is where the k-th submitted event of q sat in its batch.
func (q *pending) position(k int) int {
	if q.index == nil {
		return k
	}
	return int(q.index[k])
}

// Add checks the next batch, records its rejections and hands its good events to the queue. events is handed over:
// the good events are moved to its front and kept, unchanged, until written. bytes is the memory the batch keeps
// alive while queued (the decoded message and its events). When the stream has more in flight than its bounds allow,
// Add waits for its oldest batches to settle. An error (ctx ended, the caller's quota or the queue refused) ends the
// stream: report Summary() to the client where it can still be told. A batch refused as a whole is not counted as
// received, so the summary's DurableThrough stays before it and the client resends it.
func (st *Stream) Add(ctx context.Context, events []streaming.PlaybackEvent, bytes int) error {
	batch := st.batch
	st.batch++
	good, index := st.check(batch, events)
	if len(good) == 0 {
		if len(st.queue) == 0 {
			st.sum.DurableThrough = batch
		}
		return nil
	}
	if err := st.s.Quotas.Take(st.p, len(good), st.s.now()); err != nil {
		st.batch = batch
		return err
	}
	t, err := st.s.Queue.Submit(ctx, good)
	if err != nil {
		st.batch = batch
		return err
	}
	st.queue = append(st.queue, pending{batch: batch, ticket: t, bytes: bytes, n: len(good), index: index})
	st.inFlight += len(good)
	st.inBytes += bytes
	for st.inFlight > st.maxEvents || st.inBytes > st.maxBytes {
		if err := st.settleOldest(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Finish waits until every event handed over has an outcome and returns the stream's summary.
func (st *Stream) Finish(ctx context.Context) (Summary, error) {
	for len(st.queue) > 0 {
		if err := st.settleOldest(ctx); err != nil {
			return st.sum, err
		}
	}
	st.sum.DurableThrough = st.batch - 1
	return st.sum, nil
}

// Abort settles, while ctx lasts, what was handed over, so the summary a failing stream reports is exact, and
// returns it. With ctx already ended (the client went away) it returns at once: the queue still writes and resolves
// the events handed over on its own, and nothing is waiting on them.
func (st *Stream) Abort(ctx context.Context) Summary {
	for len(st.queue) > 0 && ctx.Err() == nil {
		if st.settleOldest(ctx) != nil {
			break
		}
	}
	return st.sum
}

// Summary is the outcome so far.
func (st *Stream) Summary() Summary { return st.sum }

// settleOldest waits for the oldest pending batch and tallies its events.
func (st *Stream) settleOldest(ctx context.Context) error {
	q := &st.queue[0]
	results, err := q.ticket.Wait(ctx)
	if err != nil {
		return err
	}
	for k := range q.n {
		if results != nil && results[k] != nil {
			reason := "not stored, retry"
			if e := streaming.AsError(results[k]); e != nil {
				reason = "not stored, retry: " + e.Message
			}
			st.sum.reject(q.batch, q.position(k), "", reason)
			continue
		}
		st.sum.Accepted++
	}
	st.inFlight -= q.n
	st.inBytes -= q.bytes
	st.queue = st.queue[1:]
	// Batches after q without good events (never queued) are settled too, up to the next queued one.
	st.sum.DurableThrough = st.batch - 1
	if len(st.queue) > 0 {
		st.sum.DurableThrough = st.queue[0].batch - 1
	}
	return nil
}

// check checks every event of one batch and records the rejections. It moves the good events to the front of
// events, in order, and returns them and their positions in the batch (nil when every event is good).
func (st *Stream) check(batch int64, events []streaming.PlaybackEvent) ([]streaming.PlaybackEvent, []int32) {
	s, now := st.s, st.s.now()
	good := events[:0]
	var index []int32
	for i := range events {
		e := &events[i]
		err := ingest.Validate(e, now, s.MaxSkew, s.MaxAge)
		if err != nil && ingest.LowerUUIDs(e) { // the contract accepts upper-case UUIDs; the stores key by lower case
			err = ingest.Validate(e, now, s.MaxSkew, s.MaxAge)
		}
		if err == nil && st.p.Role == streaming.RoleUser && e.UserID != st.p.UserID {
			err = streaming.Invalid("user_id", "users may only send their own events")
		}
		if err != nil {
			if index == nil { // the first rejection: positions so far were the identity
				index = make([]int32, len(good), len(events))
				for k := range index {
					index[k] = int32(k)
				}
			}
			st.sum.reject(batch, i, err.Field, err.Message)
			continue
		}
		if len(good) != i {
			good = append(good, *e)
		} else {
			good = good[:i+1]
		}
		if index != nil {
			index = append(index, int32(i))
		}
	}
	return good, index
}
