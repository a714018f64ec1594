// Command bench measures arendevy's performance and resilience and says
// which targets it met, on the machine it names. `make bench` runs it.
//
//	go run ./e2e/bench/cmd/bench [flags]
//
// It prints Markdown tables (the ones docs/performance.md shows) and writes
// every figure as JSON to bench-results.json at the repository root:
//
//   - go: the in-process benchmarks of package kit (go test -bench) for
//     10, 100 and 1,000 cases, and the raw encoding/json floor;
//   - load: GET /arendevy/api/overview over loopback with a logged-in
//     session, the server in a process of its own (this program, run as
//     `bench serve`);
//   - memory: heap, RSS and goroutines before, during and after a steady load;
//   - faults: ten hub-like producers behind the fan-out, five of them faulty;
//   - bytes: the element's download beside peer component sets from npm;
//   - browser: the element's timings in headless Chromium;
//   - lighthouse: the reference portal's logged-in overview as a phone gets
//     it (Lighthouse's mobile profile, from npm), and the element's upgrade
//     of server-rendered cases on a 4× slowed CPU.
//
// A missed target is reported as MISS, never as a failure: these are
// benchmarks. The exit status is non-zero only when a section could not be
// measured at all.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Sections, in the order they run.
var sections = []string{"bytes", "go", "load", "faults", "browser", "lighthouse"}

// options are the flags.
type options struct {
	root           string
	out            string
	only           []string
	goCmd          string
	benchtime      string
	count          int
	cases          int
	clients        int
	duration       time.Duration
	warmup         time.Duration
	soak           time.Duration
	faultsClients  int
	faultsDuration time.Duration
	deadline       time.Duration
	peers          string
	browserRuns    int
	chromium       string
	cpuprofile     string
	lighthouseDir  string
	lighthouseRuns int
	lighthouseOut  string
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "serve" {
		return serve(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	only := fs.String("only", strings.Join(sections, ","), "sections to run, comma-separated: "+strings.Join(sections, ", ")+" (load includes memory)")
	fs.StringVar(&o.out, "out", "bench-results.json", "where to write the JSON results, relative to the repository root")
	fs.StringVar(&o.goCmd, "go", "go", "the go command for the in-process benchmarks")
	fs.StringVar(&o.benchtime, "benchtime", "1s", "go test -benchtime")
	fs.IntVar(&o.count, "count", 3, "go test -count (the median is reported)")
	fs.IntVar(&o.cases, "cases", 100, "cases in the end-to-end overview")
	fs.IntVar(&o.clients, "clients", 50, "concurrent clients of the end-to-end and memory runs")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "length of the end-to-end run")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "load before the measured runs (not measured)")
	fs.DurationVar(&o.soak, "soak", 2*time.Minute, "length of the steady load for the memory figures; 0 skips them")
	fs.IntVar(&o.faultsClients, "faults-clients", 50, "concurrent clients of the resilience run")
	fs.DurationVar(&o.faultsDuration, "faults-duration", 20*time.Second, "length of the resilience run")
	fs.DurationVar(&o.deadline, "deadline", 0, "the overview's deadline in the resilience run; 0: the kit's default (3 s)")
	fs.StringVar(&o.peers, "peers", "e2e/bench/peers", "directory of the peer component sets (npm ci installs them), relative to the repository root")
	fs.IntVar(&o.browserRuns, "browser-runs", 10, "runs of each browser measurement (the median is reported)")
	fs.StringVar(&o.chromium, "chromium", "", "Chromium to drive; default /usr/bin/chromium")
	fs.StringVar(&o.lighthouseDir, "lighthouse-dir", "e2e/bench/lighthouse", "directory of Lighthouse (npm ci installs it), relative to the repository root")
	fs.IntVar(&o.lighthouseRuns, "lighthouse-runs", 5, "Lighthouse runs of the overview, and runs of the element's upgrade (the median is reported)")
	fs.StringVar(&o.lighthouseOut, "lighthouse-out", "bench-lighthouse.json", "where to write the last Lighthouse run's own JSON report, relative to the repository root; empty: nowhere")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the load section's server process, start to stop, to this file (for go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bench: unexpected arguments %q\n", fs.Args())
		return 2
	}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !slices.Contains(sections, s) {
			fmt.Fprintf(stderr, "bench: unknown section %q (have %s)\n", s, strings.Join(sections, ", "))
			return 2
		}
		o.only = append(o.only, s)
	}
	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	o.root = root

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	r := &Results{Machine: describeMachine(start), Command: "bench " + strings.Join(args, " "), Errors: map[string]string{}}
	fmt.Fprintf(stderr, "bench: %s\n", r.Machine)
	steps := map[string]func(context.Context, options, *Results) error{
		"bytes": measureBytes, "go": measureGo, "load": measureLoad, "faults": measureFaults, "browser": measureBrowser,
		"lighthouse": measureLighthouse,
	}
	for _, s := range sections {
		if !slices.Contains(o.only, s) || ctx.Err() != nil {
			continue
		}
		began := time.Now()
		fmt.Fprintf(stderr, "bench: %s …\n", s)
		if err := steps[s](ctx, o, r); err != nil {
			r.Errors[s] = err.Error()
			fmt.Fprintf(stderr, "bench: %s: %v\n", s, err)
		}
		fmt.Fprintf(stderr, "bench: %s done in %.0f s\n", s, time.Since(began).Seconds())
	}
	r.Seconds = time.Since(start).Seconds()
	r.LoadAfter = loadAverage()
	if len(r.Errors) == 0 {
		r.Errors = nil
	}
	report(stdout, r)

	out := o.out
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err == nil {
		err = os.WriteFile(out, append(b, '\n'), 0o644)
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench: writing the results:", err)
		return 1
	}
	fmt.Fprintf(stderr, "bench: results in %s\n", out)
	if ctx.Err() != nil || r.Errors != nil {
		return 1
	}
	return 0
}

// repoRoot walks up from the working directory to the module's go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(b), "module github.com/arendevy/arendevy\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the arendevy repository (no go.mod of github.com/arendevy/arendevy above here)")
		}
		dir = parent
	}
}
