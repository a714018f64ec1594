package i18n_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/locales"
)

func shipped(t testing.TB) *i18n.Bundle {
	t.Helper()
	b, err := i18n.Default()
	require.NoError(t, err)
	return b
}

// Swedish is the source and comes first; every other locales/*.toml is a
// language of its own, Finnish and Arabic among them.
func TestShippedCatalogueLanguages(t *testing.T) {
	b := shipped(t)
	require.Equal(t, language.Swedish, b.Languages()[0])
	require.Subset(t, b.Languages(), []language.Tag{language.English, language.Finnish, language.Arabic})
	require.Len(t, b.Languages(), len(shippedLanguages(t)))
}

func TestPlurals(t *testing.T) {
	b := shipped(t)
	tests := []struct {
		lang, id string
		count    int
		pairs    []any
		want     string
	}{
		{"sv", "count", 1, []any{"Shown", 1}, "1 av 1 ärende"},
		{"sv", "count", 2, []any{"Shown", 0}, "0 av 2 ärenden"},
		{"sv", "count", 0, []any{"Shown", 0}, "0 av 0 ärenden"},
		{"en", "count", 1, []any{"Shown", 1}, "1 of 1 case"},
		{"en", "count", 40, []any{"Shown", 12}, "12 of 40 cases"},
		{"sv", "unit.weeks", 1, nil, "1 vecka"},
		{"sv", "unit.weeks", 3, nil, "3 veckor"},
		{"sv", "unit.days", 1, nil, "1 dag"},
		{"sv", "unit.months", 2, nil, "2 månader"},
		{"en", "unit.days", 1, nil, "1 day"},
		{"en", "unit.months", 6, nil, "6 months"},
		{"sv", "state.rejected", 1, []any{"Name", "Skatteverket"}, "1 ärende från Skatteverket kunde inte visas."},
		{"en", "state.rejected", 3, []any{"Name", "Skatteverket"}, "3 cases from Skatteverket could not be shown."},
		{"fi", "count", 1, []any{"Shown", 1}, "1/1 asia"},
		{"fi", "count", 40, []any{"Shown", 12}, "12/40 asiaa"},
		{"fi", "unit.weeks", 1, nil, "1 viikko"},
		{"fi", "unit.weeks", 3, nil, "3 viikkoa"},
		{"fi", "state.rejected", 0, []any{"Name", "Skatteverket"}, "0 asiaa lähettäjältä Skatteverket ei voitu näyttää."},
		// Arabic has all six CLDR forms: 0 zero, 1 one, 2 two, 3–10 few,
		// 11–99 many, 100 other.
		{"ar", "unit.days", 0, nil, "0 يوم"},
		{"ar", "unit.days", 1, nil, "1 يوم"},
		{"ar", "unit.days", 2, nil, "2 يومان"},
		{"ar", "unit.days", 3, nil, "3 أيام"},
		{"ar", "unit.days", 11, nil, "11 يومًا"},
		{"ar", "unit.days", 100, nil, "100 يوم"},
		{"ar", "count", 2, []any{"Shown", 1}, "1 من 2 معاملتين"},
		{"ar", "count", 40, []any{"Shown", 12}, "12 من 40 معاملة"},
		{"ar", "count", 5, []any{"Shown", 5}, "5 من 5 معاملات"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.id, func(t *testing.T) {
			require.Equal(t, tt.want, b.Localizer(tt.lang).Plural(tt.id, tt.count, tt.pairs...))
		})
	}
}

func TestDirectionFollowsTheLanguage(t *testing.T) {
	b := shipped(t)
	for _, lang := range []string{"sv", "en", "fi"} {
		require.Equal(t, "ltr", b.Localizer(lang).Dir(), lang)
	}
	require.Equal(t, "rtl", b.Localizer("ar").Dir(), "Arabic is written right to left")
	among, err := b.Among("ar", "sv")
	require.NoError(t, err)
	require.Equal(t, "rtl", among.Localizer("ar").Dir(), "a portal's choice of languages keeps their directions")

	plain, err := i18n.New(fstest.MapFS{"sv.toml": {Data: []byte(`heading = "Mina ärenden"`)}})
	require.NoError(t, err)
	require.Equal(t, "ltr", plain.Localizer("sv").Dir(), "a catalogue that says no direction is left to right")
}

func TestTextKeepsDataInert(t *testing.T) {
	l := shipped(t).Localizer("en")
	hostile := `{{.By}}<script>alert(1)</script>{{template "x"}}`
	require.Equal(t, "This service is approved by "+hostile+".", l.Text("approved", "By", hostile))
	require.Equal(t, "no.such.message", l.Text("no.such.message"), "a missing message shows itself")
}

func TestMatch(t *testing.T) {
	b := shipped(t)
	tests := []struct {
		prefs []string
		want  string
	}{
		{nil, "sv"},
		{[]string{""}, "sv"},
		{[]string{"en"}, "en"},
		{[]string{"en-GB"}, "en"},
		{[]string{"sv-SE"}, "sv"},
		{[]string{"de"}, "sv"},
		{[]string{"fr;q=0.9, en;q=0.8"}, "en"},
		{[]string{"de", "en-US"}, "en"},
		{[]string{"%%%", "en"}, "en"},
		{[]string{"sv;q=0.1, en;q=0.9"}, "en"},
		{[]string{"fi"}, "fi"},
		{[]string{"fi-FI"}, "fi"},
		{[]string{"de", "fi;q=0.5"}, "fi"},
		{[]string{"ar"}, "ar"},
		{[]string{"ar-SA"}, "ar"},
		{[]string{"de", "ar-EG;q=0.5"}, "ar"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.prefs, "|"), func(t *testing.T) {
			require.Equal(t, tt.want, b.Match(tt.prefs...).String())
			require.Equal(t, tt.want, b.Localizer(tt.prefs...).Lang())
		})
	}
}

// English dates read "3 December 2026" (Intl en-GB) and Finnish ones
// "3. joulukuuta 2026" (Intl fi-FI), as the element writes them.
func TestDateIsSwedishTimeLikeIntlLong(t *testing.T) {
	b := shipped(t)
	tests := []struct {
		at         string
		sv, en, fi string
		scenario   string
	}{
		{"2026-11-20T09:30:00Z", "20 november 2026", "20 November 2026", "20. marraskuuta 2026", "winter daytime"},
		{"2026-11-20T23:30:00Z", "21 november 2026", "21 November 2026", "21. marraskuuta 2026", "late evening UTC is the next day in Sweden (UTC+1)"},
		{"2026-06-30T22:30:00Z", "1 juli 2026", "1 July 2026", "1. heinäkuuta 2026", "summer time (UTC+2)"},
		{"2026-01-05T23:30:00Z", "6 januari 2026", "6 January 2026", "6. tammikuuta 2026", "new year"},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			at, err := time.Parse(time.RFC3339, tt.at)
			require.NoError(t, err)
			require.Equal(t, tt.sv, b.Localizer("sv").Date(at))
			require.Equal(t, tt.en, b.Localizer("en").Date(at))
			require.Equal(t, tt.fi, b.Localizer("fi").Date(at))
		})
	}
}

// Arabic dates are what Intl "ar-u-nu-latn" writes (dateStyle long): Western
// digits and no direction marks, e.g. "5 ديسمبر 2026".
func TestArabicDateLikeIntl(t *testing.T) {
	l := shipped(t).Localizer("ar")
	months := []string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}
	for i, month := range months {
		at := time.Date(2026, time.Month(i+1), 5, 12, 0, 0, 0, time.UTC)
		require.Equal(t, "5 "+month+" 2026", l.Date(at))
	}
	at, err := time.Parse(time.RFC3339, "2026-11-20T23:30:00Z")
	require.NoError(t, err)
	require.Equal(t, "21 نوفمبر 2026", l.Date(at), "Swedish time")
}

// Arabic reaches the element with all six plural forms, right to left.
func TestCatalogueForTheElementInArabic(t *testing.T) {
	var cat []json.RawMessage
	require.NoError(t, json.Unmarshal(shipped(t).Catalogue(), &cat))
	var ids []string
	require.NoError(t, json.Unmarshal(cat[0], &ids))
	var langs map[string][]any
	require.NoError(t, json.Unmarshal(cat[1], &langs))
	msgs := map[string]any{}
	for i, id := range ids {
		msgs[id] = langs["ar"][i]
	}
	require.Equal(t, map[string]any{
		"zero": "{Shown} من {Count} معاملة", "one": "{Shown} من {Count} معاملة", "two": "{Shown} من {Count} معاملتين",
		"few": "{Shown} من {Count} معاملات", "many": "{Shown} من {Count} معاملة", "other": "{Shown} من {Count} معاملة",
	}, msgs["count"])
	require.Equal(t, "اعرض {Count} أخرى", msgs["more"], "a plural with one form for every count is a plain text")
	require.Equal(t, "ar-u-nu-latn", msgs["format.dates"])
	require.Equal(t, "rtl", msgs["format.direction"])
	for _, lang := range []string{"sv", "en", "fi"} {
		i := slices.Index(ids, "format.direction")
		require.Equal(t, "ltr", langs[lang][i], lang)
	}
}

func TestCatalogueForTheElement(t *testing.T) {
	raw := shipped(t).Catalogue()
	require.True(t, strings.HasPrefix(string(raw), `[["`), "the ids come first, once: %.20s", raw)

	var cat []json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &cat))
	require.Len(t, cat, 2)
	var ids []string
	require.NoError(t, json.Unmarshal(cat[0], &ids))
	require.True(t, slices.IsSorted(ids))
	require.True(t, strings.HasPrefix(string(cat[1]), `{"sv":`), "the source language comes first: the element falls back to it")
	var langs map[string][]any
	require.NoError(t, json.Unmarshal(cat[1], &langs))
	require.Len(t, langs, len(shippedLanguages(t)))
	for lang, texts := range langs {
		require.Len(t, texts, len(ids), lang)
		msgs := map[string]any{}
		for i, id := range ids {
			msgs[id] = texts[i]
		}
		want, ok := elementTexts[lang]
		if !ok {
			continue // a language this test has no sample texts for: New checked its placeholders
		}
		require.Equal(t, map[string]any{"one": want.one, "other": want.other}, msgs["count"], "placeholders are {Name}")
		require.Equal(t, want.action, msgs["status.action_required"])
		require.Equal(t, want.more, msgs["more"], "a plural with one form for every count is a plain text")
	}
	for _, id := range ids {
		require.True(t, i18n.ForElement(id), "%q is not the element's, yet sent to it", id)
	}
}

// The pages, the API and the portal share the catalogue with the element;
// only the element's own messages may count against its download.
func TestElementGetsOnlyItsOwnMessages(t *testing.T) {
	var cat []json.RawMessage
	require.NoError(t, json.Unmarshal(shipped(t).Catalogue(), &cat))
	var ids []string
	require.NoError(t, json.Unmarshal(cat[0], &ids))
	var want []string
	for _, id := range shippedIDs(t, "sv") {
		if i18n.ForElement(id) {
			want = append(want, id)
		}
	}
	require.Equal(t, want, ids)
	for _, id := range ids {
		for _, notTheElements := range []string{"server.", "saml.", "deeplink.", "devidp.", "problem.", "portal."} {
			require.False(t, strings.HasPrefix(id, notTheElements), "%q sent to the element", id)
		}
	}
	for _, root := range i18n.ElementRoots {
		require.True(t, slices.ContainsFunc(ids, func(id string) bool { return id == root || strings.HasPrefix(id, root+".") }),
			"element root %q names no message", root)
	}
}

// Read straight from the files, not through New's own check: every message
// is in every language with the same placeholders.
func TestEveryMessageInEveryLanguageWithTheSamePlaceholders(t *testing.T) {
	sv := shippedTexts(t, "sv")
	for _, lang := range shippedLanguages(t) {
		other := shippedTexts(t, lang)
		require.Equal(t, slices.Sorted(maps.Keys(sv)), slices.Sorted(maps.Keys(other)), lang)
		for id, text := range sv {
			require.Equal(t, placeholdersOf(text), placeholdersOf(other[id]), "%s: %s", lang, id)
		}
	}
}

func shippedIDs(t *testing.T, lang string) []string {
	return slices.Sorted(maps.Keys(shippedTexts(t, lang)))
}

// shippedTexts is locales/<lang>.toml as id → every text of the message
// (plural forms joined), with go-i18n's nesting flattened the way it does:
// a table of plural forms is one message.
func shippedTexts(t *testing.T, lang string) map[string]string {
	t.Helper()
	var raw map[string]any
	_, err := toml.DecodeFS(locales.FS, lang+".toml", &raw)
	require.NoError(t, err)
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case string:
			out[prefix] = v
		case map[string]any:
			if _, plural := v["other"]; plural {
				var forms []string
				for _, k := range slices.Sorted(maps.Keys(v)) {
					forms = append(forms, v[k].(string))
				}
				out[prefix] = strings.Join(forms, "|")
				return
			}
			for k, sub := range v {
				if prefix != "" {
					k = prefix + "." + k
				}
				walk(k, sub)
			}
		default:
			t.Fatalf("%s: %s is neither a text nor a table", lang, prefix)
		}
	}
	walk("", raw)
	return out
}

var placeholderPattern = regexp.MustCompile(`\{\{\.([A-Za-z][A-Za-z0-9]*)\}\}`)

func placeholdersOf(text string) []string {
	var names []string
	for _, m := range placeholderPattern.FindAllStringSubmatch(text, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// elementTexts are a few messages as the element gets them, per language.
var elementTexts = map[string]struct{ one, other, action, more string }{
	"sv": {"{Shown} av {Count} ärende", "{Shown} av {Count} ärenden", "Åtgärd krävs", "Visa {Count} till"},
	"en": {"{Shown} of {Count} case", "{Shown} of {Count} cases", "Action required", "Show {Count} more"},
	"fi": {"{Shown}/{Count} asia", "{Shown}/{Count} asiaa", "Toimenpiteitä tarvitaan", "Näytä {Count} lisää"},
}

// shippedLanguages are the languages of locales/, by file name.
func shippedLanguages(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(locales.FS, "*.toml")
	require.NoError(t, err)
	for i, name := range names {
		names[i] = strings.TrimSuffix(name, ".toml")
	}
	return names
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestNewRefusesInconsistentCatalogues(t *testing.T) {
	const sv = `
heading = "Mina ärenden"
approved = "Godkänd av {{.By}}."
[count]
one = "{{.Count}} ärende"
other = "{{.Count}} ärenden"
[server]
date = "{{.Day}} {{.Month}}"
`
	tests := []struct {
		name  string
		files fstest.MapFS
		want  []string // every one must appear in the error
	}{
		{"missing source language", fstest.MapFS{"en.toml": {Data: []byte(`heading = "x"`)}}, []string{"no sv.toml"}},
		{"malformed toml", fstest.MapFS{"sv.toml": {Data: []byte(`heading = "unterminated`)}}, []string{"sv.toml"}},
		{"file name not a language", fstest.MapFS{"sv.toml": {Data: []byte(sv)}, "not_a_language!.toml": {Data: []byte(sv)}}, []string{"must be a language tag"}},
		{"missing and extra messages", fstest.MapFS{
			"sv.toml": {Data: []byte(sv)},
			"en.toml": {Data: []byte(`heading = "My cases"
extra = "x"
[count]
one = "{{.Count}} case"
other = "{{.Count}} cases"
[server]
date = "{{.Month}} {{.Day}}"
`)},
		}, []string{`en: "approved" is missing`, `en: "extra" is not in sv.toml`}},
		{"placeholders differ", fstest.MapFS{
			"sv.toml": {Data: []byte(sv)},
			"en.toml": {Data: []byte(`heading = "My cases"
approved = "Approved by {{.Name}}."
[count]
one = "{{.Count}} case"
other = "{{.Count}} cases"
[server]
date = "{{.Month}} {{.Day}}"
`)},
		}, []string{`en: "approved" has placeholders [Name], sv has [By]`}},
		{"plural in one language only", fstest.MapFS{
			"sv.toml": {Data: []byte(sv)},
			"en.toml": {Data: []byte(`heading = "My cases"
approved = "Approved by {{.By}}."
count = "{{.Count}} cases"
[server]
date = "{{.Month}} {{.Day}}"
`)},
		}, []string{`en: "count" must be a plural exactly when sv's is`}},
		{"template logic the element cannot run", fstest.MapFS{"sv.toml": {Data: []byte(`heading = "{{if .X}}a{{end}}"`)}},
			[]string{`"heading": the element understands {{.Name}} placeholders and no other braces`}},
		{"a brace the element would take for a placeholder", fstest.MapFS{
			"sv.toml": {Data: []byte(`heading = "Mina ärenden"`)},
			"en.toml": {Data: []byte(`heading = "My {cases}"`)},
		}, []string{`en: "heading": the element understands {{.Name}} placeholders and no other braces`}},
		{"empty text", fstest.MapFS{"sv.toml": {Data: []byte(`heading = ""`)}}, []string{`"heading" has no text`}},
		{"a writing direction the dir attribute does not know", fstest.MapFS{
			"sv.toml": {Data: []byte("[format]\ndirection = \"ltr\"")},
			"en.toml": {Data: []byte("[format]\ndirection = \"right-to-left\"")},
		}, []string{`en: "format.direction" must be ltr or rtl, not "right-to-left"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := i18n.New(tt.files)
			require.Error(t, err)
			require.True(t, errors.Is(err, i18n.ErrCatalogue))
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestServerMessagesMayUseTemplates(t *testing.T) {
	b, err := i18n.New(fstest.MapFS{"sv.toml": {Data: []byte(`heading = "Mina ärenden"
[server]
x = "{{if .On}}på{{else}}av{{end}}"
`)}})
	require.NoError(t, err)
	require.Equal(t, "på", b.Localizer("sv").Text("server.x", "On", true))
	require.Equal(t, `[["heading"],{"sv":["Mina ärenden"]}]`, string(b.Catalogue()))
}

// A site that speaks fewer languages than the catalogue matches only among
// them and falls back to the first it names.
func TestAmong(t *testing.T) {
	b, err := shipped(t).Among("en", "fi")
	require.NoError(t, err)
	require.Equal(t, []language.Tag{language.English, language.Finnish}, b.Languages())
	require.Equal(t, "fi", b.Localizer("fi-FI").Lang())
	require.Equal(t, "en", b.Localizer("sv").Lang(), "Swedish is not among them: the first is the fallback")
	require.Equal(t, "en", b.Localizer().Lang())
	require.Equal(t, "Omat asiat", b.Localizer("fi").Text("heading"))
	require.Equal(t, shipped(t).Catalogue(), b.Catalogue(), "the element keeps every language")

	for _, bad := range [][]string{nil, {"de"}, {"sv", "sv"}, {"SV"}, {"sv-SE"}, {"<script>"}} {
		_, err := shipped(t).Among(bad...)
		require.ErrorIs(t, err, i18n.ErrCatalogue, "%q", bad)
	}
}

func FuzzMatch(f *testing.F) {
	b := shipped(f)
	for _, s := range []string{"", "sv", "en-GB", "fr;q=0.9, en;q=0.8", "*", "x-klingon", "en;q=abc", strings.Repeat("a-", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pref string) {
		got := b.Match(pref)
		require.Contains(t, b.Languages(), got)
		require.NotEmpty(t, b.Localizer(pref).Text("heading"))
	})
}
