package client

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	streamingv1 "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// Trailer keys of an IngestPlaybackEvents stream that ended in an error: the events accepted (durable) and the index
// of the last message whose every event has an outcome (-1: none). Messages after it have no known outcome.
const (
	TrailerAccepted       = "x-ingest-accepted"
	TrailerDurableThrough = "x-ingest-durable-through-batch"
)

// Errors of Add.
var (
	ErrBufferFull = errors.New("client: the batcher's buffer is full")
	ErrClosed     = errors.New("client: the batcher is closed")
)

// BatcherOptions configure a Batcher. Zero values take the defaults.
type BatcherOptions struct {
	// BatchSize is the events per stream message (500; at most 1000, the contract's bound).
	BatchSize int
	// Linger is how long an incomplete message waits for more events before it is sent anyway, and how long an open
	// stream with nothing to send waits before it is closed and its events acknowledged (50ms).
	Linger time.Duration
	// StreamBatches is the messages per stream (20). A stream is closed, and its events acknowledged, after this
	// many: it bounds what a stream broken without a word (a server killed) leaves to send again. After a pause the
	// server asked for, streams start again at one message and double after each that ends well, up to this.
	StreamBatches int
	// Streams is how many streams send at once (1). With more, events are not sent in the order added.
	Streams int
	// Buffer is how many events the batcher holds: added, and neither durable nor rejected yet (queued, or sent and
	// not acknowledged). Add waits for room, or fails with ErrBufferFull (FailWhenFull), past it
	// (2 × Streams × StreamBatches × BatchSize, at least BatchSize).
	Buffer int
	// FailWhenFull makes Add return ErrBufferFull at once, taking none of its events, when they do not fit in the
	// buffer, instead of waiting for room.
	FailWhenFull bool
	// StreamTimeout bounds one stream from its opening to its answer (2 minutes); a stream past it is sent again.
	StreamTimeout time.Duration
	// Backoff is the first wait of a sender after a failed stream (100ms), doubled up to MaxBackoff (5s), with
	// jitter. A RetryInfo the server sends (its ingest quota, a full pipeline) pauses every sender for the delay
	// asked for instead.
	Backoff, MaxBackoff time.Duration
	// GiveUpAfter fails the batcher (Add, Flush and Close return the last error) after this many streams in a row
	// ended in a retryable error without making anything durable; 0 retries until the context ends. A server's
	// RetryInfo pause does not count.
	GiveUpAfter int
	// OnReject, when set, is called for each event the server refused for a field at fault (it is never sent
	// again). OnDurable, when set, is called with the count of events each acknowledgement made durable. Both run
	// on a sender's goroutine: they must not block.
	OnReject  func(ev *streamingv1.PlaybackEvent, field, reason string)
	OnDurable func(n int)
}

func (o BatcherOptions) withDefaults() BatcherOptions {
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	o.BatchSize = min(o.BatchSize, 1000)
	if o.Linger <= 0 {
		o.Linger = 50 * time.Millisecond
	}
	if o.StreamBatches <= 0 {
		o.StreamBatches = 20
	}
	if o.Streams <= 0 {
		o.Streams = 1
	}
	if o.Buffer <= 0 {
		o.Buffer = 2 * o.Streams * o.StreamBatches * o.BatchSize
	}
	o.Buffer = max(o.Buffer, o.BatchSize)
	if o.StreamTimeout <= 0 {
		o.StreamTimeout = 2 * time.Minute
	}
	if o.Backoff <= 0 {
		o.Backoff = 100 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	o.MaxBackoff = max(o.MaxBackoff, o.Backoff)
	return o
}

// BatcherStats count what a Batcher did.
type BatcherStats struct {
	Added    int64 // events taken by Add
	Durable  int64 // acknowledged durable (each event once)
	Rejected int64 // refused by the server for a field at fault; never sent again
	Pending  int64 // neither yet: queued or on a stream (Added - Durable - Rejected)
	Resent   int64 // sends of an event after its first: its stream broke before its outcome was known, or "not stored"
	Streams  int64 // streams opened
	Failed   int64 // streams that ended in an error
	Paused   int64 // times the server asked, with a RetryInfo, to wait
}

// Batcher streams playback events through IngestPlaybackEvents until each one is durable. Callers Add events; the
// batcher groups them into messages of BatchSize (or fewer after Linger), sends them on a stream of StreamBatches
// messages, and closes the stream to learn the outcome of each event:
//
//   - accepted: durable, done;
//   - rejected for a field at fault: never sent again (OnReject, Stats().Rejected);
//   - "not stored, retry": queued again.
//
// When a stream ends in an error, the trailer says through which message every event has an outcome
// (TrailerDurableThrough) and how many were accepted (TrailerAccepted): when every event through that message was
// accepted, those events are done and only the messages after it are queued again; otherwise (some were rejected,
// and the trailer cannot say which) or without a trailer (the connection broke, the server was killed), every event
// of the stream is queued again. Events whose outcome is unknown are therefore sent again, never dropped, and an
// event known durable is never sent again; sending one twice is harmless, as the server keys rows by event id (the
// same row is rewritten). A new stream goes wherever round robin picks, another server when one went away.
//
// Back-pressure: a server that does not keep up stops reading, so the stream's Send blocks (HTTP/2 flow control),
// the buffer fills and Add waits (or fails with ErrBufferFull under FailWhenFull). A ResourceExhausted with a
// RetryInfo (an ingest quota, a full pipeline) pauses every sender for the delay asked for, then they resume from
// the refused message, one message per stream at first (doubling after each stream that ends well), so a quota
// refuses a message early rather than after a whole stream was pushed. Other retryable failures (Unavailable, a
// stream cut, a timeout) are retried after a backoff. Errors that retrying cannot fix (Unauthenticated,
// PermissionDenied, InvalidArgument of a whole message, ResourceExhausted without a RetryInfo, ...) fail the
// batcher: Add, Flush and Close then return that error, and the events still held stay counted in Pending.
//
// Flush and Close return once every event added before them is durable or rejected, or their context ends. The
// Batcher's methods may be called from any goroutine; Close must be called (or the context given to NewBatcher
// end) to stop its senders.
type Batcher struct {
	ingest  streamingv1.IngestServiceClient
	o       BatcherOptions
	ctx     context.Context
	cancel  context.CancelCauseFunc
	senders sync.WaitGroup

	mu         sync.Mutex
	pending    []item         // to send, oldest first (events sent again go first)
	oldest     time.Time      // when pending was last empty, or a message last cut from it (the linger clock)
	unresolved int            // added, neither durable nor rejected: queued or on a stream
	epochs     map[uint64]int // unresolved events per epoch (Flush waits for the epochs before it)
	epoch      uint64         // epoch of the events added now; each Flush starts a new one
	flushing   int            // Flush calls waiting: incomplete messages go at once
	closed     bool
	err        error     // the failure that ended the batcher
	pauseUntil time.Time // no message is sent before (the server's RetryInfo)
	window     int       // messages per stream now: StreamBatches, or fewer after a pause
	failures   int       // streams failed in a row without progress
	stats      BatcherStats
	work       chan struct{} // closed (and replaced) when a sender may have something to do
	progress   chan struct{} // closed (and replaced) when events were resolved or the batcher ended
}

type item struct {
	ev    *streamingv1.PlaybackEvent
	epoch uint64
}

// NewBatcher starts a Batcher sending through c's Ingest client. ctx bounds its life: when ctx ends the streams are
// canceled and Add, Flush and Close return ctx's error; the streams carry ctx's values.
func (c *Client) NewBatcher(ctx context.Context, opts BatcherOptions) *Batcher {
	return newBatcher(ctx, c.Ingest, opts)
}

func newBatcher(ctx context.Context, ingest streamingv1.IngestServiceClient, opts BatcherOptions) *Batcher {
	b := &Batcher{ingest: ingest, o: opts.withDefaults(), epochs: map[uint64]int{},
		work: make(chan struct{}), progress: make(chan struct{})}
	b.window = b.o.StreamBatches
	b.ctx, b.cancel = context.WithCancelCause(ctx)
	for range b.o.Streams {
		b.senders.Go(b.send)
	}
	// The senders' waits watch the context; Add, Flush and Close watch progress: tell them when the context ends.
	context.AfterFunc(b.ctx, func() {
		b.mu.Lock()
		signal(&b.progress)
		b.mu.Unlock()
	})
	return b
}

// signal wakes everyone waiting on *ch. Called with mu held.
func signal(ch *chan struct{}) {
	close(*ch)
	*ch = make(chan struct{})
}

// Add queues events for sending. It returns at once while the buffer has room for all of them; otherwise it waits
// for room (until ctx ends: ctx's error) or, under FailWhenFull, returns ErrBufferFull. Either every event is taken
// (nil) or none is. More events than Buffer in one call are refused. After Close it returns ErrClosed; after a
// failure, the failure. Add keeps the events: do not change them afterwards.
func (b *Batcher) Add(ctx context.Context, events ...*streamingv1.PlaybackEvent) error {
	if len(events) == 0 {
		return nil
	}
	for i, ev := range events {
		if ev == nil {
			return fmt.Errorf("client: Add: event %d is nil", i)
		}
	}
	if len(events) > b.o.Buffer {
		return fmt.Errorf("client: Add of %d events: more than the batcher holds (Buffer %d)", len(events), b.o.Buffer)
	}
	b.mu.Lock()
	for {
		if err := b.endedLocked(); err != nil {
			b.mu.Unlock()
			return err
		}
		if b.closed {
			b.mu.Unlock()
			return ErrClosed
		}
		if b.unresolved+len(events) <= b.o.Buffer {
			break
		}
		if b.o.FailWhenFull {
			b.mu.Unlock()
			return ErrBufferFull
		}
		ch := b.progress
		b.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		b.mu.Lock()
	}
	before := len(b.pending)
	if before == 0 {
		b.oldest = time.Now()
	}
	for _, ev := range events {
		b.pending = append(b.pending, item{ev: ev, epoch: b.epoch})
	}
	n := len(events)
	b.unresolved += n
	b.epochs[b.epoch] += n
	b.stats.Added += int64(n)
	if before == 0 || (before < b.o.BatchSize && len(b.pending) >= b.o.BatchSize) {
		signal(&b.work)
	}
	b.mu.Unlock()
	return nil
}

// endedLocked is the error that ended the batcher (a failure, or its context), nil while it runs.
func (b *Batcher) endedLocked() error {
	if b.err != nil {
		return b.err
	}
	if b.ctx.Err() != nil {
		if cause := context.Cause(b.ctx); !errors.Is(cause, ErrClosed) {
			return cause
		}
		return ErrClosed
	}
	return nil
}

// Flush sends what is queued without waiting for full messages and returns once every event added before the call
// is durable or rejected (nil), the batcher failed (its error), or ctx ends (ctx's error). Events added meanwhile
// are sent too but not waited for.
func (b *Batcher) Flush(ctx context.Context) (BatcherStats, error) {
	b.mu.Lock()
	e := b.epoch
	b.epoch++
	b.flushing++
	signal(&b.work)
	defer func() {
		b.mu.Lock()
		b.flushing--
		b.mu.Unlock()
	}()
	for {
		if !b.unresolvedThrough(e) {
			st := b.statsLocked()
			b.mu.Unlock()
			return st, nil
		}
		if err := b.endedLocked(); err != nil {
			st := b.statsLocked()
			b.mu.Unlock()
			return st, err
		}
		ch := b.progress
		b.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return b.Stats(), ctx.Err()
		}
		b.mu.Lock()
	}
}

func (b *Batcher) unresolvedThrough(e uint64) bool {
	for k := range b.epochs {
		if k <= e {
			return true
		}
	}
	return false
}

// Close refuses further events, sends what is queued and returns once every event is durable or rejected (nil), the
// batcher failed (its error), or ctx ends (ctx's error); then it stops the senders, canceling any stream still
// open, and returns the final counts: Pending is what was not known durable. Calling it again returns the counts.
func (b *Batcher) Close(ctx context.Context) (BatcherStats, error) {
	b.mu.Lock()
	b.closed = true
	signal(&b.work)
	signal(&b.progress)
	var err error
	for b.unresolved > 0 {
		if err = b.endedLocked(); err != nil {
			break // failed, its context ended, or an earlier Close gave up (ErrClosed)
		}
		ch := b.progress
		b.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			err = ctx.Err()
		}
		b.mu.Lock()
		if err != nil {
			break
		}
	}
	b.mu.Unlock()
	b.cancel(ErrClosed)
	b.senders.Wait()
	return b.Stats(), err
}

// Stats are the counts so far.
func (b *Batcher) Stats() BatcherStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.statsLocked()
}

func (b *Batcher) statsLocked() BatcherStats {
	st := b.stats
	st.Pending = int64(b.unresolved)
	return st
}

// sender is one sending goroutine's state: at most one stream open.
type sender struct {
	stream   grpc.ClientStreamingClient[streamingv1.IngestPlaybackEventsRequest, streamingv1.IngestPlaybackEventsResponse]
	cancel   context.CancelFunc
	sent     [][]item // the messages sent on the stream, in order
	lastSend time.Time
	backoff  backoff
}

type action int

const (
	actSend   action = iota // send the message
	actFinish               // close the stream and settle its events
	actStop                 // the batcher ended
)

// send is a sender's loop.
func (b *Batcher) send() {
	s := &sender{backoff: backoff{initial: b.o.Backoff, max: b.o.MaxBackoff}}
	for {
		msg, act := b.next(s)
		switch act {
		case actStop:
			if s.stream != nil {
				s.cancel() // ended or failed: the events stay unresolved
				s.stream, s.sent = nil, nil
			}
			return
		case actFinish:
			b.finish(s)
		case actSend:
			b.sendMessage(s, msg)
		}
	}
}

// next waits until s has something to do: a message to send (a full one, an incomplete one that lingered or that a
// Flush or Close wants out), its stream to close (it sent StreamBatches messages, nothing came for Linger, a Flush
// or Close is waiting, the server asked for a pause), or nothing more ever.
func (b *Batcher) next(s *sender) ([]item, action) {
	b.mu.Lock()
	for {
		if b.endedLocked() != nil || (s.stream == nil && b.closed && b.unresolved == 0) {
			b.mu.Unlock()
			return nil, actStop
		}
		now := time.Now()
		paused := now.Before(b.pauseUntil)
		urgent := b.flushing > 0 || b.closed
		n := len(b.pending)
		if n > 0 && !paused && (n >= b.o.BatchSize || urgent || now.Sub(b.oldest) >= b.o.Linger) {
			k := min(n, b.o.BatchSize)
			msg := b.pending[:k:k]
			b.pending = b.pending[k:]
			if len(b.pending) == 0 {
				b.pending = nil
			}
			b.oldest = now
			b.mu.Unlock()
			return msg, actSend
		}
		if s.stream != nil && (paused || (n == 0 && (urgent || now.Sub(s.lastSend) >= b.o.Linger))) {
			b.mu.Unlock()
			return nil, actFinish
		}
		var wake time.Time
		switch {
		case paused:
			wake = b.pauseUntil
		case n > 0:
			wake = b.oldest.Add(b.o.Linger)
		case s.stream != nil:
			wake = s.lastSend.Add(b.o.Linger)
		}
		ch := b.work
		b.mu.Unlock()
		var timer *time.Timer
		var fired <-chan time.Time
		if !wake.IsZero() {
			timer = time.NewTimer(time.Until(wake))
			fired = timer.C
		}
		select {
		case <-ch:
		case <-fired:
		case <-b.ctx.Done():
		}
		if timer != nil {
			timer.Stop()
		}
		b.mu.Lock()
	}
}

// sendMessage sends msg on s's stream, opening one first if needed; a stream that fails or is full is finished.
func (b *Batcher) sendMessage(s *sender, msg []item) {
	if s.stream == nil {
		ctx, cancel := context.WithTimeout(b.ctx, b.o.StreamTimeout)
		stream, err := b.ingest.IngestPlaybackEvents(ctx)
		b.mu.Lock()
		b.stats.Streams++
		b.mu.Unlock()
		if err != nil {
			cancel()
			b.settle(s, outcome{unsent: msg}, err)
			return
		}
		s.stream, s.cancel = stream, cancel
	}
	events := make([]*streamingv1.PlaybackEvent, len(msg))
	for i, it := range msg {
		events[i] = it.ev
	}
	err := s.stream.Send(&streamingv1.IngestPlaybackEventsRequest{Events: events})
	// Sent or not (an error may come after the message left), its outcome is the stream's to tell.
	s.sent = append(s.sent, msg)
	s.lastSend = time.Now()
	b.mu.Lock()
	full := len(s.sent) >= b.window
	b.mu.Unlock()
	if err != nil || full {
		b.finish(s)
	}
}

// finish closes s's stream, reads its answer (or status and trailer) and settles its events.
func (b *Batcher) finish(s *sender) {
	res, err := s.stream.CloseAndRecv()
	trailer := s.stream.Trailer()
	s.cancel()
	sent := s.sent
	s.stream, s.cancel, s.sent = nil, nil, nil
	b.settle(s, resolve(sent, res, err, trailer), err)
}

// settle records the outcome of a stream that ended with err, queues what must be sent again and decides what
// comes next: nothing (success), a pause for everyone (RetryInfo), a backoff of this sender, or the batcher's end.
func (b *Batcher) settle(s *sender, out outcome, err error) {
	b.mu.Lock()
	for _, it := range out.durable {
		b.resolveLocked(it)
	}
	for _, r := range out.rejected {
		b.resolveLocked(r.item)
	}
	b.stats.Durable += int64(len(out.durable))
	b.stats.Rejected += int64(len(out.rejected))
	b.stats.Resent += int64(len(out.resend))
	if back := append(out.resend, out.unsent...); len(back) > 0 {
		if len(b.pending) == 0 {
			b.oldest = time.Time{} // they waited long enough
		}
		b.pending = append(back, b.pending...)
	}
	if len(out.durable)+len(out.rejected) > 0 {
		b.failures = 0
	}
	var wait time.Duration
	if err != nil {
		b.stats.Failed++
		d, hasDelay := RetryAfter(err)
		switch {
		case b.ctx.Err() != nil: // the batcher is ending: nothing to decide
		case permanent(err):
			b.failLocked(err)
		case hasDelay:
			b.stats.Paused++
			if until := time.Now().Add(d + rand.N(d/10+1)); until.After(b.pauseUntil) {
				b.pauseUntil = until
			}
			// Start again with one message per stream, doubling after each stream that ends well: what a quota
			// refuses is refused early, not after a whole stream of messages was pushed to be sent again.
			b.window = 1
		default:
			b.failures++
			if b.o.GiveUpAfter > 0 && b.failures >= b.o.GiveUpAfter {
				b.failLocked(fmt.Errorf("client: ingest: %d streams in a row failed: %w", b.failures, err))
			}
			wait = s.backoff.next()
		}
	} else {
		s.backoff.reset()
		b.window = min(2*b.window, b.o.StreamBatches)
	}
	signal(&b.work)
	signal(&b.progress)
	b.mu.Unlock()
	if b.o.OnDurable != nil && len(out.durable) > 0 {
		b.o.OnDurable(len(out.durable))
	}
	if b.o.OnReject != nil {
		for _, r := range out.rejected {
			b.o.OnReject(r.ev, r.field, r.reason)
		}
	}
	if wait > 0 {
		sleep(b.ctx, wait)
	}
}

func (b *Batcher) resolveLocked(it item) {
	b.unresolved--
	if b.epochs[it.epoch]--; b.epochs[it.epoch] <= 0 {
		delete(b.epochs, it.epoch)
	}
}

func (b *Batcher) failLocked(err error) {
	if b.err == nil {
		b.err = err
	}
}

// permanent reports whether err is a stream's end that sending again cannot fix.
func permanent(err error) bool {
	e, ok := AsError(err)
	if !ok {
		return false
	}
	switch e.Code {
	case codes.InvalidArgument, codes.NotFound, codes.AlreadyExists, codes.PermissionDenied, codes.FailedPrecondition,
		codes.OutOfRange, codes.Unimplemented, codes.Unauthenticated, codes.DataLoss:
		return true
	case codes.ResourceExhausted: // without a RetryInfo: a message over the server's size limit, not a quota
		_, wait := e.RetryAfter()
		return !wait
	}
	return false
}

// outcome sorts the events of a finished stream.
type outcome struct {
	durable  []item
	rejected []rejected
	resend   []item // sent, outcome unknown or "not stored": to send again
	unsent   []item // never left (no stream): to send
}

type rejected struct {
	item
	field, reason string
}

// resolve sorts the events of a stream (sent, message by message) by what its answer says: res when err is nil,
// else the trailer. Whatever it cannot show durable or refused for a field is to be sent again.
func resolve(sent [][]item, res *streamingv1.IngestPlaybackEventsResponse, err error, trailer metadata.MD) outcome {
	var out outcome
	if err == nil {
		type pos struct {
			msg int64
			ev  int32
		}
		listed := make(map[pos]*streamingv1.EventRejection, len(res.GetRejections()))
		for _, r := range res.GetRejections() {
			listed[pos{r.GetBatchIndex(), r.GetEventIndex()}] = r
		}
		// The details are capped (1000): with more rejections than listed, an event not listed may be one, so only
		// the listed refusals are final and everything else goes again (the accepted rewritten as they are).
		complete := int64(len(res.GetRejections())) == res.GetRejected()
		for m, msg := range sent {
			for i, it := range msg {
				r, ok := listed[pos{int64(m), int32(i)}]
				switch {
				case ok && r.GetField() != "":
					out.rejected = append(out.rejected, rejected{item: it, field: r.GetField(), reason: r.GetReason()})
				case ok || !complete:
					out.resend = append(out.resend, it) // "not stored, retry"
				default:
					out.durable = append(out.durable, it)
				}
			}
		}
		if complete && int64(len(out.durable)) != res.GetAccepted() {
			// The answer does not add up (rejections pointing nowhere): trust none of the acceptances.
			out.resend = append(out.resend, out.durable...)
			out.durable = nil
		}
		return out
	}
	through, err1 := strconv.Atoi(first(trailer.Get(TrailerDurableThrough)))
	accepted, err2 := strconv.Atoi(first(trailer.Get(TrailerAccepted)))
	if err1 == nil && err2 == nil && through >= 0 && through < len(sent) {
		settled := 0
		for _, msg := range sent[:through+1] {
			settled += len(msg)
		}
		// When every event through that message was accepted they are durable; otherwise some were refused and the
		// trailer cannot say which, so they all go again (the refused ones are refused again, with details).
		if accepted == settled {
			for _, msg := range sent[:through+1] {
				out.durable = append(out.durable, msg...)
			}
			sent = sent[through+1:]
		}
	}
	for _, msg := range sent {
		out.resend = append(out.resend, msg...)
	}
	return out
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
