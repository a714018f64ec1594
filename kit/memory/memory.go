// Package memory is a case source that holds its cases in memory, loaded from
// a JSON document: the demo data of the reference portal, fixtures for tests,
// and a way for a portal to try the kit before any producer is connected.
//
// A Data is the whole document after every check has passed: the producer
// directory, the personas a development IdP can log in as (with whom each may
// act for), and the cases per customer, and which producers the demo makes
// fail for whom. It is immutable and safe for
// concurrent use; every accessor returns copies.
package memory

import (
	"context"
	"errors"
	"slices"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/producers"
)

// ErrNoMandate is returned by Overview when the user acts for a customer the
// document gives them no mandate for (no actsFor entry). Like a real hub, the
// source refuses rather than trusting whoever built the subject.
var ErrNoMandate = errors.New("memory: the user holds no mandate for this customer")

// Persona is somebody a development IdP can log in as.
type Persona struct {
	// Party is the persona: its normalised number, the kind the number
	// implies, and its name.
	Party identity.Party
	// Description is a short role text for a picker, e.g. "Privatperson / Private person".
	Description string
	// ActsFor are the parties this persona holds a mandate for, with their
	// names and kinds, in the document's order.
	ActsFor []identity.Party
}

// Data is a loaded case document. It implements cases.Source.
type Data struct {
	dir      *producers.Directory
	personas []Persona
	persona  map[string]int          // normalised number → index in personas
	cases    map[string][]cases.Case // normalised customer number → cases, in document order
	outages  map[string][]string     // normalised customer number → producers that fail for them
}

var _ cases.Source = (*Data)(nil)

// Overview returns copies of the customer's cases and one OK outcome per
// producer in the directory, so the view can name every connected producer
// even when none of its cases concern this customer. Validation and counting
// are left to cases.Settle, as for every source.
func (d *Data) Overview(ctx context.Context, subject identity.Subject) (cases.Result, error) {
	if err := ctx.Err(); err != nil {
		return cases.Result{}, err
	}
	if subject.IsAgent() && !d.mayActFor(subject.User.Number, subject.ActingFor.Number) {
		return cases.Result{}, ErrNoMandate
	}
	number, _, err := identity.ParseNumber(subject.Customer().Number)
	if err != nil {
		number = ""
	}
	down := d.outages[number]
	infos := d.dir.All()
	res := cases.Result{Outcomes: make([]cases.Outcome, 0, len(infos))}
	for _, in := range infos {
		o := cases.Outcome{Producer: in.Actor(), State: cases.OK}
		if slices.Contains(down, in.ID) {
			o.State, o.Message = cases.Failed, "the demo data makes this producer unavailable for this customer"
		}
		res.Outcomes = append(res.Outcomes, o)
	}
	stored := d.cases[number]
	res.Cases = make([]cases.Case, 0, len(stored))
	for _, c := range stored {
		if !slices.Contains(down, c.Sender.ID) { // a producer that is down sends nothing
			res.Cases = append(res.Cases, cloneCase(c))
		}
	}
	return res, nil
}

// Directory is the document's producer directory.
func (d *Data) Directory() *producers.Directory { return d.dir }

// Personas returns every persona in the document's order.
func (d *Data) Personas() []Persona {
	out := make([]Persona, len(d.personas))
	for i, p := range d.personas {
		out[i] = clonePersona(p)
	}
	return out
}

// Persona returns the persona with number (any form ParseNumber accepts).
func (d *Data) Persona(number string) (Persona, bool) {
	n, _, err := identity.ParseNumber(number)
	if err != nil {
		return Persona{}, false
	}
	i, ok := d.persona[n]
	if !ok {
		return Persona{}, false
	}
	return clonePersona(d.personas[i]), true
}

// Principals returns whom the persona with userNumber may act for, with names
// and kinds; nil for an unknown persona or one without mandates.
func (d *Data) Principals(userNumber string) []identity.Party {
	p, ok := d.Persona(userNumber)
	if !ok {
		return nil
	}
	return p.ActsFor
}

func (d *Data) mayActFor(user, customer string) bool {
	c, _, err := identity.ParseNumber(customer)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(d.Principals(user), func(p identity.Party) bool { return p.Number == c })
}

func clonePersona(p Persona) Persona {
	p.ActsFor = slices.Clone(p.ActsFor)
	return p
}

// cloneCase copies everything a case refers to, so that a caller changing a
// returned case can never change the store.
func cloneCase(c cases.Case) cases.Case {
	if c.Forecast != nil {
		f := *c.Forecast
		c.Forecast = &f
	}
	if c.PlannedTime != nil {
		t := *c.PlannedTime
		c.PlannedTime = &t
	}
	c.Pairs = slices.Clone(c.Pairs)
	c.History = slices.Clone(c.History)
	return c
}
