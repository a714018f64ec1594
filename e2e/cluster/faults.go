package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arendevy/arendevy/e2e/bench/faults"
	"github.com/arendevy/arendevy/kit/cases"
)

// The fault run's sources: one hangs, one answers 500, one sends garbage
// during the source-fault phase, and each is healthy otherwise.
var FaultSources = []string{"hub-hang", "hub-500", "hub-garbage"}

// sourceFaults is what each fault source does in its window and what every
// overview answered meanwhile must say about it.
var sourceFaults = []struct {
	source string
	mode   faults.Behaviour
	state  cases.State
}{
	{"hub-hang", faults.Silent, cases.Timeout},
	{"hub-500", faults.Broken, cases.Failed},
	{"hub-garbage", faults.Garbage, cases.Invalid},
}

// RunConfig shapes a fault run.
type RunConfig struct {
	// Clients is how many logged-in people ask for their overview; default 6.
	Clients int
	// Pause is each client's wait between two requests; default 100 ms.
	Pause time.Duration
	// Calm is how long the run watches before and after each fault; default 5 s.
	Calm time.Duration
	// Progress, when set, is told what the run is doing.
	Progress io.Writer
}

// Report is what a fault run counted.
type Report struct {
	Instances       int           `json:"instances"`
	Clients         int           `json:"clients"`
	Phases          []PhaseReport `json:"phases"`
	ReplaysTried    int           `json:"samlReplaysTried"`
	ReplaysAccepted int           `json:"samlReplaysAccepted"`
	RedisFailover   string        `json:"redisFailover"` // how long Sentinel took to promote
	// Drains counts instances stopped with SIGTERM (the drain and the
	// rolling restart); UnreadyFirst those whose /readyz answered 503
	// while they still served, before they stopped.
	Drains       int    `json:"drains"`
	UnreadyFirst int    `json:"unreadyFirst"`
	Took         string `json:"took"`
}

// PhaseReport is one phase's count.
type PhaseReport struct {
	Name string `json:"name"`
	// Sent counts requests (a retry is one more); OK counts 200 answers.
	Sent int `json:"sent"`
	OK   int `json:"ok"`
	// Retried counts requests that failed and were sent again once;
	// RetriedOK those whose second try was answered 200.
	Retried   int `json:"retried"`
	RetriedOK int `json:"retriedOK"`
	// Failed are first tries that did not answer 200 (retried or not), by why;
	// FailedAfterRetry are those still failing on the second try.
	Failed           map[string]int `json:"failed"`
	FailedAfterRetry map[string]int `json:"failedAfterRetry"`
	// SessionsLost counts a logged-in client asked to log in again (401).
	SessionsLost int `json:"sessionsLost"`
	// P50 and P99 are the overview's latency, of 200 answers, in ms.
	P50 float64 `json:"p50ms"`
	P99 float64 `json:"p99ms"`
	// FaultAnswers counts 200 answers inside the source-fault window and
	// FaultsUnreported those among them that did not report every fault.
	FaultAnswers     int `json:"faultAnswers"`
	FaultsUnreported int `json:"faultsUnreported"`
}

// phaseLog collects one phase's requests; safe for concurrent use.
type phaseLog struct {
	mu        sync.Mutex
	r         PhaseReport
	latencies []time.Duration
}

func newPhaseLog(name string) *phaseLog {
	return &phaseLog{r: PhaseReport{Name: name, Failed: map[string]int{}, FailedAfterRetry: map[string]int{}}}
}

func (l *phaseLog) report() PhaseReport {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.r
	slices.Sort(l.latencies)
	r.P50, r.P99 = percentile(l.latencies, 0.50), percentile(l.latencies, 0.99)
	return r
}

func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted)-1) + 0.5)
	return float64(sorted[i].Microseconds()) / 1000
}

// run is the state the clients and the schedule share.
type run struct {
	c      *Cluster
	cfg    RunConfig
	phase  atomic.Pointer[phaseLog]
	faulty atomic.Bool // the sources are broken now
}

// Run drives cfg.Clients logged-in clients through the cluster's balancer
// while it goes through the schedule of faults, and reports what they saw.
// The cluster must run with Sentinel, a balancer and FaultSources.
func Run(ctx context.Context, c *Cluster, cfg RunConfig) (Report, error) {
	if cfg.Clients <= 0 {
		cfg.Clients = 6
	}
	if cfg.Pause <= 0 {
		cfg.Pause = 100 * time.Millisecond
	}
	if cfg.Calm <= 0 {
		cfg.Calm = 5 * time.Second
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	for _, s := range FaultSources {
		if c.Hubs[s] == nil {
			return Report{}, fmt.Errorf("cluster: the fault run needs source %s", s)
		}
	}
	start := time.Now()
	rep := Report{Instances: len(c.Portals), Clients: cfg.Clients}
	r := &run{c: c, cfg: cfg}
	var logs []*phaseLog
	begin := func(name string) {
		fmt.Fprintf(cfg.Progress, "phase: %s\n", name)
		l := newPhaseLog(name)
		logs = append(logs, l)
		r.phase.Store(l)
	}
	// The clients, each logged in once; one captured SAML Response is kept
	// for the replay after the failover.
	clients := make([]*Client, cfg.Clients)
	var captured Captured
	for i := range clients {
		clients[i] = NewClient(c.URL)
		cp, err := clients[i].LogIn(ctx, i%3)
		if err != nil {
			return rep, err
		}
		if i == 0 {
			captured = cp
		}
	}
	begin("steady")
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i, cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.drive(runCtx, cl, i%3)
		}()
	}
	calm := func() {
		select {
		case <-ctx.Done():
		case <-time.After(cfg.Calm):
		}
	}
	err := func() error {
		calm()

		begin("SIGKILL portal-1, restart")
		if err := c.Portals[0].Kill(); err != nil {
			return err
		}
		calm()
		if err := c.Portals[0].Start(ctx); err != nil {
			return err
		}
		calm()

		restart := func(i int) error {
			unready, err := c.Restart(ctx, i)
			rep.Drains++
			if unready {
				rep.UnreadyFirst++
			}
			return err
		}
		begin("SIGTERM (drain) portal-2, restart")
		if err := restart(1); err != nil {
			return err
		}
		calm()

		begin("Redis primary stopped, Sentinel fails over")
		took, err := c.FailoverRedis(ctx)
		if err != nil {
			return err
		}
		rep.RedisFailover = took.Round(10 * time.Millisecond).String()
		calm()
		// The Response captured at the start, replayed to every instance
		// now that another Redis is primary: each must refuse it.
		for _, p := range c.Portals {
			rep.ReplaysTried++
			ok, err := Replay(ctx, p.URL, captured)
			if err != nil {
				return err
			}
			if ok {
				rep.ReplaysAccepted++
			}
		}

		begin("sources hang / 500 / garbage")
		for _, f := range sourceFaults {
			c.Hubs[f.source].set(f.mode)
		}
		// Answers to requests sent after this point must report every fault.
		r.faulty.Store(true)
		calm()
		calm()
		r.faulty.Store(false)
		for _, f := range sourceFaults {
			c.Hubs[f.source].set(faults.Healthy)
		}
		calm()

		begin("rolling restart")
		for i := range c.Portals {
			if err := restart(i); err != nil {
				return err
			}
		}
		calm()
		return nil
	}()
	stop()
	wg.Wait()
	for _, l := range logs {
		rep.Phases = append(rep.Phases, l.report())
	}
	rep.Took = time.Since(start).Round(time.Second).String()
	return rep, err
}

// drive is one client: overview after overview until ctx ends.
func (r *run) drive(ctx context.Context, cl *Client, persona int) {
	for ctx.Err() == nil {
		r.once(ctx, cl, persona)
		select {
		case <-ctx.Done():
		case <-time.After(r.cfg.Pause):
		}
	}
}

// loggedOut is why a request failed when the session was gone.
const loggedOut = "401 login again"

// once asks for the overview and, when that fails in flight, once more.
func (r *run) once(ctx context.Context, cl *Client, persona int) {
	l := r.phase.Load()
	faulty := r.faulty.Load()
	why, retry := r.ask(ctx, cl, l, faulty)
	if why == "" || ctx.Err() != nil {
		return
	}
	l.mu.Lock()
	l.r.Failed[why]++
	l.mu.Unlock()
	if why == loggedOut {
		l.mu.Lock()
		l.r.SessionsLost++
		l.mu.Unlock()
		_, _ = cl.LogIn(ctx, persona)
		return
	}
	if !retry {
		return
	}
	l.mu.Lock()
	l.r.Retried++
	l.mu.Unlock()
	why, _ = r.ask(ctx, cl, l, faulty && r.faulty.Load())
	l.mu.Lock()
	defer l.mu.Unlock()
	if why == "" {
		l.r.RetriedOK++
	} else if ctx.Err() == nil {
		l.r.FailedAfterRetry[why]++
	}
}

// ask sends one request and returns why it failed ("" when it did not)
// and whether a retry makes sense.
func (r *run) ask(ctx context.Context, cl *Client, l *phaseLog, faulty bool) (string, bool) {
	t0 := time.Now()
	status, ov, err := cl.Overview(ctx)
	took := time.Since(t0)
	l.mu.Lock()
	defer l.mu.Unlock()
	if ctx.Err() != nil {
		return "", false
	}
	l.r.Sent++
	switch {
	case err != nil && ov == nil && status == 0:
		return "no answer: " + shortErr(err), true
	case err != nil:
		return "not an overview", false
	case status == http.StatusUnauthorized:
		return loggedOut, false
	case status != http.StatusOK:
		return fmt.Sprintf("HTTP %d", status), status >= 500
	}
	l.r.OK++
	l.latencies = append(l.latencies, took)
	// Only a request that began and ended inside the window is sure to
	// have met the broken sources.
	if faulty && r.faulty.Load() {
		l.r.FaultAnswers++
		for _, f := range sourceFaults {
			if ov.State(f.source) != string(f.state) {
				l.r.FaultsUnreported++
				break
			}
		}
	}
	return "", false
}

func shortErr(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case strings.Contains(err.Error(), "connection refused"):
		return "connection refused"
	case strings.Contains(err.Error(), "EOF"), strings.Contains(err.Error(), "connection reset"):
		return "connection closed"
	}
	return "transport error"
}

// Table is the report as the table of docs/operations.md.
func (rep Report) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| phase | sent | 200 | failed, first try (why) | retried → 200 | failed after retry | sessions lost | p50 ms | p99 ms |\n")
	fmt.Fprintf(&b, "|---|---:|---:|---|---:|---|---:|---:|---:|\n")
	for _, p := range rep.Phases {
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %d/%d | %s | %d | %.0f | %.0f |\n",
			p.Name, p.Sent, p.OK, reasons(p.Failed), p.RetriedOK, p.Retried, reasons(p.FailedAfterRetry), p.SessionsLost, p.P50, p.P99)
	}
	for _, p := range rep.Phases {
		if p.FaultAnswers > 0 || p.Name == "sources hang / 500 / garbage" {
			fmt.Fprintf(&b, "\nSource faults: %d answers during the window, %d without every fault reported.\n", p.FaultAnswers, p.FaultsUnreported)
		}
	}
	fmt.Fprintf(&b, "SAML replays after the failover: %d tried, %d accepted. Sentinel promoted the replica in %s.\n",
		rep.ReplaysTried, rep.ReplaysAccepted, rep.RedisFailover)
	fmt.Fprintf(&b, "Drained with SIGTERM: %d instances, %d of them answered /readyz 503 while still serving. Run took %s.\n",
		rep.Drains, rep.UnreadyFirst, rep.Took)
	return b.String()
}

func reasons(m map[string]int) string {
	if len(m) == 0 {
		return "0"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return strings.Join(parts, ", ")
}
