package cassandra_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/streaming"
)

// userRows counts the rows of the user's partition of a table keyed by user_id (continue_watching, user_titles),
// read directly, not through the store.
func userRows(t *testing.T, ctx context.Context, store *cassandra.Store, table, user string) int {
	t.Helper()
	var n int
	if err := store.Session().Query(`SELECT count(*) FROM `+table+` WHERE user_id = ?`, user).WithContext(ctx).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// watch writes n events of user on title through WritePartition, one every 10 s from base.
func watch(t *testing.T, ctx context.Context, store *cassandra.Store, user, title string, n int) []streaming.PlaybackEvent {
	t.Helper()
	events := newEvents(n)
	for i := range events {
		events[i].UserID, events[i].ContentID = user, title
	}
	write(t, ctx, store, events)
	return events
}

// wantErased fails unless nothing of user is left on titles: no playback_events rows, no continue_watching or
// user_titles rows, and nothing the readers return.
func wantErased(t *testing.T, ctx context.Context, store *cassandra.Store, user string, titles []string) {
	t.Helper()
	for _, title := range titles {
		if n := countRows(t, ctx, store, user, title); n != 0 {
			t.Errorf("title %s: %d playback_events rows left", title, n)
		}
		if page, _, err := store.WatchHistory(ctx, user, title, 50, ""); err != nil || len(page) != 0 {
			t.Errorf("title %s: WatchHistory = %d events, %v; want none", title, len(page), err)
		}
	}
	for _, table := range []string{"continue_watching", "user_titles"} {
		if n := userRows(t, ctx, store, table, user); n != 0 {
			t.Errorf("%d %s rows left", n, table)
		}
	}
	if items, err := store.ContinueWatching(ctx, user, cassandra.MaxLimit); err != nil || len(items) != 0 {
		t.Errorf("ContinueWatching = %+v, %v; want nothing", items, err)
	}
}

// An erasure deletes the user's history on every title and their continue-watching, leaves another user's rows on
// the same titles alone, and succeeds again.
func TestEraseUser(t *testing.T) {
	store, ctx := setup(t)
	if got := store.ErasureStore(); got != streaming.ErasureStoreCassandra {
		t.Fatalf("ErasureStore() = %q; want %q", got, streaming.ErasureStoreCassandra)
	}
	user, other := uuid.NewString(), uuid.NewString()
	titles := []string{uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()}
	otherRows := map[string]int{}
	for i, title := range titles {
		watch(t, ctx, store, user, title, 2+i)
		otherRows[title] = len(watch(t, ctx, store, other, title, 3+i))
	}
	// An event timed in the future, as far as MaxClockSkew allows: its cells carry that time as write timestamp, and
	// a delete timestamped "now" would not shadow them.
	future := newEvents(1)
	future[0].UserID, future[0].ContentID = user, titles[0]
	future[0].OccurredAt = time.Now().Add(cassandra.DefaultMaxClockSkew - time.Minute).Truncate(time.Millisecond)
	write(t, ctx, store, future)

	for _, title := range titles {
		if countRows(t, ctx, store, user, title) == 0 {
			t.Fatalf("title %s: no rows written", title)
		}
	}
	for _, table := range []string{"continue_watching", "user_titles"} {
		if n := userRows(t, ctx, store, table, user); n != len(titles) {
			t.Fatalf("%d %s rows before the erasure; want %d", n, table, len(titles))
		}
	}

	if err := store.EraseUser(ctx, user, 7); err != nil {
		t.Fatalf("EraseUser: %v", err)
	}
	wantErased(t, ctx, store, user, titles)

	// The other user's rows on the same titles are all there.
	for title, want := range otherRows {
		if n := countRows(t, ctx, store, other, title); n != want {
			t.Errorf("other user, title %s: %d rows; want %d", title, n, want)
		}
	}
	for _, table := range []string{"continue_watching", "user_titles"} {
		if n := userRows(t, ctx, store, table, other); n != len(titles) {
			t.Errorf("other user: %d %s rows; want %d", n, table, len(titles))
		}
	}

	// Idempotent: a second erasure finds nothing and succeeds; so does one of a user never seen.
	if err := store.EraseUser(ctx, user, 7); err != nil {
		t.Fatalf("second EraseUser: %v", err)
	}
	wantErased(t, ctx, store, user, titles)
	if err := store.EraseUser(ctx, uuid.NewString(), 1); err != nil {
		t.Fatalf("EraseUser of an unknown user: %v", err)
	}
	wantInvalid(t, store.EraseUser(ctx, "user-1", 1), "user_id")
}

// A user with more titles than one page of the index is erased completely.
func TestEraseUserPagesThroughIndex(t *testing.T) {
	store, ctx := setup(t)
	cassandra.SetErasePageSize(t, 2)
	user := uuid.NewString()
	var titles []string
	for range 7 {
		title := uuid.NewString()
		titles = append(titles, title)
		watch(t, ctx, store, user, title, 2)
	}
	if err := store.EraseUser(ctx, user, 1); err != nil {
		t.Fatalf("EraseUser: %v", err)
	}
	wantErased(t, ctx, store, user, titles)
}

// continue_watching is not a complete index of the user's titles: a late event's rows expire after its title's
// continue_watching row (the upsert of an older event loses to the newer position, so it does not extend the row's
// TTL). user_titles is, so the erasure still finds the title. Runs against a keyspace of its own with a 6 s TTL.
func TestEraseUserFindsLateEvents(t *testing.T) {
	store, ctx := ownStore(t, func(cfg *cassandra.Config) { cfg.TTL = 6 * time.Second })

	events := newEvents(2)
	user, title := events[0].UserID, events[0].ContentID
	write(t, ctx, store, events[1:]) // the newest event: continue_watching's row expires 6 s from now
	written := time.Now()
	time.Sleep(3 * time.Second)
	write(t, ctx, store, events[:1]) // a late, older event: its row expires 6 s from now, 3 s after the index row

	for userRows(t, ctx, store, "continue_watching", user) != 0 {
		if time.Since(written) > 8*time.Second {
			t.Fatal("continue_watching's row did not expire")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := countRows(t, ctx, store, user, title); n != 1 {
		t.Fatalf("%d playback_events rows after continue_watching's row expired; want the late event's", n)
	}
	if err := store.EraseUser(ctx, user, 1); err != nil {
		t.Fatalf("EraseUser: %v", err)
	}
	wantErased(t, ctx, store, user, []string{title})
}

// Events written before user_titles existed (schema step 3) are found through continue_watching.
func TestEraseUserFindsTitlesOfContinueWatching(t *testing.T) {
	store, ctx := setup(t)
	user := uuid.NewString()
	titles := []string{uuid.NewString(), uuid.NewString()}
	for _, title := range titles {
		watch(t, ctx, store, user, title, 3)
	}
	if err := store.Session().Query(`DELETE FROM user_titles WHERE user_id = ?`, user).WithContext(ctx).Exec(); err != nil {
		t.Fatal(err)
	}
	if err := store.EraseUser(ctx, user, 1); err != nil {
		t.Fatalf("EraseUser: %v", err)
	}
	wantErased(t, ctx, store, user, titles)
}

func TestEraseUserUnavailable(t *testing.T) {
	_, ctx := setup(t)
	closed, _, err := cassandra.Open(ctx, shared.cfg)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	if err := closed.EraseUser(ctx, uuid.NewString(), 1); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Fatalf("EraseUser after Close: %v; want unavailable", err)
	}
}
