// Package i18n is the kit's message catalogue: the go-i18n files in locales/
// (one per language, Swedish the source) loaded once and checked, a
// Localizer for the pages the kit renders on the server, and the same
// messages as JSON for the <arendevy-overview> element, so both speak with
// one voice.
package i18n

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the overview's dates are Swedish time on any host, even one without a zoneinfo database

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/arendevy/arendevy/locales"
)

// ElementRoots are the first segments of the message ids the
// <arendevy-overview> element uses. Only these messages are sent to it: the
// pages, the API's problems and the portal add messages to the same
// catalogue without growing the element's download.
var ElementRoots = []string{
	"approved", "clear", "col", "count", "detail", "expiry", "explain", "field", "filters", "heading", "headingFor",
	"legend", "more", "payment", "scope", "search", "show", "sorted", "state", "status", "unit",
	"format", "due", "forecast", "guide", "partial", "hidden", "form", "calendar", "older",
	"responsible", "support", "whatsnew", "discreetSwitch",
	"groups",
	"reveal",
}

// ForElement reports whether message id is one the element uses.
func ForElement(id string) bool {
	root, _, _ := strings.Cut(id, ".")
	return slices.Contains(ElementRoots, root)
}

// Source is the language every other language is checked against, and the
// one used when nothing the user prefers is available.
var Source = language.Swedish

// ErrCatalogue is returned when the message files are missing, malformed or
// inconsistent.
var ErrCatalogue = errors.New("i18n: message catalogue")

// stockholm is where the standard's dates are told: a Swedish service shows
// Swedish dates wherever its server runs.
var stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		panic(err) // time/tzdata is linked in: this cannot fail
	}
	return loc
}()

// Bundle holds every language of the catalogue. It is safe for concurrent use.
type Bundle struct {
	bundle    *goi18n.Bundle
	tags      []language.Tag // Source first, or the fallback of Among first
	matcher   language.Matcher
	catalogue []byte
	dirs      map[language.Tag]string // each language's format.direction, read once
}

// Default is the catalogue shipped in locales/, loaded once per process:
// every part of the kit that shows text shares it. The Bundle is read-only.
var Default = sync.OnceValues(func() (*Bundle, error) { return New(locales.FS) })

// New loads every *.toml message file at the root of fsys, named by its
// language ("sv.toml", "en.toml"), and checks that each language has exactly
// the source language's messages, the same placeholders and the same use of
// plurals. Every problem is reported, not only the first.
func New(fsys fs.FS) (*Bundle, error) {
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCatalogue, err)
	}
	b := &Bundle{bundle: goi18n.NewBundle(Source)}
	b.bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files := map[language.Tag]map[string]*goi18n.Message{}
	var errs []error
	for _, name := range names {
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		tag, err := language.Parse(strings.TrimSuffix(path.Base(name), ".toml"))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: the file name must be a language tag: %w", name, err))
			continue
		}
		// ParseMessageFileBytes derives the language from the path; use the
		// canonical tag so "sv.toml" and an "sv" request meet.
		mf, err := b.bundle.ParseMessageFileBytes(buf, tag.String()+".toml")
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		byID := map[string]*goi18n.Message{}
		for _, m := range mf.Messages {
			byID[m.ID] = m
		}
		files[tag] = byID
	}
	if len(errs) == 0 {
		errs = check(files)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrCatalogue, errors.Join(errs...))
	}
	others := slices.DeleteFunc(slices.Collect(maps.Keys(files)), func(t language.Tag) bool { return t == Source })
	slices.SortFunc(others, byName)
	b.tags = append([]language.Tag{Source}, others...)
	b.matcher = language.NewMatcher(b.tags)
	b.dirs = map[language.Tag]string{}
	for tag, msgs := range files {
		// A catalogue without the message is left to right.
		b.dirs[tag] = "ltr"
		if m, ok := msgs[directionID]; ok {
			b.dirs[tag] = m.Other
		}
	}
	b.catalogue, err = catalogue(b.tags, files)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCatalogue, err)
	}
	return b, nil
}

// placeholder is the one template form the element's formatter understands.
var placeholder = regexp.MustCompile(`\{\{\.([A-Za-z][A-Za-z0-9]*)\}\}`)

// check compares every language with the source language.
func check(files map[language.Tag]map[string]*goi18n.Message) []error {
	src, ok := files[Source]
	if !ok {
		return []error{fmt.Errorf("no %s.toml: the source language is required", Source)}
	}
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(src)) {
		m := src[id]
		if m.Other == "" {
			errs = append(errs, fmt.Errorf("%s: %q has no text", Source, id))
		}
		errs = append(errs, braces(Source, id, m)...)
		errs = append(errs, direction(Source, id, m)...)
	}
	for _, tag := range slices.SortedFunc(maps.Keys(files), byName) {
		if tag == Source {
			continue
		}
		msgs := files[tag]
		for _, id := range slices.Sorted(maps.Keys(src)) {
			m, ok := msgs[id]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%s: %q is missing", tag, id))
				continue
			case m.Other == "":
				errs = append(errs, fmt.Errorf("%s: %q has no text", tag, id))
			case plural(m) != plural(src[id]):
				errs = append(errs, fmt.Errorf("%s: %q must be a plural exactly when %s's is", tag, id, Source))
			}
			errs = append(errs, braces(tag, id, m)...)
			errs = append(errs, direction(tag, id, m)...)
			if want, got := names(src[id]), names(m); !slices.Equal(want, got) {
				errs = append(errs, fmt.Errorf("%s: %q has placeholders %v, %s has %v", tag, id, got, Source, want))
			}
		}
		for _, id := range slices.Sorted(maps.Keys(msgs)) {
			if _, ok := src[id]; !ok {
				errs = append(errs, fmt.Errorf("%s: %q is not in %s.toml", tag, id, Source))
			}
		}
	}
	return errs
}

// direction reports a writing direction the dir attribute does not know:
// the browser would ignore it and lay the page out left to right.
func direction(tag language.Tag, id string, m *goi18n.Message) []error {
	if id != directionID || m.Other == "ltr" || m.Other == "rtl" {
		return nil
	}
	return []error{fmt.Errorf("%s: %q must be ltr or rtl, not %q", tag, id, m.Other)}
}

// braces reports a message for the element with braces other than its
// {{.Name}} placeholders: the element would take {word} for a placeholder.
func braces(tag language.Tag, id string, m *goi18n.Message) []error {
	if !ForElement(id) {
		return nil
	}
	for _, form := range forms(m) {
		if rest := placeholder.ReplaceAllString(form, ""); strings.ContainsAny(rest, "{}") {
			return []error{fmt.Errorf("%s: %q: the element understands {{.Name}} placeholders and no other braces", tag, id)}
		}
	}
	return nil
}

func forms(m *goi18n.Message) []string {
	return slices.DeleteFunc([]string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other}, func(s string) bool { return s == "" })
}

// plural reports whether m has forms other than "other": its count decides.
func plural(m *goi18n.Message) bool {
	return m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""
}

func allAlike(m *goi18n.Message) bool {
	fs := forms(m)
	return !slices.ContainsFunc(fs, func(f string) bool { return f != fs[0] })
}

func byName(a, b language.Tag) int { return strings.Compare(a.String(), b.String()) }

// names lists the placeholders a message uses in any of its forms.
func names(m *goi18n.Message) []string {
	var out []string
	for _, f := range forms(m) {
		for _, sub := range placeholder.FindAllStringSubmatch(f, -1) {
			out = append(out, sub[1])
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// catalogue renders the element's messages as
//
//	[["id", …], {"sv": [text or {"one": …, "other": …}, …], "en": […]}]
//
// every message id once, sorted, and each language's texts in that order,
// the source language first so the element can fall back to it. Writing the
// ids once instead of once per language, and {Name} for {{.Name}}, saves
// about a hundred bytes of the element's gzipped download.
func catalogue(tags []language.Tag, files map[language.Tag]map[string]*goi18n.Message) ([]byte, error) {
	ids := slices.DeleteFunc(slices.Sorted(maps.Keys(files[Source])), func(id string) bool { return !ForElement(id) })
	langs := make([][]byte, 0, len(tags))
	for _, tag := range tags {
		texts := make([]any, len(ids))
		for i, id := range ids {
			m := files[tag][id]
			// A plural whose forms are all alike needs no count to choose.
			if !plural(m) || allAlike(m) {
				texts[i] = short(m.Other)
				continue
			}
			p := map[string]string{}
			for form, text := range map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other} {
				if text != "" {
					p[form] = short(text)
				}
			}
			texts[i] = p
		}
		name, err := json.Marshal(tag.String())
		if err != nil {
			return nil, err
		}
		list, err := json.Marshal(texts)
		if err != nil {
			return nil, err
		}
		langs = append(langs, append(append(name, ':'), list...)) // "sv":[…]
	}
	idList, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteByte('[')
	buf.Write(idList)
	buf.WriteString(",{")
	buf.Write(bytes.Join(langs, []byte(",")))
	buf.WriteString("}]")
	return buf.Bytes(), nil
}

// short writes a message's placeholders as the element reads them: {Name}.
func short(text string) string { return placeholder.ReplaceAllString(text, "{$1}") }

// Languages lists the catalogue's languages, the source language first (for
// a Bundle from Among: its languages, in its order).
func (b *Bundle) Languages() []language.Tag { return slices.Clone(b.tags) }

// Among is b speaking only langs, the first of them the fallback: a site
// that offers fewer languages than the catalogue has, or another order.
// Every one must be a language of b, named once. The element's catalogue
// stays whole: the page's lang decides what it shows.
func (b *Bundle) Among(langs ...string) (*Bundle, error) {
	if len(langs) == 0 {
		return nil, fmt.Errorf("%w: no language chosen", ErrCatalogue)
	}
	tags := make([]language.Tag, 0, len(langs))
	for _, lang := range langs {
		tag, err := language.Parse(lang)
		switch {
		case err != nil || !slices.Contains(b.tags, tag) || tag.String() != lang:
			return nil, fmt.Errorf("%w: %q is not a language of the catalogue (%s)", ErrCatalogue, lang, joinTags(b.tags))
		case slices.Contains(tags, tag):
			return nil, fmt.Errorf("%w: %q is chosen twice", ErrCatalogue, lang)
		}
		tags = append(tags, tag)
	}
	return &Bundle{bundle: b.bundle, tags: tags, matcher: language.NewMatcher(tags), catalogue: b.catalogue, dirs: b.dirs}, nil
}

func joinTags(tags []language.Tag) string {
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.String()
	}
	return strings.Join(names, ", ")
}

// Catalogue is the element's messages (see ElementRoots) as JSON, every
// language, the source language first.
func (b *Bundle) Catalogue() []byte { return bytes.Clone(b.catalogue) }

// Match picks the catalogue language that best fits prefs: language tags
// ("en-GB") or Accept-Language values ("sv;q=0.8, en"), most important
// first. Anything unusable is skipped; with nothing usable, the source
// language is chosen.
func (b *Bundle) Match(prefs ...string) language.Tag {
	var want []language.Tag
	for _, p := range prefs {
		tags, _, err := language.ParseAcceptLanguage(p)
		if err != nil {
			continue
		}
		want = append(want, tags...)
	}
	if len(want) == 0 {
		return b.tags[0]
	}
	_, i, conf := b.matcher.Match(want...)
	if conf == language.No {
		return b.tags[0]
	}
	return b.tags[i]
}

// Localizer speaks the catalogue language that best fits prefs (see Match).
func (b *Bundle) Localizer(prefs ...string) *Localizer {
	tag := b.Match(prefs...)
	return &Localizer{loc: goi18n.NewLocalizer(b.bundle, tag.String()), tag: tag, dir: b.dirs[tag]}
}

// Localizer renders messages in one language. It is safe for concurrent use.
type Localizer struct {
	loc *goi18n.Localizer
	tag language.Tag
	dir string // "ltr" or "rtl"
}

// Lang is the language's tag, for a lang attribute: "sv", "en".
func (l *Localizer) Lang() string { return l.tag.String() }

// directionID is the message that tells a language's writing direction:
// "ltr" or "rtl", the values of the dir attribute (check refuses others).
const directionID = "format.direction"

// Dir is the language's writing direction, for a dir attribute: "ltr",
// or "rtl" for Arabic. Every page root and the element's root carry it, so
// the browser mirrors the layout (the styles use logical properties).
// Read once with the catalogue: pages ask for it on every row.
func (l *Localizer) Dir() string { return l.dir }

// Text renders message id with the given name/value pairs for its
// placeholders: Text("detail.link", "Sender", "Skatteverket"). Values are
// data, never templates. An unknown id comes back as itself, so a mistake
// shows on the page and in tests instead of vanishing.
func (l *Localizer) Text(id string, pairs ...any) string {
	return l.localize(id, nil, pairs)
}

// Plural renders message id in the plural form that count calls for, with
// {{.Count}} set to count and the other placeholders from pairs.
func (l *Localizer) Plural(id string, count int, pairs ...any) string {
	return l.localize(id, count, append([]any{"Count", count}, pairs...))
}

func (l *Localizer) localize(id string, count any, pairs []any) string {
	data := make(map[string]any, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		if k, ok := pairs[i].(string); ok {
			data[k] = pairs[i+1]
		}
	}
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		return id
	}
	return s
}

// Date tells the calendar date of t in Swedish time the way the element's
// Intl.DateTimeFormat does with dateStyle "long": "20 november 2026",
// "November 20, 2026".
func (l *Localizer) Date(t time.Time) string {
	t = t.In(stockholm)
	return l.Text("server.date", "Day", t.Day(), "Month", l.Text("server.month."+strconv.Itoa(int(t.Month()))), "Year", t.Year())
}
