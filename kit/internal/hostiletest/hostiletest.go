// Package hostiletest has peers that misbehave, for the tests of the kit's
// outgoing clients, and a check that such a peer left nothing behind in the
// process: no goroutine, no socket.
package hostiletest

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Unaccepting returns the address of a loopback listener that is never
// accepted from: the kernel completes each TCP handshake and queues the
// connection, and nobody reads what the client sends.
func Unaccepting(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

// Silent returns the address of a loopback listener that accepts and reads
// everything, and never writes a byte. A connection is closed when the
// client closes it.
func Silent(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_, _ = io.Copy(io.Discard, conn)
			}()
		}
	}()
	return l.Addr().String()
}

// Target is a server a redirect points to. It counts the requests that
// reach it; a client that refuses redirects makes none.
type Target struct {
	*httptest.Server
	requests atomic.Int64
}

// NewTarget starts a Target on loopback that answers every request with
// status and body.
func NewTarget(t testing.TB, status int, contentType, body string) *Target {
	t.Helper()
	target := &Target{}
	target.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target.requests.Add(1)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(target.Close)
	return target
}

// Requests is how many requests reached the target.
func (t *Target) Requests() int64 { return t.requests.Load() }

// RedirectStatuses are the statuses that ask a client to go elsewhere.
var RedirectStatuses = []int{
	http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect,
}

// settle is how long goroutines and sockets may take to wind down once
// every caller has its answer: the scheduler's time, not a peer's.
const settle = 2 * time.Second

// slack allows for goroutines of the runtime and the test framework that
// come and go on their own.
const slack = 5

// NothingLeftBehind returns a check to call once the work that talks to
// hostile peers has returned: it fails the test unless, after a short
// settle, the process has no more goroutines (give or take a few) and no
// more sockets than when NothingLeftBehind was called.
func NothingLeftBehind(t testing.TB) func() {
	t.Helper()
	goroutines, sockets := runtime.NumGoroutine(), openSockets(t)
	return func() {
		t.Helper()
		deadline := time.Now().Add(settle)
		for {
			g, s := runtime.NumGoroutine(), openSockets(t)
			if g <= goroutines+slack && s <= sockets {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 64<<10)
				buf = buf[:runtime.Stack(buf, true)]
				t.Fatalf("left behind: %d goroutines (before: %d) and %d sockets (before: %d)\n%s", g, goroutines, s, sockets, buf)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// openSockets counts the process's open sockets, or -1 where /proc does
// not tell (the goroutines are still counted).
func openSockets(t testing.TB) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if errors.Is(err, os.ErrNotExist) {
		return -1
	}
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(target, "socket:") {
			n++
		}
	}
	return n
}
