package main

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The servers' Maven poms, launchers, JVM options and configuration templates, embedded so the command carries them.
//
//go:embed cassandra neo4j opensearch
var assets embed.FS

// jvmServer is a server run on the JVM from jars that Maven fetches into lib/. Its folder in assets holds:
//   - pom.xml: the dependencies, copied into lib/ by the maven-dependency-plugin;
//   - jvm.options: one JVM flag per line, from the server's own documented option files;
//   - an optional launcher (*.java), compiled into classes/;
//   - any other file: a configuration template rendered into confDir.
//
// Files may use ${NAME} placeholders: LIB, CONF, DATA, LOGS, HOME, HEAP, HOST, PORT and the server's extra vars.
type jvmServer struct {
	name      string // our name for it; also its folder under STACK_HOME
	asset     string // its folder in assets
	mainClass string
	confDir   string // folder under home for rendered templates
	vars      map[string]string
	ports     map[string]int // variable name -> port, all checked free before start
	grace     time.Duration  // how long a clean shutdown may take
	addr      string
	home      string
	d         daemon
	probe     func(ctx context.Context) (string, error)
}

func newJVMServer(name, asset, mainClass, confDir, addr, homeDir string) *jvmServer {
	return &jvmServer{
		name: name, asset: asset, mainClass: mainClass, confDir: confDir, addr: addr, home: homeDir,
		grace: 60 * time.Second,
		d: daemon{
			pidFile: filepath.Join(homeDir, "run", name+".pid"),
			mark:    homeDir,
			logFile: filepath.Join(homeDir, "logs", "console.log"),
		},
	}
}

func (j *jvmServer) Name() string                              { return j.name }
func (j *jvmServer) Addr() string                              { return j.addr }
func (j *jvmServer) DataDir() string                           { return filepath.Join(j.home, "data") }
func (j *jvmServer) PID() int                                  { return j.d.pid() }
func (j *jvmServer) Exited() string                            { return j.d.exited() }
func (j *jvmServer) Stop(ctx context.Context) error            { return j.d.stop(j.grace) }
func (j *jvmServer) Probe(ctx context.Context) (string, error) { return j.probe(ctx) }
func (j *jvmServer) libDir() string                            { return filepath.Join(j.home, "lib") }
func (j *jvmServer) classesDir() string                        { return filepath.Join(j.home, "classes") }
func (j *jvmServer) asset1(name string) ([]byte, error)        { return assets.ReadFile(j.asset + "/" + name) }
func (j *jvmServer) logPath(name string) string                { return filepath.Join(j.home, "logs", name) }

// Install fetches the jars (once per pom content) and compiles the launcher (once per source and jars).
func (j *jvmServer) Install(ctx context.Context) error {
	tools, err := findJava(ctx)
	if err != nil {
		return err
	}
	pom, err := j.asset1("pom.xml")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(j.home, "logs"), 0o755); err != nil {
		return err
	}
	stamp := digest(pom)
	if !stamped(j.libDir(), stamp) {
		if tools.mvn == "" {
			return errors.New("mvn not found: install Maven (`apt-get install -y maven`) to fetch the servers' jars from Maven Central")
		}
		fmt.Fprintf(os.Stderr, "stack: %s: fetching jars with Maven (first run only; cached in ~/.m2)\n", j.name)
		if err := os.RemoveAll(j.libDir()); err != nil {
			return err
		}
		pomPath := filepath.Join(j.home, "pom.xml")
		if err := os.WriteFile(pomPath, pom, 0o644); err != nil {
			return err
		}
		log := j.logPath("mvn.log")
		cmd := exec.CommandContext(ctx, tools.mvn, "-B", "-f", pomPath, "dependency:copy-dependencies",
			"-DincludeScope=runtime", "-DoutputDirectory="+j.libDir())
		out, err := cmd.CombinedOutput()
		os.WriteFile(log, out, 0o644)
		if err != nil {
			return fmt.Errorf("fetching jars from Maven Central failed: %s (full log: %s)", mavenError(out), log)
		}
		if err := stamp1(j.libDir(), stamp); err != nil {
			return err
		}
	}
	launchers, _ := fs.Glob(assets, j.asset+"/*.java")
	for _, l := range launchers {
		src, err := assets.ReadFile(l)
		if err != nil {
			return err
		}
		stamp := digest(src, []byte(stamp))
		if stamped(j.classesDir(), stamp) {
			continue
		}
		os.RemoveAll(j.classesDir())
		srcPath := filepath.Join(j.home, filepath.Base(l))
		if err := os.WriteFile(srcPath, src, 0o644); err != nil {
			return err
		}
		out, err := exec.CommandContext(ctx, tools.javac, "-cp", filepath.Join(j.libDir(), "*"), "-d", j.classesDir(), srcPath).CombinedOutput()
		if err != nil {
			return fmt.Errorf("compiling %s failed: %s", filepath.Base(l), lastLine(string(out)))
		}
		if err := stamp1(j.classesDir(), stamp); err != nil {
			return err
		}
	}
	return nil
}

func (j *jvmServer) Start(ctx context.Context) error {
	tools, err := findJava(ctx)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(j.ports))
	for v := range j.ports {
		names = append(names, v)
	}
	slices.Sort(names)
	for _, v := range names {
		if err := portFree(j.vars["HOST"], j.ports[v], v); err != nil {
			return err
		}
	}
	vars := j.templateVars()
	for _, d := range []string{vars["CONF"], vars["DATA"], vars["LOGS"]} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	entries, err := assets.ReadDir(j.asset)
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if n == "pom.xml" || n == "jvm.options" || strings.HasSuffix(n, ".java") || n == "README.md" {
			continue
		}
		text, err := j.asset1(n)
		if err != nil {
			return err
		}
		rendered, err := expand(string(text), vars)
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		if err := os.WriteFile(filepath.Join(vars["CONF"], n), []byte(rendered), 0o644); err != nil {
			return err
		}
	}
	opts, err := j.asset1("jvm.options")
	if err != nil {
		return err
	}
	argv := []string{tools.java}
	for _, line := range strings.Split(string(opts), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		flag, err := expand(line, vars)
		if err != nil {
			return fmt.Errorf("jvm.options: %w", err)
		}
		argv = append(argv, flag)
	}
	cp := filepath.Join(j.libDir(), "*")
	if _, err := os.Stat(j.classesDir()); err == nil {
		cp += string(os.PathListSeparator) + j.classesDir()
	}
	argv = append(argv, "-cp", cp, j.mainClass)
	return j.d.start(j.home, argv, nil, nil)
}

// templateVars are the values of the ${NAME} placeholders in this server's files.
func (j *jvmServer) templateVars() map[string]string {
	vars := map[string]string{
		"LIB": j.libDir(), "CONF": filepath.Join(j.home, j.confDir), "DATA": j.DataDir(),
		"LOGS": filepath.Join(j.home, "logs"), "HOME": j.home,
	}
	for k, v := range j.vars {
		vars[k] = v
	}
	return vars
}

var placeholder = regexp.MustCompile(`\$\{([A-Z_]+)\}`)

// expand replaces ${NAME} placeholders (upper case only, so ${cassandra.logdir} and the like pass through to the
// server) and fails on an unknown one rather than starting a server with a hole in its configuration.
func expand(s string, vars map[string]string) (string, error) {
	var missing []string
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		v, ok := vars[name]
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("unknown placeholders %v", missing)
	}
	return out, nil
}

func digest(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// stamped reports whether dir was completed for this content; a folder without its stamp is an interrupted run.
func stamped(dir, stamp string) bool {
	b, err := os.ReadFile(filepath.Join(dir, ".complete"))
	return err == nil && strings.TrimSpace(string(b)) == stamp
}

func stamp1(dir, stamp string) error {
	return os.WriteFile(filepath.Join(dir, ".complete"), []byte(stamp+"\n"), 0o644)
}

// mavenError picks the first [ERROR] line of Maven's output, the one that names the missing artifact or network error.
func mavenError(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "[ERROR]") {
			return strings.TrimSpace(strings.TrimPrefix(line, "[ERROR]"))
		}
	}
	return lastLine(string(out))
}
