package hub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/internal/jsondecode"
)

// Limits of the contract (docs/hub-openapi.yaml). A producer ID plus ":" plus
// a case ID stays within cases.MaxShort, the limit on the overview's case ID.
const (
	MaxProducers  = 500
	MaxCases      = 5000
	MaxProducerID = 64
	MaxCaseID     = 128
)

// The overview's case ID is producer ID + ":" + hub case ID; this fails to
// compile if the two limits together pass the model's.
var _ [cases.MaxShort - (MaxProducerID + 1 + MaxCaseID)]struct{}

// party is an identity number as the hub sees it: never in a URL.
type party struct {
	Kind   identity.Kind `json:"kind"`
	Number string        `json:"number"`
}

type overviewRequest struct {
	Customer party  `json:"customer"`
	User     *party `json:"user,omitempty"` // the agent, when the user acts for the customer
}

// overviewEnvelope is the answer's outer object, decoded strictly. The lists
// stay raw so each is walked item by item with a bound on its length.
type overviewEnvelope struct {
	Producers json.RawMessage `json:"producers"`
	Cases     json.RawMessage `json:"cases"`
}

type wireProducer struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	State string `json:"state"`
	// Message is the contract's, and read so that a hub may send it; it is
	// not passed on.
	Message string `json:"message"`
}

// wireCase is one case as the hub sends it. Pointers mark the members whose
// absence the standard model could not name correctly; every other check on
// content is left to cases.Validate, run centrally by the fan-out, so that
// the rules live in one place.
type wireCase struct {
	ID         *string       `json:"id"`
	Producer   *string       `json:"producer"`
	Customer   *party        `json:"customer"`
	Created    *string       `json:"created"`
	Updated    *string       `json:"updated"`
	StatusDate *string       `json:"statusDate"`
	Title      string        `json:"title"`
	Status     string        `json:"status"`
	Forecast   *wireForecast `json:"forecast"`
	CaseNumber string        `json:"caseNumber"`
	Category   string        `json:"category"`
	Payment    string        `json:"payment"`
	Officer    string        `json:"officer"`
	FreeText   string        `json:"freeText"`
	// FreeTextShortened: the hub cut a longer producer text to freeText.
	FreeTextShortened bool         `json:"freeTextShortened"`
	PlannedEvent      string       `json:"plannedEvent"`
	PlannedTime       *string      `json:"plannedTime"`
	Pairs             []cases.Pair `json:"pairs"`
	Tags              []string     `json:"tags"` // life situations; checked by cases.Validate
	Link              string       `json:"link"`
	Lang              string       `json:"lang"` // of the producer's texts, BCP 47; checked by cases.Validate
	History           []wireEvent  `json:"history"`
}

type wireForecast struct {
	Amount *int   `json:"amount"`
	Unit   string `json:"unit"`
}

type wireEvent struct {
	Time   *string `json:"time"`
	Title  string  `json:"title"`
	Text   string  `json:"text"`
	Status string  `json:"status"`
}

// problem is a fault in the answer at a path. It never carries a value from
// the answer, only where and what kind of fault.
type problem struct{ path, reason string }

func (p *problem) Error() string {
	if p.path == "" {
		return p.reason
	}
	return p.path + ": " + p.reason
}

// decodeStrict decodes exactly one JSON value from data into v, refusing
// members v does not know and anything after the value. Errors are problems
// located under at.
func decodeStrict(data []byte, v any, at string) *problem {
	if err := jsondecode.Strict(data, v); err != nil {
		return describe(err, at)
	}
	return nil
}

// describe turns a decoding error into a problem located under at, without
// quoting the input.
func describe(err error, at string) *problem {
	p := jsondecode.Describe(err)
	switch {
	case p.Field == "":
		return &problem{at, p.Reason}
	case at == "":
		return &problem{p.Field, p.Reason}
	}
	return &problem{at + "." + p.Field, p.Reason}
}

// eachItem walks a JSON array without decoding it whole, so an answer with a
// million tiny items costs no more than the cap on the body allows. Past max
// items, each further one goes to over, or the array is refused when over is
// nil. It stops at the first problem fn or over names.
func eachItem(data json.RawMessage, at string, max int, fn, over func(i int, item json.RawMessage) *problem) *problem {
	if len(data) == 0 || string(data) == "null" {
		return &problem{at, "required"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return describe(err, at)
	}
	if tok != json.Delim('[') {
		return &problem{at, "want an array, got " + jsondecode.TokenKind(tok)}
	}
	for i := 0; dec.More(); i++ {
		each := fn
		if i >= max {
			if over == nil {
				return &problem{at, fmt.Sprintf("more than %d items", max)}
			}
			each = over
		}
		var item json.RawMessage
		if err := dec.Decode(&item); err != nil {
			return describe(err, fmt.Sprintf("%s[%d]", at, i))
		}
		if p := each(i, item); p != nil {
			return p
		}
	}
	return nil
}

// decodeOverview reads a hub answer for customer. The envelope and the
// producer list are the hub's own and must be right, or nothing is used. A
// case is the producer's: one that cannot be read is counted as rejected in
// its producer's outcome (or fallback's, when it is not clear whose it is)
// and the others are kept. Content checks (lengths, statuses, links) are
// left to cases.Settle. The one exception is a case about another customer:
// it means the hub mixed up answers, and no case of such an answer can be
// trusted.
func decodeOverview(data []byte, customer identity.Party, source string, fallback cases.Actor) (cases.Result, *problem) {
	if !utf8.Valid(data) {
		return cases.Result{}, &problem{"", "not valid UTF-8"}
	}
	var env overviewEnvelope
	if p := decodeStrict(data, &env, ""); p != nil {
		return cases.Result{}, p
	}

	var res cases.Result
	index := map[string]int{} // producer ID → its outcome in res.Outcomes
	p := eachItem(env.Producers, "producers", MaxProducers, func(i int, item json.RawMessage) *problem {
		at := fmt.Sprintf("producers[%d]", i)
		var w wireProducer
		if p := decodeStrict(item, &w, at); p != nil {
			return p
		}
		o, p := producerOutcome(w, source, at)
		if p != nil {
			return p
		}
		if _, dup := index[o.Producer.ID]; dup {
			return &problem{at + ".id", "listed twice"}
		}
		index[o.Producer.ID] = len(res.Outcomes)
		res.Outcomes = append(res.Outcomes, o)
		return nil
	}, nil)
	if p != nil {
		return cases.Result{}, p
	}

	// outcome is the producer's, or fallback's when the answer does not
	// list it.
	outcome := func(producerID string) *cases.Outcome {
		i, ok := index[producerID]
		if !ok {
			if i, ok = index[fallback.ID]; !ok {
				i = len(res.Outcomes)
				index[fallback.ID] = i
				res.Outcomes = append(res.Outcomes, cases.Outcome{Source: source, Producer: fallback, State: cases.OK})
			}
		}
		return &res.Outcomes[i]
	}
	reject := func(producerID string, p *problem) {
		o := outcome(producerID)
		o.Rejected++
		if o.State == cases.OK {
			o.State = cases.Invalid
		}
		if len(o.Problems) < cases.MaxProblems {
			o.Problems = append(o.Problems, cases.Problem{Field: p.path, Reason: p.reason})
		}
	}
	taken := map[string]bool{} // overview case IDs
	// Cases per outcome (by index), and those of them past MaxCases: an
	// answer over the limit shows its first cases and says how many of
	// whose were left out, rather than losing every one.
	items, over := map[int]int{}, map[int]int{}
	count := func(producerID string) int {
		i := index[outcome(producerID).Producer.ID]
		items[i]++
		return i
	}
	otherCustomer := func(at string, c *party) *problem {
		if c != nil && (c.Number != customer.Number || c.Kind != customer.Kind) {
			return &problem{at + ".customer", "not the customer asked for; the whole answer is refused"}
		}
		return nil
	}
	p = eachItem(env.Cases, "cases", MaxCases, func(i int, item json.RawMessage) *problem {
		at := fmt.Sprintf("cases[%d]", i)
		var w wireCase
		if p := decodeStrict(item, &w, at); p != nil {
			owner := producerOf(item).Producer
			count(owner)
			reject(owner, p)
			return nil
		}
		if p := otherCustomer(at, w.Customer); p != nil {
			return p
		}
		owner := ""
		if w.Producer != nil {
			owner = *w.Producer
		}
		count(owner)
		c, p := mapCase(w, at, index, res.Outcomes)
		switch {
		case p != nil:
			reject(owner, p)
		case taken[c.ID]:
			reject(c.Sender.ID, &problem{at + ".id", "used twice by this producer"})
		default:
			taken[c.ID] = true
			res.Cases = append(res.Cases, c)
		}
		return nil
	}, func(i int, item json.RawMessage) *problem {
		peek := producerOf(item)
		if p := otherCustomer(fmt.Sprintf("cases[%d]", i), peek.Customer); p != nil {
			return p
		}
		over[count(peek.Producer)]++
		return nil
	})
	if p != nil {
		return cases.Result{}, p
	}
	for i, n := range over {
		res.Outcomes[i].Truncated = &cases.Truncation{Reason: cases.CutLimit, Unit: cases.CountedCases, Shown: items[i] - n, Total: items[i]}
	}
	return res, nil
}

// caseOwner is whose a case is and whom it is about, as far as they can be
// read from a case that is not decoded as a whole.
type caseOwner struct {
	Producer string `json:"producer"`
	Customer *party `json:"customer"`
}

// producerOf finds whose a case is when the case as a whole cannot be read
// or is not decoded (past MaxCases).
func producerOf(item json.RawMessage) caseOwner {
	var peek caseOwner
	_ = json.Unmarshal(item, &peek) // best effort: "" means the hub's
	return peek
}

func producerOutcome(p wireProducer, source, at string) (cases.Outcome, *problem) {
	if !cases.ValidActorID(p.ID) || len(p.ID) > MaxProducerID {
		return cases.Outcome{}, &problem{at + ".id", fmt.Sprintf("must be 1 to %d letters, digits, '-', '_' or '.'", MaxProducerID)}
	}
	if cases.CheckText(p.Name, true, cases.MaxShort) != "" {
		return cases.Outcome{}, &problem{at + ".name", fmt.Sprintf("must be 1 to %d characters without control characters", cases.MaxShort)}
	}
	o := cases.Outcome{Source: source, Producer: cases.Actor{ID: p.ID, Name: p.Name}}
	switch p.State {
	case "ok":
		o.State = cases.OK
	// The hub's own message about the producer is not passed on: outcome
	// messages are logged, and the hub's text could hold anything.
	case "error":
		o.State, o.Message = cases.Failed, "the hub reports that the producer could not be reached"
	case "timeout":
		o.State, o.Message = cases.Timeout, "the hub reports that the producer did not answer in time"
	default:
		return cases.Outcome{}, &problem{at + ".state", "must be ok, error or timeout"}
	}
	return o, nil
}

// mayHoldNumber reports a run of six or more digits, separators allowed:
// the shape of a personnummer, organisationsnummer or date of birth.
func mayHoldNumber(s string) bool {
	run := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if run++; run >= 6 {
				return true
			}
		case r == '-' || r == '+' || r == ' ':
		default:
			run = 0
		}
	}
	return false
}

// mapCase turns a decoded hub case into the standard model, or names the
// first thing that prevents it.
func mapCase(w wireCase, at string, index map[string]int, outcomes []cases.Outcome) (cases.Case, *problem) {
	for _, m := range []struct {
		field   string
		present bool
	}{
		{"id", w.ID != nil}, {"producer", w.Producer != nil}, {"customer", w.Customer != nil},
		{"created", w.Created != nil}, {"updated", w.Updated != nil},
	} {
		if !m.present {
			return cases.Case{}, &problem{at + "." + m.field, "required"}
		}
	}
	if strings.TrimSpace(*w.ID) == "" || utf8.RuneCountInString(*w.ID) > MaxCaseID {
		return cases.Case{}, &problem{at + ".id", fmt.Sprintf("must be 1 to %d characters", MaxCaseID)}
	}
	i, ok := index[*w.Producer]
	if !ok {
		return cases.Case{}, &problem{at + ".producer", "not among the answer's producers"}
	}
	c := cases.Case{
		ID:                *w.Producer + ":" + *w.ID,
		Title:             w.Title,
		Sender:            outcomes[i].Producer,
		Status:            cases.Status(w.Status),
		CaseNumber:        w.CaseNumber,
		Category:          w.Category,
		Payment:           cases.Payment(w.Payment),
		Officer:           w.Officer,
		FreeText:          w.FreeText,
		FreeTextShortened: w.FreeTextShortened,
		PlannedEvent:      w.PlannedEvent,
		Pairs:             w.Pairs,
		Tags:              w.Tags,
		Link:              w.Link,
		Lang:              w.Lang,
	}
	if f := w.Forecast; f != nil {
		if f.Amount == nil {
			return cases.Case{}, &problem{at + ".forecast.amount", "required"}
		}
		c.Forecast = &cases.Forecast{Amount: *f.Amount, Unit: cases.Unit(f.Unit)}
	}

	// Times are decoded here rather than by encoding/json, whose errors do
	// not say which member was wrong.
	var p *problem
	timeAt := func(field string, s *string) (t time.Time) {
		switch {
		case p != nil:
		case s == nil:
			p = &problem{at + "." + field, "required"}
		case t.UnmarshalText([]byte(*s)) != nil:
			p = &problem{at + "." + field, "not an RFC 3339 date-time"}
		case t.IsZero():
			// 0001-01-01T00:00:00Z, a placeholder, would read as no time at
			// all in the model; the central check of the years never sees it.
			p = &problem{at + "." + field, fmt.Sprintf("outside the years %d–%d", cases.MinYear, cases.MaxYear)}
		}
		return t
	}
	c.Created = timeAt("created", w.Created)
	c.Updated = timeAt("updated", w.Updated)
	c.Date = c.Updated // the standard's date is when the status was set; updated is the closest the hub may know
	if w.StatusDate != nil {
		c.Date = timeAt("statusDate", w.StatusDate)
	}
	if w.PlannedTime != nil {
		t := timeAt("plannedTime", w.PlannedTime)
		c.PlannedTime = &t
	}
	if len(w.History) > 0 {
		c.History = make([]cases.Event, len(w.History))
		for j, e := range w.History {
			c.History[j] = cases.Event{
				Time:   timeAt(fmt.Sprintf("history[%d].time", j), e.Time),
				Title:  e.Title,
				Text:   e.Text,
				Status: cases.Status(e.Status),
			}
		}
	}
	if p != nil {
		return cases.Case{}, p
	}
	return c, nil
}
