package minaarenden

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/internal/jsondecode"
)

// The wire format of kundhandelseFragaSynkron, Mina ärenden 6.1. Field names
// are the standard's; only what this package sends or reads is declared.

type request struct {
	Fraga     question `json:"fraga"`
	Anvandare string   `json:"anvandare"`
}

type question struct {
	Parter            []party   `json:"parter"`
	KundhandelseTyper []string  `json:"kundhandelseTyper,omitempty"`
	Taggar            []string  `json:"taggar,omitempty"`
	StartDatum        string    `json:"startDatum,omitempty"` // none: from the first event
	SlutDatum         string    `json:"slutDatum"`
	Behandling        treatment `json:"behandling"`
}

type party struct {
	Kund   *identifier `json:"kund,omitempty"`
	Arende *identifier `json:"arende,omitempty"` // read in delfragor only
}

type identifier struct {
	Identifierare string `json:"identifierare"`
	Typ           string `json:"typ"`
	// Tillagg tells one of several sole-trader firms on one personnummer
	// apart (kund only); null and "" are the person.
	Tillagg string `json:"tillagg,omitempty"`
}

type treatment struct {
	Sortering  []sortKey `json:"sortering"`
	Paginering paging    `json:"paginering"`
}

type sortKey struct {
	Attribut string `json:"attribut"`
	Stigande bool   `json:"stigande"`
}

type paging struct {
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

type response struct {
	Kundhandelser *[]forPart `json:"kundhandelser"`
	Delfragor     []subquery `json:"delfragor"`
}

type forPart struct {
	Part   party             `json:"part"`
	Total  *int              `json:"totaltAntalKundhandelser"`
	Events []json.RawMessage `json:"kundhandelserForPart"` // decoded one by one
}

// subquery is the forwarding service's report on one producer.
type subquery struct {
	Producent string `json:"producent"`
	Part      *party `json:"part"` // whom the sub-query asked about
	Status    string `json:"status"`
	Message   string `json:"message"` // free text; passed on only through cleanMessage
	HTTPCode  int    `json:"httpCode"`
}

type wireEvent struct {
	ID                string          `json:"kundhandelseId"`
	Rubrik            string          `json:"rubrik"`
	Beskrivning       string          `json:"beskrivning"`
	Sprak             string          `json:"sprak"`
	Producent         string          `json:"producent"`
	Tidpunkt          string          `json:"tidpunkt"`
	Typ               string          `json:"kundhandelseTyp"`
	KraverKundatgard  bool            `json:"producentarendetKraverKundatgard"`
	Klart             bool            `json:"producentarendetKlart"`
	Version           string          `json:"version"`
	UtokadInformation json.RawMessage `json:"utokadInformation"`
	Referenser        json.RawMessage `json:"referenser"`
	Taggar            []string        `json:"taggar"`
}

// page is one decoded answer.
type page struct {
	events   []Event
	broken   []brokenEvent
	subs     []subquery
	count    int // entries in kundhandelserForPart, broken ones included
	total    int // totaltAntalKundhandelser, when hasTotal
	hasTotal bool

	correlationID string // of the request that got this page
	partial       bool   // answered 206
}

// brokenEvent is an event that could not be read. producer is empty when
// even the producer's name was unreadable.
type brokenEvent struct {
	producer string
	problems []cases.Problem
}

// decodePage reads one answer body. The envelope is decoded strictly: any
// deviation is an error wrapping cases.ErrInvalidResponse, and so is an
// answer about a party other than customer (or about another firm than the
// one asked about, when one was). Events are decoded one by one,
// so a broken event becomes a brokenEvent and the others survive. offset is
// the page's position, used in the paths of problems.
func decodePage(body []byte, customer identifier, offset int) (page, error) {
	var p page
	if !utf8.Valid(body) {
		return p, fmt.Errorf("%w: body is not valid UTF-8", cases.ErrInvalidResponse)
	}
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		return p, fmt.Errorf("%w: %s", cases.ErrInvalidResponse, jsondecode.Describe(err))
	}
	// Members the standard has and this package does not read are let
	// through, but none given twice, at any depth: encoding/json would keep
	// the last and silently lose the first (a second kundhandelserForPart).
	if err := jsondecode.Unique(body); err != nil {
		return p, fmt.Errorf("%w: %s", cases.ErrInvalidResponse, jsondecode.Describe(err))
	}
	if r.Kundhandelser == nil {
		return p, fmt.Errorf("%w: no kundhandelser", cases.ErrInvalidResponse)
	}
	p.subs = r.Delfragor
	for b, fp := range *r.Kundhandelser {
		if fp.Part.Kund == nil || !sameNumber(fp.Part.Kund.Identifierare, customer.Identifierare) {
			// Showing these would show somebody else's cases.
			return page{}, fmt.Errorf("%w: kundhandelser[%d] is about a party that was not asked about", cases.ErrInvalidResponse, b)
		}
		firm := strings.TrimSpace(fp.Part.Kund.Tillagg)
		switch {
		case firm == "":
			// An echo without tillagg is about what was asked.
			firm = customer.Tillagg
		case customer.Tillagg != "" && firm != customer.Tillagg:
			// Another firm of the same person: not what the user chose to see.
			return page{}, fmt.Errorf("%w: kundhandelser[%d] is about another firm (tillagg) than the one asked about", cases.ErrInvalidResponse, b)
		case FirmProblem(firm) != "":
			return page{}, fmt.Errorf("%w: kundhandelser[%d].part.kund.tillagg %s", cases.ErrInvalidResponse, b, FirmProblem(firm))
		}
		if fp.Total != nil {
			if *fp.Total < 0 {
				return page{}, fmt.Errorf("%w: kundhandelser[%d].totaltAntalKundhandelser is negative", cases.ErrInvalidResponse, b)
			}
			p.total += *fp.Total
			p.hasTotal = true
		}
		for i, raw := range fp.Events {
			path := fmt.Sprintf("kundhandelser[%d].kundhandelserForPart[%d]", b, offset+i)
			e, bad := decodeEvent(raw, path)
			if bad != nil {
				p.broken = append(p.broken, *bad)
			} else {
				e.Firm = firm
				p.events = append(p.events, e)
			}
		}
		p.count += len(fp.Events)
	}
	return p, nil
}

// decodeEvent reads one event leniently: every problem is named with its
// path, never with its value.
func decodeEvent(raw json.RawMessage, path string) (Event, *brokenEvent) {
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return Event{}, &brokenEvent{problems: []cases.Problem{{Field: path, Reason: "not a JSON object"}}}
	}
	var w wireEvent
	var ps []cases.Problem
	add := func(field, reason string) { ps = append(ps, cases.Problem{Field: path + "." + field, Reason: reason}) }
	// Decoding goes on past a type error, so the producer is usually still known.
	if err := json.Unmarshal(raw, &w); err != nil {
		if p := jsondecode.Describe(err); p.Field != "" {
			add(p.Field, p.Reason)
		} else {
			ps = append(ps, cases.Problem{Field: path, Reason: "not a readable event: " + p.Reason})
		}
	}
	e := Event{
		ID:             strings.TrimSpace(w.ID),
		Producer:       strings.TrimSpace(w.Producent),
		Type:           strings.TrimSpace(w.Typ),
		Title:          w.Rubrik,
		Text:           w.Beskrivning,
		Lang:           strings.TrimSpace(w.Sprak),
		Tags:           w.Taggar,
		ActionRequired: w.KraverKundatgard,
		Finished:       w.Klart,
	}
	if e.ID == "" {
		add("kundhandelseId", "required")
	}
	if e.Producer == "" {
		add("producent", "required")
	}
	if strings.TrimSpace(e.Title) == "" {
		add("rubrik", "required")
	}
	if w.Tidpunkt == "" {
		add("tidpunkt", "required")
	} else if t, err := time.Parse(time.RFC3339, w.Tidpunkt); err != nil {
		add("tidpunkt", "not an RFC 3339 time")
	} else {
		e.Time = t
	}
	if !validType(e.Type) {
		add("kundhandelseTyp", "not a dotted type of at least three parts")
	}
	if utf8.RuneCountInString(w.Beskrivning) > MaxDescription {
		// Beyond what the standard allows: a producer's fault to be seen,
		// not text to be cut silently.
		add("beskrivning", fmt.Sprintf("longer than the standard's %d characters", MaxDescription))
	}
	if reason := cases.CheckLang(e.Lang); reason != "" {
		add("sprak", reason)
	}
	if reason := unsupportedVersion(w.Version); reason != "" {
		add("version", reason)
	}
	if len(w.Taggar) > MaxTags {
		add("taggar", fmt.Sprintf("more than the standard's %d tags", MaxTags))
	}
	for i, tag := range w.Taggar {
		if reason := TagProblem(tag); reason != "" {
			add(fmt.Sprintf("taggar[%d]", i), reason)
		}
	}
	if len(ps) > 0 {
		return Event{}, &brokenEvent{producer: e.Producer, problems: ps}
	}
	e.CaseNumber, e.Reference = references(w.Referenser)
	e.Deadline, e.MissingDocuments = extension(w.UtokadInformation)
	return e, nil
}

// MaxDescription is the standard's limit on beskrivning, in characters.
const MaxDescription = 65535

// SupportedMajor is the major version of the standard this package reads.
const SupportedMajor = "6"

// unsupportedVersion says why an event's version cannot be read, or "". No
// version is taken as 6.x (the reference producer fills one in, others may
// not); another major version may mean other fields and is not guessed at.
func unsupportedVersion(v string) string {
	if v == "" {
		return ""
	}
	major, _, _ := strings.Cut(v, ".")
	for _, part := range strings.Split(v, ".") {
		if part == "" || strings.Trim(part, "0123456789") != "" || len(v) > 10 {
			return "not a version number"
		}
	}
	if strings.TrimLeft(major, "0") != SupportedMajor {
		return "version of the standard not supported (this portal reads " + SupportedMajor + ".x)"
	}
	return ""
}

// validType reports whether t has at least three non-empty dotted parts.
func validType(t string) bool {
	parts := strings.Split(t, ".")
	return len(parts) >= 3 && !slices.Contains(parts, "")
}

// references reads referenser, free JSON by the standard. A diarienummer is
// the case number; otherwise the first other string reference, by key, still
// groups the events of one case. Anything else is no reference.
func references(raw json.RawMessage) (caseNumber, other string) {
	var refs map[string]json.RawMessage
	if json.Unmarshal(raw, &refs) != nil {
		return "", ""
	}
	for _, k := range slices.Sorted(maps.Keys(refs)) {
		var v string
		if json.Unmarshal(refs[k], &v) != nil || strings.TrimSpace(v) == "" {
			continue
		}
		v = strings.TrimSpace(v)
		if strings.EqualFold(k, "diarienummer") {
			return v, ""
		}
		if other == "" {
			other = k + "=" + v
		}
	}
	return "", other
}

// extension reads the two fields of utokadInformation the view shows.
// utokadInformation is free JSON: a field of another shape is not shown
// rather than guessed at.
func extension(raw json.RawMessage) (deadline *time.Time, missing []string) {
	var ext struct {
		SenastDatum       json.RawMessage `json:"senastDatum"`
		SaknadeHandlingar json.RawMessage `json:"saknadeHandlingar"`
	}
	if json.Unmarshal(raw, &ext) != nil {
		return nil, nil
	}
	var s string
	if json.Unmarshal(ext.SenastDatum, &s) == nil {
		// A date is a whole day; midnight UTC keeps it on the same date in
		// every European time zone the view formats it in.
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			deadline = &t
		} else if t, err := time.Parse(time.RFC3339, s); err == nil {
			deadline = &t
		}
	}
	var list []string
	if json.Unmarshal(ext.SaknadeHandlingar, &list) != nil {
		list = nil
		if json.Unmarshal(ext.SaknadeHandlingar, &s) == nil {
			list = []string{s}
		}
	}
	for _, d := range list {
		if d = strings.TrimSpace(d); d != "" {
			missing = append(missing, d)
		}
	}
	return deadline, missing
}

// sameNumber compares the echoed identifier with the number asked about,
// allowing separators and the 16 prefix of organisation numbers on either.
func sameNumber(echo, number string) bool {
	norm := func(s string) string {
		d := strings.NewReplacer("-", "", "+", "", " ", "").Replace(s)
		if len(d) == 12 && d[:2] == "16" {
			d = d[2:] // no person is born in the 1600s
		}
		return d
	}
	return number != "" && norm(echo) == norm(number)
}

// unsafeRune reports control and bidi characters, which could hide or
// reorder text in a log line or on the page.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}
