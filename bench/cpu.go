package main

import (
	"bufio"
	"fmt"
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
	return cpuTimes{self: self, machine: machine, ok: true}
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
	return cpuTimes{self: c.self - b.self, machine: c.machine - b.machine, ok: c.ok && b.ok}
}

func (c cpuTimes) add(d cpuTimes) cpuTimes {
	return cpuTimes{self: c.self + d.self, machine: c.machine + d.machine, ok: c.ok && d.ok}
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
	return fmt.Sprintf("%s: %.0f ms in the bench process + %.0f ms elsewhere (the stores) = %.0f ms, cores %.0f%% busy",
		s.name, per(s.cpu.self), per(s.cpu.machine-s.cpu.self), per(s.cpu.machine),
		100*float64(s.cpu.machine)/(float64(s.elapsed)*float64(runtime.NumCPU())))
}
