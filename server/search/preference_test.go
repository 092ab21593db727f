package search

import (
	"strings"
	"testing"

	"github.com/streamingplatform/streaming/server/streaming"
)

// A reader's searches all go to one set of shard copies, whatever they ask; without a reader, the pages of one query
// do. Either way the preference is a custom string (no leading "_", which the server reserves) that names no user.
func TestPreference(t *testing.T) {
	norm := func(q streaming.SearchQuery) normalized {
		q.PageSize = 10
		n, err := normalize(q)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	drama, mars := norm(streaming.SearchQuery{Genres: []string{"drama"}}), norm(streaming.SearchQuery{Text: "marte"})
	const user = "0ef23f55-9adc-4fda-8f20-aa9802a75968"
	for _, p := range []string{preference(user, drama), preference("", drama)} {
		if p == "" || strings.HasPrefix(p, "_") || strings.Contains(p, user) {
			t.Errorf("preference %q: want a custom string that does not name the user", p)
		}
	}
	if preference(user, drama) != preference(user, mars) {
		t.Error("one reader's two searches read different copies")
	}
	if preference(user, drama) == preference("another", drama) {
		t.Error("two readers share one preference")
	}
	if preference("", drama) != preference("", drama) || preference("", drama) == preference("", mars) {
		t.Error("without a reader, the preference must be the query's")
	}
}
