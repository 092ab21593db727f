package ingest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/streaming"
)

// sourceFunc is a function-field fake of the ViewingSource port.
type sourceFunc func(ctx context.Context, since time.Time, fn func([]streaming.Viewing) error) error

func (f sourceFunc) ViewingsSince(ctx context.Context, since time.Time, fn func([]streaming.Viewing) error) error {
	return f(ctx, since, fn)
}

// A loss is replayed from its earliest hour once its store has answered again, to the observers that lost something
// (not to the others), and forgotten only when the replay succeeded.
func TestReplayerReplaysDueLosses(t *testing.T) {
	var mu sync.Mutex
	down := map[string]bool{"trending": true}
	applied := map[string][]string{}
	observer := func(name string) *AsyncObserver {
		return NewAsyncObserver(100, func(vs []streaming.Viewing) error {
			mu.Lock()
			defer mu.Unlock()
			if down[name] {
				return errors.New(name + " down")
			}
			for _, v := range vs {
				applied[name] = append(applied[name], v.ContentID)
			}
			return nil
		}, nil, nil)
	}
	trending, watched := observer("trending"), observer("watched")
	defer trending.Close(context.Background())
	defer watched.Close(context.Background())
	var asked []time.Time
	sourceDown := false
	r := &Replayer{Observers: []*AsyncObserver{trending, watched}, RetryAfter: time.Hour,
		Source: sourceFunc(func(_ context.Context, since time.Time, fn func([]streaming.Viewing) error) error {
			asked = append(asked, since)
			if sourceDown {
				return errors.New("Cassandra down")
			}
			return fn([]streaming.Viewing{{UserID: "u", ContentID: "replayed", Hour: since}})
		})}
	event := func(h int) []*streaming.PlaybackEvent {
		e := ev(1, 1, h)
		e.OccurredAt = time.Date(2026, 12, 3, h, 0, 0, 0, time.UTC)
		return []*streaming.PlaybackEvent{&e}
	}
	FanOut{trending, watched}.Observe(event(7)) // trending fails; watched applies
	waitFor(t, func() bool { _, ok := trending.Lost(); return ok })
	if n := r.ReplayLost(t.Context()); n != 0 || len(asked) != 0 {
		t.Fatalf("replayed %d viewings (asked %v) while the store has not answered since", n, asked)
	}
	mu.Lock()
	down["trending"] = false
	mu.Unlock()
	FanOut{trending, watched}.Observe(event(9)) // the store answers again
	waitFor(t, func() bool { l, _ := trending.Lost(); return l.OKAt.After(l.At) })

	sourceDown = true
	r.ReplayLost(t.Context())
	if _, ok := trending.Lost(); !ok {
		t.Fatal("a failed replay forgot the loss")
	}
	sourceDown = false
	if n := r.ReplayLost(t.Context()); n != 1 {
		t.Fatalf("replayed %d viewings, want 1", n)
	}
	if want := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC); !asked[len(asked)-1].Equal(want) {
		t.Fatalf("replayed from %v, want the lost hour %v", asked[len(asked)-1], want)
	}
	if _, ok := trending.Lost(); ok {
		t.Fatal("the replayed loss is still there")
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(applied["trending"], "replayed") || slices.Contains(applied["watched"], "replayed") {
		t.Fatalf("applied %v: want the replay on trending only", applied)
	}
}
