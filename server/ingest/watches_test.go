package ingest

import (
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/streamingplatform/streaming/server/streaming"
)

func TestViewingsOnePerUserTitleAndHour(t *testing.T) {
	h := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	ev := func(user, content string, at time.Time, completed bool) *streaming.PlaybackEvent {
		return &streaming.PlaybackEvent{UserID: user, ContentID: content, OccurredAt: at, Completed: completed}
	}
	est := time.FixedZone("EST", -5*3600)
	events := []*streaming.PlaybackEvent{
		ev("u1", "c1", h.Add(5*time.Minute), false),
		ev("u1", "c1", h.Add(59*time.Minute).In(est), true), // same hour, another zone
		ev("u1", "c1", h.Add(61*time.Minute), false),        // the next hour
		ev("u1", "c1", h.Add(10*time.Minute), false),        // back in the first
		ev("u2", "c1", h, false),
	}
	got := Viewings(nil, events)
	want := []streaming.Viewing{
		{UserID: "u1", ContentID: "c1", Hour: h, Completed: true},
		{UserID: "u1", ContentID: "c1", Hour: h.Add(time.Hour)},
		{UserID: "u2", ContentID: "c1", Hour: h},
	}
	if len(got) != len(want) {
		t.Fatalf("viewings = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].UserID != want[i].UserID || got[i].ContentID != want[i].ContentID || !got[i].Hour.Equal(want[i].Hour) ||
			got[i].Completed != want[i].Completed || got[i].Hour.Location() != time.UTC {
			t.Errorf("viewing %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// The ids are copies, not the events' bytes.
	if unsafe.StringData(got[0].UserID) == unsafe.StringData(events[0].UserID) {
		t.Error("a viewing shares its user id with the event it came from")
	}
	// Appending keeps what dst held.
	if again := Viewings(got[:1:1], events[4:]); len(again) != 2 || again[0].UserID != "u1" || again[1].UserID != "u2" {
		t.Errorf("appended viewings = %+v", again)
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
