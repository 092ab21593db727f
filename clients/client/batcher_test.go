package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	streamingv1 "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// msgs makes messages of the given sizes, events named "m.i".
func msgs(sizes ...int) [][]item {
	out := make([][]item, len(sizes))
	for m, n := range sizes {
		for i := range n {
			out[m] = append(out[m], item{ev: &streamingv1.PlaybackEvent{EventId: fmt.Sprintf("%d.%d", m, i)}})
		}
	}
	return out
}

func ids(items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.ev.GetEventId())
	}
	return out
}

func trailer(accepted, through int) metadata.MD {
	return metadata.Pairs(TrailerAccepted, strconv.Itoa(accepted), TrailerDurableThrough, strconv.Itoa(through))
}

func TestResolve(t *testing.T) {
	unavailable := status.Error(codes.Unavailable, "shutting down")
	rej := func(m int64, i int32, field string) *streamingv1.EventRejection {
		reason := "not stored, retry"
		if field != "" {
			reason = "bad"
		}
		return &streamingv1.EventRejection{BatchIndex: m, EventIndex: i, Field: field, Reason: reason}
	}
	tests := []struct {
		name                      string
		res                       *streamingv1.IngestPlaybackEventsResponse
		err                       error
		trailer                   metadata.MD
		durable, rejected, resend int
		wantResend                []string
	}{
		{name: "all accepted", res: &streamingv1.IngestPlaybackEventsResponse{Accepted: 6}, durable: 6},
		{name: "a field at fault and a not stored", res: &streamingv1.IngestPlaybackEventsResponse{Accepted: 4, Rejected: 2,
			Rejections: []*streamingv1.EventRejection{rej(0, 1, "occur_time"), rej(2, 0, "")}},
			durable: 4, rejected: 1, resend: 1, wantResend: []string{"2.0"}},
		{name: "details capped: only the listed refusals are final", res: &streamingv1.IngestPlaybackEventsResponse{Accepted: 3, Rejected: 3,
			Rejections: []*streamingv1.EventRejection{rej(0, 0, "device"), rej(0, 1, "device")}},
			rejected: 2, resend: 4},
		{name: "an answer that does not add up", res: &streamingv1.IngestPlaybackEventsResponse{Accepted: 5, Rejected: 1,
			Rejections: []*streamingv1.EventRejection{rej(7, 0, "")}}, resend: 6},
		{name: "trailer: durable through the second message", err: unavailable, trailer: trailer(5, 1),
			durable: 5, resend: 1, wantResend: []string{"2.0"}},
		{name: "trailer: some refused before it", err: unavailable, trailer: trailer(4, 1), resend: 6},
		{name: "trailer: nothing settled", err: unavailable, trailer: trailer(0, -1), resend: 6},
		{name: "trailer: everything", err: unavailable, trailer: trailer(6, 2), durable: 6},
		{name: "trailer past what was sent", err: unavailable, trailer: trailer(6, 3), resend: 6},
		{name: "no trailer (connection cut)", err: unavailable, resend: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := resolve(msgs(3, 2, 1), tt.res, tt.err, tt.trailer)
			if len(out.durable) != tt.durable || len(out.rejected) != tt.rejected || len(out.resend) != tt.resend {
				t.Fatalf("durable %v, rejected %d, resend %v; want %d, %d, %d", ids(out.durable), len(out.rejected),
					ids(out.resend), tt.durable, tt.rejected, tt.resend)
			}
			if tt.wantResend != nil && fmt.Sprint(ids(out.resend)) != fmt.Sprint(tt.wantResend) {
				t.Errorf("resend %v, want %v", ids(out.resend), tt.wantResend)
			}
		})
	}
}

// chaosIngest is an IngestService that keeps events in memory and misbehaves at random the ways the real one can:
// it ends streams with Unavailable and an exact trailer (a drain), with ResourceExhausted and a RetryInfo and a
// trailer (a quota), with no trailer at all (a cut), and answers "not stored, retry" for some events. Events whose
// played_seconds is negative are refused for that field. It records every event id received after the client
// could know it durable: none should be.
type chaosIngest struct {
	streamingv1.UnimplementedIngestServiceServer
	rng *rand.Rand

	mu          sync.Mutex
	stored      map[string]int  // event id → times written
	known       map[string]bool // acknowledged durable in a way the client can read
	unnecessary int             // received again after that
	streams     int
}

func newChaos(seed uint64) *chaosIngest {
	return &chaosIngest{rng: rand.New(rand.NewPCG(seed, seed)), stored: map[string]int{}, known: map[string]bool{}}
}

func (c *chaosIngest) roll() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rng.Float64()
}

func (c *chaosIngest) IngestPlaybackEvents(stream grpc.ClientStreamingServer[streamingv1.IngestPlaybackEventsRequest, streamingv1.IngestPlaybackEventsResponse]) error {
	c.mu.Lock()
	c.streams++
	c.mu.Unlock()
	var res streamingv1.IngestPlaybackEventsResponse
	var received [][]string // per message: event ids accepted ("" for refused)
	clean := true           // no refusal yet: a trailer's prefix will be known durable
	end := func(code codes.Code, delay time.Duration, withTrailer bool) error {
		if withTrailer {
			stream.SetTrailer(trailer(int(res.GetAccepted()), len(received)-1))
			if clean {
				c.mu.Lock()
				for _, msg := range received {
					for _, id := range msg {
						c.known[id] = true
					}
				}
				c.mu.Unlock()
			}
		}
		st := status.New(code, "chaos")
		if delay > 0 {
			st, _ = st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(delay)})
		}
		return st.Err()
	}
	for m := int64(0); ; m++ {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch r := c.roll(); {
		case r < 0.04:
			return end(codes.Unavailable, 0, true) // drained: this message not taken
		case r < 0.06:
			return end(codes.ResourceExhausted, 5*time.Millisecond, true) // over quota: this message refused whole
		case r < 0.08:
			// Cut: this message's events may or may not be written, no trailer.
			c.mu.Lock()
			for _, ev := range req.GetEvents() {
				c.receive(ev.GetEventId())
				if c.rng.IntN(2) == 0 && ev.GetPlayedSeconds() >= 0 {
					c.stored[ev.GetEventId()]++
				}
			}
			c.mu.Unlock()
			return end(codes.Unavailable, 0, false)
		}
		var accepted []string
		c.mu.Lock()
		for i, ev := range req.GetEvents() {
			id := ev.GetEventId()
			c.receive(id)
			switch {
			case ev.GetPlayedSeconds() < 0:
				res.Rejected++
				res.Rejections = append(res.Rejections, &streamingv1.EventRejection{BatchIndex: m, EventIndex: int32(i), Field: "played_seconds", Reason: "must be between 0 and 86400"})
				clean = false
			case c.rng.Float64() < 0.02:
				res.Rejected++
				res.Rejections = append(res.Rejections, &streamingv1.EventRejection{BatchIndex: m, EventIndex: int32(i), Reason: "not stored, retry"})
				clean = false
			default:
				c.stored[id]++
				res.Accepted++
				accepted = append(accepted, id)
			}
		}
		c.mu.Unlock()
		received = append(received, accepted)
	}
	c.mu.Lock()
	for _, msg := range received {
		for _, id := range msg {
			c.known[id] = true
		}
	}
	c.mu.Unlock()
	return stream.SendAndClose(&res)
}

// receive notes that id arrived. Called with mu held.
func (c *chaosIngest) receive(id string) {
	if c.known[id] {
		c.unnecessary++
	}
}

func serveIngest(t *testing.T, s streamingv1.IngestServiceServer) *Client {
	t.Helper()
	addr := serveFake(t, func(srv *grpc.Server) { streamingv1.RegisterIngestServiceServer(srv, s) })
	c, err := Dial(ctxFor(t), addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testEvents(n int) []*streamingv1.PlaybackEvent {
	out := make([]*streamingv1.PlaybackEvent, n)
	for i := range out {
		out[i] = &streamingv1.PlaybackEvent{EventId: fmt.Sprintf("ev-%06d", i), PlayedSeconds: 10}
	}
	return out
}

// Under every kind of failure the server can give, concurrent callers' events all end durable exactly as the
// server says (each written at least once), refused ones are reported and never sent again, and no event the client
// could know durable is sent again.
func TestBatcherUnderChaos(t *testing.T) {
	chaos := newChaos(1)
	c := serveIngest(t, chaos)
	ctx := ctxFor(t)
	var rejectedIDs sync.Map
	b := c.NewBatcher(ctx, BatcherOptions{BatchSize: 50, StreamBatches: 8, Streams: 3, Buffer: 600, Linger: 5 * time.Millisecond,
		Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
		OnReject: func(ev *streamingv1.PlaybackEvent, field, _ string) { rejectedIDs.Store(ev.GetEventId(), field) }})
	events := testEvents(20_000)
	bad := 0
	for i := 0; i < len(events); i += 97 {
		events[i].PlayedSeconds = -1
		bad++
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			share := events[w*len(events)/4 : (w+1)*len(events)/4]
			for i := 0; i < len(share); i += 7 {
				if err := b.Add(ctx, share[i:min(i+7, len(share))]...); err != nil {
					t.Errorf("Add: %v", err)
					return
				}
			}
		})
	}
	// A Flush while the others add: it returns with what was added before it settled.
	if _, err := b.Flush(ctx); err != nil {
		t.Errorf("Flush: %v", err)
	}
	wg.Wait()
	st, err := b.Close(ctx)
	if err != nil {
		t.Fatalf("Close: %v (%+v)", err, st)
	}
	t.Logf("%+v; %d streams served", st, chaos.streams)
	if st.Added != int64(len(events)) || st.Durable != int64(len(events)-bad) || st.Rejected != int64(bad) || st.Pending != 0 {
		t.Errorf("stats %+v; want %d durable, %d rejected, none pending", st, len(events)-bad, bad)
	}
	if st.Resent == 0 || st.Paused == 0 || st.Failed == 0 {
		t.Errorf("stats %+v: the chaos did not happen", st)
	}
	chaos.mu.Lock()
	defer chaos.mu.Unlock()
	for _, ev := range events {
		_, refused := rejectedIDs.Load(ev.GetEventId())
		switch n := chaos.stored[ev.GetEventId()]; {
		case ev.GetPlayedSeconds() < 0 && (!refused || n != 0):
			t.Fatalf("bad event %s: stored %d times, reported refused %v", ev.GetEventId(), n, refused)
		case ev.GetPlayedSeconds() >= 0 && (n == 0 || refused):
			t.Fatalf("event %s: stored %d times, reported refused %v", ev.GetEventId(), n, refused)
		}
	}
	if chaos.unnecessary > 0 {
		t.Errorf("%d events were sent again after the client could know them durable", chaos.unnecessary)
	}
}

// stalledIngest reads nothing until release is closed, then stores everything.
type stalledIngest struct {
	streamingv1.UnimplementedIngestServiceServer
	release chan struct{}
	got     atomic.Int64
}

func (s *stalledIngest) IngestPlaybackEvents(stream grpc.ClientStreamingServer[streamingv1.IngestPlaybackEventsRequest, streamingv1.IngestPlaybackEventsResponse]) error {
	select {
	case <-s.release:
	case <-stream.Context().Done():
		return stream.Context().Err()
	}
	var n int64
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			s.got.Add(n)
			return stream.SendAndClose(&streamingv1.IngestPlaybackEventsResponse{Accepted: n})
		}
		if err != nil {
			return err
		}
		n += int64(len(req.GetEvents()))
	}
}

// Add does not block while the buffer has room; once it is full, Add waits for room (or fails at once under
// FailWhenFull), and a server that reads again frees it.
func TestBatcherBufferBoundsWhatItHolds(t *testing.T) {
	s := &stalledIngest{release: make(chan struct{})}
	c := serveIngest(t, s)
	ctx := ctxFor(t)
	b := c.NewBatcher(ctx, BatcherOptions{BatchSize: 10, Buffer: 100, FailWhenFull: true})
	events := testEvents(101)
	if err := b.Add(ctx, events[:100]...); err != nil {
		t.Fatalf("Add within the buffer: %v", err)
	}
	if err := b.Add(ctx, events[100]); !errors.Is(err, ErrBufferFull) {
		t.Fatalf("Add past the buffer = %v, want ErrBufferFull", err)
	}
	if err := b.Add(ctx, testEvents(101)...); err == nil {
		t.Fatal("Add of more events than the buffer holds succeeded")
	}

	blocking := c.NewBatcher(ctx, BatcherOptions{BatchSize: 10, Buffer: 100})
	if err := blocking.Add(ctx, events[:100]...); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := blocking.Add(short, events[100]); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Add on a full buffer = %v, want to wait until its context ends", err)
	}
	added := make(chan error, 1)
	go func() { added <- blocking.Add(ctx, events[100]) }()
	time.Sleep(20 * time.Millisecond)
	close(s.release)
	if err := <-added; err != nil {
		t.Fatalf("Add after the server read again: %v", err)
	}
	for _, bt := range []*Batcher{b, blocking} {
		st, err := bt.Close(ctx)
		if err != nil || st.Pending != 0 {
			t.Fatalf("Close = %+v, %v", st, err)
		}
	}
	if got := s.got.Load(); got != 201 {
		t.Errorf("server stored %d events, want 201", got)
	}
}

// failingIngest ends every stream with code.
type failingIngest struct {
	streamingv1.UnimplementedIngestServiceServer
	code    codes.Code
	streams atomic.Int32
}

func (f *failingIngest) IngestPlaybackEvents(grpc.ClientStreamingServer[streamingv1.IngestPlaybackEventsRequest, streamingv1.IngestPlaybackEventsResponse]) error {
	f.streams.Add(1)
	return status.Error(f.code, "no")
}

// An error retrying cannot fix ends the batcher at once; retryable ones end it after GiveUpAfter streams in a row,
// or never (until the context ends) without it.
func TestBatcherGivesUp(t *testing.T) {
	ctx := ctxFor(t)
	for _, tt := range []struct {
		code        codes.Code
		giveUpAfter int
		streams     int32
	}{
		{codes.Unauthenticated, 0, 1},
		{codes.Unavailable, 3, 3},
	} {
		t.Run(tt.code.String(), func(t *testing.T) {
			f := &failingIngest{code: tt.code}
			b := serveIngest(t, f).NewBatcher(ctx, BatcherOptions{GiveUpAfter: tt.giveUpAfter, Backoff: time.Millisecond})
			if err := b.Add(ctx, testEvents(10)...); err != nil {
				t.Fatal(err)
			}
			st, err := b.Close(ctx)
			if status.Code(err) != tt.code || st.Pending != 10 || f.streams.Load() != tt.streams {
				t.Fatalf("Close = %+v, %v after %d streams; want %s after %d with 10 pending", st, err, f.streams.Load(), tt.code, tt.streams)
			}
			if err := b.Add(ctx, testEvents(1)...); err == nil {
				t.Error("Add after the batcher ended succeeded")
			}
		})
	}
	t.Run("context", func(t *testing.T) {
		f := &failingIngest{code: codes.Unavailable}
		bctx, cancel := context.WithCancel(ctx)
		b := serveIngest(t, f).NewBatcher(bctx, BatcherOptions{Backoff: time.Millisecond, MaxBackoff: time.Millisecond})
		if err := b.Add(ctx, testEvents(10)...); err != nil {
			t.Fatal(err)
		}
		time.AfterFunc(100*time.Millisecond, cancel)
		if st, err := b.Flush(ctx); !errors.Is(err, context.Canceled) || st.Pending != 10 {
			t.Fatalf("Flush = %+v, %v; want the batcher's context error", st, err)
		}
		if _, err := b.Close(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Close = %v", err)
		}
	})
}

// A stream is closed, and its events acknowledged, after Linger with nothing to send, so a trickle is durable
// promptly without Flush; Flush sends an incomplete message at once.
func TestBatcherAcknowledgesATrickle(t *testing.T) {
	c := serveIngest(t, steadyIngest{})
	ctx := ctxFor(t)
	b := c.NewBatcher(ctx, BatcherOptions{BatchSize: 100, Linger: 20 * time.Millisecond})
	defer b.Close(ctx)
	if err := b.Add(ctx, testEvents(3)...); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for b.Stats().Durable != 3 {
		if time.Now().After(deadline) {
			t.Fatalf("3 events not acknowledged without Flush: %+v", b.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	slow := c.NewBatcher(ctx, BatcherOptions{BatchSize: 100, Linger: time.Hour})
	if err := slow.Add(ctx, testEvents(3)...); err != nil {
		t.Fatal(err)
	}
	if st, err := slow.Flush(ctx); err != nil || st.Durable != 3 {
		t.Fatalf("Flush = %+v, %v", st, err)
	}
	if st, err := slow.Close(ctx); err != nil || st.Durable != 3 || st.Streams != 1 {
		t.Fatalf("Close = %+v, %v", st, err)
	}
}

// steadyIngest stores everything.
type steadyIngest struct {
	streamingv1.UnimplementedIngestServiceServer
}

func (steadyIngest) IngestPlaybackEvents(stream grpc.ClientStreamingServer[streamingv1.IngestPlaybackEventsRequest, streamingv1.IngestPlaybackEventsResponse]) error {
	var n int64
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&streamingv1.IngestPlaybackEventsResponse{Accepted: n})
		}
		if err != nil {
			return err
		}
		n += int64(len(req.GetEvents()))
	}
}

// The Ingester sends a slice and reports the first refused event, the others stored.
func TestIngesterReportsTheFirstRefusedEvent(t *testing.T) {
	chaos := newChaos(3)
	c := serveIngest(t, chaos)
	events := testEvents(3000)
	events[1234].PlayedSeconds = -1
	in := &Ingester{Client: c, Batch: 100, PerStream: 5, Backoff: time.Millisecond}
	res, err := in.Send(ctxFor(t), events)
	var refused *EventError
	if !errors.As(err, &refused) || refused.EventID != events[1234].GetEventId() || refused.Field != "played_seconds" {
		t.Fatalf("Send = %+v, %v; want event %s refused", res, err, events[1234].GetEventId())
	}
	if res.Stored != 2999 || res.Rejected != 1 {
		t.Errorf("result %+v", res)
	}
}
