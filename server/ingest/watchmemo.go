package ingest

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Defaults of NewWatchMemo's bounds (as streamingd wires it).
const (
	// DefaultWatchMemoPairs is how many (user, title) pairs one generation of the memo holds: two generations of
	// about 16 bytes a pair, some 32 MiB at most.
	DefaultWatchMemoPairs = 1 << 20
	// DefaultWatchMemoPeriod is how long a generation lasts at most: a pair still being watched is written again
	// within twice this.
	DefaultWatchMemoPeriod = 10 * time.Minute
)

// WatchMemo remembers the watch signals the graph already holds, so the watched update writes only the watches that
// change an edge: a (user, title) pair not written before, or one now completed that was written as not completed.
// While a user plays a title, each partition write of their events gives a watch of the same pair; written every
// time, each was a graph transaction and an invalidation of the user's cached recommendations, though the WATCHED
// edge (it holds only `completed`, which only ever rises) was already there.
//
// It keeps a 64-bit hash of each pair (seeded per process) with the completed flag, in two generations: lookups read
// both, Remember writes to the newer, and once the newer holds Pairs pairs or Period has passed the older is dropped.
// So memory stays bounded, and a pair being watched is written again at least every 2×Period: an edge lost with the
// graph (a volume lost and not yet rebuilt) comes back by itself. Two pairs sharing a hash (odds about n²/2⁶⁵ for n
// pairs remembered) would let one pair's first watch go unwritten until its generation ends.
//
// A memo belongs to one process and one graph; it is safe for concurrent use.
type WatchMemo struct {
	seed   maphash.Seed
	pairs  int
	period time.Duration
	now    func() time.Time // time.Now; tests set it

	mu        sync.Mutex
	cur, prev map[uint64]bool
	since     time.Time // when cur was started

	written, unchanged atomic.Uint64
}

// NewWatchMemo returns an empty memo of generations of at most pairs pairs (DefaultWatchMemoPairs when ≤ 0) lasting
// at most period (DefaultWatchMemoPeriod when ≤ 0).
func NewWatchMemo(pairs int, period time.Duration) *WatchMemo {
	if pairs <= 0 {
		pairs = DefaultWatchMemoPairs
	}
	if period <= 0 {
		period = DefaultWatchMemoPeriod
	}
	return &WatchMemo{seed: maphash.MakeSeed(), pairs: pairs, period: period, now: time.Now}
}

func (m *WatchMemo) key(user, content string) uint64 {
	var h maphash.Hash
	h.SetSeed(m.seed)
	h.WriteString(user)
	h.WriteByte(0)
	h.WriteString(content)
	return h.Sum64()
}

// lookup reports what the memo holds for k. m.mu must be held.
func (m *WatchMemo) lookup(k uint64) (completed, ok bool) {
	if c, ok := m.cur[k]; ok {
		return c, true
	}
	c, ok := m.prev[k]
	return c, ok
}

// Changes folds viewings into watches (see Watches) and returns those that would change the graph, with their
// distinct users in first-seen order: the users whose cached recommendations the change makes stale.
func (m *WatchMemo) Changes(viewings []streaming.Viewing) (watches []streaming.Watch, users []string) {
	all, _ := Watches(viewings)
	keys := make([]uint64, len(all))
	for i, w := range all {
		keys[i] = m.key(w.UserID, w.ContentID)
	}
	m.mu.Lock()
	for i, w := range all {
		if completed, ok := m.lookup(keys[i]); ok && (completed || !w.Completed) {
			continue
		}
		watches = append(watches, w)
	}
	m.mu.Unlock()
	m.unchanged.Add(uint64(len(all) - len(watches)))
	seen := make(map[string]bool, len(watches))
	for _, w := range watches {
		if !seen[w.UserID] {
			seen[w.UserID] = true
			users = append(users, w.UserID)
		}
	}
	return watches, users
}

// Remember records watches as held by the graph: call it once their write (and what must follow it) succeeded. A
// pair remembered as completed stays completed.
func (m *WatchMemo) Remember(watches []streaming.Watch) {
	if len(watches) == 0 {
		return
	}
	keys := make([]uint64, len(watches))
	for i, w := range watches {
		keys[i] = m.key(w.UserID, w.ContentID)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, w := range watches {
		if m.cur == nil || len(m.cur) >= m.pairs || m.now().Sub(m.since) >= m.period {
			m.prev, m.cur, m.since = m.cur, make(map[uint64]bool), m.now()
		}
		completed, _ := m.lookup(keys[i])
		m.cur[keys[i]] = completed || w.Completed
	}
	m.written.Add(uint64(len(watches)))
}

// Written is how many watches were remembered as written so far; Unchanged how many Changes left out.
func (m *WatchMemo) Written() uint64   { return m.written.Load() }
func (m *WatchMemo) Unchanged() uint64 { return m.unchanged.Load() }
