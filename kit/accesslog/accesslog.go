// Package accesslog writes one structured log line per HTTP request, with
// nothing in it that could identify a person or a case.
//
// What a line holds: the method, the route pattern, the status, the bytes
// written, the duration, a random request ID and the client's IP address.
// What it never holds: the raw URL (query strings and paths may carry
// personnummer, case references or tokens), cookies, the Authorization
// header, the Referer or any other header.
package accesslog

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// Header is the response header that carries the request ID, so a user's
// report of a failure can be matched to its log line.
const Header = "X-Request-Id"

type idKey struct{}

// RequestID returns the ID the middleware gave the request, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(idKey{}).(string)
	return id
}

// maxPath caps a path logged for a request no route matched.
const maxPath = 128

// Middleware logs every request to logger once it is answered: at Info, or
// at Error for a 5xx status or a handler that panicked (the panic goes on).
//
// The route logged is, in this order: route(r) when it names one (the
// caller knows its routers best); the pattern the request matched in a
// ServeMux (r.Pattern, without its method); else the path, for a request
// no route matched. route may be nil. It is called after the handler has
// run, so a router adapter may set r.Pattern on the request it was given
// (with gin: c.Request.Pattern = c.FullPath()).
//
// The handler gets a copy of the request carrying the request ID in its
// context (RequestID); the response carries it in the X-Request-Id header.
// Because the pattern is set on that copy, middleware that reads r.Pattern
// after serving, such as kit/metrics, belongs inside this one.
func Middleware(logger *slog.Logger, route func(*http.Request) string) func(http.Handler) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			id := rand.Text()
			w.Header().Set(Header, id)
			r = r.WithContext(context.WithValue(r.Context(), idKey{}, id))
			rec := NewRecorder(w)
			panicked := true
			defer func() {
				status := rec.Status()
				if panicked && !rec.Written() {
					status = http.StatusInternalServerError
				}
				level := slog.LevelInfo
				if status >= 500 || panicked {
					level = slog.LevelError
				}
				logger.LogAttrs(r.Context(), level, "request",
					slog.String("method", r.Method),
					slog.String("route", loggedRoute(r, route)),
					slog.Int("status", status),
					slog.Int64("bytes", rec.Bytes()),
					slog.Duration("duration", time.Since(start)),
					slog.String("request_id", id),
					slog.String("remote_ip", remoteIP(r)),
				)
			}()
			next.ServeHTTP(rec, r)
			panicked = false
		})
	}
}

// Route names the route that served r: what route says (the kit's own
// routes), else the ServeMux pattern it matched, else "". Logs and metrics
// name requests by it, never by a raw path, which may carry a deep link's token
// or a case reference.
func Route(r *http.Request, route func(*http.Request) string) string {
	if route != nil {
		if p := route(r); p != "" {
			return p
		}
	}
	return Pattern(r)
}

// loggedRoute is Route, or for a request no route served the path it asked
// for: whatever the client sent, so it is capped (r.URL.Path never holds
// the query string).
func loggedRoute(r *http.Request, route func(*http.Request) string) string {
	if p := Route(r, route); p != "" {
		return p
	}
	p := strings.ToValidUTF8(r.URL.Path, "\uFFFD")
	if len(p) > maxPath {
		p = strings.ToValidUTF8(p[:maxPath], "") + "…"
	}
	return p
}

// Pattern is the ServeMux pattern the request matched, without the method
// ("GET /x/{id}" gives "/x/{id}"), or "" when none did.
func Pattern(r *http.Request) string {
	p := r.Pattern
	if method, rest, ok := strings.Cut(p, " "); ok && method != "" && !strings.Contains(method, "/") {
		p = strings.TrimLeft(rest, " \t")
	}
	return p
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Recorder is a ResponseWriter that remembers the status and counts the
// bytes of the body. kit/metrics uses it too.
type Recorder struct {
	http.ResponseWriter
	status  int
	bytes   int64
	written bool
}

// NewRecorder wraps w.
func NewRecorder(w http.ResponseWriter) *Recorder { return &Recorder{ResponseWriter: w} }

// WriteHeader records the final status; informational 1xx headers (103
// Early Hints) may precede it.
func (r *Recorder) WriteHeader(code int) {
	if !r.written && (code >= 200 || code == http.StatusSwitchingProtocols) {
		r.status, r.written = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *Recorder) Write(b []byte) (int, error) {
	if !r.written {
		r.status, r.written = http.StatusOK, true
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Flush sends what is buffered, when the underlying writer can.
func (r *Recorder) Flush() {
	if !r.written {
		r.status, r.written = http.StatusOK, true
	}
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *Recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Status is the status sent: 200 when the handler wrote nothing, as the
// server then answers 200.
func (r *Recorder) Status() int {
	if !r.written {
		return http.StatusOK
	}
	return r.status
}

// Written reports whether the status has been sent.
func (r *Recorder) Written() bool { return r.written }

// Bytes is the number of body bytes written.
func (r *Recorder) Bytes() int64 { return r.bytes }
