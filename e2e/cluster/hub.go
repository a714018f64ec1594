package cluster

import (
	"io"
	"log"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/arendevy/arendevy/e2e/testpki"
)

// Mode is how a fake hub answers.
type Mode int32

const (
	Healthy Mode = iota // answers at once: no cases for anyone
	Hang                // never answers (until the request is cancelled)
	Fail                // answers 500
	Garbage             // answers 200 with a body that is not the contract
)

func (m Mode) String() string {
	return [...]string{"healthy", "hang", "500", "garbage"}[m]
}

// fakeHub is a source the fault run controls: a hub (docs/hub.md) on
// loopback whose answer is switched while the cluster runs.
type fakeHub struct {
	name string
	url  string
	mode atomic.Int32
	srv  *http.Server
}

// startHub serves over mutual TLS, as a hub does, with certs.
func startHub(name string, certs *testpki.PKI) (*fakeHub, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := &fakeHub{name: name, url: "https://" + l.Addr().String()}
	h.srv = &http.Server{Handler: h, TLSConfig: certs.ServerTLS(), ReadHeaderTimeout: 5 * time.Second,
		// Handshakes cut off by an instance killed mid-request are expected.
		ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = h.srv.ServeTLS(l, "", "") }()
	return h, nil
}

func (h *fakeHub) set(m Mode) { h.mode.Store(int32(m)) }

func (h *fakeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/overview" {
		http.NotFound(w, r)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<16))
	switch Mode(h.mode.Load()) {
	case Hang:
		<-r.Context().Done()
		return
	case Fail:
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"type":"about:blank","title":"Internal Server Error","status":500}`)
		return
	case Garbage:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"producers": [{"id": "x", "name": tru`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"producers":[],"cases":[]}`)
}

func (h *fakeHub) close() { _ = h.srv.Close() }
