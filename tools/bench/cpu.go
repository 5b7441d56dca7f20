package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuSample is the CPU time used so far: by the whole machine (every
// process, the database server's backends included: the busy fields of
// /proc/stat) and by this process (getrusage). Zero fields where the
// system does not tell.
type cpuSample struct {
	machine, self time.Duration
}

// clockTicks is USER_HZ, the unit of /proc/stat (100 on Linux).
const clockTicks = 100

func sampleCPU() cpuSample {
	var s cpuSample
	if raw, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(raw), "\n")
		f := strings.Fields(line)
		// cpu user nice system idle iowait irq softirq steal ...
		if len(f) > 8 && f[0] == "cpu" {
			var busy int64
			for i, v := range f[1:9] {
				if i == 3 || i == 4 { // idle, iowait
					continue
				}
				n, _ := strconv.ParseInt(v, 10, 64)
				busy += n
			}
			s.machine = time.Duration(busy) * time.Second / clockTicks
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return s
}

func (a cpuSample) sub(b cpuSample) cpuSample {
	return cpuSample{machine: a.machine - b.machine, self: a.self - b.self}
}
