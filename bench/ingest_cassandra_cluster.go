package main

// ingest_cassandra_3nodes: ingest_cassandra against the cluster topology's three Cassandra nodes (replication 3,
// LOCAL_QUORUM), the same client and server, beside the single node's entry.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/gocql/gocql"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
	"github.com/streamingplatform/streaming/server/cassandra"
)

const (
	cass3PerSide = 150_000 // three nodes on two cores write each event three times, at a twentieth of the single node's rate
	cass3Cycles  = 2
	cass3Warmup  = 20_000 // at its rate, 10 s or more per side: long enough to warm the JVMs
)

// ingestCassandra3Nodes starts the cluster topology's Cassandra (CLUSTER_STACK, with the stack command STACK; both
// set by `go tool task bench`) unless it runs, measures, and stops it again if it started it, so the other entries
// run without three more JVMs beside them.
func ingestCassandra3Nodes(ctx context.Context) ([]Result, error) {
	bin, assignments := os.Getenv("STACK"), strings.Fields(os.Getenv("CLUSTER_STACK"))
	if bin == "" || len(assignments) == 0 {
		return nil, errors.New("ingest_cassandra_3nodes: STACK and CLUSTER_STACK are not set; run it with `go tool task bench`")
	}
	st, err := stackenv.LoadWith(assignments)
	if err != nil {
		return nil, err
	}
	if st.CassandraNodes < 3 {
		return nil, fmt.Errorf("ingest_cassandra_3nodes: CLUSTER_STACK has %d Cassandra nodes, want 3", st.CassandraNodes)
	}
	nodes := []string{"cassandra", "cassandra2", "cassandra3"}
	stack := func(args ...string) error {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), assignments...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("stack %s: %w\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if stack(append([]string{"status"}, nodes...)...) != nil { // not (all) running: start, and stop afterwards
		if err := stack(append([]string{"up"}, nodes...)...); err != nil {
			return nil, err
		}
		defer stack(append([]string{"down"}, nodes...)...)
	}
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	// The cluster stack's own settings for streamingd (replication 3, LOCAL_QUORUM), as `stack server-env` gives them.
	var replication cassandra.Replication
	var consistency gocql.Consistency
	for _, v := range st.ServerSettings() {
		switch v.Env {
		case "STREAMING_CASSANDRA_REPLICATION":
			replication, err = cassandra.ParseReplication(v.Value)
		case "STREAMING_CASSANDRA_CONSISTENCY":
			consistency, err = cassandra.ParseConsistency(v.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	return ingestCassandraOn(ctx, cfg, cassTarget{name: "ingest_cassandra_3nodes", hosts: st.CassandraAddrs(),
		replication: replication, consistency: consistency, perSide: cass3PerSide, cycles: cass3Cycles, warmup: cass3Warmup,
		where: fmt.Sprintf("consistency %s, SimpleStrategy replication %d on three nodes (the cluster "+
			"topology's Cassandra on %s, %s heap each, on the same two cores as everything else)",
			consistency, replication.Factor, strings.Join(st.CassandraAddrs(), ", "), st.CassandraHeap),
		start: "go tool task stack:up:cluster"})
}
