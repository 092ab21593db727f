package ingest

import (
	"strings"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Viewings appends to dst the viewings of durable events: one per (user, title, UTC hour), completed if any of its
// events is. The pipeline passes one partition write at a time, so the events share a user and title and usually
// an hour: the common case costs a comparison per event and two small copies (the ids) per write. The ids are
// cloned, so a viewing keeps nothing of the request the events were decoded from.
func Viewings(dst []streaming.Viewing, events []*streaming.PlaybackEvent) []streaming.Viewing {
	first := len(dst)
	for _, e := range events {
		hour := e.OccurredAt.UTC().Truncate(time.Hour)
		i := len(dst) - 1
		for ; i >= first; i-- { // newest first: the last viewing is almost always the one
			v := &dst[i]
			if v.Hour.Equal(hour) && v.UserID == e.UserID && v.ContentID == e.ContentID {
				break
			}
		}
		if i >= first {
			dst[i].Completed = dst[i].Completed || e.Completed
			continue
		}
		v := streaming.Viewing{Hour: hour, Completed: e.Completed}
		// Share the clones of an earlier viewing of this write where the ids are the same.
		if n := len(dst); n > first && dst[n-1].UserID == e.UserID {
			v.UserID = dst[n-1].UserID
		} else {
			v.UserID = strings.Clone(e.UserID)
		}
		if n := len(dst); n > first && dst[n-1].ContentID == e.ContentID {
			v.ContentID = dst[n-1].ContentID
		} else {
			v.ContentID = strings.Clone(e.ContentID)
		}
		dst = append(dst, v)
	}
	return dst
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
