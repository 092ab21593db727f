package ingest

import (
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

func TestValidate(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	good := streaming.PlaybackEvent{
		EventID:    "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b",
		UserID:     "11111111-2222-4333-8444-555555555555",
		ContentID:  "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
		OccurredAt: now.Add(-time.Minute), PlayedSeconds: 30, PositionSeconds: 1200, Device: "tv", Quality: "uhd",
	}
	tests := []struct {
		name   string
		mutate func(*streaming.PlaybackEvent)
		field  string // "" = valid
	}{
		{"valid", func(e *streaming.PlaybackEvent) {}, ""},
		{"all devices and qualities, bounds inclusive", func(e *streaming.PlaybackEvent) {
			e.Device, e.Quality, e.PlayedSeconds, e.PositionSeconds = "console", "sd", 0, MaxSeconds
		}, ""},
		{"exactly max skew ahead", func(e *streaming.PlaybackEvent) { e.OccurredAt = now.Add(5 * time.Minute) }, ""},
		{"exactly max age old", func(e *streaming.PlaybackEvent) { e.OccurredAt = now.Add(-30 * 24 * time.Hour) }, ""},

		{"event_id empty", func(e *streaming.PlaybackEvent) { e.EventID = "" }, "event_id"},
		{"event_id upper case", func(e *streaming.PlaybackEvent) { e.EventID = "0B9C2A3E-5F6D-4E7F-8A9B-0C1D2E3F4A5B" }, "event_id"},
		{"event_id braces", func(e *streaming.PlaybackEvent) { e.EventID = "{0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a}" }, "event_id"},
		{"event_id no hyphens", func(e *streaming.PlaybackEvent) { e.EventID = "0b9c2a3e5f6d4e7f8a9b0c1d2e3f4a5b" }, "event_id"},
		{"event_id hyphen misplaced", func(e *streaming.PlaybackEvent) { e.EventID = "0b9c2a3e5-f6d-4e7f-8a9b-0c1d2e3f4a5b" }, "event_id"},
		{"event_id non-hex", func(e *streaming.PlaybackEvent) { e.EventID = "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5g" }, "event_id"},
		{"event_id too long", func(e *streaming.PlaybackEvent) { e.EventID += "0" }, "event_id"},
		{"user_id bad", func(e *streaming.PlaybackEvent) { e.UserID = "user-1" }, "user_id"},
		{"content_id bad", func(e *streaming.PlaybackEvent) { e.ContentID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeee" }, "content_id"},
		{"occur_time zero", func(e *streaming.PlaybackEvent) { e.OccurredAt = time.Time{} }, "occur_time"},
		{"occur_time too far ahead", func(e *streaming.PlaybackEvent) { e.OccurredAt = now.Add(5*time.Minute + time.Nanosecond) }, "occur_time"},
		{"occur_time too old", func(e *streaming.PlaybackEvent) { e.OccurredAt = now.Add(-30*24*time.Hour - time.Second) }, "occur_time"},
		{"played_seconds negative", func(e *streaming.PlaybackEvent) { e.PlayedSeconds = -1 }, "played_seconds"},
		{"played_seconds over a day", func(e *streaming.PlaybackEvent) { e.PlayedSeconds = MaxSeconds + 1 }, "played_seconds"},
		{"position_seconds negative", func(e *streaming.PlaybackEvent) { e.PositionSeconds = -5 }, "position_seconds"},
		{"position_seconds over a day", func(e *streaming.PlaybackEvent) { e.PositionSeconds = MaxSeconds + 1 }, "position_seconds"},
		{"device unknown", func(e *streaming.PlaybackEvent) { e.Device = "toaster" }, "device"},
		{"device empty", func(e *streaming.PlaybackEvent) { e.Device = "" }, "device"},
		{"device wrong case", func(e *streaming.PlaybackEvent) { e.Device = "TV" }, "device"},
		{"quality unknown", func(e *streaming.PlaybackEvent) { e.Quality = "8k" }, "quality"},
		{"quality empty", func(e *streaming.PlaybackEvent) { e.Quality = "" }, "quality"},
		{"first failing field wins", func(e *streaming.PlaybackEvent) { e.UserID, e.Quality = "x", "x" }, "user_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := good
			tc.mutate(&e)
			err := Validate(&e, now, DefaultMaxSkew, DefaultMaxAge)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v, want nil", err)
				}
				return
			}
			if err == nil || err.Code != streaming.CodeInvalid || err.Field != tc.field || err.Message == "" {
				t.Fatalf("Validate: %#v, want CodeInvalid on %s", err, tc.field)
			}
		})
	}
}

func TestValidateDisabledTimeBounds(t *testing.T) {
	now := time.Now()
	e := ev(1, 1, 1)
	e.OccurredAt = now.Add(-365 * 24 * time.Hour)
	if err := Validate(&e, now, 0, 0); err != nil {
		t.Fatalf("bounds ≤ 0 are not checked: %v", err)
	}
	e.OccurredAt = now.Add(time.Hour)
	if err := Validate(&e, now, 0, 0); err != nil {
		t.Fatalf("bounds ≤ 0 are not checked: %v", err)
	}
}

func TestValidateDoesNotAllocate(t *testing.T) {
	now := time.Now()
	e := ev(1, 1, 1)
	e.OccurredAt = now
	if n := testing.AllocsPerRun(100, func() { _ = Validate(&e, now, DefaultMaxSkew, DefaultMaxAge) }); n != 0 {
		t.Fatalf("Validate allocates %v times per valid event", n)
	}
}

// Every single-byte change of a canonical UUID agrees with a plain per-character check.
func TestIsCanonicalUUIDExhaustive(t *testing.T) {
	plain := func(s string) bool {
		if len(s) != 36 {
			return false
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if c != '-' {
					return false
				}
			} else if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
		return true
	}
	good := "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b"
	if !IsCanonicalUUID(good) || !IsCanonicalUUID("00000000-0000-0000-0000-000000000000") ||
		!IsCanonicalUUID("ffffffff-ffff-ffff-ffff-ffffffffffff") {
		t.Fatal("canonical UUIDs refused")
	}
	for i := 0; i < len(good); i++ {
		for c := 0; c < 256; c++ {
			b := []byte(good)
			b[i] = byte(c)
			if s := string(b); IsCanonicalUUID(s) != plain(s) {
				t.Fatalf("%q: IsCanonicalUUID = %v, want %v", s, IsCanonicalUUID(s), plain(s))
			}
		}
	}
	for _, s := range []string{"", good[:35], good + "0", "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5\xff"} {
		if IsCanonicalUUID(s) != plain(s) {
			t.Fatalf("%q", s)
		}
	}
}

func TestLowerUUIDs(t *testing.T) {
	const lower = "0b9c2a3e-5f6d-4e7f-8a9b-0c1d2e3f4a5b"
	for _, tc := range []struct {
		in, want string
		changed  bool
	}{
		{"0B9C2A3E-5F6D-4E7F-8A9B-0C1D2E3F4A5B", lower, true},
		{"0b9C2a3E-5f6d-4E7f-8a9b-0c1d2e3f4a5B", lower, true},
		{lower, lower, false},
		{"0B9C2A3E-5F6D-4E7F-8A9B-0C1D2E3F4A5G", "0B9C2A3E-5F6D-4E7F-8A9B-0C1D2E3F4A5G", false}, // not hex: left for Validate
		{"USER-1", "USER-1", false},
		{"0B9C2A3E5F6D4E7F8A9B0C1D2E3F4A5B0000", "0B9C2A3E5F6D4E7F8A9B0C1D2E3F4A5B0000", false}, // no hyphens
	} {
		e := streaming.PlaybackEvent{EventID: tc.in, UserID: tc.in, ContentID: lower}
		if changed := LowerUUIDs(&e); changed != tc.changed || e.EventID != tc.want || e.UserID != tc.want || e.ContentID != lower {
			t.Errorf("LowerUUIDs(%q) = %v, ids %q %q %q; want %v, %q", tc.in, changed, e.EventID, e.UserID, e.ContentID, tc.changed, tc.want)
		}
	}
}
