package ingest

import (
	"slices"
	"testing"

	"github.com/streamingplatform/streaming/server/streaming"
)

func TestWatchesFoldsPerUserAndTitle(t *testing.T) {
	ev := func(user, content string, completed bool) streaming.PlaybackEvent {
		return streaming.PlaybackEvent{UserID: user, ContentID: content, Completed: completed}
	}
	watches, users := Watches([]streaming.PlaybackEvent{
		ev("u1", "c1", false), ev("u2", "c1", false), ev("u1", "c1", true), ev("u1", "c2", false), ev("u1", "c1", false),
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
		t.Errorf("no events gave %v %v", w, u)
	}
}
