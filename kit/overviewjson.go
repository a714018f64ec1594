package kit

import (
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/internal/jsonappend"
)

// The overview's JSON is written by hand: it is what every request of the
// API answers and what every server-rendered page carries, and encoding/json's
// reflection cost more than compiling the overview. The bytes are exactly
// encoding/json's for the same struct tags; TestOverviewJSONIsEncodingJSON
// compares the two with every field set, so a field added to the model and
// not here fails it.

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
	if ov.Cases == nil {
		e.raw("null")
	} else {
		e.raw("[")
		for i := range ov.Cases {
			if i > 0 {
				e.raw(",")
			}
			e.caseView(&ov.Cases[i])
		}
		e.raw("]")
	}
	e.raw(`,"senders":`)
	e.actors(ov.Senders)
	e.raw(`,"hidden":`)
	e.actors(ov.Hidden)
	e.raw(`,"sources":`)
	e.outcomes(ov.Sources)
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

// caseView writes the case's fields in the model's order, then the kit's
// link in place of the producer's, then the information page.
func (e *encoder) caseView(v *CaseView) {
	c := v.Case
	if c == nil { // encoding/json writes only the view's own fields then
		e.raw("{")
		switch {
		case v.Link != "" && v.Info != "":
			e.raw(`"link":`)
			e.str(v.Link)
			e.raw(`,"info":`)
			e.str(v.Info)
		case v.Link != "":
			e.raw(`"link":`)
			e.str(v.Link)
		case v.Info != "":
			e.raw(`"info":`)
			e.str(v.Info)
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
	e.actor(c.Sender)
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
	e.optional(`,"plannedEvent":`, c.PlannedEvent)
	if c.PlannedTime != nil {
		e.raw(`,"plannedTime":`)
		e.time(*c.PlannedTime)
	}
	if len(c.Pairs) > 0 {
		e.raw(`,"pairs":[`)
		for i, p := range c.Pairs {
			if i > 0 {
				e.raw(",")
			}
			e.raw(`{"title":`)
			e.str(p.Title)
			e.raw(`,"value":`)
			e.str(p.Value)
			e.raw("}")
		}
		e.raw("]")
	}
	if !c.Created.IsZero() {
		e.raw(`,"created":`)
		e.time(c.Created)
	}
	if !c.Updated.IsZero() {
		e.raw(`,"updated":`)
		e.time(c.Updated)
	}
	if len(c.History) > 0 {
		e.raw(`,"history":[`)
		for i := range c.History {
			ev := &c.History[i]
			if i > 0 {
				e.raw(",")
			}
			e.raw(`{"time":`)
			e.time(ev.Time)
			e.raw(`,"title":`)
			e.str(ev.Title)
			e.optional(`,"text":`, ev.Text)
			e.optional(`,"status":`, string(ev.Status))
			e.raw("}")
		}
		e.raw("]")
	}
	e.optional(`,"link":`, v.Link)
	e.optional(`,"info":`, v.Info)
	e.raw("}")
}

func (e *encoder) actor(a cases.Actor) {
	e.raw(`{"id":`)
	e.str(a.ID)
	e.raw(`,"name":`)
	e.str(a.Name)
	e.raw("}")
}

func (e *encoder) actors(as []cases.Actor) {
	if as == nil {
		e.raw("null")
		return
	}
	e.raw("[")
	for i, a := range as {
		if i > 0 {
			e.raw(",")
		}
		e.actor(a)
	}
	e.raw("]")
}

func (e *encoder) outcomes(os []cases.Outcome) {
	if os == nil {
		e.raw("null")
		return
	}
	e.raw("[")
	for i := range os {
		o := &os[i]
		if i > 0 {
			e.raw(",")
		}
		e.raw(`{"source":`)
		e.str(o.Source)
		e.raw(`,"producer":`)
		e.actor(o.Producer)
		e.raw(`,"state":`)
		e.str(string(o.State))
		e.raw(`,"cases":`)
		e.b = jsonappend.Int(e.b, o.Cases)
		e.raw(`,"rejected":`)
		e.b = jsonappend.Int(e.b, o.Rejected)
		e.raw(`,"unlinked":`)
		e.b = jsonappend.Int(e.b, o.Unlinked)
		if len(o.Problems) > 0 {
			e.raw(`,"problems":[`)
			for j, p := range o.Problems {
				if j > 0 {
					e.raw(",")
				}
				e.raw(`{"field":`)
				e.str(p.Field)
				e.raw(`,"reason":`)
				e.str(p.Reason)
				e.raw("}")
			}
			e.raw("]")
		}
		e.optional(`,"message":`, o.Message)
		e.raw("}")
	}
	e.raw("]")
}
