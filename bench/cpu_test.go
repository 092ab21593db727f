package main

import (
	"runtime"
	"testing"
	"time"

	"github.com/streamingplatform/streaming/server/storetest"
)

// The CPU accounting reads this process's and the machine's CPU time, and both grow while this process works.
func TestReadCPUCountsWork(t *testing.T) {
	if runtime.GOOS != "linux" {
		storetest.Missing(t, "the CPU accounting reads /proc: run it on Linux (CI does)")
	}
	before := readCPU()
	if !before.ok {
		t.Fatal("readCPU: not ok on Linux")
	}
	for start := time.Now(); time.Since(start) < 200*time.Millisecond; {
	}
	d := readCPU().sub(before)
	if !d.ok || d.self < 100*time.Millisecond || d.machine < d.self-20*time.Millisecond {
		t.Errorf("after 200 ms of spinning: self %v, machine %v", d.self, d.machine)
	}
	s := &side{name: "x", events: 1000, elapsed: 200 * time.Millisecond, cpu: d}
	if got := cpuPer(s); got == "x: not measured" {
		t.Errorf("cpuPer = %q", got)
	}
}
