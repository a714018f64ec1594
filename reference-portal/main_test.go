package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/reference-portal/config"
)

// TestMakeRunServesAndStopsCleanly starts the built binary the way `make run`
// does (no flags, embedded defaults, PORT from the environment), waits for
// /healthz, then stops it with SIGINT and expects a clean exit.
func TestMakeRunServesAndStopsCleanly(t *testing.T) {
	eservicePort := strconv.Itoa(freePort(t))
	p := startBinary(t, "ARENDEVY_SAML_DEMO_ESERVICE_LISTEN=127.0.0.1:"+eservicePort)
	cmd, done, base := p.cmd, p.done, p.base
	stdout, stderr := p.stdout, p.stderr
	deadline := time.Now().Add(30 * time.Second)
	var status int
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			status = resp.StatusCode
			resp.Body.Close()
			if status == http.StatusOK {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, http.StatusOK, status, "healthz within 30 s; stderr: %s", stderr.String())
	resp, err := http.Get(base + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	// The demo e-service serves beside the portal, where it was told to.
	resp, err = http.Get("http://127.0.0.1:" + eservicePort + "/e-service/saml/metadata")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the demo e-service answers")

	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-done:
		require.NoError(t, err, "clean exit on SIGINT; stderr: %s", stderr.String())
	case <-time.After(15 * time.Second):
		t.Fatal("did not stop within 15 s of SIGINT")
	}
	out := stdout.String()
	require.Contains(t, out, base, "prints the URL")
	require.Contains(t, out, "Demo e-service: http://localhost:"+eservicePort+" ", "prints the demo e-service's URL")
	_, err = http.Get("http://127.0.0.1:" + eservicePort + "/e-service/saml/metadata")
	require.Error(t, err, "the demo e-service stopped with the portal")
	for _, persona := range []string{"Elin Karlsson", "Johan Lindqvist", "Sven Bergström"} {
		require.Contains(t, out, persona, "prints the demo personas")
	}
	require.Contains(t, stderr.String(), "stopped")
	require.NotRegexp(t, `panic|goroutine \d+|level=(ERROR|WARN)`, stderr.String(), "Ctrl-C is a clean stop, not an error")
}

// TestCtrlCUnderMakeRunEndsCleanly: `make run`, then Ctrl-C, which the
// terminal sends to the whole foreground process group: the portal stops
// gracefully and exits 0, so make reports no error (with `go run`, which
// exits 1 after any interrupt, it said "make: *** [Makefile:9: run] Error
// 1"). make itself then ends by the interrupt it got, silently, as every
// interrupted make does.
func TestCtrlCUnderMakeRunEndsCleanly(t *testing.T) {
	port := freePort(t)
	cmd := exec.Command("make", "-C", "..", "run")
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a terminal's foreground group of its own
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "healthz within 2 minutes (building included); stderr: %s", stderr.String())
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
	}
	require.NoError(t, syscall.Kill(-cmd.Process.Pid, syscall.SIGINT), "Ctrl-C")
	select {
	case err := <-done:
		var exit *exec.ExitError
		if err != nil {
			require.ErrorAs(t, err, &exit)
			status, _ := exit.Sys().(syscall.WaitStatus)
			require.True(t, status.Signaled() && status.Signal() == syscall.SIGINT, "make ends by the interrupt or exits 0: %v; stderr: %s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("did not stop within 15 s of Ctrl-C")
	}
	require.NotContains(t, stderr.String(), "make: ***", "the portal exited 0: make reports no error")
	require.NotRegexp(t, `panic|goroutine \d+|level=(ERROR|WARN)`, stderr.String())
	require.Contains(t, stderr.String(), "stopped")
	require.Contains(t, stdout.String(), "Stop with Ctrl-C.")
}

// runningBinary is the built portal, started with the environment given.
type runningBinary struct {
	cmd            *exec.Cmd
	done           chan error // its exit
	base           string     // http://localhost:PORT
	stdout, stderr *bytes.Buffer
}

// startBinary builds the portal, starts it the way `make run` does (PORT
// from the environment, plus env) and kills it at the end of the test.
func startBinary(t *testing.T, env ...string) runningBinary {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "reference-portal")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	port := freePort(t)
	p := runningBinary{cmd: exec.Command(bin), done: make(chan error, 1),
		base: "http://localhost:" + strconv.Itoa(port), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	p.cmd.Env = append(append(os.Environ(), "PORT="+strconv.Itoa(port)), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	require.NoError(t, p.cmd.Start())
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	return p
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestCheckConfigNamesEveryProblem runs `reference-portal -check-config` on
// broken files: each problem is printed with its field, the exit code is 1,
// and nothing looks like a stack trace.
func TestCheckConfigNamesEveryProblem(t *testing.T) {
	dir := filepath.Join("config", "testdata", "broken")
	tests := []struct {
		file   string
		fields []string
	}{
		{"unknown-keys.toml", []string{"lisen", "session.stor", "sources[1].urll", "producers[0].customer_service.fax"}},
		{"missing-idp-metadata.toml", []string{"saml.idp_metadata_url"}},
		{"non-https-hosts.toml", []string{"sources[0].url", "producers[0].hosts[1]", "producers[0].sso"}},
		{"unreadable-certificate.toml", []string{"tls.cert_file"}},
		{"key-mismatch.toml", []string{"tls.key_file"}},
		{"bad-durations.toml", []string{"deadline", "session.idle", "sources[0].timeout"}},
		{"redis-without-url.toml", []string{"session.redis_url"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"-check-config", filepath.Join(dir, tt.file)}, &stdout, &stderr, func(string) string { return "" })
			require.Equal(t, 1, code)
			out := stdout.String()
			for _, f := range tt.fields {
				require.True(t, hasLineForField(out, f), "a line for %s in:\n%s", f, out)
			}
			require.NotContains(t, out+stderr.String(), "goroutine")
			require.NotContains(t, out+stderr.String(), "panic")
		})
	}
	var stdout bytes.Buffer
	secrets := func(name string) string {
		if !strings.HasPrefix(name, "ARENDEVY_") && (strings.HasSuffix(name, "_SECRET") || strings.HasSuffix(name, "_ID")) {
			return "test-" + strings.ToLower(name)
		}
		return ""
	}
	require.Equal(t, 0, run([]string{"-check-config", filepath.Join("config", "testdata", "municipality.toml")}, &stdout, &stdout, secrets), stdout.String())
	require.Contains(t, stdout.String(), "OK")
}

// TestBadConfigStopsStartWithTheSameMessages: starting with a broken file
// prints the problems and exits 1, never a stack trace.
func TestBadConfigStopsStartWithTheSameMessages(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"-config", filepath.Join("config", "testdata", "broken", "unknown-keys.toml")}, &stdout, &stderr, func(string) string { return "" })
	require.Equal(t, 1, code)
	require.Contains(t, stderr.String(), "session.stor")
	require.NotContains(t, stderr.String(), "goroutine")
}

func hasLineForField(out, field string) bool {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if strings.Contains(sc.Text(), field+":") || strings.Contains(sc.Text(), field+" ") {
			return true
		}
	}
	return false
}

// TestOperationsEndpoints: health, readiness and, when enabled, Prometheus
// metrics by route and status — with routes as patterns, never raw paths.
func TestOperationsEndpoints(t *testing.T) {
	cfg := config.Default()
	cfg.Metrics = config.Metrics{Enabled: true, Path: "/metrics"}
	logs := &bytes.Buffer{}
	a, err := build(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	require.NoError(t, err)
	defer a.close()
	srv := httptest.NewServer(a.handler)
	defer srv.Close()

	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	code, _ := get("/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code, "not ready before serve says so")
	a.setReady(true)
	code, _ = get("/readyz")
	require.Equal(t, http.StatusOK, code)
	code, _ = get("/healthz")
	require.Equal(t, http.StatusOK, code)
	code, _ = get("/arendevy/api/overview?q=191212121212")
	require.Equal(t, http.StatusUnauthorized, code)
	code, _ = get("/om-tjansten")
	require.Equal(t, http.StatusOK, code)
	code, _ = get("/191212121212")
	require.Equal(t, http.StatusNotFound, code)
	// A monitor's HEAD and a browser's favicon request are answered, not 404.
	head, err := http.Head(srv.URL + "/")
	require.NoError(t, err)
	head.Body.Close()
	require.Equal(t, http.StatusOK, head.StatusCode, "HEAD / answers as GET / does")
	code, body := get("/favicon.ico")
	require.Equal(t, http.StatusNoContent, code)
	require.Empty(t, body)

	code, metrics := get("/metrics")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, metrics, `http_requests_total{route="/healthz",method="GET",status="200"} 1`)
	require.Contains(t, metrics, `route="/arendevy/api/overview",method="GET",status="401"`)
	require.Contains(t, metrics, `http_requests_total{route="/om-tjansten",method="GET",status="200"} 1`)
	require.Contains(t, metrics, `http_requests_total{route="other",method="GET",status="404"} 1`)
	require.Contains(t, metrics, "http_request_duration_seconds_bucket")
	require.NotContains(t, metrics, "191212121212")
	require.NotContains(t, logs.String(), "191212121212", "access logs carry no query strings")
	require.Contains(t, logs.String(), `"route":"/arendevy/api/overview"`)
}

// TestDrainTurnsUnreadyFirst: told to stop (SIGTERM) with a drain time, the
// portal answers /readyz with 503 while it still serves other requests, so
// a balancer takes it out before it stops accepting; then it exits cleanly.
func TestDrainTurnsUnreadyFirst(t *testing.T) {
	p := startBinary(t, "ARENDEVY_DRAIN=3s")
	cmd, done, base, stderr := p.cmd, p.done, p.base, p.stderr
	status := func(path string) int {
		resp, err := http.Get(base + path)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for deadline := time.Now().Add(30 * time.Second); status("/readyz") != http.StatusOK; {
		require.True(t, time.Now().Before(deadline), "ready within 30 s; stderr: %s", stderr.String())
		time.Sleep(50 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	for deadline := time.Now().Add(10 * time.Second); status("/readyz") != http.StatusServiceUnavailable; {
		require.True(t, time.Now().Before(deadline), "unready after SIGTERM; stderr: %s", stderr.String())
		time.Sleep(20 * time.Millisecond)
	}
	require.Equal(t, http.StatusOK, status("/om-tjansten"), "still serving while unready")
	select {
	case err := <-done:
		require.NoError(t, err, "clean exit; stderr: %s", stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("did not stop within 20 s of SIGTERM")
	}
	require.Contains(t, stderr.String(), "draining")
}

// TestCheckConfigRefusesWhatStartRefuses: for configurations whose file
// rules pass but whose parts start-up refuses, -check-config refuses them
// too, with the message start-up prints.
func TestCheckConfigRefusesWhatStartRefuses(t *testing.T) {
	tests := map[string]string{
		"hub-loopback-http.toml": "[[sources]]\nkind = \"demo\"\nname = \"demo\"\n[[sources]]\nkind = \"hub\"\nname = \"enav\"\nurl = \"http://127.0.0.1:9/api\"\n",
		"no-personas.toml": "[[sources]]\nkind = \"hub\"\nname = \"enav\"\nurl = \"https://enav.example.se/api\"\n" +
			"client_cert_file = \"" + abs(t, "config/testdata/client.crt") + "\"\nclient_key_file = \"" + abs(t, "config/testdata/client.key") + "\"\n",
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), name)
			require.NoError(t, os.WriteFile(file, []byte(body), 0o600))
			noEnv := func(string) string { return "" }
			var startOut, startErr, checkOut bytes.Buffer
			require.Equal(t, 1, run([]string{"-config", file}, &startOut, &startErr, noEnv), "start-up refuses")
			require.Equal(t, 1, run([]string{"-check-config", file}, &checkOut, &checkOut, noEnv), "check-config refuses: %s", checkOut.String())
			msg := strings.TrimPrefix(strings.TrimSpace(startErr.String()), "reference-portal: ")
			require.NotEmpty(t, msg)
			if name == "no-personas.toml" {
				require.Contains(t, msg, "saml.dev_idp: the development IdP logs users in as the demo data's personas, and no source has any")
			}
			require.Contains(t, checkOut.String(), msg)
		})
	}
}

func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	require.NoError(t, err)
	return a
}

// TestBannerListsPersonasOnlyWithTheDevelopmentIdP: with a real IdP nobody
// can log in as a demo persona, so the start-up banner does not offer them.
func TestBannerListsPersonasOnlyWithTheDevelopmentIdP(t *testing.T) {
	cfg := config.Default()
	a, err := build(context.Background(), cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer a.close()
	var with bytes.Buffer
	a.printWelcome(&with, cfg)
	require.Contains(t, with.String(), "Demo personas at the development IdP")
	require.Regexp(t, `Demo e-service: http://localhost:\d+ `, with.String())
	require.Contains(t, with.String(), "Development outbox (what the demo hub would notify): "+cfg.PublicURL+"/utveckling/utskick")

	without := &app{} // what build makes when saml.dev_idp is off
	var out bytes.Buffer
	without.printWelcome(&out, cfg)
	require.NotContains(t, out.String(), "Demo personas")
	require.NotContains(t, out.String(), "Demo e-service")
	require.NotContains(t, out.String(), "outbox")
	require.Contains(t, out.String(), cfg.PublicURL)
}
