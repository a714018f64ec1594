package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/bench/faults"
)

// TestMain lets the test binary be the server process too, as the real
// binary is: the orchestrator starts "itself serve …".
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		os.Exit(serve(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestRunMeasuresAndReports runs the server sections briefly, end to end
// with the server in its own process, and checks what they report.
func TestRunMeasuresAndReports(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results.json")
	var stdout, stderr bytes.Buffer
	code := run([]string{
		"-only", "bytes,load,faults", "-out", out, "-peers", t.TempDir(),
		"-cases", "20", "-clients", "4", "-duration", "300ms", "-warmup", "100ms", "-soak", "500ms",
		"-faults-clients", "3", "-faults-duration", "200ms", "-deadline", "1500ms",
	}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())

	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	var r Results
	require.NoError(t, json.Unmarshal(raw, &r))
	require.Positive(t, r.Machine.Cores)
	require.True(t, strings.HasPrefix(r.Machine.Go, "go1"), r.Machine.Go)
	require.Regexp(t, `^[0-9.]+ [0-9.]+ [0-9.]+$`, r.Machine.LoadAverage, "how busy the machine was is part of the figures")
	require.Regexp(t, `^[0-9.]+ [0-9.]+ [0-9.]+$`, r.LoadAfter)
	require.Nil(t, r.Go, "not asked for")
	require.Empty(t, r.Errors)

	require.NotNil(t, r.Load)
	require.Equal(t, 20, r.Load.Cases)
	require.Positive(t, r.Load.Requests)
	require.Zero(t, r.Load.Failures, "%v", r.Load.FailureSamples)
	require.Positive(t, r.Load.ResponseBytes)
	require.Less(t, r.Load.ResponseBrotliBytes, r.Load.ResponseBytes, "the answer on the wire, compressed")
	require.Less(t, r.Load.ResponseGzipBytes, r.Load.ResponseBytes, "the answer on the wire, compressed")
	require.LessOrEqual(t, r.Load.Latency.P50, r.Load.Latency.P99)

	require.NotNil(t, r.Memory)
	require.Positive(t, r.Memory.Requests)
	require.Positive(t, r.Memory.Before.HeapAlloc)
	require.Positive(t, r.Memory.After.Goroutines)
	require.GreaterOrEqual(t, r.Memory.Peak.HeapAlloc, r.Memory.After.HeapAlloc, "the peak is taken under load, without a GC")

	require.NotNil(t, r.Faults)
	c := r.Faults.Counts
	require.Positive(t, c.Responses)
	require.EqualValues(t, r.Faults.Requests, c.Responses, "every answer checked")
	require.Equal(t, c.Responses, c.HealthyShown)
	require.Equal(t, c.Responses, c.FailuresReported)
	require.Equal(t, 1500.0, r.Faults.DeadlineMs)
	require.Equal(t, faults.Standard().Producers, r.Faults.Producers)

	require.NotNil(t, r.Bytes)
	require.Positive(t, r.Bytes.Element.Gzip)
	require.Contains(t, r.Bytes.PeerError, "not installed", "peers without npm are reported, not guessed")

	sections := map[string]int{}
	for _, tg := range r.Targets {
		sections[tg.Section]++
		require.NotEmpty(t, tg.Measured, tg.What)
	}
	require.Equal(t, map[string]int{"bytes": 1, "load": 4, "memory": 1, "faults": 3}, sections)

	md := stdout.String()
	for _, want := range []string{"# arendevy bench", "## End to end over loopback", "## Memory under", "## Resilience", "## Client bytes", "## Targets", "Peers not measured"} {
		require.Contains(t, md, want)
	}
	require.Regexp(t, `\| (PASS|MISS) \|`, md)
}

func TestRunRefusesWhatItDoesNotKnow(t *testing.T) {
	for _, args := range [][]string{{"-only", "everything"}, {"extra"}, {"-no-such-flag"}} {
		var stdout, stderr bytes.Buffer
		require.Equal(t, 2, run(args, &stdout, &stderr), "%v", args)
		require.NotEmpty(t, stderr.String())
	}
}

func TestServeRefusesAnUnknownScenario(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, 2, serve([]string{"-scenario", "chaos"}, &stdout, &stderr))
	require.Contains(t, stderr.String(), `unknown scenario "chaos"`)
	require.Empty(t, stdout.String(), "no ready line")
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{ns(850), "850 ns"}, {ns(12_345), "12.3 µs"}, {ns(2_500_000), "2.50 ms"},
		{ms(3.14159), "3.14 ms"}, {ms(25.04), "25.0 ms"}, {ms(3050), "3050 ms"},
		{size(512), "512 B"}, {size(7887), "7.9 kB"}, {size(2_500_000), "2.5 MB"},
		{behaviours(faults.Standard().Producers), "5 healthy, 2 silent, 1 broken, 1 slow, 1 garbage"},
	} {
		require.Equal(t, tc.want, tc.got)
	}
}

func TestLineValue(t *testing.T) {
	cpuinfo := "processor\t: 0\nmodel name\t: AMD EPYC 9B14\nflags\t\t: fpu\n"
	require.Equal(t, "AMD EPYC 9B14", lineValue(strings.NewReader(cpuinfo), "model name", ':'))
	osRelease := "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
	require.Equal(t, `"Debian GNU/Linux 12 (bookworm)"`, lineValue(strings.NewReader(osRelease), "PRETTY_NAME", '='))
	require.Empty(t, lineValue(strings.NewReader(cpuinfo), "cache size", ':'))
}

func TestLighthouseWithoutItsInstallSaysSo(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results.json")
	var stdout, stderr bytes.Buffer
	require.Equal(t, 1, run([]string{"-only", "lighthouse", "-out", out, "-lighthouse-dir", t.TempDir(), "-lighthouse-out", ""}, &stdout, &stderr))
	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	var r Results
	require.NoError(t, json.Unmarshal(raw, &r))
	require.Contains(t, r.Errors["lighthouse"], "not installed", "a bench row not measured is said, loudly")
	require.Contains(t, stdout.String(), "**lighthouse: not measured.**")
}
