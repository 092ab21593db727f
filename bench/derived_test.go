package main

import (
	"context"
	"math/rand/v2"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/streamingplatform/streaming/server/ingest"
	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/storetest"
)

// ingest_cassandra's server runs the derived updates streamingd ships: events it accepts become WATCHED edges in
// Neo4j and trending counts in Redis, and cleanDerived removes both afterwards. (Real stores; a discarding writer
// stands in for Cassandra, whose writes the observers follow either way.)
func TestShippedDerivedUpdatesApplyAndCleanUp(t *testing.T) {
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	storetest.Require(t, "redis", cfg.RedisAddr)
	u, err := url.Parse(cfg.Neo4jURI)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Require(t, "neo4j", u.Host)
	ctx := storetest.Context(t, 2*time.Minute)

	users, titles := uuids(4), uuids(3)
	derived, rc, closeDerived, err := shippedDerivedUpdates(ctx, cfg, func(id string) bool { return slices.Contains(titles, id) })
	if err != nil {
		t.Fatal(err)
	}
	defer closeDerived()
	events := playbackEvents(rand.New(rand.NewPCG(7, 8)), 60, users, titles)
	reqs, err := encodeRequests(events, 20)
	if err != nil {
		t.Fatal(err)
	}
	ours, md, err := startIngestServer(ingest.DiscardWriter{}, derived)
	if err != nil {
		t.Fatal(err)
	}
	cleaned := false
	defer func() {
		if !cleaned {
			cleanDerived(context.WithoutCancel(ctx), rc, cfg, users, titles)
		}
	}()
	if err := sendStreams(ctx, ours.conn, md, reqs, 2); err != nil {
		ours.stop()
		t.Fatal(err)
	}
	ours.stop() // flushes the pipeline, then the derived-update buffers
	if d := ours.dropped(); d[0] != 0 || d[1] != 0 {
		t.Errorf("derived updates dropped %v events", d)
	}

	drv, closeDrv, err := openNeo4j(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDrv()
	watched := func() int64 {
		t.Helper()
		res, err := neo4j.ExecuteQuery(ctx, drv, `MATCH (u:User)-[w:WATCHED]->(:Content) WHERE u.id IN $users RETURN count(w) AS n`,
			map[string]any{"users": users}, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(cfg.Neo4jDatabase))
		if err != nil {
			t.Fatal(err)
		}
		n, _, err := neo4j.GetRecordValue[int64](res.Records[0], "n")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	pairs := map[partitionKey]bool{}
	for _, e := range events {
		pairs[partitionKey{e.UserID, e.ContentID}] = true
	}
	if n := watched(); n != int64(len(pairs)) {
		t.Errorf("%d WATCHED edges for the users, want %d (one per user and title)", n, len(pairs))
	}
	e := events[0]
	bucket := redis.TrendingHourKey(e.OccurredAt)
	score := func() (float64, error) {
		return rc.Do(ctx, rc.B().Zscore().Key(bucket).Member(e.ContentID).Build()).AsFloat64()
	}
	if s, err := score(); err != nil || s < 1 {
		t.Errorf("%s %s = %v, %v; want a count of at least 1", bucket, e.ContentID, s, err)
	}

	cleanDerived(ctx, rc, cfg, users, titles)
	cleaned = true
	if n := watched(); n != 0 {
		t.Errorf("%d WATCHED edges left after clean-up", n)
	}
	if s, err := score(); err == nil {
		t.Errorf("%s %s = %v after clean-up, want no member", bucket, e.ContentID, s)
	}
}
