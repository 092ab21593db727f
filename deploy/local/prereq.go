package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// aptInstall installs Debian packages when the command is missing. It needs root and apt-get; otherwise it says
// what to install by hand.
func aptInstall(ctx context.Context, logFile string, pkgs ...string) error {
	if _, err := exec.LookPath("apt-get"); err != nil || os.Geteuid() != 0 {
		return fmt.Errorf("missing Debian packages %v and cannot install them here (need root and apt-get): run `sudo apt-get install -y %s`", pkgs, strings.Join(pkgs, " "))
	}
	if err := os.MkdirAll(filepath.Dir(logFile), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	runApt := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = out, out
		return cmd.Run()
	}
	install := append([]string{"install", "-y", "-q", "--no-install-recommends"}, pkgs...)
	if runApt(install...) == nil {
		return nil
	}
	// A fresh machine has empty package lists: refresh once and retry.
	if err := runApt("update", "-q"); err != nil {
		return fmt.Errorf("apt-get update failed (see %s): is a Debian mirror reachable?", logFile)
	}
	if err := runApt(install...); err != nil {
		return fmt.Errorf("apt-get install %s failed (see %s)", strings.Join(pkgs, " "), logFile)
	}
	return nil
}

// javaTools are the JDK commands the JVM servers need, found once per run.
type javaTools struct {
	java, javac, mvn string
}

var (
	javaOnce  sync.Once
	javaFound javaTools
	javaErr   error
)

var javaVersion = regexp.MustCompile(`version "(\d+)`)

// findJava locates java and javac (JAVA_HOME first, then PATH), requires Java 17, and locates Maven.
func findJava(ctx context.Context) (javaTools, error) {
	javaOnce.Do(func() { javaFound, javaErr = lookJava(ctx) })
	return javaFound, javaErr
}

func lookJava(ctx context.Context) (javaTools, error) {
	var t javaTools
	look := func(name string) string {
		if jh := os.Getenv("JAVA_HOME"); jh != "" {
			p := filepath.Join(jh, "bin", name)
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
		p, _ := exec.LookPath(name)
		return p
	}
	if t.java = look("java"); t.java == "" {
		return t, errors.New("java not found: install a JDK 17 (`apt-get install -y openjdk-17-jdk-headless`) or set JAVA_HOME")
	}
	if t.javac = look("javac"); t.javac == "" {
		return t, fmt.Errorf("javac not found beside %s: install a full JDK 17, not only a JRE (`apt-get install -y openjdk-17-jdk-headless`)", t.java)
	}
	out, err := exec.CommandContext(ctx, t.java, "-version").CombinedOutput()
	if err != nil {
		return t, fmt.Errorf("%s -version failed: %v", t.java, err)
	}
	m := javaVersion.FindSubmatch(out)
	if m == nil {
		return t, fmt.Errorf("cannot read the Java version from `%s -version`", t.java)
	}
	// Cassandra 5.0 supports Java 11 and 17, Neo4j 5.26 17 and 21, OpenSearch 2.19 17+: 17 is the one they share.
	if v, _ := strconv.Atoi(string(m[1])); v != 17 {
		return t, fmt.Errorf("%s is Java %d; the stack needs Java 17 (Cassandra 5.0 runs on 11 and 17 only): set JAVA_HOME to a JDK 17", t.java, v)
	}
	t.mvn, _ = exec.LookPath("mvn") // needed only when jars must be fetched; checked there
	return t, nil
}
