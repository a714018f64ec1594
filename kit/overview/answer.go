package overview

import (
	"net/http"
	"strconv"
	"sync"
)

// answerBuffers hold encoded overviews between requests, so that a busy
// kit does not allocate and collect a fresh answer-sized buffer for each.
var answerBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuffer keeps a rare huge overview's buffer from staying in the pool.
const maxPooledBuffer = 1 << 20

// Answer is an overview's JSON answer in a pooled buffer: Write it once, or
// Release it unwritten.
type Answer struct {
	buf  *[]byte
	body []byte
}

// EncodeError is an overview the JSON encoding refused.
type EncodeError struct{ err error }

func (e *EncodeError) Error() string { return "encoding the overview: " + e.err.Error() }
func (e *EncodeError) Unwrap() error { return e.err }

// Encode writes ov's JSON answer into a pooled buffer.
func Encode(ov *Overview) (*Answer, error) {
	a := &Answer{buf: answerBuffers.Get().(*[]byte)}
	var err error
	a.body, err = ov.AppendJSON((*a.buf)[:0])
	if err != nil {
		a.Release()
		return nil, &EncodeError{err}
	}
	a.body = append(a.body, '\n')
	return a, nil
}

// Write answers 200 with the overview in one write of known length, then
// releases the buffer.
func (a *Answer) Write(w http.ResponseWriter) {
	defer a.Release()
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(a.body)
}

// Release wipes the buffer and hands it back to the pool: no case outlives
// its request in it.
func (a *Answer) Release() {
	clear(a.body)
	if cap(a.body) <= maxPooledBuffer {
		*a.buf = a.body[:0]
		answerBuffers.Put(a.buf)
	}
}
