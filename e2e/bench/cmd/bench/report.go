package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/arendevy/arendevy/e2e/bench/clientbytes"
	"github.com/arendevy/arendevy/e2e/bench/faults"
	"github.com/arendevy/arendevy/e2e/bench/load"
	"github.com/arendevy/arendevy/e2e/bench/memstat"
)

// Results is everything one run measured; it is written as JSON.
type Results struct {
	Machine Machine `json:"machine"`
	Command string  `json:"command"`
	Seconds float64 `json:"seconds"` // how long the whole run took
	// LoadAfter is the load average when the run ended (see Machine.LoadAverage).
	LoadAfter string            `json:"loadAverageAfter"`
	Go        *GoSection        `json:"go,omitempty"`
	Load      *LoadSection      `json:"load,omitempty"`
	Memory    *MemorySection    `json:"memory,omitempty"`
	Faults    *FaultsSection    `json:"faults,omitempty"`
	Bytes     *BytesSection     `json:"bytes,omitempty"`
	Browser   *BrowserSection   `json:"browser,omitempty"`
	Phone     *PhoneSection     `json:"lighthouse,omitempty"`
	Targets   []Target          `json:"targets"`
	Errors    map[string]string `json:"errors,omitempty"` // section → why it has no figures
}

// Target is one goal and whether this run met it. A miss is a finding,
// not a failure of the run.
type Target struct {
	Section  string `json:"section"`
	What     string `json:"what"`
	Goal     string `json:"goal"`
	Measured string `json:"measured"`
	Pass     bool   `json:"pass"`
}

func (r *Results) target(section, what, goal, measured string, pass bool) {
	r.Targets = append(r.Targets, Target{Section: section, What: what, Goal: goal, Measured: measured, Pass: pass})
}

// Millis is a latency summary in milliseconds, for people and JSON alike.
type Millis struct {
	Min  float64 `json:"min"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

func millis(l load.Latency) Millis {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return Millis{Min: ms(l.Min), Mean: ms(l.Mean), P50: ms(l.P50), P95: ms(l.P95), P99: ms(l.P99), Max: ms(l.Max)}
}

// Figure is one Go benchmark's cost per operation.
type Figure struct {
	NsPerOp     float64 `json:"nsPerOp"`
	BytesPerOp  float64 `json:"bytesPerOp"`
	AllocsPerOp float64 `json:"allocsPerOp"`
}

// GoSize is every in-process figure for one overview size.
type GoSize struct {
	Cases     int     `json:"cases"`
	API       Figure  `json:"api"`       // GET overview, default query: assembly + JSON
	APIQuery  Figure  `json:"apiQuery"`  // GET overview sorted by title, filtered
	Assembly  Figure  `json:"assembly"`  // fan-out, validation, filter, sort, links
	SortTitle Figure  `json:"sortTitle"` // Swedish collation
	SortDate  Figure  `json:"sortDate"`
	Filter    Figure  `json:"filter"`
	Encode    Figure  `json:"encode"` // the kit's JSON encoder on the same overview
	Floor     Figure  `json:"floor"`  // encoding/json of the same overview by reflection, nothing else
	Ratio     float64 `json:"ratio"`  // API / Floor
}

// GoSection is the in-process benchmarks of package kit.
type GoSection struct {
	Benchtime string   `json:"benchtime"`
	Count     int      `json:"count"`
	Sizes     []GoSize `json:"sizes"`
}

// LoadSection is the end-to-end throughput run.
type LoadSection struct {
	Cases     int     `json:"cases"`
	Clients   int     `json:"clients"`
	Seconds   float64 `json:"seconds"`
	Requests  int     `json:"requests"`
	Failures  int     `json:"failures"`
	PerSecond float64 `json:"perSecond"`
	Latency   Millis  `json:"latencyMs"`
	// ServerCores is the CPU the server process used, in cores, on
	// average: the load generator shares the machine.
	ServerCores float64 `json:"serverCores"`
	// ServerCPUPerRequest is the server's CPU time per request, µs.
	ServerCPUPerRequest float64  `json:"serverCpuPerRequestUs"`
	FailureSamples      []string `json:"failureSamples,omitempty"`
	ResponseBytes       int      `json:"responseBytes"` // identity
	ResponseGzipBytes   int      `json:"responseGzipBytes"`
	ResponseBrotliBytes int      `json:"responseBrotliBytes"`
}

// Sample is one reading of the server during a load.
type Sample struct {
	At    float64       `json:"at"` // seconds into the soak
	Stats memstat.Stats `json:"stats"`
}

// MemorySection is the steady-load soak.
type MemorySection struct {
	Seconds   float64         `json:"seconds"`
	Clients   int             `json:"clients"`
	Requests  int             `json:"requests"`
	Failures  int             `json:"failures"`
	PerSecond float64         `json:"perSecond"`
	Latency   Millis          `json:"latencyMs"`
	Fresh     memstat.Stats   `json:"fresh"`  // the new process, before any request
	Before    memstat.Stats   `json:"before"` // after warm-up and the throughput run, after GC: the baseline
	Peak      memstat.Stats   `json:"peak"`   // the highest of each figure during the soak
	After     memstat.Stats   `json:"after"`  // after the soak, connections closed, after GC
	Verdict   memstat.Verdict `json:"verdict"`
	Samples   []Sample        `json:"samples"`
}

// FaultsSection is the resilience run.
type FaultsSection struct {
	Producers      []faults.Behaviour `json:"producers"`
	DeadlineMs     float64            `json:"deadlineMs"`
	SlowMs         float64            `json:"slowMs"`
	Clients        int                `json:"clients"`
	Seconds        float64            `json:"seconds"`
	Requests       int                `json:"requests"`
	Failures       int                `json:"failures"`
	PerSecond      float64            `json:"perSecond"`
	Latency        Millis             `json:"latencyMs"`
	Counts         faults.Counts      `json:"counts"`
	FailureSamples []string           `json:"failureSamples,omitempty"`
}

// PeerWeight is a peer set beside the element.
type PeerWeight struct {
	clientbytes.Set
	Ratio float64 `json:"ratio"` // the peer's gzip bytes / the element's
}

// BytesSection is the client's download.
type BytesSection struct {
	Budget    int             `json:"budget"`
	Element   clientbytes.Set `json:"element"`
	Peers     []PeerWeight    `json:"peers,omitempty"`
	PeerError string          `json:"peerError,omitempty"`
}

// report writes the results as Markdown: the tables docs/performance.md shows.
func report(w io.Writer, r *Results) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("# arendevy bench\n\nMachine: %s. Whole run: %.0f s.\n\n", r.Machine, r.Seconds)
	if r.Machine.LoadAverage != "" {
		p("Load average (1, 5, 15 min) at the start %s, at the end %s: the machine's other work shares its %d cores with the run.\n\n",
			r.Machine.LoadAverage, r.LoadAfter, r.Machine.Cores)
	}

	if g := r.Go; g != nil {
		p("## Server, in process (go test -bench, median of %d × %s)\n\n", g.Count, g.Benchtime)
		p("| per overview | %s |\n|---|%s\n", joinSizes(g.Sizes, func(s GoSize) string { return fmt.Sprintf("%d cases", s.Cases) }),
			strings.Repeat("---:|", len(g.Sizes)))
		row := func(name string, f func(GoSize) Figure) {
			p("| %s | %s |\n", name, joinSizes(g.Sizes, func(s GoSize) string { return figure(f(s)) }))
		}
		row("GET overview, default order (assembly + JSON)", func(s GoSize) Figure { return s.API })
		row("GET overview, by title, open, text filter", func(s GoSize) Figure { return s.APIQuery })
		row("assembly (fan-out of 10, validation, filter, sort, links)", func(s GoSize) Figure { return s.Assembly })
		row("sort by title (Swedish collation)", func(s GoSize) Figure { return s.SortTitle })
		row("sort by date", func(s GoSize) Figure { return s.SortDate })
		row("filter (open, text)", func(s GoSize) Figure { return s.Filter })
		row("JSON: the kit's encoder", func(s GoSize) Figure { return s.Encode })
		row("floor: encoding/json of the same overview (reflection)", func(s GoSize) Figure { return s.Floor })
		p("| GET overview ÷ floor | %s |\n\n", joinSizes(g.Sizes, func(s GoSize) string { return fmt.Sprintf("%.1f×", s.Ratio) }))
	}
	if l := r.Load; l != nil {
		p("## End to end over loopback (%d cases, %d clients, %.0f s, logged-in session, server in its own process)\n\n", l.Cases, l.Clients, l.Seconds)
		p("| requests | failures | requests/s | p50 | p95 | p99 | max | server CPU | server CPU per request | answer: identity · gzip · br |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		p("| %d | %d | %.0f | %s | %s | %s | %s | %.2f cores | %.0f µs | %s · %s · %s |\n\n", l.Requests, l.Failures, l.PerSecond,
			ms(l.Latency.P50), ms(l.Latency.P95), ms(l.Latency.P99), ms(l.Latency.Max), l.ServerCores, l.ServerCPUPerRequest,
			size(float64(l.ResponseBytes)), size(float64(l.ResponseGzipBytes)), size(float64(l.ResponseBrotliBytes)))
	}
	if m := r.Memory; m != nil {
		p("## Memory under a %.0f-s steady load (%d clients, %d requests, %.0f/s, p99 %s)\n\n", m.Seconds, m.Clients, m.Requests, m.PerSecond, ms(m.Latency.P99))
		p("| | live heap | heap in use | heap objects | RSS | goroutines |\n|---|---:|---:|---:|---:|---:|\n")
		for _, s := range []struct {
			name string
			st   memstat.Stats
		}{{"fresh process", m.Fresh}, {"before (after warm-up, GC)", m.Before}, {"during (peak)", m.Peak}, {"after (GC)", m.After}} {
			p("| %s | %s | %s | %d | %s | %d |\n", s.name, size(float64(s.st.HeapAlloc)), size(float64(s.st.HeapInuse)), s.st.HeapObjects,
				size(float64(s.st.RSS)), s.st.Goroutines)
		}
		p("\nVerdict: %s (live heap %+d bytes, goroutines %+d).\n\n", m.Verdict.Reason, m.Verdict.HeapGrowth, m.Verdict.GoroutineGrowth)
	}
	if f := r.Faults; f != nil {
		p("## Resilience: %d producers behind the fan-out, deadline %s\n\n", len(f.Producers), ms(f.DeadlineMs))
		p("Producers: %s (slow = answers after %s). %d clients for %.0f s.\n\n", behaviours(f.Producers), ms(f.SlowMs), f.Clients, f.Seconds)
		p("| answers | every healthy producer's cases | every failure reported | p50 | p95 | p99 | max |\n|---:|---:|---:|---:|---:|---:|---:|\n")
		p("| %d | %d | %d | %s | %s | %s | %s |\n\n", f.Counts.Responses, f.Counts.HealthyShown, f.Counts.FailuresReported,
			ms(f.Latency.P50), ms(f.Latency.P95), ms(f.Latency.P99), ms(f.Latency.Max))
	}
	if b := r.Bytes; b != nil {
		p("## Client bytes (minified, gzip -9)\n\n| set | files | minified | gzip -9 | ÷ the element |\n|---|---|---:|---:|---:|\n")
		p("| %s | %s | %d | %d | 1.0× |\n", b.Element.Name, files(b.Element), b.Element.Raw, b.Element.Gzip)
		for _, peer := range b.Peers {
			p("| %s | %s | %d | %d | %.1f× |\n", peer.Name, files(peer.Set), peer.Raw, peer.Gzip, peer.Ratio)
		}
		if b.PeerError != "" {
			p("\nPeers not measured: %s\n", b.PeerError)
		}
		p("\n")
	}
	if br := r.Browser; br != nil {
		reportBrowser(w, br)
	}
	if ph := r.Phone; ph != nil {
		reportPhone(w, ph)
	}
	p("## Targets\n\n| | what | goal | measured | |\n|---|---|---|---|---|\n")
	for _, t := range r.Targets {
		verdict := "PASS"
		if !t.Pass {
			verdict = "MISS"
		}
		p("| %s | %s | %s | %s | %s |\n", t.Section, t.What, t.Goal, t.Measured, verdict)
	}
	for _, section := range slices.Sorted(maps.Keys(r.Errors)) {
		p("\n**%s: not measured.** %s\n", section, r.Errors[section])
	}
}

func joinSizes(sizes []GoSize, f func(GoSize) string) string {
	parts := make([]string, len(sizes))
	for i, s := range sizes {
		parts[i] = f(s)
	}
	return strings.Join(parts, " | ")
}

func figure(f Figure) string {
	return fmt.Sprintf("%s · %s · %.0f allocs", ns(f.NsPerOp), size(f.BytesPerOp), f.AllocsPerOp)
}

// ns formats nanoseconds in the unit that suits them.
func ns(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1f µs", v/1e3)
	default:
		return fmt.Sprintf("%.0f ns", v)
	}
}

// ms formats milliseconds.
func ms(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	default:
		return fmt.Sprintf("%.2f ms", v)
	}
}

// size formats bytes in decimal units.
func size(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1f MB", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1f kB", v/1e3)
	default:
		return fmt.Sprintf("%.0f B", v)
	}
}

func files(s clientbytes.Set) string {
	names := make([]string, len(s.Files))
	for i, f := range s.Files {
		names[i] = f.Name
	}
	return strings.Join(names, " + ")
}

func behaviours(bs []faults.Behaviour) string {
	count := map[faults.Behaviour]int{}
	var order []faults.Behaviour
	for _, b := range bs {
		if count[b] == 0 {
			order = append(order, b)
		}
		count[b]++
	}
	parts := make([]string, len(order))
	for i, b := range order {
		parts[i] = fmt.Sprintf("%d %s", count[b], b)
	}
	return strings.Join(parts, ", ")
}
