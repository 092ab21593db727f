package grpcapi

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"buf.build/go/protovalidate"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/grpcapi/wire"
	"github.com/streamingplatform/streaming/server/ingest"
)

// The ingest use case checks each playback event with ingest.Validate (so a bad event is rejected alone, not the
// whole request); the contract states the same bounds as protovalidate rules on PlaybackEvent. This proves the two
// agree rule by rule: each field is varied alone over its edges, and both must refuse exactly the same values, naming
// the same field. (Validate's time window, which the contract cannot state, is left out; ids in upper case, which
// the contract accepts, are lowered first, as the use case does.)
func TestEventChecksMatchTheContract(t *testing.T) {
	v, err := protovalidate.New()
	if err != nil {
		t.Fatal(err)
	}
	good := &pb.PlaybackEvent{EventId: "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b", UserId: "11111111-2222-4333-8444-555555555555",
		ContentId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", OccurTime: timestamppb.New(time.Now()), PlayedSeconds: 30,
		PositionSeconds: 1200, Device: pb.Device_DEVICE_TV, Quality: pb.VideoQuality_VIDEO_QUALITY_HD}
	ids := []string{"", "x", "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b", "0B9C2A3E-5F6D-4E7F-8A9B-0C1D2E3F4A5B",
		"0b9c2a3e-5F6D-4e7f-8A9B-0c1d2e3f4a5b", "0b9c2a3e5f6d4e7f8a9b0c1d2e3f4a5b", "{0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b}",
		"0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5", "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5bb", "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5g",
		"0b9c2a3e5-f6d-4e7f-8a9b-0c1d2e3f4a5b", "urn:uuid:0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b", "00000000-0000-0000-0000-000000000000",
		" 0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b"}
	seconds := []int32{math.MinInt32, -1, 0, 1, 86399, 86400, 86401, math.MaxInt32}
	var cases []struct {
		field string
		set   func(*pb.PlaybackEvent)
	}
	add := func(field string, set func(*pb.PlaybackEvent)) {
		cases = append(cases, struct {
			field string
			set   func(*pb.PlaybackEvent)
		}{field, set})
	}
	for _, id := range ids {
		add("event_id", func(e *pb.PlaybackEvent) { e.EventId = id })
		add("user_id", func(e *pb.PlaybackEvent) { e.UserId = id })
		add("content_id", func(e *pb.PlaybackEvent) { e.ContentId = id })
	}
	add("occur_time", func(e *pb.PlaybackEvent) { e.OccurTime = nil })
	add("occur_time", func(e *pb.PlaybackEvent) {})
	for _, n := range seconds {
		add("played_seconds", func(e *pb.PlaybackEvent) { e.PlayedSeconds = n })
		add("position_seconds", func(e *pb.PlaybackEvent) { e.PositionSeconds = n })
	}
	for n := int32(-1); n <= int32(len(pb.Device_name))+1; n++ {
		add("device", func(e *pb.PlaybackEvent) { e.Device = pb.Device(n) })
	}
	for n := int32(-1); n <= int32(len(pb.VideoQuality_name))+1; n++ {
		add("quality", func(e *pb.PlaybackEvent) { e.Quality = pb.VideoQuality(n) })
	}
	for _, c := range cases {
		m := proto.Clone(good).(*pb.PlaybackEvent)
		c.set(m)
		contract := ""
		if err := v.Validate(m); err != nil {
			var verr *protovalidate.ValidationError
			if !errors.As(err, &verr) {
				t.Fatal(err)
			}
			var fields []string
			for _, viol := range verr.Violations {
				fields = append(fields, protovalidate.FieldPathString(viol.Proto.GetField()))
			}
			contract = strings.Join(fields, ",")
		}
		e := wire.FromPB(m)
		ingest.LowerUUIDs(&e)
		domain := ""
		if err := ingest.Validate(&e, time.Now(), 0, 0); err != nil {
			domain = err.Field
		}
		if contract != domain {
			t.Errorf("%s = %v: the contract refuses %q, ingest.Validate %q", c.field, fieldValue(m, c.field), contract, domain)
		}
	}
	t.Logf("%d values compared", len(cases))
}

func fieldValue(m *pb.PlaybackEvent, field string) any {
	fd := m.ProtoReflect().Descriptor().Fields().ByName(protoreflect.Name(field))
	return m.ProtoReflect().Get(fd).Interface()
}
