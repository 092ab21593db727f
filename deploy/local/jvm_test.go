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
	for _, j := range []*jvmServer{newCassandra(cfg), newNeo4j(cfg), newSearch(cfg)} {
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
