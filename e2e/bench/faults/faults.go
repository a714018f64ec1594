// Package faults is the resilience harness of the benchmarks: producers
// behind the kit's fan-out, each a hub-like HTTPS server on loopback that
// speaks the hub contract over mutual TLS and is reached through the kit's
// own hub client, where some answer well, one answers late, some never
// answer, one fails and one sends garbage. Compare then checks one overview
// answer against what the plan says must be in it: every healthy producer's
// cases, and every failing producer reported as failed.
package faults

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/arendevy/arendevy/e2e/bench/synth"
	"github.com/arendevy/arendevy/e2e/testpki"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/hub"
	"github.com/arendevy/arendevy/kit/producers"
)

// Behaviour is how one producer answers.
type Behaviour string

const (
	Healthy Behaviour = "healthy" // answers at once with its cases
	Slow    Behaviour = "slow"    // answers with its cases after Plan.Slow
	Silent  Behaviour = "silent"  // never answers
	Broken  Behaviour = "broken"  // answers 500
	Garbage Behaviour = "garbage" // answers 200 with a body that is not the contract
)

// margin is how far the slow producer must be from the deadline for the
// plan to say which side of it it lands on.
const margin = 250 * time.Millisecond

// ErrPlan is returned for a plan whose outcome could not be foretold.
var ErrPlan = errors.New("faults: plan")

// Plan is the producers and the overview's deadline.
type Plan struct {
	// Deadline bounds the whole overview (kit.Config.Deadline).
	Deadline time.Duration
	// Slow is how late a Slow producer answers.
	Slow time.Duration
	// Producers are the behaviours, one per producer.
	Producers []Behaviour
	// CasesEach is how many cases each producer has for the customer.
	CasesEach int
}

// Standard is the plan of the issue: ten producers, of which two never
// answer, one answers 500, one answers garbage and one answers after 2 s,
// under the kit's default deadline of 3 s.
func Standard() Plan {
	return Plan{
		Deadline:  fanout.DefaultDeadline,
		Slow:      2 * time.Second,
		Producers: []Behaviour{Healthy, Silent, Healthy, Broken, Healthy, Slow, Healthy, Garbage, Healthy, Silent},
		CasesEach: 10,
	}
}

// Expectation is what every overview answer must show.
type Expectation struct {
	// Healthy producers and how many cases each must show.
	Healthy map[string]int
	// Failing producers and the state each must be reported with.
	Failing map[string]cases.State
}

// Expectation says what every overview answer under the plan must show.
// The slow producer is healthy when it answers well within the deadline and
// a timeout when it answers well after; in between the plan is refused.
func (p Plan) Expectation() (Expectation, error) {
	ps, err := p.producers(time.Now())
	if err != nil {
		return Expectation{}, err
	}
	return p.expect(ps)
}

// producers are the plan's producers with their synthetic cases.
func (p Plan) producers(now time.Time) ([]synth.Producer, error) {
	if p.Deadline <= 0 || p.Slow < 0 || len(p.Producers) == 0 || p.CasesEach < 0 {
		return nil, fmt.Errorf("%w: a deadline, a delay that is not negative and at least one producer are needed", ErrPlan)
	}
	ps, err := synth.Producers(p.CasesEach*len(p.Producers), len(p.Producers), now)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPlan, err)
	}
	return ps, nil
}

func (p Plan) expect(ps []synth.Producer) (Expectation, error) {
	e := Expectation{Healthy: map[string]int{}, Failing: map[string]cases.State{}}
	for i, b := range p.Producers {
		id := ps[i].Info.ID
		switch b {
		case Healthy:
			e.Healthy[id] = len(ps[i].Cases)
		case Slow:
			switch {
			case p.Slow+margin <= p.Deadline:
				e.Healthy[id] = len(ps[i].Cases)
			case p.Slow >= p.Deadline+margin:
				e.Failing[id] = cases.Timeout
			default:
				return Expectation{}, fmt.Errorf("%w: the slow producer's delay %s is within %s of the deadline %s", ErrPlan, p.Slow, margin, p.Deadline)
			}
		case Silent:
			e.Failing[id] = cases.Timeout
		case Broken:
			e.Failing[id] = cases.Failed
		case Garbage:
			e.Failing[id] = cases.Invalid
		default:
			return Expectation{}, fmt.Errorf("%w: unknown behaviour %q", ErrPlan, b)
		}
	}
	return e, nil
}

// Farm is the running producers.
type Farm struct {
	servers []*http.Server
	members []fanout.Member
	dir     *producers.Directory
	expect  Expectation
}

// Start starts one hub-like server per producer of the plan on loopback
// and builds a hub client for each. Close stops them.
func Start(plan Plan, now time.Time) (*Farm, error) {
	ps, err := plan.producers(now)
	if err != nil {
		return nil, err
	}
	expect, err := plan.expect(ps)
	if err != nil {
		return nil, err
	}
	dir, err := synth.Directory(ps)
	if err != nil {
		return nil, err
	}
	certs, err := testpki.New(now)
	if err != nil {
		return nil, err
	}
	f := &Farm{dir: dir, expect: expect}
	for i, b := range plan.Producers {
		body, err := wireOverview(ps[i])
		if err != nil {
			_ = f.Close()
			return nil, err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("faults: listen: %w", err)
		}
		srv := &http.Server{
			Handler:           producerHandler(b, plan.Slow, body),
			TLSConfig:         certs.ServerTLS(),
			ReadHeaderTimeout: 5 * time.Second,
			// Handshakes cut off by the client's deadline are expected here.
			ErrorLog: log.New(io.Discard, "", 0),
		}
		f.servers = append(f.servers, srv)
		go func() { _ = srv.ServeTLS(ln, "", "") }()

		client, err := hub.New(hub.Config{
			URL:  "https://" + ln.Addr().String() + "/",
			TLS:  certs.ClientTLS(),
			Name: "hub-" + ps[i].Info.ID, Actor: ps[i].Info.Actor(),
			// Longer than the overview's deadline, so that the kit's
			// deadline is the one that decides.
			Timeout: plan.Deadline + time.Second,
		})
		if err != nil {
			_ = f.Close()
			return nil, err
		}
		f.members = append(f.members, client.Member())
	}
	return f, nil
}

// Members are the producers as sources of the kit's fan-out.
func (f *Farm) Members() []fanout.Member { return f.members }

// Directory is the producers' directory (deep-link hosts, customer service).
func (f *Farm) Directory() *producers.Directory { return f.dir }

// Expectation is what every overview answer must show.
func (f *Farm) Expectation() Expectation { return f.expect }

// Close stops every producer; requests still waiting on a silent one end.
func (f *Farm) Close() error {
	var errs []error
	for _, s := range f.servers {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// Misbehave answers as a producer that is Silent (never: it waits until
// the request is given up), Broken (500) or sends Garbage (200 with a body
// that is not the contract), and reports whether b was one of those; the
// caller answers for the others.
func Misbehave(w http.ResponseWriter, r *http.Request, b Behaviour) bool {
	switch b {
	case Silent:
		<-r.Context().Done()
	case Broken:
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"type":"about:blank","title":"Internal Server Error","status":500}`)
	case Garbage:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"producers": [{"id": "x", "name": tru`)
	default:
		return false
	}
	return true
}

func producerHandler(b Behaviour, delay time.Duration, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/overview" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<16))
		if Misbehave(w, r, b) {
			return
		}
		if b == Slow {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(delay):
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

// wireOverview is the hub contract's answer (docs/hub-openapi.yaml) for one
// producer and the synthetic customer.
func wireOverview(p synth.Producer) ([]byte, error) {
	type party struct {
		Kind   string `json:"kind"`
		Number string `json:"number"`
	}
	type wireCase struct {
		ID           string          `json:"id"`
		Producer     string          `json:"producer"`
		Customer     party           `json:"customer"`
		Created      time.Time       `json:"created"`
		Updated      time.Time       `json:"updated"`
		StatusDate   time.Time       `json:"statusDate"`
		Title        string          `json:"title"`
		Status       cases.Status    `json:"status"`
		Forecast     *cases.Forecast `json:"forecast,omitempty"`
		CaseNumber   string          `json:"caseNumber,omitempty"`
		Category     string          `json:"category,omitempty"`
		Officer      string          `json:"officer,omitempty"`
		FreeText     string          `json:"freeText,omitempty"`
		PlannedEvent string          `json:"plannedEvent,omitempty"`
		PlannedTime  *time.Time      `json:"plannedTime,omitempty"`
		Pairs        []cases.Pair    `json:"pairs,omitempty"`
		Link         string          `json:"link,omitempty"`
	}
	type producer struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		State string `json:"state"`
	}
	doc := struct {
		Producers []producer `json:"producers"`
		Cases     []wireCase `json:"cases"`
	}{Producers: []producer{{ID: p.Info.ID, Name: p.Info.Name, State: "ok"}}, Cases: []wireCase{}}
	for _, c := range p.Cases {
		doc.Cases = append(doc.Cases, wireCase{
			// The hub client names a case producer + ":" + the hub's ID.
			ID:       strings.TrimPrefix(c.ID, p.Info.ID+":"),
			Producer: p.Info.ID, Customer: party{Kind: string(synth.Customer.Kind), Number: synth.Customer.Number},
			Created: c.Created, Updated: c.Updated, StatusDate: c.Date,
			Title: c.Title, Status: c.Status, Forecast: c.Forecast, CaseNumber: c.CaseNumber, Category: c.Category,
			Officer: c.Officer, FreeText: c.FreeText, PlannedEvent: c.PlannedEvent, PlannedTime: c.PlannedTime,
			Pairs: c.Pairs, Link: c.Link,
		})
	}
	return json.Marshal(doc)
}
