package cassandra_test

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gocql/gocql"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"go.uber.org/goleak"

	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// The tests run against the real Cassandra of the local stack, in one keyspace per test binary
// (streaming_test_<random>): creating a keyspace and its tables takes about a second, so it is done once, lazily by
// the first test that needs it, and dropped by TestMain at the end. Every test writes under fresh user ids.

var shared struct {
	once  sync.Once
	cfg   cassandra.Config
	store *cassandra.Store
	err   error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.store != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := shared.store.Session().Query("DROP KEYSPACE IF EXISTS " + shared.cfg.Keyspace).WithContext(ctx).Exec()
		cancel()
		if err != nil {
			fmt.Fprintf(os.Stderr, "drop test keyspace %s: %v\n", shared.cfg.Keyspace, err)
		}
		shared.store.Close()
	}
	// Every test ends every goroutine it started, and a closed store leaves none behind (issue 18).
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// testConfig is the configuration of the shared test keyspace.
func testConfig(t testing.TB) cassandra.Config {
	t.Helper()
	s := storetest.Settings(t)
	storetest.Require(t, "Cassandra", s.CassandraAddr())
	return cassandra.Config{
		Hosts:       []string{s.Host},
		Port:        s.CassandraPort,
		Keyspace:    "streaming_test_" + storetest.Unique(),
		Replication: cassandra.Replication{Class: cassandra.SimpleStrategy, Factor: 1},
		Consistency: gocql.One,
	}
}

// setup returns the shared store (opening it on first use) and a test context.
func setup(t testing.TB) (*cassandra.Store, context.Context) {
	t.Helper()
	cfg := testConfig(t)
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		shared.cfg = cfg
		start := time.Now()
		shared.store, _, shared.err = cassandra.Open(ctx, cfg)
		t.Logf("opened keyspace %s in %s", cfg.Keyspace, time.Since(start).Round(time.Millisecond))
	})
	if shared.err != nil {
		t.Fatalf("open: %v", shared.err)
	}
	return shared.store, storetest.Context(t, time.Minute)
}

// base is a fixed event time in the recent past, at millisecond precision (the precision of a CQL timestamp).
var base = time.Now().Add(-24 * time.Hour).Truncate(time.Second).UTC()

// newEvents returns n events of one fresh (user, title), one every 10 s from base, positions increasing.
func newEvents(n int) []streaming.PlaybackEvent {
	user, content := uuid.NewString(), uuid.NewString()
	events := make([]streaming.PlaybackEvent, n)
	for i := range events {
		events[i] = streaming.PlaybackEvent{
			EventID: uuid.NewString(), UserID: user, ContentID: content,
			OccurredAt:    base.Add(time.Duration(i) * 10 * time.Second),
			PlayedSeconds: 10, PositionSeconds: int32(10 * (i + 1)),
			Device: streaming.Devices[i%len(streaming.Devices)], Quality: streaming.Qualities[i%len(streaming.Qualities)],
			Completed: i == n-1,
		}
	}
	return events
}

// newestFirst is the order WatchHistory returns: ts descending, then event_id ascending (as uuids compare).
func newestFirst(events []streaming.PlaybackEvent) []streaming.PlaybackEvent {
	out := slices.Clone(events)
	slices.SortStableFunc(out, func(a, b streaming.PlaybackEvent) int {
		if c := b.OccurredAt.Compare(a.OccurredAt); c != 0 {
			return c
		}
		// Cassandra's uuid type orders by version, then (for non-time uuids) by unsigned bytes: for lowercase v4
		// uuids, string order.
		return cmp.Compare(a.EventID, b.EventID)
	})
	return out
}

func write(t testing.TB, ctx context.Context, store *cassandra.Store, events []streaming.PlaybackEvent) {
	t.Helper()
	if err := store.WritePartition(ctx, refs(events)); err != nil {
		t.Fatalf("WritePartition(%d events): %v", len(events), err)
	}
}

// refs points at each of events, as the ingest pipeline hands them over.
func refs(events []streaming.PlaybackEvent) []*streaming.PlaybackEvent {
	out := make([]*streaming.PlaybackEvent, len(events))
	for i := range events {
		out[i] = &events[i]
	}
	return out
}

// history reads every page of one title's history.
func history(t *testing.T, ctx context.Context, store *cassandra.Store, user, content string, pageSize int) (all []streaming.PlaybackEvent, pages int) {
	t.Helper()
	token := ""
	for {
		page, next, err := store.WatchHistory(ctx, user, content, pageSize, token)
		if err != nil {
			t.Fatalf("WatchHistory page %d: %v", pages, err)
		}
		if pageSize > 0 && len(page) > pageSize {
			t.Fatalf("page %d has %d events, more than the page size %d", pages, len(page), pageSize)
		}
		pages++
		all = append(all, page...)
		if next == "" {
			return all, pages
		}
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		token = next
	}
}

func countRows(t *testing.T, ctx context.Context, store *cassandra.Store, user, content string) int {
	t.Helper()
	var n int
	if err := store.Session().Query(`SELECT count(*) FROM playback_events WHERE user_id = ? AND content_id = ?`,
		user, content).WithContext(ctx).Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

// wantInvalid fails unless err is a CodeInvalid *streaming.Error on field.
func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	e := streaming.AsError(err)
	if e == nil || e.Code != streaming.CodeInvalid || e.Field != field {
		t.Fatalf("error = %v; want invalid %s", err, field)
	}
}

func TestSchemaStepIsRepeatable(t *testing.T) {
	store, ctx := setup(t)
	type row struct {
		Version   int
		AppliedAt time.Time
	}
	read := func() []row {
		var rows []row
		iter := store.Session().Query(`SELECT version, applied_at FROM schema_migrations`).WithContext(ctx).Iter()
		var r row
		for iter.Scan(&r.Version, &r.AppliedAt) {
			rows = append(rows, r)
		}
		if err := iter.Close(); err != nil {
			t.Fatalf("read schema_migrations: %v", err)
		}
		slices.SortFunc(rows, func(a, b row) int { return cmp.Compare(a.Version, b.Version) })
		return rows
	}
	before := read()
	if len(before) != cassandra.SchemaVersion() || before[len(before)-1].Version != cassandra.SchemaVersion() {
		t.Fatalf("schema_migrations = %v; want versions 1..%d", before, cassandra.SchemaVersion())
	}
	if err := store.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	// A second Open on the same keyspace: CREATE KEYSPACE IF NOT EXISTS, then the schema step again.
	again, _, err := cassandra.Open(ctx, shared.cfg)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	again.Close()
	if diff := gocmp.Diff(before, read()); diff != "" {
		t.Fatalf("the schema step ran again (-before +after):\n%s", diff)
	}

	var compaction map[string]string
	var ttl int
	if err := store.Session().Query(`SELECT compaction, default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?`,
		store.Keyspace(), "playback_events").WithContext(ctx).Scan(&compaction, &ttl); err != nil {
		t.Fatal(err)
	}
	if compaction["class"] != "org.apache.cassandra.db.compaction.TimeWindowCompactionStrategy" ||
		compaction["compaction_window_unit"] != "DAYS" || compaction["compaction_window_size"] != "7" {
		t.Errorf("playback_events compaction = %v; want TWCS, 7 days", compaction)
	}
	if want := int(cassandra.DefaultTTL / time.Second); ttl != want {
		t.Errorf("playback_events default_time_to_live = %d; want %d", ttl, want)
	}
}

func TestTTLFollowsConfig(t *testing.T) {
	_, ctx := setup(t)
	ttlOf := func(s *cassandra.Store, table string) int {
		var ttl int
		if err := s.Session().Query(`SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?`,
			s.Keyspace(), table).WithContext(ctx).Scan(&ttl); err != nil {
			t.Fatal(err)
		}
		return ttl
	}
	for _, c := range []struct {
		ttl  time.Duration
		want int
	}{{cassandra.KeepForever, 0}, {90 * 24 * time.Hour, 90 * 86400}, {0, int(cassandra.DefaultTTL / time.Second)}} {
		cfg := shared.cfg
		cfg.TTL = c.ttl
		s, _, err := cassandra.Open(ctx, cfg)
		if err != nil {
			t.Fatalf("Open with TTL %s: %v", c.ttl, err)
		}
		for _, table := range []string{"playback_events", "continue_watching"} {
			if got := ttlOf(s, table); got != c.want {
				t.Errorf("TTL %s: %s default_time_to_live = %d; want %d", c.ttl, table, got, c.want)
			}
		}
		s.Close()
	}
}

func TestWriteAndReadBack(t *testing.T) {
	store, ctx := setup(t)
	events := newEvents(12)
	// Two events at the same instant: event_id breaks the tie.
	events[5].OccurredAt = events[4].OccurredAt
	shuffled := slices.Clone(events)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	write(t, ctx, store, shuffled)

	got, next, err := store.WatchHistory(ctx, events[0].UserID, events[0].ContentID, 50, "")
	if err != nil {
		t.Fatalf("WatchHistory: %v", err)
	}
	if next != "" {
		t.Errorf("next = %q on a single page", next)
	}
	if diff := gocmp.Diff(newestFirst(events), got); diff != "" {
		t.Fatalf("history (-want +got):\n%s", diff)
	}
	// The write timestamp of every cell is the event time.
	var ts time.Time
	var wt int64
	iter := store.Session().Query(`SELECT ts, writetime(position_seconds) FROM playback_events WHERE user_id = ? AND content_id = ?`,
		events[0].UserID, events[0].ContentID).WithContext(ctx).Iter()
	for iter.Scan(&ts, &wt) {
		if wt != ts.UnixMicro() {
			t.Errorf("row at %s: writetime %d; want %d", ts, wt, ts.UnixMicro())
		}
	}
	if err := iter.Close(); err != nil {
		t.Fatal(err)
	}
	// Another title of the same user is another partition.
	if other, _, err := store.WatchHistory(ctx, events[0].UserID, uuid.NewString(), 50, ""); err != nil || len(other) != 0 {
		t.Fatalf("other title: %d events, %v; want none", len(other), err)
	}
}

func TestReplayAddsNoRows(t *testing.T) {
	store, ctx := setup(t)
	events := newEvents(30)
	write(t, ctx, store, events)
	write(t, ctx, store, events)
	write(t, ctx, store, events[10:20])
	reversed := slices.Clone(events)
	slices.Reverse(reversed)
	write(t, ctx, store, reversed)
	// The same ids spelled in upper case are the same uuids, so the same rows (and the same partition).
	upper := slices.Clone(events[:5])
	for i := range upper {
		upper[i].EventID = strings.ToUpper(upper[i].EventID)
		if i%2 == 1 {
			upper[i].UserID, upper[i].ContentID = strings.ToUpper(upper[i].UserID), strings.ToUpper(upper[i].ContentID)
		}
	}
	write(t, ctx, store, upper)
	if n := countRows(t, ctx, store, events[0].UserID, events[0].ContentID); n != len(events) {
		t.Fatalf("%d rows after replays; want %d", n, len(events))
	}
	got, _ := history(t, ctx, store, events[0].UserID, events[0].ContentID, 50)
	if diff := gocmp.Diff(newestFirst(events), got); diff != "" {
		t.Fatalf("history after replays (-want +got):\n%s", diff)
	}
}

func TestLateEventDoesNotMovePositionBack(t *testing.T) {
	store, ctx := setup(t)
	events := newEvents(4) // positions 10, 20, 30, 40 at base, +10s, +20s, +30s
	user, content := events[0].UserID, events[0].ContentID
	position := func() streaming.ContinueWatchingItem {
		t.Helper()
		items, err := store.ContinueWatching(ctx, user, 20)
		if err != nil {
			t.Fatalf("ContinueWatching: %v", err)
		}
		if len(items) != 1 || items[0].ContentID != content {
			t.Fatalf("ContinueWatching = %+v; want one item for %s", items, content)
		}
		return items[0]
	}
	// The newest event of a group sets the position, whatever its place in the group.
	write(t, ctx, store, []streaming.PlaybackEvent{events[2], events[1]})
	if p := position(); p.PositionSeconds != 30 || !p.UpdatedAt.Equal(events[2].OccurredAt) {
		t.Fatalf("after events 2 and 1: %+v; want position 30 at %s", p, events[2].OccurredAt)
	}
	// A late event, older than the stored position, is stored in the history but does not move the position.
	write(t, ctx, store, events[:1])
	if p := position(); p.PositionSeconds != 30 {
		t.Fatalf("after the late event 0: position %d; want 30", p.PositionSeconds)
	}
	if p := position(); p.Completed {
		t.Fatalf("completed before any event said so: %+v", p)
	}
	// A newer one does, and it says the title was finished (newEvents marks the last one completed).
	write(t, ctx, store, events[3:])
	if p := position(); p.PositionSeconds != 40 || !p.UpdatedAt.Equal(events[3].OccurredAt) || !p.Completed {
		t.Fatalf("after event 3: %+v; want position 40 at %s, completed", p, events[3].OccurredAt)
	}
	if n := countRows(t, ctx, store, user, content); n != 4 {
		t.Fatalf("%d rows; want 4", n)
	}
	// Finished, then watched again from the start: the newest event decides, and a late one does not.
	again := events[0]
	again.EventID, again.OccurredAt, again.PositionSeconds, again.Completed = uuid.NewString(), events[3].OccurredAt.Add(time.Minute), 5, false
	late := events[0]
	late.EventID, late.OccurredAt, late.Completed = uuid.NewString(), events[3].OccurredAt.Add(time.Second), true
	write(t, ctx, store, []streaming.PlaybackEvent{again})
	write(t, ctx, store, []streaming.PlaybackEvent{late})
	if p := position(); p.PositionSeconds != 5 || p.Completed {
		t.Fatalf("after watching again and a late completed event: %+v; want position 5, not completed", p)
	}
}

func TestWatchHistoryPaging(t *testing.T) {
	store, ctx := setup(t)
	for _, c := range []struct{ events, pageSize int }{{23, 5}, {20, 5}, {7, 1}, {3, 10}} {
		t.Run(fmt.Sprintf("%d_by_%d", c.events, c.pageSize), func(t *testing.T) {
			events := newEvents(c.events)
			write(t, ctx, store, events)
			got, pages := history(t, ctx, store, events[0].UserID, events[0].ContentID, c.pageSize)
			if diff := gocmp.Diff(newestFirst(events), got); diff != "" {
				t.Fatalf("pages (-want +got):\n%s", diff)
			}
			full := (c.events + c.pageSize - 1) / c.pageSize
			if pages != full && pages != full+1 { // +1: an empty last page when the rows fill the pages exactly
				t.Fatalf("%d pages; want %d", pages, full)
			}
			t.Logf("%d events in pages of %d: %d pages", c.events, c.pageSize, pages)
		})
	}
	events := newEvents(3)
	write(t, ctx, store, events)
	user, content := events[0].UserID, events[0].ContentID
	_, token, err := store.WatchHistory(ctx, user, content, 2, "")
	if err != nil || token == "" {
		t.Fatalf("first page: next %q, %v", token, err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("token %q is not base64url: %v", token, err)
	}
	// The token's own checksum with a paging state Cassandra never issued: Cassandra rejects it.
	forged := base64.RawURLEncoding.EncodeToString(append(raw[:4:4], 0xff, 0xff, 0xff, 0xff))
	for _, token := range []string{"not base64!", "AAAA", "_____w", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", forged} {
		_, _, err := store.WatchHistory(ctx, user, content, 2, token)
		wantInvalid(t, err, "page_token")
	}
	// A token of another list: another title of the same user, and another user.
	other := newEvents(3)
	other[0].UserID, other[1].UserID, other[2].UserID = user, user, user
	write(t, ctx, store, other)
	_, _, err = store.WatchHistory(ctx, user, other[0].ContentID, 2, token)
	wantInvalid(t, err, "page_token")
	_, _, err = store.WatchHistory(ctx, uuid.NewString(), content, 2, token)
	wantInvalid(t, err, "page_token")
	_, _, err = store.WatchHistory(ctx, user, content, -1, "")
	wantInvalid(t, err, "page_size")
	_, _, err = store.WatchHistory(ctx, user, content, 0, "") // the default page is the query side's
	wantInvalid(t, err, "page_size")
	_, err = store.ContinueWatching(ctx, user, 0)
	wantInvalid(t, err, "limit")
	_, _, err = store.WatchHistory(ctx, "nope", content, 2, "")
	wantInvalid(t, err, "user_id")
	_, _, err = store.WatchHistory(ctx, user, "nope", 2, "")
	wantInvalid(t, err, "content_id")
	if page, _, err := store.WatchHistory(ctx, user, content, 10_000, ""); err != nil || len(page) != 3 {
		t.Fatalf("page size above the maximum: %d events, %v; want 3", len(page), err)
	}
}

func TestWritePartitionRejectsBadInput(t *testing.T) {
	store, ctx := setup(t)
	cases := []struct {
		name   string
		change func(events []streaming.PlaybackEvent)
		field  string
	}{
		{"another title", func(e []streaming.PlaybackEvent) { e[2].ContentID = uuid.NewString() }, "content_id"},
		{"another user", func(e []streaming.PlaybackEvent) { e[1].UserID = uuid.NewString() }, "user_id"},
		{"user not a uuid", func(e []streaming.PlaybackEvent) {
			for i := range e {
				e[i].UserID = "user-1"
			}
		}, "user_id"},
		{"content not a uuid", func(e []streaming.PlaybackEvent) {
			for i := range e {
				e[i].ContentID = ""
			}
		}, "content_id"},
		{"event id not a uuid", func(e []streaming.PlaybackEvent) { e[2].EventID = "e-3" }, "event_id"},
		{"no time", func(e []streaming.PlaybackEvent) { e[0].OccurredAt = time.Time{} }, "occur_time"},
		{"far future", func(e []streaming.PlaybackEvent) { e[1].OccurredAt = time.Now().Add(time.Hour) }, "occur_time"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			events := newEvents(3)
			user, content := events[0].UserID, events[0].ContentID
			c.change(events)
			wantInvalid(t, store.WritePartition(ctx, refs(events)), c.field)
			if n := countRows(t, ctx, store, user, content); n != 0 {
				t.Fatalf("%d rows written by a rejected call", n)
			}
			if items, err := store.ContinueWatching(ctx, user, 20); err != nil || len(items) != 0 {
				t.Fatalf("ContinueWatching after a rejected call = %v, %v; want nothing", items, err)
			}
		})
	}
	if err := store.WritePartition(ctx, nil); err != nil {
		t.Fatalf("no events: %v", err)
	}
}

func TestContinueWatchingOrderAndLimit(t *testing.T) {
	store, ctx := setup(t)
	user := uuid.NewString()
	var titles []string // newest first
	for i := range 5 {
		events := newEvents(2)
		for j := range events {
			events[j].UserID = user
			// Title i was last watched i hours after base: the last title is the newest.
			events[j].OccurredAt = events[j].OccurredAt.Add(time.Duration(i) * time.Hour)
		}
		write(t, ctx, store, events)
		titles = slices.Insert(titles, 0, events[0].ContentID)
	}
	items, err := store.ContinueWatching(ctx, user, 20)
	if err != nil {
		t.Fatalf("ContinueWatching: %v", err)
	}
	var got []string
	for _, it := range items {
		got = append(got, it.ContentID)
		if it.PositionSeconds != 20 {
			t.Errorf("%s: position %d; want 20", it.ContentID, it.PositionSeconds)
		}
	}
	if diff := gocmp.Diff(titles, got); diff != "" {
		t.Fatalf("order (-want +got):\n%s", diff)
	}
	if items, err := store.ContinueWatching(ctx, user, 3); err != nil || len(items) != 3 || items[0].ContentID != titles[0] ||
		items[2].ContentID != titles[2] {
		t.Fatalf("limit 3: %+v, %v; want the 3 newest", items, err)
	}
	if items, err := store.ContinueWatching(ctx, uuid.NewString(), 10); err != nil || len(items) != 0 {
		t.Fatalf("unknown user: %+v, %v; want nothing", items, err)
	}
	_, err = store.ContinueWatching(ctx, user, -1)
	wantInvalid(t, err, "limit")
	_, err = store.ContinueWatching(ctx, "x", 1)
	wantInvalid(t, err, "user_id")
}

func TestLargeGroupIsSplit(t *testing.T) {
	store, ctx := setup(t)
	events := newEvents(1000) // the ingest API's largest batch, if it were all one partition: ten sub-batches
	start := time.Now()
	write(t, ctx, store, events)
	t.Logf("1000 events in one call: %s", time.Since(start).Round(time.Microsecond))
	if n := countRows(t, ctx, store, events[0].UserID, events[0].ContentID); n != len(events) {
		t.Fatalf("%d rows; want %d", n, len(events))
	}
	items, err := store.ContinueWatching(ctx, events[0].UserID, 1)
	if err != nil || len(items) != 1 || items[0].PositionSeconds != events[999].PositionSeconds {
		t.Fatalf("ContinueWatching = %+v, %v; want the last event's position", items, err)
	}
}

func TestUnavailable(t *testing.T) {
	cfg := testConfig(t)
	// A port where nothing listens.
	l, err := net.Listen("tcp", net.JoinHostPort(cfg.Hosts[0], "0"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	cfg.Timeout = time.Second
	ctx := storetest.Context(t, 30*time.Second)
	if _, _, err := cassandra.Open(ctx, cfg); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Fatalf("Open on a closed port: %v; want unavailable", err)
	}

	_, ctx = setup(t)
	closed, _, err := cassandra.Open(ctx, shared.cfg)
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	if err := closed.WritePartition(ctx, refs(newEvents(2))); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Fatalf("write after Close: %v; want unavailable", err)
	}
	if _, _, err := closed.WatchHistory(ctx, uuid.NewString(), uuid.NewString(), 50, ""); streaming.ErrorCode(err) != streaming.CodeUnavailable {
		t.Fatalf("read after Close: %v; want unavailable", err)
	}
}

func TestOpenRejectsBadConfig(t *testing.T) {
	ctx := context.Background()
	for _, cfg := range []cassandra.Config{
		{},
		{Hosts: []string{"127.0.0.1"}, Keyspace: "Bad-Name"},
		{Hosts: []string{"127.0.0.1"}, Keyspace: "x; DROP KEYSPACE y"},
		{Hosts: []string{"127.0.0.1"}, Replication: cassandra.Replication{Class: "Nope"}},
		{Hosts: []string{"127.0.0.1"}, Replication: cassandra.Replication{Class: cassandra.NetworkTopologyStrategy,
			DCs: map[string]int{"dc1'}": 3}}},
		{Hosts: []string{"127.0.0.1"}, TTL: time.Millisecond},
	} {
		if s, _, err := cassandra.Open(ctx, cfg); err == nil || streaming.AsError(err) != nil {
			if s != nil {
				s.Close()
			}
			t.Errorf("Open(%+v) = %v; want a configuration error", cfg, err)
		}
	}
}

func TestParseReplication(t *testing.T) {
	for in, want := range map[string]cassandra.Replication{
		"SimpleStrategy:1":    {Class: cassandra.SimpleStrategy, Factor: 1},
		" SimpleStrategy: 3 ": {Class: cassandra.SimpleStrategy, Factor: 3},
		"NetworkTopologyStrategy:dc1=3,dc2=3": {Class: cassandra.NetworkTopologyStrategy,
			DCs: map[string]int{"dc1": 3, "dc2": 3}},
		"NetworkTopologyStrategy:datacenter1=1": {Class: cassandra.NetworkTopologyStrategy,
			DCs: map[string]int{"datacenter1": 1}},
	} {
		got, err := cassandra.ParseReplication(in)
		if err != nil {
			t.Errorf("ParseReplication(%q): %v", in, err)
			continue
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("ParseReplication(%q) (-want +got):\n%s", in, diff)
		}
		if again, err := cassandra.ParseReplication(got.String()); err != nil || !gocmp.Equal(got, again) {
			t.Errorf("String() %q does not parse back: %+v, %v", got.String(), again, err)
		}
	}
	for _, in := range []string{"", "SimpleStrategy", "SimpleStrategy:0", "SimpleStrategy:x",
		"NetworkTopologyStrategy:", "NetworkTopologyStrategy:dc1", "NetworkTopologyStrategy:dc1=0",
		"NetworkTopologyStrategy:dc1=3,dc1=2", "NetworkTopologyStrategy:dc'1=3", "LocalStrategy:1"} {
		if r, err := cassandra.ParseReplication(in); err == nil {
			t.Errorf("ParseReplication(%q) = %+v; want an error", in, r)
		}
	}
}

// BenchmarkWritePartition measures one WritePartition call of n events of one partition; besides the mean it
// reports the median and p90 of the calls (latency is a measurement, not a test: there is no threshold to pass).
func BenchmarkWritePartition(b *testing.B) {
	store, ctx := setup(b)
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			var took []time.Duration
			for b.Loop() {
				b.StopTimer()
				events := refs(newEvents(n))
				b.StartTimer()
				start := time.Now()
				if err := store.WritePartition(ctx, events); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Nanoseconds()), "p50-ns/op")
			b.ReportMetric(float64(took[len(took)*9/10].Nanoseconds()), "p90-ns/op")
		})
	}
}

// ViewingsSince reads back, from what is durable, one viewing per user, title, hour and device for every event at or
// after since (completed if any event of the hour and device was, with their seconds and events summed, as
// ingest.Viewings folds them), and nothing of pairs whose events are all older.
func TestViewingsSince(t *testing.T) {
	store, ctx := setup(t)
	long := newEvents(400) // every 10 s from base: 66 minutes, the last one completed
	write(t, ctx, store, long)
	old := newEvents(3)
	for i := range old {
		old[i].OccurredAt = old[i].OccurredAt.Add(-48 * time.Hour)
	}
	write(t, ctx, store, old)
	since := base.Add(30 * time.Minute)

	type key struct{ user, content, hour, device string }
	type sums struct {
		completed       bool
		seconds, events int64
	}
	want := map[key]sums{}
	for _, e := range long {
		if !e.OccurredAt.Before(since) {
			k := key{e.UserID, e.ContentID, e.OccurredAt.UTC().Truncate(time.Hour).Format(time.RFC3339), e.Device}
			w := want[k]
			want[k] = sums{w.completed || e.Completed, w.seconds + int64(e.PlayedSeconds), w.events + 1}
		}
	}
	got := map[key]sums{}
	err := store.ViewingsSince(ctx, since, func(vs []streaming.Viewing) error {
		for _, v := range vs {
			if v.UserID == old[0].UserID {
				t.Errorf("a viewing of events older than the window: %+v", v)
			}
			if v.UserID != long[0].UserID { // other tests' events share the keyspace
				continue
			}
			k := key{v.UserID, v.ContentID, v.Hour.Format(time.RFC3339), v.Device}
			if _, dup := got[k]; dup {
				t.Errorf("viewing %+v read twice", v)
			}
			got[k] = sums{v.Completed, v.Seconds, int64(v.Events)}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, want) {
		t.Fatalf("viewings %v, want %v", got, want)
	}
	stop := errors.New("stop")
	if err := store.ViewingsSince(ctx, since, func([]streaming.Viewing) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("fn's error: got %v", err)
	}
}
