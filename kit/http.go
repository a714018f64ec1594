package kit

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"github.com/arendevy/arendevy/kit/listing"
)

// noStore marks a response that carries case data: no cache may keep it, and
// the back button after logout must not show it.
func noStore(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
}

// problem is an RFC 9457 problem details body.
type problem struct {
	Type          string                 `json:"type"`
	Title         string                 `json:"title"`
	Status        int                    `json:"status"`
	Detail        string                 `json:"detail,omitempty"`
	InvalidParams []listing.InvalidParam `json:"invalid-params,omitempty"`
	Login         string                 `json:"login,omitempty"` // where to log in, on a 401
}

func writeProblem(w http.ResponseWriter, p problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// overviewBuffers hold encoded overviews between requests, so that a busy
// kit does not allocate and collect a fresh answer-sized buffer for each.
var overviewBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuffer keeps a rare huge overview's buffer from staying in the pool.
const maxPooledBuffer = 1 << 20

// encoded is an overview's JSON answer in a pooled buffer.
type encoded struct {
	buf *[]byte
	b   []byte
}

// encodeError is an overview the JSON encoding refused.
type encodeError struct{ err error }

func (e *encodeError) Error() string { return "encoding the overview: " + e.err.Error() }
func (e *encodeError) Unwrap() error { return e.err }

// encode writes ov's JSON answer into a pooled buffer.
func encode(ov *Overview) (*encoded, error) {
	e := &encoded{buf: overviewBuffers.Get().(*[]byte)}
	var err error
	e.b, err = ov.AppendJSON((*e.buf)[:0])
	if err != nil {
		e.release()
		return nil, &encodeError{err}
	}
	e.b = append(e.b, '\n')
	return e, nil
}

// write answers 200 with the overview in one write of known length, then
// releases the buffer.
func (e *encoded) write(w http.ResponseWriter) {
	defer e.release()
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(e.b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(e.b)
}

// release wipes the buffer and hands it back to the pool: no case outlives
// its request in it.
func (e *encoded) release() {
	clear(e.b)
	if cap(e.b) <= maxPooledBuffer {
		*e.buf = e.b[:0]
		overviewBuffers.Put(e.buf)
	}
}
