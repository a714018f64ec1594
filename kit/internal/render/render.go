// Package render renders on the server what the <arendevy-overview> element
// renders in the browser: the overview as HTML inside the element's light
// DOM, so the page shows the cases before and without JavaScript, and the
// information page of a producer without an e-service.
//
// The overview comes in as the kit compiled it (kit/overview), and the markup
// mirrors the element's: the same structure, classes and texts (from the
// same catalogue), so the element takes over without the page moving. Every
// producer text is escaped by html/template.
package render

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/overview"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/websec"
	"github.com/arendevy/arendevy/widget"
)

// templates holds the kit's own pages; the element's template is the
// widget's (widget.Template), beside the module whose markup it mirrors.
//
//go:embed templates/*.html
var templates embed.FS

// ErrOverview is returned for a missing overview or one whose JSON the
// element could not be given.
var ErrOverview = errors.New("render: overview")

// Renderer renders pages in every language of its catalogue. It is safe for
// concurrent use.
type Renderer struct {
	bundle *i18n.Bundle
	tmpl   *template.Template
}

// New parses the templates.
func New(b *i18n.Bundle) (*Renderer, error) {
	t, err := template.ParseFS(widget.Templates, widget.Template)
	if err == nil {
		t, err = t.ParseFS(templates, "templates/*.html")
	}
	if err != nil {
		return nil, fmt.Errorf("render: templates: %w", err)
	}
	return &Renderer{bundle: b, tmpl: t}, nil
}

// Fragment is one server-rendered element.
type Fragment struct {
	// Lang is the language: a tag or an Accept-Language value.
	Lang string
	// Src is the element's src attribute, the overview API.
	Src string
	// ApprovedBy names who approved the service for the trust line; empty:
	// no trust line.
	ApprovedBy string
	// SettingsURL is the portal's page where hidden actors are shown again;
	// empty: the notice of hidden actors has no link.
	SettingsURL string
	// HeadingYields leaves the element's heading to the page's: the page's
	// own heading already says what the element's would.
	HeadingYields bool
	// PageSize is how many cases show before "Show more"; 0: all.
	PageSize int
	// Query is the sorting and filtering the page starts with.
	Query listing.Query
	// QueryRefused tells that the page's address asked for a sorting or
	// filter that could not be used: Query is the default, and a notice
	// says so.
	QueryRefused bool
	// Overview has every case, unfiltered (the element filters and sorts it
	// in the browser from then on, from the same data as the API's answer).
	Overview *overview.Overview
	// Forms lets the overview carry the forms that change the customer's
	// case groups (in each case's detail, and the groups its data
	// suggests), which work without JavaScript; nil: none.
	Forms *Forms
}

// Forms is what a form post of the overview needs: where it goes, the
// session's CSRF token and the page to come back to.
type Forms struct{ Action, CSRF, Return string }

// MaskedCSRF is the token as one form carries it: masked afresh for each
// (websec.MaskToken), so no two fields of any response hold the same bytes.
func (f *Forms) MaskedCSRF() string { return websec.MaskToken(f.CSRF) }

// Overview writes <arendevy-overview> with the overview in its light DOM and
// the data the element needs to take over without asking again.
func (r *Renderer) Overview(w io.Writer, f Fragment) error {
	ov := f.Overview
	if ov == nil {
		return fmt.Errorf("%w: none given", ErrOverview)
	}
	data, err := ov.AppendJSON(nil)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrOverview, err)
	}
	var safe bytes.Buffer
	// No "</script>" or other markup can end the data block early.
	json.HTMLEscape(&safe, data)

	l := r.bundle.Localizer(f.Lang)
	q := f.Query
	v := fragmentView{Localizer: l, Fragment: f, Data: template.JS(safe.String()), Total: len(ov.Cases)}
	v.Heading = l.Text("heading")
	if ov.Customer.Agent {
		v.Heading = l.Text("headingFor", "Name", ov.Customer.Name)
	}
	if f.ApprovedBy != "" {
		v.TrustLine = l.Text("approved", "By", f.ApprovedBy)
	}
	missing := missingProducers(ov)
	v.Notices = notices(l, ov, f, missing)
	shown, index := filter(ov.Cases, q)
	v.Matched = len(shown)
	if v.Total > 0 {
		v.StatusRegion = statusLine(l, q, v.Total, shown, missing, ov.Groups)
	}
	for _, k := range []listing.Key{listing.ByDate, listing.ByTitle, listing.BySender, listing.ByStatus} {
		h := sortHeader{Label: l.Text("col." + string(k))}
		next := q
		next.Sort, next.Descending = k, k == listing.ByDate
		if k == q.Sort {
			h.Sort = "ascending"
			if q.Descending {
				h.Sort = "descending"
			}
			next.Descending = !q.Descending
		}
		h.Href = href(next)
		v.SortHeaders = append(v.SortHeaders, h)
	}
	for _, k := range []listing.Key{listing.ByDate, listing.ByStatus, listing.ByTitle, listing.BySender} {
		v.SortOptions = append(v.SortOptions, option{Value: string(k), Label: l.Text("form.sortBy." + string(k)), Selected: k == q.Sort})
	}
	v.SortOptions = append(v.SortOptions, option{Value: string(listing.ByNew), Label: l.Text("whatsnew.ui.sortBy"), Selected: q.Sort == listing.ByNew})
	v.Choices = choices(l, ov.Senders, q)
	v.GroupOptions, v.Suggestions = groupChoices(l, ov, q)
	// Without JavaScript, discreet mode is switched on the settings page,
	// one click away; the element has a toggle button instead.
	if ov.Discreet != nil && f.SettingsURL != "" {
		v.DiscreetLink = option{Value: f.SettingsURL, Label: l.Text("discreetSwitch.settingsOff")}
		if *ov.Discreet {
			v.DiscreetLink.Label = l.Text("discreetSwitch.settingsOn")
		}
	}
	v.ClearURL = href(listing.Query{Sort: q.Sort, Descending: q.Descending, Scope: listing.All})
	for i, c := range shown {
		row := caseRowOf(l, c, ov.Contacts, f.PageSize > 0 && i >= f.PageSize)
		if f.Forms != nil && c.Ref != "" {
			row.Groups = groupsOfRow(l, c, ov.Groups)
		}
		if ov.Discreet != nil && *ov.Discreet && c.Ref != "" {
			row.Reveal = revealOf(l, c, q, i+1, len(shown))
		}
		row.Index = index[i]
		v.CaseRows = append(v.CaseRows, row)
	}
	if q.Reveal != "" && ov.Discreet != nil && *ov.Discreet && v.StatusRegion != "" {
		v.StatusRegion += "; " + revealedLine(l, shown)
	}
	if f.PageSize > 0 && len(shown) > f.PageSize {
		v.ShowMore = l.Plural("more", len(shown)-f.PageSize)
	}
	v.Guide = []legendItem{
		{Label: l.Text("col.date"), Explain: l.Text("guide.date")},
		{Label: l.Text("col.forecast"), Explain: l.Text("guide.forecast")},
	}
	for _, s := range cases.Statuses {
		v.StatusLegend = append(v.StatusLegend, legendItem{Status: string(s), Label: l.Text("status." + string(s)), Explain: l.Text("explain." + string(s))})
	}
	return r.tmpl.ExecuteTemplate(w, widget.Template, v)
}

// href is a link to the page itself with q: the GET form's address, which
// the page's server parses back (listing.Parse).
func href(q listing.Query) string { return "?" + q.Values().Encode() }

// revealOf is the link that shows one case of a discreet overview in full
// on the page it leads to (reveal=, the case's reference), or, on the case
// that is shown so, the link that hides it again: the same page without
// it. Either leads back to this row (its id), where the other one then is.
func revealOf(l *i18n.Localizer, c overview.CaseView, q listing.Query, position, count int) *reveal {
	r := &reveal{ID: "reveal-" + c.Ref, Open: c.Revealed}
	if c.Revealed {
		r.Href, r.Text = href(q)+"#"+r.ID, l.Text("reveal.hide")
		return r
	}
	v := q.Values()
	v.Set("reveal", c.Ref)
	r.Href = "?" + v.Encode() + "#" + r.ID
	r.Text, r.Which = l.Text("reveal.show"), l.Text("reveal.which", "Position", position, "Count", count)
	return r
}

// revealedLine is what the status line says of the case a page was asked
// to reveal: which one it is, or that none of the customer's cases is
// that one (any longer).
func revealedLine(l *i18n.Localizer, shown []overview.CaseView) string {
	if i := slices.IndexFunc(shown, func(c overview.CaseView) bool { return c.Revealed }); i >= 0 {
		return l.Text("reveal.shown", "Position", i+1, "Count", len(shown))
	}
	return l.Text("reveal.gone")
}

// statusLine says how many cases show of how many, how they are sorted,
// that the cases waiting for the customer come first, and whose cases are
// missing: the count never claims more than the sources gave.
func statusLine(l *i18n.Localizer, q listing.Query, total int, shown []overview.CaseView, missing []string, groups []overview.Group) string {
	order := ""
	if q.Sort == listing.ByDate {
		order = string(listing.ByDate)
	}
	if q.Descending {
		order += "desc"
	} else {
		order += "asc"
	}
	count := "count"
	if len(missing) > 0 {
		count = "partial.count"
	}
	sorted := l.Text("whatsnew.ui.sorted")
	if q.Sort != listing.ByNew {
		sorted = l.Text("sorted.by", "Key", strings.ToLower(l.Text("col."+string(q.Sort))), "Order", l.Text("sorted."+order))
	}
	line := l.Plural(count, total, "Shown", len(shown)) + ", " + sorted
	if q.WaitingFirst() && slices.ContainsFunc(shown, func(c overview.CaseView) bool { return c.Status == cases.ActionRequired }) {
		line += "; " + l.Text("due.waitingFirst")
	}
	if n := overview.NewCount(shown); n > 0 {
		line += "; " + l.Plural("whatsnew.count", n)
	}
	if g, ok := groupNamed(groups, q.Group); ok {
		line += "; " + l.Text("groups.showing", "Name", g.Name)
	}
	if len(missing) > 0 {
		line += ". " + l.Text("partial.missing", "Names", strings.Join(missing, ", "))
	}
	return line
}

// missingProducers names the producers whose cases are missing from the
// overview: their source could not be reached or answered with nothing the
// kit could show.
func missingProducers(ov *overview.Overview) []string {
	var names []string
	for _, o := range ov.Sources {
		if o.State != cases.OK && !slices.Contains(names, o.Producer.Name) {
			names = append(names, o.Producer.Name)
		}
	}
	return names
}

// choices are the filter form's fields: senders, statuses, scope and new, with
// the query's choices checked.
func choices(l *i18n.Localizer, senders []cases.Actor, q listing.Query) []fieldset {
	sender := fieldset{Legend: l.Text("col.sender")}
	for _, a := range senders {
		sender.Options = append(sender.Options, choice{Type: "checkbox", Name: "sender", Value: a.ID, Label: a.Name, Checked: slices.Contains(q.Senders, a.ID)})
	}
	status := fieldset{Legend: l.Text("col.status")}
	for _, s := range cases.Statuses {
		status.Options = append(status.Options, choice{Type: "checkbox", Name: "status", Value: string(s), Label: l.Text("status." + string(s)), Checked: slices.Contains(q.Statuses, s)})
	}
	scope := fieldset{Legend: l.Text("show")}
	for _, s := range []listing.Scope{listing.All, listing.OpenOnly, listing.ClosedOnly} {
		scope.Options = append(scope.Options, choice{Type: "radio", Name: "scope", Value: string(s), Label: l.Text("scope." + string(s)), Checked: q.Scope == s})
	}
	// One box beside the scope: only the cases new since the last visit.
	news := fieldset{Legend: l.Text("whatsnew.ui.legend"), Options: []choice{{Type: "checkbox", Name: "new", Value: "only", Label: l.Text("whatsnew.ui.only"), Checked: q.NewOnly}}}
	return []fieldset{sender, status, scope, news}
}

// fragmentView is what the element's template (widget.Template) shows; its
// names follow the element's classes.
type fragmentView struct {
	Localizer    *i18n.Localizer
	Fragment     Fragment
	Data         template.JS
	Heading      string
	TrustLine    string
	Notices      []notice
	Total        int
	Matched      int
	StatusRegion string
	SortHeaders  []sortHeader
	SortOptions  []option
	Choices      []fieldset
	DiscreetLink option // Value is the settings page; empty when there is none
	ClearURL     string
	CaseRows     []caseRow
	ShowMore     string
	GroupOptions []option     // the group choice: every case, or one group; none without groups
	Suggestions  []suggestion // groups the cases' categories suggest
	Guide        []legendItem
	StatusLegend []legendItem
}

// Order is the order attribute of the query.
func (v fragmentView) Order() string {
	if v.Fragment.Query.Descending {
		return "desc"
	}
	return "asc"
}

// Senders is the filter-sender attribute of the query.
func (v fragmentView) Senders() string { return strings.Join(v.Fragment.Query.Senders, ",") }

// Statuses is the filter-status attribute of the query.
func (v fragmentView) Statuses() string {
	ss := make([]string, len(v.Fragment.Query.Statuses))
	for i, s := range v.Fragment.Query.Statuses {
		ss[i] = string(s)
	}
	return strings.Join(ss, ",")
}

// NewOnly is the filter-new attribute of the query ("" for all cases).
func (v fragmentView) NewOnly() string {
	if v.Fragment.Query.NewOnly {
		return "only"
	}
	return ""
}

// ShowClosed is the show-closed attribute of the query ("" for all cases).
func (v fragmentView) ShowClosed() string {
	switch v.Fragment.Query.Scope {
	case listing.OpenOnly:
		return "false"
	case listing.ClosedOnly:
		return "only"
	}
	return ""
}

type sortHeader struct{ Label, Sort, Href string }

type option struct {
	Value, Label string
	Selected     bool
}

type fieldset struct {
	Legend  string
	Options []choice
}

type choice struct {
	Type, Name, Value, Label string
	Checked                  bool
}

type legendItem struct{ Status, Label, Explain string }

// notice is a paragraph of the notices: its text, and a link to try again
// or to the settings where hidden actors are shown again.
// notice is one line of the notices; Older is the address of the next window
// back, when older cases exist.
type notice struct{ Text, Retry, Settings, Older string }

type caseRow struct {
	Index        int    // in the overview's cases: the element finds the case by it
	Lang         string // of the producer's texts, when the source said
	Date         time.Time
	DateText     string
	Title        string
	NewBadge     string // "Ny": dated after the customer's previous visit
	Sender       string
	Status       string
	StatusText   string
	Due          *due
	Forecast     string
	ForecastNone bool // closed: a dash, and Forecast says why to a screen reader
	Fields       []field
	History      []event
	Link         string
	LinkText     string // the way to the case at its producer
	NewWindow    string // follows LinkText in a span of its own: a phone's card shows only the arrow
	Info         string
	InfoText     string
	Responsible  string    // who answers for the case
	Contacts     []contact // how to reach its customer service
	NoContact    string    // says that there is no way, when Contacts is empty
	LaterPage    bool      // beyond the first page
	Groups       *rowGroups
	Reveal       *reveal // in discreet mode: show this case, or hide it again
}

// reveal is a discreet overview's link on one case's row: "Show case" and,
// for a screen reader, which of how many (Which), or "Hide again" on the
// one case shown in full, whose detail is then open (Open).
type reveal struct {
	ID, Href, Text, Which string
	Open                  bool
}

// rowGroups is the case's part in the customer's case groups: the groups
// that hold it, each with a button that takes it out, and the form that
// puts it in another (an existing group, or a new one named there).
type rowGroups struct {
	Ref    string
	In     []rowGroup
	InText string // "In: Vi bygger hus, Nytt barn"
	Others []option
}

type rowGroup struct{ ID, Remove string }

// suggestion offers the group that a category shared by several cases
// suggests; its form makes the group with them, on the customer's click.
type suggestion struct {
	Text, Button, Name string
	Refs               []string
}

// due is what a case waiting for the customer asks of them and by when.
type due struct{ What, Deadline string }

type field struct {
	Label, Value string
	Time         time.Time // set when the value is a date
	Rest         *rest     // the value is the start of a longer text
}

// rest says where the rest of a shortened text is: the case at the producer
// when there is a link to it, otherwise only who has it.
type rest struct{ Text, Href, LinkText string }

type event struct {
	Time   time.Time
	Text   string // the date
	Title  string
	Status string
	Body   string
}

// notices mirror the element's: the query that could not be used,
// settings not applied, producers that are missing (with a retry), answers
// cut short, actors the customer hid, no cases at all.
func notices(l *i18n.Localizer, ov *overview.Overview, f Fragment, missing []string) []notice {
	var out []notice
	if f.QueryRefused {
		out = append(out, notice{Text: l.Text("form.badQuery")})
	}
	if ov.PreferencesUnavailable {
		out = append(out, notice{Text: l.Text("state.preferences.unavailable")})
	}
	var names, answered []string
	for _, o := range ov.Sources {
		name := o.Producer.Name
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
		switch {
		case o.State == cases.OK:
			if !slices.Contains(missing, name) && !slices.Contains(answered, name) {
				answered = append(answered, name)
			}
		case o.Rejected > 0:
			out = append(out, notice{Text: l.Plural("state.rejected", o.Rejected, "Name", name)})
		default:
			out = append(out, notice{Text: l.Text("state.unreachable", "Name", name), Retry: href(f.Query)})
		}
		if t := o.Truncated; t != nil && t.Reason == cases.CutWindow {
			further := f.Query
			further.Older++
			n := notice{Text: l.Plural("older.exist", t.Total, "Name", name)}
			if further.Older <= cases.MaxOlder {
				n.Older = href(further)
			}
			out = append(out, n)
		} else if t != nil {
			out = append(out, notice{Text: truncated(l, name, t)})
		}
	}
	if n := len(ov.Hidden); n > 0 {
		hidden := make([]string, n)
		for i, a := range ov.Hidden {
			hidden[i] = a.Name
		}
		text := l.Plural("hidden.count", n) + " (" + strings.Join(hidden, ", ") + ")"
		if f.SettingsURL != "" {
			text += " —"
		}
		out = append(out, notice{Text: text, Settings: f.SettingsURL})
	}
	if g, ok := groupNamed(ov.Groups, f.Query.Group); ok && g.Count == 0 {
		out = append(out, notice{Text: l.Text("groups.empty", "Name", g.Name)})
	}
	switch {
	case len(ov.Cases) > 0:
	case len(missing) == 0:
		out = append(out, notice{Text: l.Text("state.empty", "Names", strings.Join(names, ", "))})
	case len(answered) > 0: // never "you have no cases" while some are missing
		out = append(out, notice{Text: l.Text("partial.empty", "Names", strings.Join(answered, ", "))})
	}
	return out
}

// truncated tells that name's cases may be missing from an answer cut short.
func truncated(l *i18n.Localizer, name string, t *cases.Truncation) string {
	switch {
	case t.Reason == cases.CutPartial || t.Total == 0 && t.Unit != cases.CountedEvents:
		return l.Text("state.partial", "Name", name)
	case t.Total == 0:
		return l.Text("state.cut", "Name", name)
	case t.Unit == cases.CountedEvents:
		return l.Plural("state.truncatedEvents", t.Total, "Shown", t.Shown, "Name", name)
	}
	return l.Plural("state.truncated", t.Total, "Shown", t.Shown, "Name", name)
}

// filter selects and orders the cases the way the element does, with the
// kit's own listing rules; index is each one's position in cs.
func filter(cs []overview.CaseView, q listing.Query) (shown []overview.CaseView, index []int) {
	plain := make([]cases.Case, len(cs))
	for i, c := range cs {
		plain[i] = *c.Case
	}
	index = listing.Select(plain, q)
	if q.Group != "" {
		index = slices.DeleteFunc(index, func(i int) bool { return !slices.Contains(cs[i].Groups, q.Group) })
	}
	shown = make([]overview.CaseView, len(index))
	for k, i := range index {
		shown[k] = cs[i]
	}
	return shown, index
}

func caseRowOf(l *i18n.Localizer, c overview.CaseView, contacts []overview.Contact, laterPage bool) caseRow {
	r := caseRow{
		Lang: c.Lang, Date: c.Date, DateText: l.Date(c.Date), Title: c.Title, Sender: c.Sender.Name,
		Status: string(c.Status), StatusText: l.Text("status." + string(c.Status)), LaterPage: laterPage,
	}
	if c.New {
		r.NewBadge = l.Text("whatsnew.badge")
	}
	switch f := c.Forecast; {
	case c.Status == cases.Closed:
		r.Forecast, r.ForecastNone = l.Text("forecast.closed"), true
	case f != nil:
		r.Forecast = l.Plural("forecast."+string(f.Unit), f.Amount)
	default:
		r.Forecast = l.Text("forecast.none", "Sender", c.Sender.Name)
	}
	if c.Status == cases.ActionRequired {
		r.Due = &due{What: c.PlannedEvent}
		if t := c.PlannedTime; t != nil {
			r.Due.Deadline = l.Text("due.deadline", "Date", l.Date(*t))
		}
	}
	add := func(id, v string) {
		if v != "" {
			r.Fields = append(r.Fields, field{Label: l.Text("field." + id), Value: v})
		}
	}
	add("caseNumber", c.CaseNumber)
	add("category", c.Category)
	if c.Payment != "" {
		add("payment", l.Text("payment."+string(c.Payment)))
	}
	add("officer", c.Officer)
	add("freeText", c.FreeText)
	freeText := len(r.Fields) - 1
	add("plannedEvent", c.PlannedEvent)
	if c.PlannedTime != nil {
		r.Fields = append(r.Fields, field{Label: l.Text("field.plannedTime"), Value: l.Date(*c.PlannedTime), Time: *c.PlannedTime})
	}
	for _, p := range c.Pairs {
		switch t, ok := isoDate(p.Value); {
		case ok:
			r.Fields = append(r.Fields, field{Label: p.Title, Value: l.Date(t), Time: t})
		case p.Value != "":
			r.Fields = append(r.Fields, field{Label: p.Title, Value: p.Value})
		}
	}
	for _, e := range c.History {
		ev := event{Time: e.Time, Text: l.Date(e.Time), Title: e.Title, Body: e.Text}
		if e.Status != "" {
			ev.Status = l.Text("status." + string(e.Status))
		}
		r.History = append(r.History, ev)
	}
	r.Responsible = l.Text("responsible.text", "Sender", c.Sender.Name)
	var cs producers.Contact
	if i := slices.IndexFunc(contacts, func(k overview.Contact) bool { return k.Producer == c.Sender.ID }); i >= 0 {
		cs = contacts[i].CustomerService
	}
	if r.Contacts = contactsOf(l, cs); len(r.Contacts) == 0 {
		r.NoContact = l.Text("responsible.none", "Sender", c.Sender.Name)
	}
	// The information page opens as the case at the producer would: in a
	// new window, which the link says.
	switch {
	case c.Link != "":
		r.Link = c.Link
		r.LinkText, r.NewWindow = l.Text("detail.link", "Sender", c.Sender.Name), l.Text("detail.newWindow")
	case c.Info != "":
		sep := "?"
		if strings.Contains(c.Info, "?") {
			sep = "&"
		}
		r.Info = c.Info + sep + "lang=" + url.QueryEscape(l.Lang())
		r.InfoText = l.Text("detail.info", "Sender", c.Sender.Name) + " " + l.Text("detail.newWindow")
	}
	if c.FreeTextShortened && c.FreeText != "" {
		more := &rest{Text: l.Text("detail.shortened")}
		if r.Link != "" {
			more.Href = r.Link
			more.LinkText = l.Text("detail.shortenedLink", "Sender", c.Sender.Name) + " " + l.Text("detail.newWindow")
		} else {
			more.Text += " " + l.Text("detail.shortenedAt", "Sender", c.Sender.Name)
		}
		r.Fields[freeText].Rest = more
	}
	return r
}

// isoDate reads a producer pair's value that is an ISO 8601 date
// ("2026-12-13") as that day, at noon UTC: the same day in Sweden, where
// dates are told (i18n.Localizer.Date); the element reads it the same way.
func isoDate(s string) (time.Time, bool) {
	if len(s) != len(time.DateOnly) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	return t.Add(12 * time.Hour), err == nil
}

// Producer writes the information page of producer p: who it is and how to
// reach its customer service. head is what the page's <head> links (the
// stylesheets, with SRI).
func (r *Renderer) Producer(w io.Writer, lang string, p producers.Info, head template.HTML) error {
	v := r.producerView(lang, p)
	v.Head = head
	return r.tmpl.ExecuteTemplate(w, "producer.html", v)
}

// Info writes the body of the information page of one case of producer p
// for a portal's layout: who p is, the case number to quote (when the case
// has one) and how to reach p's customer service. It returns the page's
// title.
func (r *Renderer) Info(w io.Writer, lang string, p producers.Info, caseNumber string) (string, error) {
	v := r.producerView(lang, p)
	v.CaseNumber = caseNumber
	return v.Title, r.tmpl.ExecuteTemplate(w, "info-body", v)
}

// Notice writes the body of a page that only says why it cannot show more:
// the catalogue's titleID as its heading and textID below. It returns the
// title.
func (r *Renderer) Notice(w io.Writer, lang, titleID, textID string) (string, error) {
	l := r.bundle.Localizer(lang)
	v := producerView{Localizer: l, Title: l.Text(titleID), Intro: l.Text(textID)}
	return v.Title, r.tmpl.ExecuteTemplate(w, "info-body", v)
}

func (r *Renderer) producerView(lang string, p producers.Info) producerView {
	l := r.bundle.Localizer(lang)
	v := producerView{Localizer: l, Title: l.Text("server.producer.title", "Name", p.Name), Intro: l.Text("server.producer.intro", "Name", p.Name)}
	if v.Contacts = contactsOf(l, p.CustomerService); len(v.Contacts) == 0 {
		v.NoContact = l.Text("responsible.none", "Sender", p.Name)
	}
	return v
}

// contactsOf are the ways to reach a customer service, each a link where
// it can be one (tel:, mailto:, https).
func contactsOf(l *i18n.Localizer, cs producers.Contact) []contact {
	var out []contact
	if cs.Phone != "" {
		out = append(out, contact{Label: l.Text("responsible.phone"), Text: cs.Phone, Href: tel(cs.Phone)})
	}
	if cs.Email != "" {
		c := contact{Label: l.Text("responsible.email"), Text: cs.Email}
		if a, err := mail.ParseAddress(cs.Email); err == nil && a.Name == "" {
			c.Href = template.URL("mailto:" + a.Address)
		}
		out = append(out, c)
	}
	if cs.Web != "" && cases.CheckLink(cs.Web) == "" {
		out = append(out, contact{Label: l.Text("responsible.web"), Text: cs.Web, Href: template.URL(cs.Web), NewWindow: l.Text("detail.newWindow")})
	}
	if cs.Hours != "" {
		out = append(out, contact{Label: l.Text("responsible.hours"), Text: cs.Hours})
	}
	return out
}

// NotFound writes the page for a producer the portal does not know.
func (r *Renderer) NotFound(w io.Writer, lang string, head template.HTML) error {
	l := r.bundle.Localizer(lang)
	return r.tmpl.ExecuteTemplate(w, "producer.html", producerView{
		Localizer: l, Head: head, Title: l.Text("server.producer.notFound"), Intro: l.Text("server.producer.notFoundText"),
	})
}

type producerView struct {
	Localizer  *i18n.Localizer
	Head       template.HTML
	Title      string
	Intro      string
	CaseNumber string // to quote to customer service; the case's own page only
	Contacts   []contact
	NoContact  string
}

type contact struct {
	Label, Text string
	Href        template.URL
	// NewWindow, when set, is what the link says about opening in a new
	// window: the producer's web site leaves the overview, as a deep link
	// does, and opens beside it the same way.
	NewWindow string
}

// tel makes a tel: link of a phone number as people write it ("0771-567
// 567", "+46 771 567 567"), or none when it is not one.
func tel(phone string) template.URL {
	var b strings.Builder
	for i, r := range strings.TrimSpace(phone) {
		switch {
		case r >= '0' && r <= '9', r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return ""
		}
	}
	if n := strings.TrimPrefix(b.String(), "+"); len(n) < 3 || len(n) > 15 {
		return ""
	}
	return template.URL("tel:" + b.String())
}

// groupNamed is the group with the id among groups, if any.
func groupNamed(groups []overview.Group, id string) (overview.Group, bool) {
	i := slices.IndexFunc(groups, func(g overview.Group) bool { return g.ID == id })
	if id == "" || i < 0 {
		return overview.Group{}, false
	}
	return groups[i], true
}

// groupChoices are the options of the group choice (none when the customer
// has no groups) and the groups the overview suggests.
func groupChoices(l *i18n.Localizer, ov *overview.Overview, q listing.Query) ([]option, []suggestion) {
	var options []option
	if len(ov.Groups) > 0 {
		options = append(options, option{Value: "", Label: l.Text("groups.all"), Selected: q.Group == ""})
		for _, g := range ov.Groups {
			options = append(options, option{Value: g.ID, Label: l.Text("groups.option", "Name", g.Name, "Count", g.Count), Selected: g.ID == q.Group})
		}
	}
	var suggestions []suggestion
	for _, s := range ov.Suggestions {
		suggestions = append(suggestions, suggestion{
			Text: l.Plural("groups.suggest", len(s.Refs), "Name", s.Name), Button: l.Text("groups.create", "Name", s.Name),
			Name: s.Name, Refs: s.Refs,
		})
	}
	return options, suggestions
}

// groupsOfRow is a case's part in the groups.
func groupsOfRow(l *i18n.Localizer, c overview.CaseView, groups []overview.Group) *rowGroups {
	r := &rowGroups{Ref: c.Ref}
	var names []string
	for _, g := range groups {
		if slices.Contains(c.Groups, g.ID) {
			names = append(names, g.Name)
			r.In = append(r.In, rowGroup{ID: g.ID, Remove: l.Text("groups.remove", "Name", g.Name)})
		} else {
			r.Others = append(r.Others, option{Value: g.ID, Label: g.Name})
		}
	}
	if len(names) > 0 {
		r.InText = l.Text("groups.inGroups", "Names", strings.Join(names, ", "))
	}
	return r
}
