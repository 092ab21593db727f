// Command seed loads the demo (or benchmark) data set into a running platform through its gRPC API, and writes a
// manifest of what it created. Run it again with the same flags to complete or refresh a data set: every phase is
// idempotent.
//
//	go run ./clients/cmd/seed                 # demo: 3 plans, 200 titles, 50 users, 2000 watches, 300 ratings
//	go run ./clients/cmd/seed -size bench     # 100k users, 10k titles, 1M watches, 100k ratings
//
// Seeded users are user1@demo.local, user2@demo.local, ... with the password in the manifest ("demo-password-123").
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/streamingplatform/streaming/clients/client"
	"github.com/streamingplatform/streaming/clients/seed"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run() error {
	var (
		addr         = flag.String("addr", env("STREAMING_ADDR", "127.0.0.1:50051"), "gRPC address of the server (env STREAMING_ADDR)")
		adminToken   = flag.String("admin-token", env("STREAMING_ADMIN_TOKEN", "local-admin-token-change-me"), "admin bearer token (env STREAMING_ADMIN_TOKEN)")
		serviceToken = flag.String("service-token", env("STREAMING_SERVICE_TOKEN", "local-service-token-change-me"), "service bearer token, for ingest (env STREAMING_SERVICE_TOKEN)")
		size         = flag.String("size", "demo", "preset: demo (50 users, 200 titles, 2000 watches, 300 ratings) or bench (100k, 10k, 1M, 100k)")
		users        = flag.Int("users", 0, "users (default: the size's)")
		titles       = flag.Int("titles", 0, "catalog titles (default: the size's)")
		watches      = flag.Int("watches", 0, "distinct (user, title) pairs watched, each 1-4 playback events (default: the size's)")
		ratings      = flag.Int("ratings", 0, "ratings of watched titles (default: the size's)")
		concurrency  = flag.Int("concurrency", 8, "unary calls in flight")
		streams      = flag.Int("streams", 4, "concurrent ingest streams")
		batch        = flag.Int("batch", 500, "playback events per ingest message (at most 1000)")
		seedValue    = flag.Int64("seed", 1, "random seed: the same seed gives the same data")
		namespace    = flag.String("namespace", "", "keep this data set apart from the demo's (emails user1+<ns>@demo.local, plan names, content ids)")
		timeout      = flag.Duration("timeout", 30*time.Second, "deadline of each call")
		manifestPath = flag.String("manifest", ".stack/seed-manifest.json", "where to write what was created (read first: plan ids of an earlier run)")
	)
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags only; see -h)", flag.Arg(0))
	}
	opts, err := seed.Preset(*size)
	if err != nil {
		return err
	}
	flag.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "users":
			opts.Users = *users
		case "titles":
			opts.Titles = *titles
		case "watches":
			opts.Watches = *watches
		case "ratings":
			opts.Ratings = *ratings
		}
	})
	opts.Concurrency, opts.Streams, opts.BatchSize = *concurrency, *streams, *batch
	opts.Seed, opts.Namespace, opts.CallTimeout = *seedValue, *namespace, *timeout
	if _, err := seed.Generate(opts); err != nil { // the options' errors before any connection
		return err
	}

	prev, err := seed.ReadManifest(*manifestPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("%w (delete it, or pass another -manifest)", err)
	default:
		opts.Previous = prev
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	admin, err := client.Dial(dctx, *addr, client.WithToken(*adminToken), client.WithUserAgent("streaming-seed"))
	cancel()
	if err != nil {
		return fmt.Errorf("cannot reach the server at %s: start it with `go tool task run`", *addr)
	}
	defer admin.Close()
	service := admin.WithToken(*serviceToken)

	m, runErr := seed.Run(ctx, admin, service, opts, os.Stderr)
	if m != nil && len(m.Plans) > 0 { // else keep the earlier manifest: its plan ids are still needed
		if err := seed.WriteManifest(*manifestPath, m); err != nil {
			return fmt.Errorf("write manifest: %w", err)
		}
		fmt.Fprintf(os.Stderr, "seed: manifest written to %s\n", *manifestPath)
	}
	if m != nil && (m.Complete || m.Phases[0].Count > 0) {
		printSummary(m)
	}
	return explain(runErr, *addr)
}

func printSummary(m *seed.Manifest) {
	fmt.Printf("%-14s %9s %9s %9s\n", "phase", "count", "seconds", "rate/s")
	for _, p := range m.Phases {
		fmt.Printf("%-14s %9d %9.1f %9.0f\n", p.Name, p.Count, p.Seconds, p.Rate)
	}
	c := m.Counts
	fmt.Printf("users: %d new, %d existing; subscriptions: %d (%d kept an existing one); events: %d; ratings: %d\n",
		c.Users, c.UsersExisting, c.Subscriptions, c.SubscriptionsSkipped, c.Events, c.Ratings)
}

// explain adds what to do about the usual failures.
func explain(err error, addr string) error {
	switch status.Code(err) {
	case codes.OK:
		return err
	case codes.Unavailable:
		return fmt.Errorf("%w (is the server at %s still running? `go tool task run`)", err, addr)
	case codes.Unauthenticated, codes.PermissionDenied:
		return fmt.Errorf("%w (check -admin-token and -service-token, or STREAMING_ADMIN_TOKEN and STREAMING_SERVICE_TOKEN)", err)
	}
	return err
}
