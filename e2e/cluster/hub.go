package cluster

import (
	"io"
	"log"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/arendevy/arendevy/e2e/bench/faults"
	"github.com/arendevy/arendevy/e2e/testpki"
)

// fakeHub is a source the fault run controls: a hub (docs/hub.md) on
// loopback whose answer is switched while the cluster runs.
type fakeHub struct {
	name string
	url  string
	mode atomic.Value // a faults.Behaviour
	srv  *http.Server
}

// startHub serves over mutual TLS, as a hub does, with certs.
func startHub(name string, certs *testpki.PKI) (*fakeHub, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := &fakeHub{name: name, url: "https://" + l.Addr().String()}
	h.set(faults.Healthy)
	h.srv = &http.Server{Handler: h, TLSConfig: certs.ServerTLS(), ReadHeaderTimeout: 5 * time.Second,
		// Handshakes cut off by an instance killed mid-request are expected.
		ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = h.srv.ServeTLS(l, "", "") }()
	return h, nil
}

// set switches how the hub answers: faults.Healthy (no cases for anyone),
// Silent, Broken or Garbage.
func (h *fakeHub) set(b faults.Behaviour) { h.mode.Store(b) }

func (h *fakeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/overview" {
		http.NotFound(w, r)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<16))
	if faults.Misbehave(w, r, h.mode.Load().(faults.Behaviour)) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"producers":[],"cases":[]}`)
}

func (h *fakeHub) close() { _ = h.srv.Close() }
