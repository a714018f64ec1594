// Package metrics counts what the portal does and serves it in the
// Prometheus text exposition format (version 0.0.4), without a client
// library: counters and histograms with labels, safe for concurrent use.
//
// A Registry from New already has the portal's metrics: requests by route,
// method and status with their latency, and each source's outcomes per
// producer and its latency. Labels never carry personal data: routes are
// patterns, never raw paths, which could carry tokens or case references.
package metrics

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/arendevy/arendevy/kit/accesslog"
	"github.com/arendevy/arendevy/kit/cases"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// DefaultBuckets are the latency buckets, in seconds.
var DefaultBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

// MaxSeries caps the label combinations of one metric. Label values such as
// producer IDs come from outside; past the cap, new combinations are counted
// under the value Overflow in every label instead of growing without bound.
const MaxSeries = 2000

// Overflow is every label value of the series that takes what MaxSeries
// turned away.
const Overflow = "_overflow"

// Unmatched is the route of a request no route matched.
const Unmatched = "unmatched"

// Registry holds metrics and writes them out.
type Registry struct {
	mu       sync.Mutex
	families map[string]family

	requests      *Counter
	latency       *Histogram
	outcomes      *Counter
	sourceLatency *Histogram
}

type family interface {
	write(w *bytes.Buffer)
}

// New returns a registry with the portal's metrics.
func New() *Registry {
	r := &Registry{families: map[string]family{}}
	r.requests = r.NewCounter("http_requests_total",
		"HTTP requests answered, by route pattern, method and status.", "route", "method", "status")
	r.latency = r.NewHistogram("http_request_duration_seconds",
		"Time to answer an HTTP request, by route pattern.", DefaultBuckets, "route")
	r.outcomes = r.NewCounter("arendevy_source_outcomes_total",
		"Outcomes of asking a source, per producer: ok, timeout, error, invalid or busy (not asked: too many in flight).", "source", "producer", "state")
	r.sourceLatency = r.NewHistogram("arendevy_source_duration_seconds",
		"Time a source took to answer one overview.", DefaultBuckets, "source")
	return r
}

var (
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// register adds a family. Names are constants of the program, so a bad or
// duplicate one is a programming error and panics, like regexp.MustCompile.
func (r *Registry) register(name string, labels []string, f family) {
	if !metricName.MatchString(name) {
		panic("metrics: invalid metric name " + strconv.Quote(name))
	}
	for _, l := range labels {
		if !labelName.MatchString(l) || strings.HasPrefix(l, "__") || l == "le" {
			panic("metrics: invalid label name " + strconv.Quote(l) + " of " + name)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.families[name]; dup {
		panic("metrics: " + name + " registered twice")
	}
	r.families[name] = f
}

// series holds the label combinations of one metric.
type series[T any] struct {
	name, help string
	labels     []string
	mu         sync.Mutex
	byKey      map[string]*T
	values     map[string][]string // key → label values
}

func newSeries[T any](name, help string, labels []string) series[T] {
	return series[T]{name: name, help: help, labels: slices.Clone(labels), byKey: map[string]*T{}, values: map[string][]string{}}
}

// get returns the series for values, creating it; s.mu must be held.
func (s *series[T]) get(values []string) *T {
	if len(values) != len(s.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", s.name, len(s.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	if t, ok := s.byKey[key]; ok {
		return t
	}
	if len(s.byKey) >= MaxSeries {
		values = make([]string, len(s.labels))
		for i := range values {
			values[i] = Overflow
		}
		key = strings.Join(values, "\xff")
		if t, ok := s.byKey[key]; ok {
			return t
		}
	} else {
		values = slices.Clone(values)
		for i, v := range values {
			values[i] = strings.ToValidUTF8(v, "\uFFFD")
		}
	}
	t := new(T)
	s.byKey[key] = t
	s.values[key] = values
	return t
}

// sorted returns the keys in a stable order, so output is deterministic.
func (s *series[T]) sorted() []string { return slices.Sorted(maps.Keys(s.byKey)) }

func (s *series[T]) header(w *bytes.Buffer, kind string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", s.name, escapeHelp(s.help), s.name, kind)
}

// Counter is a metric that only goes up.
type Counter struct{ s series[float64] }

// NewCounter adds a counter with the given label names.
func (r *Registry) NewCounter(name, help string, labels ...string) *Counter {
	c := &Counter{s: newSeries[float64](name, help, labels)}
	r.register(name, labels, c)
	return c
}

// Add adds v, which must not be negative, to the series with the label
// values given in the order of the label names.
func (c *Counter) Add(v float64, labelValues ...string) {
	if v < 0 || math.IsNaN(v) {
		panic("metrics: " + c.s.name + ": a counter cannot go down")
	}
	c.s.mu.Lock()
	*c.s.get(labelValues) += v
	c.s.mu.Unlock()
}

// Inc adds 1.
func (c *Counter) Inc(labelValues ...string) { c.Add(1, labelValues...) }

func (c *Counter) write(w *bytes.Buffer) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	c.s.header(w, "counter")
	for _, k := range c.s.sorted() {
		sample(w, c.s.name, c.s.labels, c.s.values[k], "", "", *c.s.byKey[k])
	}
}

// Histogram counts observations in buckets.
type Histogram struct {
	s       series[histogram]
	buckets []float64
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	count  uint64
	sum    float64
}

// NewHistogram adds a histogram with the given upper bounds (sorted
// ascending; +Inf is implied) and label names.
func (r *Registry) NewHistogram(name, help string, buckets []float64, labels ...string) *Histogram {
	if len(buckets) == 0 || !slices.IsSorted(buckets) || slices.ContainsFunc(buckets, func(b float64) bool { return math.IsNaN(b) || math.IsInf(b, 0) }) {
		panic("metrics: " + name + ": buckets must be finite and ascending")
	}
	h := &Histogram{s: newSeries[histogram](name, help, labels), buckets: slices.Compact(slices.Clone(buckets))}
	r.register(name, labels, h)
	return h
}

// Observe records v in the series with the given label values.
func (h *Histogram) Observe(v float64, labelValues ...string) {
	i, _ := slices.BinarySearch(h.buckets, v) // first bucket with bound ≥ v
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	s := h.s.get(labelValues)
	if s.counts == nil {
		s.counts = make([]uint64, len(h.buckets))
	}
	if i < len(h.buckets) {
		s.counts[i]++
	}
	s.count++
	s.sum += v
}

func (h *Histogram) write(w *bytes.Buffer) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	h.s.header(w, "histogram")
	for _, k := range h.s.sorted() {
		s, values := h.s.byKey[k], h.s.values[k]
		var cumulative uint64
		for i, b := range h.buckets {
			cumulative += s.counts[i]
			sample(w, h.s.name+"_bucket", h.s.labels, values, "le", formatFloat(b), float64(cumulative))
		}
		sample(w, h.s.name+"_bucket", h.s.labels, values, "le", "+Inf", float64(s.count))
		sample(w, h.s.name+"_sum", h.s.labels, values, "", "", s.sum)
		sample(w, h.s.name+"_count", h.s.labels, values, "", "", float64(s.count))
	}
}

// sample writes one line: name{labels,extra="value"} v.
func sample(w *bytes.Buffer, name string, labels, values []string, extra, extraValue string, v float64) {
	w.WriteString(name)
	if len(labels) > 0 || extra != "" {
		w.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				w.WriteByte(',')
			}
			w.WriteString(l + `="` + escapeLabel(values[i]) + `"`)
		}
		if extra != "" {
			if len(labels) > 0 {
				w.WriteByte(',')
			}
			w.WriteString(extra + `="` + extraValue + `"`)
		}
		w.WriteByte('}')
	}
	w.WriteByte(' ')
	w.WriteString(formatFloat(v))
	w.WriteByte('\n')
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

// WriteTo writes every metric in the text exposition format, sorted by name.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	names := slices.Sorted(maps.Keys(r.families))
	fams := make([]family, len(names))
	for i, name := range names {
		fams[i] = r.families[name]
	}
	r.mu.Unlock()
	var buf bytes.Buffer
	for _, f := range fams {
		f.write(&buf)
	}
	return buf.WriteTo(w)
}

// Handler serves the metrics. The response is never cached.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = r.WriteTo(w)
	})
}

// Middleware counts every request and its latency by route. The route is,
// in this order: route(r) when it names one (nil allowed; called after the
// handler ran, so it may read what the routers found — the caller knows its
// routers best); the ServeMux pattern the request matched (without its
// method); else Unmatched. Never the raw path. Used with kit/accesslog, it goes inside
// that middleware, which hands the handler a copy of the request.
func (r *Registry) Middleware(route func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			start := time.Now()
			rec := accesslog.NewRecorder(w)
			panicked := true
			defer func() {
				status := rec.Status()
				if panicked && !rec.Written() {
					status = http.StatusInternalServerError
				}
				r.ObserveRequest(routeLabel(req, route), req.Method, status, time.Since(start))
			}()
			next.ServeHTTP(rec, req)
			panicked = false
		})
	}
}

// routeLabel is the request's route (accesslog.Route), or Unmatched: a label
// never holds what the client sent, which would make its values unbounded.
func routeLabel(req *http.Request, route func(*http.Request) string) string {
	if p := accesslog.Route(req, route); p != "" {
		return p
	}
	return Unmatched
}

// methods are the methods counted by name; any other counts as OTHER, since
// the method is whatever the client sent.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace}

// ObserveRequest counts one answered request, for routers that cannot use
// Middleware.
func (r *Registry) ObserveRequest(route, method string, status int, took time.Duration) {
	if !slices.Contains(methods, method) {
		method = "OTHER"
	}
	r.requests.Inc(route, method, strconv.Itoa(status))
	r.latency.Observe(took.Seconds(), route)
}

// Observe counts one source's answer to one overview: an outcome per
// producer, and the time it took. Its signature is that of kit.Config's and
// fanout.Fanout's Observe hook, which label a producer the portal does not
// list fanout.Unlisted: a label never holds an ID from a source's data.
func (r *Registry) Observe(source string, outcomes []cases.Outcome, took time.Duration) {
	for _, o := range outcomes {
		r.outcomes.Inc(source, o.Producer.ID, string(o.State))
	}
	r.sourceLatency.Observe(took.Seconds(), source)
}
