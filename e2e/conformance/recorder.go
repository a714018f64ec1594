package conformance

import (
	"strings"
	"sync"

	"github.com/chromedp/cdproto/network"
)

// response is one HTTP response the tab received.
type response struct {
	id       network.RequestID
	url      string
	kind     network.ResourceType
	status   int64
	headers  map[string]string // lower-case names
	sets     []string          // names of the cookies its Set-Cookie headers set
	finished bool
}

// recorder keeps every request address and response of a tab, from the
// DevTools protocol's network events.
type recorder struct {
	mu        sync.Mutex
	requested []string
	responses map[network.RequestID]*response
	order     []network.RequestID
}

func newRecorder() *recorder {
	return &recorder{responses: map[network.RequestID]*response{}}
}

func (r *recorder) entry(id network.RequestID) *response {
	e, ok := r.responses[id]
	if !ok {
		e = &response{id: id, headers: map[string]string{}}
		r.responses[id] = e
		r.order = append(r.order, id)
	}
	return e
}

// observe runs in chromedp's event loop: it must not block.
func (r *recorder) observe(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		r.requested = append(r.requested, ev.Request.URL)
		if ev.RedirectResponse != nil {
			// The redirect's own response: keep its headers too.
			e := &response{id: ev.RequestID + "/redirect", url: ev.RedirectResponse.URL, kind: ev.Type,
				status: ev.RedirectResponse.Status, headers: lower(ev.RedirectResponse.Headers)}
			r.responses[e.id] = e
			r.order = append(r.order, e.id)
		}
	case *network.EventResponseReceived:
		e := r.entry(ev.RequestID)
		e.url, e.kind, e.status = ev.Response.URL, ev.Type, ev.Response.Status
		for k, v := range lower(ev.Response.Headers) {
			e.headers[k] = v
		}
	case *network.EventResponseReceivedExtraInfo:
		// The raw headers: the only place Set-Cookie shows.
		e := r.entry(ev.RequestID)
		for k, v := range lower(ev.Headers) {
			if k == "set-cookie" {
				for line := range strings.SplitSeq(v, "\n") {
					if name, _, ok := strings.Cut(line, "="); ok {
						e.sets = append(e.sets, strings.TrimSpace(name))
					}
				}
				continue
			}
			if _, ok := e.headers[k]; !ok {
				e.headers[k] = v
			}
		}
	case *network.EventLoadingFinished:
		r.entry(ev.RequestID).finished = true
	}
}

func lower(h network.Headers) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		if s, ok := v.(string); ok {
			out[strings.ToLower(k)] = s
		}
	}
	return out
}

// snapshot returns copies of what was recorded so far.
func (r *recorder) snapshot() (requested []string, responses []response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range r.order {
		responses = append(responses, *r.responses[id])
	}
	return append([]string(nil), r.requested...), responses
}

// setCookieNames are the cookies that responses set.
func (r *recorder) setCookieNames() map[string]bool {
	_, responses := r.snapshot()
	out := map[string]bool{}
	for _, e := range responses {
		for _, n := range e.sets {
			out[n] = true
		}
	}
	return out
}
