package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
)

// redis is node i (from 1) of redis-server from the Debian package, started with its settings on the command line:
// the only node, or with STACK_REDIS_NODES=6 one node of a Redis Cluster (formRedisCluster).
type redis struct {
	cfg  stackenv.Settings
	name string
	host string
	home string
	d    daemon
}

// redisName is the stack's name of Redis node i (from 1): redis, redis2, redis3, ...
func redisName(i int) string {
	if i == 1 {
		return "redis"
	}
	return "redis" + strconv.Itoa(i)
}

func newRedis(cfg stackenv.Settings, i int) *redis {
	name := redisName(i)
	h := home(cfg, name)
	return &redis{cfg: cfg, name: name, host: cfg.NodeHost(i), home: h, d: daemon{
		pidFile: filepath.Join(h, "run", name+".pid"),
		mark:    "redis-server", // redis rewrites its command line to "redis-server host:port"
		logFile: filepath.Join(h, "logs", "console.log"),
	}}
}

func (r *redis) Name() string    { return r.name }
func (r *redis) Addr() string    { return net.JoinHostPort(r.host, strconv.Itoa(r.cfg.RedisPort)) }
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
	if err := portFree(r.host, r.cfg.RedisPort, "STACK_REDIS_PORT"); err != nil {
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
		"--bind", r.host}, port...)
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
	if r.cfg.RedisNodes > 1 {
		argv = append(argv,
			"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf", // in --dir: a restarted node rejoins with its identity
			// Its own address, told to the others: they would otherwise take the source address of its cluster bus
			// connections, 127.0.0.1 on loopback whichever 127/8 address the node binds to.
			"--cluster-announce-ip", r.host,
			// A master silent for 2 s is failed over to its replica (the default 15 s is for real networks).
			"--cluster-node-timeout", "2000",
			// The other masters keep serving their slots while one shard fails over.
			"--cluster-require-full-coverage", "no",
		)
	}
	return r.d.start(r.home, argv, nil, nil)
}

func (r *redis) Stop(ctx context.Context) error { return r.d.stop(30 * time.Second) }

// Probe reads the server version through rueidis (RESP3), from this node alone.
func (r *redis) Probe(ctx context.Context) (string, error) {
	c, err := redisNodeClient(r.cfg, r.Addr())
	if err != nil {
		return "", err
	}
	defer c.Close()
	info, err := c.Do(ctx, c.B().Info().Section("server").Build()).ToString()
	if err != nil {
		return "", err
	}
	if v, ok := infoField(info, "redis_version"); ok {
		return "Redis " + v, nil
	}
	return "", fmt.Errorf("no redis_version in INFO server")
}

// infoField is a field of an INFO or CLUSTER INFO answer (a RESP3 verbatim string: "txt:" comes first).
func infoField(info, name string) (string, bool) {
	for _, line := range strings.Split(strings.TrimPrefix(info, "txt:"), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v, true
		}
	}
	return "", false
}

// redisNodeClient talks to one node only, a cluster's or not.
func redisNodeClient(cfg stackenv.Settings, addr string) (rueidis.Client, error) {
	opt := rueidis.ClientOption{
		InitAddress:       []string{addr},
		ForceSingleClient: true,
		DisableCache:      true,
		DisableRetry:      true,
		ConnWriteTimeout:  2 * time.Second,
		Dialer:            dialer(),
		BlockingPoolSize:  1,
		PipelineMultiplex: -1,
	}
	if cfg.TLS {
		tc, err := stackTLS(cfg)
		if err != nil {
			return nil, err
		}
		opt.TLSConfig, opt.Username, opt.Password = tc, cfg.RedisUser, cfg.RedisPassword
	}
	return rueidis.NewClient(opt)
}

// formRedisCluster makes the stack's Redis nodes one Redis Cluster of three masters with a replica each, the first
// time all of them run (redis-cli --cluster create, from the Debian package), then waits until every running node
// says the cluster is ok. Nodes that already belong to it (a node started again after a stop or a crash rejoins
// from its nodes.conf) are only waited for.
func formRedisCluster(ctx context.Context, cfg stackenv.Settings) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	clusterInfo := func(addr string) (string, error) {
		c, err := redisNodeClient(cfg, addr)
		if err != nil {
			return "", err
		}
		defer c.Close()
		return c.Do(ctx, c.B().ClusterInfo().Build()).ToString()
	}
	addrs := cfg.RedisAddrs()
	formed := false
	for _, a := range addrs {
		info, err := clusterInfo(a)
		if err != nil {
			continue // not running: it joins when started
		}
		if n, _ := infoField(info, "cluster_known_nodes"); n != "1" {
			formed = true
		}
	}
	if !formed {
		for i, a := range addrs {
			if _, err := clusterInfo(a); err != nil {
				return fmt.Errorf("forming the cluster needs all %d nodes running; %s (%s) does not answer: %w", len(addrs), redisName(i+1), a, err)
			}
		}
		args := append([]string{"--cluster", "create"}, addrs...)
		args = append(args, "--cluster-replicas", "1", "--cluster-yes")
		if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("redis-cli --cluster create: %w\n%s", err, out)
		}
	}
	for _, a := range addrs {
		for {
			info, err := clusterInfo(a)
			if err != nil && !formed {
				return err
			}
			if state, _ := infoField(info, "cluster_state"); err != nil || state == "ok" {
				break // a node that does not run is not waited for
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s: the cluster is not ok within a minute: %s", a, strings.TrimSpace(info))
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}
