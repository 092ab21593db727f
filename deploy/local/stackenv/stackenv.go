// Package stackenv holds the settings of the local stack of servers: where each one listens, where its files live
// and how much memory it may take. The stack command and the tests read them from the same environment variables
// with the same defaults, so a test always looks where the stack started its servers.
package stackenv

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Settings are the local stack's settings. The zero value is not useful; call Load.
type Settings struct {
	Home string // STACK_HOME: data, logs and downloaded jars, one folder per server
	Host string // STACK_HOST: the loopback address every server binds to

	PostgresPort     int    // STACK_POSTGRES_PORT
	PostgresDB       string // STACK_POSTGRES_DB
	PostgresUser     string // STACK_POSTGRES_USER
	PostgresPassword string // STACK_POSTGRES_PASSWORD

	RedisPort      int    // STACK_REDIS_PORT
	RedisMaxMemory string // STACK_REDIS_MAXMEMORY
	// RedisNodes (STACK_REDIS_NODES) is 1, or 6 for a Redis Cluster of three masters with one replica each: node i
	// (redis, redis2, ..., redis6) binds to NodeHost(i) on RedisPort.
	RedisNodes int

	CassandraPort        int    // STACK_CASSANDRA_PORT (CQL native protocol)
	CassandraStoragePort int    // STACK_CASSANDRA_STORAGE_PORT (inter-node)
	CassandraHeap        string // STACK_CASSANDRA_HEAP
	// CassandraNodes (STACK_CASSANDRA_NODES) is how many Cassandra nodes the stack runs as one cluster: node i
	// (from 1) binds to Host with i-1 added to its last byte (127.0.0.1, 127.0.0.2, ...: all of 127/8 is
	// loopback), on the same ports. With three or more, the platform's keyspace gets replication 3 and
	// LOCAL_QUORUM reads and writes.
	CassandraNodes int

	Neo4jPort      int    // STACK_NEO4J_PORT (Bolt)
	Neo4jHeap      string // STACK_NEO4J_HEAP
	Neo4jPagecache string // STACK_NEO4J_PAGECACHE

	SearchPort          int    // STACK_SEARCH_PORT (HTTP, Elasticsearch API)
	SearchTransportPort int    // STACK_SEARCH_TRANSPORT_PORT (node-to-node)
	SearchHeap          string // STACK_SEARCH_HEAP
	// SearchNodes (STACK_SEARCH_NODES) is how many search nodes the stack runs as one cluster (1 or 2): node i
	// binds to NodeHost(i) on the same ports. With two, the first is the only cluster-manager-eligible node and
	// new indices get one replica per shard, so either node holds every document.
	SearchNodes int

	// TLS (STACK_TLS=on) starts PostgreSQL, Redis and Cassandra with TLS (certificates from a CA the stack command
	// makes under Home/tls) and passwords: the platform's role on PostgreSQL as always, an ACL user on Redis, the
	// default superuser on Cassandra. Neo4j and search stay as they are.
	TLS            bool
	RedisUser      string // STACK_REDIS_USER (TLS mode)
	RedisPassword  string // STACK_REDIS_PASSWORD (TLS mode)
	StripeMockPort int    // STACK_STRIPE_MOCK_PORT (HTTP, Stripe's API mock)

	// The optional observability servers (stack up jaeger prometheus).
	JaegerOTLPPort int // STACK_JAEGER_OTLP_PORT (OTLP over gRPC; OTLP over HTTP on the next port)
	JaegerUIPort   int // STACK_JAEGER_UI_PORT (UI and query HTTP API; the query gRPC API on the port before)
	PrometheusPort int // STACK_PROMETHEUS_PORT (UI and HTTP API)
}

// Variable documents one environment variable: its name, default and meaning. Vars lists them all, in the order the
// configuration reference shows them.
type Variable struct {
	Name, Default, Help string
}

// Vars is the complete list of variables Load reads.
var Vars = []Variable{
	{"STACK_HOME", "<repo>/.stack", "folder for every server's data, logs and downloaded jars"},
	{"STACK_HOST", "127.0.0.1", "loopback address every server binds to"},
	{"STACK_POSTGRES_PORT", "5432", "PostgreSQL port"},
	{"STACK_POSTGRES_DB", "streaming", "database created for the platform"},
	{"STACK_POSTGRES_USER", "streaming", "role created for the platform (owner of the database)"},
	{"STACK_POSTGRES_PASSWORD", "streaming", "password of that role (local use only)"},
	{"STACK_REDIS_PORT", "6379", "Redis port"},
	{"STACK_REDIS_MAXMEMORY", "1gb", "Redis maxmemory; keys with a TTL are evicted first (volatile-lru)"},
	{"STACK_REDIS_NODES", "1", "Redis nodes: 1, or 6 for a Redis Cluster of three masters with a replica each, node i on STACK_HOST's address plus i-1"},
	{"STACK_CASSANDRA_PORT", "9042", "Cassandra CQL native port"},
	{"STACK_CASSANDRA_STORAGE_PORT", "7000", "Cassandra inter-node storage port"},
	{"STACK_CASSANDRA_HEAP", "1g", "Cassandra JVM heap (-Xms and -Xmx)"},
	{"STACK_CASSANDRA_NODES", "1", "Cassandra nodes in one cluster (1 to 9), node i on STACK_HOST's address plus i-1 (3: replication 3, LOCAL_QUORUM)"},
	{"STACK_NEO4J_PORT", "7687", "Neo4j Bolt port"},
	{"STACK_NEO4J_HEAP", "1g", "Neo4j JVM heap (-Xms and -Xmx)"},
	{"STACK_NEO4J_PAGECACHE", "512m", "Neo4j page cache (off-heap)"},
	{"STACK_SEARCH_PORT", "9200", "search server HTTP port (Elasticsearch API)"},
	{"STACK_SEARCH_TRANSPORT_PORT", "9300", "search server transport port"},
	{"STACK_SEARCH_HEAP", "1g", "search server JVM heap (-Xms and -Xmx)"},
	{"STACK_SEARCH_NODES", "1", "search nodes in one cluster (1 or 2), node i on STACK_HOST's address plus i-1 (2: one replica per shard)"},
	{"STACK_TLS", "off", "on: PostgreSQL, Redis and Cassandra with TLS (the stack's own CA in STACK_HOME/tls) and passwords"},
	{"STACK_REDIS_USER", "streaming", "Redis ACL user of the platform when STACK_TLS=on"},
	{"STACK_REDIS_PASSWORD", "streaming-local-redis", "its password (local use only)"},
	{"STACK_STRIPE_MOCK_PORT", "12111", "stripe-mock HTTP port (Stripe's API mock, for the Stripe adapter's tests)"},
	{"STACK_JAEGER_OTLP_PORT", "4317", "Jaeger's OTLP/gRPC port, where streamingd sends spans (optional server: `stack up jaeger`); OTLP/HTTP on the next port"},
	{"STACK_JAEGER_UI_PORT", "16686", "Jaeger's UI and query API port (/api/v3); its query gRPC API on the port before"},
	{"STACK_PROMETHEUS_PORT", "9091", "Prometheus's port (optional server: `stack up prometheus`); 9090 is streamingd's operators' listener in development"},
}

var sizePattern = regexp.MustCompile(`^[1-9][0-9]*[kKmMgG][bB]?$`)

// Load reads the settings from the environment. A bad value is an error naming the variable.
func Load() (Settings, error) { return load(os.LookupEnv) }

// LoadWith reads the settings from the environment with assignments (NAME=value) in front of it: another stack's
// settings, such as the cluster topology's (CLUSTER_STACK in Taskfile.yml), without changing the environment.
func LoadWith(assignments []string) (Settings, error) {
	over := map[string]string{}
	for _, a := range assignments {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return Settings{}, fmt.Errorf("stack setting %q: want NAME=value", a)
		}
		over[k] = v
	}
	return load(func(name string) (string, bool) {
		if v, ok := over[name]; ok {
			return v, true
		}
		return os.LookupEnv(name)
	})
}

func load(lookup func(string) (string, bool)) (Settings, error) {
	get := func(name string) string {
		if v, ok := lookup(name); ok && v != "" {
			return v
		}
		for _, v := range Vars {
			if v.Name == name {
				return v.Default
			}
		}
		panic("stackenv: undeclared variable " + name)
	}
	var errs []error
	port := func(name string) int {
		p, err := strconv.Atoi(get(name))
		if err != nil || p < 1 || p > 65535 {
			errs = append(errs, fmt.Errorf("%s=%q: want a port number between 1 and 65535", name, get(name)))
		}
		return p
	}
	count := func(name string, lo, hi int) int {
		n, err := strconv.Atoi(get(name))
		if err != nil || n < lo || n > hi {
			errs = append(errs, fmt.Errorf("%s=%q: want a number from %d to %d", name, get(name), lo, hi))
		}
		return n
	}
	size := func(name string) string {
		v := get(name)
		if !sizePattern.MatchString(v) {
			errs = append(errs, fmt.Errorf("%s=%q: want a size such as 512m or 1g", name, v))
		}
		return v
	}
	s := Settings{
		Host:                 get("STACK_HOST"),
		PostgresPort:         port("STACK_POSTGRES_PORT"),
		PostgresDB:           get("STACK_POSTGRES_DB"),
		PostgresUser:         get("STACK_POSTGRES_USER"),
		PostgresPassword:     get("STACK_POSTGRES_PASSWORD"),
		RedisPort:            port("STACK_REDIS_PORT"),
		RedisMaxMemory:       size("STACK_REDIS_MAXMEMORY"),
		RedisNodes:           count("STACK_REDIS_NODES", 1, 6),
		CassandraPort:        port("STACK_CASSANDRA_PORT"),
		CassandraStoragePort: port("STACK_CASSANDRA_STORAGE_PORT"),
		CassandraHeap:        size("STACK_CASSANDRA_HEAP"),
		CassandraNodes:       count("STACK_CASSANDRA_NODES", 1, 9),
		Neo4jPort:            port("STACK_NEO4J_PORT"),
		Neo4jHeap:            size("STACK_NEO4J_HEAP"),
		Neo4jPagecache:       size("STACK_NEO4J_PAGECACHE"),
		SearchPort:           port("STACK_SEARCH_PORT"),
		SearchTransportPort:  port("STACK_SEARCH_TRANSPORT_PORT"),
		SearchHeap:           size("STACK_SEARCH_HEAP"),
		SearchNodes:          count("STACK_SEARCH_NODES", 1, 2),
		RedisUser:            get("STACK_REDIS_USER"),
		RedisPassword:        get("STACK_REDIS_PASSWORD"),
		StripeMockPort:       port("STACK_STRIPE_MOCK_PORT"),
		JaegerOTLPPort:       port("STACK_JAEGER_OTLP_PORT"),
		JaegerUIPort:         port("STACK_JAEGER_UI_PORT"),
		PrometheusPort:       port("STACK_PROMETHEUS_PORT"),
	}
	switch get("STACK_TLS") {
	case "on":
		s.TLS = true
	case "off":
	default:
		errs = append(errs, fmt.Errorf("STACK_TLS=%q: want on or off", get("STACK_TLS")))
	}
	if ip := net.ParseIP(s.Host); ip == nil || !ip.IsLoopback() {
		errs = append(errs, fmt.Errorf("STACK_HOST=%q: want a loopback address such as 127.0.0.1", s.Host))
	} else {
		for _, n := range []struct {
			name  string
			nodes int
		}{{"STACK_CASSANDRA_NODES", s.CassandraNodes}, {"STACK_SEARCH_NODES", s.SearchNodes}, {"STACK_REDIS_NODES", s.RedisNodes}} {
			if n.nodes > 1 && (ip.To4() == nil || int(ip.To4()[3])+n.nodes-1 > 254) {
				errs = append(errs, fmt.Errorf("%s=%d: the nodes' addresses follow STACK_HOST=%q, which leaves no room for them",
					n.name, n.nodes, s.Host))
			}
		}
	}
	if s.RedisNodes != 1 && s.RedisNodes != 6 {
		errs = append(errs, fmt.Errorf("STACK_REDIS_NODES=%d: want 1, or 6 (three masters with a replica each)", s.RedisNodes))
	} else if s.RedisNodes > 1 && s.TLS {
		errs = append(errs, errors.New("STACK_REDIS_NODES=6 with STACK_TLS=on: the stack's Redis Cluster runs without TLS"))
	}
	home, err := stackHome(lookup)
	if err != nil {
		errs = append(errs, err)
	}
	s.Home = home
	return s, errors.Join(errs...)
}

// stackHome is STACK_HOME, or .stack in the module root.
func stackHome(lookup func(string) (string, bool)) (string, error) {
	if h, _ := lookup("STACK_HOME"); h != "" {
		return filepath.Abs(h)
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", fmt.Errorf("STACK_HOME is not set and %w", err)
	}
	return filepath.Join(root, ".stack"), nil
}

// ModuleRoot is the nearest folder at or above the working directory that holds a go.mod: the repository root
// wherever a command or test runs from.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod was found above %s", dir)
		}
	}
}

func (s Settings) addr(port int) string { return net.JoinHostPort(s.Host, strconv.Itoa(port)) }

// PostgresURL is the platform role's connection URL.
func (s Settings) PostgresURL() string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(s.PostgresUser, s.PostgresPassword),
		Host:     s.addr(s.PostgresPort),
		Path:     "/" + s.PostgresDB,
		RawQuery: "sslmode=disable",
	}
	if s.TLS {
		u.RawQuery = url.Values{"sslmode": {"verify-full"}, "sslrootcert": {s.CAFile()}}.Encode()
	}
	return u.String()
}

// TLSDir holds the stack's CA and the servers' certificate (TLS mode).
func (s Settings) TLSDir() string { return filepath.Join(s.Home, "tls") }

// CAFile is the stack's CA certificate (PEM), which verifies every server of the stack in TLS mode.
func (s Settings) CAFile() string { return filepath.Join(s.TLSDir(), "ca.pem") }

// CassandraUser and CassandraPassword are the credentials in TLS mode: the node's default superuser.
const CassandraUser, CassandraPassword = "cassandra", "cassandra"

// PostgresAddr is host:port of PostgreSQL.
func (s Settings) PostgresAddr() string { return s.addr(s.PostgresPort) }

// RedisAddr is host:port of Redis (the first node's).
func (s Settings) RedisAddr() string { return s.addr(s.RedisPort) }

// RedisAddrs are host:port of every Redis node.
func (s Settings) RedisAddrs() []string {
	out := make([]string, s.RedisNodes)
	for i := range out {
		out[i] = net.JoinHostPort(s.NodeHost(i+1), strconv.Itoa(s.RedisPort))
	}
	return out
}

// CassandraAddr is host:port of Cassandra's CQL port (the first node's).
func (s Settings) CassandraAddr() string { return s.addr(s.CassandraPort) }

// NodeHost is the address node i (from 1) of a store run as several nodes (Cassandra, search) binds to: Host with
// i-1 added to its last byte. Every node of a store listens on the same ports, each on its own loopback address.
func (s Settings) NodeHost(i int) string {
	ip := net.ParseIP(s.Host).To4()
	if ip == nil || i == 1 {
		return s.Host
	}
	return net.IPv4(ip[0], ip[1], ip[2], ip[3]+byte(i-1)).String()
}

// CassandraNodeHost is the address node i (from 1) of the Cassandra cluster binds to (NodeHost).
func (s Settings) CassandraNodeHost(i int) string { return s.NodeHost(i) }

// CassandraAddrs are host:port of every node's CQL port.
func (s Settings) CassandraAddrs() []string {
	out := make([]string, s.CassandraNodes)
	for i := range out {
		out[i] = net.JoinHostPort(s.CassandraNodeHost(i+1), strconv.Itoa(s.CassandraPort))
	}
	return out
}

// Neo4jURI is the Bolt URI of the single Neo4j instance.
func (s Settings) Neo4jURI() string { return "bolt://" + s.addr(s.Neo4jPort) }

// Neo4jAddr is host:port of Neo4j's Bolt connector.
func (s Settings) Neo4jAddr() string { return s.addr(s.Neo4jPort) }

// SearchURL is the HTTP base URL of the search server (the first node's).
func (s Settings) SearchURL() string { return s.SearchNodeURL(1) }

// SearchNodeURL is the HTTP base URL of search node i (from 1).
func (s Settings) SearchNodeURL(i int) string {
	return "http://" + net.JoinHostPort(s.NodeHost(i), strconv.Itoa(s.SearchPort))
}

// SearchURLs are the HTTP base URLs of every search node.
func (s Settings) SearchURLs() []string {
	out := make([]string, s.SearchNodes)
	for i := range out {
		out[i] = s.SearchNodeURL(i + 1)
	}
	return out
}

// SearchAddr is host:port of the search server's HTTP API.
func (s Settings) SearchAddr() string { return s.addr(s.SearchPort) }

// StripeMockAddr is host:port of stripe-mock's HTTP API.
func (s Settings) StripeMockAddr() string { return s.addr(s.StripeMockPort) }

// JaegerOTLPAddr is where streamingd sends spans (STREAMING_OTEL_EXPORTER_OTLP_ENDPOINT, plaintext).
func (s Settings) JaegerOTLPAddr() string { return s.addr(s.JaegerOTLPPort) }

// JaegerUIURL is Jaeger's UI and query HTTP API.
func (s Settings) JaegerUIURL() string { return "http://" + s.addr(s.JaegerUIPort) }

// PrometheusURL is Prometheus's UI and HTTP API.
func (s Settings) PrometheusURL() string { return "http://" + s.addr(s.PrometheusPort) }

// StripeMockURL is the base URL of stripe-mock, what the Stripe adapter takes as its API base URL.
func (s Settings) StripeMockURL() string { return "http://" + s.addr(s.StripeMockPort) }

// Rel shows path relative to the working directory when it lies below it, for short log lines.
func Rel(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if r, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// ServerSetting is one of streamingd's store settings as the local stack answers it: the flag, its environment
// variable and the stack's value. The server has no defaults for its stores (it must not assume a laptop); the
// development commands (`go tool task run`, readcheck), the tests and the benchmarks pass these.
type ServerSetting struct{ Flag, Env, Value string }

// ServerSettings are streamingd's store settings pointing at this stack.
func (s Settings) ServerSettings() []ServerSetting {
	out := []ServerSetting{
		{"postgres-url", "STREAMING_POSTGRES_URL", s.PostgresURL()},
		{"redis-addr", "STREAMING_REDIS_ADDR", strings.Join(s.RedisAddrs(), ",")},
		{"cassandra-hosts", "STREAMING_CASSANDRA_HOSTS", strings.Join(s.CassandraAddrs(), ",")},
		{"neo4j-uri", "STREAMING_NEO4J_URI", s.Neo4jURI()},
		{"search-url", "STREAMING_SEARCH_URL", strings.Join(s.SearchURLs(), ",")},
	}
	if s.SearchNodes > 1 {
		out = append(out, ServerSetting{"search-replicas", "STREAMING_SEARCH_REPLICAS", "1"})
	}
	if s.CassandraNodes >= 3 {
		out = append(out, []ServerSetting{
			{"cassandra-replication", "STREAMING_CASSANDRA_REPLICATION", "SimpleStrategy:3"},
			{"cassandra-consistency", "STREAMING_CASSANDRA_CONSISTENCY", "LOCAL_QUORUM"},
		}...)
	}
	if s.TLS {
		out = append(out, []ServerSetting{
			{"redis-user", "STREAMING_REDIS_USER", s.RedisUser},
			{"redis-password", "STREAMING_REDIS_PASSWORD", s.RedisPassword},
			{"redis-tls", "STREAMING_REDIS_TLS", "true"},
			{"redis-ca-file", "STREAMING_REDIS_CA_FILE", s.CAFile()},
			{"cassandra-user", "STREAMING_CASSANDRA_USER", CassandraUser},
			{"cassandra-password", "STREAMING_CASSANDRA_PASSWORD", CassandraPassword},
			{"cassandra-tls", "STREAMING_CASSANDRA_TLS", "true"},
			{"cassandra-ca-file", "STREAMING_CASSANDRA_CA_FILE", s.CAFile()},
		}...)
	}
	return out
}

// ServerArgs are ServerSettings as streamingd's flags (config.Load's args), for those whose variable is not set in
// the environment: the stack is the default, a STREAMING_* variable still points elsewhere.
func (s Settings) ServerArgs() []string {
	var args []string
	for _, v := range s.ServerSettings() {
		if os.Getenv(v.Env) == "" {
			args = append(args, "-"+v.Flag+"="+v.Value)
		}
	}
	return args
}
