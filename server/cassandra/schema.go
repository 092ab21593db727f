package cassandra

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gocql/gocql"
)

// The schema step. Every numbered step is applied once and recorded in schema_migrations; each of its statements is
// idempotent on its own (IF NOT EXISTS), so a step interrupted half-way (crash, timeout) is simply run again. Steps
// are append-only: never edit one that has shipped, add the next number.
//
// Table options that come from Config (default_time_to_live) are not part of a step: syncTableOptions brings them
// in line at every Open, issuing an ALTER only when they differ.

// migration is one numbered step. Its statements may contain one %d, replaced by default_time_to_live.
type migration struct {
	version int
	stmts   []string
}

var migrations = []migration{
	{version: 1, stmts: []string{
		// One partition per (user, title): every write of an ingest group is a single-partition batch, and a title's
		// history is one slice read, newest first. TWCS with 7-day windows: rows are immutable and arrive roughly in
		// time order, so each week's SSTables are compacted together once and then left alone, and whole windows are
		// dropped when their TTL has passed (docs/cassandra.md).
		`CREATE TABLE IF NOT EXISTS playback_events (
			user_id uuid,
			content_id uuid,
			ts timestamp,
			event_id uuid,
			played_seconds int,
			position_seconds int,
			device text,
			quality text,
			completed boolean,
			PRIMARY KEY ((user_id, content_id), ts, event_id)
		) WITH CLUSTERING ORDER BY (ts DESC, event_id ASC)
			AND compaction = {'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'DAYS', 'compaction_window_size': 7}
			AND default_time_to_live = %d`,
		// One partition per user, one row per title started: a small, overwrite-heavy, read-latency-sensitive table,
		// which is what leveled compaction is for (a read touches about one SSTable per level).
		`CREATE TABLE IF NOT EXISTS continue_watching (
			user_id uuid,
			content_id uuid,
			position_seconds int,
			updated_at timestamp,
			PRIMARY KEY ((user_id), content_id)
		) WITH compaction = {'class': 'LeveledCompactionStrategy'}
			AND default_time_to_live = %d`,
	}},
	{version: 2, stmts: []string{
		// Whether the newest event of the title said it was finished: a home screen hides finished titles (or
		// offers them again from the start).
		`ALTER TABLE continue_watching ADD IF NOT EXISTS completed boolean`,
	}},
	{version: 3, stmts: []string{
		// Every title the user has playback events of, for a user erasure (erase.go): playback_events is partitioned
		// by (user, title), and continue_watching can lose a title whose events live on (see WritePartition). The
		// TTL comes with each write (titleTTLSeconds), so default_time_to_live stays 0 and is not in ttlTables.
		// Size-tiered (the default): overwritten on every write group like continue_watching, but read only by an
		// erasure, so leveled compaction's cheap reads would cost write amplification for nothing.
		`CREATE TABLE IF NOT EXISTS user_titles (
			user_id uuid,
			content_id uuid,
			PRIMARY KEY ((user_id), content_id)
		)`,
	}},
}

// SchemaVersion is the version of the newest schema step.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

// ttlTables are the tables whose default_time_to_live follows Config.TTL.
var ttlTables = []string{"playback_events", "continue_watching"}

// createKeyspace creates the keyspace through a session that has none (a session cannot USE a keyspace that does not
// exist yet). An existing keyspace keeps its replication: changing it needs ALTER KEYSPACE and a repair, an operator's
// decision, not a side effect of starting a server.
func createKeyspace(ctx context.Context, cfg Config) error {
	c := newCluster(cfg, "")
	c.NumConns = 1
	c.PoolConfig.HostSelectionPolicy = gocql.RoundRobinHostPolicy()
	s, err := createSession(ctx, c)
	if err != nil {
		return err
	}
	defer s.Close()
	stmt := fmt.Sprintf("CREATE KEYSPACE IF NOT EXISTS %s WITH replication = %s AND durable_writes = true",
		cfg.Keyspace, cfg.Replication.cql())
	if err := s.Query(stmt).WithContext(ctx).Exec(); err != nil {
		return fmt.Errorf("cassandra: create keyspace %s: %w", cfg.Keyspace, mapErr(err))
	}
	if err := s.AwaitSchemaAgreement(ctx); err != nil {
		return fmt.Errorf("cassandra: schema agreement after creating keyspace %s: %w", cfg.Keyspace, mapErr(err))
	}
	return nil
}

// Migrate runs the schema step: it applies the steps not yet recorded in schema_migrations, then brings the tables'
// default_time_to_live in line with Config.TTL. On a migrated keyspace it reads two small system tables and writes
// nothing. Open calls it; calling it again is a no-op.
//
// Later runs only read, so any number of instances may start at once. The very first run should come from one
// instance: Cassandra 5.0 can end up with two ids for one table when two coordinators create it at the same moment
// (unless use_deterministic_table_id is on), see docs/cassandra.md.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.session.Query(`CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, applied_at timestamp)`).
		WithContext(ctx).Exec(); err != nil {
		return fmt.Errorf("cassandra: create schema_migrations: %w", mapErr(err))
	}
	if err := s.session.AwaitSchemaAgreement(ctx); err != nil {
		return fmt.Errorf("cassandra: schema agreement: %w", mapErr(err))
	}
	applied := map[int]bool{}
	iter := s.session.Query(`SELECT version FROM schema_migrations`).WithContext(ctx).Iter()
	var v int
	for iter.Scan(&v) {
		applied[v] = true
	}
	if err := iter.Close(); err != nil {
		return fmt.Errorf("cassandra: read schema_migrations: %w", mapErr(err))
	}
	ttl := s.cfg.ttlSeconds()
	for _, m := range migrations {
		if applied[m.version] {
			continue
		}
		for _, stmt := range m.stmts {
			if strings.Contains(stmt, "%d") {
				stmt = fmt.Sprintf(stmt, ttl)
			}
			if err := s.session.Query(stmt).WithContext(ctx).Exec(); err != nil {
				return fmt.Errorf("cassandra: schema step %d: %w", m.version, mapErr(err))
			}
		}
		// Every node must know the new tables before the step counts as done and statements are prepared on them.
		if err := s.session.AwaitSchemaAgreement(ctx); err != nil {
			return fmt.Errorf("cassandra: schema agreement after step %d: %w", m.version, mapErr(err))
		}
		if err := s.session.Query(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			m.version, time.Now()).WithContext(ctx).Exec(); err != nil {
			return fmt.Errorf("cassandra: record schema step %d: %w", m.version, mapErr(err))
		}
	}
	return s.syncTableOptions(ctx)
}

// syncTableOptions sets default_time_to_live on the tables whose value differs from Config.TTL.
func (s *Store) syncTableOptions(ctx context.Context) error {
	want := s.cfg.ttlSeconds()
	altered := false
	for _, table := range ttlTables {
		var got int
		err := s.session.Query(`SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?`,
			s.cfg.Keyspace, table).WithContext(ctx).Scan(&got)
		if err != nil {
			return fmt.Errorf("cassandra: read options of %s: %w", table, mapErr(err))
		}
		if got == want {
			continue
		}
		if err := s.session.Query(fmt.Sprintf(`ALTER TABLE %s WITH default_time_to_live = %d`, table, want)).
			WithContext(ctx).Exec(); err != nil {
			return fmt.Errorf("cassandra: set default_time_to_live of %s: %w", table, mapErr(err))
		}
		altered = true
	}
	if altered {
		if err := s.session.AwaitSchemaAgreement(ctx); err != nil {
			return fmt.Errorf("cassandra: schema agreement: %w", mapErr(err))
		}
	}
	return nil
}
