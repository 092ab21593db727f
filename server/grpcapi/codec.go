package grpcapi

import (
	"unicode/utf8"
	"unsafe"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
)

// codec is gRPC's protobuf codec with a fast path for the one hot message family: batches of playback events
// (IngestPlaybackEventsRequest, RecordPlaybackEventsRequest). The generic decoder allocates every event, every
// timestamp and every string separately, through reflection; at a million events a second that is most of the
// server's work. The fast path copies the message once into an immutable string, takes every string field as a
// substring of it, and places the events and their timestamps in two slabs: five allocations per batch instead of
// five per event. It handles the canonical encoding only; anything else (unknown fields, a repeated submessage,
// unexpected wire types, invalid UTF-8) falls back to the generic decoder, so the result is always what
// proto.Unmarshal gives. FuzzPlaybackDecoder checks exactly that.
//
// The substrings keep the batch's copy alive while any event of it is queued; the ingest queue's bound therefore
// also bounds these copies.
type codec struct {
	encoding.CodecV2
}

func newCodec() codec { return codec{encoding.GetCodecV2(grpcproto.Name)} }

func (c codec) Unmarshal(data mem.BufferSlice, v any) error {
	var events *[]*pb.PlaybackEvent
	switch m := v.(type) {
	case *pb.IngestPlaybackEventsRequest:
		events = &m.Events
	case *pb.RecordPlaybackEventsRequest:
		events = &m.Events
	default:
		return c.CodecV2.Unmarshal(data, v)
	}
	if evs, ok := decodePlaybackEvents(materialize(data)); ok {
		*events = evs
		return nil
	}
	return c.CodecV2.Unmarshal(data, v)
}

// materialize copies data into one freshly allocated buffer that nothing else references, so the decoder may
// view it as a string.
func materialize(data mem.BufferSlice) []byte {
	b := make([]byte, 0, data.Len())
	for _, buf := range data {
		b = append(b, buf.ReadOnlyData()...)
	}
	return b
}

// decodePlaybackEvents decodes a message whose only field is `repeated PlaybackEvent events = 1`. ok is false
// when the message is not in the canonical form this decoder handles; the caller then uses the generic decoder.
// b must not be modified afterwards: the events' strings point into it.
func decodePlaybackEvents(b []byte) (events []*pb.PlaybackEvent, ok bool) {
	if len(b) == 0 {
		return nil, true
	}
	// First pass: count the events and check the outer framing.
	n := 0
	for rest := b; len(rest) > 0; {
		num, typ, l := protowire.ConsumeTag(rest)
		if l < 0 || num != 1 || typ != protowire.BytesType {
			return nil, false
		}
		rest = rest[l:]
		_, l = protowire.ConsumeBytes(rest)
		if l < 0 {
			return nil, false
		}
		rest = rest[l:]
		n++
	}
	s := unsafe.String(unsafe.SliceData(b), len(b))
	slab := make([]pb.PlaybackEvent, n)
	times := make([]timestamppb.Timestamp, n)
	events = make([]*pb.PlaybackEvent, n)
	off := 0
	for i := range n {
		_, _, l := protowire.ConsumeTag(b[off:])
		off += l
		v, l := protowire.ConsumeBytes(b[off:])
		start := off + l - len(v)
		off += l
		if !decodePlaybackEvent(s, start, start+len(v), &slab[i], &times[i]) {
			return nil, false
		}
		events[i] = &slab[i]
	}
	return events, true
}

// decodePlaybackEvent decodes s[lo:hi] into e (and t, its occur_time).
func decodePlaybackEvent(s string, lo, hi int, e *pb.PlaybackEvent, t *timestamppb.Timestamp) bool {
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	hasTime := false
	for off := lo; off < hi; {
		num, typ, l := protowire.ConsumeTag(b[off:hi])
		if l < 0 {
			return false
		}
		off += l
		switch {
		case num >= 1 && num <= 4 && typ == protowire.BytesType:
			v, l := protowire.ConsumeBytes(b[off:hi])
			if l < 0 {
				return false
			}
			start := off + l - len(v)
			off += l
			str := s[start : start+len(v)]
			switch num {
			case 1, 2, 3:
				if !utf8.ValidString(str) {
					return false
				}
				switch num {
				case 1:
					e.EventId = str
				case 2:
					e.UserId = str
				case 3:
					e.ContentId = str
				}
			case 4:
				if hasTime || !decodeTimestamp(b[start:start+len(v)], t) {
					return false // a second occurrence would be merged into the first: leave that to the generic path
				}
				hasTime = true
				e.OccurTime = t
			}
		case num >= 5 && num <= 9 && typ == protowire.VarintType:
			v, l := protowire.ConsumeVarint(b[off:hi])
			if l < 0 {
				return false
			}
			off += l
			switch num {
			case 5:
				e.PlayedSeconds = int32(v)
			case 6:
				e.PositionSeconds = int32(v)
			case 7:
				e.Device = pb.Device(int32(v))
			case 8:
				e.Quality = pb.VideoQuality(int32(v))
			case 9:
				e.Completed = v != 0
			}
		default:
			return false
		}
	}
	return true
}

// decodeTimestamp decodes a google.protobuf.Timestamp made of its two varint fields.
func decodeTimestamp(b []byte, t *timestamppb.Timestamp) bool {
	for len(b) > 0 {
		num, typ, l := protowire.ConsumeTag(b)
		if l < 0 || typ != protowire.VarintType || (num != 1 && num != 2) {
			return false
		}
		b = b[l:]
		v, l := protowire.ConsumeVarint(b)
		if l < 0 {
			return false
		}
		b = b[l:]
		if num == 1 {
			t.Seconds = int64(v)
		} else {
			t.Nanos = int32(v)
		}
	}
	return true
}
