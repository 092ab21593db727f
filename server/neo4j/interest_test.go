package neo4j_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	graph "github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/streaming"
)

var _ streaming.InterestRecorder = (*graph.Graph)(nil)

func (f *fixture) searched(searches ...streaming.GenreSearch) {
	f.t.Helper()
	if err := f.g.RecordGenreSearches(f.ctx, searches); err != nil {
		f.t.Fatalf("RecordGenreSearches: %v", err)
	}
}

// searchedEdge is the (user, genre) SEARCHED_GENRE edge's count and last, found false without one.
func (f *fixture) searchedEdge(userID, genre string) (count int64, last time.Time, found bool) {
	f.t.Helper()
	recs := f.query(`MATCH (:User {id: $u})-[s:SEARCHED_GENRE]->(:Genre {name: $g}) RETURN s.count AS count, s.last AS last`,
		map[string]any{"u": userID, "g": genre})
	switch len(recs) {
	case 0:
		return 0, time.Time{}, false
	case 1:
		m := recs[0].AsMap()
		return m["count"].(int64), m["last"].(time.Time), true
	default:
		f.t.Fatalf("%d SEARCHED_GENRE edges from %s to %s, want at most one", len(recs), userID, genre)
		return 0, time.Time{}, false
	}
}

func TestRecordGenreSearches(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	user, title := f.id(), f.id()
	drama, crime := f.genre("drama"), f.genre("crime")
	f.project(contentEvent(t, title, 1, "Title", drama), contentEvent(t, f.id(), 1, "Other", crime))
	nowhere := f.genre("nowhere") // no title has it
	t0 := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	t1, t2 := t0.Add(time.Minute), t0.Add(2*time.Minute)

	f.searched(streaming.GenreSearch{UserID: user, Genres: []string{drama}, At: t1})
	// One call: a genre listed twice in a search counts once; an older search does not move last back.
	f.searched(
		streaming.GenreSearch{UserID: user, Genres: []string{drama, crime, drama, nowhere}, At: t2},
		streaming.GenreSearch{UserID: user, Genres: []string{drama}, At: t0},
	)
	f.searched(streaming.GenreSearch{UserID: user, Genres: []string{crime}, At: t0}) // a late batch
	for _, tt := range []struct {
		genre string
		count int64
		last  time.Time
	}{{drama, 3, t2}, {crime, 2, t2}} {
		count, last, ok := f.searchedEdge(user, tt.genre)
		if !ok || count != tt.count || !last.Equal(tt.last) {
			t.Errorf("edge to %s: count %d, last %v (found %v); want %d, %v", tt.genre, count, last, ok, tt.count, tt.last)
		}
	}
	// The searched genre is the projector's genre node, not a second one; a genre no title has is not created.
	if recs := f.query(`MATCH (g:Genre) WHERE g.name IN $names RETURN count(g) AS n`,
		map[string]any{"names": []string{drama, crime, nowhere}}); recs[0].AsMap()["n"] != int64(2) {
		t.Errorf("%v genre nodes for two genres and one no title has", recs[0].AsMap()["n"])
	}
	if _, _, ok := f.searchedEdge(user, nowhere); ok {
		t.Errorf("a search for a genre no title has made an edge")
	}
	if got, _ := f.content(title); !slices.Equal(got.Genres, []string{drama}) {
		t.Errorf("title's genres %v, want [%s]", got.Genres, drama)
	}

	// An erased user gets nothing, and stays a tombstone.
	erased := f.id()
	f.erase(erased, 2)
	f.searched(streaming.GenreSearch{UserID: erased, Genres: []string{drama}, At: t1})
	f.requireTombstone(erased, 2)

	// Bad input is refused before anything is written, even the valid searches of the same call.
	other := f.id()
	for _, bad := range []streaming.GenreSearch{
		{Genres: []string{drama}, At: t1},
		{UserID: other, Genres: []string{drama, ""}, At: t1},
		{UserID: other, Genres: []string{drama}},
	} {
		err := f.g.RecordGenreSearches(f.ctx, []streaming.GenreSearch{{UserID: other, Genres: []string{crime}, At: t1}, bad})
		if streaming.ErrorCode(err) != streaming.CodeInvalid {
			t.Errorf("RecordGenreSearches(%+v) = %v, want a CodeInvalid error", bad, err)
		}
	}
	if _, _, ok := f.searchedEdge(other, crime); ok {
		t.Error("a refused call wrote an edge")
	}
	// Nothing to record: no call, no error.
	for _, none := range [][]streaming.GenreSearch{nil, {{UserID: other, At: t1}}} {
		if err := f.g.RecordGenreSearches(f.ctx, none); err != nil {
			t.Errorf("RecordGenreSearches(%v) = %v", none, err)
		}
	}
	if _, _, found := f.userNode(other); found {
		t.Error("a search without genres created the user")
	}
}

func TestRecommendSearchedGenres(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, s, old := f.genre("a"), f.genre("s"), f.genre("old")
	user := f.id()
	w, x, y1, y2, z := f.id(), f.id(), f.id(), f.id(), f.id()
	f.project(
		contentEvent(t, w, 1, "W", a),
		contentEvent(t, x, 1, "X", a),
		contentEvent(t, y1, 1, "Y1", s),
		contentEvent(t, y2, 1, "Y2", s),
		contentEvent(t, z, 1, "Z", old),
	)
	f.watch(streaming.Watch{UserID: user, ContentID: w, Completed: true})
	now := time.Now()
	// s searched once, now; old searched often, but before the window.
	f.searched(streaming.GenreSearch{UserID: user, Genres: []string{s}, At: now})
	for range 5 {
		f.searched(streaming.GenreSearch{UserID: user, Genres: []string{old}, At: now.Add(-graph.SearchedGenreWindow - time.Hour)})
	}
	byID := cmpopts.SortSlices(func(p, q streaming.Recommendation) bool { return p.ContentID < q.ContentID })
	approx := cmpopts.EquateApprox(0, 1e-9)

	// Weights: a 1 (W, watched), s 1 (one search). X (a) and Y1, Y2 (s) each score 0.5*1/1; Z's genre is out of the
	// window.
	want := []streaming.Recommendation{
		{ContentID: x, Title: "X", Score: 0.5, Reason: "genre:" + a},
		{ContentID: y1, Title: "Y1", Score: 0.5, Reason: "searched:" + s},
		{ContentID: y2, Title: "Y2", Score: 0.5, Reason: "searched:" + s},
	}
	if diff := cmp.Diff(want, f.recommend(user, 10), byID, approx); diff != "" {
		t.Errorf("Recommend after one search (-want +got):\n%s", diff)
	}

	// A burst of searches weighs SearchedGenreMaxWeight (3), not 11: s 3, a 1; max 3.
	for range 10 {
		f.searched(streaming.GenreSearch{UserID: user, Genres: []string{s}, At: now})
	}
	want = []streaming.Recommendation{
		{ContentID: y1, Title: "Y1", Score: 0.5, Reason: "searched:" + s},
		{ContentID: y2, Title: "Y2", Score: 0.5, Reason: "searched:" + s},
		{ContentID: x, Title: "X", Score: 0.5 / graph.SearchedGenreMaxWeight, Reason: "genre:" + a},
	}
	if diff := cmp.Diff(want, f.recommend(user, 10), byID, approx); diff != "" {
		t.Errorf("Recommend after a burst of searches (-want +got):\n%s", diff)
	}

	// A watched title of the searched genre is never recommended. s now weighs 1 (watched) + 3 (searched): Y2 has
	// affinity 4, X 1; the searched weight is the larger part of Y2's, so it stays the reason.
	f.watch(streaming.Watch{UserID: user, ContentID: y1})
	want = []streaming.Recommendation{
		{ContentID: y2, Title: "Y2", Score: 0.5, Reason: "searched:" + s},
		{ContentID: x, Title: "X", Score: 0.5 / 4, Reason: "genre:" + a},
	}
	if diff := cmp.Diff(want, f.recommend(user, 10), approx); diff != "" {
		t.Errorf("Recommend after watching a title of the searched genre (-want +got):\n%s", diff)
	}

	// A user who watched nothing gets the titles of what they searched; only the SearchedGenres most searched genres
	// count (the least searched, once, is left out).
	cold := f.id()
	var searched []streaming.GenreSearch
	var wantCold []streaming.Recommendation
	for i := range graph.SearchedGenres + 1 {
		g, id := f.genre("g"+strings.Repeat("x", i)), f.id()
		f.project(contentEvent(t, id, 1, g, g))
		n := 2
		if i == graph.SearchedGenres {
			n = 1
		} else {
			wantCold = append(wantCold, streaming.Recommendation{ContentID: id, Title: g, Score: 0.5, Reason: "searched:" + g})
		}
		for range n {
			searched = append(searched, streaming.GenreSearch{UserID: cold, Genres: []string{g}, At: now})
		}
	}
	f.searched(searched...)
	if diff := cmp.Diff(wantCold, f.recommend(cold, 10), byID, approx); diff != "" {
		t.Errorf("Recommend for a user who only searched (-want +got):\n%s", diff)
	}

	// Erasing the user deletes the searches with everything else.
	f.erase(cold, 1)
	if recs := f.recommend(cold, 10); len(recs) != 0 {
		t.Errorf("Recommend for an erased user = %v, want none", recs)
	}
}
