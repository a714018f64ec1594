package overview

import (
	"strconv"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/internal/jsonappend"
)

// The overview's JSON is written by hand: it is what every request of the
// API answers and what every server-rendered page carries, and encoding/json's
// reflection cost more than compiling the overview. The bytes are exactly
// encoding/json's for the same struct tags, less a case's Created and
// Updated (see caseView); TestOverviewJSONIsEncodingJSON compares the two
// with every field set, so a field added to the model and not here fails it.

// MarshalJSON writes ov as encoding/json would from its struct tags.
func (ov Overview) MarshalJSON() ([]byte, error) { return ov.AppendJSON(nil) }

// AppendJSON appends ov's JSON to b.
func (ov *Overview) AppendJSON(b []byte) ([]byte, error) {
	e := encoder{b: b}
	e.raw(`{"compiledAt":`)
	e.time(ov.CompiledAt)
	e.raw(`,"customer":{"name":`)
	e.str(ov.Customer.Name)
	e.raw(`,"kind":`)
	e.str(string(ov.Customer.Kind))
	e.raw(`,"agent":`)
	e.b = jsonappend.Bool(e.b, ov.Customer.Agent)
	if ov.Customer.User != "" {
		e.raw(`,"user":`)
		e.str(ov.Customer.User)
	}
	e.raw(`},"query":`)
	e.b = ov.Query.AppendJSON(e.b)
	e.raw(`,"total":`)
	e.b = jsonappend.Int(e.b, ov.Total)
	e.raw(`,"cases":`)
	list(&e, ov.Cases, e.caseView)
	e.raw(`,"senders":`)
	list(&e, ov.Senders, e.actor)
	e.raw(`,"hidden":`)
	list(&e, ov.Hidden, e.actor)
	e.raw(`,"sources":`)
	list(&e, ov.Sources, e.outcome)
	e.raw(`,"new":`)
	e.b = jsonappend.Int(e.b, ov.New)
	optionalList(&e, `,"contacts":`, ov.Contacts, e.contact)
	if ov.PreferencesUnavailable {
		e.raw(`,"preferencesUnavailable":true`)
	}
	if ov.Discreet != nil {
		e.raw(`,"discreet":`)
		e.b = strconv.AppendBool(e.b, *ov.Discreet)
	}
	if ov.SupportCode != "" {
		e.raw(`,"supportCode":`)
		e.str(ov.SupportCode)
	}
	optionalList(&e, `,"groups":`, ov.Groups, func(g *Group) {
		e.raw(`{"id":`)
		e.str(g.ID)
		e.raw(`,"name":`)
		e.str(g.Name)
		e.raw(`,"count":`)
		e.b = jsonappend.Int(e.b, g.Count)
		e.raw("}")
	})
	optionalList(&e, `,"suggestions":`, ov.Suggestions, func(s *Suggestion) {
		e.raw(`{"name":`)
		e.str(s.Name)
		e.raw(`,"refs":`)
		e.b = jsonappend.Strings(e.b, s.Refs)
		e.raw("}")
	})
	e.raw("}")
	return e.b, e.err
}

// encoder appends and keeps the first error, so that the writing reads as
// the JSON it writes.
type encoder struct {
	b   []byte
	err error
}

func (e *encoder) raw(s string) { e.b = append(e.b, s...) }
func (e *encoder) str(s string) { e.b = jsonappend.String(e.b, s) }

func (e *encoder) time(t time.Time) {
	var err error
	e.b, err = jsonappend.Time(e.b, t)
	if e.err == nil {
		e.err = err
	}
}

// optional writes ,"name":"s" unless s is empty (omitempty).
func (e *encoder) optional(name, s string) {
	if s != "" {
		e.raw(name)
		e.str(s)
	}
}

// list writes xs as a JSON array, each element by one; nil is null, as
// encoding/json writes a nil slice.
func list[T any](e *encoder, xs []T, one func(*T)) {
	if xs == nil {
		e.raw("null")
		return
	}
	e.raw("[")
	for i := range xs {
		if i > 0 {
			e.raw(",")
		}
		one(&xs[i])
	}
	e.raw("]")
}

// optionalList writes ,"name":[…] unless xs is empty (omitempty).
func optionalList[T any](e *encoder, name string, xs []T, one func(*T)) {
	if len(xs) > 0 {
		e.raw(name)
		list(e, xs, one)
	}
}

// pair writes an object of two strings: first and second are `{"name":`
// and `,"name":`.
func (e *encoder) pair(first, a, second, b string) {
	e.raw(first)
	e.str(a)
	e.raw(second)
	e.str(b)
	e.raw("}")
}

// caseView writes the case's fields in the model's order, then the kit's
// link in place of the producer's, then the information page. It leaves
// out Created and Updated (the dates in the producer's system): the page
// shows Date, when the case got its current status, and never these, and
// every byte of an answer is one a phone waits for.
func (e *encoder) caseView(v *CaseView) {
	c := v.Case
	if c == nil { // encoding/json writes only the view's own fields then
		start := len(e.b)
		e.raw("{")
		e.viewOwn(v)
		if len(e.b) > start+1 { // no comma before the first field
			e.b = append(e.b[:start+1], e.b[start+2:]...)
		}
		e.raw("}")
		return
	}
	e.raw(`{"id":`)
	e.str(c.ID)
	e.raw(`,"date":`)
	e.time(c.Date)
	e.raw(`,"title":`)
	e.str(c.Title)
	e.raw(`,"sender":`)
	e.actor(&c.Sender)
	e.raw(`,"status":`)
	e.str(string(c.Status))
	if f := c.Forecast; f != nil {
		e.raw(`,"forecast":{"amount":`)
		e.b = jsonappend.Int(e.b, f.Amount)
		e.raw(`,"unit":`)
		e.str(string(f.Unit))
		e.raw("}")
	}
	e.optional(`,"caseNumber":`, c.CaseNumber)
	e.optional(`,"category":`, c.Category)
	e.optional(`,"payment":`, string(c.Payment))
	e.optional(`,"officer":`, c.Officer)
	e.optional(`,"freeText":`, c.FreeText)
	if c.FreeTextShortened {
		e.raw(`,"freeTextShortened":true`)
	}
	e.optional(`,"plannedEvent":`, c.PlannedEvent)
	if c.PlannedTime != nil {
		e.raw(`,"plannedTime":`)
		e.time(*c.PlannedTime)
	}
	optionalList(e, `,"pairs":`, c.Pairs, func(p *cases.Pair) { e.pair(`{"title":`, p.Title, `,"value":`, p.Value) })
	optionalList(e, `,"tags":`, c.Tags, func(tag *string) { e.str(*tag) })
	e.optional(`,"lang":`, c.Lang)
	optionalList(e, `,"history":`, c.History, func(ev *cases.Event) {
		e.raw(`{"time":`)
		e.time(ev.Time)
		e.raw(`,"title":`)
		e.str(ev.Title)
		e.optional(`,"text":`, ev.Text)
		e.optional(`,"status":`, string(ev.Status))
		e.raw("}")
	})
	e.viewOwn(v)
	e.raw("}")
}

// viewOwn writes the view's own fields, after the case's.
func (e *encoder) viewOwn(v *CaseView) {
	e.optional(`,"link":`, v.Link)
	e.optional(`,"info":`, v.Info)
	if v.New {
		e.raw(`,"new":true`)
	}
	e.optional(`,"ref":`, v.Ref)
	optionalList(e, `,"groups":`, v.Groups, func(id *string) { e.str(*id) })
	if v.Revealed {
		e.raw(`,"revealed":true`)
	}
}

// contact writes a producer's customer service, each way to reach it only
// when given (omitempty).
func (e *encoder) contact(c *Contact) {
	e.raw(`{"producer":`)
	e.str(c.Producer)
	e.raw(`,"customerService":{`)
	start := len(e.b)
	cs := &c.CustomerService
	e.optional(`,"phone":`, cs.Phone)
	e.optional(`,"email":`, cs.Email)
	e.optional(`,"web":`, cs.Web)
	e.optional(`,"hours":`, cs.Hours)
	if len(e.b) > start { // no comma before the first field
		e.b = append(e.b[:start], e.b[start+1:]...)
	}
	e.raw("}}")
}

func (e *encoder) actor(a *cases.Actor) { e.pair(`{"id":`, a.ID, `,"name":`, a.Name) }

func (e *encoder) outcome(o *cases.Outcome) {
	e.raw(`{"source":`)
	e.str(o.Source)
	e.raw(`,"producer":`)
	e.actor(&o.Producer)
	e.raw(`,"state":`)
	e.str(string(o.State))
	e.raw(`,"cases":`)
	e.b = jsonappend.Int(e.b, o.Cases)
	e.raw(`,"rejected":`)
	e.b = jsonappend.Int(e.b, o.Rejected)
	e.raw(`,"unlinked":`)
	e.b = jsonappend.Int(e.b, o.Unlinked)
	optionalList(e, `,"problems":`, o.Problems, func(p *cases.Problem) { e.pair(`{"field":`, p.Field, `,"reason":`, p.Reason) })
	if t := o.Truncated; t != nil {
		e.raw(`,"truncated":{"reason":`)
		e.str(string(t.Reason))
		e.optional(`,"unit":`, string(t.Unit))
		e.raw(`,"shown":`)
		e.b = jsonappend.Int(e.b, t.Shown)
		if t.Total != 0 {
			e.raw(`,"total":`)
			e.b = jsonappend.Int(e.b, t.Total)
		}
		e.raw("}")
	}
	e.raw("}")
}
