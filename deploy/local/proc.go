package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/streamingplatform/streaming/deploy/local/stackenv"
)

// home is the folder of one server under STACK_HOME: data/, logs/, run/ and, for the JVM servers, lib/ and conf/.
func home(cfg stackenv.Settings, name string) string { return filepath.Join(cfg.Home, name) }

func logsDir(cfg stackenv.Settings, name string) string {
	return filepath.Join(home(cfg, name), "logs")
}

// daemon is a server process started in a session of its own, so it outlives the stack command and can be stopped
// as a whole process group. Its pid file names it; its command line must contain mark, which guards against a
// recycled pid.
type daemon struct {
	pidFile string
	mark    string
	logFile string // stdout and stderr of the process
}

// start launches argv detached from the caller: stdin from /dev/null, output appended to the log file, a new session.
func (d daemon) start(dir string, argv, env []string, cred *syscall.Credential) error {
	for _, p := range []string{filepath.Dir(d.pidFile), filepath.Dir(d.logFile)} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
	}
	out, err := os.OpenFile(d.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	fmt.Fprintf(out, "\n---- %s started by stack: %s\n", time.Now().Format(time.RFC3339), strings.Join(argv, " "))
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: cred}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", argv[0], err)
	}
	go cmd.Wait() // reap it if it dies while we are still waiting for it to answer
	return os.WriteFile(d.pidFile, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644)
}

// pid is the running process named by the pid file, or 0.
func (d daemon) pid() int { return livePID(d.pidFile, d.mark) }

// livePID reads the first line of a pid file and returns that pid if the process is alive (not a zombie) and its
// command line contains mark.
func livePID(pidFile, mark string) int {
	pid := filePID(pidFile)
	if pid == 0 || !alive(pid) {
		return 0
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Contains(cmdline, []byte(mark)) {
		return 0
	}
	return pid
}

// stop sends SIGTERM to the process group and waits up to grace for the main process to exit, then sends SIGKILL.
func (d daemon) stop(grace time.Duration) error {
	pid := d.pid()
	if pid == 0 {
		return nil
	}
	if err := syscall.Kill(-pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal pid %d: %w", pid, err)
	}
	if waitGone(pid, grace) {
		os.Remove(d.pidFile)
		return nil
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	if !waitGone(pid, 10*time.Second) {
		return fmt.Errorf("pid %d survived SIGKILL", pid)
	}
	os.Remove(d.pidFile)
	return fmt.Errorf("did not stop within %s of SIGTERM; killed (see %s)", grace, stackenv.Rel(d.logFile))
}

// filePID is the pid on the first line of a pid file, or 0.
func filePID(pidFile string) int {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// exited is "" while the process runs, else the last lines of its output. It asks only whether the pid this stack
// started moments ago is alive, not whether its command line still carries the mark: a server that rewrites its
// process title (redis does) briefly shows an empty command line, and that is not an exit.
func (d daemon) exited() string {
	if pid := filePID(d.pidFile); pid != 0 && alive(pid) {
		return ""
	}
	return tail(d.logFile, 5)
}

func waitGone(pid int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if !alive(pid) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return !alive(pid)
}

func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	return i > 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}

// tail returns the last n non-empty lines of a file, joined with " | ", for one-line error messages.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "no output (" + err.Error() + ")"
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
			if len(lines) > n {
				lines = lines[1:]
			}
		}
	}
	return strings.Join(lines, " | ") + " (log: " + stackenv.Rel(path) + ")"
}

// portFree fails with a one-line explanation when something else already listens on host:port.
func portFree(host string, port int, variable string) error {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("port %d on %s is already in use by another program: stop it, or choose another port with %s", port, host, variable)
	}
	return l.Close()
}

// treeMemoryKB is the proportional resident memory (PSS) of pid and all its descendants, so shared pages of a
// multi-process server such as PostgreSQL are counted once.
func treeMemoryKB(root int) int64 {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) > 1 {
			ppid, _ := strconv.Atoi(fields[1])
			children[ppid] = append(children[ppid], pid)
		}
	}
	var total int64
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = append(queue[1:], children[pid]...)
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "Pss:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				total += kb
			}
		}
	}
	return total
}
