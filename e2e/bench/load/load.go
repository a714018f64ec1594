// Package load is a small closed-loop HTTP load generator for benchmarks on
// this machine: a fixed number of clients, each sending its next request as
// soon as the previous answer has been read, for a fixed time. It records
// the latency of every request and computes exact percentiles from the
// sorted samples, so a p99 is a real request's latency, not a bucket bound.
//
// It only ever talks to loopback addresses: a URL naming any other host is
// refused, the dialer refuses any other address whatever a name resolves
// to, and redirects are not followed.
package load

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Bounds of a run: the generator is for benchmarks, not for flooding.
const (
	MaxClients  = 1000
	MaxDuration = 30 * time.Minute
	// DefaultTimeout bounds one request unless Config.Timeout says otherwise.
	DefaultTimeout = 10 * time.Second
	// keptFailures is how many failure messages a Result keeps; the count
	// stays exact.
	keptFailures = 5
)

var (
	// ErrConfig is returned for a Config outside the bounds.
	ErrConfig = errors.New("load: config")
	// ErrNotLoopback is returned for a target that is not on this machine.
	ErrNotLoopback = errors.New("load: target is not a loopback address")
)

// Config is one run.
type Config struct {
	// URL is requested with GET by every client; its host must be a
	// loopback IP literal or "localhost".
	URL string
	// Clients is the number of concurrent clients (1 to MaxClients).
	Clients int
	// Duration is how long clients start new requests (up to MaxDuration).
	// Requests in flight when it ends are completed and counted.
	Duration time.Duration
	// Ramp spreads the clients' starts evenly over this time, client i
	// starting at i × Ramp / Clients; zero starts them all at once. Clients
	// whose turn would come after Duration send nothing. When every answer
	// takes about as long (a deadline), clients started together stay in
	// lock-step and arrive as one burst at every turn: a ramp of one answer's
	// time spreads them out as independent users would be.
	Ramp time.Duration
	// Header is sent with every request, e.g. the session cookie.
	Header http.Header
	// Timeout bounds one request, answer read included; default DefaultTimeout.
	Timeout time.Duration
	// Check judges an answer; nil: status 200 succeeds. It is called
	// concurrently from every client and gets the whole body, which is
	// valid during the call only.
	Check func(status int, body []byte) error
}

// Latency summarises the latencies of a run's requests.
type Latency struct {
	Min  time.Duration `json:"min"`
	Mean time.Duration `json:"mean"`
	P50  time.Duration `json:"p50"`
	P95  time.Duration `json:"p95"`
	P99  time.Duration `json:"p99"`
	Max  time.Duration `json:"max"`
}

// Result is what a run measured.
type Result struct {
	Clients  int           `json:"clients"`
	Elapsed  time.Duration `json:"elapsed"`  // from the first request to the last answer
	Requests int           `json:"requests"` // answered or failed, every one counted
	Failures int           `json:"failures"` // transport errors and answers Check refused
	// FailureSamples are the first few failure messages.
	FailureSamples []string `json:"failureSamples,omitempty"`
	Latency        Latency  `json:"latency"`
	// PerSecond is Requests divided by Elapsed.
	PerSecond float64 `json:"perSecond"`
}

// Run sends requests until cfg.Duration has passed or ctx is done,
// whichever is first, and returns what it measured. A run cut short by ctx
// returns what it has with ctx's error.
func Run(ctx context.Context, cfg Config) (Result, error) {
	u, err := cfg.validate()
	if err != nil {
		return Result{}, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	dialer := loopbackDialer()
	type tally struct {
		samples  []time.Duration
		failures int
		messages []string
	}
	tallies := make([]tally, cfg.Clients)
	start := time.Now()
	end := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for i := range tallies {
		wg.Go(func() {
			t := &tallies[i]
			c := newConn(u, cfg.Header, dialer)
			defer c.close()
			if cfg.Ramp > 0 {
				turn := min(cfg.Ramp*time.Duration(i)/time.Duration(cfg.Clients), cfg.Duration)
				wait := time.NewTimer(time.Until(start.Add(turn)))
				select {
				case <-ctx.Done():
				case <-wait.C:
				}
				wait.Stop()
			}
			for ctx.Err() == nil && time.Now().Before(end) {
				took, err := once(ctx, c, cfg)
				if ctx.Err() != nil && err != nil {
					return // cut short by the caller: not the target's failure
				}
				t.samples = append(t.samples, took)
				if err != nil {
					t.failures++
					if len(t.messages) < keptFailures {
						t.messages = append(t.messages, err.Error())
					}
				}
			}
		})
	}
	wg.Wait()

	res := Result{Clients: cfg.Clients, Elapsed: time.Since(start)}
	var all []time.Duration
	for _, t := range tallies {
		all = append(all, t.samples...)
		res.Failures += t.failures
		for _, m := range t.messages {
			if len(res.FailureSamples) < keptFailures {
				res.FailureSamples = append(res.FailureSamples, m)
			}
		}
	}
	res.Requests = len(all)
	res.Latency = Summarise(all)
	if res.Elapsed > 0 {
		res.PerSecond = float64(res.Requests) / res.Elapsed.Seconds()
	}
	return res, ctx.Err()
}

// once sends one request and reads its answer, and says how long that took.
func once(ctx context.Context, c *conn, cfg Config) (time.Duration, error) {
	start := time.Now()
	status, body, err := c.do(ctx, start.Add(cfg.Timeout))
	took := time.Since(start)
	switch {
	case err != nil:
		return took, err
	case cfg.Check != nil:
		return took, cfg.Check(status, body)
	case status != http.StatusOK:
		return took, fmt.Errorf("status %d", status)
	}
	return took, nil
}

// validate checks cfg and returns its URL.
func (cfg Config) validate() (*url.URL, error) {
	var problems []string
	if cfg.Clients < 1 || cfg.Clients > MaxClients {
		problems = append(problems, fmt.Sprintf("Clients: must be 1 to %d", MaxClients))
	}
	if cfg.Duration <= 0 || cfg.Duration > MaxDuration {
		problems = append(problems, fmt.Sprintf("Duration: must be above 0 and at most %s", MaxDuration))
	}
	if cfg.Ramp < 0 || cfg.Ramp > MaxDuration {
		problems = append(problems, fmt.Sprintf("Ramp: must be 0 to %s", MaxDuration))
	}
	if cfg.Timeout < 0 {
		problems = append(problems, "Timeout: must not be negative")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrConfig, strings.Join(problems, "; "))
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("%w: URL: want http://host[:port]/path", ErrConfig)
	}
	if !IsLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("%w: %q", ErrNotLoopback, u.Hostname())
	}
	return u, nil
}

// IsLoopbackHost reports whether host is "localhost" or a loopback IP
// literal (127.0.0.0/8, ::1).
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// NewTransport returns a transport for clients concurrent clients: one
// kept-alive connection each, and a dialer that refuses any address that
// is not loopback, whatever a name resolved to.
func NewTransport(clients int) *http.Transport {
	return &http.Transport{
		Proxy:               nil, // a proxy would be somewhere else
		DialContext:         loopbackDialer().DialContext,
		MaxIdleConns:        clients,
		MaxIdleConnsPerHost: clients,
		MaxConnsPerHost:     clients,
		IdleConnTimeout:     30 * time.Second,
	}
}

// loopbackDialer refuses any address that is not loopback, whatever a name
// resolved to.
func loopbackDialer() *net.Dialer {
	return &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil || !IsLoopbackHost(host) {
				return fmt.Errorf("%w: %s", ErrNotLoopback, address)
			}
			return nil
		},
	}
}

// Summarise computes the latency summary of samples; it sorts samples.
func Summarise(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	slices.Sort(samples)
	var sum time.Duration
	for _, s := range samples {
		sum += s
	}
	return Latency{
		Min:  samples[0],
		Mean: sum / time.Duration(len(samples)),
		P50:  Percentile(samples, 50),
		P95:  Percentile(samples, 95),
		P99:  Percentile(samples, 99),
		Max:  samples[len(samples)-1],
	}
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted samples by
// the nearest-rank method: the smallest sample that at least p % of all
// samples do not exceed. It returns 0 for no samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	// p × n before the division keeps whole ranks exact (95 % of 100 is 95, not 95.000…1).
	rank := int(math.Ceil(p * float64(len(sorted)) / 100))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
