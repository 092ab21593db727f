package rebuild

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/streamingplatform/streaming/server/streaming"
)

// section reads page after page by key, projects each page's events in one call and stops at a short page; a read or
// project failure stops it with the kind named.
func TestSection(t *testing.T) {
	var all []string
	for i := range 7 {
		all = append(all, "id"+strconv.Itoa(i))
	}
	read := func(_ context.Context, after string, limit int) ([]string, error) {
		i, _ := slices.BinarySearch(all, after)
		if i < len(all) && all[i] == after {
			i++
		}
		return all[i:min(i+limit, len(all))], nil
	}
	var calls [][]string
	project := func(_ context.Context, evs []streaming.Event) error {
		var ids []string
		for _, e := range evs {
			ids = append(ids, e.AggregateID)
		}
		calls = append(calls, ids)
		return nil
	}
	toEvents := func(evs []streaming.Event, id *string) []streaming.Event {
		return append(evs, streaming.Event{AggregateID: *id})
	}
	n, err := section(rows{ctx: t.Context(), page: 3, name: "test things", project: project}, read,
		func(id *string) string { return *id }, toEvents)
	if err != nil || n != 7 {
		t.Fatalf("section = %d, %v; want 7", n, err)
	}
	if len(calls) != 3 || !slices.Equal(slices.Concat(calls...), all) {
		t.Errorf("projected %v, want %v in pages of 3", calls, all)
	}

	broken := errors.New("down")
	_, err = section(rows{ctx: t.Context(), page: 3, name: "test things", project: func(context.Context, []streaming.Event) error {
		return broken
	}}, read, func(id *string) string { return *id }, toEvents)
	if !errors.Is(err, broken) || err.Error() != "rebuild test things: project: down" {
		t.Errorf("a failed project = %v", err)
	}
}
