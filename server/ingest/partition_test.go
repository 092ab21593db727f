package ingest

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/uuid"
)

func TestPartitionDecodesCanonicalUUIDs(t *testing.T) {
	for range 1000 {
		id := uuid.NewString()
		hi, lo := uuidBits(id)
		raw, _ := hex.DecodeString(strings.ReplaceAll(id, "-", ""))
		var want0, want1 uint64
		for i := range 8 {
			want0 = want0<<8 | uint64(raw[i])
			want1 = want1<<8 | uint64(raw[8+i])
		}
		if hi != want0 || lo != want1 {
			t.Fatalf("%s: got %016x%016x, want %016x%016x", id, hi, lo, want0, want1)
		}
	}
	if got := partitionOf("ffffffff-ffff-ffff-ffff-ffffffffffff", "00000000-0000-0000-0000-000000000000"); got != (partition{^uint64(0), ^uint64(0), 0, 0}) {
		t.Errorf("extremes = %x", got)
	}
}

func TestPartitionsOfDifferentIDsDiffer(t *testing.T) {
	u, c := uuid.NewString(), uuid.NewString()
	seen := map[partition]string{}
	for _, k := range [][2]string{{u, c}, {c, u}, {strings.ToUpper(u), c}, {u, strings.ToUpper(c)}, {"user-1", c}, {"user-2", c}, {u, ""}} {
		p := partitionOf(k[0], k[1])
		if prev, ok := seen[p]; ok {
			t.Errorf("%v and %s share a partition key", k, prev)
		}
		seen[p] = k[0] + "/" + k[1]
		if partitionOf(k[0], k[1]) != p {
			t.Errorf("%v: key not stable", k)
		}
	}
}

// TestOpenSlotIsOneCacheLine pins what openSlot's layout is for: a lookup and an append touch one line of the table.
func TestOpenSlotIsOneCacheLine(t *testing.T) {
	if size := unsafe.Sizeof(openSlot{}); size != 64 {
		t.Errorf("openSlot is %d bytes, want 64 (one cache line)", size)
	}
}

func TestOpenTableAgainstAMap(t *testing.T) {
	var table openTable
	want := map[partition]*group{} // the open groups; a key with a flushed group maps to flushedGroup
	keys := make([]partition, 5000)
	for i := range keys {
		keys[i] = partitionOf(uuid.NewString(), uuid.NewString())
	}
	check := func(when string) {
		t.Helper()
		if table.len() != len(want) {
			t.Fatalf("%s: len %d, want %d", when, table.len(), len(want))
		}
		for _, k := range keys {
			s := table.find(k)
			g, ok := want[k]
			switch {
			case !ok && s != nil:
				t.Fatalf("%s: found a slot of a key never added", when)
			case ok && (s == nil || s.g != g || s.key != k):
				t.Fatalf("%s: slot %+v, want group %p", when, s, g)
			case ok && s.isOpen() != (g != flushedGroup):
				t.Fatalf("%s: isOpen %v for group %p", when, s.isOpen(), g)
			}
		}
	}
	for round := range 3 {
		for i, k := range keys {
			if (i+round)%3 == 0 {
				continue
			}
			s := table.slot(k)
			if _, ok := want[k]; !ok && s.g != flushedGroup {
				t.Fatalf("round %d: a new slot holds %p, want flushedGroup", round, s.g)
			}
			g := flushedGroup
			if (i+round)%3 == 1 {
				g = &group{gen: uint64(i)}
			}
			s.g = g
			want[k] = g
		}
		check(fmt.Sprintf("round %d", round))
	}
	table.keepOpen(nil)
	for k, g := range want {
		if g == flushedGroup {
			delete(want, k)
		}
	}
	check("after keepOpen")
}
