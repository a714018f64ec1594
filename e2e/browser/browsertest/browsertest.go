// Package browsertest gives a test package one shared headless Chromium:
// started by the first test that needs it (so fuzz workers, which run
// TestMain too, start none) and closed when the package's tests end.
//
//	func TestMain(m *testing.M) { browsertest.Main(m) }
//
//	func TestPage(t *testing.T) {
//		tab, err := browsertest.Shared(t).NewTab(ctx)
//		…
//	}
package browsertest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/arendevy/arendevy/e2e/browser"
)

var (
	once    sync.Once
	shared  *browser.Browser
	started error
)

// Shared returns the package's Chromium, starting it on first use. A browser
// that cannot start fails the test: a missing browser is an install step to
// fix (make test-deps), never a reason to skip.
func Shared(t testing.TB) *browser.Browser {
	t.Helper()
	once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		shared, started = browser.Start(ctx)
	})
	if started != nil {
		t.Fatal(started)
	}
	return shared
}

// Main runs the package's tests, closes the shared browser and exits with
// the tests' code. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if err := shared.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	os.Exit(code)
}
