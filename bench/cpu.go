package main

import (
	"bufio"
	"fmt"
	"maps"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuTimes is CPU time spent so far by this process (server, client and raw writers alike: the bench runs them
// in-process) and by the whole machine (the stores included), read from getrusage and /proc/stat. ok is false where
// either cannot be read; the figures are then left out of the conditions.
type cpuTimes struct {
	self, machine time.Duration
	stores        map[string]time.Duration // per store, its processes' CPU (storeCPU)
	ok            bool
}

func readCPU() cpuTimes {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuTimes{}
	}
	self := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	machine, err := machineBusy()
	if err != nil {
		return cpuTimes{}
	}
	return cpuTimes{self: self, machine: machine, stores: storeCPU(), ok: true}
}

// storeNames tell the local stack's store processes by a word of their command line.
var storeNames = []struct{ store, word string }{
	{"Cassandra", "CassandraDaemon"}, {"search", "OpenSearch"}, {"Neo4j", "Neo4j"}, {"Redis", "redis-server"},
	{"PostgreSQL", "postgres"},
}

// storeCPU is the CPU time the stores' processes on this machine have spent (user and system, from
// /proc/<pid>/stat), per store: which store's work a side's rounds cost. Processes that cannot be read are left out.
func storeCPU() map[string]time.Duration {
	out := map[string]time.Duration{}
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, d := range dirs {
		pid := d.Name()
		if pid[0] < '0' || pid[0] > '9' {
			continue
		}
		cmd, err := os.ReadFile("/proc/" + pid + "/cmdline")
		if err != nil {
			continue
		}
		store := ""
		for _, n := range storeNames {
			if strings.Contains(string(cmd), n.word) {
				store = n.store
				break
			}
		}
		if store == "" {
			continue
		}
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			continue
		}
		// The fields after the command's closing parenthesis: state is the first, utime and stime the 12th and 13th.
		rest := string(stat)
		if i := strings.LastIndexByte(rest, ')'); i >= 0 {
			rest = rest[i+1:]
		}
		f := strings.Fields(rest)
		if len(f) < 13 {
			continue
		}
		u, err1 := strconv.ParseInt(f[11], 10, 64)
		st, err2 := strconv.ParseInt(f[12], 10, 64)
		if err1 == nil && err2 == nil {
			out[store] += time.Duration(u+st) * 10 * time.Millisecond
		}
	}
	return out
}

// machineBusy is the CPU time every core spent not idle since boot: the first line of /proc/stat, all fields but
// idle and iowait (guest time is counted in user already), in USER_HZ ticks of 10 ms (Linux's fixed value for
// /proc/stat).
func machineBusy() (time.Duration, error) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, fmt.Errorf("/proc/stat: empty")
	}
	fields := strings.Fields(sc.Text())
	if len(fields) < 8 || fields[0] != "cpu" {
		return 0, fmt.Errorf("/proc/stat: unexpected first line %q", sc.Text())
	}
	var busy int64
	for i, v := range fields[1:8] { // user nice system idle iowait irq softirq
		if i == 3 || i == 4 {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat: %w", err)
		}
		busy += n
	}
	if len(fields) > 8 { // steal
		if n, err := strconv.ParseInt(fields[8], 10, 64); err == nil {
			busy += n
		}
	}
	return time.Duration(busy) * 10 * time.Millisecond, nil
}

// sub is the CPU spent between b and c.
func (c cpuTimes) sub(b cpuTimes) cpuTimes {
	stores := map[string]time.Duration{}
	for k, v := range c.stores {
		stores[k] = v - b.stores[k]
	}
	return cpuTimes{self: c.self - b.self, machine: c.machine - b.machine, stores: stores, ok: c.ok && b.ok}
}

func (c cpuTimes) add(d cpuTimes) cpuTimes {
	stores := maps.Clone(c.stores)
	if stores == nil {
		stores = map[string]time.Duration{}
	}
	for k, v := range d.stores {
		stores[k] += v
	}
	return cpuTimes{self: c.self + d.self, machine: c.machine + d.machine, stores: stores, ok: c.ok && d.ok}
}

// cpuPer describes s's CPU per thousand events (in this process, in the rest of the machine: the stores, and in
// all) and how busy the machine's cores were during its rounds.
func cpuPer(s *side) string {
	if !s.cpu.ok || s.events == 0 || s.elapsed <= 0 {
		return s.name + ": not measured"
	}
	per := func(d time.Duration) float64 {
		return float64(d) / float64(time.Millisecond) * 1000 / float64(s.events)
	}
	var stores []string
	for _, n := range storeNames {
		if d, ok := s.cpu.stores[n.store]; ok && per(d) >= 0.5 {
			stores = append(stores, fmt.Sprintf("%s %.0f", n.store, per(d)))
		}
	}
	return fmt.Sprintf("%s: %.0f ms in the bench process + %.0f ms elsewhere (%s) = %.0f ms, cores %.0f%% busy",
		s.name, per(s.cpu.self), per(s.cpu.machine-s.cpu.self), strings.Join(stores, ", "), per(s.cpu.machine),
		100*float64(s.cpu.machine)/(float64(s.elapsed)*float64(runtime.NumCPU())))
}
