package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
)

// redis is redis-server from the Debian package, started with its settings on the command line.
type redis struct {
	cfg  stackenv.Settings
	home string
	d    daemon
}

func newRedis(cfg stackenv.Settings) *redis {
	h := home(cfg, "redis")
	return &redis{cfg: cfg, home: h, d: daemon{
		pidFile: filepath.Join(h, "run", "redis.pid"),
		mark:    "redis-server", // redis rewrites its command line to "redis-server host:port"
		logFile: filepath.Join(h, "logs", "console.log"),
	}}
}

func (r *redis) Name() string    { return "redis" }
func (r *redis) Addr() string    { return r.cfg.RedisAddr() }
func (r *redis) DataDir() string { return filepath.Join(r.home, "data") }
func (r *redis) PID() int        { return r.d.pid() }
func (r *redis) Exited() string  { return r.d.exited() }

func (r *redis) Install(ctx context.Context) error {
	if _, err := exec.LookPath("redis-server"); err == nil {
		return nil
	}
	return aptInstall(ctx, filepath.Join(r.home, "logs", "apt.log"), "redis-server")
}

func (r *redis) Start(ctx context.Context) error {
	if err := portFree(r.cfg.Host, r.cfg.RedisPort, "STACK_REDIS_PORT"); err != nil {
		return err
	}
	if err := os.MkdirAll(r.DataDir(), 0o755); err != nil {
		return err
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return err
	}
	port := []string{"--port", strconv.Itoa(r.cfg.RedisPort)}
	if r.cfg.TLS {
		// TLS only (the plaintext port off), and passwords: the platform's ACL user, and one for the default user.
		tls := r.cfg.TLSDir()
		port = []string{"--port", "0", "--tls-port", strconv.Itoa(r.cfg.RedisPort),
			"--tls-cert-file", filepath.Join(tls, serverCertFile), "--tls-key-file", filepath.Join(tls, serverKeyFile),
			"--tls-ca-cert-file", r.cfg.CAFile(), "--tls-auth-clients", "no",
			"--user", r.cfg.RedisUser, "on", ">" + r.cfg.RedisPassword, "~*", "&*", "+@all",
			"--requirepass", r.cfg.RedisPassword}
	}
	argv := append([]string{bin,
		"--bind", r.cfg.Host}, port...)
	argv = append(argv,
		"--dir", r.DataDir(),
		"--daemonize", "no",
		// No --logfile: redis logs to stdout, into the console log, so a failed start shows its reason.
		// Sessions and counters survive a restart through snapshots; caches are rebuilt anyway.
		"--save", "300 10 60 10000",
		"--appendonly", "no",
		"--maxmemory", r.cfg.RedisMaxMemory,
		// Only keys with a TTL (caches, sessions past their use) are evicted; counters are never dropped silently.
		"--maxmemory-policy", "volatile-lru",
	)
	return r.d.start(r.home, argv, nil, nil)
}

func (r *redis) Stop(ctx context.Context) error { return r.d.stop(30 * time.Second) }

// Probe writes and reads a key through rueidis (RESP3), then reads the server version.
func (r *redis) Probe(ctx context.Context) (string, error) {
	opt := rueidis.ClientOption{
		InitAddress:       []string{r.Addr()},
		DisableCache:      true,
		DisableRetry:      true,
		ConnWriteTimeout:  2 * time.Second,
		Dialer:            dialer(),
		BlockingPoolSize:  1,
		PipelineMultiplex: -1,
	}
	if r.cfg.TLS {
		tc, err := stackTLS(r.cfg)
		if err != nil {
			return "", err
		}
		opt.TLSConfig, opt.Username, opt.Password = tc, r.cfg.RedisUser, r.cfg.RedisPassword
	}
	c, err := rueidis.NewClient(opt)
	if err != nil {
		return "", err
	}
	defer c.Close()
	info, err := c.Do(ctx, c.B().Info().Section("server").Build()).ToString()
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
			return "Redis " + v, nil
		}
	}
	return "", fmt.Errorf("no redis_version in INFO server")
}
