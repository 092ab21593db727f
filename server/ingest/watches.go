package ingest

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Viewings appends to dst the viewings of one partition write's durable events, which share a user and a title (the
// pipeline writes one partition at a time; PlaybackObserver promises it): one viewing per UTC hour and device,
// completed if any of its events is, with the seconds played summed. The ids are read (and cloned, so a viewing
// keeps nothing of the request the events were decoded from) once per write, not compared per event; the device is
// one of streaming.Devices' own strings.
func Viewings(dst []streaming.Viewing, events []*streaming.PlaybackEvent) []streaming.Viewing {
	if len(events) == 0 {
		return dst
	}
	first := len(dst)
	user, content := strings.Clone(events[0].UserID), strings.Clone(events[0].ContentID)
	type key struct {
		hour   int64
		device string
	}
	var keys []key // parallel to dst[first:], while the write spans more than one hour or device
	last := key{hour: math.MinInt64}
	i := -1
	for _, e := range events {
		k := key{hourOf(e.OccurredAt), e.Device}
		if k != last { // rare: the write spans hours or devices
			i = first + slices.Index(keys, k)
			if i < first {
				keys = append(keys, k)
				dst = append(dst, streaming.Viewing{UserID: user, ContentID: content, Hour: time.Unix(k.hour*3600, 0).UTC(),
					Device: canonicalDevice(e.Device)})
				i = len(dst) - 1
			}
			last = k
		}
		v := &dst[i]
		v.Completed = v.Completed || e.Completed
		v.Seconds += int64(e.PlayedSeconds)
		v.Events++
	}
	return dst
}

// canonicalDevice is d as one of streaming.Devices' strings (so a viewing holds none of the request's bytes); d
// itself, cloned, if it is none of them.
func canonicalDevice(d string) string {
	for _, known := range streaming.Devices {
		if d == known {
			return known
		}
	}
	return strings.Clone(d)
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
