package cassandra_test

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// ownStore opens a store on a keyspace of its own, dropped when the test ends: a full scan of the shared keyspace
// would also see the other tests' rows. tune, when not nil, changes the configuration first.
func ownStore(t *testing.T, tune func(*cassandra.Config)) (*cassandra.Store, context.Context) {
	t.Helper()
	setup(t) // skips or fails like the other tests when Cassandra is missing
	ctx := storetest.Context(t, 2*time.Minute)
	cfg := testConfig(t)
	if tune != nil {
		tune(&cfg)
	}
	store, closeStore, err := cassandra.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := store.Session().Query("DROP KEYSPACE IF EXISTS " + cfg.Keyspace).WithContext(ctx).Exec(); err != nil {
			t.Errorf("drop keyspace %s: %v", cfg.Keyspace, err)
		}
		closeStore()
	})
	return store, ctx
}

// watchWith writes one event of (user, title) per flag, 10 s apart, the i-th with Completed = completed[i], through
// WritePartition.
func watchWith(t *testing.T, ctx context.Context, store *cassandra.Store, user, title string, completed ...bool) {
	t.Helper()
	events := newEvents(len(completed))
	for i := range events {
		events[i].UserID, events[i].ContentID, events[i].Completed = user, title, completed[i]
	}
	write(t, ctx, store, events)
}

type pair struct{ user, content string }

// scanAll runs ScanWatches and returns every watch by pair, failing on a pair read twice, an empty batch or one
// larger than pageSize.
func scanAll(t *testing.T, ctx context.Context, store *cassandra.Store, pageSize int) (map[pair]bool, int) {
	t.Helper()
	got := map[pair]bool{}
	batches := 0
	err := store.ScanWatches(ctx, pageSize, func(ws []streaming.Watch) error {
		batches++
		if len(ws) == 0 || len(ws) > pageSize {
			t.Errorf("page size %d: batch %d has %d watches", pageSize, batches, len(ws))
		}
		for _, w := range ws {
			k := pair{w.UserID, w.ContentID}
			if _, dup := got[k]; dup {
				t.Errorf("page size %d: %+v read twice", pageSize, w)
			}
			got[k] = w.Completed
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ScanWatches(page size %d): %v", pageSize, err)
	}
	return got, batches
}

// Every (user, title) started is read once, with continue_watching's completed (the newest event's flag), in
// batches of at most the page size. Pairs that only one of continue_watching and user_titles names are read too.
func TestScanWatches(t *testing.T) {
	store, ctx := ownStore(t, nil)
	want := map[pair]bool{}
	var users []string
	for i := range 12 {
		user := uuid.NewString()
		users = append(users, user)
		for j := range 1 + i%4 {
			title := uuid.NewString()
			switch j % 3 {
			case 0: // finished: the newest event says so
				watchWith(t, ctx, store, user, title, false, false, true)
				want[pair{user, title}] = true
			case 1: // not finished
				watchWith(t, ctx, store, user, title, false, false)
				want[pair{user, title}] = false
			case 2: // finished once, then started again: the newest event's flag counts
				watchWith(t, ctx, store, user, title, true, false)
				want[pair{user, title}] = false
			}
		}
	}

	exec := func(stmt string, args ...any) {
		t.Helper()
		if err := store.Session().Query(stmt, args...).WithContext(ctx).Exec(); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	// A finished title whose continue_watching row expired before its late events: in user_titles only, so watched
	// but not completed.
	late := uuid.NewString()
	watchWith(t, ctx, store, users[3], late, false, true)
	exec(`DELETE FROM continue_watching WHERE user_id = ? AND content_id = ?`, users[3], late)
	want[pair{users[3], late}] = false
	// A user whose whole continue_watching partition expired.
	exec(`DELETE FROM continue_watching WHERE user_id = ?`, users[7])
	for k := range want {
		if k.user == users[7] {
			want[k] = false
		}
	}
	// A user whose events were all written before user_titles existed (schema step 3).
	exec(`DELETE FROM user_titles WHERE user_id = ?`, users[11])

	for _, pageSize := range []int{1, 3, 1000} {
		got, batches := scanAll(t, ctx, store, pageSize)
		if !maps.Equal(got, want) {
			t.Errorf("page size %d: read %d watches %v\nwant %d: %v", pageSize, len(got), got, len(want), want)
		}
		if wantBatches := (len(want) + pageSize - 1) / pageSize; batches != wantBatches {
			t.Errorf("page size %d: %d batches for %d watches; want %d", pageSize, batches, len(want), wantBatches)
		}
	}
}

func TestScanWatchesEmpty(t *testing.T) {
	store, ctx := ownStore(t, nil)
	if got, batches := scanAll(t, ctx, store, 10); len(got) != 0 || batches != 0 {
		t.Fatalf("empty keyspace: %d watches in %d batches", len(got), batches)
	}
}

// fn's error ends the scan and is returned as is.
func TestScanWatchesStopsAtFnError(t *testing.T) {
	store, ctx := setup(t)
	for range 3 {
		watchWith(t, ctx, store, uuid.NewString(), uuid.NewString(), true)
	}
	stop := errors.New("stop")
	calls := 0
	err := store.ScanWatches(ctx, 1, func([]streaming.Watch) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("ScanWatches = %v after %d calls of fn; want fn's error after 1", err, calls)
	}
}

// A context cancelled during the scan ends it, even with the rest of the page already read; one cancelled before
// ends it before fn is called.
func TestScanWatchesStopsWhenCancelled(t *testing.T) {
	store, ctx := setup(t)
	for range 3 {
		watchWith(t, ctx, store, uuid.NewString(), uuid.NewString(), false)
	}
	ctx, cancel := context.WithCancel(ctx)
	calls := 0
	err := store.ScanWatches(ctx, 1, func([]streaming.Watch) error {
		calls++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Fatalf("ScanWatches = %v after %d calls of fn; want context.Canceled after 1", err, calls)
	}
	calls = 0
	err = store.ScanWatches(ctx, 1, func([]streaming.Watch) error {
		calls++
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls != 0 {
		t.Fatalf("ScanWatches with a cancelled context = %v after %d calls of fn; want context.Canceled", err, calls)
	}
}

func TestScanWatchesRejectsBadPageSizeAndReportsUnavailable(t *testing.T) {
	store, ctx := setup(t)
	for _, n := range []int{0, -1} {
		wantInvalid(t, store.ScanWatches(ctx, n, func([]streaming.Watch) error { return nil }), "page_size")
	}
	closed, _, err := cassandra.Open(ctx, shared.cfg)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	if err := closed.ScanWatches(ctx, 10, func([]streaming.Watch) error { return nil }); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Fatalf("ScanWatches after Close: %v; want unavailable", err)
	}
}
