package main

import (
	"github.com/streamingplatform/streaming/deploy/local/stackenv"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	vars := map[string]string{"HOME": "/s/neo4j", "PORT": "7687"}
	got, err := expand("-Dstack.home=${HOME} -Dport=${PORT} ${cassandra.logdir} $HOME", vars)
	if err != nil {
		t.Fatal(err)
	}
	// Only ${UPPER} placeholders are ours; the servers' own ${lower.case} references and bare $ pass through.
	if want := "-Dstack.home=/s/neo4j -Dport=7687 ${cassandra.logdir} $HOME"; got != want {
		t.Fatalf("expand = %q, want %q", got, want)
	}
	if _, err := expand("-Xmx${HEAP}", vars); err == nil || !strings.Contains(err.Error(), "HEAP") {
		t.Fatalf("unknown placeholder: err = %v, want one naming HEAP", err)
	}
}

// Every embedded template and option file must expand with the variables its server provides, so a typo in a
// placeholder fails here rather than at start-up.
func TestAssetsExpand(t *testing.T) {
	t.Setenv("STACK_HOME", t.TempDir())
	cfg := loadForTest(t)
	for _, j := range []*jvmServer{newCassandra(cfg, 1), newCassandra(cfg, 3), newNeo4j(cfg), newSearch(cfg)} {
		vars := j.templateVars()
		entries, err := assets.ReadDir(j.asset)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name() == "pom.xml" || strings.HasSuffix(e.Name(), ".java") {
				continue
			}
			text, _ := assets.ReadFile(j.asset + "/" + e.Name())
			if _, err := expand(string(text), vars); err != nil {
				t.Errorf("%s/%s: %v", j.asset, e.Name(), err)
			}
		}
	}
}

func loadForTest(t *testing.T) stackenv.Settings {
	t.Helper()
	cfg, err := stackenv.Load()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// The nodes of a local Cassandra cluster bind to consecutive loopback addresses on the same ports, all with the first
// node as their seed, and hinted handoff is on only when there is more than one.
func TestCassandraClusterNodes(t *testing.T) {
	t.Setenv("STACK_HOME", t.TempDir())
	t.Setenv("STACK_CASSANDRA_NODES", "3")
	cfg := loadForTest(t)
	var names []string
	for _, s := range servers(cfg) {
		names = append(names, s.Name())
	}
	if got := strings.Join(names, " "); got != "postgres redis cassandra neo4j search stripemock cassandra2 cassandra3" {
		t.Fatalf("servers %s", got)
	}
	third := newCassandra(cfg, 3)
	if third.vars["HOST"] != "127.0.0.3" || third.Addr() != "127.0.0.3:9042" || third.vars["SEEDS"] != "127.0.0.1:7000" ||
		third.vars["HINTS"] != "true" {
		t.Fatalf("node 3: %v at %s", third.vars, third.Addr())
	}
	if got := strings.Join(cfg.CassandraAddrs(), ","); got != "127.0.0.1:9042,127.0.0.2:9042,127.0.0.3:9042" {
		t.Fatalf("contact points %s", got)
	}
	t.Setenv("STACK_CASSANDRA_NODES", "1")
	if single := newCassandra(loadForTest(t), 1); single.vars["HINTS"] != "false" {
		t.Fatalf("a single node with hinted handoff: %v", single.vars)
	}
}
