package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/cmd/internal/cli"
)

// build compiles the command once per test run, as a user runs it.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "a11ycheck")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// fixtures serves the checker's fixture pages under a strict CSP.
func fixtures(t *testing.T) *httptest.Server {
	t.Helper()
	files := http.FileServer(http.Dir("../../a11y/testdata/site"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:")
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func runBinary(t *testing.T, bin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String(), errOut.String()
	}
	require.NoError(t, err)
	return 0, out.String(), errOut.String()
}

func TestCommand(t *testing.T) {
	bin := build(t)
	srv := fixtures(t)

	t.Run("broken page fails with each criterion", func(t *testing.T) {
		dir := t.TempDir()
		jsonFile := filepath.Join(dir, "report.json")
		code, out, errOut := runBinary(t, bin, "-url", srv.URL+"/broken.html", "-status-host", "x-results",
			"-json", jsonFile, "-screenshots", filepath.Join(dir, "shots"))
		require.Equal(t, cli.ExitFindings, code, errOut)
		for _, criterion := range []string{"4.1.2", "1.4.3", "2.1.2", "2.4.7", "1.4.10", "2.5.8", "3.1.1"} {
			require.Contains(t, out, " "+criterion+" ", "the summary names %s", criterion)
		}
		require.Contains(t, out, "FAIL: 1 page(s)")

		var report struct {
			Findings []struct {
				Page, State, Criterion, Selector, Severity string
			} `json:"findings"`
			Screenshots []struct{ File string } `json:"screenshots"`
		}
		raw, err := os.ReadFile(jsonFile)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &report))
		reflow := false
		for _, f := range report.Findings {
			require.Equal(t, srv.URL+"/broken.html", f.Page)
			require.NotEmpty(t, f.State)
			require.NotEmpty(t, f.Severity)
			reflow = reflow || (f.Criterion == "1.4.10" && f.State == "320px" && f.Selector != "")
		}
		require.True(t, reflow)
		require.NotEmpty(t, report.Screenshots)
		for _, s := range report.Screenshots {
			require.FileExists(t, s.File)
		}
	})

	t.Run("clean page passes", func(t *testing.T) {
		htmlFile := filepath.Join(t.TempDir(), "report.html")
		code, out, errOut := runBinary(t, bin, "-url", srv.URL+"/clean.html", "-url", srv.URL+"/other.html",
			"-status-host", "x-results", "-html", htmlFile)
		require.Equal(t, cli.ExitPass, code, out+errOut)
		require.Contains(t, out, "PASS: 2 page(s), 0 error(s)")
		html, err := os.ReadFile(htmlFile)
		require.NoError(t, err)
		require.Contains(t, string(html), "PASS")
		require.Contains(t, string(html), "data:image/png;base64,")
	})

	t.Run("usage errors exit 2", func(t *testing.T) {
		for _, args := range [][]string{
			{},
			{"-url", srv.URL, "-wcag", "3.0"},
			{"-url", srv.URL, "-login-field", "user=x"},
			{"-url", srv.URL, "-login-url", srv.URL, "-login-field", "novalue"},
			{"-url", srv.URL, "-login-url", srv.URL, "-login-field", "a=b", "-login-choose", "anna"},
			{"-url", srv.URL, "-state", "upside-down"},
		} {
			code, _, errOut := runBinary(t, bin, args...)
			require.Equal(t, cli.ExitError, code, "%v: %s", args, errOut)
			require.True(t, strings.Contains(errOut, "a11ycheck") || strings.Contains(errOut, "Usage"), errOut)
		}
	})
}
