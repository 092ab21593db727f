// Package config reads the server's configuration from flags and environment variables (a flag wins over its
// variable), applies defaults, and validates everything at once so a bad value stops start-up with a clear line.
package config

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

var aliasPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,100}$`)

// Modes. Development is what `go tool task run` uses: loopback listeners, the local stack, the simulated payment
// processor, local tokens. Production refuses to start with any setting that is only safe on a laptop (Check).
const (
	Development = "development"
	Production  = "production"
)

// Config is the server's configuration.
type Config struct {
	Env             string // Development or Production
	API             bool   // serve the gRPC and REST API (false: the outbox relay only)
	MaxConnections  int    // per API listener
	StreamIdle      time.Duration
	GRPCAddr        string
	HTTPAddr        string
	OpsAddr         string // operators' listener: /metrics, /healthz, /readyz; not exposed with the API
	TLSCertFile     string // the API listeners' certificate and key (PEM), reloaded when the files change
	TLSKeyFile      string
	TLSClientCAFile string // CA of the client certificates that authenticate internal services (mutual TLS)
	TLSUpstream     bool   // TLS is terminated in front of this server (a mesh or a load balancer): plaintext is intended
	MigrateOnly     bool   // run the migrations and exit
	MigrateURL      string // "": PostgresURL
	PostgresURL     string
	RedisAddr       string
	AdminToken      string
	ServiceToken    string
	SessionTTL      time.Duration
	SessionIdle     time.Duration
	SessionRecheck  time.Duration
	IdempotencyTTL  time.Duration
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
	IngestWriters     int
	IngestMaxSkew     time.Duration
	IngestMaxAge      time.Duration
	// Per-caller ingest quotas (events/s, events); a rate of 0 is unlimited.
	IngestUserRate, IngestServiceRate   float64
	IngestUserBurst, IngestServiceBurst int

	Neo4jURI      string
	Neo4jUser     string
	Neo4jPassword string
	Neo4jDatabase string
	SearchURLs    []string // every node's URL; requests go round robin, a node that fails to answer is passed over
	SearchAlias   string
	// SearchReplicas are the replicas per shard of an index created at start-up (an existing index keeps its own).
	SearchReplicas int

	// Store credentials and TLS (beside the PostgreSQL URL's and Neo4j's).
	RedisUser, RedisPassword, RedisCAFile         string
	RedisTLS                                      bool
	CassandraUser, CassandraPassword, CassandraCA string
	CassandraTLS                                  bool
	SearchUser, SearchPassword, SearchAPIKey      string
	SearchCAFile                                  string

	RecsGraphTimeout time.Duration
	RedisClientCache bool
	PlaybackLeaseTTL time.Duration // a stream slot's lease lives this long unless renewed

	// Failing fast: a store that is down answers Unavailable at once (docs/reliability.md, "Failing fast").
	RedisDialTimeout time.Duration
	RedisIOTimeout   time.Duration
	RedisRetries     int
	BreakerFailures  int           // consecutive failures that open a breaker (Neo4j, search)
	BreakerOpenFor   time.Duration // how long an open breaker refuses before one probe goes through

	OutboxPartitions int
	OutboxWorkers    int
	OutboxBatch      int
	OutboxPoll       time.Duration
	// OutboxProjectTimeout bounds one projector's call on one batch (outbox.Config.ProjectTimeout).
	OutboxProjectTimeout time.Duration
	ReadModelsEnabled    bool

	// Payments: which processor charges subscriptions, and how commands fingerprint their idempotency keys.
	Payments         string // PaymentsLocal or PaymentsStripe
	StripeAPIKey     string // secret; never logged
	StripeAPIURL     string
	StripeTimeout    time.Duration
	StripeMaxRetries int
	FingerprintKey   string // secret key of the idempotency request fingerprint (HMAC)

	// Bounds on expensive work (docs/reliability.md).
	PasswordHashConcurrency int           // Argon2id computations at once (each holds 19 MiB)
	PasswordHashWait        time.Duration // how long a login or registration waits for a slot before ResourceExhausted
	LoginsPerAccount        int           // login attempts per account per LoginWindow
	LoginsPerClient         int           // login attempts per client address per LoginWindow
	LoginWindow             time.Duration
	TrustedProxies          []netip.Prefix // peers whose X-Forwarded-For names the client

	// Ratings (docs/architecture.md, "Ratings"): how often titles' rating figures are published to the read models,
	// and the repair command that recounts them.
	RatingFlushInterval time.Duration
	RepairRatings       bool     // recount every title's rating aggregate, print the titles that differ, and exit
	RepairRatingsFix    bool     // with RepairRatings: also fix them
	Rebuild             []string // read models to rebuild (graph, search, redis, analytics), then exit; empty: serve

	// Catalog analytics (docs/analytics.md): how long the playback roll-ups are kept (0: for ever), and how far back
	// -rebuild=analytics recomputes them.
	AnalyticsRetention     time.Duration
	AnalyticsRebuildWindow time.Duration

	// Derived playback updates (docs/ingest.md, "Replay"): how often what was dropped or failed is replayed from
	// Cassandra (0: never), and the command that replays a window and exits (0: off).
	DerivedReplayInterval time.Duration
	ReplayDerived         time.Duration

	// Billing (docs/billing.md): how often the renewal worker looks for due subscriptions (0: no worker in this
	// process), when a declined renewal is tried again (offsets from the due date) and how long after the due date
	// a subscription may stay past due before it expires.
	BillingInterval time.Duration
	BillingRetries  []time.Duration
	BillingGrace    time.Duration

	// Tracing (docs/operations.md): off while OTelEndpoint is empty.
	OTelEndpoint    string  // OTLP/gRPC collector: a URL, or host:port (plaintext)
	OTelSampleRatio float64 // share of new traces kept (parent-based)
	OTelServiceName string
}

// Payment processors.
const (
	PaymentsLocal  = "local"  // the simulator: test tokens decide the outcome; development only
	PaymentsStripe = "stripe" // Stripe's PaymentIntents API
)

// Read models -rebuild rebuilds.
const (
	RebuildGraph  = "graph"
	RebuildSearch = "search"
	RebuildRedis  = "redis"
	// RebuildAnalytics recomputes the playback roll-ups of the last AnalyticsRebuildWindow from Cassandra's history.
	RebuildAnalytics = "analytics"
)

// DevFingerprintKey is the published development default of -idempotency-fingerprint-key: fine on a laptop, never
// a secret.
const DevFingerprintKey = "local-fingerprint-key-change-me"

// Setting documents one setting: flag, environment variable, default, meaning.
type Setting struct {
	Flag, Env, Default, Help string
}

// Settings lists every setting Load reads, for the configuration reference and -help.
var Settings = []Setting{
	{"env", "STREAMING_ENV", Development, "development or production; production refuses settings that are only safe on a laptop"},
	{"grpc-addr", "STREAMING_GRPC_ADDR", "", "gRPC listen address (127.0.0.1:50051 in development, :50051 in production)"},
	{"http-addr", "STREAMING_HTTP_ADDR", "", "HTTP listen address: REST gateway and /openapi.json (127.0.0.1:8080 in development, :8080 in production)"},
	{"api", "STREAMING_API", "true", "serve the gRPC and REST API; false for a process that only runs the outbox relay and its projectors (with -projections)"},
	{"max-connections", "STREAMING_MAX_CONNECTIONS", "10000", "connections each API listener (gRPC, HTTP) holds at once; past it new connections wait to be accepted (0: no bound)"},
	{"stream-idle-timeout", "STREAMING_STREAM_IDLE_TIMEOUT", "5m", "an ingest stream whose client sends nothing for this long is ended (DeadlineExceeded, trailer with what is durable)"},
	{"ops-addr", "STREAMING_OPS_ADDR", "", "operators' HTTP listen address: /metrics, /healthz, /readyz; keep it off the API's network (127.0.0.1:9090 in development, :9090 in production)"},
	{"tls-cert-file", "STREAMING_TLS_CERT_FILE", "", "PEM certificate (chain) of the gRPC and HTTP API listeners; reloaded when the file changes"},
	{"tls-key-file", "STREAMING_TLS_KEY_FILE", "", "PEM private key of that certificate"},
	{"tls-client-ca-file", "STREAMING_TLS_CLIENT_CA_FILE", "", "PEM CA certificates of client certificates that authenticate internal services over gRPC (mutual TLS): a call without a bearer token over a connection with such a certificate is the service role; empty: no client certificates"},
	{"tls-terminated-upstream", "STREAMING_TLS_TERMINATED_UPSTREAM", "false", "TLS is terminated in front of this server (mesh, load balancer): production then accepts plaintext listeners"},
	{"migrate-only", "STREAMING_MIGRATE_ONLY", "false", "apply the database migrations and exit (the migration step of a deployment)"},
	{"migrate-postgres-url", "STREAMING_MIGRATE_POSTGRES_URL", "", "PostgreSQL URL of the role that owns the schema, for migrations; empty: -postgres-url"},
	{"postgres-url", "STREAMING_POSTGRES_URL", "", "PostgreSQL connection URL (required)"},
	{"redis-addr", "STREAMING_REDIS_ADDR", "", "Redis host:port (required); for a Redis Cluster, several seed nodes comma-separated (any one that answers gives the client the cluster's slots)"},
	{"admin-token", "STREAMING_ADMIN_TOKEN", "", "bearer token of the operator (admin role); at least 16 characters; empty disables the role"},
	{"service-token", "STREAMING_SERVICE_TOKEN", "", "bearer token of internal services (ingest for any user); at least 16 characters; empty disables the role"},
	{"session-ttl", "STREAMING_SESSION_TTL", "24h", "absolute lifetime of a login session: it ends then however much it is used"},
	{"session-idle-timeout", "STREAMING_SESSION_IDLE_TIMEOUT", "2h", "a login session unused for this long ends; every authenticated call renews it"},
	{"session-recheck", "STREAMING_SESSION_RECHECK", "5s", "how often a user's open stream checks its session, so it ends this soon after Logout, LogoutAll or the session's end"},
	{"idempotency-ttl", "STREAMING_IDEMPOTENCY_TTL", "24h", "how long a command's idempotency key is remembered (a retry with it within this gets the first answer); older keys are deleted"},
	{"default-deadline", "STREAMING_DEFAULT_DEADLINE", "10s", "deadline given to unary calls that set none"},
	{"shutdown-grace", "STREAMING_SHUTDOWN_GRACE", "20s", "how long in-flight calls may finish after SIGTERM"},
	{"max-recv-bytes", "STREAMING_MAX_RECV_BYTES", "4194304", "largest request message (gRPC) or body (REST)"},
	{"log-level", "STREAMING_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"migrate", "STREAMING_MIGRATE", "", "apply database migrations at start-up (true in development, false in production: migrations are a step of their own, -migrate-only)"},
	{"cassandra-hosts", "STREAMING_CASSANDRA_HOSTS", "", "Cassandra contact points, comma-separated host or host:port (required)"},
	{"cassandra-keyspace", "STREAMING_CASSANDRA_KEYSPACE", "streaming", "keyspace of the playback tables"},
	{"cassandra-replication", "STREAMING_CASSANDRA_REPLICATION", "SimpleStrategy:1", "replication when the keyspace is created: SimpleStrategy:N or NetworkTopologyStrategy:dc1=3,dc2=3"},
	{"cassandra-consistency", "STREAMING_CASSANDRA_CONSISTENCY", "LOCAL_QUORUM", "consistency of playback reads and writes (ONE, LOCAL_ONE, LOCAL_QUORUM, QUORUM, ...)"},
	{"cassandra-local-dc", "STREAMING_CASSANDRA_LOCAL_DC", "", "datacenter to route to (DC-aware routing); empty for one datacenter"},
	{"ingest-queue-events", "STREAMING_INGEST_QUEUE_EVENTS", "200000", "bound on playback events queued and in flight; past it streams slow down, then get ResourceExhausted"},
	{"ingest-writers", "STREAMING_INGEST_WRITERS", "16", "partition writes to Cassandra in flight at once; fewer, fuller writes beat many small ones on a small cluster"},
	{"ingest-max-skew", "STREAMING_INGEST_MAX_SKEW", "5m", "how far in the future an event's time may be"},
	{"ingest-max-age", "STREAMING_INGEST_MAX_AGE", "720h", "how old an event may be"},
	{"ingest-user-rate", "STREAMING_INGEST_USER_RATE", "100", "playback events per second one user may send on average, per replica; past it (and the burst) a batch gets ResourceExhausted with the wait; 0: unlimited"},
	{"ingest-user-burst", "STREAMING_INGEST_USER_BURST", "2000", "playback events one user may send at once above the rate; at least 1000 (the largest batch)"},
	{"ingest-service-rate", "STREAMING_INGEST_SERVICE_RATE", "0", "playback events per second the internal services (service token) may send together, per replica; 0: unlimited"},
	{"ingest-service-burst", "STREAMING_INGEST_SERVICE_BURST", "200000", "playback events the internal services may send at once above their rate; at least 1000"},
	{"neo4j-uri", "STREAMING_NEO4J_URI", "", "Neo4j Bolt URI of the recommendation graph (bolt:// for one instance, neo4j:// for a cluster; required)"},
	{"neo4j-user", "STREAMING_NEO4J_USER", "", "Neo4j user; empty for a server without authentication (the local stack)"},
	{"neo4j-password", "STREAMING_NEO4J_PASSWORD", "", "Neo4j password"},
	{"neo4j-database", "STREAMING_NEO4J_DATABASE", "", "Neo4j database; empty for the server's default"},
	{"search-url", "STREAMING_SEARCH_URL", "", "URL of the Elasticsearch-API search server, or the URLs of several nodes of one cluster comma-separated (required)"},
	{"search-alias", "STREAMING_SEARCH_ALIAS", "content", "alias of the catalog index; the versioned index behind it is <alias>_v<N>"},
	{"search-replicas", "STREAMING_SEARCH_REPLICAS", "0", "replicas per shard of the catalog index when start-up creates it (an existing index keeps its own); 1 or more needs as many more nodes"},
	{"redis-user", "STREAMING_REDIS_USER", "", "Redis ACL user; empty: the default user"},
	{"redis-password", "STREAMING_REDIS_PASSWORD", "", "Redis password (AUTH); empty: none"},
	{"redis-tls", "STREAMING_REDIS_TLS", "false", "connect to Redis over TLS"},
	{"redis-ca-file", "STREAMING_REDIS_CA_FILE", "", "PEM CA certificates that verify Redis's TLS certificate; empty: the system's roots"},
	{"cassandra-user", "STREAMING_CASSANDRA_USER", "", "Cassandra user (PasswordAuthenticator); empty: no authentication"},
	{"cassandra-password", "STREAMING_CASSANDRA_PASSWORD", "", "Cassandra password"},
	{"cassandra-tls", "STREAMING_CASSANDRA_TLS", "false", "connect to Cassandra over TLS, verifying each node's certificate and host name"},
	{"cassandra-ca-file", "STREAMING_CASSANDRA_CA_FILE", "", "PEM CA certificates that verify Cassandra's TLS certificates; empty: the system's roots"},
	{"search-user", "STREAMING_SEARCH_USER", "", "search server user (HTTP basic authentication); empty: none"},
	{"search-password", "STREAMING_SEARCH_PASSWORD", "", "search server password"},
	{"search-api-key", "STREAMING_SEARCH_API_KEY", "", "search server API key (Elasticsearch's ApiKey scheme, the encoded id:key), instead of a user and password"},
	{"search-ca-file", "STREAMING_SEARCH_CA_FILE", "", "PEM CA certificates that verify an https:// search server; empty: the system's roots"},
	{"recs-graph-timeout", "STREAMING_RECS_GRAPH_TIMEOUT", "1s", "how long a recommendation may wait for the graph before answering with the trending fallback"},
	{"playback-lease-ttl", "STREAMING_PLAYBACK_LEASE_TTL", "2m", "how long a device's stream slot lasts unless renewed (RenewPlayback): how soon the slot of a device that vanished is free"},
	{"redis-client-cache", "STREAMING_REDIS_CLIENT_CACHE", "true", "serve cached recommendations from rueidis client-side caching (RESP3 tracking; Redis 6+)"},
	{"redis-dial-timeout", "STREAMING_REDIS_DIAL_TIMEOUT", "200ms", "how long connecting to Redis may take before the call answers Unavailable"},
	{"redis-io-timeout", "STREAMING_REDIS_IO_TIMEOUT", "1s", "how long a Redis connection may stay silent on a read or write (and its keep-alive PING) before it is dropped"},
	{"redis-retries", "STREAMING_REDIS_RETRIES", "1", "retries of a read-only Redis command after a network error; 0: none (without a budget the client would retry until the call's deadline)"},
	{"breaker-failures", "STREAMING_BREAKER_FAILURES", "5", "consecutive failures (unavailable or timed out) of Neo4j or search that open its circuit breaker"},
	{"breaker-open-for", "STREAMING_BREAKER_OPEN_FOR", "5s", "how long an open breaker answers at once (recommendations: trending fallback; search: Unavailable) before one probe call goes to the store"},
	{"outbox-partitions", "STREAMING_OUTBOX_PARTITIONS", "16", "partitions of the outbox relay; must be the same on every replica"},
	{"outbox-workers", "STREAMING_OUTBOX_WORKERS", "4", "partitions a replica's relay processes at once (each holds a PostgreSQL connection)"},
	{"outbox-batch", "STREAMING_OUTBOX_BATCH", "500", "outbox events per relay transaction"},
	{"outbox-poll", "STREAMING_OUTBOX_POLL", "1s", "relay poll interval; NOTIFY wakes it sooner"},
	{"outbox-project-timeout", "STREAMING_OUTBOX_PROJECT_TIMEOUT", "10s", "the most one projector may take over one batch; then its events are owed to it and the other projectors go on"},
	{"projections", "STREAMING_PROJECTIONS", "true", "run the outbox relay and its projectors (Neo4j, search, Redis) in this process"},
	{"payments", "STREAMING_PAYMENTS", PaymentsLocal, "payment processor: local (the simulator, development only) or stripe"},
	{"stripe-api-key", "STREAMING_STRIPE_API_KEY", "", "Stripe secret key (sk_...); required with -payments=stripe; prefer the _FILE setting"},
	{"stripe-api-url", "STREAMING_STRIPE_API_URL", "", "Stripe API base URL; empty for https://api.stripe.com (stripe-mock's URL for tests)"},
	{"stripe-timeout", "STREAMING_STRIPE_TIMEOUT", "5s", "timeout of one request to Stripe"},
	{"stripe-max-retries", "STREAMING_STRIPE_MAX_RETRIES", "1", "retries of a Stripe request that failed on the network or with a retryable status (same Idempotency-Key)"},
	{"idempotency-fingerprint-key", "STREAMING_IDEMPOTENCY_FINGERPRINT_KEY", DevFingerprintKey, "secret key of the HMAC that binds an idempotency key to its request (which may carry a payment token); the default is for development only; at least 16 characters"},
	{"password-hash-concurrency", "STREAMING_PASSWORD_HASH_CONCURRENCY", "0", "password hashes (Argon2id, 19 MiB each) computed at once by logins and registrations; 0: the number of usable cores (GOMAXPROCS)"},
	{"password-hash-wait", "STREAMING_PASSWORD_HASH_WAIT", "2s", "how long a login or registration waits for a password-hash slot before it is answered ResourceExhausted with that retry hint"},
	{"login-attempts-per-account", "STREAMING_LOGIN_ATTEMPTS_PER_ACCOUNT", "10", "login attempts per email per -login-attempts-window (a token bucket in Redis); past it ResourceExhausted without hashing; 0: no limit"},
	{"login-attempts-per-client", "STREAMING_LOGIN_ATTEMPTS_PER_CLIENT", "60", "login attempts per client address per -login-attempts-window; 0: no limit"},
	{"login-attempts-window", "STREAMING_LOGIN_ATTEMPTS_WINDOW", "1m", "the window of the login attempt limits (a bucket refills completely within it)"},
	{"trusted-proxies", "STREAMING_TRUSTED_PROXIES", "", "comma-separated CIDRs of proxies whose X-Forwarded-For names the client (for the per-client login limit); empty: the peer is the client"},
	{"rating-flush-interval", "STREAMING_RATING_FLUSH_INTERVAL", "1s", "how often titles rated since the last flush publish their new average and count to search, Redis and the graph (one update per title however many ratings); a rating shows there within about this plus the relay's delivery"},
	{"repair-ratings", "STREAMING_REPAIR_RATINGS", "false", "recount every title's rating aggregate from the ratings table, print the titles whose stored aggregate differs, and exit (status 1 if any differs, unless -repair-ratings-fix)"},
	{"repair-ratings-fix", "STREAMING_REPAIR_RATINGS_FIX", "false", "with -repair-ratings: replace each differing title's aggregate by its recount (and publish it)"},
	{"rebuild", "STREAMING_REBUILD", "", "rebuild read models from PostgreSQL (and the graph's watches from Cassandra) while the platform serves, and exit: comma-separated graph, search, redis (search into a new index, then an alias swap); writes are versioned, so nothing newer is overwritten; analytics recomputes the playback roll-ups of -analytics-rebuild-window from Cassandra's history"},
	{"analytics-retention", "STREAMING_ANALYTICS_RETENTION", "9504h", "how long the catalog analytics' hourly playback roll-ups are kept (monthly indices <search-alias>_analytics-YYYY.MM; a month is dropped once it ended this long ago); 0: for ever"},
	{"analytics-rebuild-window", "STREAMING_ANALYTICS_REBUILD_WINDOW", "720h", "how far back -rebuild=analytics recomputes the roll-ups from Cassandra (whole hours, up to now)"},
	{"otel-exporter-otlp-endpoint", "STREAMING_OTEL_EXPORTER_OTLP_ENDPOINT", "", "OpenTelemetry traces: the OTLP/gRPC collector (http://host:4317 plaintext, https:// TLS, or host:port plaintext); empty: the standard OTEL_EXPORTER_OTLP_ENDPOINT, and when that is empty too tracing is off"},
	{"otel-sampling-ratio", "STREAMING_OTEL_SAMPLING_RATIO", "1", "share of new traces kept, 0 to 1 (parent-based: a call whose caller sampled it is always kept)"},
	{"otel-service-name", "STREAMING_OTEL_SERVICE_NAME", "", "service.name of the spans; empty: the standard OTEL_SERVICE_NAME, else streamingd"},
	{"derived-replay-interval", "STREAMING_DERIVED_REPLAY_INTERVAL", "30s", "how often derived playback updates (trending viewers, watched edges) that were dropped or failed are looked for and, once their store answers, applied again from what Cassandra holds; 0: never (use -replay-derived)"},
	{"billing-interval", "STREAMING_BILLING_INTERVAL", "1m", "how often the renewal worker charges the subscriptions whose period ended, retries declined renewals and ends subscriptions canceled at period end (every replica may run it); 0: not in this process"},
	{"billing-retries", "STREAMING_BILLING_RETRIES", "24h,72h,120h", "when a declined renewal is charged again: comma-separated offsets from the due date (the period's start), one per retry"},
	{"billing-grace", "STREAMING_BILLING_GRACE", "168h", "how long after the due date a subscription whose renewal is declined stays past due (playing) before it expires; retries after it are not made"},
	{"replay-derived", "STREAMING_REPLAY_DERIVED", "0", "apply the derived playback updates again for every event of this last window (e.g. 2h) from Cassandra, print how many viewings were read, and exit; 0: off"},
}

// required are the settings without a default: where the stores are. The server assumes no address of its own (a
// development stack's included); `go tool task run` sets them for the local stack.
var required = []string{"postgres-url", "redis-addr", "cassandra-hosts", "neo4j-uri", "search-url"}

// modeDefaults are the defaults that depend on the mode, for settings whose Default is "".
var modeDefaults = map[string]map[string]string{
	Development: {"grpc-addr": "127.0.0.1:50051", "http-addr": "127.0.0.1:8080", "ops-addr": "127.0.0.1:9090", "migrate": "true"},
	Production:  {"grpc-addr": ":50051", "http-addr": ":8080", "ops-addr": ":9090", "migrate": "false"},
}

// secrets are the settings that may also be read from a file: <ENV>_FILE (or -<flag>-file) names it, as
// orchestrators mount secrets. A value given both ways is refused.
var secrets = []string{"admin-token", "service-token", "postgres-url", "migrate-postgres-url", "neo4j-password",
	"redis-password", "cassandra-password", "search-password", "search-api-key", "stripe-api-key",
	"idempotency-fingerprint-key"}

// bools are the true/false settings: their flags may be given bare (-migrate-only means -migrate-only=true).
var bools = []string{"api", "migrate", "migrate-only", "tls-terminated-upstream", "redis-client-cache", "projections",
	"redis-tls", "cassandra-tls", "repair-ratings", "repair-ratings-fix"}

// boolFlag is a true/false setting's text, checked where the others are (Load's boolean).
type boolFlag string

func (b *boolFlag) String() string     { return string(*b) }
func (b *boolFlag) Set(v string) error { *b = boolFlag(v); return nil }
func (b *boolFlag) IsBoolFlag() bool   { return true }

// Load parses args (without the program name) over the environment.
func Load(args []string) (Config, error) {
	fs := flag.NewFlagSet("streamingd", flag.ContinueOnError)
	values := map[string]*string{}
	files := map[string]*string{}
	envOf := map[string]string{}
	for _, s := range Settings {
		def := s.Default
		if v, ok := os.LookupEnv(s.Env); ok {
			def = v
		}
		if slices.Contains(bools, s.Flag) {
			v := boolFlag(def)
			fs.Var(&v, s.Flag, s.Help+" (env "+s.Env+")")
			values[s.Flag] = (*string)(&v)
		} else {
			values[s.Flag] = fs.String(s.Flag, def, s.Help+" (env "+s.Env+")")
		}
		envOf[s.Flag] = s.Env
		if slices.Contains(secrets, s.Flag) {
			files[s.Flag] = fs.String(s.Flag+"-file", os.Getenv(s.Env+"_FILE"), "file holding -"+s.Flag+" (env "+s.Env+"_FILE)")
		}
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	var errs []error
	for _, name := range secrets {
		path := *files[name]
		if path == "" {
			continue
		}
		if v := *values[name]; v != "" && v != defaultOf(name) {
			errs = append(errs, fmt.Errorf("-%s: given both as a value and as a file (%s_FILE); give one", name, envOf[name]))
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("-%s-file: %w", name, err))
			continue
		}
		*values[name] = strings.TrimRight(string(b), "\r\n")
	}
	get := func(name string) string { return *values[name] }
	env := get("env")
	defaults, ok := modeDefaults[env]
	if !ok {
		errs = append(errs, fmt.Errorf("-env=%q: want development or production", env))
		defaults = modeDefaults[Production] // judge the rest as strictly as production would
	}
	for name, def := range defaults {
		if *values[name] == "" {
			*values[name] = def
		}
	}
	for _, name := range required {
		if strings.TrimSpace(get(name)) == "" {
			errs = append(errs, fmt.Errorf("-%s: required (or %s); there is no default", name, envOf[name]))
		}
	}
	var err error
	dur := func(name string) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("-%s=%q: want a positive duration such as 10s", name, get(name)))
		}
		return d
	}
	durOrOff := func(name string) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("-%s=%q: want a duration such as 30s, or 0 for off", name, get(name)))
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
		Env:             env,
		GRPCAddr:        get("grpc-addr"),
		HTTPAddr:        get("http-addr"),
		OpsAddr:         get("ops-addr"),
		TLSCertFile:     get("tls-cert-file"),
		TLSKeyFile:      get("tls-key-file"),
		TLSClientCAFile: get("tls-client-ca-file"),
		MigrateURL:      get("migrate-postgres-url"),
		PostgresURL:     get("postgres-url"),
		RedisAddr:       get("redis-addr"),
		AdminToken:      token("admin-token"),
		ServiceToken:    token("service-token"),
		SessionTTL:      dur("session-ttl"),
		SessionIdle:     dur("session-idle-timeout"),
		SessionRecheck:  dur("session-recheck"),
		IdempotencyTTL:  dur("idempotency-ttl"),
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
	for _, a := range strings.Split(c.RedisAddr, ",") {
		if _, _, err := net.SplitHostPort(strings.TrimSpace(a)); err != nil && c.RedisAddr != "" {
			errs = append(errs, fmt.Errorf("-redis-addr=%q: want host:port, or several comma-separated", c.RedisAddr))
			break
		}
	}
	for _, h := range strings.Split(get("cassandra-hosts"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			c.CassandraHosts = append(c.CassandraHosts, h)
		}
	}
	if len(c.CassandraHosts) == 0 && strings.TrimSpace(get("cassandra-hosts")) != "" {
		errs = append(errs, errors.New("-cassandra-hosts: want at least one host"))
	}
	c.Neo4jURI, c.Neo4jUser, c.Neo4jPassword, c.Neo4jDatabase = get("neo4j-uri"), get("neo4j-user"), get("neo4j-password"), get("neo4j-database")
	c.SearchAlias = get("search-alias")
	for _, u := range strings.Split(get("search-url"), ",") {
		if u = strings.TrimSpace(u); u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Errorf("-search-url: %q: want an http:// or https:// URL (several comma-separated)", u))
			continue
		}
		c.SearchURLs = append(c.SearchURLs, u)
	}
	if len(c.SearchURLs) == 0 && strings.TrimSpace(get("search-url")) != "" {
		errs = append(errs, errors.New("-search-url: want at least one URL"))
	}
	if !aliasPattern.MatchString(c.SearchAlias) {
		errs = append(errs, fmt.Errorf("-search-alias=%q: want lower-case letters, digits, _ or -", c.SearchAlias))
	}
	c.RecsGraphTimeout, c.OutboxPoll = dur("recs-graph-timeout"), dur("outbox-poll")
	c.OutboxProjectTimeout = dur("outbox-project-timeout")
	c.PlaybackLeaseTTL = dur("playback-lease-ttl")
	boolean := func(name string) bool {
		b, err := strconv.ParseBool(get(name))
		if err != nil {
			errs = append(errs, fmt.Errorf("-%s=%q: want true or false", name, get(name)))
		}
		return b
	}
	c.RedisClientCache, c.ReadModelsEnabled = boolean("redis-client-cache"), boolean("projections")
	c.TLSUpstream, c.MigrateOnly, c.API = boolean("tls-terminated-upstream"), boolean("migrate-only"), boolean("api")
	if !c.API && !c.ReadModelsEnabled {
		errs = append(errs, errors.New("-api=false with -projections=false: nothing would run in this process"))
	}
	c.RedisUser, c.RedisPassword, c.RedisCAFile, c.RedisTLS = get("redis-user"), get("redis-password"), get("redis-ca-file"), boolean("redis-tls")
	c.CassandraUser, c.CassandraPassword, c.CassandraCA = get("cassandra-user"), get("cassandra-password"), get("cassandra-ca-file")
	c.CassandraTLS = boolean("cassandra-tls")
	c.SearchUser, c.SearchPassword, c.SearchAPIKey, c.SearchCAFile = get("search-user"), get("search-password"), get("search-api-key"), get("search-ca-file")
	if c.SearchAPIKey != "" && c.SearchUser != "" {
		errs = append(errs, errors.New("-search-api-key, -search-user: give an API key or a user and password, not both"))
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, errors.New("-tls-cert-file and -tls-key-file: give both or neither"))
	}
	if c.TLSClientCAFile != "" && c.TLSCertFile == "" {
		errs = append(errs, errors.New("-tls-client-ca-file: client certificates need this server's TLS (-tls-cert-file)"))
	}

	count := func(name string, lo, hi int) int {
		n, err := strconv.Atoi(get(name))
		if err != nil || n < lo || n > hi {
			errs = append(errs, fmt.Errorf("-%s=%q: want a number between %d and %d", name, get(name), lo, hi))
		}
		return n
	}
	c.MaxConnections, c.StreamIdle = count("max-connections", 0, 1_000_000), dur("stream-idle-timeout")
	c.IngestWriters = count("ingest-writers", 1, 1024)
	rate := func(name string) float64 {
		r, err := strconv.ParseFloat(get(name), 64)
		if err != nil || r < 0 || math.IsInf(r, 0) || math.IsNaN(r) {
			errs = append(errs, fmt.Errorf("-%s=%q: want events per second, 0 or more (0: unlimited)", name, get(name)))
		}
		return r
	}
	c.IngestUserRate, c.IngestUserBurst = rate("ingest-user-rate"), count("ingest-user-burst", 1000, 100_000_000)
	c.IngestServiceRate, c.IngestServiceBurst = rate("ingest-service-rate"), count("ingest-service-burst", 1000, 100_000_000)
	c.RedisDialTimeout, c.RedisIOTimeout, c.RedisRetries = dur("redis-dial-timeout"), dur("redis-io-timeout"), count("redis-retries", 0, 10)
	c.BreakerFailures, c.BreakerOpenFor = count("breaker-failures", 1, 1000), dur("breaker-open-for")
	c.SearchReplicas = count("search-replicas", 0, 10)
	c.OutboxPartitions, c.OutboxWorkers, c.OutboxBatch = count("outbox-partitions", 1, 1024), count("outbox-workers", 1, 64), count("outbox-batch", 1, 10000)
	errs = append(errs, loadPayments(&c, get)...)
	c.PasswordHashConcurrency, c.PasswordHashWait = count("password-hash-concurrency", 0, 1024), dur("password-hash-wait")
	if c.PasswordHashConcurrency == 0 {
		c.PasswordHashConcurrency = runtime.GOMAXPROCS(0)
	}
	c.LoginsPerAccount, c.LoginsPerClient = count("login-attempts-per-account", 0, 1_000_000), count("login-attempts-per-client", 0, 1_000_000)
	c.LoginWindow = dur("login-attempts-window")
	for _, p := range strings.Split(get("trusted-proxies"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("-trusted-proxies: %q: want a CIDR such as 10.0.0.0/8", p))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix.Masked())
	}
	c.RatingFlushInterval = dur("rating-flush-interval")
	c.DerivedReplayInterval, c.ReplayDerived = durOrOff("derived-replay-interval"), durOrOff("replay-derived")
	c.AnalyticsRetention, c.AnalyticsRebuildWindow = durOrOff("analytics-retention"), dur("analytics-rebuild-window")
	errs = append(errs, loadBilling(&c, get)...)
	c.RepairRatings, c.RepairRatingsFix = boolean("repair-ratings"), boolean("repair-ratings-fix")
	if c.RepairRatingsFix && !c.RepairRatings {
		errs = append(errs, errors.New("-repair-ratings-fix: only with -repair-ratings"))
	}
	for _, m := range strings.Split(get("rebuild"), ",") {
		switch m = strings.TrimSpace(m); m {
		case "":
		case RebuildGraph, RebuildSearch, RebuildRedis, RebuildAnalytics:
			if !slices.Contains(c.Rebuild, m) {
				c.Rebuild = append(c.Rebuild, m)
			}
		default:
			errs = append(errs, fmt.Errorf("-rebuild: %q: want graph, search, redis or analytics (comma-separated)", m))
		}
	}
	errs = append(errs, loadTracing(&c, get)...)
	if c.AdminToken != "" && c.AdminToken == c.ServiceToken {
		errs = append(errs, errors.New("-admin-token and -service-token must differ"))
	}
	if len(errs) == 0 && c.Env == Production {
		errs = append(errs, c.checkProduction()...)
	}
	return c, errors.Join(errs...)
}

// loadPayments reads the payment settings (their secrets may come from files, as every secret's: see secrets).
func loadPayments(c *Config, get func(string) string) []error {
	var errs []error
	c.Payments = get("payments")
	c.StripeAPIKey, c.StripeAPIURL = get("stripe-api-key"), get("stripe-api-url")
	c.FingerprintKey = get("idempotency-fingerprint-key")
	switch c.Payments {
	case PaymentsLocal:
	case PaymentsStripe:
		if c.StripeAPIKey == "" {
			errs = append(errs, errors.New("-stripe-api-key: required with -payments=stripe (or -stripe-api-key-file)"))
		}
	default:
		errs = append(errs, fmt.Errorf("-payments=%q: want local or stripe", c.Payments))
	}
	if d, err := time.ParseDuration(get("stripe-timeout")); err != nil || d <= 0 {
		errs = append(errs, fmt.Errorf("-stripe-timeout=%q: want a positive duration such as 5s", get("stripe-timeout")))
	} else {
		c.StripeTimeout = d
	}
	if n, err := strconv.Atoi(get("stripe-max-retries")); err != nil || n < 0 || n > 5 {
		errs = append(errs, fmt.Errorf("-stripe-max-retries=%q: want a number between 0 and 5", get("stripe-max-retries")))
	} else {
		c.StripeMaxRetries = n
	}
	if len(c.FingerprintKey) < 16 {
		errs = append(errs, errors.New("-idempotency-fingerprint-key: want at least 16 characters"))
	}
	return errs
}

// loadTracing reads the tracing settings. The standard OTEL_* variables fill in what the server's own leave empty,
// so a deployment that sets them for every service needs nothing more here.
func loadTracing(c *Config, get func(string) string) []error {
	var errs []error
	c.OTelEndpoint = cmp.Or(get("otel-exporter-otlp-endpoint"), os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT"))
	c.OTelServiceName = cmp.Or(get("otel-service-name"), os.Getenv("OTEL_SERVICE_NAME"), "streamingd")
	r, err := strconv.ParseFloat(get("otel-sampling-ratio"), 64)
	if err != nil || r < 0 || r > 1 {
		errs = append(errs, fmt.Errorf("-otel-sampling-ratio=%q: want a number between 0 and 1", get("otel-sampling-ratio")))
	}
	c.OTelSampleRatio = r
	return errs
}

// defaultOf is the default of the setting with flag name.
func defaultOf(name string) string {
	for _, s := range Settings {
		if s.Flag == name {
			return s.Default
		}
	}
	return ""
}
