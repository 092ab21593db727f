// Command stack runs the platform's local stack of real servers without Docker: PostgreSQL and Redis from Debian
// packages, Cassandra, Neo4j and OpenSearch from Maven Central on the JVM. Everything lives under STACK_HOME.
//
//	stack up [name...]      install what is missing, start, wait for a real query to answer
//	stack down [name...]    stop cleanly (SIGTERM, then SIGKILL after a grace period)
//	stack status [name...]  state, version, address and memory of each server
//	stack reset [name...]   stop and wipe data and logs (downloaded jars are kept)
//	stack env               the settings in use, as shell assignments
//	stack server-env        streamingd's store settings (STREAMING_*) for this stack, as shell assignments
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
)

// server is one store of the stack. Methods are called from one goroutine per server.
type server interface {
	Name() string
	Addr() string
	DataDir() string
	// Install makes the server's software present: a Debian package, jars from Maven, a compiled launcher.
	Install(ctx context.Context) error
	// Start launches the server in the background; it returns once the process is running.
	Start(ctx context.Context) error
	// Probe runs a real query through the platform's driver and returns the server's version.
	Probe(ctx context.Context) (version string, err error)
	// PID is the main process if it is running, else 0.
	PID() int
	// Stop ends the server and every process it started.
	Stop(ctx context.Context) error
	// Exited explains why a process that was starting is gone (the tail of its log), or "" if it still runs.
	Exited() string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("stack: ")
	if err := run(os.Args[1:]); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: stack up|down|status|reset|env|server-env [postgres redis cassandra neo4j search stripemock jaeger prometheus] | stack promtool ARGS...")
	}
	cfg, err := stackenv.Load()
	if err != nil {
		return fmt.Errorf("bad configuration: %w", err)
	}
	if args[0] == "promtool" { // its arguments are promtool's, not server names
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return newPrometheus(cfg).promtool(ctx, args[1:])
	}
	all := servers(cfg)
	chosen, err := pick(all, args[1:])
	if err != nil {
		return err
	}
	if len(args) == 1 && args[0] == "up" {
		// The optional servers start only when named.
		chosen = slices.DeleteFunc(chosen, isOptional)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "up":
		return up(ctx, cfg, chosen)
	case "down":
		return down(ctx, chosen)
	case "status":
		return status(ctx, chosen, len(args) == 1)
	case "reset":
		if err := down(ctx, chosen); err != nil {
			return err
		}
		for _, s := range chosen {
			if err := os.RemoveAll(s.DataDir()); err != nil {
				return err
			}
			if err := os.RemoveAll(logsDir(cfg, s.Name())); err != nil {
				return err
			}
			fmt.Printf("%s: data and logs wiped\n", s.Name())
		}
		return nil
	case "env":
		// Shell assignments, quoted so `eval "$(stack env)"` is safe with any path.
		quote := func(v string) string { return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'" }
		fmt.Printf("STACK_HOME=%s\n", quote(cfg.Home))
		for _, v := range stackenv.Vars[1:] {
			val := os.Getenv(v.Name)
			if val == "" {
				val = v.Default
			}
			fmt.Printf("%s=%s\n", v.Name, quote(val))
		}
		return nil
	case "server-env":
		// streamingd's store settings for this stack, as shell assignments for `eval`; a variable already set in
		// the environment is left as it is (printed with its own value), so a caller can point at another store.
		quote := func(v string) string { return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'" }
		for _, v := range cfg.ServerSettings() {
			val := v.Value
			if own := os.Getenv(v.Env); own != "" {
				val = own
			}
			fmt.Printf("export %s=%s\n", v.Env, quote(val))
		}
		return nil
	}
	return fmt.Errorf("unknown command %q: want up, down, status, reset, env, server-env or promtool", args[0])
}

func servers(cfg stackenv.Settings) []server {
	all := []server{newPostgres(cfg), newRedis(cfg, 1), newCassandra(cfg, 1), newNeo4j(cfg), newSearch(cfg, 1), newStripeMock(cfg)}
	for i := 2; i <= cfg.CassandraNodes; i++ {
		all = append(all, newCassandra(cfg, i))
	}
	for i := 2; i <= cfg.SearchNodes; i++ {
		all = append(all, newSearch(cfg, i))
	}
	for i := 2; i <= cfg.RedisNodes; i++ {
		all = append(all, newRedis(cfg, i))
	}
	return append(all, newJaeger(cfg), newPrometheus(cfg))
}

// isOptional reports whether s is left out of `stack up` without names: the observability servers.
func isOptional(s server) bool { return s.Name() == "jaeger" || s.Name() == "prometheus" }

func pick(all []server, names []string) ([]server, error) {
	if len(names) == 0 {
		return all, nil
	}
	var out []server
	for _, n := range names {
		i := slices.IndexFunc(all, func(s server) bool { return s.Name() == n })
		if i < 0 {
			names := make([]string, len(all))
			for i, s := range all {
				names[i] = s.Name()
			}
			return nil, fmt.Errorf("unknown server %q: want one of %s (more nodes with STACK_CASSANDRA_NODES, STACK_SEARCH_NODES, STACK_REDIS_NODES)",
				n, strings.Join(names, ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

// startTimeout bounds how long up waits for one server to answer; a cold Cassandra on two busy cores is the slowest.
const startTimeout = 4 * time.Minute

type upResult struct {
	version, note string
	took          time.Duration
	err           error
}

func up(ctx context.Context, cfg stackenv.Settings, chosen []server) error {
	if err := os.MkdirAll(cfg.Home, 0o755); err != nil {
		return err
	}
	if cfg.TLS {
		if err := ensureCerts(cfg); err != nil {
			return err
		}
	}
	// Install one at a time: Maven runs share ~/.m2 and apt takes a lock.
	installed := make([]time.Duration, len(chosen))
	for i, s := range chosen {
		began := time.Now()
		if err := s.Install(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.Name(), err)
		}
		installed[i] = time.Since(began)
	}
	// Start in parallel: the JVMs spend most of their start-up waiting on themselves.
	results := make([]upResult, len(chosen))
	// Cassandra nodes after the first join its ring one at a time, after everything else (the first node
	// included) answers: a node bootstraps from the ring, and Cassandra refuses two bootstraps at once.
	joins := func(s server) bool { return strings.HasPrefix(s.Name(), "cassandra") && s.Name() != cassandraName(1) }
	var wg sync.WaitGroup
	for i, s := range chosen {
		if !joins(s) {
			wg.Go(func() { results[i] = upOne(ctx, s) })
		}
	}
	wg.Wait()
	for i, s := range chosen {
		if joins(s) {
			results[i] = upOne(ctx, s)
		}
	}
	// Redis nodes started as a cluster become one (the first time all of them run) or rejoin it.
	if cfg.RedisNodes > 1 && slices.ContainsFunc(chosen, func(s server) bool { return strings.HasPrefix(s.Name(), "redis") }) &&
		!slices.ContainsFunc(results, func(r upResult) bool { return r.err != nil }) {
		if err := formRedisCluster(ctx, cfg); err != nil {
			return fmt.Errorf("redis cluster: %w", err)
		}
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	var errs []error
	for i, s := range chosen {
		r := results[i]
		if r.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.Name(), r.err))
			continue
		}
		took := fmt.Sprintf("%s in %.1fs", r.note, r.took.Seconds())
		if installed[i] > time.Second {
			took = fmt.Sprintf("installed in %.1fs, %s", installed[i].Seconds(), took)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name(), r.version, s.Addr(), stackenv.Rel(s.DataDir()), took)
	}
	tw.Flush()
	return errors.Join(errs...)
}

func upOne(ctx context.Context, s server) upResult {
	began := time.Now()
	if s.PID() != 0 {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		v, err := s.Probe(pctx)
		cancel()
		if err == nil {
			return upResult{version: v, note: "already running, answered", took: time.Since(began)}
		}
		// Running but not answering yet (another up may have just started it): wait for it below.
	} else {
		if err := s.Start(ctx); err != nil {
			return upResult{err: err}
		}
	}
	v, err := waitReady(ctx, s)
	return upResult{version: v, note: "started, answered", took: time.Since(began), err: err}
}

// waitReady polls the server with a real query until it answers, its process dies, or startTimeout passes.
func waitReady(ctx context.Context, s server) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var last error
	for {
		pctx, pcancel := context.WithTimeout(ctx, 5*time.Second)
		v, err := s.Probe(pctx)
		pcancel()
		if err == nil {
			return v, nil
		}
		last = err
		if why := s.Exited(); why != "" {
			return "", fmt.Errorf("exited while starting: %s", why)
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("did not answer within %s (last error: %v); see its logs under %s", startTimeout, last, stackenv.Rel(filepath.Dir(s.DataDir())))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func down(ctx context.Context, chosen []server) error {
	var errs []error
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, s := range chosen {
		wg.Go(func() {
			pid := s.PID()
			if pid == 0 {
				mu.Lock()
				fmt.Printf("%s: not running\n", s.Name())
				mu.Unlock()
				return
			}
			began := time.Now()
			err := s.Stop(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", s.Name(), err))
				return
			}
			fmt.Printf("%s: stopped (pid %d) in %.1fs\n", s.Name(), pid, time.Since(began).Seconds())
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// status shows every chosen server; it fails when one is not ready, except an optional server that is stopped when
// no names were given (all).
func status(ctx context.Context, chosen []server, all bool) error {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVER\tSTATE\tVERSION\tADDRESS\tPID\tMEMORY (PSS)\tDATA")
	var total int64
	down := 0
	for _, s := range chosen {
		state, version, pidText, mem := "stopped", "-", "-", "-"
		if pid := s.PID(); pid != 0 {
			pidText = fmt.Sprint(pid)
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			v, err := s.Probe(pctx)
			cancel()
			if err != nil {
				state = "running, not answering: " + firstLine(err.Error())
				down++
			} else {
				state, version = "ready", v
			}
			if kb := treeMemoryKB(pid); kb > 0 {
				total += kb
				mem = fmt.Sprintf("%d MiB", kb/1024)
			}
		} else if !all || !isOptional(s) {
			down++
		} else {
			state = "stopped (optional)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name(), state, version, s.Addr(), pidText, mem, stackenv.Rel(s.DataDir()))
	}
	fmt.Fprintf(tw, "total\t\t\t\t\t%d MiB\t\n", total/1024)
	tw.Flush()
	if down > 0 {
		return fmt.Errorf("%d of %d servers not ready", down, len(chosen))
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}
