package ingest

import (
	"context"
	"sync"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// TitleFilter drops the viewings of titles that are not in the catalog before a derived update applies them, so
// events for made-up title ids feed neither trending nor the graph (a client may send any UUID; the write path does
// not look titles up, which would cost a round trip per event). Answers are cached: a known title for KnownFor, an
// unknown one for UnknownFor (short, so a title created a moment after its first events is counted soon), which
// keeps the lookups to about one per title and interval however many events arrive.
type TitleFilter struct {
	// Lookup returns the ids among ids that are titles (postgres.ReadStore.ExistingContent).
	Lookup     func(ctx context.Context, ids []string) ([]string, error)
	KnownFor   time.Duration // 10 minutes when 0
	UnknownFor time.Duration // 30 seconds when 0
	// MaxEntries bounds the cache (1,000,000 when 0); past it the cache starts again empty.
	MaxEntries int
	Now        func() time.Time // time.Now when nil

	mu    sync.Mutex
	cache map[string]titleEntry
}

type titleEntry struct {
	known bool
	until time.Time
}

// Keep returns the viewings of known titles, moved to the front of viewings (which it reuses). A lookup error
// returns it and no viewings: the caller's update fails and is retried like any store error.
func (f *TitleFilter) Keep(ctx context.Context, viewings []streaming.Viewing) ([]streaming.Viewing, error) {
	now := time.Now()
	if f.Now != nil {
		now = f.Now()
	}
	known, err := f.known(ctx, viewings, now)
	if err != nil {
		return nil, err
	}
	kept := viewings[:0]
	for _, v := range viewings {
		if known[v.ContentID] {
			kept = append(kept, v)
		}
	}
	clear(viewings[len(kept):]) // drop the ids of what was left out
	return kept, nil
}

// known answers, for each distinct title of viewings, whether it is in the catalog: from the cache, and one lookup
// for the rest.
func (f *TitleFilter) known(ctx context.Context, viewings []streaming.Viewing, now time.Time) (map[string]bool, error) {
	out := make(map[string]bool, 8)
	var missing []string
	f.mu.Lock()
	for _, v := range viewings {
		if _, seen := out[v.ContentID]; seen {
			continue
		}
		if e, ok := f.cache[v.ContentID]; ok && now.Before(e.until) {
			out[v.ContentID] = e.known
			continue
		}
		out[v.ContentID] = false
		missing = append(missing, v.ContentID)
	}
	f.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	found, err := f.Lookup(ctx, missing)
	if err != nil {
		return nil, err
	}
	for _, id := range found {
		out[id] = true
	}
	knownFor, unknownFor := orDuration(f.KnownFor, 10*time.Minute), orDuration(f.UnknownFor, 30*time.Second)
	f.mu.Lock()
	defer f.mu.Unlock()
	limit := f.MaxEntries
	if limit <= 0 {
		limit = 1_000_000
	}
	if f.cache == nil || len(f.cache)+len(missing) > limit {
		f.cache = make(map[string]titleEntry, len(missing))
	}
	for _, id := range missing {
		e := titleEntry{known: out[id], until: now.Add(unknownFor)}
		if e.known {
			e.until = now.Add(knownFor)
		}
		f.cache[id] = e
	}
	return out, nil
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
