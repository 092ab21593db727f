package ingest

import "github.com/streamingplatform/streaming/server/streaming"

// Watches folds playback events into one watch signal per (user, title) — completed if any event says so — and
// the distinct users, in first-seen order. It is how a batch of events becomes WATCHED edges and cache
// invalidations; folding first keeps the graph write to one row per edge however many events a title got.
func Watches(events []streaming.PlaybackEvent) (watches []streaming.Watch, users []string) {
	type key struct{ user, content string }
	index := make(map[key]int, len(events))
	seenUser := make(map[string]bool)
	for i := range events {
		e := &events[i]
		k := key{e.UserID, e.ContentID}
		if j, ok := index[k]; ok {
			watches[j].Completed = watches[j].Completed || e.Completed
			continue
		}
		index[k] = len(watches)
		watches = append(watches, streaming.Watch{UserID: e.UserID, ContentID: e.ContentID, Completed: e.Completed})
		if !seenUser[e.UserID] {
			seenUser[e.UserID] = true
			users = append(users, e.UserID)
		}
	}
	return watches, users
}
