package cassandra

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gocql/gocql"
	"go.opentelemetry.io/otel/trace"
)

// Defaults applied by Open to zero fields of Config.
const (
	DefaultKeyspace    = "streaming"
	DefaultConsistency = gocql.LocalQuorum
	// DefaultTimeout is the client-side timeout of one request. It must stay above the server's
	// write_request_timeout (2 s): a client that gives up before the coordinator does turns a server-side write
	// timeout, which says how many replicas acknowledged, into a blind "no response". It equals Cassandra 5.0's
	// read_request_timeout (5 s); our reads are single-partition slices that answer in milliseconds.
	DefaultTimeout  = 5 * time.Second
	DefaultNumConns = 2
	// DefaultTTL is how long playback rows live: two years. See docs/cassandra.md for why.
	DefaultTTL = 2 * 365 * 24 * time.Hour
	// KeepForever as Config.TTL disables expiry (default_time_to_live = 0).
	KeepForever time.Duration = -1
	// DefaultMaxBatch is the number of inserts per unlogged batch; larger groups are split.
	DefaultMaxBatch = 100
	// DefaultMaxClockSkew is how far in the future an event's time may lie. Event times become write timestamps,
	// and a cell written with a timestamp in the future can be neither overwritten nor deleted until then.
	DefaultMaxClockSkew = 5 * time.Minute
)

// maxTTL is Cassandra's upper bound for a TTL (20 years).
const maxTTL = 630720000 * time.Second

// Config says how to reach Cassandra and how to lay out the keyspace. Zero fields take the defaults above.
type Config struct {
	Hosts []string // contact points; the driver discovers the rest of the ring from them
	Port  int      // CQL native port; 9042 when 0

	Keyspace    string      // DefaultKeyspace when ""
	Replication Replication // used only when the keyspace is created; SimpleStrategy:1 when zero
	// LocalDC, when set, makes routing datacenter-aware: requests go to replicas in this datacenter only, and
	// Consistency should be a LOCAL_* level. Leave it empty for a single-datacenter cluster.
	LocalDC string

	// Consistency of reads and writes; DefaultConsistency (LOCAL_QUORUM) when zero. The zero value of
	// gocql.Consistency is ANY, which this store never uses: a write at ANY may live only as a hint.
	Consistency gocql.Consistency
	Timeout     time.Duration // per request and per connect; DefaultTimeout when 0
	NumConns    int           // connections per host; DefaultNumConns when 0

	// TTL is default_time_to_live of both tables: DefaultTTL when 0, KeepForever (or any negative value) for no
	// expiry. A change is applied to the tables at the next Open and affects rows written afterwards.
	TTL time.Duration
	// MaxBatch is the most inserts sent in one unlogged batch; DefaultMaxBatch when 0.
	MaxBatch int
	// MaxClockSkew is how far in the future an event's OccurredAt may lie; DefaultMaxClockSkew when 0.
	MaxClockSkew time.Duration

	// Username and Password authenticate (PasswordAuthenticator); empty: no authentication.
	Username, Password string
	// TLS dials with TLS, verifying each node's certificate and host name against CAFile (PEM; the system's roots
	// when "").
	TLS    bool
	CAFile string

	// TracerProvider records a span per batch write (never per event or per read); nil: no observer is installed
	// (tracing off).
	TracerProvider trace.TracerProvider
	// Log receives the driver's own messages (reconnects, hosts going down), at Warn; nil: the driver's default,
	// plain lines on standard error, which would break a JSON log stream.
	Log *slog.Logger

	tls *tls.Config // built from CAFile by Open
}

// withDefaults returns cfg with zero fields defaulted, or an error naming the first bad field.
func (cfg Config) withDefaults() (Config, error) {
	if len(cfg.Hosts) == 0 {
		return cfg, fmt.Errorf("cassandra: Config.Hosts is empty")
	}
	if cfg.Port == 0 {
		cfg.Port = 9042
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return cfg, fmt.Errorf("cassandra: Config.Port %d is not a port number", cfg.Port)
	}
	if cfg.Keyspace == "" {
		cfg.Keyspace = DefaultKeyspace
	}
	if !identifier.MatchString(cfg.Keyspace) {
		return cfg, fmt.Errorf("cassandra: Config.Keyspace %q: want a lowercase CQL identifier of at most 48 characters", cfg.Keyspace)
	}
	if cfg.Replication.Class == "" {
		cfg.Replication = Replication{Class: SimpleStrategy, Factor: 1}
	}
	if err := cfg.Replication.validate(); err != nil {
		return cfg, err
	}
	if cfg.Consistency == gocql.Any {
		cfg.Consistency = DefaultConsistency
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Timeout < 0 {
		return cfg, fmt.Errorf("cassandra: Config.Timeout %s is negative", cfg.Timeout)
	}
	if cfg.NumConns == 0 {
		cfg.NumConns = DefaultNumConns
	}
	if cfg.NumConns < 0 {
		return cfg, fmt.Errorf("cassandra: Config.NumConns %d is negative", cfg.NumConns)
	}
	switch {
	case cfg.TTL == 0:
		cfg.TTL = DefaultTTL
	case cfg.TTL < 0:
		cfg.TTL = KeepForever
	case cfg.TTL < time.Second || cfg.TTL > maxTTL:
		return cfg, fmt.Errorf("cassandra: Config.TTL %s: want between 1s and 20 years", cfg.TTL)
	}
	if cfg.MaxBatch == 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.MaxBatch < 1 {
		return cfg, fmt.Errorf("cassandra: Config.MaxBatch %d is negative", cfg.MaxBatch)
	}
	if cfg.MaxClockSkew == 0 {
		cfg.MaxClockSkew = DefaultMaxClockSkew
	}
	if cfg.MaxClockSkew < 0 {
		return cfg, fmt.Errorf("cassandra: Config.MaxClockSkew %s is negative", cfg.MaxClockSkew)
	}
	return cfg, nil
}

// ttlSeconds is the table option default_time_to_live for cfg.TTL (after defaults).
func (cfg Config) ttlSeconds() int {
	if cfg.TTL < 0 {
		return 0
	}
	return int(cfg.TTL / time.Second)
}

// titleTTLMargin is how much longer a user_titles row lives than the events it names. The row and the events of a
// WritePartition call are written by different requests, possibly through coordinators whose clocks differ, and a
// later write may carry a slightly older wall-clock timestamp and lose: a day covers all of that.
const titleTTLMargin = 24 * time.Hour

// titleTTLSeconds is the TTL of a user_titles row (after defaults): Config.TTL plus titleTTLMargin, at most
// Cassandra's maximum, and 0 (no expiry) when the events never expire.
func (cfg Config) titleTTLSeconds() int {
	if cfg.TTL < 0 {
		return 0
	}
	return int(min(cfg.TTL+titleTTLMargin, maxTTL) / time.Second)
}

// identifier is an unquoted CQL name we are willing to splice into DDL (keyspace names are limited to 48
// characters). Lowercase only: unquoted identifiers are folded to lowercase by Cassandra, so an uppercase name would
// not round-trip through system_schema.
var identifier = regexp.MustCompile(`^[a-z][a-z0-9_]{0,47}$`)

// dcName is a datacenter name we are willing to splice into a CQL string literal.
var dcName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// Replication classes.
const (
	SimpleStrategy          = "SimpleStrategy"
	NetworkTopologyStrategy = "NetworkTopologyStrategy"
)

// Replication is the keyspace's replication: SimpleStrategy with one Factor (one datacenter, local and tests), or
// NetworkTopologyStrategy with a factor per datacenter (production).
type Replication struct {
	Class  string
	Factor int            // SimpleStrategy
	DCs    map[string]int // NetworkTopologyStrategy: datacenter name → replicas in it
}

// ParseReplication reads "SimpleStrategy:1" or "NetworkTopologyStrategy:dc1=3,dc2=3".
func ParseReplication(s string) (Replication, error) {
	class, rest, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return Replication{}, fmt.Errorf("cassandra: replication %q: want SimpleStrategy:N or NetworkTopologyStrategy:dc=N,...", s)
	}
	var r Replication
	switch class {
	case SimpleStrategy:
		n, err := strconv.Atoi(strings.TrimSpace(rest))
		if err != nil {
			return Replication{}, fmt.Errorf("cassandra: replication %q: factor %q is not a number", s, rest)
		}
		r = Replication{Class: SimpleStrategy, Factor: n}
	case NetworkTopologyStrategy:
		r = Replication{Class: NetworkTopologyStrategy, DCs: map[string]int{}}
		for _, part := range strings.Split(rest, ",") {
			dc, f, ok := strings.Cut(strings.TrimSpace(part), "=")
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if !ok || err != nil {
				return Replication{}, fmt.Errorf("cassandra: replication %q: %q is not dc=N", s, part)
			}
			dc = strings.TrimSpace(dc)
			if _, dup := r.DCs[dc]; dup {
				return Replication{}, fmt.Errorf("cassandra: replication %q: datacenter %q given twice", s, dc)
			}
			r.DCs[dc] = n
		}
	default:
		return Replication{}, fmt.Errorf("cassandra: replication %q: unknown class %q", s, class)
	}
	if err := r.validate(); err != nil {
		return Replication{}, err
	}
	return r, nil
}

func (r Replication) validate() error {
	switch r.Class {
	case SimpleStrategy:
		if r.Factor < 1 || r.DCs != nil {
			return fmt.Errorf("cassandra: SimpleStrategy wants one factor of at least 1")
		}
	case NetworkTopologyStrategy:
		if len(r.DCs) == 0 || r.Factor != 0 {
			return fmt.Errorf("cassandra: NetworkTopologyStrategy wants a factor per datacenter")
		}
		for dc, n := range r.DCs {
			if !dcName.MatchString(dc) {
				return fmt.Errorf("cassandra: datacenter name %q is not allowed", dc)
			}
			if n < 1 {
				return fmt.Errorf("cassandra: datacenter %q: factor %d, want at least 1", dc, n)
			}
		}
	default:
		return fmt.Errorf("cassandra: unknown replication class %q", r.Class)
	}
	return nil
}

// String is the form ParseReplication reads; datacenters are sorted.
func (r Replication) String() string {
	if r.Class != NetworkTopologyStrategy {
		return r.Class + ":" + strconv.Itoa(r.Factor)
	}
	var b strings.Builder
	b.WriteString(r.Class + ":")
	for i, dc := range slices.Sorted(maps.Keys(r.DCs)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(dc + "=" + strconv.Itoa(r.DCs[dc]))
	}
	return b.String()
}

// cql is the replication map literal of CREATE KEYSPACE. Names were validated, so no quoting is needed beyond the
// single quotes.
func (r Replication) cql() string {
	if r.Class != NetworkTopologyStrategy {
		return fmt.Sprintf("{'class': 'SimpleStrategy', 'replication_factor': %d}", r.Factor)
	}
	var b strings.Builder
	b.WriteString("{'class': 'NetworkTopologyStrategy'")
	for _, dc := range slices.Sorted(maps.Keys(r.DCs)) {
		fmt.Fprintf(&b, ", '%s': %d", dc, r.DCs[dc])
	}
	b.WriteString("}")
	return b.String()
}

// ParseConsistency reads a consistency level by name ("LOCAL_QUORUM", "ONE", ...), so callers need not import the
// driver.
func ParseConsistency(s string) (gocql.Consistency, error) {
	return gocql.ParseConsistencyWrapper(s)
}
