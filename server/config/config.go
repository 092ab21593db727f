// Package config reads the server's configuration from flags and environment variables (a flag wins over its
// variable), applies defaults, and validates everything at once so a bad value stops start-up with a clear line.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
)

// Config is the server's configuration.
type Config struct {
	GRPCAddr        string
	HTTPAddr        string
	PostgresURL     string
	RedisAddr       string
	AdminToken      string
	ServiceToken    string
	SessionTTL      time.Duration
	DefaultDeadline time.Duration
	ShutdownGrace   time.Duration
	MaxRecvBytes    int
	LogLevel        slog.Level
	Migrate         bool

	CassandraHosts       []string
	CassandraKeyspace    string
	CassandraReplication string
	CassandraConsistency string
	CassandraLocalDC     string

	IngestQueueEvents int
	IngestMaxSkew     time.Duration
	IngestMaxAge      time.Duration
}

// Setting documents one setting: flag, environment variable, default, meaning.
type Setting struct {
	Flag, Env, Default, Help string
}

// Settings lists every setting Load reads, for the configuration reference and -help.
var Settings = []Setting{
	{"grpc-addr", "STREAMING_GRPC_ADDR", ":50051", "gRPC listen address"},
	{"http-addr", "STREAMING_HTTP_ADDR", ":8080", "HTTP listen address (REST gateway, /openapi.json, /metrics, /healthz, /readyz)"},
	{"postgres-url", "STREAMING_POSTGRES_URL", "<the local stack's>", "PostgreSQL connection URL"},
	{"redis-addr", "STREAMING_REDIS_ADDR", "<the local stack's>", "Redis host:port"},
	{"admin-token", "STREAMING_ADMIN_TOKEN", "", "bearer token of the operator (admin role); at least 16 characters; empty disables the role"},
	{"service-token", "STREAMING_SERVICE_TOKEN", "", "bearer token of internal services (ingest for any user); at least 16 characters; empty disables the role"},
	{"session-ttl", "STREAMING_SESSION_TTL", "24h", "lifetime of a login session"},
	{"default-deadline", "STREAMING_DEFAULT_DEADLINE", "10s", "deadline given to unary calls that set none"},
	{"shutdown-grace", "STREAMING_SHUTDOWN_GRACE", "20s", "how long in-flight calls may finish after SIGTERM"},
	{"max-recv-bytes", "STREAMING_MAX_RECV_BYTES", "4194304", "largest request message (gRPC) or body (REST)"},
	{"log-level", "STREAMING_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"migrate", "STREAMING_MIGRATE", "true", "apply database migrations at start-up"},
	{"cassandra-hosts", "STREAMING_CASSANDRA_HOSTS", "<the local stack's>", "Cassandra contact points, comma-separated host or host:port"},
	{"cassandra-keyspace", "STREAMING_CASSANDRA_KEYSPACE", "streaming", "keyspace of the playback tables"},
	{"cassandra-replication", "STREAMING_CASSANDRA_REPLICATION", "SimpleStrategy:1", "replication when the keyspace is created: SimpleStrategy:N or NetworkTopologyStrategy:dc1=3,dc2=3"},
	{"cassandra-consistency", "STREAMING_CASSANDRA_CONSISTENCY", "LOCAL_QUORUM", "consistency of playback reads and writes (ONE, LOCAL_ONE, LOCAL_QUORUM, QUORUM, ...)"},
	{"cassandra-local-dc", "STREAMING_CASSANDRA_LOCAL_DC", "", "datacenter to route to (DC-aware routing); empty for one datacenter"},
	{"ingest-queue-events", "STREAMING_INGEST_QUEUE_EVENTS", "200000", "bound on playback events queued and in flight; past it streams slow down, then get ResourceExhausted"},
	{"ingest-max-skew", "STREAMING_INGEST_MAX_SKEW", "5m", "how far in the future an event's time may be"},
	{"ingest-max-age", "STREAMING_INGEST_MAX_AGE", "720h", "how old an event may be"},
}

// Load parses args (without the program name) over the environment.
func Load(args []string) (Config, error) {
	stack, err := stackenv.Load()
	if err != nil {
		return Config{}, err
	}
	defaults := map[string]string{"postgres-url": stack.PostgresURL(), "redis-addr": stack.RedisAddr(),
		"cassandra-hosts": stack.CassandraAddr()}
	fs := flag.NewFlagSet("streamingd", flag.ContinueOnError)
	values := map[string]*string{}
	for _, s := range Settings {
		def := s.Default
		if d, ok := defaults[s.Flag]; ok {
			def = d
		}
		if v, ok := os.LookupEnv(s.Env); ok {
			def = v
		}
		values[s.Flag] = fs.String(s.Flag, def, s.Help+" (env "+s.Env+")")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	var errs []error
	get := func(name string) string { return *values[name] }
	dur := func(name string) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("-%s=%q: want a positive duration such as 10s", name, get(name)))
		}
		return d
	}
	token := func(name string) string {
		t := get(name)
		if t != "" && len(t) < 16 {
			errs = append(errs, fmt.Errorf("-%s: want at least 16 characters", name))
		}
		return t
	}
	c := Config{
		GRPCAddr:        get("grpc-addr"),
		HTTPAddr:        get("http-addr"),
		PostgresURL:     get("postgres-url"),
		RedisAddr:       get("redis-addr"),
		AdminToken:      token("admin-token"),
		ServiceToken:    token("service-token"),
		SessionTTL:      dur("session-ttl"),
		DefaultDeadline: dur("default-deadline"),
		ShutdownGrace:   dur("shutdown-grace"),
	}
	if n, err := strconv.Atoi(get("max-recv-bytes")); err != nil || n < 1024 || n > 64<<20 {
		errs = append(errs, fmt.Errorf("-max-recv-bytes=%q: want a number of bytes between 1024 and 67108864", get("max-recv-bytes")))
	} else {
		c.MaxRecvBytes = n
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("log-level"))); err != nil {
		errs = append(errs, fmt.Errorf("-log-level=%q: want debug, info, warn or error", get("log-level")))
	}
	if c.Migrate, err = strconv.ParseBool(get("migrate")); err != nil {
		errs = append(errs, fmt.Errorf("-migrate=%q: want true or false", get("migrate")))
	}
	c.IngestMaxSkew, c.IngestMaxAge = dur("ingest-max-skew"), dur("ingest-max-age")
	if n, err := strconv.Atoi(get("ingest-queue-events")); err != nil || n < 1000 || n > 10_000_000 {
		errs = append(errs, fmt.Errorf("-ingest-queue-events=%q: want a number between 1000 and 10000000", get("ingest-queue-events")))
	} else {
		c.IngestQueueEvents = n
	}
	c.CassandraKeyspace, c.CassandraReplication = get("cassandra-keyspace"), get("cassandra-replication")
	c.CassandraConsistency, c.CassandraLocalDC = strings.ToUpper(get("cassandra-consistency")), get("cassandra-local-dc")
	for _, h := range strings.Split(get("cassandra-hosts"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			c.CassandraHosts = append(c.CassandraHosts, h)
		}
	}
	if len(c.CassandraHosts) == 0 {
		errs = append(errs, errors.New("-cassandra-hosts: want at least one host"))
	}
	if c.AdminToken != "" && c.AdminToken == c.ServiceToken {
		errs = append(errs, errors.New("-admin-token and -service-token must differ"))
	}
	return c, errors.Join(errs...)
}
