package main

// capacity: the measured inputs of docs/capacity.md - bytes on disk per stored playback event, per search document
// and per graph relationship - each against the logical size of what it stores.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gocql/gocql"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/olivere/elastic/v7"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/streaming"
)

const capacityEvents = 1_000_000 // events written for the on-disk size

// eventLogicalBytes is one playback row's values as CQL stores them, without any overhead: three uuids (user,
// title, event), the timestamp, two ints, device and quality as short text (about 6 and 2 bytes), a boolean.
const eventLogicalBytes = 3*16 + 8 + 2*4 + 6 + 2 + 1

func capacity(ctx context.Context) ([]Result, error) {
	st, err := stackenv.Load()
	if err != nil {
		return nil, err
	}
	bin := os.Getenv("STACK")
	if bin == "" {
		return nil, errors.New("capacity: STACK is not set; run it with `go tool task bench`")
	}
	perEvent, eventConditions, err := cassandraBytesPerEvent(ctx, st, bin)
	if err != nil {
		return nil, err
	}
	qb, err := startQueryBench(ctx)
	if err != nil {
		return nil, err
	}
	defer qb.stop()
	perDoc, docLogical, docConditions, err := searchBytesPerDoc(ctx, qb)
	if err != nil {
		return nil, err
	}
	perRel, graphConditions, err := graphBytesPerRelationship(ctx, st, qb)
	if err != nil {
		return nil, err
	}
	return []Result{
		{Name: "cassandra_bytes_per_event", Value: round(perEvent, 1), Unit: "bytes", Baseline: eventLogicalBytes,
			Ratio: ratio(perEvent, eventLogicalBytes), Conditions: eventConditions},
		{Name: "search_bytes_per_document", Value: round(perDoc, 1), Unit: "bytes", Baseline: round(docLogical, 1),
			Ratio: ratio(perDoc, docLogical), Conditions: docConditions},
		{Name: "graph_bytes_per_relationship", Value: round(perRel, 1), Unit: "bytes", Baseline: 0,
			Conditions: graphConditions},
	}, nil
}

// cassandraBytesPerEvent writes capacityEvents events through cassandra.Store (the shipped write path) into a fresh
// keyspace of the local node, restarts the node so it flushes its memtables (a clean stop drains), and divides the
// keyspace's SSTables on disk by the events.
func cassandraBytesPerEvent(ctx context.Context, st stackenv.Settings, bin string) (float64, string, error) {
	cfg, err := loadConfig()
	if err != nil {
		return 0, "", err
	}
	keyspace := "bench_" + randomHex(6)
	open := func() (*cassandra.Store, func(), error) {
		return cassandra.Open(ctx, cassandra.Config{Hosts: cfg.CassandraHosts, Keyspace: keyspace,
			Replication: cassandra.Replication{Class: cassandra.SimpleStrategy, Factor: 1}, Consistency: gocql.One})
	}
	store, closeStore, err := open()
	if err != nil {
		return 0, "", err
	}
	rng := rand.New(rand.NewPCG(5, 6))
	users, titles := uuids(10_000), uuids(1_000)
	events := playbackEvents(rng, capacityEvents, users, titles)
	groups := map[partitionKey][]*streaming.PlaybackEvent{}
	for i := range events {
		e := &events[i]
		k := partitionKey{e.UserID, e.ContentID}
		groups[k] = append(groups[k], e)
	}
	start := time.Now()
	err = parallelMap(ctx, groups, 32, func(ctx context.Context, g []*streaming.PlaybackEvent) error {
		return store.WritePartition(ctx, g)
	})
	wrote := time.Since(start)
	closeStore()
	if err != nil {
		return 0, "", err
	}
	restart := time.Now()
	for _, verb := range []string{"down", "up"} {
		if out, err := exec.CommandContext(ctx, bin, verb, "cassandra").CombinedOutput(); err != nil {
			return 0, "", fmt.Errorf("stack %s cassandra: %w\n%s", verb, err, out)
		}
	}
	restarted := time.Since(restart)
	var sstables, all int64
	var files int
	dir := filepath.Join(st.Home, "cassandra", "data", "data", keyspace)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		all += info.Size()
		if strings.Contains(filepath.Dir(path), "playback_events-") && strings.HasSuffix(path, "-Data.db") {
			files++
		}
		if strings.Contains(filepath.Dir(path), "playback_events-") {
			sstables += info.Size()
		}
		return nil
	})
	if err != nil {
		return 0, "", err
	}
	if files == 0 {
		return 0, "", fmt.Errorf("capacity: no playback_events SSTable under %s after the restart: the node did not flush", dir)
	}
	if s, closeS, err := open(); err == nil {
		s.Session().Query("DROP KEYSPACE " + keyspace).Exec()
		closeS()
	}
	per := float64(sstables) / capacityEvents
	return per, fmt.Sprintf("%d events (10000 users × 1000 titles, %d partitions, times within the last hour) written "+
		"through cassandra.Store.WritePartition (single-partition unlogged batches, 32 partitions in flight, %.0f events/s), "+
		"then the node stopped cleanly (it drains: memtables flushed) and started again (%.0f s); playback_events on disk: "+
		"%d bytes in %d SSTables (data, index, bloom filter, statistics; LZ4 compression, the table's TWCS defaults), "+
		"the whole keyspace %d bytes (continue_watching's %d rows included); baseline = the row's values alone "+
		"(%d bytes: three uuids, a timestamp, two ints, two short texts, a boolean); one node, replication 1: a cluster "+
		"stores this once per replica; %s",
		capacityEvents, len(groups), capacityEvents/wrote.Seconds(), restarted.Seconds(), sstables, files, all,
		len(groups), eventLogicalBytes, machine()), nil
}

// parallelMap runs f on every value of m, c at a time; the first error stops it.
func parallelMap[K comparable, V any](ctx context.Context, m map[K]V, c int, f func(context.Context, V) error) error {
	values := make([]V, 0, len(m))
	for _, v := range m {
		values = append(values, v)
	}
	return parallel(ctx, len(values), c, func(ctx context.Context, i int) error { return f(ctx, values[i]) })
}

// searchBytesPerDoc reads the dataset index's primary store size and its documents' source size.
func searchBytesPerDoc(ctx context.Context, qb *queryBench) (perDoc, logical float64, conditions string, err error) {
	client, err := elastic.NewSimpleClient(elastic.SetURL(qb.srv.cfg.SearchURLs...))
	if err != nil {
		return 0, 0, "", err
	}
	defer client.Stop()
	stats, err := client.IndexStats(qb.data.alias).Metric("store", "docs").Do(ctx)
	if err != nil {
		return 0, 0, "", err
	}
	var store, docs int64
	var index string
	for name, s := range stats.Indices {
		index = name
		store += s.Primaries.Store.SizeInBytes
		docs += s.Primaries.Docs.Count
	}
	if docs == 0 {
		return 0, 0, "", fmt.Errorf("capacity: alias %s holds no documents", qb.data.alias)
	}
	// The documents' JSON as indexed (a sample of 500), for the logical size.
	res, err := client.Search(qb.data.alias).Size(500).Do(ctx)
	if err != nil {
		return 0, 0, "", err
	}
	var src int
	for _, h := range res.Hits.Hits {
		src += len(h.Source)
	}
	if len(res.Hits.Hits) == 0 {
		return 0, 0, "", errors.New("capacity: no document to sample")
	}
	logical = float64(src) / float64(len(res.Hits.Hits))
	perDoc = float64(store) / float64(docs)
	return perDoc, logical, fmt.Sprintf("index %s behind alias %s: %d documents, %d bytes of primary store (1 shard, "+
		"0 replicas: a replica doubles it), after the dataset's load and refresh, not force-merged; baseline = a document's "+
		"JSON source (mean of 500: the fields the search package indexes); %s; %s",
		index, qb.data.alias, docs, store, qb.data.describe(qb.report), machine()), nil
}

// graphBytesPerRelationship divides the Neo4j database's files on disk by its relationships.
func graphBytesPerRelationship(ctx context.Context, st stackenv.Settings, qb *queryBench) (float64, string, error) {
	cfg := qb.srv.cfg
	drv, closeDrv, err := openNeo4j(ctx, cfg)
	if err != nil {
		return 0, "", err
	}
	defer closeDrv()
	count := func(q string) (int64, error) {
		res, err := neo4j.ExecuteQuery(ctx, drv, q, nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(cfg.Neo4jDatabase))
		if err != nil {
			return 0, err
		}
		n, _, err := neo4j.GetRecordValue[int64](res.Records[0], "n")
		return n, err
	}
	nodes, err := count(`MATCH (n) RETURN count(n) AS n`)
	if err != nil {
		return 0, "", err
	}
	rels, err := count(`MATCH ()-[r]->() RETURN count(r) AS n`)
	if err != nil {
		return 0, "", err
	}
	db := cfg.Neo4jDatabase
	if db == "" {
		db = "neo4j"
	}
	var size int64
	dir := filepath.Join(st.Home, "neo4j", "data", "databases", db)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			size += info.Size()
		}
		return err
	})
	if err != nil || rels == 0 {
		return 0, "", fmt.Errorf("capacity: graph store %s: %d relationships, %v", dir, rels, err)
	}
	return float64(size) / float64(rels), fmt.Sprintf("Neo4j database %q on disk (%s): %d bytes for %d nodes and %d "+
		"relationships (the dataset's plus what tests left), all stores and indexes, divided by the relationships, which "+
		"dominate it; no baseline (Neo4j's fixed record sizes are 15 bytes per node and 34 per relationship before "+
		"properties and indexes); %s; %s", db, dir, size, nodes, rels, qb.data.describe(qb.report), machine()), nil
}
