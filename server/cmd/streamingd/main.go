// Command streamingd is the platform's server: gRPC on one port, the REST gateway, OpenAPI, metrics and health on
// another. It migrates the database, serves until SIGINT/SIGTERM, then drains in-flight calls.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/streamingplatform/streaming/server/config"
	"github.com/streamingplatform/streaming/server/wiring"
)

func main() {
	cfg, err := config.Load(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "streamingd: configuration:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.MigrateOnly {
		if err := wiring.Migrate(ctx, cfg); err != nil {
			log.Error("migration failed", "err", err)
			os.Exit(1)
		}
		log.Info("migrations applied")
		return
	}
	if cfg.RepairRatings {
		differed, err := wiring.RepairRatings(ctx, cfg, os.Stdout)
		if err != nil {
			log.Error("rating repair failed", "err", err)
			os.Exit(1)
		}
		log.Info("rating aggregates recounted", "differed", differed, "fixed", cfg.RepairRatingsFix)
		if differed > 0 && !cfg.RepairRatingsFix {
			os.Exit(1) // a stored aggregate was wrong: that is a bug worth an alert, even before it is fixed
		}
		return
	}
	if len(cfg.Rebuild) > 0 {
		if err := wiring.Rebuild(ctx, cfg, os.Stdout, log); err != nil {
			log.Error("rebuild failed; running it again is safe", "err", err)
			os.Exit(1)
		}
		return
	}
	if cfg.ReplayDerived > 0 {
		since := time.Now().Add(-cfg.ReplayDerived)
		n, err := wiring.ReplayDerived(ctx, cfg, since, log)
		if err != nil {
			log.Error("derived playback updates not replayed", "since", since, "viewings_read", n, "err", err)
			os.Exit(1)
		}
		fmt.Printf("replayed %d viewings since %s\n", n, since.UTC().Format(time.RFC3339))
		return
	}
	built, err := wiring.Build(ctx, cfg, log)
	if err != nil {
		log.Error("start-up failed", "err", err)
		os.Exit(1)
	}
	defer built.Close()
	if err := built.Server.Run(ctx); err != nil {
		log.Error("streamingd stopped", "err", err)
		os.Exit(1)
	}
}
