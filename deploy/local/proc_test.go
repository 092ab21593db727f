package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A server that rewrites its process title (redis does) shows, for a moment, a command line without the mark. While
// its pid is alive that is not an exit; once it is gone, exited reports its last output.
func TestExitedAsksOnlyWhetherThePidLives(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatalf("no sleep command (coreutils): %v", err)
	}
	dir := t.TempDir()
	d := daemon{
		pidFile: filepath.Join(dir, "run", "s.pid"),
		mark:    "not-on-the-command-line",
		logFile: filepath.Join(dir, "logs", "console.log"),
	}
	if err := d.start(dir, []string{sleep, "30"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	pid := filePID(d.pidFile)
	t.Cleanup(func() { syscall.Kill(-pid, syscall.SIGKILL) })
	if got := d.pid(); got != 0 {
		t.Errorf("pid() = %d for a process without the mark, want 0", got)
	}
	if why := d.exited(); why != "" {
		t.Fatalf("exited() = %q while pid %d runs", why, pid)
	}
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for d.exited() == "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if why := d.exited(); !strings.Contains(why, "started by stack") {
		t.Fatalf("exited() = %q after the kill, want the console log's last lines", why)
	}
}
