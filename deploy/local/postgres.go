package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
)

// postgres is PostgreSQL from the Debian package, run with initdb/pg_ctl on a cluster of our own under STACK_HOME
// (not the package's system cluster). As root it runs as the postgres user, which the server requires.
type postgres struct {
	cfg  stackenv.Settings
	home string
	bin  string              // folder of initdb, pg_ctl, postgres
	cred *syscall.Credential // nil unless we are root

	started time.Time
}

func newPostgres(cfg stackenv.Settings) *postgres {
	return &postgres{cfg: cfg, home: home(cfg, "postgres")}
}

func (p *postgres) Name() string    { return "postgres" }
func (p *postgres) Addr() string    { return p.cfg.PostgresAddr() }
func (p *postgres) DataDir() string { return filepath.Join(p.home, "data") }
func (p *postgres) sockDir() string { return filepath.Join(p.home, "run") }
func (p *postgres) logFile() string { return filepath.Join(p.home, "logs", "postgres.log") }

func (p *postgres) Install(ctx context.Context) error {
	if p.findBin() == "" {
		if err := aptInstall(ctx, filepath.Join(p.home, "logs", "apt.log"), "postgresql"); err != nil {
			return err
		}
		if p.findBin() == "" {
			return errors.New("the postgresql package is installed but no /usr/lib/postgresql/*/bin/postgres was found")
		}
	}
	if err := p.resolveUser(); err != nil {
		return err
	}
	if p.cred != nil {
		if err := reachable(p.home); err != nil {
			return err
		}
	}
	for _, d := range []string{p.home, p.DataDir(), p.sockDir(), filepath.Dir(p.logFile())} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
		if p.cred != nil {
			if err := os.Chown(d, int(p.cred.Uid), int(p.cred.Gid)); err != nil {
				return err
			}
		}
	}
	if err := os.Chmod(p.DataDir(), 0o700); err != nil { // initdb and postgres insist on it
		return err
	}
	if _, err := os.Stat(filepath.Join(p.DataDir(), "PG_VERSION")); err == nil {
		return nil
	}
	initdb := []string{filepath.Join(p.bin, "initdb"), "-D", p.DataDir(), "-U", "postgres", "-E", "UTF8", "--locale=C",
		"--auth-local=trust", "--auth-host=scram-sha-256"}
	if out, err := p.command(ctx, initdb...).CombinedOutput(); err != nil {
		return fmt.Errorf("initdb failed: %v: %s", err, lastLine(string(out)))
	}
	// Our settings live in stack.conf, rewritten at every start; postgresql.conf only includes it.
	f, err := os.OpenFile(filepath.Join(p.DataDir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString("\ninclude_if_exists = 'stack.conf'\n")
	return err
}

// resolveUser sets the credentials of the postgres user when we are root: PostgreSQL refuses to run as root.
func (p *postgres) resolveUser() error {
	if os.Geteuid() != 0 || p.cred != nil {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return errors.New("running as root but there is no postgres user to run the server as (it comes with the postgresql package)")
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	p.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	return nil
}

// findBin picks the newest installed major version.
func (p *postgres) findBin() string {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	slices.SortFunc(matches, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(a))))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(b))))
		return va - vb
	})
	if len(matches) == 0 {
		return ""
	}
	p.bin = filepath.Dir(matches[len(matches)-1])
	return p.bin
}

// command runs a PostgreSQL tool as the user the server runs as.
func (p *postgres) command(ctx context.Context, argv ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = p.home
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	return cmd
}

func (p *postgres) Start(ctx context.Context) error {
	if err := portFree(p.cfg.Host, p.cfg.PostgresPort, "STACK_POSTGRES_PORT"); err != nil {
		return err
	}
	conf := fmt.Sprintf(`# Written by the stack command at every start; edit STACK_* variables instead.
listen_addresses = '%s'
port = %d
unix_socket_directories = '%s'
max_connections = 200
shared_buffers = 256MB
work_mem = 8MB
`, p.cfg.Host, p.cfg.PostgresPort, strings.ReplaceAll(p.sockDir(), "'", "''"))
	if p.cfg.TLS {
		// The server reads its key only if the server's user owns it and nobody else can: copies in its data folder.
		for _, f := range []struct{ from, to string }{{serverCertFile, "stack-server.crt"}, {serverKeyFile, "stack-server.key"}} {
			b, err := os.ReadFile(filepath.Join(p.cfg.TLSDir(), f.from))
			if err != nil {
				return err
			}
			to := filepath.Join(p.DataDir(), f.to)
			if err := os.WriteFile(to, b, 0o600); err != nil {
				return err
			}
			if p.cred != nil {
				if err := os.Chown(to, int(p.cred.Uid), int(p.cred.Gid)); err != nil {
					return err
				}
			}
		}
		conf += "ssl = on\nssl_cert_file = 'stack-server.crt'\nssl_key_file = 'stack-server.key'\n"
	}
	confPath := filepath.Join(p.DataDir(), "stack.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return err
	}
	if p.cred != nil {
		if err := os.Chown(confPath, int(p.cred.Uid), int(p.cred.Gid)); err != nil {
			return err
		}
	}
	// pg_ctl detaches the server (its own session, output to the log file) and returns without waiting (-W):
	// readiness is judged by a real query.
	p.started = time.Now()
	cmd := p.command(ctx, filepath.Join(p.bin, "pg_ctl"), "-D", p.DataDir(), "-l", p.logFile(), "-W", "start")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl start failed: %v: %s", err, lastLine(string(out)))
	}
	return nil
}

func (p *postgres) PID() int {
	return livePID(filepath.Join(p.DataDir(), "postmaster.pid"), p.DataDir())
}

func (p *postgres) Exited() string {
	// pg_ctl returns before the server has written postmaster.pid: give it a moment before judging.
	if p.PID() != 0 || time.Since(p.started) < 5*time.Second {
		return ""
	}
	return tail(p.logFile(), 5)
}

func (p *postgres) Stop(ctx context.Context) error {
	if p.findBin() == "" {
		return errors.New("no PostgreSQL installation found to run pg_ctl stop")
	}
	if err := p.resolveUser(); err != nil {
		return err
	}
	cmd := p.command(ctx, filepath.Join(p.bin, "pg_ctl"), "-D", p.DataDir(), "-m", "fast", "-t", "60", "-w", "stop")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl stop failed: %v: %s", err, lastLine(string(out)))
	}
	return nil
}

// Probe connects as the platform's role over TCP and asks for the server version. On the first start the role and
// database do not exist yet: they are created through the local socket as the superuser, then the probe retries.
func (p *postgres) Probe(ctx context.Context) (string, error) {
	v, err := p.platformVersion(ctx)
	if err == nil {
		return v, nil
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || (pgErr.Code != "28P01" && pgErr.Code != "28000" && pgErr.Code != "3D000") {
		return "", err
	}
	if err := p.bootstrap(ctx); err != nil {
		return "", fmt.Errorf("create role and database: %w", err)
	}
	return p.platformVersion(ctx)
}

func (p *postgres) platformVersion(ctx context.Context) (string, error) {
	conn, err := pgx.Connect(ctx, p.cfg.PostgresURL())
	if err != nil {
		return "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var v string
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version')").Scan(&v); err != nil {
		return "", err
	}
	v, _, _ = strings.Cut(v, " ")
	return "PostgreSQL " + v, nil
}

// bootstrap creates (or realigns) the platform's role and database. Names and passwords cannot be bind parameters
// in DDL, so they are quoted as an identifier and a literal.
func (p *postgres) bootstrap(ctx context.Context) error {
	cc, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres", p.sockDir(), p.cfg.PostgresPort))
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	role := pgx.Identifier{p.cfg.PostgresUser}.Sanitize()
	password := "'" + strings.ReplaceAll(p.cfg.PostgresPassword, "'", "''") + "'"
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", p.cfg.PostgresUser).Scan(&exists); err != nil {
		return err
	}
	verb := "CREATE"
	if exists {
		verb = "ALTER"
	}
	if _, err := conn.Exec(ctx, verb+" ROLE "+role+" LOGIN PASSWORD "+password); err != nil {
		return err
	}
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", p.cfg.PostgresDB).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{p.cfg.PostgresDB}.Sanitize()+" OWNER "+role); err != nil {
			return err
		}
	}
	return nil
}

// reachable checks that the postgres user can walk down to dir: every existing ancestor must be searchable by others
// (or owned by postgres), otherwise the server cannot open its data folder.
func reachable(dir string) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if st, err := os.Stat(d); err == nil && st.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("the postgres user cannot reach %s (no search permission on %s): run `chmod o+x %s` or set STACK_HOME to a folder outside it", dir, d, d)
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
