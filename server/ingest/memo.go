package ingest

import (
	"context"
	"hash/maphash"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Defaults of the memos' bounds (as streamingd wires them).
const (
	// DefaultMemoKeys is how many keys one generation of a memo holds: two generations of about 16 bytes a key,
	// some 32 MiB at most.
	DefaultMemoKeys = 1 << 20
	// DefaultMemoPeriod is how long a generation lasts at most: a key still being applied is applied again within
	// twice this.
	DefaultMemoPeriod = 10 * time.Minute
)

// memo remembers which derived updates a store already holds, as flags per key, so an update that would change
// nothing is not sent again. It keeps a 64-bit hash of each key (seeded per process) in two generations: lookups
// read both, remember writes to the newer, and once the newer holds max keys or period has passed the older is
// dropped. So memory stays bounded, and a key still being applied is applied again at least every 2×period: what a
// store lost (a volume lost and not yet rebuilt) comes back by itself. Two keys sharing a hash (odds about n²/2⁶⁵
// for n keys) would let one key's first update go unsent until its generation ends. Safe for concurrent use.
type memo struct {
	seed   maphash.Seed
	max    int
	period time.Duration
	now    func() time.Time // time.Now; tests set it

	mu        sync.Mutex
	cur, prev map[uint64]uint8
	since     time.Time // when cur was started
}

func newMemo(max int, period time.Duration) *memo {
	if max <= 0 {
		max = DefaultMemoKeys
	}
	if period <= 0 {
		period = DefaultMemoPeriod
	}
	return &memo{seed: maphash.MakeSeed(), max: max, period: period, now: time.Now}
}

// key hashes the parts of a key, each ended by a zero byte, so ("u1", "c1x") is not ("u1c", "1x").
func (m *memo) key(parts ...string) uint64 {
	var h maphash.Hash
	h.SetSeed(m.seed)
	for _, p := range parts {
		h.WriteString(p)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// lookup returns the flags held for k (0: none). m.mu must be held.
func (m *memo) lookup(k uint64) uint8 {
	if f, ok := m.cur[k]; ok {
		return f
	}
	return m.prev[k]
}

// missing reports, for each key, whether the store may lack one of the flags wanted for it.
func (m *memo) missing(keys []uint64, want []uint8) []bool {
	out := make([]bool, len(keys))
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, k := range keys {
		out[i] = m.lookup(k)&want[i] != want[i]
	}
	return out
}

// remember records that the store holds flags for each key, added to what was held.
func (m *memo) remember(keys []uint64, flags []uint8) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, k := range keys {
		if m.cur == nil || len(m.cur) >= m.max || m.now().Sub(m.since) >= m.period {
			m.prev, m.cur, m.since = m.cur, make(map[uint64]uint8), m.now()
		}
		m.cur[k] = m.lookup(k) | flags[i]
	}
}

// Flags of the memos.
const (
	memoSeen      uint8 = 1 << iota // the store holds the key (an edge, a viewer)
	memoCompleted                   // ... as completed
)

// WatchMemo remembers the watch signals the graph already holds, so the watched update writes only the watches that
// change an edge: a (user, title) pair not written before, or one now completed that was written as not completed.
// While a user plays a title, each partition write of their events gives a watch of the same pair; written every
// time, each was a graph transaction and an invalidation of the user's cached recommendations, though the WATCHED
// edge (it holds only `completed`, which only ever rises) was already there. See memo for its bounds.
type WatchMemo struct {
	m                  *memo
	written, unchanged atomic.Uint64
}

// NewWatchMemo returns an empty memo of generations of at most pairs pairs (DefaultMemoKeys when ≤ 0) lasting at
// most period (DefaultMemoPeriod when ≤ 0).
func NewWatchMemo(pairs int, period time.Duration) *WatchMemo {
	return &WatchMemo{m: newMemo(pairs, period)}
}

func watchFlags(w streaming.Watch) uint8 {
	if w.Completed {
		return memoSeen | memoCompleted
	}
	return memoSeen
}

func (wm *WatchMemo) keys(watches []streaming.Watch) (keys []uint64, flags []uint8) {
	keys, flags = make([]uint64, len(watches)), make([]uint8, len(watches))
	for i, w := range watches {
		keys[i], flags[i] = wm.m.key(w.UserID, w.ContentID), watchFlags(w)
	}
	return keys, flags
}

// Changes folds viewings into watches (see Watches) and returns those that would change the graph, with their
// distinct users in first-seen order: the users whose cached recommendations the change makes stale.
func (wm *WatchMemo) Changes(viewings []streaming.Viewing) (watches []streaming.Watch, users []string) {
	all, _ := Watches(viewings)
	for i, miss := range wm.m.missing(wm.keys(all)) {
		if miss {
			watches = append(watches, all[i])
		}
	}
	wm.unchanged.Add(uint64(len(all) - len(watches)))
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
func (wm *WatchMemo) Remember(watches []streaming.Watch) {
	if len(watches) == 0 {
		return
	}
	wm.m.remember(wm.keys(watches))
	wm.written.Add(uint64(len(watches)))
}

// Written is how many watches were remembered as written so far; Unchanged how many Changes left out.
func (wm *WatchMemo) Written() uint64   { return wm.written.Load() }
func (wm *WatchMemo) Unchanged() uint64 { return wm.unchanged.Load() }

// ViewerMemo remembers which viewers the trending counters already hold for a title and hour, so the trending
// update sends only new viewers: while a user plays a title, each partition write gives a viewing of the same
// viewer, title and hour, which the counters (a HyperLogLog per title and hour) already count. See memo for its
// bounds.
type ViewerMemo struct {
	m           *memo
	sent, known atomic.Uint64
}

// NewViewerMemo returns an empty memo (bounds as NewWatchMemo's).
func NewViewerMemo(keys int, period time.Duration) *ViewerMemo {
	return &ViewerMemo{m: newMemo(keys, period)}
}

func (vm *ViewerMemo) keys(viewings []streaming.Viewing) (keys []uint64, flags []uint8) {
	keys, flags = make([]uint64, len(viewings)), make([]uint8, len(viewings))
	for i, v := range viewings {
		keys[i], flags[i] = vm.m.key(v.UserID, v.ContentID, strconv.FormatInt(v.Hour.Unix()/3600, 10)), memoSeen
	}
	return keys, flags
}

// New returns the viewings whose viewer, title and hour the counters may not hold yet (a new slice; viewings is not
// modified).
func (vm *ViewerMemo) New(viewings []streaming.Viewing) []streaming.Viewing {
	var out []streaming.Viewing
	for i, miss := range vm.m.missing(vm.keys(viewings)) {
		if miss {
			out = append(out, viewings[i])
		}
	}
	vm.known.Add(uint64(len(viewings) - len(out)))
	return out
}

// Remember records viewings as counted: call it once their update succeeded.
func (vm *ViewerMemo) Remember(viewings []streaming.Viewing) {
	if len(viewings) == 0 {
		return
	}
	vm.m.remember(vm.keys(viewings))
	vm.sent.Add(uint64(len(viewings)))
}

// Sent is how many viewings were remembered as counted so far; Known how many New left out.
func (vm *ViewerMemo) Sent() uint64  { return vm.sent.Load() }
func (vm *ViewerMemo) Known() uint64 { return vm.known.Load() }

// MarkMemo is the analytics roll-ups' viewer sets (a streaming.RollupViewers, in Redis) with a memo in front: it
// sends only the marks the sets may not hold yet. While a user plays a title, every viewing of the same hour and
// device marks the same viewer in the same roll-up again, which the sets already hold; the answer for such a mark
// is known (not a new play, nor a new completion), so it is given without asking. A mark repeated within one call
// is sent once. See memo for its bounds: a mark still being made reaches the sets again within twice the period,
// so sets the store lost refill by themselves (their plays lost meanwhile are restored by -rebuild=analytics).
type MarkMemo struct {
	next        streaming.RollupViewers
	m           *memo
	sent, known atomic.Uint64
}

// NewMarkMemo returns an empty memo in front of next (bounds as NewWatchMemo's).
func NewMarkMemo(next streaming.RollupViewers, keys int, period time.Duration) *MarkMemo {
	return &MarkMemo{next: next, m: newMemo(keys, period)}
}

var _ streaming.RollupViewers = (*MarkMemo)(nil)

// MarkViewers sends next the marks the memo does not know the sets to hold, and answers the others as neither a new
// play nor a new completion. The marks sent are remembered once next succeeded.
func (mm *MarkMemo) MarkViewers(ctx context.Context, marks []streaming.ViewerMark) (plays, completions []bool, err error) {
	keys, flags := make([]uint64, len(marks)), make([]uint8, len(marks))
	for i, mk := range marks {
		k := mk.Key
		keys[i] = mm.m.key(mk.UserID, k.ContentID, strconv.FormatInt(k.Hour.Unix()/3600, 10), k.Country, k.Device)
		flags[i] = memoSeen
		if mk.Completed {
			flags[i] |= memoCompleted
		}
	}
	// What to send: the marks the memo may lack, each key once, completed if any of its marks is. owner says which
	// mark of the call gets a sent key's answers: the first of the key its play, the first completed its completion
	// (each counted once; every mark of a key is of the same roll-up).
	var send []streaming.ViewerMark
	var sentKeys []uint64
	var sentFlags []uint8
	type owner struct{ play, done int }
	var owners []owner
	at := map[uint64]int{} // key → its index in send
	for i, miss := range mm.m.missing(keys, flags) {
		if !miss {
			continue
		}
		j, ok := at[keys[i]]
		if !ok {
			j = len(send)
			at[keys[i]] = j
			send = append(send, streaming.ViewerMark{Key: marks[i].Key, UserID: marks[i].UserID})
			sentKeys, sentFlags, owners = append(sentKeys, keys[i]), append(sentFlags, memoSeen), append(owners, owner{i, -1})
		}
		if marks[i].Completed && owners[j].done < 0 {
			send[j].Completed = true
			sentFlags[j] |= memoCompleted
			owners[j].done = i
		}
	}
	mm.known.Add(uint64(len(marks) - len(send)))
	plays, completions = make([]bool, len(marks)), make([]bool, len(marks))
	if len(send) == 0 {
		return plays, completions, nil
	}
	p, c, err := mm.next.MarkViewers(ctx, send)
	if err != nil {
		return nil, nil, err
	}
	for j, o := range owners {
		plays[o.play] = p[j]
		if o.done >= 0 {
			completions[o.done] = c[j]
		}
	}
	mm.m.remember(sentKeys, sentFlags)
	mm.sent.Add(uint64(len(send)))
	return plays, completions, nil
}

// Sent is how many marks were sent to the viewer sets so far; Known how many were not sent: held by the sets
// already, or repeated within a call.
func (mm *MarkMemo) Sent() uint64  { return mm.sent.Load() }
func (mm *MarkMemo) Known() uint64 { return mm.known.Load() }
