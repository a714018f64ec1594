// Package compress answers with brotli or gzip when the browser accepts it:
// the one compression middleware for the kit's pages and API and for a
// portal's own pages. The element's files, which kit/assets compresses
// once at start-up, pass through untouched (they already carry a
// Content-Encoding).
//
// Compressing a response that holds a secret (the CSRF token) next to text
// an attacker chose opens BREACH; the kit therefore masks the token afresh
// in every response (websec.MaskToken) and its pages do not reflect
// request text. docs/performance.md explains the reasoning.
package compress

import (
	"bytes"
	"compress/gzip"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// MinSize is the smallest body worth compressing: below it the coding's
// header and the lost Content-Length cost more than they save.
const MinSize = 1024

// maxHeld is how much compressed output is held back so that the response
// can carry its Content-Length; a longer one is sent chunked.
const maxHeld = 64 << 10

// Levels for bodies compressed per request. The API's JSON answers and the
// pages pull different ways: on the 100-case overview answer brotli 1 took
// a third of level 4's CPU for 9 % more bytes, and compressing is most of
// the server's CPU per answer; on the server-rendered overview page (the
// phone's first load, counted against its byte budget) level 1 came out
// 20 % larger (docs/performance.md). gzip, for the few browsers without
// brotli, keeps its default.
const (
	gzipLevel       = gzip.DefaultCompression
	brotliLevel     = 4
	brotliJSONLevel = 1
)

// codings are the content codings offered, best first.
var codings = []string{"br", "gzip"}

// compressible are the media types worth compressing; images, fonts and
// archives already are.
var compressible = map[string]bool{
	"text/html":                 true,
	"text/css":                  true,
	"text/javascript":           true,
	"text/plain":                true,
	"application/javascript":    true,
	"application/json":          true,
	"application/problem+json":  true,
	"application/manifest+json": true,
	"image/svg+xml":             true,
}

type encoder interface {
	io.WriteCloser
	Reset(io.Writer)
	Flush() error
}

// pools keep encoders between responses, by coding, for JSON and for the
// rest: a fresh gzip writer allocates about 800 KB, a brotli one more.
var pools = map[string]struct{ other, json *sync.Pool }{
	"gzip": {other: gzipPool, json: gzipPool},
	"br": {
		other: &sync.Pool{New: func() any { return brotli.NewWriterLevel(io.Discard, brotliLevel) }},
		json:  &sync.Pool{New: func() any { return brotli.NewWriterLevel(io.Discard, brotliJSONLevel) }},
	},
}

var gzipPool = &sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzipLevel); return w }}

// isJSON reports whether the media type mt is JSON (the API's answers).
func isJSON(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }

// Handler compresses next's responses as the request's Accept-Encoding
// allows (brotli preferred), when the body is of a compressible type, at
// least MinSize long, not already encoded, not a range, and its
// Cache-Control does not say no-transform. Every response gets
// Vary: Accept-Encoding; every other header, Cache-Control included, is
// kept.
func Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addVary(w.Header())
		coding := Negotiate(r.Header.Get("Accept-Encoding"), codings)
		if coding == "" || r.Header.Get("Range") != "" {
			next.ServeHTTP(w, r)
			return
		}
		cw := &writer{ResponseWriter: w, coding: coding}
		next.ServeHTTP(cw, r)
		cw.finish()
	})
}

// addVary adds Accept-Encoding to Vary once, however many layers add it.
func addVary(h http.Header) {
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); strings.EqualFold(f, "Accept-Encoding") || f == "*" {
				return
			}
		}
	}
	h.Add("Vary", "Accept-Encoding")
}

// writer holds the first MinSize bytes back to decide whether to compress,
// then holds up to maxHeld compressed bytes back to send a Content-Length.
type writer struct {
	http.ResponseWriter
	coding string

	status  int        // as the handler set it; 0 until then
	decided bool       // whether to compress is settled
	enc     encoder    // nil when not compressing
	pool    *sync.Pool // where enc came from and goes back to
	held    []byte     // identity bytes before the decision
	out     bytes.Buffer
	sent    bool // the status line has gone to the client
}

func (w *writer) WriteHeader(code int) {
	if code < 200 { // informational (103 Early Hints): not the response
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if w.status == 0 {
		w.status = code
	}
}

func (w *writer) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if !w.decided {
		if len(w.held)+len(p) < MinSize {
			w.held = append(w.held, p...)
			return len(p), nil
		}
		// Enough to decide on. A body written whole (the overview's answer
		// is one write of about 60 kB) is not copied to be held.
		if err := w.decide(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if w.enc != nil {
		return w.enc.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// decide settles the coding from the headers and the bytes held followed
// by more, and passes them on.
func (w *writer) decide(more []byte) error {
	w.decided = true
	h := w.Header()
	if h.Get("Content-Type") == "" && len(w.held)+len(more) > 0 {
		// As net/http would, from the first 512 bytes.
		h.Set("Content-Type", http.DetectContentType(append(w.held, more[:min(len(more), 512)]...)))
	}
	if !w.worthIt(len(w.held) + len(more)) {
		w.send()
		err := w.pass(w.ResponseWriter, more)
		w.held = nil
		return err
	}
	h.Set("Content-Encoding", w.coding)
	h.Del("Content-Length")
	h.Del("Accept-Ranges")
	if etag := h.Get("ETag"); strings.HasSuffix(etag, `"`) {
		// Another representation: another validator.
		h.Set("ETag", strings.TrimSuffix(etag, `"`)+"-"+w.coding+`"`)
	}
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	w.pool = pools[w.coding].other
	if isJSON(mt) {
		w.pool = pools[w.coding].json
	}
	w.enc = w.pool.Get().(encoder)
	w.enc.Reset((*sink)(w))
	err := w.pass(w.enc, more)
	w.held = nil
	return err
}

// pass writes the bytes held, then more, to dst.
func (w *writer) pass(dst io.Writer, more []byte) error {
	for _, p := range [][]byte{w.held, more} {
		if len(p) == 0 {
			continue
		}
		if _, err := dst.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// worthIt reports whether a body of size bytes so far is worth compressing.
func (w *writer) worthIt(size int) bool {
	h := w.Header()
	if size < MinSize || h.Get("Content-Encoding") != "" ||
		w.status == http.StatusNoContent || w.status == http.StatusPartialContent || w.status == http.StatusNotModified {
		return false
	}
	for _, cc := range h.Values("Cache-Control") {
		if strings.Contains(strings.ToLower(cc), "no-transform") {
			return false
		}
	}
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && compressible[mt]
}

// send writes the status line and headers, once.
func (w *writer) send() {
	if !w.sent {
		w.sent = true
		w.ResponseWriter.WriteHeader(w.status)
	}
}

// sink receives the encoder's output: held while it fits maxHeld, then
// streamed.
type sink writer

func (s *sink) Write(p []byte) (int, error) {
	w := (*writer)(s)
	if w.sent {
		return w.ResponseWriter.Write(p)
	}
	w.out.Write(p)
	if w.out.Len() >= maxHeld {
		return len(p), w.release()
	}
	return len(p), nil
}

// release sends the headers and the compressed bytes held.
func (w *writer) release() error {
	w.send()
	_, err := w.ResponseWriter.Write(w.out.Bytes())
	w.out.Reset()
	return err
}

// Flush sends what there is: a streamed response cannot wait for MinSize.
func (w *writer) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if !w.decided {
		_ = w.decide(nil)
	}
	if w.enc != nil {
		_ = w.enc.Flush()
		_ = w.release()
	}
	w.send()
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish completes the response after the handler returned. A short body
// goes out as it came (net/http gives it its Content-Length); a compressed
// one that was held whole gets the compressed length.
func (w *writer) finish() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if !w.decided {
		_ = w.decide(nil)
	}
	if w.enc == nil {
		w.send()
		return
	}
	_ = w.enc.Close()
	w.enc.Reset(io.Discard)
	w.pool.Put(w.enc)
	w.enc = nil
	if !w.sent {
		w.Header().Set("Content-Length", strconv.Itoa(w.out.Len()))
	}
	_ = w.release()
}

// Negotiate picks the content coding for an Accept-Encoding header
// (RFC 9110, section 12.5.3) among available, which is in the server's order
// of preference: the one with the highest weight above zero, the server's
// preference among equals, and "" (identity) when none is acceptable or
// identity weighs more than every one of them.
func Negotiate(header string, available []string) string {
	weights := map[string]float64{}
	star := 0.0
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		w := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(p, "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
				continue
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || math.IsNaN(f) || f < 0 || f > 1 {
				f = 0 // a weight we cannot read does not accept anything
			}
			w = f
		}
		if name == "x-gzip" {
			name = "gzip"
		}
		if name == "*" {
			star = w
		} else if old, seen := weights[name]; !seen || w > old {
			weights[name] = w
		}
	}
	best, bestW := "", 0.0
	for _, c := range available {
		w, ok := weights[c]
		if !ok {
			w = star
		}
		if w > bestW {
			best, bestW = c, w
		}
	}
	if id, named := weights["identity"]; named && id > bestW {
		return ""
	}
	return best
}
