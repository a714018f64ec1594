package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Machine names what the figures were measured on.
type Machine struct {
	CPU       string    `json:"cpu"`
	Cores     int       `json:"cores"`
	Memory    uint64    `json:"memoryBytes"`
	Go        string    `json:"go"`
	OS        string    `json:"os"`
	Kernel    string    `json:"kernel"`
	Date      time.Time `json:"date"`
	GoMaxProc int       `json:"gomaxprocs"`
	// LoadAverage is the 1-, 5- and 15-minute load average when the run
	// began: above 0 means other work shared the cores.
	LoadAverage string `json:"loadAverage"`
}

func describeMachine(now time.Time) Machine {
	m := Machine{
		CPU: "unknown CPU", Cores: runtime.NumCPU(), GoMaxProc: runtime.GOMAXPROCS(0),
		Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH, OS: runtime.GOOS, Date: now.UTC(),
	}
	if v := fileValue("/proc/cpuinfo", "model name", ':'); v != "" {
		m.CPU = v
	}
	if v := fileValue("/proc/meminfo", "MemTotal", ':'); v != "" {
		if kb, err := strconv.ParseUint(strings.TrimSuffix(v, " kB"), 10, 64); err == nil {
			m.Memory = kb << 10
		}
	}
	if v := fileValue("/etc/os-release", "PRETTY_NAME", '='); v != "" {
		m.OS = strings.Trim(v, `"`)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	m.LoadAverage = loadAverage()
	return m
}

// loadAverage is the first three figures of /proc/loadavg, or "".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// String is the machine in one line, for the head of the table.
func (m Machine) String() string {
	s := fmt.Sprintf("%s, %d cores, %.1f GiB, %s, %s", m.CPU, m.Cores, float64(m.Memory)/(1<<30), m.Go, m.OS)
	if m.Kernel != "" {
		s += " (Linux " + m.Kernel + ")"
	}
	return s + ", " + m.Date.Format("2006-01-02 15:04 MST")
}

// fileValue returns the value of the first "key<sep>value" line of a file.
func fileValue(path, key string, sep byte) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	return lineValue(f, key, sep)
}

func lineValue(r io.Reader, key string, sep byte) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), string(sep))
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
