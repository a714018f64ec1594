package cases

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/arendevy/arendevy/kit/identity"
)

// Source is where cases come from: a hub, a producer, the Mina ärenden
// forwarding service, or demo data. Overview is called once per request and
// must return promptly when ctx is done.
//
// A Source reports per producer in Result.Outcomes. It returns an error only
// when it got nothing usable at all; the caller turns that into an outcome.
type Source interface {
	Overview(ctx context.Context, subject identity.Subject) (Result, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context, subject identity.Subject) (Result, error)

// Overview calls f.
func (f SourceFunc) Overview(ctx context.Context, s identity.Subject) (Result, error) {
	return f(ctx, s)
}

// Result is what a source answers: valid cases and one outcome per producer
// (or per source, when it cannot tell producers apart).
type Result struct {
	Cases    []Case
	Outcomes []Outcome
}

// State is how a source or producer fared for one request.
type State string

const (
	OK      State = "ok"      // answered; every case valid
	Timeout State = "timeout" // did not answer within its deadline
	Failed  State = "error"   // answered with an error, or could not be reached
	Invalid State = "invalid" // answered, but some or all of its data was rejected
	Busy    State = "busy"    // not asked: too many requests to it already in flight
)

// Outcome tells the user and the portal how one producer fared. Its fields
// carry no case data and no identity. What goes to the browser is fixed
// words (State, Truncated's Reason and Unit, the problems' reasons), counts
// and field paths: Message is for the server's log alone.
type Outcome struct {
	Source    string      `json:"source"`              // the configured source's name
	Producer  Actor       `json:"producer"`            // whose cases these are; ID may equal Source
	State     State       `json:"state"`               //
	Cases     int         `json:"cases"`               // cases shown
	Rejected  int         `json:"rejected"`            // cases rejected as invalid, not shown
	Unlinked  int         `json:"unlinked"`            // cases shown without their deep link, which was unsafe
	Problems  []Problem   `json:"problems,omitempty"`  // why, field by field (first few)
	Truncated *Truncation `json:"truncated,omitempty"` // the answer was cut: cases may be missing
	// Message is the technical reason, for the server's log: it may name
	// hosts, ports and correlation ids, so it never goes to the browser.
	Message  string        `json:"-"`
	Duration time.Duration `json:"-"`
	// CorrelationID is the id the source's request carried
	// (WithCorrelationID), for the log line a support code finds; like
	// Message it never goes to the browser.
	CorrelationID string `json:"-"`
}

// Truncation says that a producer's cases may be missing though its source
// answered: the answer was cut, by the kit's limits or by the source.
type Truncation struct {
	Reason Cut `json:"reason"`
	// Unit is what Shown and Total count: cases, or (for a source of
	// events such as Mina ärenden) events, from which cases are derived.
	Unit Counted `json:"unit,omitempty"`
	// Shown is how many were used; Total how many the source said there
	// were, or 0 when it did not say. Both are 0 for CutPartial.
	Shown int `json:"shown"`
	Total int `json:"total,omitempty"`
}

// Cut is why an answer was cut short.
type Cut string

const (
	// CutLimit: the answer passed the kit's limit (the hub's 5,000 cases,
	// Mina ärenden's pages); the first Shown are used, newest first where
	// the source sorts.
	CutLimit Cut = "limit"
	// CutFailedPage: a later page of the answer failed; the pages before it
	// are used.
	CutFailedPage Cut = "failed_page"
	// CutPartial: the source said its answer was partial without saying
	// what is missing.
	CutPartial Cut = "partial"
	// CutWindow: the source looks back a limited time (Mina ärenden's
	// startDatum) and has older events than it fetched; Total counts them
	// (Unit), Shown is 0. The user may ask for the next window back
	// (WithOlder).
	CutWindow Cut = "window"
)

// Counted is what a Truncation counts.
type Counted string

const (
	CountedCases  Counted = "cases"
	CountedEvents Counted = "events"
)

// MaxProblems caps the problems kept per outcome; the count stays exact.
const MaxProblems = 20

// Settle validates everything a source answered and accounts for it. Every
// case is checked; an invalid one is never shown and never silently dropped:
// it is counted in Rejected of its producer's outcome, with its problems.
// Cases are attributed to the outcome whose producer is their sender; a sender
// the source gave no outcome for gets one of its own. A source that answered
// nothing at all gets one outcome under fallback. Cases a source could not
// even decode it counts in its outcome's Rejected; that count is kept.
//
// The answer's slice is handed on as it is when every case is shown
// unchanged, as nearly always: cases are copied only from the first one
// rejected or stripped of its link.
func Settle(source string, fallback Actor, r Result) Result {
	var out Result
	now := time.Now()
	// Until the first change copies them (out.Cases is set), the cases
	// shown are r.Cases[:kept].
	kept := 0
	change := func() {
		if out.Cases == nil {
			out.Cases = append(make([]Case, 0, len(r.Cases)), r.Cases[:kept]...)
		}
	}
	index := map[string]int{}
	outcome := func(a Actor) *Outcome {
		if i, ok := index[a.ID]; ok {
			return &out.Outcomes[i]
		}
		index[a.ID] = len(out.Outcomes)
		out.Outcomes = append(out.Outcomes, Outcome{Source: source, Producer: a, State: OK})
		return &out.Outcomes[len(out.Outcomes)-1]
	}
	for _, o := range r.Outcomes {
		o.Source = source
		if _, seen := index[o.Producer.ID]; !seen {
			index[o.Producer.ID] = len(out.Outcomes)
			o.Cases = 0 // counted below; Rejected keeps what the source rejected while decoding
			if o.Rejected > 0 && o.State == OK {
				o.State = Invalid
			}
			out.Outcomes = append(out.Outcomes, o)
		}
	}
	for i := range r.Cases {
		c := &r.Cases[i]
		var o *Outcome
		if c.Sender.ID != "" {
			o = outcome(c.Sender)
		} else {
			o = outcome(fallback)
		}
		unlinked := false
		if c.Link != "" {
			// An unsafe link costs the case its link, not its place in the
			// overview: the user still sees it, with the information page.
			if reason := CheckLink(c.Link); reason != "" {
				unlinked = true
				o.Unlinked++
				o.addProblem(Problem{Field: fmt.Sprintf("cases[%d].link", i), Reason: reason})
			}
		}
		ps := c.problems(false, now) // the link is checked above
		if len(ps) == 0 {
			o.Cases++
			switch {
			case unlinked:
				change()
				shown := *c
				shown.Link = ""
				out.Cases = append(out.Cases, shown)
			case out.Cases != nil:
				out.Cases = append(out.Cases, *c)
			default:
				kept++
			}
			continue
		}
		change()
		o.Rejected++
		if o.State == OK {
			o.State = Invalid
		}
		for _, p := range ps {
			p.Field = fmt.Sprintf("cases[%d].%s", i, p.Field)
			o.addProblem(p)
		}
	}
	if len(out.Outcomes) == 0 {
		outcome(fallback)
	}
	if out.Cases == nil {
		out.Cases = r.Cases[:kept:kept]
	}
	return out
}

func (o *Outcome) addProblem(p Problem) {
	if len(o.Problems) < MaxProblems {
		o.Problems = append(o.Problems, p)
	}
}

// ErrInvalidResponse marks an answer that could not be decoded at all.
var ErrInvalidResponse = errors.New("invalid response")

// FailedOutcome turns a source error into an outcome: a timeout when the
// deadline passed or a step of the call ran out of time (dial, TLS
// handshake, waiting for the answer), invalid when the answer could not be
// decoded, else error.
func FailedOutcome(source string, producer Actor, err error) Outcome {
	o := Outcome{Source: source, Producer: producer, State: Failed, Message: err.Error()}
	var step interface{ Timeout() bool }
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &step) && step.Timeout():
		o.State, o.Message = Timeout, "no answer within the deadline"
	case errors.Is(err, ErrInvalidResponse):
		o.State = Invalid
	}
	return o
}
