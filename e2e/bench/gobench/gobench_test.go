package gobench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/arendevy/arendevy/kit
cpu: AMD EPYC
BenchmarkOverviewAPI
BenchmarkOverviewAPI/cases=10/query=""-2         	    9000	    130000 ns/op	   60000 B/op	     160 allocs/op
BenchmarkOverviewAPI/cases=10/query=""-2         	    9000	    110000 ns/op	   58000 B/op	     160 allocs/op
BenchmarkOverviewAPI/cases=10/query=""-2         	    9000	    120000 ns/op	   59000 B/op	     160 allocs/op
BenchmarkSort/cases=100/by=title-2   	     100	    201176.5 ns/op	  219413 B/op	    2193 allocs/op
BenchmarkRawJSONFloor/cases=10       	   50000	     21000 ns/op
PASS
ok  	github.com/arendevy/arendevy/kit	12.103s
`

func TestParseReadsMediansInOrder(t *testing.T) {
	got, err := Parse(strings.NewReader(sample))
	require.NoError(t, err)
	require.Equal(t, []Result{
		{Name: `BenchmarkOverviewAPI/cases=10/query=""`, Procs: 2, Runs: 3, N: 9000, NsPerOp: 120000, BytesPerOp: 59000, AllocsPerOp: 160},
		{Name: "BenchmarkSort/cases=100/by=title", Procs: 2, Runs: 1, N: 100, NsPerOp: 201176.5, BytesPerOp: 219413, AllocsPerOp: 2193},
		{Name: "BenchmarkRawJSONFloor/cases=10", Procs: 1, Runs: 1, N: 50000, NsPerOp: 21000},
	}, got)
}

func TestParseMedianOfAnEvenCount(t *testing.T) {
	got, err := Parse(strings.NewReader("BenchmarkX-4 10 100 ns/op\nBenchmarkX-4 30 300 ns/op\n"))
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, 200.0, got[0].NsPerOp)
	require.EqualValues(t, 20, got[0].N)
	require.Equal(t, 2, got[0].Runs)
}

func TestParseRefusesBrokenResults(t *testing.T) {
	for _, line := range []string{
		"BenchmarkX-2 many 100 ns/op",
		"BenchmarkX-2 10 fast ns/op",
		"BenchmarkX-2 10 100",
		"BenchmarkX-2 10 100 B/op",
		"BenchmarkX-2 0 100 ns/op",
		"BenchmarkX-2 10 -5 ns/op",
		"BenchmarkX-2 10 NaN ns/op",
	} {
		_, err := Parse(strings.NewReader(line + "\n"))
		require.ErrorIs(t, err, ErrFormat, line)
	}
}

func TestRunRunsARealBenchmark(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.test/b\n\ngo 1.26\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b_test.go"), []byte(`package b

import "testing"

var sink []byte

func BenchmarkAlloc(b *testing.B) {
	for _, n := range []int{8, 64} {
		b.Run("n="+string(rune('0'+n/8)), func(b *testing.B) {
			for b.Loop() {
				sink = make([]byte, n)
			}
		})
	}
}
`), 0o644))
	got, err := Run(context.Background(), goCmd, dir, "Alloc", "100x", 2, ".")
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "BenchmarkAlloc/n=1", got[0].Name)
	require.Equal(t, 2, got[0].Runs)
	require.EqualValues(t, 100, got[0].N)
	require.Positive(t, got[0].NsPerOp)

	_, err = Run(context.Background(), goCmd, dir, "NoSuchBenchmark", "1x", 1, ".")
	require.ErrorIs(t, err, ErrFormat)
}

func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("BenchmarkX-2 10 100 ns/op 5 B/op 1 allocs/op\n")
	f.Add("Benchmark\n")
	f.Fuzz(func(t *testing.T, out string) {
		rs, err := Parse(strings.NewReader(out))
		if err != nil {
			require.ErrorIs(t, err, ErrFormat)
			return
		}
		for _, r := range rs {
			require.Positive(t, r.N)
			require.Positive(t, r.Runs)
			require.GreaterOrEqual(t, r.NsPerOp, 0.0)
		}
	})
}
