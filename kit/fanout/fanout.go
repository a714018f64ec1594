// Package fanout asks several sources at once and merges their answers. Each
// source has its own deadline and the whole overview has one too: a slow,
// failing or garbage-returning source becomes a visible outcome while every
// other source's cases are shown.
package fanout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
)

// DefaultDeadline is how long an overview may take in all.
const DefaultDeadline = 3 * time.Second

// Unlisted is the producer that Observe and the log are told about in place
// of one the portal does not list: its ID and name came from a source's
// data (a hub's producer list, a producer's name in Mina ärenden) and could
// be anything, an identity number or a person's name among them.
const Unlisted = "unlisted"

// Member is one source behind the fan-out.
type Member struct {
	// Name identifies the source in outcomes, logs and metrics.
	Name string
	// Actor is who the user is told about when the source as a whole fails
	// (for a hub, the hub's operator; for one producer, the producer).
	Actor cases.Actor
	// Source answers for the member.
	Source cases.Source
	// Timeout bounds this member; zero or larger than the overall deadline
	// means the overall deadline.
	Timeout time.Duration
	// MaxConcurrent caps the requests to this source in flight at once,
	// over every overview of the process; zero: no cap. A request that
	// cannot get a place within Timeout is not sent: the source is shown
	// as Busy, so a surge of users queues here instead of at the producer.
	MaxConcurrent int
}

// Fanout is a cases.Source over several members.
type Fanout struct {
	Members  []Member
	Deadline time.Duration // zero means DefaultDeadline
	Logger   *slog.Logger  // nil means slog.Default()
	// Observe, when set, is called once per member and request with the
	// member's outcomes and how long it took (metrics hook). A producer
	// neither Listed nor a member's actor is Unlisted there, in ID and name.
	Observe func(member string, outcomes []cases.Outcome, took time.Duration)
	// Listed reports whether a producer ID is one of the portal's own (in
	// its directory of producers), which may be logged and labelled; nil:
	// only the members' actors are.
	Listed func(producerID string) bool

	slotsOnce sync.Once
	slots     []chan struct{} // per member with MaxConcurrent; nil: no cap
}

// slot is member i's semaphore, or nil when it has no cap. Members are
// fixed once the first overview is asked for.
func (f *Fanout) slot(i int) chan struct{} {
	f.slotsOnce.Do(func() {
		f.slots = make([]chan struct{}, len(f.Members))
		for j, m := range f.Members {
			if m.MaxConcurrent > 0 {
				f.slots[j] = make(chan struct{}, m.MaxConcurrent)
			}
		}
	})
	return f.slots[i]
}

type answer struct {
	i        int
	result   cases.Result
	answered bool // result is the source's answer, still to be settled
	took     time.Duration
}

// Overview asks every member concurrently and returns when all have answered
// or the deadline has passed, whichever is first. It never returns an error:
// failures are outcomes.
func (f *Fanout) Overview(ctx context.Context, subject identity.Subject) (cases.Result, error) {
	deadline := f.Deadline
	if deadline <= 0 {
		deadline = DefaultDeadline
	}
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()

	answers := make(chan answer, len(f.Members)) // buffered: a late member never blocks
	// One correlation id per member and request: its client sends it, and
	// its outcomes name it, even when the member never answers.
	ids := make([]string, len(f.Members))
	for i, m := range f.Members {
		ids[i] = cases.NewCorrelationID()
		go func() { answers <- f.ask(cases.WithCorrelationID(ctx, ids[i]), i, m, subject) }()
	}

	got := make([]*cases.Result, len(f.Members))
	for pending := len(f.Members); pending > 0; pending-- {
		select {
		case a := <-answers:
			if a.answered {
				// Validation is work for this request's goroutine, not the
				// member's: the member's is there to wait for its source.
				f.settle(ctx, f.Members[a.i], &a)
			}
			for j := range a.result.Outcomes {
				a.result.Outcomes[j].Duration = a.took
				a.result.Outcomes[j].CorrelationID = ids[a.i]
			}
			got[a.i] = &a.result
			f.observe(f.Members[a.i].Name, a.result.Outcomes, a.took)
		case <-ctx.Done():
			pending = 0
		}
	}

	n := 0
	for _, r := range got {
		if r != nil {
			n += len(r.Cases)
		}
	}
	out := cases.Result{Cases: make([]cases.Case, 0, n), Outcomes: make([]cases.Outcome, 0, len(f.Members))}
	for i, m := range f.Members {
		r := got[i]
		if r == nil { // still out when the overall deadline passed
			o := cases.FailedOutcome(m.Name, m.Actor, context.DeadlineExceeded)
			o.CorrelationID = ids[i]
			f.log().LogAttrs(ctx, slog.LevelWarn, "source did not answer in time",
				slog.String("source", m.Name), slog.Duration("deadline", deadline))
			f.observe(m.Name, []cases.Outcome{o}, deadline)
			r = &cases.Result{Outcomes: []cases.Outcome{o}}
		}
		out.Cases = append(out.Cases, r.Cases...)
		out.Outcomes = append(out.Outcomes, r.Outcomes...)
	}
	return out, nil
}

func (f *Fanout) ask(ctx context.Context, i int, m Member, subject identity.Subject) (a answer) {
	start := time.Now()
	a.i = i
	defer func() {
		a.took = time.Since(start)
		if p := recover(); p != nil {
			// A panicking source must not take the overview down. The panic
			// value may hold case data, so only its type is logged.
			f.log().Error("source panicked", slog.String("source", m.Name), slog.String("type", fmt.Sprintf("%T", p)))
			a.result = cases.Result{Outcomes: []cases.Outcome{cases.FailedOutcome(m.Name, m.Actor, errors.New("internal error in source"))}}
		}
	}()
	if m.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, m.Timeout)
		defer cancel()
	}
	if slot := f.slot(i); slot != nil {
		select {
		case slot <- struct{}{}:
			defer func() { <-slot }()
		case <-ctx.Done():
			o := cases.Outcome{Source: m.Name, Producer: m.Actor, State: cases.Busy, Message: "too many requests to this source in flight"}
			f.log().LogAttrs(ctx, slog.LevelWarn, "source busy", slog.String("source", m.Name), slog.Int("max_concurrent", m.MaxConcurrent))
			a.result = cases.Result{Outcomes: []cases.Outcome{o}}
			return a
		}
	}
	r, err := m.Source.Overview(ctx, subject)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // answered, but too late to count
	}
	if err != nil {
		o := cases.FailedOutcome(m.Name, m.Actor, err)
		// The error is the client's words about the answer (status, field
		// path, correlation id), never the answer's own text.
		f.log().LogAttrs(ctx, slog.LevelWarn, "source failed", slog.String("source", m.Name), slog.String("state", string(o.State)), slog.String("error", o.Message))
		a.result = cases.Result{Outcomes: []cases.Outcome{o}}
		return a
	}
	a.result, a.answered = r, true
	return a
}

// settle validates a member's answer (cases.Settle) and logs every
// producer that did not fare well.
func (f *Fanout) settle(ctx context.Context, m Member, a *answer) {
	a.result = cases.Settle(m.Name, m.Actor, a.result)
	for _, o := range a.result.Outcomes {
		if o.State != cases.OK || o.Truncated != nil {
			f.log().LogAttrs(ctx, slog.LevelWarn, "producer outcome", slog.String("source", m.Name), slog.String("producer", f.Label(o.Producer.ID)),
				slog.String("state", string(o.State)), slog.Int("rejected", o.Rejected), slog.String("error", o.Message))
		}
	}
}

// Label is a producer's ID as logs and metrics may name it: one the
// portal's directory lists (Listed) or a member's own actor, else Unlisted.
func (f *Fanout) Label(id string) string {
	if f.Listed != nil && f.Listed(id) {
		return id
	}
	for _, m := range f.Members {
		if m.Actor.ID == id {
			return id
		}
	}
	return Unlisted
}

// observe hands Observe the outcomes with every producer it may not name
// made Unlisted; the outcomes themselves, which the page shows, keep theirs.
func (f *Fanout) observe(name string, os []cases.Outcome, took time.Duration) {
	if f.Observe == nil {
		return
	}
	labelled, copied := os, false
	for i, o := range os {
		if id := f.Label(o.Producer.ID); id != o.Producer.ID {
			if !copied {
				labelled, copied = slices.Clone(os), true
			}
			labelled[i].Producer = cases.Actor{ID: id, Name: id}
		}
	}
	f.Observe(name, labelled, took)
}

func (f *Fanout) log() *slog.Logger {
	if f.Logger != nil {
		return f.Logger
	}
	return slog.Default()
}
