// Package memstat reads what a server process holds — heap, goroutines,
// resident memory, CPU time — serves it to the benchmark orchestrator over
// loopback, and judges whether a process came back to its baseline after
// a load.
package memstat

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Stats is one reading of a process.
type Stats struct {
	HeapAlloc   uint64        `json:"heapAlloc"`   // bytes of heap objects (after a GC when asked: live ones)
	HeapInuse   uint64        `json:"heapInuse"`   // bytes in in-use heap spans
	HeapObjects uint64        `json:"heapObjects"` // number of heap objects
	Sys         uint64        `json:"sys"`         // bytes the Go runtime got from the OS
	NumGC       uint32        `json:"numGC"`       // completed GC cycles
	Goroutines  int           `json:"goroutines"`  //
	RSS         uint64        `json:"rss"`         // resident set size; 0 where /proc does not tell
	CPU         time.Duration `json:"cpu"`         // user + system CPU time so far
}

// Read reads the calling process. With gc it first collects twice, so
// that the heap figures are live objects only (the second cycle also
// empties what sync.Pools kept through the first).
func Read(gc bool) Stats {
	if gc {
		runtime.GC()
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s := Stats{
		HeapAlloc: m.HeapAlloc, HeapInuse: m.HeapInuse, HeapObjects: m.HeapObjects,
		Sys: m.Sys, NumGC: m.NumGC, Goroutines: runtime.NumGoroutine(),
	}
	if f, err := os.Open("/proc/self/status"); err == nil {
		s.RSS = rss(f)
		_ = f.Close()
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return s
}

// rss finds VmRSS in a /proc/<pid>/status document; 0 when it is not there.
func rss(r io.Reader) uint64 {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil || kb > 1<<40 {
			return 0
		}
		return kb << 10
	}
	return 0
}

// Handler serves Read as JSON; ?gc=1 collects first.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(Read(r.URL.Query().Get("gc") == "1"))
	})
}

// ErrFetch is returned when a server's stats cannot be had.
var ErrFetch = errors.New("memstat: fetch")

// Fetch reads a server's stats from its Handler at url.
func Fetch(ctx context.Context, client *http.Client, url string, gc bool) (Stats, error) {
	if gc {
		url += "?gc=1"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Stats{}, fmt.Errorf("%w: %w", ErrFetch, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Stats{}, fmt.Errorf("%w: %w", ErrFetch, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Stats{}, fmt.Errorf("%w: status %d", ErrFetch, resp.StatusCode)
	}
	var s Stats
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&s); err != nil {
		return Stats{}, fmt.Errorf("%w: %w", ErrFetch, err)
	}
	return s, nil
}

// HeapSlack is how much the live heap may exceed its baseline after a load
// and still count as back: the larger of 1 MiB and 10 % of the baseline.
// Caches that fill once (collation tables, the HTTP server's buffers) are
// not leaks; a leak grows with the number of requests and passes this.
func HeapSlack(baseline uint64) uint64 { return max(1<<20, baseline/10) }

// Verdict says whether a process came back to its baseline.
type Verdict struct {
	HeapGrowth      int64  `json:"heapGrowth"`      // live heap after minus before, bytes
	GoroutineGrowth int    `json:"goroutineGrowth"` // goroutines after minus before
	Leak            bool   `json:"leak"`
	Reason          string `json:"reason"` // why, in words
}

// Judge compares readings taken after a GC before and after a load.
func Judge(before, after Stats) Verdict {
	v := Verdict{
		HeapGrowth:      int64(after.HeapAlloc) - int64(before.HeapAlloc),
		GoroutineGrowth: after.Goroutines - before.Goroutines,
	}
	var reasons []string
	if after.HeapAlloc > before.HeapAlloc+HeapSlack(before.HeapAlloc) {
		reasons = append(reasons, fmt.Sprintf("live heap grew by %d bytes, more than the %d allowed", v.HeapGrowth, HeapSlack(before.HeapAlloc)))
	}
	if v.GoroutineGrowth > 0 {
		reasons = append(reasons, fmt.Sprintf("%d goroutines more than before", v.GoroutineGrowth))
	}
	if len(reasons) > 0 {
		v.Leak, v.Reason = true, strings.Join(reasons, "; ")
		return v
	}
	v.Reason = "heap and goroutines back to baseline"
	return v
}
