package wire

import pb "github.com/streamingplatform/streaming/gen/streaming/v1"

// DeviceToPB is the contract's device for the domain's name (for messages other than playback events: a lease).
func DeviceToPB(d string) pb.Device { return deviceToPB[d] }

// DeviceFromPB is the domain's name of a contract device; "" for one it does not know.
func DeviceFromPB(d pb.Device) string { return deviceFromPB[d] }
