package readcheck_test

import (
	"context"
	"testing"
	"time"

	"github.com/gocql/gocql"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/readcheck"
	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/storetest"
	"github.com/streamingplatform/streaming/server/streaming"
)

// openCassandra opens a keyspace of the test's own on the stack's Cassandra, dropped when the test ends.
func (w *world) openCassandra() *cassandra.Store {
	w.t.Helper()
	s := storetest.Settings(w.t)
	storetest.Require(w.t, "Cassandra", s.CassandraAddr())
	cfg := cassandra.Config{Hosts: []string{s.Host}, Port: s.CassandraPort, Keyspace: "readcheck_" + storetest.Unique(),
		Replication: cassandra.Replication{Class: cassandra.SimpleStrategy, Factor: 1}, Consistency: gocql.One, NumConns: 1}
	store, closeStore, err := cassandra.Open(w.ctx, cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := store.Session().Query("DROP KEYSPACE IF EXISTS " + cfg.Keyspace).WithContext(ctx).Exec(); err != nil {
			w.t.Errorf("drop keyspace %s: %v", cfg.Keyspace, err)
		}
		closeStore()
	})
	return store
}

// TestCheckProvesErasures erases users through the real erasers and checks that the erasure kind finds nothing left
// of a completed erasure, names what a store kept after its erasure was done (diverged, failing), and reports what a
// store still holds while its erasure is queued as pending (not failing, unless strict).
func TestCheckProvesErasures(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	store := w.openCassandra()
	src := w.sources()
	src.Cassandra = store
	sessions := redis.NewSessionStore(w.rc, time.Hour)
	queue := postgres.NewErasureQueue(w.pool)
	plan, title := w.plan(), w.title("Watched")

	// Each user leaves personal data in every store: a reviewed rating and a saved payment token (PostgreSQL), a
	// WATCHED edge (Neo4j), a complete view and a session (Redis), a playback event (Cassandra).
	var users []streaming.User
	for range 4 {
		u := w.user()
		w.subscribe(u, plan)
		if err := w.store.RecordRating(w.ctx, &streaming.Rating{UserID: u.ID, ContentID: title.ID, Stars: 4, Review: "Loved it"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.pool.Exec(w.ctx, `UPDATE subscriptions SET payment_token = 'tok_visa' WHERE user_id = $1`, u.ID); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	if _, _, err := postgres.NewRatingStore(w.pool).FlushAggregates(w.ctx, 1000); err != nil {
		t.Fatal(err)
	}
	w.relayAll()
	for _, u := range users {
		w.putView(u)
		if err := sessions.CreateSession(w.ctx, streaming.Session{Token: uuid.NewString(), UserID: u.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		ev := &streaming.PlaybackEvent{EventID: uuid.NewString(), UserID: u.ID, ContentID: title.ID,
			OccurredAt: time.Now().Add(-time.Minute), PlayedSeconds: 30, PositionSeconds: 30, Device: streaming.Devices[0],
			Quality: streaming.Qualities[0]}
		if err := store.WritePartition(w.ctx, []*streaming.PlaybackEvent{ev}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, u := range users {
			if _, err := sessions.DeleteUserSessions(ctx, u.ID); err != nil {
				t.Errorf("delete sessions: %v", err)
			}
		}
	})

	// erase runs DeleteUser's transaction and, when complete, every store's eraser, recorded done as the worker does.
	erasers := []streaming.UserEraser{w.graph, redis.NewEraser(w.rc), store}
	erase := func(u streaming.User, complete bool) {
		t.Helper()
		var version int64
		w.inTx(func(tx streaming.CommandTx) error {
			var err error
			version, _, err = tx.AnonymizeUser(w.ctx, u.ID, time.Now(), streaming.ErasureStores)
			return err
		})
		if !complete {
			return
		}
		for _, e := range erasers {
			if err := e.EraseUser(w.ctx, u.ID, version); err != nil {
				t.Fatalf("%s: EraseUser: %v", e.ErasureStore(), err)
			}
			if err := queue.ErasureDone(w.ctx, u.ID, e.ErasureStore(), time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	done, leftover, pgLeft, pending := users[0], users[1], users[2], users[3]
	erase(done, true)
	erase(leftover, true)
	erase(pgLeft, true)
	erase(pending, false)

	// Written after the erasures: what a buggy or racing writer would leave.
	w.cypher(`MATCH (u:User {id: $user}), (c:Content {id: $content}) CREATE (u)-[:WATCHED]->(c)`,
		map[string]any{"user": leftover.ID, "content": title.ID})
	w.redis(w.rc.B().Sadd().Key("sessions:" + leftover.ID).Member("0123abcd").Build())
	// The erasure's deletes are timestamped MaxClockSkew ahead: a later write must be timestamped after them.
	if err := store.Session().Query(`INSERT INTO continue_watching (user_id, content_id, position_seconds, updated_at)
		VALUES (?, ?, ?, ?) USING TIMESTAMP ?`, leftover.ID, title.ID, 60, time.Now(), time.Now().Add(time.Hour).UnixMicro()).
		WithContext(w.ctx).Exec(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.pool.Exec(w.ctx, `UPDATE users SET display_name = 'Back again' WHERE id = $1`, pgLeft.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.pool.Exec(w.ctx, `UPDATE ratings SET review = 'Still here' WHERE user_id = $1`, pgLeft.ID); err != nil {
		t.Fatal(err)
	}

	type F = finding
	const kind = readcheck.KindErasure
	const mPG, mGraph, mRedis, mCass = readcheck.ModelPostgres, readcheck.ModelNeo4j, readcheck.ModelRedis, readcheck.ModelCassandra
	want := []F{
		{mGraph, kind, leftover.ID, readcheck.StatusDiverged, "relationships"},
		{mRedis, kind, leftover.ID, readcheck.StatusDiverged, "key sessions:" + leftover.ID},
		{mCass, kind, leftover.ID, readcheck.StatusDiverged, "continue_watching rows"},
		{mPG, kind, pgLeft.ID, readcheck.StatusDiverged, "display_name,rating reviews"},
		// Nothing erased yet but PostgreSQL: the node is no tombstone and keeps its edge, the view and the session
		// are there, and so is the viewing history.
		{mGraph, kind, pending.ID, readcheck.StatusPending, "erased,relationships"},
		{mRedis, kind, pending.ID, readcheck.StatusPending, "key user_profile:" + pending.ID + ",key sessions:" + pending.ID},
		{mCass, kind, pending.ID, readcheck.StatusPending, "continue_watching rows,user_titles rows,playback_events rows"},
	}
	ids := []string{done.ID, leftover.ID, pgLeft.ID, pending.ID}

	rep := w.check(src, readcheck.Options{IDs: ids, MaxDiffs: 1000})
	if diff := cmp.Diff(sortFindings(want), sortFindings(findings(rep))); diff != "" {
		t.Errorf("differences (-want +got):\n%s", diff)
	}
	if !rep.Failed() {
		t.Error("Failed() = false with personal data left after completed erasures")
	}
	for _, c := range []readcheck.Counts{
		{Model: mGraph, Kind: kind, Checked: 4, OK: 2, Diverged: 1, Pending: 1},
		{Model: mRedis, Kind: kind, Checked: 4, OK: 2, Diverged: 1, Pending: 1},
		{Model: mCass, Kind: kind, Checked: 4, OK: 2, Diverged: 1, Pending: 1},
		{Model: mPG, Kind: kind, Checked: 4, OK: 3, Diverged: 1},
	} {
		if got, ok := rep.Count(c.Model, c.Kind); !ok || got != c {
			t.Errorf("counts of %s %s = %+v, want %+v", c.Model, c.Kind, got, c)
		}
	}
	for _, d := range rep.Differences {
		for _, f := range d.Fields {
			if f.Got == "Back again" || f.Got == `"Back again"` {
				t.Errorf("the report copies personal data: %+v", d)
			}
		}
	}

	t.Run("a completed erasure is ok in every store", func(t *testing.T) {
		rep := w.check(src, readcheck.Options{IDs: []string{done.ID}})
		if rep.Failed() || len(rep.Differences) != 0 {
			t.Fatalf("completed erasure reported: %+v", rep.Differences)
		}
		for _, m := range []readcheck.Model{mPG, mGraph, mRedis, mCass} {
			if c, _ := rep.Count(m, kind); c.Checked != 1 || c.OK != 1 {
				t.Errorf("counts of %s = %+v, want 1 checked, 1 ok", m, c)
			}
		}
	})

	t.Run("a queued erasure is pending, failing only when strict", func(t *testing.T) {
		rep := w.check(src, readcheck.Options{IDs: []string{pending.ID}})
		if rep.Failed() {
			t.Errorf("queued erasure fails the check: %+v", rep.Differences)
		}
		if n := rep.Total(readcheck.StatusPending); n != 3 {
			t.Errorf("%d pending, want 3 (neo4j, redis, cassandra): %+v", n, rep.Differences)
		}
		strict := w.check(src, readcheck.Options{IDs: []string{pending.ID}, Strict: true})
		if !strict.Failed() || strict.Total(readcheck.StatusDiverged) != 3 {
			t.Errorf("strict: failed %v, %d diverged; want true, 3: %+v", strict.Failed(),
				strict.Total(readcheck.StatusDiverged), strict.Differences)
		}
	})

	t.Run("a full check pages through every erased user", func(t *testing.T) {
		full := src
		full.Graph = nil // a full check scans the shared graph for orphans: everyone's nodes
		rep := w.check(full, readcheck.Options{BatchSize: 3, MaxDiffs: 1000})
		var wantFull []F
		for _, f := range want {
			if f.Model != mGraph {
				wantFull = append(wantFull, f)
			}
		}
		if diff := cmp.Diff(sortFindings(wantFull), sortFindings(findings(rep))); diff != "" {
			t.Errorf("differences (-want +got):\n%s", diff)
		}
		if c, _ := rep.Count(mPG, kind); c.Checked != 4 {
			t.Errorf("postgres erasure counts %+v, want 4 checked", c)
		}
	})

	t.Run("a sample checks erased users too", func(t *testing.T) {
		full := src
		full.Graph = nil
		rep := w.check(full, readcheck.Options{Sample: 2})
		for _, m := range []readcheck.Model{mPG, mRedis, mCass} {
			if c, _ := rep.Count(m, kind); c.Checked != 2 {
				t.Errorf("sample of 2 checked %d erased users in %s", c.Checked, m)
			}
		}
	})
}
