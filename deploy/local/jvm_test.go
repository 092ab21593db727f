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
	for _, j := range []*jvmServer{newCassandra(cfg, 1), newCassandra(cfg, 3), newNeo4j(cfg), newSearch(cfg, 1)} {
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
	t.Setenv("STACK_HOST", "127.0.0.1") // the addresses below follow it, whatever the environment says
	t.Setenv("STACK_CASSANDRA_NODES", "3")
	cfg := loadForTest(t)
	var names []string
	for _, s := range servers(cfg) {
		names = append(names, s.Name())
	}
	if got := strings.Join(names, " "); got != "postgres redis cassandra neo4j search stripemock cassandra2 cassandra3 jaeger prometheus" {
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

// Two search nodes bind to consecutive loopback addresses on the same ports under names of their own, both seeded
// with both transport addresses, the first the only cluster manager; the platform gets both URLs and one replica.
func TestSearchClusterNodes(t *testing.T) {
	t.Setenv("STACK_HOME", t.TempDir())
	t.Setenv("STACK_HOST", "127.0.0.11")
	t.Setenv("STACK_SEARCH_NODES", "2")
	cfg := loadForTest(t)
	var names []string
	for _, s := range servers(cfg) {
		names = append(names, s.Name())
	}
	if !strings.Contains(" "+strings.Join(names, " ")+" ", " search2 ") {
		t.Fatalf("servers %v, want search2 among them", names)
	}
	first, second := newSearch(cfg, 1), newSearch(cfg, 2)
	if second.vars["HOST"] != "127.0.0.12" || second.Addr() != "http://127.0.0.12:9200" ||
		second.vars["SEEDS"] != "127.0.0.11:9300,127.0.0.12:9300" || first.vars["SEEDS"] != second.vars["SEEDS"] ||
		first.vars["NODE_NAME"] == second.vars["NODE_NAME"] || second.vars["MANAGER"] != first.vars["NODE_NAME"] ||
		second.vars["REPLICAS"] != "1" {
		t.Fatalf("node 1: %v; node 2: %v at %s", first.vars, second.vars, second.Addr())
	}
	server := map[string]string{}
	for _, v := range cfg.ServerSettings() {
		server[v.Env] = v.Value
	}
	if server["STREAMING_SEARCH_URL"] != "http://127.0.0.11:9200,http://127.0.0.12:9200" || server["STREAMING_SEARCH_REPLICAS"] != "1" {
		t.Fatalf("server settings %v", server)
	}
	t.Setenv("STACK_SEARCH_NODES", "1")
	single := newSearch(loadForTest(t), 1)
	if single.vars["SEEDS"] != "" || single.vars["REPLICAS"] != "0" {
		t.Fatalf("a single node: %v", single.vars)
	}
}
