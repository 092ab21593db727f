package ingest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// Viewings of titles not in the catalog are dropped; answers are cached (known ones longer than unknown ones), so a
// title is looked up about once per interval however many viewings it has; a lookup error keeps nothing.
func TestTitleFilterKeepsKnownTitles(t *testing.T) {
	catalog := map[string]bool{"a": true, "b": true}
	var asked [][]string
	now := time.Unix(1_000_000, 0)
	f := &TitleFilter{KnownFor: time.Minute, UnknownFor: 10 * time.Second, Now: func() time.Time { return now },
		Lookup: func(_ context.Context, ids []string) ([]string, error) {
			asked = append(asked, slices.Clone(ids))
			var out []string
			for _, id := range ids {
				if catalog[id] {
					out = append(out, id)
				}
			}
			return out, nil
		}}
	views := func(ids ...string) []streaming.Viewing {
		var vs []streaming.Viewing
		for _, id := range ids {
			vs = append(vs, streaming.Viewing{UserID: "u", ContentID: id})
		}
		return vs
	}
	titles := func(vs []streaming.Viewing) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.ContentID)
		}
		return out
	}
	kept, err := f.Keep(t.Context(), views("a", "x", "b", "a", "x"))
	if err != nil || !slices.Equal(titles(kept), []string{"a", "b", "a"}) {
		t.Fatalf("kept %v, %v; want a b a", titles(kept), err)
	}
	if len(asked) != 1 || !slices.Equal(asked[0], []string{"a", "x", "b"}) {
		t.Fatalf("lookups %v; want one for the three distinct titles", asked)
	}
	catalog["x"] = true // created after its first events
	now = now.Add(5 * time.Second)
	if kept, _ := f.Keep(t.Context(), views("x", "a")); !slices.Equal(titles(kept), []string{"a"}) || len(asked) != 1 {
		t.Fatalf("within the cache: kept %v after %d lookups; want a from the cache", titles(kept), len(asked))
	}
	now = now.Add(6 * time.Second) // past UnknownFor, within KnownFor
	if kept, _ := f.Keep(t.Context(), views("x", "a")); !slices.Equal(titles(kept), []string{"x", "a"}) ||
		len(asked) != 2 || !slices.Equal(asked[1], []string{"x"}) {
		t.Fatalf("unknown answer expired: kept %v, lookups %v; want x asked again and kept", titles(kept), asked)
	}
	f.Lookup = func(context.Context, []string) ([]string, error) { return nil, errors.New("PostgreSQL down") }
	if kept, err := f.Keep(t.Context(), views("a", "new")); err == nil || len(kept) != 0 {
		t.Fatalf("lookup failed: kept %v, err %v; want nothing and the error", titles(kept), err)
	}
}
