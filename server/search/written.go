package search

import "sync"

// writtenRollups remembers, per roll-up id, the document this process last wrote and the sequence number and primary
// term the search server gave that write, so an addition to a roll-up written here before needs no read: it is
// written conditionally on that sequence number, from the remembered document. The memory is only a hint: when
// another writer (another replica, a rebuild) changed the roll-up since, the conditional write is refused (409) and
// the roll-up is read and written again, as one never written here is. Reading first was the larger part of an
// addition's cost in the search server: a realtime get of a document written since the last refresh makes the
// shard refresh, so every addition made a segment.
//
// It keeps two generations of at most max ids each: once the current one is full it becomes the previous one and
// the one before is forgotten. Roll-ups are per hour, so the roll-ups being added to are recent ones and an hour
// past is forgotten after a while; a forgotten roll-up costs one read.
type writtenRollups struct {
	mu        sync.Mutex
	max       int
	cur, prev map[string]storedRollup
}

// defaultWrittenRollups bounds each generation: a few hundred bytes an entry, so tens of MB at most.
const defaultWrittenRollups = 100_000

func newWrittenRollups(max int) *writtenRollups {
	return &writtenRollups{max: max, cur: map[string]storedRollup{}}
}

func (w *writtenRollups) get(id string) (storedRollup, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s, ok := w.cur[id]; ok {
		return s, true
	}
	s, ok := w.prev[id]
	return s, ok
}

// put remembers that id was written as s.
func (w *writtenRollups) put(id string, s storedRollup) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.cur[id]; !ok && len(w.cur) >= w.max {
		w.prev, w.cur = w.cur, make(map[string]storedRollup, len(w.cur))
	}
	w.cur[id] = s
	delete(w.prev, id)
}

// forget drops what is remembered of the ids (their outcome is unknown, or another writer changed them).
func (w *writtenRollups) forget(ids ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range ids {
		delete(w.cur, id)
		delete(w.prev, id)
	}
}

// reset forgets everything (indices were deleted: a recreated one numbers its writes from 0 again).
func (w *writtenRollups) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cur, w.prev = map[string]storedRollup{}, nil
}
