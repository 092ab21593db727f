// Command readcheck checks the read models (search index, Neo4j graph, Redis views) against PostgreSQL and prints
// what differs: a table of counts per read model and status, then the differences, worst first. It also checks that
// erased users left nothing personal in PostgreSQL, Neo4j, Redis and Cassandra (kind "erasure").
//
// It finds the stores exactly as streamingd does (the same flags and STREAMING_* variables, read by config.Load),
// and only reads. Exit status: 0 when nothing diverges (lag and cache misses are fine), 1 when any read model has
// missing, diverged, ahead or orphan entries, 2 when the check could not run.
//
//	go run ./server/cmd/readcheck                       # everything
//	go run ./server/cmd/readcheck -sample 500 -json     # 500 random rows of each table, as JSON
//	go run ./server/cmd/readcheck -ids <uuid>,<uuid>    # those aggregates only
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/streamingplatform/streaming/server/cassandra"
	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/neo4j"
	"github.com/streamingplatform/streaming/server/postgres"
	"github.com/streamingplatform/streaming/server/readcheck"
	"github.com/streamingplatform/streaming/server/redis"
	"github.com/streamingplatform/streaming/server/search"
	"github.com/streamingplatform/streaming/server/streaming"
	"github.com/streamingplatform/streaming/server/wiring"
)

// Exit statuses.
const (
	exitOK       = 0
	exitDiverged = 1
	exitFailed   = 2
)

// storeSettings are the server settings this command uses; the others are the server's business.
var storeSettings = []string{"postgres-url", "redis-addr", "neo4j-uri", "neo4j-user", "neo4j-password",
	"neo4j-database", "search-url", "search-alias", "redis-user", "redis-password", "redis-tls", "redis-ca-file",
	"search-user", "search-password", "search-api-key", "search-ca-file", "cassandra-hosts", "cassandra-keyspace",
	"cassandra-consistency", "cassandra-local-dc", "cassandra-user", "cassandra-password", "cassandra-tls",
	"cassandra-ca-file"}

// connectTimeout bounds each store's first contact, so an unreachable store fails fast with its name.
const connectTimeout = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type flags struct {
	sample, maxDiffs, batch int
	asJSON, strict          bool
	ids, models             string
	timeout                 time.Duration
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		// One line, whatever the drivers' messages hold.
		msg := strings.Join(strings.Fields(fmt.Sprintf(format, a...)), " ")
		fmt.Fprintln(stderr, "readcheck:", msg)
		return exitFailed
	}
	f, cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return fail("%v", err)
	}
	models, err := parseModels(f.models)
	if err != nil {
		return fail("%v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()

	src, closeAll, err := connect(ctx, cfg, models)
	if err != nil {
		return fail("%v", err)
	}
	defer closeAll()
	var ids []string
	for _, id := range strings.Split(f.ids, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, strings.ToLower(id))
		}
	}
	maxDiffs := f.maxDiffs
	if maxDiffs <= 0 {
		maxDiffs = -1 // the library's "none"; its 0 means its default
	}
	rep, err := readcheck.Check(ctx, src, readcheck.Options{Sample: f.sample, IDs: ids, MaxDiffs: maxDiffs,
		BatchSize: f.batch, Strict: f.strict})
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fail("check did not finish within -timeout=%s: %v", f.timeout, describe(err))
		}
		return fail("check failed: %v", describe(err))
	}
	if f.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fail("write report: %v", err)
		}
	} else {
		printReport(stdout, rep, cfg, models)
	}
	if rep.Failed() {
		return exitDiverged
	}
	return exitOK
}

// parseFlags reads this command's flags and the server's store settings. The store flags are passed on to
// config.Load only when given, so their defaults and STREAMING_* variables apply exactly as for the server.
func parseFlags(args []string, stderr io.Writer) (flags, config.Config, error) {
	var f flags
	fs := flag.NewFlagSet("readcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&f.sample, "sample", 0, "check about this many random rows of each table instead of all (0: all); a sample looks for no orphans")
	fs.IntVar(&f.maxDiffs, "max-diffs", 50, "how many differences to list (the counts cover all)")
	fs.BoolVar(&f.asJSON, "json", false, "print the report as JSON")
	fs.StringVar(&f.ids, "ids", "", "check only these comma-separated aggregate ids (content, user, plan or subscription)")
	fs.StringVar(&f.models, "models", "search,neo4j,redis,cassandra", "stores to check besides PostgreSQL, comma-separated (cassandra: erased users only)")
	fs.BoolVar(&f.strict, "strict", false, "report lag as behind/missing even when unpublished outbox events explain it")
	fs.IntVar(&f.batch, "batch", 1000, "rows per batch")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Minute, "give up after this long")
	store := map[string]*string{}
	for _, s := range config.Settings {
		if slices.Contains(storeSettings, s.Flag) {
			help := s.Help + " (env " + s.Env
			if s.Default != "" {
				help += "; default " + s.Default
			}
			store[s.Flag] = fs.String(s.Flag, "", help+")")
		}
	}
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: readcheck [flags]\n\nChecks the read models against PostgreSQL. Exit status: 0 consistent, 1 divergence, 2 could not run.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return f, config.Config{}, err
	}
	if fs.NArg() > 0 {
		return f, config.Config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var given []string
	fs.Visit(func(fl *flag.Flag) {
		if _, ok := store[fl.Name]; ok {
			given = append(given, "-"+fl.Name+"="+fl.Value.String())
		}
	})
	cfg, err := config.Load(given)
	if err != nil {
		return f, cfg, fmt.Errorf("configuration: %w", err)
	}
	return f, cfg, nil
}

func parseModels(s string) (map[readcheck.Model]bool, error) {
	known := []readcheck.Model{readcheck.ModelSearch, readcheck.ModelNeo4j, readcheck.ModelRedis, readcheck.ModelCassandra}
	out := map[readcheck.Model]bool{}
	for _, m := range strings.Split(s, ",") {
		m := readcheck.Model(strings.TrimSpace(m))
		if m == "" {
			continue
		}
		if !slices.Contains(known, m) {
			return nil, fmt.Errorf("-models: unknown read model %q (want search, neo4j, redis or cassandra)", m)
		}
		out[m] = true
	}
	return out, nil
}

// connect opens the stores to check, failing with a line that names the store that could not be reached.
func connect(ctx context.Context, cfg config.Config, models map[readcheck.Model]bool) (readcheck.Sources, func(), error) {
	var closers []func()
	closeAll := func() {
		for _, c := range slices.Backward(closers) {
			c()
		}
	}
	fail := func(err error) (readcheck.Sources, func(), error) {
		closeAll()
		return readcheck.Sources{}, nil, err
	}
	var src readcheck.Sources

	pool, closePool, err := postgres.Open(ctx, postgres.Config{URL: cfg.PostgresURL, MaxConns: 4,
		ApplicationName: "readcheck"})
	if err != nil {
		return fail(err)
	}
	closers = append(closers, closePool)
	if err := withTimeout(ctx, pool.Ping); err != nil {
		return fail(fmt.Errorf("PostgreSQL at %s is unreachable: %w", postgres.Addr(pool), err))
	}
	src.Postgres = postgres.NewCheckSource(pool)

	if models[readcheck.ModelRedis] {
		rcfg := wiring.RedisConfig(cfg)
		rcfg.ClientCache, rcfg.DialTimeout = false, connectTimeout
		rc, closeRedis, err := redis.Open(ctx, rcfg)
		if err != nil {
			return fail(fmt.Errorf("Redis is unreachable: %w", err))
		}
		closers = append(closers, closeRedis)
		src.Redis = redis.NewReadModel(rc, redis.ReadModelOptions{})
	}

	if models[readcheck.ModelSearch] {
		// Lazy: Open would create a missing index, and a check only reads. Ping says whether it answers.
		scfg := wiring.SearchConfig(cfg)
		scfg.Lazy = true
		x, closeIndex, err := search.Open(ctx, scfg)
		if err != nil {
			return fail(err)
		}
		closers = append(closers, closeIndex)
		if err := withTimeout(ctx, x.Ping); err != nil {
			if streaming.ErrorCode(err) == streaming.CodeUnavailable {
				return fail(fmt.Errorf("search server at %s is unreachable: %s", strings.Join(cfg.SearchURLs, ","), describe(err)))
			}
			return fail(fmt.Errorf("search server at %s: %w", strings.Join(cfg.SearchURLs, ","), err))
		}
		src.Search = x
	}

	if models[readcheck.ModelNeo4j] {
		// ReadOnly: a check creates no schema.
		octx, cancel := context.WithTimeout(ctx, connectTimeout)
		gcfg := wiring.GraphConfig(cfg)
		gcfg.MaxConnections, gcfg.ReadOnly = 4, true
		g, closeGraph, err := neo4j.Open(octx, gcfg)
		cancel()
		if streaming.ErrorCode(err) == streaming.CodeUnavailable {
			return fail(fmt.Errorf("Neo4j at %s is unreachable: %s", cfg.Neo4jURI, describe(err)))
		}
		if err != nil {
			return fail(fmt.Errorf("Neo4j URI %q: %w", cfg.Neo4jURI, err))
		}
		closers = append(closers, closeGraph)
		src.Graph = g
	}

	if models[readcheck.ModelCassandra] {
		consistency, err := cassandra.ParseConsistency(cfg.CassandraConsistency)
		if err != nil {
			return fail(fmt.Errorf("-cassandra-consistency=%q: %w", cfg.CassandraConsistency, err))
		}
		// OpenReadOnly: a check creates no keyspace and runs no schema step.
		octx, cancel := context.WithTimeout(ctx, connectTimeout)
		store, closeStore, err := cassandra.OpenReadOnly(octx, cassandra.Config{Hosts: cfg.CassandraHosts,
			Keyspace: cfg.CassandraKeyspace, LocalDC: cfg.CassandraLocalDC, Consistency: consistency, NumConns: 1,
			Username: cfg.CassandraUser, Password: cfg.CassandraPassword, TLS: cfg.CassandraTLS, CAFile: cfg.CassandraCA})
		cancel()
		if streaming.ErrorCode(err) == streaming.CodeUnavailable {
			return fail(fmt.Errorf("Cassandra at %s is unreachable: %s", strings.Join(cfg.CassandraHosts, ","), describe(err)))
		}
		if err != nil {
			return fail(fmt.Errorf("Cassandra: %w", err))
		}
		closers = append(closers, closeStore)
		src.Cassandra = store
	}
	return src, closeAll, nil
}

// describe is err without the domain's wrapping: "Neo4j is unavailable: <cause>" rather than the code and the
// retry advice meant for API callers.
func describe(err error) string {
	var e *streaming.Error
	if errors.As(err, &e) && error(e) == err && e.Code == streaming.CodeUnavailable && e.Err != nil {
		return strings.TrimSuffix(e.Message, ", retry later") + ": " + e.Err.Error()
	}
	return strings.TrimPrefix(err.Error(), "readcheck: ")
}

func withTimeout(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	return f(ctx)
}

var statuses = []readcheck.Status{readcheck.StatusOK, readcheck.StatusAbsent, readcheck.StatusMissing,
	readcheck.StatusBehind, readcheck.StatusDiverged, readcheck.StatusAhead, readcheck.StatusOrphan, readcheck.StatusPending}

func printReport(w io.Writer, rep *readcheck.Report, cfg config.Config, models map[readcheck.Model]bool) {
	var names []string
	for _, m := range []readcheck.Model{readcheck.ModelSearch, readcheck.ModelNeo4j, readcheck.ModelRedis, readcheck.ModelCassandra} {
		if models[m] {
			if m == readcheck.ModelSearch {
				names = append(names, "search (alias "+cfg.SearchAlias+")")
			} else {
				names = append(names, string(m))
			}
		}
	}
	fmt.Fprintf(w, "%s check of %s against PostgreSQL, %s\n", rep.Mode, strings.Join(names, ", "),
		rep.Finished.Sub(rep.Started).Round(time.Millisecond))
	fmt.Fprintf(w, "unpublished outbox events at start: %d (lag they explain is counted as pending)\n\n", rep.UnpublishedAtStart)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "model\tkind\tchecked\t")
	for _, s := range statuses {
		fmt.Fprintf(tw, "%s\t", s)
	}
	fmt.Fprintln(tw)
	for _, c := range rep.Counts {
		fmt.Fprintf(tw, "%s\t%s\t%d\t", c.Model, c.Kind, c.Checked)
		for _, s := range statuses {
			fmt.Fprintf(tw, "%d\t", c.Of(s))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()

	if len(rep.Differences) > 0 {
		fmt.Fprintf(w, "\ndifferences (%d listed of %d, worst first):\n", len(rep.Differences), int64(len(rep.Differences))+rep.Unlisted)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "status\tmodel\tkind\tid\tversion\tmodel version\tfields (postgres → read model)")
		for _, d := range rep.Differences {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", d.Status, d.Model, d.Kind, d.ID, d.Version, d.ModelVersion, fieldsText(d.Fields))
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	if rep.Failed() {
		fmt.Fprintf(w, "DIVERGED: missing %d, diverged %d, ahead %d, orphan %d\n", rep.Total(readcheck.StatusMissing),
			rep.Total(readcheck.StatusDiverged), rep.Total(readcheck.StatusAhead), rep.Total(readcheck.StatusOrphan))
	} else {
		fmt.Fprintf(w, "consistent: no missing, diverged, ahead or orphan entries (behind %d, pending %d)\n",
			rep.Total(readcheck.StatusBehind), rep.Total(readcheck.StatusPending))
	}
}

// fieldsText renders the fields at fault on one line, long values cut.
func fieldsText(fs []readcheck.FieldDiff) string {
	cut := func(s string) string {
		if r := []rune(s); len(r) > 60 {
			return string(r[:57]) + "..."
		}
		return s
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Field + ": " + cut(f.Want) + " → " + cut(f.Got)
	}
	return strings.Join(parts, "; ")
}
