package ingest

import (
	"encoding/hex"
	"strings"
	"testing"

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

func TestOpenTableAgainstAMap(t *testing.T) {
	var table openTable
	want := map[partition]openRef{}
	keys := make([]partition, 5000)
	for i := range keys {
		keys[i] = partitionOf(uuid.NewString(), uuid.NewString())
	}
	for round := range 3 {
		for i, k := range keys {
			if (i+round)%3 == 0 {
				continue
			}
			r := openRef{gen: uint64(round*len(keys) + i + 1)}
			table.put(k, r)
			want[k] = r
		}
		if table.len() != len(want) {
			t.Fatalf("round %d: len %d, want %d", round, table.len(), len(want))
		}
		for _, k := range keys {
			if got := table.get(k); got != want[k] {
				t.Fatalf("round %d: get = %+v, want %+v", round, got, want[k])
			}
		}
	}
	table.reset()
	if table.len() != 0 || table.get(keys[0]) != (openRef{}) {
		t.Error("reset left entries")
	}
}
