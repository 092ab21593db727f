package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations are built into the binary, so a deployed server migrates without files beside it.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Migrate brings the schema up to date. It is safe to run from several replicas at once: goose holds a PostgreSQL
// session advisory lock while it migrates, and the others wait for it and then find nothing to do.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	// Poll for the lock every second for up to five minutes (goose's default polls every five seconds).
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return err
	}
	// goose speaks database/sql; this *sql.DB borrows connections from pool, and closing it leaves pool open.
	db := stdlib.OpenDBFromPool(pool)
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true), // only the embedded SQL files, no Go migrations registered elsewhere
	)
	if err != nil {
		db.Close()
		return fmt.Errorf("postgres migrations: %w", err)
	}
	defer p.Close() // closes db
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres migrations: %w", err)
	}
	return nil
}
