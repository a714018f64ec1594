package metrics

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/accesslog"
	"github.com/arendevy/arendevy/kit/cases"
)

// point is one sample line of the exposition.
type point struct {
	name   string
	labels map[string]string
	value  float64
}

type exposition struct {
	help, kind map[string]string
	points     []point
}

// parse reads the text exposition format strictly enough that a mistake in
// the writer fails the test: every sample belongs to a declared family,
// label values are quoted with the format's escapes, values are floats.
func parse(t *testing.T, text string) exposition {
	t.Helper()
	e := exposition{help: map[string]string{}, kind: map[string]string{}}
	require.True(t, strings.HasSuffix(text, "\n") || text == "", "ends with a newline")
	for line := range strings.SplitSeq(strings.TrimSuffix(text, "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, help, _ := strings.Cut(rest, " ")
			e.help[name] = strings.NewReplacer(`\\`, `\`, `\n`, "\n").Replace(help)
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, kind, _ := strings.Cut(rest, " ")
			require.Contains(t, []string{"counter", "histogram"}, kind)
			e.kind[name] = kind
			continue
		}
		p := point{labels: map[string]string{}}
		i := strings.IndexAny(line, "{ ")
		require.Positive(t, i, "sample line %q", line)
		p.name = line[:i]
		rest := line[i:]
		if rest[0] == '{' {
			rest = rest[1:]
			for rest[0] != '}' {
				name, after, ok := strings.Cut(rest, `="`)
				require.True(t, ok, "label in %q", line)
				var value strings.Builder
				j := 0
				for ; after[j] != '"'; j++ {
					if after[j] == '\\' {
						j++
						switch after[j] {
						case 'n':
							value.WriteByte('\n')
						case '\\', '"':
							value.WriteByte(after[j])
						default:
							t.Fatalf("bad escape in %q", line)
						}
						continue
					}
					require.NotEqual(t, byte('\n'), after[j])
					value.WriteByte(after[j])
				}
				p.labels[name] = value.String()
				rest = strings.TrimPrefix(after[j+1:], ",")
			}
			rest = rest[1:]
		}
		v, err := strconv.ParseFloat(strings.TrimPrefix(rest, " "), 64)
		require.NoError(t, err, "value of %q", line)
		p.value = v
		family := p.name
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(p.name, suffix); ok && e.kind[base] == "histogram" {
				family = base
			}
		}
		require.Contains(t, e.kind, family, "sample %q of an undeclared family", line)
		e.points = append(e.points, p)
	}
	return e
}

// get returns the value of the sample with exactly these labels.
func (e exposition) get(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	for _, p := range e.points {
		if p.name == name && fmt.Sprint(p.labels) == fmt.Sprint(labels) {
			return p.value
		}
	}
	t.Fatalf("no sample %s%v", name, labels)
	return 0
}

func (e exposition) count(name string) int {
	n := 0
	for _, p := range e.points {
		if p.name == name {
			n++
		}
	}
	return n
}

func scrape(t *testing.T, r *Registry) (exposition, string) {
	t.Helper()
	w := httptest.NewRecorder()
	r.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, ContentType, w.Header().Get("Content-Type"))
	require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	return parse(t, w.Body.String()), w.Body.String()
}

func TestMiddlewareCountsByRoutePattern(t *testing.T) {
	r := New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /arendevy/go/{token}", func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, "https://etjanst.example.se", http.StatusFound)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, req *http.Request) {})
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, req *http.Request) { panic("boom") })
	h := r.Middleware(nil)(mux)
	for _, req := range []struct{ method, target string }{
		{"GET", "/arendevy/go/secret-token-1"},
		{"GET", "/arendevy/go/secret-token-2?pnr=191212121212"},
		{"GET", "/healthz"},
		{"GET", "/191212121212"},
		{"BREW", "/healthz"},
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(req.method, req.target, nil))
	}
	require.Panics(t, func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/boom", nil)) })

	e, raw := scrape(t, r)
	require.NotContains(t, raw, "secret-token")
	require.NotContains(t, raw, "191212121212")
	require.Equal(t, "counter", e.kind["http_requests_total"])
	require.Equal(t, "histogram", e.kind["http_request_duration_seconds"])
	const total = "http_requests_total"
	require.Equal(t, 2.0, e.get(t, total, map[string]string{"route": "/arendevy/go/{token}", "method": "GET", "status": "302"}))
	require.Equal(t, 1.0, e.get(t, total, map[string]string{"route": "/healthz", "method": "GET", "status": "200"}))
	require.Equal(t, 1.0, e.get(t, total, map[string]string{"route": Unmatched, "method": "GET", "status": "404"}))
	require.Equal(t, 1.0, e.get(t, total, map[string]string{"route": Unmatched, "method": "OTHER", "status": "405"}),
		"an unknown method is OTHER, and a 405 matched no route")
	require.Equal(t, 1.0, e.get(t, total, map[string]string{"route": "/boom", "method": "GET", "status": "500"}),
		"a panic counts as 500")
	require.Equal(t, 2.0, e.get(t, "http_request_duration_seconds_count", map[string]string{"route": "/arendevy/go/{token}"}))
	require.Equal(t, 2.0, e.get(t, "http_request_duration_seconds_bucket", map[string]string{"route": "/arendevy/go/{token}", "le": "+Inf"}))
}

func TestMiddlewareInsideTheAccessLog(t *testing.T) {
	r := New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /x/{id}", func(w http.ResponseWriter, req *http.Request) {})
	h := accesslog.Middleware(slog.New(slog.DiscardHandler), nil)(r.Middleware(nil)(mux))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x/1", nil))
	e, _ := scrape(t, r)
	require.Equal(t, 1.0, e.get(t, "http_requests_total", map[string]string{"route": "/x/{id}", "method": "GET", "status": "200"}))
}

func TestMiddlewareRouteFunc(t *testing.T) {
	r := New()
	// A router that does not set r.Pattern, such as gin, names its route
	// through the route func.
	h := r.Middleware(func(*http.Request) string { return "/cases/:id" })(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/cases/abc", nil))
	e, _ := scrape(t, r)
	require.Equal(t, 1.0, e.get(t, "http_requests_total", map[string]string{"route": "/cases/:id", "method": "GET", "status": "200"}))
}

func TestObserveSourceOutcomes(t *testing.T) {
	r := New()
	vaxholm := cases.Actor{ID: "vaxholm", Name: "Vaxholms stad"}
	skv := cases.Actor{ID: "skatteverket", Name: "Skatteverket"}
	r.Observe("enav", []cases.Outcome{
		{Source: "enav", Producer: vaxholm, State: cases.OK, Cases: 3},
		{Source: "enav", Producer: skv, State: cases.Timeout},
	}, 30*time.Millisecond)
	r.Observe("enav", []cases.Outcome{{Source: "enav", Producer: vaxholm, State: cases.OK}}, 2*time.Second)
	r.Observe("demo", nil, time.Millisecond)

	e, _ := scrape(t, r)
	const outcomes = "arendevy_source_outcomes_total"
	require.Equal(t, 2.0, e.get(t, outcomes, map[string]string{"source": "enav", "producer": "vaxholm", "state": "ok"}))
	require.Equal(t, 1.0, e.get(t, outcomes, map[string]string{"source": "enav", "producer": "skatteverket", "state": "timeout"}))

	const buckets = "arendevy_source_duration_seconds_bucket"
	for le, want := range map[string]float64{"0.005": 0, "0.025": 0, "0.05": 1, "1": 1, "2.5": 2, "5": 2, "+Inf": 2} {
		require.Equal(t, want, e.get(t, buckets, map[string]string{"source": "enav", "le": le}), "le=%s", le)
	}
	require.InDelta(t, 2.03, e.get(t, "arendevy_source_duration_seconds_sum", map[string]string{"source": "enav"}), 1e-9)
	require.Equal(t, 1.0, e.get(t, "arendevy_source_duration_seconds_count", map[string]string{"source": "demo"}),
		"a source without outcomes still has its latency")
}

func TestHistogramBucketBounds(t *testing.T) {
	tests := []struct {
		v    float64
		want string // the smallest le that counts v
	}{
		{0, "0.005"}, {0.005, "0.005"}, {0.0051, "0.01"}, {1, "1"}, {5, "5"}, {5.01, "+Inf"},
	}
	for _, tt := range tests {
		t.Run(strconv.FormatFloat(tt.v, 'g', -1, 64), func(t *testing.T) {
			r := &Registry{families: map[string]family{}}
			h := r.NewHistogram("h", "help", DefaultBuckets)
			h.Observe(tt.v)
			var b strings.Builder
			_, err := r.WriteTo(&b)
			require.NoError(t, err)
			e := parse(t, b.String())
			first := ""
			prev := 0.0
			for _, p := range e.points {
				if p.name != "h_bucket" {
					continue
				}
				require.GreaterOrEqual(t, p.value, prev, "buckets are cumulative")
				prev = p.value
				if p.value == 1 && first == "" {
					first = p.labels["le"]
				}
			}
			require.Equal(t, tt.want, first)
			require.Equal(t, len(DefaultBuckets)+1, e.count("h_bucket"))
		})
	}
}

func TestEscaping(t *testing.T) {
	r := &Registry{families: map[string]family{}}
	c := r.NewCounter("escapes_total", "Help with a \\ backslash\nand a new line.", "value")
	odd := []string{`quote " here`, `back\slash`, "new\nline", "plain", "ünïcödé"}
	for _, v := range odd {
		c.Inc(v)
	}
	c.Add(2.5, "bad \xff utf-8")
	var b strings.Builder
	_, err := r.WriteTo(&b)
	require.NoError(t, err)
	require.True(t, utf8.ValidString(b.String()))
	require.Equal(t, len(odd)+3, strings.Count(b.String(), "\n"), "one line per sample plus HELP and TYPE: no raw new lines")
	e := parse(t, b.String())
	require.Equal(t, "Help with a \\ backslash\nand a new line.", e.help["escapes_total"])
	for _, v := range odd {
		require.Equal(t, 1.0, e.get(t, "escapes_total", map[string]string{"value": v}))
	}
	require.Equal(t, 2.5, e.get(t, "escapes_total", map[string]string{"value": "bad \uFFFD utf-8"}))
}

func TestSeriesAreCapped(t *testing.T) {
	r := New()
	for i := range MaxSeries + 5 {
		r.Observe("hub", []cases.Outcome{{Producer: cases.Actor{ID: fmt.Sprintf("p%d", i)}, State: cases.OK}}, time.Millisecond)
	}
	e, _ := scrape(t, r)
	require.Equal(t, MaxSeries+1, e.count("arendevy_source_outcomes_total"))
	require.Equal(t, 5.0, e.get(t, "arendevy_source_outcomes_total",
		map[string]string{"source": Overflow, "producer": Overflow, "state": Overflow}))
}

func TestConcurrentUse(t *testing.T) {
	r := New()
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				r.ObserveRequest("/x", "GET", 200, time.Duration(i)*time.Microsecond)
				r.Observe("src", []cases.Outcome{{Producer: cases.Actor{ID: strconv.Itoa(w % 2)}, State: cases.OK}}, time.Millisecond)
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			_, _ = r.WriteTo(&strings.Builder{})
		}
	})
	wg.Wait()
	e, _ := scrape(t, r)
	require.Equal(t, float64(workers*each), e.get(t, "http_requests_total", map[string]string{"route": "/x", "method": "GET", "status": "200"}))
	require.Equal(t, float64(workers*each), e.get(t, "http_request_duration_seconds_count", map[string]string{"route": "/x"}))
	require.Equal(t, float64(workers*each/2), e.get(t, "arendevy_source_outcomes_total", map[string]string{"source": "src", "producer": "0", "state": "ok"}))
}

func TestProgrammingErrorsPanic(t *testing.T) {
	tests := map[string]func(r *Registry){
		"bad metric name":  func(r *Registry) { r.NewCounter("1x", "h") },
		"bad label name":   func(r *Registry) { r.NewCounter("x", "h", "a-b") },
		"reserved label":   func(r *Registry) { r.NewHistogram("x", "h", DefaultBuckets, "le") },
		"registered twice": func(r *Registry) { r.NewCounter("http_requests_total", "h") },
		"unsorted buckets": func(r *Registry) { r.NewHistogram("x", "h", []float64{1, 0.5}) },
		"no buckets":       func(r *Registry) { r.NewHistogram("x", "h", nil) },
		"wrong label count": func(r *Registry) {
			r.NewCounter("x", "h", "a").Inc("1", "2")
		},
		"counter going down": func(r *Registry) { r.NewCounter("x", "h").Add(-1) },
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			require.Panics(t, func() { f(New()) })
		})
	}
}

func BenchmarkMiddleware(b *testing.B) {
	r := New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /x/{id}", func(w http.ResponseWriter, req *http.Request) {})
	h := r.Middleware(nil)(mux)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		// ServeMux sets the request's Pattern: one request per goroutine.
		req := httptest.NewRequest("GET", "/x/1", nil)
		w := httptest.NewRecorder()
		for pb.Next() {
			h.ServeHTTP(w, req)
		}
	})
}

// FuzzLabelValues: any label value, such as a producer ID from a hub, comes
// back unchanged from the exposition (invalid UTF-8 replaced), on one line.
func FuzzLabelValues(f *testing.F) {
	for _, seed := range []string{"vaxholm", `a"b\c`, "new\nline", "\xff", "", "}", `\n`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		r := &Registry{families: map[string]family{}}
		r.NewCounter("x_total", "h", "v").Inc(value)
		var b strings.Builder
		_, err := r.WriteTo(&b)
		require.NoError(t, err)
		e := parse(t, b.String())
		require.Len(t, e.points, 1)
		require.Equal(t, strings.ToValidUTF8(value, "\uFFFD"), e.points[0].labels["v"])
	})
}
