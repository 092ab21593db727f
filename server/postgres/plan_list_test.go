package postgres_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/streaming"
)

// TestListPlans: the catalog comes in one total order (available first, cheapest first, then name and id), and
// walking it page by page after each page's last id lists every plan once.
func TestListPlans(t *testing.T) {
	store, pool, ctx := setup(t)
	read := postgres.NewReadStore(pool)
	named := func(name string, cents int64, available bool) *streaming.Plan {
		p := &streaming.Plan{Name: name, PriceCents: cents, Currency: "EUR", MaxStreams: 1, MaxQuality: "sd", Available: available}
		inTx(t, ctx, store, func(tx streaming.CommandTx) error { return tx.CreatePlan(ctx, p) })
		return p
	}
	// Created out of order; the expected order is the slice's.
	want := []*streaming.Plan{nil, nil, nil, nil, nil, nil}
	want[4] = named("Old premium", 1999, false)
	want[2] = named("Standard B", 999, true)
	want[0] = named("Basic", 499, true)
	want[5] = named("Older premium", 1999, false)
	want[1] = named("Standard A", 999, true)
	want[3] = named("Cheap but gone", 100, false)

	for _, size := range []int{1, 2, 4, 6, 7} {
		var got []string
		after := ""
		for range 10 {
			page, err := read.ListPlans(ctx, size, after)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page {
				got = append(got, p.Name)
			}
			if len(page) < size {
				break
			}
			after = page[len(page)-1].ID
		}
		var names []string
		for _, p := range want {
			names = append(names, p.Name)
		}
		if !slices.Equal(got, names) {
			t.Fatalf("pages of %d: %v, want %v", size, got, names)
		}
	}
	all, err := read.ListPlans(ctx, 10, "")
	if err != nil || len(all) != 6 || all[0].ID != want[0].ID || all[0].PriceCents != 499 || all[0].Version != 1 ||
		all[0].CreatedAt.IsZero() {
		t.Fatalf("first plan %+v (%v), want Basic with every field", all[0], err)
	}
	for _, after := range []string{uuid.NewString(), "not-a-uuid"} {
		if page, err := read.ListPlans(ctx, 10, after); err != nil || len(page) != 0 {
			t.Fatalf("after %q: %v %v, want an empty page", after, page, err)
		}
	}
}
