package wire

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/streaming"
)

func randomBatch(rng *rand.Rand, n int) *pb.IngestPlaybackEventsRequest {
	m := &pb.IngestPlaybackEventsRequest{}
	str := func() string {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = byte('0' + rng.IntN(75))
		}
		if rng.IntN(10) == 0 {
			return "día ñandú " + string(b) // multi-byte UTF-8
		}
		return string(b)
	}
	for range n {
		e := &pb.PlaybackEvent{EventId: str(), UserId: str(), ContentId: str(), PlayedSeconds: rng.Int32() - rng.Int32(),
			PositionSeconds: rng.Int32N(10000) - 100, Device: pb.Device(rng.IntN(8) - 1), Quality: pb.VideoQuality(rng.IntN(6)),
			Completed: rng.IntN(2) == 0}
		if rng.IntN(8) != 0 {
			e.OccurTime = &timestamppb.Timestamp{Seconds: rng.Int64N(4e9) - 1e9, Nanos: rng.Int32N(1e9)}
		}
		m.Events = append(m.Events, e)
	}
	return m
}

// decodeBoth decodes b with the codec into a Batch and with proto.Unmarshal and FromPB, and fails
// unless both agree.
func decodeBoth(t *testing.T, b []byte) (fast bool) {
	t.Helper()
	m := &pb.IngestPlaybackEventsRequest{}
	wantErr := proto.Unmarshal(b, m)
	want := make([]streaming.PlaybackEvent, len(m.GetEvents()))
	for i, e := range m.GetEvents() {
		want[i] = FromPB(e)
	}
	got := &Batch{}
	gotErr := NewCodec().Unmarshal(mem.BufferSlice{mem.SliceBuffer(b)}, got)
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("codec error %v, proto.Unmarshal error %v", gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got.Events, want) {
		t.Fatalf("codec decoded\n%+v\nproto.Unmarshal and FromPB give\n%+v", got.Events, want)
	}
	_, fast = decodePlaybackEvents(append([]byte(nil), b...))
	return fast
}

func TestCodecDecodesBatchesAsProtoDoes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fast := 0
	for i := range 300 {
		b, err := proto.Marshal(randomBatch(rng, i%40))
		if err != nil {
			t.Fatal(err)
		}
		if decodeBoth(t, b) {
			fast++
		}
	}
	if fast != 300 {
		t.Errorf("fast path took %d of 300 canonical batches, want all", fast)
	}
	// Forms the fast path leaves to the generic decoder, which must still decide.
	ev := protowire.AppendTag(nil, 1, protowire.BytesType)
	ev = protowire.AppendString(ev, "e")
	cases := map[string][]byte{
		"unknown field": protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), 7),
		"unknown event field": protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType),
			protowire.AppendVarint(protowire.AppendTag(ev, 12, protowire.VarintType), 1)),
		"invalid UTF-8": protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType),
			protowire.AppendString(protowire.AppendTag(nil, 2, protowire.BytesType), "\xff\xfe")),
		"truncated":   protowire.AppendTag(nil, 1, protowire.BytesType),
		"wrong type":  protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 3),
		"time twice":  twoTimes(),
		"empty batch": {},
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			fast := decodeBoth(t, b)
			if fast != (name == "empty batch") {
				t.Errorf("fast path = %v", fast)
			}
		})
	}
}

// twoTimes is one event whose occur_time appears twice (proto merges the two).
func twoTimes() []byte {
	ts := func(field protowire.Number, v uint64) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, 4, protowire.BytesType),
			protowire.AppendVarint(protowire.AppendTag(nil, field, protowire.VarintType), v))
	}
	ev := append(ts(1, 100), ts(2, 5)...)
	return protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), ev)
}

// FuzzPlaybackDecoder: for any input, the codec's result equals proto.Unmarshal's (or both fail).
func FuzzPlaybackDecoder(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 8 {
		b, _ := proto.Marshal(randomBatch(rng, i))
		f.Add(b)
	}
	f.Add(twoTimes())
	f.Fuzz(func(t *testing.T, b []byte) { decodeBoth(t, b) })
}
