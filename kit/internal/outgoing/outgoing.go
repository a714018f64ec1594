// Package outgoing builds every HTTP client the kit uses toward a hub, a
// producer or a forwarding service, so that each of them is bounded the
// same way: a timeout on every step of a request, no redirect followed,
// a cap on the answer's headers, TLS 1.2 at least and the caller's client
// certificate (mutual TLS).
package outgoing

import (
	"crypto/tls"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
)

// Defaults for Options.
const (
	DefaultTimeout = 3 * time.Second
	// MaxHeaderBytes caps the status line and headers of an answer; the
	// sources' answers carry their data in the body.
	MaxHeaderBytes = 64 << 10
)

// Options say how a client reaches its service.
type Options struct {
	// TLS carries the client certificate (mutual TLS) and the roots the
	// service's certificate must chain to. It is cloned, and raised to TLS
	// 1.2 at least. Nil: the system's roots and no client certificate.
	TLS *tls.Config
	// Timeout bounds one request from dialling to the last byte of the
	// answer, and each step on the way (dial, TLS handshake, waiting for
	// the answer's headers); default DefaultTimeout.
	Timeout time.Duration
}

// New returns a client that follows no redirect and gives up on a request,
// and on every step of it, after o.Timeout.
func New(o Options) *http.Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	tc := &tls.Config{}
	if o.TLS != nil {
		tc = o.TLS.Clone()
	}
	if tc.MinVersion < tls.VersionTLS12 {
		tc.MinVersion = tls.VersionTLS12
	}
	// The transport goes on dialling and shaking hands after the request
	// that asked for the connection is given up (to pool the connection for
	// the next one). Each step is therefore bounded on its own, never
	// longer than the request may take: a source that swallows packets
	// would otherwise keep a goroutine and a socket per request for as long
	// as the kernel waits.
	transport := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            (&net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:        tc,
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		MaxResponseHeaderBytes: MaxHeaderBytes,
		ForceAttemptHTTP2:      true,
		MaxIdleConnsPerHost:    32,
		IdleConnTimeout:        90 * time.Second,
	}
	return WithoutRedirects(&http.Client{Transport: transport, Timeout: o.Timeout})
}

// WithoutRedirects returns a copy of c that does not follow redirects: the
// caller gets the 3xx answer and reports it as the source's failure. A
// redirect would resend the request's body (an identity number) and its
// headers (credentials) wherever the answer points, and show that host's
// answer as the user's cases.
func WithoutRedirects(c *http.Client) *http.Client {
	refusing := *c
	refusing.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &refusing
}

// Reserved is every header a client sets itself, so none may be configured:
// the transport's hop-by-hop and framing headers, and protocol, those the
// client's protocol sets.
func Reserved(protocol ...string) []string {
	return append([]string{"Connection", "Content-Length", "Host", "Transfer-Encoding"}, protocol...)
}

// HeaderProblems checks headers configured to go with every request: valid
// names and values, and none of reserved (see Reserved). Each problem
// starts with "Headers: " and never repeats a value, which is usually a
// secret.
func HeaderProblems(headers map[string]string, reserved []string) []string {
	var problems []string
	for _, k := range slices.Sorted(maps.Keys(headers)) {
		switch {
		case !httpguts.ValidHeaderFieldName(k):
			problems = append(problems, fmt.Sprintf("Headers: %q is not a valid header name", k))
		case isReserved(reserved, k):
			problems = append(problems, fmt.Sprintf("Headers: %s is set by the client", k))
		case !httpguts.ValidHeaderFieldValue(headers[k]):
			problems = append(problems, fmt.Sprintf("Headers: the value of %s is not a valid header value", k))
		}
	}
	return problems
}

// isReserved reports whether name is one of reserved, in any letter case.
func isReserved(reserved []string, name string) bool {
	return slices.ContainsFunc(reserved, func(r string) bool { return strings.EqualFold(r, name) })
}

// SetHeaders puts configured headers on a request, replacing a default of
// the same name. Names are sent as configured, not canonicalised: some
// services ask for client_id, not Client_id.
func SetHeaders(h http.Header, headers map[string]string) {
	for k, v := range headers {
		h.Del(k)
		h[k] = []string{v}
	}
}
