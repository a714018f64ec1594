package cases

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validCase() Case {
	return Case{
		ID:     "vaxholm:1",
		Date:   time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC),
		Title:  "Bygglov för carport",
		Sender: Actor{ID: "vaxholm", Name: "Vaxholms stad"},
		Status: InProgress,
	}
}

func fields(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return out
}

func TestValidateReportsEveryProblemWithItsField(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Case)
		want   []string
	}{
		{"valid", func(*Case) {}, nil},
		{"all detail fields", func(c *Case) {
			pt := c.Date.Add(48 * time.Hour)
			c.Forecast = &Forecast{Amount: 3, Unit: Weeks}
			c.CaseNumber, c.Category, c.Payment, c.Officer = "BN 2026-123", "Bygglov", PaymentPending, "Anna Berg"
			c.FreeText, c.FreeTextShortened, c.PlannedEvent, c.PlannedTime = "Text", true, "Beslut", &pt
			c.Pairs = []Pair{{"Fastighet", "Rindö 3:1"}}
			c.Tags = []string{"Vi bygger hus"}
			c.Link = "https://etjanst.vaxholm.se/arende/1"
			c.History = []Event{{Time: c.Date, Title: "Mottagen", Status: Received}}
		}, nil},
		{"empty case", func(c *Case) { *c = Case{} }, []string{"id", "date", "title", "sender.id", "sender.name", "status"}},
		{"unknown status", func(c *Case) { c.Status = "pending" }, []string{"status"}},
		{"bad forecast", func(c *Case) { c.Forecast = &Forecast{Amount: -1, Unit: "years"} }, []string{"forecast.amount", "forecast.unit"}},
		{"shortened nothing", func(c *Case) { c.FreeTextShortened = true }, []string{"freeTextShortened"}},
		{"bad payment", func(c *Case) { c.Payment = "owed" }, []string{"payment"}},
		{"javascript link", func(c *Case) { c.Link = "javascript:alert(1)" }, []string{"link"}},
		{"data link", func(c *Case) { c.Link = "data:text/html,<script>alert(1)</script>" }, []string{"link"}},
		{"http link", func(c *Case) { c.Link = "http://etjanst.vaxholm.se/" }, []string{"link"}},
		{"protocol-relative link", func(c *Case) { c.Link = "//evil.example/" }, []string{"link"}},
		{"userinfo link", func(c *Case) { c.Link = "https://vaxholm.se@evil.example/" }, []string{"link"}},
		{"IDN look-alike link", func(c *Case) { c.Link = "https://vаxholm.se/" }, []string{"link"}},
		{"invalid UTF-8 title", func(c *Case) { c.Title = "Bygg\xfflov" }, []string{"title"}},
		{"bidi override in title", func(c *Case) { c.Title = "Bygglov \u202egnisiw" }, []string{"title"}},
		{"overlong title", func(c *Case) { c.Title = strings.Repeat("å", MaxTitle+1) }, []string{"title"}},
		{"empty pair", func(c *Case) { c.Pairs = []Pair{{"", ""}} }, []string{"pairs[0].title", "pairs[0].value"}},
		{"hostile and empty tags", func(c *Case) { c.Tags = []string{"Vi bygger hus", "", "Nytt \u202ebarn"} }, []string{"tags[1]", "tags[2]"}},
		{"too many tags", func(c *Case) { c.Tags = slices.Repeat([]string{"Flytt"}, MaxTags+1) }, []string{"tags"}},
		{"history without time", func(c *Case) { c.History = []Event{{Title: "x", Status: "weird"}} }, []string{"history[0].time", "history[0].status"}},
		{"updated before created", func(c *Case) {
			c.Created, c.Updated = c.Date, c.Date.Add(-time.Hour)
		}, []string{"updated"}},
		{"date in the future", func(c *Case) { c.Date = time.Now().Add(72 * time.Hour) }, []string{"date"}},
		{"times JSON cannot carry", func(c *Case) {
			far, east := time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.FixedZone("", 24*3600)
			tooEast := c.Date.In(east)
			c.Date, c.PlannedTime, c.Created, c.Updated = far, &tooEast, far, c.Date.In(east)
			c.History = []Event{{Time: tooEast, Title: "x"}}
		}, []string{"date", "plannedTime", "history[0].time", "created", "updated"}},
		{"placeholder times", func(c *Case) {
			first, never := time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
			c.Date, c.PlannedTime, c.Created, c.Updated = first, &never, time.Date(1753, 1, 1, 0, 0, 0, 0, time.UTC), never
			c.History = []Event{{Time: first, Title: "x"}, {Time: time.Date(1899, 12, 31, 23, 0, 0, 0, time.UTC), Title: "y"}}
		}, []string{"date", "plannedTime", "history[0].time", "history[1].time", "created", "updated"}},
		{"the years' bounds are in", func(c *Case) {
			start, end := time.Date(MinYear, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(MaxYear, 12, 31, 23, 59, 59, 0, time.UTC)
			c.Created, c.Updated, c.PlannedTime = start, c.Date, &end
			c.History = []Event{{Time: start, Title: "x"}}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCase()
			tt.change(&c)
			require.Equal(t, tt.want, fields(c.Validate()))
		})
	}
}

func TestSettleAnnouncesPlaceholderDates(t *testing.T) {
	old := validCase()
	old.Date = time.Date(1, 6, 1, 0, 0, 0, 0, time.UTC)
	r := Settle("hub", Actor{ID: "hub", Name: "Ärendenavet"}, Result{Cases: []Case{validCase(), old}})
	require.Equal(t, []Case{validCase()}, r.Cases, "never shown as June 1, 1")
	require.Equal(t, []Outcome{{Source: "hub", Producer: old.Sender, State: Invalid, Cases: 1, Rejected: 1,
		Problems: []Problem{{Field: "cases[1].date", Reason: "outside the years 1900–2200"}}}}, r.Outcomes)
}

func TestProblemsNeverCarryTheValue(t *testing.T) {
	c := validCase()
	c.Title = "Hemlig titel " + strings.Repeat("x", MaxTitle)
	c.Link = "javascript:steal()"
	for _, p := range c.Validate() {
		require.NotContains(t, p.String(), "Hemlig")
		require.NotContains(t, p.String(), "steal")
	}
}

func TestSettleCountsInvalidCasesPerProducerAndShowsTheRest(t *testing.T) {
	good := validCase()
	bad := validCase()
	bad.ID, bad.Status = "vaxholm:2", "unknown"
	other := validCase()
	other.ID, other.Sender = "skv:1", Actor{ID: "skv", Name: "Skatteverket"}
	other.Link = "javascript:alert(1)"
	otherShown := other
	otherShown.Link = ""
	csn := Actor{ID: "csn", Name: "CSN"}

	r := Settle("hub", Actor{ID: "hub", Name: "Ärendenavet"}, Result{
		Cases:    []Case{good, bad, other},
		Outcomes: []Outcome{{Producer: csn, State: Failed, Message: "down"}},
	})
	require.Equal(t, []Case{good, otherShown}, r.Cases, "an unsafe link costs the case its link, not its place")
	require.Len(t, r.Outcomes, 3)
	byID := map[string]Outcome{}
	for _, o := range r.Outcomes {
		require.Equal(t, "hub", o.Source)
		byID[o.Producer.ID] = o
	}
	require.Equal(t, Failed, byID["csn"].State)
	require.Equal(t, Invalid, byID["vaxholm"].State)
	require.Equal(t, 1, byID["vaxholm"].Cases)
	require.Equal(t, 1, byID["vaxholm"].Rejected)
	require.Equal(t, []Problem{{Field: "cases[1].status", Reason: "not one of received, in_progress, action_required, closed"}}, byID["vaxholm"].Problems)
	require.Equal(t, OK, byID["skv"].State)
	require.Equal(t, 1, byID["skv"].Cases)
	require.Equal(t, 1, byID["skv"].Unlinked)
	require.Equal(t, []Problem{{Field: "cases[2].link", Reason: "not an https link"}}, byID["skv"].Problems)
}

// Settle copies cases only from the first change on; whatever it hands on,
// the order is the source's, and the source's own slice is never altered.
func TestSettleKeepsOrderAndLeavesTheAnswerAlone(t *testing.T) {
	mk := func(id, link string, st Status) Case {
		c := validCase()
		c.ID, c.Link, c.Status = id, link, st
		return c
	}
	const ok, unsafe = "https://etjanst.vaxholm.se/1", "http://etjanst.vaxholm.se/1"
	answer := []Case{mk("a", ok, InProgress), mk("b", "", Closed), mk("c", ok, "bogus"), mk("d", unsafe, Received), mk("e", ok, Closed)}
	before := append([]Case(nil), answer...)
	unlinked := answer[3]
	unlinked.Link = ""

	r := Settle("s", Actor{ID: "vaxholm", Name: "Vaxholms stad"}, Result{Cases: answer})
	require.Equal(t, []Case{answer[0], answer[1], unlinked, answer[4]}, r.Cases)
	require.Equal(t, before, answer, "the source's answer is not altered")
	require.Equal(t, 4, r.Outcomes[0].Cases)
	require.Equal(t, 1, r.Outcomes[0].Rejected)
	require.Equal(t, 1, r.Outcomes[0].Unlinked)

	clean := answer[:2]
	r = Settle("s", Actor{ID: "vaxholm", Name: "Vaxholms stad"}, Result{Cases: clean})
	require.Equal(t, clean, r.Cases)
	require.Equal(t, 2, cap(r.Cases), "appending to the cases shown must not write into the answer")
}

func TestSettleGivesAnEmptySourceOneOutcome(t *testing.T) {
	hub := Actor{ID: "hub", Name: "Ärendenavet"}
	r := Settle("hub", hub, Result{})
	require.Empty(t, r.Cases)
	require.Equal(t, []Outcome{{Source: "hub", Producer: hub, State: OK}}, r.Outcomes)
}

func TestStatusOrder(t *testing.T) {
	require.Equal(t, 0, Received.Rank())
	require.Equal(t, 3, Closed.Rank())
	require.Equal(t, -1, Status("").Rank())
	require.False(t, Status("Received").Valid())
	require.True(t, ActionRequired.Valid())
}

// linkSeeds are links of every shape: plain, with ports, escapes, queries
// and fragments, and the tricks the full parse must judge.
var linkSeeds = []string{
	"https://etjanst.vaxholm.se/arende/1", "https://E.Skatteverket.SE:8443/a/b?c=d&e=f#g",
	"https://a.se", "https://a.se?x", "https://a.se#", "https://a.se/%C3%A5%20x", "https://a.se/%zz",
	"https://a.se/%4", "https://a.se:", "https://a.se:x/", "https://.a.se/", "https://vaxholm.se@evil.example/",
	"https://[::1]:8443/", "https://a.se/[x]", "https://a.se/~user/(1);x=y,z*+!$'", "https:///a", "https:a.se",
	"HTTPS://a.se/", "http://a.se/", "https://vаxholm.se/", "https://a.se/å", "https://a%2ese/", "https://a.se/a b",
	"https://a.se\\@b.se/", "https://a.se/#a#b", "https://a.se:443:1/", "javascript:alert(1)", "",
}

// The fast path for plain links and the full parse agree on every input.
func FuzzLinkHost(f *testing.F) {
	for _, s := range linkSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		host, reason := LinkHost(raw)
		wantHost, wantReason := parseLink(raw)
		require.Equal(t, wantReason, reason, "reason for %q", raw)
		require.Equal(t, wantHost, host, "host of %q", raw)
		if _, simple := simpleLink(raw); simple && len(raw) <= MaxLink {
			require.Empty(t, reason, "a simple link is a good link: %q", raw)
		}
	})
}

func TestLinkHost(t *testing.T) {
	for raw, want := range map[string]string{
		"https://etjanst.vaxholm.se/arende/1":       "etjanst.vaxholm.se",
		"https://E.Skatteverket.SE:8443/a?b#c":      "E.Skatteverket.SE:8443",
		"https://a.se/%C3%A5":                       "a.se",
		"https://a.se/å":                            "a.se",
		"https://[::1]:8443/":                       "[::1]:8443",
		"https://a.se/" + strings.Repeat("a", 2048): "",
		"https://vaxholm.se@evil.example/":          "",
	} {
		host, reason := LinkHost(raw)
		assert.Equal(t, want, host, raw)
		assert.Equal(t, want == "", reason != "", raw)
	}
}

// checkTextByRunes is checkText as first written, rune by rune with package
// unicode: the reference the byte-level reading is fuzzed against.
func checkTextByRunes(v string, required bool, max int) string {
	if required && strings.TrimSpace(v) == "" {
		return "required"
	}
	runes, control := 0, false
	for i, r := range v {
		if _, size := utf8.DecodeRuneInString(v[i:]); r == utf8.RuneError && size == 1 {
			return "not valid UTF-8"
		}
		runes++
		control = control || (unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r') || unicode.Is(unicode.Bidi_Control, r)
	}
	return textVerdict(runes, max, control)
}

func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"", " ", "Bygglov för carport", "rad\nrad\ttab\r", "\x00", "\x7f", "\u0085", "\u009f", "\u00a0å",
		"\u061c", "\u061b", "\u200e", "\u200f", "\u2010", "\u202a", "\u202e", "\u202f", "\u2066", "\u2069", "\u206a", "\u2028",
		"bad \xff", "\xc2", "\xe2\x80", "😀", strings.Repeat("ö", 10), strings.Repeat("ö", 11),
		"Ansökan om bygglov – beslut väntas…", "abcdefgh\u202eijklmnop", "åäöåäöå\u0085åäö", "1234567\u061c890"} {
		f.Add(s, true, 10)
	}
	f.Fuzz(func(t *testing.T, v string, required bool, max int) {
		require.Equal(t, checkTextByRunes(v, required, max), checkText(v, required, max), "%q", v)
	})
}
