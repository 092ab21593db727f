// Package wire is the contract's wire form of playback events on the server: the gRPC codec with its fast path for
// ingest batches (decoded straight into domain events), and the conversions between playback messages and domain
// events with the device and quality tables they use.
package wire

import (
	"fmt"
	"time"
	"unicode/utf8"
	"unsafe"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/streaming"
)

// Codec is gRPC's protobuf codec with a fast path for the one hot message: the batches of playback events an
// ingest stream receives. IngestPlaybackEvents receives them into a Batch, not the generated message, and
// the codec decodes the wire form straight into domain events: the generic decoder would allocate every event,
// every timestamp and every string separately, through reflection, and the handler would then convert each event
// again; at a million events a second that was most of the server's work. The fast path copies the message once
// into an immutable string, takes every string field as a substring of it, and writes the events into one slab:
// three allocations per batch. It handles the canonical encoding only; anything else (unknown fields, a repeated
// submessage, unexpected wire types, invalid UTF-8) falls back to proto.Unmarshal and FromPB, so the result
// is always what those give. FuzzPlaybackDecoder checks exactly that.
//
// The substrings keep the batch's copy alive while any event of it is queued, and so does the slab (the pipeline
// keeps the events where they are and writes them from there); the ingest queue's bound therefore also bounds both.
type Codec struct {
	encoding.CodecV2
}

// NewCodec is gRPC's protobuf codec with the fast path; the server forces it (grpc.ForceServerCodecV2).
func NewCodec() Codec { return Codec{encoding.GetCodecV2(grpcproto.Name)} }

func (c Codec) Unmarshal(data mem.BufferSlice, v any) error {
	b, ok := v.(*Batch)
	if !ok {
		return c.CodecV2.Unmarshal(data, v)
	}
	raw := materialize(data)
	if evs, ok := decodePlaybackEvents(raw); ok {
		b.Events = evs
		b.Bytes = len(raw) + len(evs)*int(unsafe.Sizeof(streaming.PlaybackEvent{}))
		return nil
	}
	var m pb.IngestPlaybackEventsRequest
	if err := c.CodecV2.Unmarshal(data, &m); err != nil {
		return err
	}
	b.Events = make([]streaming.PlaybackEvent, len(m.GetEvents()))
	for i, e := range m.GetEvents() {
		b.Events[i] = FromPB(e)
	}
	b.Bytes = len(raw) + len(b.Events)*int(unsafe.Sizeof(streaming.PlaybackEvent{})) // the decoder's strings, about
	return nil
}

// Batch is what IngestPlaybackEvents receives into: an IngestPlaybackEventsRequest on the wire, its events
// decoded as FromPB converts them (an enum value the domain does not know becomes "", a missing occur_time
// the zero time; Validate refuses both).
type Batch struct {
	Events []streaming.PlaybackEvent
	Bytes  int // the memory the events keep alive: the message copy their strings point into, and the slab
}

// batchItems are the contract's bounds on the events of one request (IngestPlaybackEventsRequest.events), read from
// its protovalidate rules so the two cannot drift apart.
var batchItems = func() *validate.RepeatedRules {
	fd := (&pb.IngestPlaybackEventsRequest{}).ProtoReflect().Descriptor().Fields().ByName("events")
	rules, _ := proto.GetExtension(fd.Options(), validate.E_Field).(*validate.FieldRules)
	if rules.GetRepeated() == nil || !rules.GetRepeated().HasMaxItems() {
		panic("IngestPlaybackEventsRequest.events has no repeated max_items rule")
	}
	return rules.GetRepeated()
}()

// Violations are the contract's rules on the request itself that it breaks (its events are checked one by one by
// the ingest use case), as protovalidate reports them for the generated message; none when it keeps them.
func (b *Batch) Violations() []*errdetails.BadRequest_FieldViolation {
	n := uint64(len(b.Events))
	var rule, msg string
	switch {
	case n < batchItems.GetMinItems():
		rule, msg = "repeated.min_items", fmt.Sprintf("value must contain at least %d item(s)", batchItems.GetMinItems())
	case n > batchItems.GetMaxItems():
		rule, msg = "repeated.max_items", fmt.Sprintf("value must contain no more than %d item(s)", batchItems.GetMaxItems())
	default:
		return nil
	}
	return []*errdetails.BadRequest_FieldViolation{{Field: "events", Description: msg, Reason: rule}}
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
func decodePlaybackEvents(b []byte) (events []streaming.PlaybackEvent, ok bool) {
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
	events = make([]streaming.PlaybackEvent, n)
	off := 0
	for i := range n {
		_, _, l := protowire.ConsumeTag(b[off:])
		off += l
		v, l := protowire.ConsumeBytes(b[off:])
		start := off + l - len(v)
		off += l
		if !decodePlaybackEvent(s, start, start+len(v), &events[i]) {
			return nil, false
		}
	}
	return events, true
}

// devicesByNumber and qualitiesByNumber are the domain's names of the contract's enum values, by number.
var (
	devicesByNumber   = byNumber(deviceFromPB)
	qualitiesByNumber = byNumber(QualityFromPB)
)

func byNumber[E ~int32](m map[E]string) []string {
	var out []string
	for k, v := range m {
		if k < 0 || k > 64 {
			panic(fmt.Sprintf("enum value %d out of the table's range", k))
		}
		for len(out) <= int(k) {
			out = append(out, "")
		}
		out[k] = v
	}
	return out
}

// enumName is the domain name of enum value v (as proto decodes it: the varint's low 32 bits), "" if unknown.
func enumName(names []string, v uint64) string {
	if n := int32(v); n >= 0 && int(n) < len(names) {
		return names[n]
	}
	return ""
}

// decodePlaybackEvent decodes s[lo:hi], one PlaybackEvent, into e.
func decodePlaybackEvent(s string, lo, hi int, e *streaming.PlaybackEvent) bool {
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
					e.EventID = str
				case 2:
					e.UserID = str
				case 3:
					e.ContentID = str
				}
			case 4:
				if hasTime || !decodeTimestamp(b[start:start+len(v)], &e.OccurredAt) {
					return false // a second occurrence would be merged into the first: leave that to the generic path
				}
				hasTime = true
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
				e.Device = enumName(devicesByNumber, v)
			case 8:
				e.Quality = enumName(qualitiesByNumber, v)
			case 9:
				e.Completed = v != 0
			}
		default:
			return false
		}
	}
	return true
}

// decodeTimestamp decodes a google.protobuf.Timestamp made of its two varint fields into t, as
// timestamppb.Timestamp.AsTime converts it.
func decodeTimestamp(b []byte, t *time.Time) bool {
	var seconds int64
	var nanos int32
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
			seconds = int64(v)
		} else {
			nanos = int32(v)
		}
	}
	*t = time.Unix(seconds, int64(nanos)).UTC()
	return true
}
