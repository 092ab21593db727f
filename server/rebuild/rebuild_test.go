package rebuild

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/postgres"
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

// oneOfEach is a Source of one row of each kind (a second call, after the row, reads nothing).
type oneOfEach struct{ at time.Time }

func (s oneOfEach) Plans(_ context.Context, after string, _ int) ([]streaming.Plan, error) {
	return one(after, streaming.Plan{ID: "p", UpdatedAt: s.at}), nil
}
func (s oneOfEach) Users(_ context.Context, after string, _ int) ([]streaming.User, error) {
	return one(after, streaming.User{ID: "u"}), nil
}
func (s oneOfEach) Subscriptions(_ context.Context, after string, _ int) ([]streaming.Subscription, error) {
	return one(after, streaming.Subscription{ID: "s", UpdatedAt: s.at.Add(time.Hour)}), nil
}
func (s oneOfEach) Contents(_ context.Context, after string, _ int) ([]postgres.RatedContent, error) {
	return one(after, postgres.RatedContent{Content: streaming.Content{ID: "c", UpdatedAt: s.at.Add(2 * time.Hour)}}), nil
}
func (s oneOfEach) Ratings(_ context.Context, afterUser, _ string, _ int) ([]streaming.Rating, error) {
	return one(afterUser, streaming.Rating{UserID: "u", ContentID: "c", UpdatedAt: s.at.Add(3 * time.Hour)}), nil
}

func one[T any](after string, row T) []T {
	if after != "" {
		return nil
	}
	return []T{row}
}

type recorder struct{ events []streaming.Event }

func (r *recorder) Name() string { return "test" }
func (r *recorder) Project(_ context.Context, evs []streaming.Event) error {
	r.events = append(r.events, evs...)
	return nil
}

// A rebuilt row's event carries the row's last change, which projectors keep (a plan's update time, a rating's
// rated_at, a card's last use); a row without one (a user) gets the rebuild's time.
func TestProjectStampsEventsWithTheRowsTime(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	before := time.Now()
	rec := &recorder{}
	if _, err := Project(t.Context(), oneOfEach{at}, rec, Plans|Users|Subscriptions|Contents|Ratings, 10); err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{"p": at, "s": at.Add(time.Hour), "c": at.Add(2 * time.Hour), "c/u": at.Add(3 * time.Hour)}
	for _, e := range rec.events {
		if w, ok := want[e.AggregateID]; ok && !e.OccurredAt.Equal(w) {
			t.Errorf("%s %s at %s, want %s", e.Type, e.AggregateID, e.OccurredAt, w)
		}
		if e.AggregateID == "u" && e.OccurredAt.Before(before) {
			t.Errorf("the user's event at %s, want the rebuild's time", e.OccurredAt)
		}
	}
	if len(rec.events) != 5 {
		t.Fatalf("%d events, want one per row", len(rec.events))
	}
}
