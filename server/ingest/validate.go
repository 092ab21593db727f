package ingest

import (
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Bounds applied by Validate.
const (
	DefaultMaxSkew = 5 * time.Minute     // how far in the future an event's time may be (device clocks drift)
	DefaultMaxAge  = 30 * 24 * time.Hour // how old an event may be (offline devices upload late)
	MaxSeconds     = 24 * 60 * 60        // played_seconds and position_seconds upper bound
)

// Validate applies the domain checks that proto rules cannot express, in field order, and returns the first
// failure as a CodeInvalid error naming the field (event_id, user_id, content_id, occur_time, played_seconds,
// position_seconds, device, quality), or nil. OccurredAt must lie in [now-maxAge, now+maxSkew]; a bound ≤ 0 is not
// checked. Ids must be canonical UUIDs: 36 characters, lower-case hex in 8-4-4-4-12 groups, because ids are used
// as-is in partition keys and counter keys; the contract also accepts upper case, so the ingest use case
// (server/app/ingest) lowers such ids with LowerUUIDs before it refuses them. The bounds are the contract's
// PlaybackEvent rules (TestEventChecksMatchTheContract in server/grpcapi compares them value by value) plus the
// time window, which the contract cannot state. It does not allocate unless it fails.
func Validate(e *streaming.PlaybackEvent, now time.Time, maxSkew, maxAge time.Duration) *streaming.Error {
	switch {
	case !IsCanonicalUUID(e.EventID):
		return invalidUUID("event_id")
	case !IsCanonicalUUID(e.UserID):
		return invalidUUID("user_id")
	case !IsCanonicalUUID(e.ContentID):
		return invalidUUID("content_id")
	case e.OccurredAt.IsZero():
		return streaming.Invalid("occur_time", "is required")
	case maxSkew > 0 && e.OccurredAt.After(now.Add(maxSkew)):
		return streaming.Invalid("occur_time", "is more than %s in the future", maxSkew)
	case maxAge > 0 && e.OccurredAt.Before(now.Add(-maxAge)):
		return streaming.Invalid("occur_time", "is older than %s", maxAge)
	case e.PlayedSeconds < 0 || e.PlayedSeconds > MaxSeconds:
		return streaming.Invalid("played_seconds", "must be between 0 and %d", MaxSeconds)
	case e.PositionSeconds < 0 || e.PositionSeconds > MaxSeconds:
		return streaming.Invalid("position_seconds", "must be between 0 and %d", MaxSeconds)
	case !oneOf(e.Device, streaming.Devices):
		return streaming.Invalid("device", "must be one of %v", streaming.Devices)
	case !oneOf(e.Quality, streaming.Qualities):
		return streaming.Invalid("quality", "must be one of %v", streaming.Qualities)
	}
	return nil
}

func invalidUUID(field string) *streaming.Error {
	return streaming.Invalid(field, "must be a canonical UUID (lower-case hex, 8-4-4-4-12)")
}

func oneOf(s string, set []string) bool {
	for _, v := range set {
		if s == v {
			return true
		}
	}
	return false
}

// LowerUUIDs rewrites those of e's ids that are UUIDs spelt with upper-case hex digits in the canonical lower case,
// and reports whether it changed any. The contract accepts either case; the pipeline and the stores key partitions
// and counters by the ids as written, so the ingest use case lowers them before Validate refuses them. Only A-F are
// lowered: an id that is not a UUID in some case stays as it was, for Validate to refuse.
func LowerUUIDs(e *streaming.PlaybackEvent) bool {
	changed := false
	for _, id := range [...]*string{&e.EventID, &e.UserID, &e.ContentID} {
		if len(*id) != 36 || IsCanonicalUUID(*id) {
			continue
		}
		b := []byte(*id)
		for i, c := range b {
			if 'A' <= c && c <= 'F' {
				b[i] = c + ('a' - 'A')
			}
		}
		if s := string(b); IsCanonicalUUID(s) {
			*id, changed = s, true
		}
	}
	return changed
}

// IsCanonicalUUID reports whether s is a UUID in canonical text form: lower-case hex digits in groups of 8-4-4-4-12
// separated by hyphens. Any version and variant is accepted.
func IsCanonicalUUID(s string) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	// The 32 digits, eight at a time.
	return hex8(le64(s[0:8]))&hex8(le32(s[9:13])|le32(s[14:18])<<32)&
		hex8(le32(s[19:23])|le32(s[24:28])<<32)&hex8(le64(s[28:36])) == highBits
}

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// hex8 has the high bit of each of x's bytes set when that byte is a lower-case hex digit. Each byte is tested by
// adding offsets that carry into its high bit exactly when it is ≥ '0', > '9', ≥ 'a', > 'f'; with every byte below
// 0x80 no addition carries into the next byte.
func hex8(x uint64) uint64 {
	if x&highBits != 0 {
		return 0
	}
	ge0 := x + (0x80-'0')*lowBits
	gt9 := x + (0x80-'9'-1)*lowBits
	gea := x + (0x80-'a')*lowBits
	gtf := x + (0x80-'f'-1)*lowBits
	return (ge0&^gt9 | gea&^gtf) & highBits
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func le32(s string) uint64 {
	_ = s[3]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}
