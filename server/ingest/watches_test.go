package ingest

import (
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/streamingplatform/streaming/server/streaming"
)

func TestViewingsOnePerHourOfAPartitionWrite(t *testing.T) {
	h := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	ev := func(at time.Time, completed bool) *streaming.PlaybackEvent {
		return &streaming.PlaybackEvent{UserID: "u1", ContentID: "c1", OccurredAt: at, Completed: completed, Device: "tv", PlayedSeconds: 30}
	}
	est := time.FixedZone("EST", -5*3600)
	phone := ev(h.Add(20*time.Minute), false) // same hour, another device
	phone.Device, phone.PlayedSeconds = "mobile", 7
	events := []*streaming.PlaybackEvent{
		ev(h.Add(5*time.Minute), false),
		ev(h.Add(59*time.Minute).In(est), true), // same hour, another zone
		ev(h.Add(61*time.Minute), false),        // the next hour
		phone,
		ev(h.Add(10*time.Minute), false), // back in the first
		ev(h.Add(-time.Second), false),   // the hour before
	}
	got := Viewings(nil, events)
	want := []streaming.Viewing{
		{UserID: "u1", ContentID: "c1", Hour: h, Device: "tv", Completed: true, Seconds: 90, Events: 3},
		{UserID: "u1", ContentID: "c1", Hour: h.Add(time.Hour), Device: "tv", Seconds: 30, Events: 1},
		{UserID: "u1", ContentID: "c1", Hour: h, Device: "mobile", Seconds: 7, Events: 1},
		{UserID: "u1", ContentID: "c1", Hour: h.Add(-time.Hour), Device: "tv", Seconds: 30, Events: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("viewings = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].UserID != want[i].UserID || got[i].ContentID != want[i].ContentID || !got[i].Hour.Equal(want[i].Hour) ||
			got[i].Device != want[i].Device || got[i].Seconds != want[i].Seconds || got[i].Events != want[i].Events ||
			got[i].Completed != want[i].Completed || got[i].Hour.Location() != time.UTC {
			t.Errorf("viewing %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// The ids are copies, not the events' bytes.
	if unsafe.StringData(got[0].UserID) == unsafe.StringData(events[0].UserID) {
		t.Error("a viewing shares its user id with the event it came from")
	}
	// Appending keeps what dst held; no events, no viewings.
	if again := Viewings(got[:1:1], events[2:3]); len(again) != 2 || !again[1].Hour.Equal(h.Add(time.Hour)) {
		t.Errorf("appended viewings = %+v", again)
	}
	if none := Viewings(nil, nil); len(none) != 0 {
		t.Errorf("no events gave %+v", none)
	}
	// Before 1970 the hour is floored, not truncated toward zero.
	if v := Viewings(nil, []*streaming.PlaybackEvent{ev(time.Unix(-1, 0), false)}); !v[0].Hour.Equal(time.Unix(-3600, 0)) {
		t.Errorf("hour of 1969-12-31T23:59:59Z = %v", v[0].Hour)
	}
}

func TestWatchesFoldsPerUserAndTitle(t *testing.T) {
	v := func(user, content string, completed bool) streaming.Viewing {
		return streaming.Viewing{UserID: user, ContentID: content, Completed: completed}
	}
	watches, users := Watches([]streaming.Viewing{
		v("u1", "c1", false), v("u2", "c1", false), v("u1", "c1", true), v("u1", "c2", false), v("u1", "c1", false),
	})
	want := []streaming.Watch{{UserID: "u1", ContentID: "c1", Completed: true}, {UserID: "u2", ContentID: "c1"},
		{UserID: "u1", ContentID: "c2"}}
	if !slices.Equal(watches, want) {
		t.Errorf("watches = %+v, want %+v", watches, want)
	}
	if !slices.Equal(users, []string{"u1", "u2"}) {
		t.Errorf("users = %v, want [u1 u2]", users)
	}
	if w, u := Watches(nil); len(w) != 0 || len(u) != 0 {
		t.Errorf("no viewings gave %v %v", w, u)
	}
}
