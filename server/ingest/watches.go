package ingest

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Viewings appends to dst the viewings of one partition write's durable events, which share a user and a title (the
// pipeline writes one partition at a time; PlaybackObserver promises it): one viewing per UTC hour, completed if any
// of its events is. It reads only each event's time and completed flag, so the ids are read (and cloned, so a
// viewing keeps nothing of the request the events were decoded from) once per write, not compared per event.
func Viewings(dst []streaming.Viewing, events []*streaming.PlaybackEvent) []streaming.Viewing {
	if len(events) == 0 {
		return dst
	}
	first := len(dst)
	user, content := strings.Clone(events[0].UserID), strings.Clone(events[0].ContentID)
	var hours []int64 // parallel to dst[first:], while the write spans more than one hour
	last := int64(math.MinInt64)
	for _, e := range events {
		h := hourOf(e.OccurredAt)
		i := len(dst) - 1
		if h != last { // rare: the write spans hours
			i = first + slices.Index(hours, h)
			if i < first {
				hours = append(hours, h)
				dst = append(dst, streaming.Viewing{UserID: user, ContentID: content, Hour: time.Unix(h*3600, 0).UTC()})
				i = len(dst) - 1
			}
			last = h
		}
		dst[i].Completed = dst[i].Completed || e.Completed
	}
	return dst
}

// hourOf is t's hour since the Unix epoch, floored.
func hourOf(t time.Time) int64 {
	s := t.Unix()
	h := s / 3600
	if s%3600 < 0 {
		h--
	}
	return h
}

// Watches folds viewings into one watch signal per (user, title) — completed if any viewing says so — and the
// distinct users, in first-seen order. It is how the viewings of a batch become WATCHED edges and cache
// invalidations; folding first keeps the graph write to one row per edge however many viewings a title got.
func Watches(viewings []streaming.Viewing) (watches []streaming.Watch, users []string) {
	type key struct{ user, content string }
	index := make(map[key]int, len(viewings))
	seenUser := make(map[string]bool)
	for i := range viewings {
		v := &viewings[i]
		k := key{v.UserID, v.ContentID}
		if j, ok := index[k]; ok {
			watches[j].Completed = watches[j].Completed || v.Completed
			continue
		}
		index[k] = len(watches)
		watches = append(watches, streaming.Watch{UserID: v.UserID, ContentID: v.ContentID, Completed: v.Completed})
		if !seenUser[v.UserID] {
			seenUser[v.UserID] = true
			users = append(users, v.UserID)
		}
	}
	return watches, users
}
