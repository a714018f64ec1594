// Package gobench runs Go benchmarks with `go test -bench` and reads their
// results from the standard benchmark output format.
package gobench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// Result is one benchmark's figures. When a benchmark ran several times
// (-count) they are the medians of its runs.
type Result struct {
	Name        string  `json:"name"`  // without the -GOMAXPROCS suffix: "BenchmarkSort/cases=10/by=title"
	Procs       int     `json:"procs"` // GOMAXPROCS it ran with
	Runs        int     `json:"runs"`  // how many times it ran (-count)
	N           int64   `json:"n"`     // iterations of the median run
	NsPerOp     float64 `json:"nsPerOp"`
	BytesPerOp  float64 `json:"bytesPerOp"`
	AllocsPerOp float64 `json:"allocsPerOp"`
}

// ErrFormat is returned for output that is not benchmark output.
var ErrFormat = errors.New("gobench: not benchmark output")

// Parse reads `go test -bench -benchmem` output. Lines that are not results
// (goos:, PASS, ok …) are skipped; a result line that cannot be read is an
// error. Runs of the same benchmark are combined into medians, in the order
// the benchmarks first appeared.
func Parse(r io.Reader) ([]Result, error) {
	runs := map[string][]Result{}
	var order []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if !strings.HasPrefix(text, "Benchmark") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) == 1 {
			continue // a benchmark's name alone: its sub-benchmarks follow
		}
		res, err := parseLine(fields)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrFormat, line, err)
		}
		if _, seen := runs[res.Name]; !seen {
			order = append(order, res.Name)
		}
		runs[res.Name] = append(runs[res.Name], res)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	out := make([]Result, 0, len(order))
	for _, name := range order {
		out = append(out, median(runs[name]))
	}
	return out, nil
}

// parseLine reads "BenchmarkX/sub-2  1000  1234 ns/op  56 B/op  7 allocs/op".
func parseLine(fields []string) (Result, error) {
	if len(fields) < 4 || len(fields)%2 != 0 {
		return Result{}, errors.New("want a name, an iteration count and value/unit pairs")
	}
	r := Result{Name: fields[0], Procs: 1, Runs: 1}
	if i := strings.LastIndexByte(r.Name, '-'); i > 0 {
		if p, err := strconv.Atoi(r.Name[i+1:]); err == nil && p > 0 {
			r.Name, r.Procs = r.Name[:i], p
		}
	}
	n, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil || n <= 0 {
		return Result{}, fmt.Errorf("iterations %q", fields[1])
	}
	r.N = n
	seen := false
	for i := 2; i < len(fields); i += 2 {
		v, err := strconv.ParseFloat(fields[i], 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return Result{}, fmt.Errorf("value %q", fields[i])
		}
		switch fields[i+1] {
		case "ns/op":
			r.NsPerOp, seen = v, true
		case "B/op":
			r.BytesPerOp = v
		case "allocs/op":
			r.AllocsPerOp = v
		}
	}
	if !seen {
		return Result{}, errors.New("no ns/op")
	}
	return r, nil
}

// median combines runs of one benchmark: each figure is its own median.
func median(rs []Result) Result {
	pick := func(f func(Result) float64) float64 {
		vs := make([]float64, len(rs))
		for i, r := range rs {
			vs[i] = f(r)
		}
		slices.Sort(vs)
		if len(vs)%2 == 1 {
			return vs[len(vs)/2]
		}
		return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
	}
	out := rs[0]
	out.Runs = len(rs)
	out.NsPerOp = pick(func(r Result) float64 { return r.NsPerOp })
	out.BytesPerOp = pick(func(r Result) float64 { return r.BytesPerOp })
	out.AllocsPerOp = pick(func(r Result) float64 { return r.AllocsPerOp })
	out.N = int64(pick(func(r Result) float64 { return float64(r.N) }))
	return out
}

// Run runs `go test -run ^$ -bench pattern -benchmem` in dir for pkgs and
// parses what it prints. benchtime and count are passed on when set.
func Run(ctx context.Context, goCmd, dir, pattern, benchtime string, count int, pkgs ...string) ([]Result, error) {
	args := []string{"test", "-run", "^$", "-bench", pattern, "-benchmem"}
	if benchtime != "" {
		args = append(args, "-benchtime", benchtime)
	}
	if count > 0 {
		args = append(args, "-count", strconv.Itoa(count))
	}
	cmd := exec.CommandContext(ctx, goCmd, append(args, pkgs...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("gobench: go %s: %w\n%s%s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	res, err := Parse(&stdout)
	if err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("%w: no benchmark matched %q", ErrFormat, pattern)
	}
	return res, nil
}
