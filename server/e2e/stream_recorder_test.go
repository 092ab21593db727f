//go:build cluster

package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// senderKey carries a sender's number in the context it gives Send, so the recorder can tell whose stream is whose.
type senderKey struct{}

// streamRecorder is the SDK's Ingest stub with every IngestPlaybackEvents stream recorded.
type streamRecorder struct {
	pb.IngestServiceClient
	start time.Time

	mu      sync.Mutex
	streams []*recordedStream
	acked   map[string]int64 // addr → events acknowledged by streams to it
	cutAt   time.Duration    // 0 until the cut (a kill or a stop)
}

type recordedStream struct {
	sender       int
	addr         string        // the replica round robin picked
	opened, done time.Duration // since the start
	closed       bool          // it has ended
	sent         int           // events handed to Send without error
	err          error         // how it ended
	afterCut     bool          // opened after the cut
}

func (r *streamRecorder) IngestPlaybackEvents(ctx context.Context, opts ...grpc.CallOption) (grpc.ClientStreamingClient[pb.IngestPlaybackEventsRequest, pb.IngestPlaybackEventsResponse], error) {
	s, err := r.IngestServiceClient.IngestPlaybackEvents(ctx, opts...)
	sender, _ := ctx.Value(senderKey{}).(int)
	rs := &recordedStream{sender: sender, opened: time.Since(r.start)}
	if err == nil {
		// The transport stream exists once the call returns: its context names the server it went to.
		if p, ok := peer.FromContext(s.Context()); ok {
			rs.addr = p.Addr.String()
		}
	} else {
		rs.err, rs.done, rs.closed = err, rs.opened, true
	}
	r.mu.Lock()
	rs.afterCut = r.cutAt > 0
	r.streams = append(r.streams, rs)
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return &recordingStream{ClientStreamingClient: s, r: r, rs: rs}, nil
}

type recordingStream struct {
	grpc.ClientStreamingClient[pb.IngestPlaybackEventsRequest, pb.IngestPlaybackEventsResponse]
	r  *streamRecorder
	rs *recordedStream
}

func (s *recordingStream) Send(m *pb.IngestPlaybackEventsRequest) error {
	err := s.ClientStreamingClient.Send(m)
	if err == nil {
		s.r.mu.Lock()
		s.rs.sent += len(m.GetEvents())
		s.r.mu.Unlock()
	}
	return err
}

func (s *recordingStream) CloseAndRecv() (*pb.IngestPlaybackEventsResponse, error) {
	res, err := s.ClientStreamingClient.CloseAndRecv()
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.rs.done, s.rs.err, s.rs.closed = time.Since(s.r.start), err, true
	if err == nil {
		if s.r.acked == nil {
			s.r.acked = map[string]int64{}
		}
		s.r.acked[s.rs.addr] += res.GetAccepted()
	}
	return res, err
}

// progress is the events acknowledged so far, how many streams to addr are open and the most events one of them
// has sent.
func (r *streamRecorder) progress(addr string) (acked int64, open, most int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.streams {
		if s.addr == addr && !s.closed {
			open++
			most = max(most, s.sent)
		}
	}
	for _, n := range r.acked {
		acked += n
	}
	return acked, open, most
}

// ackedBy is the events acknowledged by streams to addr.
func (r *streamRecorder) ackedBy(addr string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.acked[addr]
}

func (r *streamRecorder) cut(at time.Duration) {
	r.mu.Lock()
	r.cutAt = at
	r.mu.Unlock()
}

// report logs what the cut (a kill or a stop) did to the streams and how the SDK went on, and returns how many streams it broke.
func (r *streamRecorder) report(t *testing.T, victim, survivor string, cutAt time.Duration) (broken int) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	ms := func(d time.Duration) string { return (d - cutAt).Round(time.Millisecond).String() }
	per := map[string][2]int{} // addr → streams acknowledged, failed
	var deadPicks int
	for _, s := range r.streams {
		n := per[s.addr]
		if s.err == nil {
			n[0]++
		} else {
			n[1]++
		}
		per[s.addr] = n
		if s.afterCut && s.addr != survivor {
			deadPicks++
		}
	}
	t.Logf("streams: victim %s %d acknowledged, %d failed; survivor %s %d acknowledged, %d failed; %d opened after the cut went elsewhere than the survivor",
		victim, per[victim][0], per[victim][1], survivor, per[survivor][0], per[survivor][1], deadPicks)
	if deadPicks > 0 {
		for _, s := range r.streams {
			if s.afterCut && s.addr != survivor {
				t.Logf("  sender %d: a stream opened at cut+%s to %q ended at cut+%s: %v", s.sender, ms(s.opened), s.addr, ms(s.done), s.err)
			}
		}
	}
	// Each stream the cut broke, and its sender's next streams: when the SDK saw the error, when it opened the
	// stream that resends, where, and when that one was acknowledged.
	for i, s := range r.streams {
		if s.addr != victim || s.afterCut || s.err == nil {
			continue
		}
		broken++
		line := fmt.Sprintf("sender %d: stream (opened %v before the cut, %d events sent) failed at cut+%s (%v)",
			s.sender, (cutAt - s.opened).Round(time.Millisecond), s.sent, ms(s.done), s.err)
		for _, n := range r.streams[i+1:] {
			if n.sender != s.sender {
				continue
			}
			if n.err != nil {
				line += fmt.Sprintf("; retry opened at cut+%s to %s failed at cut+%s (%v)", ms(n.opened), n.addr, ms(n.done), n.err)
				continue
			}
			line += fmt.Sprintf("; resent on a stream opened at cut+%s to %s, acknowledged at cut+%s", ms(n.opened), n.addr, ms(n.done))
			break
		}
		t.Log(line)
	}
	return broken
}

// cutWhen polls the recorder every 20 ms until ready(acknowledged events, streams open on addr, the most events one
// of them has sent) holds, runs prepare (nil: none), and if ready still holds marks the cut (first, so no stream
// opened after it counts as opened before) and runs cut; it returns when that was and how many streams were open on addr. The test fails if the senders finished
// (sent closed) first: the cut would have proved nothing.
func (r *streamRecorder) cutWhen(t *testing.T, sent <-chan struct{}, addr string, ready func(acked int64, open, most int) bool, prepare, cut func()) (at time.Duration, open int) {
	t.Helper()
	for {
		select {
		case <-sent:
			t.Fatal("every event was sent before the cut: the test proved nothing")
		case <-time.After(20 * time.Millisecond):
		}
		if acked, open, most := r.progress(addr); !ready(acked, open, most) {
			continue
		}
		if prepare != nil {
			// What prepare does (a scrape over HTTP) takes time, in which the stream that made ready true may end:
			// the cut happens, and its moment is taken, only if ready still holds after it.
			prepare()
		}
		if acked, open, most := r.progress(addr); ready(acked, open, most) {
			at = time.Since(r.start)
			r.cut(at)
			cut()
			return at, open
		}
	}
}
