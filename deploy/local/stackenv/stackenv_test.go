package stackenv

import (
	"os"
	"strings"
	"testing"
)

func TestLoadDefaults(t *testing.T) {
	for _, v := range Vars {
		t.Setenv(v.Name, "")
	}
	t.Setenv("STACK_HOME", t.TempDir())
	s, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := s.PostgresURL(), "postgres://streaming:streaming@127.0.0.1:5432/streaming?sslmode=disable"; got != want {
		t.Errorf("PostgresURL = %q, want %q", got, want)
	}
	if s.RedisAddr() != "127.0.0.1:6379" || s.CassandraAddr() != "127.0.0.1:9042" ||
		s.Neo4jURI() != "bolt://127.0.0.1:7687" || s.SearchURL() != "http://127.0.0.1:9200" {
		t.Errorf("addresses = %s %s %s %s", s.RedisAddr(), s.CassandraAddr(), s.Neo4jURI(), s.SearchURL())
	}
	if s.CassandraHeap != "1g" || s.Neo4jPagecache != "512m" {
		t.Errorf("memory defaults = %s, %s", s.CassandraHeap, s.Neo4jPagecache)
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	cases := []struct{ name, value, want string }{
		{"STACK_REDIS_PORT", "70000", "STACK_REDIS_PORT"},
		{"STACK_CASSANDRA_PORT", "cql", "STACK_CASSANDRA_PORT"},
		{"STACK_SEARCH_HEAP", "lots", "STACK_SEARCH_HEAP"},
		{"STACK_HOST", "0.0.0.0", "loopback"},
		{"STACK_HOST", "10.0.0.1", "loopback"},
		{"STACK_SEARCH_NODES", "3", "STACK_SEARCH_NODES"},
	}
	for _, c := range cases {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			t.Setenv("STACK_HOME", t.TempDir())
			t.Setenv(c.name, c.value)
			_, err := Load()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load() error = %v, want one naming %s", err, c.want)
			}
		})
	}
}

func TestPostgresURLEscapesCredentials(t *testing.T) {
	t.Setenv("STACK_HOME", t.TempDir())
	t.Setenv("STACK_POSTGRES_PASSWORD", "p@ss/w:rd")
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.PostgresURL(), "p%40ss%2Fw%3Ard@") {
		t.Fatalf("PostgresURL = %q, password not escaped", s.PostgresURL())
	}
}

// The configuration reference must document every variable Load reads.
func TestConfigurationReferenceListsEveryVariable(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Vars {
		if !strings.Contains(string(doc), "`"+v.Name+"`") {
			t.Errorf("docs/configuration.md does not document %s", v.Name)
		}
	}
}
