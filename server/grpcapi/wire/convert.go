package wire

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/streamingplatform/streaming/gen/streaming/v1"
	"github.com/streamingplatform/streaming/server/streaming"
)

// QualityToPB and deviceToPB map the domain's quality and device names to the contract's enums; the reverse tables
// serve requests. Explicit tables: renumbering or renaming either side fails to compile or shows here.
var QualityToPB = map[string]pb.VideoQuality{
	"sd": pb.VideoQuality_VIDEO_QUALITY_SD, "hd": pb.VideoQuality_VIDEO_QUALITY_HD,
	"full_hd": pb.VideoQuality_VIDEO_QUALITY_FULL_HD, "uhd": pb.VideoQuality_VIDEO_QUALITY_UHD,
}

var deviceToPB = map[string]pb.Device{
	"web": pb.Device_DEVICE_WEB, "mobile": pb.Device_DEVICE_MOBILE, "tablet": pb.Device_DEVICE_TABLET,
	"tv": pb.Device_DEVICE_TV, "console": pb.Device_DEVICE_CONSOLE,
}

var (
	// QualityFromPB is the domain's name of a contract quality; "" for one it does not know.
	QualityFromPB = reverse(QualityToPB)
	deviceFromPB  = reverse(deviceToPB)
)

func reverse[K comparable, V comparable](m map[K]V) map[V]K {
	out := make(map[V]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

// ToPB is the contract's form of a playback event.
func ToPB(e *streaming.PlaybackEvent) *pb.PlaybackEvent {
	out := &pb.PlaybackEvent{EventId: e.EventID, UserId: e.UserID, ContentId: e.ContentID,
		PlayedSeconds: e.PlayedSeconds, PositionSeconds: e.PositionSeconds, Device: deviceToPB[e.Device],
		Quality: QualityToPB[e.Quality], Completed: e.Completed}
	if !e.OccurredAt.IsZero() {
		out.OccurTime = timestamppb.New(e.OccurredAt)
	}
	return out
}

// FromPB converts without allocating beyond the struct; unknown enum values become "" and are rejected by
// validation.
func FromPB(e *pb.PlaybackEvent) streaming.PlaybackEvent {
	out := streaming.PlaybackEvent{EventID: e.GetEventId(), UserID: e.GetUserId(), ContentID: e.GetContentId(),
		PlayedSeconds: e.GetPlayedSeconds(), PositionSeconds: e.GetPositionSeconds(), Device: deviceFromPB[e.GetDevice()],
		Quality: QualityFromPB[e.GetQuality()], Completed: e.GetCompleted()}
	if t := e.GetOccurTime(); t != nil {
		out.OccurredAt = t.AsTime()
	}
	return out
}
