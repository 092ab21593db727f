// Package analytics keeps the catalog analytics' roll-ups (docs/analytics.md): playback folded per title, UTC hour,
// viewer country and device into the search server's monthly indices, where GetContentAnalytics aggregates them.
// Live, it is one of the ingest's derived updates (Rollups.Apply, behind its own bounded buffer); Rebuild recomputes
// a range from the playback history in Cassandra; Retention drops the months past the retention period.
package analytics

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Rollups folds durable playback into roll-ups.
type Rollups struct {
	Store     streaming.AnalyticsStore
	Viewers   streaming.RollupViewers
	Countries streaming.UserCountries
}

// Apply adds the viewings' playback to their roll-ups: seconds and events add up, and a viewer is a play (and a
// completion) of a roll-up only the first time RollupViewers sees it there, so a replayed or late viewing adds no
// play. Seconds and events are at least once: a write that fails part-way is replayed whole by the ingest's
// Replayer, and what it had written counts twice. It is the derived-update function behind the ingest observer.
func (r *Rollups) Apply(ctx context.Context, viewings []streaming.Viewing) error {
	if len(viewings) == 0 {
		return nil
	}
	countries, err := r.countries(ctx, viewings)
	if err != nil {
		return err
	}
	marks := make([]streaming.ViewerMark, len(viewings))
	folded := map[streaming.RollupKey]*streaming.Rollup{}
	for i, v := range viewings {
		k := keyOf(v, countries)
		marks[i] = streaming.ViewerMark{Key: k, UserID: v.UserID, Completed: v.Completed}
		ro := rollupOf(folded, k)
		ro.Seconds += v.Seconds
		ro.Events += int64(v.Events)
	}
	plays, completions, err := r.Viewers.MarkViewers(ctx, marks)
	if err != nil {
		return err
	}
	for i, mk := range marks {
		ro := folded[mk.Key]
		if plays[i] {
			ro.Plays++
		}
		if completions[i] {
			ro.Completions++
		}
	}
	return r.Store.AddRollups(ctx, sorted(folded))
}

// countries maps the viewings' users to their countries, UnknownCountry for those the read model does not hold.
func (r *Rollups) countries(ctx context.Context, viewings []streaming.Viewing) (map[string]string, error) {
	seen := map[string]bool{}
	var ids []string
	for _, v := range viewings {
		if !seen[v.UserID] {
			seen[v.UserID] = true
			ids = append(ids, v.UserID)
		}
	}
	got, err := r.Countries.UserCountries(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("analytics: viewers' countries: %w", err)
	}
	return got, nil
}

func keyOf(v streaming.Viewing, countries map[string]string) streaming.RollupKey {
	country := countries[v.UserID]
	if country == "" {
		country = streaming.UnknownCountry
	}
	return streaming.RollupKey{ContentID: v.ContentID, Hour: v.Hour.UTC(), Country: country, Device: v.Device}
}

func rollupOf(folded map[streaming.RollupKey]*streaming.Rollup, k streaming.RollupKey) *streaming.Rollup {
	ro := folded[k]
	if ro == nil {
		ro = &streaming.Rollup{ContentID: k.ContentID, Hour: k.Hour, Country: k.Country, Device: k.Device}
		folded[k] = ro
	}
	return ro
}

// sorted is the roll-ups by hour, title, country and device: one order for every write.
func sorted(folded map[streaming.RollupKey]*streaming.Rollup) []streaming.Rollup {
	out := make([]streaming.Rollup, 0, len(folded))
	for _, ro := range folded {
		out = append(out, *ro)
	}
	slices.SortFunc(out, func(a, b streaming.Rollup) int {
		return cmp.Or(a.Hour.Compare(b.Hour), cmp.Compare(a.ContentID, b.ContentID), cmp.Compare(a.Country, b.Country),
			cmp.Compare(a.Device, b.Device))
	})
	return out
}

// EventSource reads the playback history (Cassandra's ScanEvents).
type EventSource interface {
	ScanEvents(ctx context.Context, from, to time.Time, pageSize int, fn func([]*streaming.PlaybackEvent) error) error
}

// RebuildStats says what a Rebuild did.
type RebuildStats struct {
	Events  int64
	Rollups int
}

// Rebuild recomputes the roll-ups of [from, to) from the playback history and replaces the stored ones: exact
// figures, whatever the live path lost or counted twice. It holds the range's roll-ups and each one's viewers in
// memory (a month of a large catalog is millions of roll-ups: rebuild such ranges month by month), and marks the
// viewers in RollupViewers so live events after it count no viewer twice. Roll-ups the history no longer has
// (events past Cassandra's TTL) are left as they are. Events arriving while it runs may be counted by both.
func (r *Rollups) Rebuild(ctx context.Context, src EventSource, from, to time.Time) (RebuildStats, error) {
	var st RebuildStats
	type viewer struct {
		key  streaming.RollupKey
		user string
	}
	// A viewing per (user, title, hour, device), as the live path sees them: one per partition write.
	var viewings []streaming.Viewing
	index := map[viewer]int{}
	type partKey struct {
		user, content, device string
		hour                  int64
	}
	parts := map[partKey]int{}
	err := src.ScanEvents(ctx, from, to, 5000, func(events []*streaming.PlaybackEvent) error {
		for _, e := range events {
			st.Events++
			h := e.OccurredAt.UTC().Truncate(time.Hour)
			pk := partKey{e.UserID, e.ContentID, e.Device, h.Unix()}
			i, ok := parts[pk]
			if !ok {
				i = len(viewings)
				parts[pk] = i
				viewings = append(viewings, streaming.Viewing{UserID: e.UserID, ContentID: e.ContentID, Hour: h, Device: e.Device})
			}
			v := &viewings[i]
			v.Seconds += int64(e.PlayedSeconds)
			v.Events++
			v.Completed = v.Completed || e.Completed
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("analytics: rebuild: read history: %w", err)
	}
	countries, err := r.countries(ctx, viewings)
	if err != nil {
		return st, err
	}
	folded := map[streaming.RollupKey]*streaming.Rollup{}
	marks := make([]streaming.ViewerMark, 0, len(viewings))
	done := map[viewer]bool{}
	for _, v := range viewings {
		k := keyOf(v, countries)
		ro := rollupOf(folded, k)
		ro.Seconds += v.Seconds
		ro.Events += int64(v.Events)
		vk := viewer{k, v.UserID}
		if _, ok := index[vk]; !ok {
			index[vk] = len(marks)
			ro.Plays++
			marks = append(marks, streaming.ViewerMark{Key: k, UserID: v.UserID})
		}
		if v.Completed && !done[vk] {
			done[vk] = true
			ro.Completions++
			marks[index[vk]].Completed = true
		}
	}
	for chunk := range slices.Chunk(marks, 5000) {
		if _, _, err := r.Viewers.MarkViewers(ctx, chunk); err != nil {
			return st, fmt.Errorf("analytics: rebuild: mark viewers: %w", err)
		}
	}
	out := sorted(folded)
	for chunk := range slices.Chunk(out, 5000) {
		if err := r.Store.PutRollups(ctx, chunk); err != nil {
			return st, fmt.Errorf("analytics: rebuild: write roll-ups: %w", err)
		}
	}
	st.Rollups = len(out)
	return st, nil
}
