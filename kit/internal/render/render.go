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
	// PageSize is how many cases show before "Show more"; 0: all.
	PageSize int
	// Query is the sorting and filtering the page starts with.
	Query listing.Query
	// Overview has every case, unfiltered (the element filters and sorts it
	// in the browser from then on, from the same data as the API's answer).
	Overview *overview.Overview
}

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
	v := fragmentView{Localizer: l, Fragment: f, Data: template.JS(safe.String()), Total: len(ov.Cases)}
	v.Heading = l.Text("heading")
	if ov.Customer.Agent {
		v.Heading = l.Text("headingFor", "Name", ov.Customer.Name)
	}
	if f.ApprovedBy != "" {
		v.TrustLine = l.Text("approved", "By", f.ApprovedBy)
	}
	v.Notices = notices(l, ov)
	shown := filter(ov.Cases, f.Query)
	v.Matched = len(shown)
	if v.Total > 0 {
		order := string(f.Query.Sort)
		if order != string(listing.ByDate) {
			order = ""
		}
		if f.Query.Descending {
			order += "desc"
		} else {
			order += "asc"
		}
		v.StatusRegion = l.Plural("count", v.Total, "Shown", v.Matched) + ", " +
			l.Text("sorted.by", "Key", strings.ToLower(l.Text("col."+string(f.Query.Sort))), "Order", l.Text("sorted."+order))
	}
	for _, k := range []listing.Key{listing.ByDate, listing.ByTitle, listing.BySender, listing.ByStatus} {
		h := sortHeader{Label: l.Text("col." + string(k))}
		if k == f.Query.Sort {
			h.Sort = "ascending"
			if f.Query.Descending {
				h.Sort = "descending"
			}
		}
		v.SortHeaders = append(v.SortHeaders, h)
	}
	for i, c := range shown {
		v.CaseRows = append(v.CaseRows, caseRowOf(l, c, f.PageSize > 0 && i >= f.PageSize))
	}
	if f.PageSize > 0 && len(shown) > f.PageSize {
		v.ShowMore = l.Plural("more", min(f.PageSize, len(shown)-f.PageSize))
	}
	for _, s := range cases.Statuses {
		v.StatusLegend = append(v.StatusLegend, legendItem{Status: string(s), Label: l.Text("status." + string(s)), Explain: l.Text("explain." + string(s))})
	}
	return r.tmpl.ExecuteTemplate(w, widget.Template, v)
}

// fragmentView is what the element's template (widget.Template) shows; its
// names follow the element's classes.
type fragmentView struct {
	Localizer    *i18n.Localizer
	Fragment     Fragment
	Data         template.JS
	Heading      string
	TrustLine    string
	Notices      []string
	Total        int
	Matched      int
	StatusRegion string
	SortHeaders  []sortHeader
	CaseRows     []caseRow
	ShowMore     string
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

type sortHeader struct{ Label, Sort string }

type legendItem struct{ Status, Label, Explain string }

type caseRow struct {
	Date       time.Time
	DateText   string
	Title      string
	Sender     string
	Status     string
	StatusText string
	Forecast   string
	Fields     []field
	History    []event
	Link       string
	LinkText   string
	Info       string
	InfoText   string
	LaterPage  bool // beyond the first page
}

type field struct {
	Label, Value string
	Time         time.Time // set when the value is a date
}

type event struct {
	Time   time.Time
	Text   string // the date
	Title  string
	Status string
	Body   string
}

// notices mirror the element's: settings not applied, producers that are
// missing, answers cut short, no cases at all.
func notices(l *i18n.Localizer, ov *overview.Overview) []string {
	var out []string
	if ov.PreferencesUnavailable {
		out = append(out, l.Text("state.preferences.unavailable"))
	}
	var names []string
	for _, o := range ov.Sources {
		if !slices.Contains(names, o.Producer.Name) {
			names = append(names, o.Producer.Name)
		}
		switch {
		case o.State == cases.OK:
		case o.Rejected > 0:
			out = append(out, l.Plural("state.rejected", o.Rejected, "Name", o.Producer.Name))
		default:
			out = append(out, l.Text("state.unreachable", "Name", o.Producer.Name))
		}
		if t := o.Truncated; t != nil {
			out = append(out, truncated(l, o.Producer.Name, t))
		}
	}
	if len(ov.Cases) == 0 {
		out = append(out, l.Text("state.empty", "Names", strings.Join(names, ", ")))
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
// kit's own listing rules.
func filter(cs []overview.CaseView, q listing.Query) []overview.CaseView {
	byID := map[string][]int{}
	plain := make([]cases.Case, len(cs))
	for i, c := range cs {
		plain[i] = *c.Case
		byID[c.ID] = append(byID[c.ID], i)
	}
	var out []overview.CaseView
	for _, c := range listing.Apply(plain, q) {
		idx := byID[c.ID]
		out = append(out, cs[idx[0]])
		byID[c.ID] = idx[1:]
	}
	return out
}

func caseRowOf(l *i18n.Localizer, c overview.CaseView, laterPage bool) caseRow {
	r := caseRow{
		Date: c.Date, DateText: l.Date(c.Date), Title: c.Title, Sender: c.Sender.Name,
		Status: string(c.Status), StatusText: l.Text("status." + string(c.Status)),
		Forecast: l.Text("field.none"), LaterPage: laterPage,
	}
	if f := c.Forecast; f != nil {
		r.Forecast = l.Plural("unit."+string(f.Unit), f.Amount)
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
	add("plannedEvent", c.PlannedEvent)
	if c.PlannedTime != nil {
		r.Fields = append(r.Fields, field{Label: l.Text("field.plannedTime"), Value: l.Date(*c.PlannedTime), Time: *c.PlannedTime})
	}
	for _, p := range c.Pairs {
		if p.Value != "" {
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
	switch {
	case c.Link != "":
		r.Link = c.Link
		r.LinkText = l.Text("detail.link", "Sender", c.Sender.Name) + " " + l.Text("detail.newWindow")
	case c.Info != "":
		sep := "?"
		if strings.Contains(c.Info, "?") {
			sep = "&"
		}
		r.Info = c.Info + sep + "lang=" + url.QueryEscape(l.Lang())
		r.InfoText = l.Text("detail.info", "Sender", c.Sender.Name)
	}
	return r
}

// Producer writes the information page of producer p: who it is and how to
// reach its customer service. head is what the page's <head> links (the
// stylesheets, with SRI).
func (r *Renderer) Producer(w io.Writer, lang string, p producers.Info, head template.HTML) error {
	l := r.bundle.Localizer(lang)
	v := producerView{Localizer: l, Head: head, Title: l.Text("server.producer.title", "Name", p.Name)}
	v.Intro = l.Text("server.producer.intro", "Name", p.Name)
	cs := p.CustomerService
	if cs.Phone != "" {
		v.Contacts = append(v.Contacts, contact{Label: l.Text("server.producer.phone"), Text: cs.Phone, Href: tel(cs.Phone)})
	}
	if cs.Email != "" {
		c := contact{Label: l.Text("server.producer.email"), Text: cs.Email}
		if a, err := mail.ParseAddress(cs.Email); err == nil && a.Name == "" {
			c.Href = template.URL("mailto:" + a.Address)
		}
		v.Contacts = append(v.Contacts, c)
	}
	if cs.Web != "" && cases.CheckLink(cs.Web) == "" {
		v.Contacts = append(v.Contacts, contact{Label: l.Text("server.producer.web"), Text: cs.Web, Href: template.URL(cs.Web)})
	}
	if cs.Hours != "" {
		v.Contacts = append(v.Contacts, contact{Label: l.Text("server.producer.hours"), Text: cs.Hours})
	}
	if len(v.Contacts) == 0 {
		v.NoContact = l.Text("server.producer.noContact", "Name", p.Name)
	}
	return r.tmpl.ExecuteTemplate(w, "producer.html", v)
}

// NotFound writes the page for a producer the portal does not know.
func (r *Renderer) NotFound(w io.Writer, lang string, head template.HTML) error {
	l := r.bundle.Localizer(lang)
	return r.tmpl.ExecuteTemplate(w, "producer.html", producerView{
		Localizer: l, Head: head, Title: l.Text("server.producer.notFound"), Intro: l.Text("server.producer.notFoundText"),
	})
}

type producerView struct {
	Localizer *i18n.Localizer
	Head      template.HTML
	Title     string
	Intro     string
	Contacts  []contact
	NoContact string
}

type contact struct {
	Label, Text string
	Href        template.URL
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
