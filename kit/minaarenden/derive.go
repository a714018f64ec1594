package minaarenden

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/arendevy/arendevy/kit/cases"
)

// Event is one customer event ("kundhändelse") as this package reads it:
// only the fields the derivation uses, already checked.
type Event struct {
	ID       string    // kundhandelseId
	Producer string    // producent, the producer's name
	Time     time.Time // tidpunkt
	Type     string    // kundhandelseTyp, dotted, e.g. KOMMUN.BYGGLOV.MOTTAGEN
	Title    string    // rubrik
	Text     string    // beskrivning
	Lang     string    // sprak: the language of rubrik and beskrivning, "" when not given
	Tags     []string  // taggar: the life situations the producer files the event under
	// Firm is kund.tillagg of the part the event came for: which of the
	// customer's sole-trader firms it is about, "" for none.
	Firm string

	ActionRequired bool // producentarendetKraverKundatgard: the customer must act
	Finished       bool // producentarendetKlart: the producer's case is finished

	// CaseNumber is referenser.diarienummer; Reference is another string
	// reference ("key=value") used when there is no diarienummer.
	CaseNumber string
	Reference  string

	// Deadline is utokadInformation.senastDatum; MissingDocuments is
	// utokadInformation.saknadeHandlingar.
	Deadline         *time.Time
	MissingDocuments []string
}

// Rules is the portal's configuration of the derivation.
type Rules struct {
	// Catalogue gives event types a finer status, case titles and the
	// wording of planned events; nil: DefaultCatalogue.
	Catalogue *Catalogue
	// Lang is the language the page is shown in (a BCP 47 tag), in which
	// the catalogue's texts are given; "": Swedish.
	Lang string
}

func (r Rules) catalogue() *Catalogue {
	if r.Catalogue == nil {
		return DefaultCatalogue()
	}
	return r.Catalogue
}

// caseKey groups events into one case. kind tells how ref was found, so a
// diarienummer can never collide with an event ID of the same text.
type caseKey struct {
	producer string
	firm     string // kund.tillagg: one firm's case is not another's
	kind     byte   // 'd' diarienummer, 'r' other reference, 'e' the event's own ID
	ref      string
}

func keyOf(e Event) caseKey {
	switch {
	case e.CaseNumber != "":
		return caseKey{e.Producer, e.Firm, 'd', e.CaseNumber}
	case e.Reference != "":
		return caseKey{e.Producer, e.Firm, 'r', e.Reference}
	default:
		return caseKey{e.Producer, e.Firm, 'e', e.ID}
	}
}

// id is opaque and stable across requests, so the view can remember which
// case the user had open without the ID revealing the reference.
func (k caseKey) id() string {
	key := k.producer + "\x00" + string(k.kind) + k.ref
	if k.firm != "" {
		// Appended only for a firm, so the IDs of cases without one stay
		// what they were.
		key += "\x00" + k.firm
	}
	sum := sha256.Sum256([]byte(key))
	return "ma:" + hex.EncodeToString(sum[:8])
}

// Derive turns customer events into standard cases. It is pure: the same
// events and rules give the same cases, newest first.
//
// Events are grouped per producer by diarienummer, else by another string
// reference, else each event is its own case. An event seen twice (same
// producer and ID, as happens when pages overlap) counts once. Per case the
// newest event gives date, status, free text and planned time; the older ones
// become the history, oldest first.
func Derive(events []Event, rules Rules) []cases.Case {
	type seenKey struct{ producer, firm, id string }
	seen := make(map[seenKey]bool, len(events))
	groups := map[caseKey][]Event{}
	for _, e := range events {
		sk := seenKey{e.Producer, e.Firm, e.ID}
		if seen[sk] {
			continue
		}
		seen[sk] = true
		k := keyOf(e)
		groups[k] = append(groups[k], e)
	}
	out := make([]cases.Case, 0, len(groups))
	for k, evs := range groups {
		slices.SortFunc(evs, func(a, b Event) int {
			return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.ID, b.ID))
		})
		out = append(out, derive(k, evs, rules))
	}
	slices.SortFunc(out, func(a, b cases.Case) int {
		return cmp.Or(b.Date.Compare(a.Date), strings.Compare(a.ID, b.ID))
	})
	return out
}

// derive builds one case from its events, sorted oldest first.
func derive(k caseKey, evs []Event, rules Rules) cases.Case {
	oldest, newest := evs[0], evs[len(evs)-1]
	cat := rules.catalogue()
	c := cases.Case{
		ID:       k.id(),
		Date:     newest.Time,
		Title:    cmp.Or(cat.text(oldest.Type, rules.Lang, func(e TypeEntry) Text { return e.Title }), oldest.Title),
		Sender:   Producer(newest.Producer),
		FreeText: shorten(newest.Text, cases.MaxText),
		// A cut text says so (and the page links the whole one at the
		// producer) rather than reading as if it ended there.
		FreeTextShortened: utf8.RuneCountInString(newest.Text) > cases.MaxText,
		Lang:              commonLang(evs),
		Tags:              tagsOf(evs),
	}
	if k.kind == 'd' {
		c.CaseNumber = k.ref
	}
	var known bool
	if c.Status, known = statusOf(newest, cat); !known {
		c.Status = cases.InProgress // no signal: the ball is with the producer
	}
	if d := newest.Deadline; d != nil && c.Status != cases.Closed {
		t := *d
		c.PlannedTime = &t
		// What the last day is for: the type's wording, else (the customer
		// must act) the catalogue's general one; otherwise the date stands
		// alone, as the event says no more.
		c.PlannedEvent = cat.text(newest.Type, rules.Lang, func(e TypeEntry) Text { return e.PlannedEvent })
		if c.PlannedEvent == "" && c.Status == cases.ActionRequired {
			c.PlannedEvent = cat.Deadline.In(rules.Lang)
		}
	}
	if newest.Firm != "" {
		c.Pairs = append(c.Pairs, cases.Pair{Title: cat.Firm.In(rules.Lang), Value: newest.Firm})
	}
	if len(newest.MissingDocuments) > 0 {
		c.Pairs = append(c.Pairs, cases.Pair{Title: cat.MissingDocuments.In(rules.Lang), Value: strings.Join(newest.MissingDocuments, ", ")})
	}
	older := evs[:len(evs)-1]
	if len(older) > cases.MaxHistory {
		older = older[len(older)-cases.MaxHistory:] // keep the most recent history
	}
	for _, e := range older {
		h := cases.Event{Time: e.Time, Title: e.Title, Text: shorten(e.Text, cases.MaxText)}
		h.Status, _ = statusOf(e, cat)
		c.History = append(c.History, h)
	}
	return c
}

// statusOf is the status an event states: finished, customer must act, or
// the catalogue's status for its type. known is false when the event says
// none of these; a history entry then shows no status rather than a guessed
// one.
func statusOf(e Event, cat *Catalogue) (s cases.Status, known bool) {
	switch {
	case e.Finished:
		return cases.Closed, true
	case e.ActionRequired:
		return cases.ActionRequired, true
	}
	return cat.status(e.Type)
}

// hasTypePrefix matches whole segments: KOMMUN.BYGGLOV is a prefix of
// KOMMUN.BYGGLOV.MOTTAGEN but not of KOMMUN.BYGGLOVSAVGIFT.BETALD.
func hasTypePrefix(typ, prefix string) bool {
	return typ == prefix || strings.HasPrefix(typ, prefix+".")
}

// Producer is the actor a producer name stands for. Its ID is a slug of the
// name (lower-case ASCII letters and digits joined by hyphens, diacritics
// dropped: "Söderköpings kommun" → "soderkopings-kommun"), so the same
// producer gets the same ID in every request and in the portal's directory.
func Producer(name string) cases.Actor {
	return cases.Actor{ID: slug(name), Name: name}
}

func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		case unicode.Is(unicode.Mn, r): // the ring of å, the dots of ä and ö
		default:
			dash = true
		}
	}
	if b.Len() == 0 && name != "" {
		// A name without a Latin letter or digit still needs a stable ID.
		sum := sha256.Sum256([]byte(name))
		return "producent-" + hex.EncodeToString(sum[:4])
	}
	return b.String()
}

// shorten cuts s to at most max characters, ending in "…" when cut: the
// standard allows 65,535 characters of beskrivning and the view shows fewer,
// and a long text must not cost the customer the whole case.
func shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max-1]
	return strings.TrimRightFunc(string(r), unicode.IsSpace) + "…"
}

// tagsOf are the tags of a case's events, each once (whatever its case
// and spacing), in the order first given, at most cases.MaxTags.
func tagsOf(evs []Event) []string {
	var tags []string
	for _, e := range evs {
		for _, tag := range e.Tags {
			tag = strings.TrimSpace(tag)
			if len(tags) < cases.MaxTags && !slices.ContainsFunc(tags, func(t string) bool { return strings.EqualFold(t, tag) }) {
				tags = append(tags, tag)
			}
		}
	}
	return tags
}

// commonLang is the language of a case's texts: the events' sprak when they
// all give the same one. A case whose events are in different languages (or
// some without one) is not marked as a whole, rather than marked wrongly.
func commonLang(evs []Event) string {
	lang := evs[0].Lang
	for _, e := range evs[1:] {
		if !strings.EqualFold(e.Lang, lang) {
			return ""
		}
	}
	return lang
}
