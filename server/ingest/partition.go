package ingest

import "hash/maphash"

// partition identifies a (user, title) partition by value: the two UUIDs decoded to 128 bits each. The grouping map
// is looked up once per event, and a key of 32 inline bytes hashes and compares without following the strings'
// pointers into the batches they came from (a cache miss each, measured as most of Submit's time).
type partition struct{ u0, u1, c0, c1 uint64 }

// partitionOf is e's partition. Events that passed Validate carry canonical UUIDs, decoded exactly; any other id
// (the pipeline does not require Validate) is hashed to 128 bits with two per-process seeds, so two different ids
// meet only by a 2^-128 accident — and even then the store's check that one write holds one partition refuses it.
func partitionOf(user, content string) partition {
	var p partition
	p.u0, p.u1 = uuidBits(user)
	p.c0, p.c1 = uuidBits(content)
	return p
}

var seed0, seed1 = maphash.MakeSeed(), maphash.MakeSeed()

func uuidBits(s string) (uint64, uint64) {
	if !IsCanonicalUUID(s) {
		return maphash.String(seed0, s) | 1<<63, maphash.String(seed1, s)
	}
	a := uint64(unhex8(le64(s[0:8])))<<32 | uint64(unhex8(le32(s[9:13])|le32(s[14:18])<<32))
	b := uint64(unhex8(le32(s[19:23])|le32(s[24:28])<<32))<<32 | uint64(unhex8(le64(s[28:36])))
	return a, b
}

// unhex8 decodes eight lower-case hex digits (x's bytes, first digit lowest) into 32 bits, first digit highest.
func unhex8(x uint64) uint32 {
	// Each byte to its nibble: '0'..'9' keep their low four bits, 'a'..'f' (bit 6 set) get 9 added.
	n := x&0x0f0f0f0f0f0f0f0f + (x>>6&0x0101010101010101)*9
	// Pairs of nibbles to bytes (the first digit of a pair is the high nibble), then the four bytes together.
	p := (n&0x00ff00ff00ff00ff)<<4 | n>>8&0x00ff00ff00ff00ff
	p = (p | p>>8) & 0x0000ffff0000ffff
	p = (p | p>>16) & 0x00000000ffffffff
	// p's bytes hold the digits' bytes in reading order, lowest first: reverse to make the first the highest.
	return uint32(p>>24&0xff | p>>8&0xff00 | p<<8&0xff0000 | p<<24&0xff000000)
}

// openTable maps partitions to their open group: an open-addressing table (linear probing, at most half full)
// keyed by the partition's 32 bytes with a multiply-xor hash. It replaces a Go map on the hottest line of Submit,
// where hashing the key with the runtime's generic hash was a third of the lookup. A slot is one cache line and
// holds the open group's events itself (see openSlot), so adding an event touches the slot and the end of its
// events, never the group. There is no delete: a partition whose group was flushed keeps its slot, marked
// flushedGroup, until the next event of the partition opens a group there or keepOpen drops it.
type openTable struct {
	slots []openSlot // len is a power of two
	n     int        // slots in use
}

// openSlot is a partition's entry: 64 bytes, so with the slots' array page-aligned (as Go allocates large
// arrays) a slot never straddles two cache lines. While g is open, refs are its events (g.refs is empty); flushing
// moves them into g.
type openSlot struct {
	key  partition
	g    *group // nil: the slot is empty; flushedGroup: the partition's last group was flushed
	refs []ref
}

// flushedGroup marks the slot of a partition with no open group.
var flushedGroup = &group{}

func (s *openSlot) isOpen() bool { return s.g != nil && s.g != flushedGroup }

func (k partition) hash() uint64 {
	h := k.u0*0x9e3779b97f4a7c15 ^ k.u1 ^ (k.c0*0xc2b2ae3d27d4eb4f^k.c1)*0x165667b19e3779f9
	h ^= h >> 32
	h *= 0xd6e8feb86659fd93
	return h ^ h>>32
}

// find returns k's slot, or nil when k has none.
func (t *openTable) find(k partition) *openSlot {
	if len(t.slots) == 0 {
		return nil
	}
	mask := uint64(len(t.slots) - 1)
	for i := k.hash() & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.g == nil {
			return nil
		}
		if s.key == k {
			return s
		}
	}
}

// slot returns k's slot, taking an empty one (marked flushedGroup: no open group yet) when k has none. The pointer is valid until the
// table next grows or is reset.
func (t *openTable) slot(k partition) *openSlot {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := k.hash() & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.g == nil {
			*s = openSlot{key: k, g: flushedGroup}
			t.n++
			return s
		}
		if s.key == k {
			return s
		}
	}
}

func (t *openTable) grow() {
	old := t.slots
	t.slots, t.n = make([]openSlot, max(2*len(old), 1024)), 0
	for i := range old {
		if old[i].g != nil {
			*t.slot(old[i].key) = old[i]
		}
	}
}

// keepOpen drops every slot whose partition has no open group, keeping the slots' array.
func (t *openTable) keepOpen(buf []openSlot) []openSlot {
	buf = buf[:0]
	for i := range t.slots {
		if t.slots[i].isOpen() {
			buf = append(buf, t.slots[i])
		}
	}
	clear(t.slots)
	t.n = 0
	for i := range buf {
		*t.slot(buf[i].key) = buf[i]
	}
	clear(buf)
	return buf[:0]
}

func (t *openTable) len() int { return t.n }
