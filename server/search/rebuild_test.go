package search_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/search"
	"github.com/streamingplatform/streaming/server/streaming"
)

// sagaTitles are n titles at version 1 whose names all hold the word "saga".
func sagaTitles(n int) []streaming.Content {
	out := make([]streaming.Content, n)
	for i := range out {
		out[i] = title(uuid.NewString(), fmt.Sprintf("Saga %03d", i), 1)
	}
	return out
}

// projectAll projects the titles as the outbox would deliver them: each title's ContentUpserted and its
// ContentRatingAggregated figures (rating count as the sequence, which only grows here), in batches of 50.
func projectAll(ctx context.Context, p *search.Projector, titles []streaming.Content) error {
	for batch := range slices.Chunk(titles, 50) {
		events := make([]streaming.Event, 0, 2*len(batch))
		for _, c := range batch {
			events = append(events, event(streaming.EventContentUpserted, c),
				ratingEvent(c.ID, c.Version, c.RatingAvg, c.RatingCount, c.RatingCount))
		}
		if err := p.Project(ctx, events); err != nil {
			return err
		}
	}
	return nil
}

// rebuild runs x.Rebuild and deletes the index it built when the test ends, whatever happened.
func rebuild(t *testing.T, ctx context.Context, x *search.Index, url string, fill func(context.Context, *search.Projector) error) (search.RebuildReport, error) {
	t.Helper()
	report, err := x.Rebuild(ctx, fill)
	if !strings.HasPrefix(report.Index, x.IndexName()+"_r") {
		t.Fatalf("rebuilt index %q, want %s_r<time>", report.Index, x.IndexName())
	}
	t.Cleanup(func() {
		if code, body := raw(t, http.MethodDelete, url+"/"+report.Index, nil); code != http.StatusOK && code != http.StatusNotFound {
			t.Errorf("delete index %s: %d %v", report.Index, code, body)
		}
	})
	return report, err
}

// aliasTargets lists the indices the alias points at, sorted.
func aliasTargets(t *testing.T, url, alias string) []string {
	t.Helper()
	code, body := raw(t, http.MethodGet, url+"/_alias/"+alias, nil)
	if code != http.StatusOK {
		t.Fatalf("GET /_alias/%s: %d %v", alias, code, body)
	}
	var out []string
	for name := range body {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// indexExists reports whether the index exists.
func indexExists(t *testing.T, url, index string) bool {
	t.Helper()
	code, body := raw(t, http.MethodGet, url+"/"+index, nil)
	if code != http.StatusOK && code != http.StatusNotFound {
		t.Fatalf("GET /%s: %d %v", index, code, body)
	}
	return code == http.StatusOK
}

// Searches through the alias never fail and never come back empty while the index is rebuilt and the alias moved.
func TestRebuildSwapsWithoutFailedQueries(t *testing.T) {
	const n = 200
	x, ctx, url := openIndex(t)
	old := x.IndexName()
	source := sagaTitles(n)
	if err := projectAll(ctx, x.Projector(), source); err != nil {
		t.Fatal(err)
	}
	if err := x.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	_, oldMapping := raw(t, http.MethodGet, url+"/"+old+"/_mapping", nil)

	// The searchers run until stop is closed; searches counts the answers, of which none may fail or be empty.
	var searches, failures, empties atomic.Int64
	var firstFailure atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := x.Search(ctx, sized(streaming.SearchQuery{Text: "saga"}))
				switch {
				case err != nil:
					failures.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
				case res.TotalHits == 0 || len(res.Hits) == 0:
					empties.Add(1)
				}
				searches.Add(1)
			}
		})
	}
	stopSearches := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopSearches()
	// awaitSearches waits until the searchers have answered k more searches, so some run at each stage.
	awaitSearches := func(ctx context.Context, k int64) error {
		target := searches.Load() + k
		for searches.Load() < target {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
		return nil
	}
	if err := awaitSearches(ctx, 20); err != nil {
		t.Fatal(err)
	}

	// The catalog changed one title since it was indexed: the rebuild reads it at its new version.
	changed := title(source[7].ID, "Saga Renamed", 2)
	changed.RatingAvg, changed.RatingCount = 4.75, 8
	source[7] = changed
	var targets []string
	report, err := rebuild(t, ctx, x, url, func(ctx context.Context, p *search.Projector) error {
		targets = append(targets, p.Target())
		if err := projectAll(ctx, p, source); err != nil {
			return err
		}
		return awaitSearches(ctx, 20) // searches before the swap (first pass) and after it (second)
	})
	stopSearches()
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}

	t.Logf("%d searches during the test, rebuild took %v", searches.Load(), report.Took)
	if searches.Load() < 60 || failures.Load() != 0 || empties.Load() != 0 {
		t.Errorf("%d searches: %d failed (first: %v), %d empty; want none failed or empty",
			searches.Load(), failures.Load(), firstFailure.Load(), empties.Load())
	}
	if want := []string{report.Index, x.Alias()}; !slices.Equal(targets, want) {
		t.Errorf("fill wrote to %v, want %v (the new index, then the alias)", targets, want)
	}
	wantReport := search.RebuildReport{Index: report.Index, Replaced: []string{old}, Swapped: true, Deleted: true,
		Documents: n, Took: report.Took}
	if diff := cmp.Diff(wantReport, report); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if got := aliasTargets(t, url, x.Alias()); !slices.Equal(got, []string{report.Index}) {
		t.Errorf("alias points at %v, want only %s", got, report.Index)
	}
	if indexExists(t, url, old) {
		t.Errorf("old index %s still exists", old)
	}
	// Same mapping as EnsureIndex's; the refresh interval relaxed during the load is back to the default.
	_, newMapping := raw(t, http.MethodGet, url+"/"+report.Index+"/_mapping", nil)
	if diff := cmp.Diff(dig(oldMapping, old), dig(newMapping, report.Index)); diff != "" {
		t.Errorf("mapping of the rebuilt index differs (-old +new):\n%s", diff)
	}
	_, settings := raw(t, http.MethodGet, url+"/"+report.Index+"/_settings", nil)
	if ri := dig(settings, report.Index, "settings", "index", "refresh_interval"); ri != nil {
		t.Errorf("refresh_interval of the rebuilt index = %v, want the default", ri)
	}

	got, v, found, err := x.Get(ctx, changed.ID)
	if err != nil || !found || v != 2 || cmp.Diff(changed, *got) != "" {
		t.Errorf("changed title: found %v v%d, %v; (-want +got):\n%s", found, v, err, cmp.Diff(changed, *got))
	}
	res, err := x.Search(ctx, sized(streaming.SearchQuery{Text: "renamed"}))
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Content.ID != changed.ID {
		t.Errorf("search for the changed title: %+v, %v", res, err)
	}
	if count, err := x.Count(ctx); err != nil || count != n {
		t.Errorf("Count = %d, %v; want %d", count, err, n)
	}
}

// A change the live relay projects through the alias after the first pass read its title, but before the swap,
// lands in the old index only; the second pass, reading the source again, carries it into the new index. Here the
// first fill makes three such changes itself, after projecting its own reading into the new index: a title's new
// version, new rating figures of a title at the same version, and a title created meanwhile.
func TestRebuildKeepsChangesMadeDuringTheFirstPass(t *testing.T) {
	x, ctx, url := openIndex(t)
	source := sagaTitles(20)
	if err := projectAll(ctx, x.Projector(), source); err != nil {
		t.Fatal(err)
	}

	live := x.Projector()
	newVersion := title(source[3].ID, "Saga Live Change", 2)
	newFigures := source[5]
	newFigures.RatingAvg, newFigures.RatingCount = 1.25, 9
	created := title(uuid.NewString(), "Saga Created Meanwhile", 1)
	calls := 0
	report, err := rebuild(t, ctx, x, url, func(ctx context.Context, p *search.Projector) error {
		calls++
		if err := projectAll(ctx, p, source); err != nil {
			return err
		}
		if calls > 1 {
			return nil
		}
		if p.Target() == x.Alias() {
			return errors.New("first pass writes through the alias, want the new index")
		}
		// The catalog changes (the source is updated) and the relay projects the events through the alias.
		source[3], source[5] = newVersion, newFigures
		source = append(source, created)
		if err := live.Project(ctx, []streaming.Event{
			event(streaming.EventContentUpserted, newVersion),
			ratingEvent(newFigures.ID, newFigures.Version, newFigures.RatingAvg, newFigures.RatingCount, newFigures.RatingCount),
			event(streaming.EventContentUpserted, created),
		}); err != nil {
			return err
		}
		// They are in the old index (the alias leads there) and not in the new one.
		if _, v, _, err := x.Get(ctx, newVersion.ID); err != nil || v != 2 {
			return fmt.Errorf("old index holds v%d of the changed title, %v; want v2", v, err)
		}
		code, doc := raw(t, http.MethodGet, url+"/"+p.Target()+"/_doc/"+newVersion.ID, nil)
		if code != http.StatusOK || dig(doc, "_version") != float64(1) {
			return fmt.Errorf("new index holds %d %v of the changed title, want v1", code, doc)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if calls != 2 {
		t.Errorf("fill called %d times, want 2", calls)
	}
	if got := aliasTargets(t, url, x.Alias()); !slices.Equal(got, []string{report.Index}) {
		t.Errorf("alias points at %v, want only %s", got, report.Index)
	}
	for _, want := range []streaming.Content{newVersion, newFigures, created, source[0]} {
		got, v, found, err := x.Get(ctx, want.ID)
		if err != nil || !found || v != want.Version || cmp.Diff(want, *got) != "" {
			t.Errorf("%s: found %v v%d, %v; (-want +got):\n%s", want.Title, found, v, err, cmp.Diff(want, *got))
		}
	}
	if count, err := x.Count(ctx); err != nil || count != 21 || report.Documents != 21 {
		t.Errorf("Count = %d, %v (report %d); want 21", count, err, report.Documents)
	}
}

// A failed first pass deletes the new index and leaves the alias and its documents as they were.
func TestRebuildFailureBeforeSwap(t *testing.T) {
	x, ctx, url := openIndex(t)
	source := sagaTitles(5)
	if err := projectAll(ctx, x.Projector(), source); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("catalog unreadable")
	report, err := rebuild(t, ctx, x, url, func(ctx context.Context, p *search.Projector) error {
		if err := projectAll(ctx, p, source[:2]); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "first pass") {
		t.Fatalf("Rebuild = %v, want the fill's error in context", err)
	}
	if report.Swapped || report.Deleted {
		t.Errorf("report %+v: swapped or deleted after a failed first pass", report)
	}
	if indexExists(t, url, report.Index) {
		t.Errorf("new index %s kept after a failed first pass", report.Index)
	}
	if got := aliasTargets(t, url, x.Alias()); !slices.Equal(got, []string{x.IndexName()}) {
		t.Errorf("alias points at %v, want %s", got, x.IndexName())
	}
	if err := x.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if count, err := x.Count(ctx); err != nil || count != 5 {
		t.Errorf("Count = %d, %v; want 5", count, err)
	}
}

// A server starting after a rebuild (EnsureIndex on a fresh Index) accepts the alias on the rebuilt index and
// creates no other; and a rebuilt index can be rebuilt again.
func TestEnsureIndexAfterRebuild(t *testing.T) {
	x, ctx, url := openIndex(t)
	source := sagaTitles(10)
	if err := projectAll(ctx, x.Projector(), source); err != nil {
		t.Fatal(err)
	}
	fill := func(ctx context.Context, p *search.Projector) error { return projectAll(ctx, p, source) }
	report, err := rebuild(t, ctx, x, url, fill)
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	// indices lists every index of the alias's family, wherever the alias points.
	indices := func(t *testing.T) []string {
		t.Helper()
		code, body := raw(t, http.MethodGet, url+"/"+x.Alias()+"_*", nil)
		if code != http.StatusOK {
			t.Fatalf("GET /%s_*: %d %v", x.Alias(), code, body)
		}
		var out []string
		for name := range body {
			out = append(out, name)
		}
		slices.Sort(out)
		return out
	}

	fresh, closeFresh, err := search.Open(ctx, search.Config{URLs: []string{url}, Alias: x.Alias()})
	if err != nil {
		t.Fatalf("Open after a rebuild: %v", err)
	}
	defer closeFresh()
	if err := fresh.EnsureIndex(ctx); err != nil {
		t.Errorf("EnsureIndex again: %v", err)
	}
	if got := indices(t); !slices.Equal(got, []string{report.Index}) {
		t.Errorf("indices after Open = %v, want only %s", got, report.Index)
	}
	if count, err := fresh.Count(ctx); err != nil || count != int64(len(source)) {
		t.Errorf("Count through the fresh index = %d, %v; want %d", count, err, len(source))
	}

	// The second rebuild's name must differ from the first's, which is to the second.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	again, err := rebuild(t, ctx, fresh, url, fill)
	if err != nil {
		t.Fatalf("second Rebuild: %v", err)
	}
	if !slices.Equal(again.Replaced, []string{report.Index}) || again.Documents != int64(len(source)) {
		t.Errorf("second rebuild report %+v, want %s replaced and %d documents", again, report.Index, len(source))
	}
	if got := indices(t); !slices.Equal(got, []string{again.Index}) {
		t.Errorf("indices after the second rebuild = %v, want only %s", got, again.Index)
	}
	if err := x.EnsureIndex(ctx); err != nil {
		t.Errorf("EnsureIndex after the second rebuild: %v", err)
	}
}
