package cases

import (
	"fmt"
	"math/bits"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/arendevy/arendevy/kit/internal/jsonappend"
	"github.com/arendevy/arendevy/kit/internal/swar"
)

// Limits on producer text. They keep one producer from flooding the view and
// are generous for any real case.
const (
	MaxTitle    = 300
	MaxText     = 4000
	MaxShort    = 200
	MaxPairs    = 50
	MaxTags     = 20 // a case's life-situation tags
	MaxHistory  = 200
	MaxForecast = 1000
	MaxLink     = 2048
)

// The years a case's times may fall in, inclusive. Outside them a time is a
// placeholder, not a date: 0001-01-01 (.NET's DateTime.MinValue, Go's zero),
// 1753-01-01 (SQL Server's first datetime), 9999-12-31 ("never"). Nothing a
// Swedish e-service handles dates from before 1900, and a planned time
// decades ahead (a lease, a permit's end) still fits well before 2200.
const (
	MinYear = 1900
	MaxYear = 2200
)

// Problem is one thing wrong with a case: which field, and why. It never
// carries the field's value, so it is safe to log and to show.
type Problem struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (p Problem) String() string { return p.Field + ": " + p.Reason }

// Validate reports every problem of c, or nil when c may be shown.
// It does not judge the deep link's host: that is the producer's
// allow-list (kit/producers).
func (c Case) Validate() []Problem { return c.problems(true, time.Now()) }

// problems is Validate at now; withLink false skips the deep link, for a
// caller that has checked it already (Settle parses each link once).
func (c *Case) problems(withLink bool, now time.Time) []Problem {
	var ps []Problem
	add := func(field, format string, a ...any) {
		ps = append(ps, Problem{Field: field, Reason: fmt.Sprintf(format, a...)})
	}
	text := func(field, v string, required bool, max int) {
		if reason := checkText(v, required, max); reason != "" {
			add(field, "%s", reason)
		}
	}
	// Indexed fields are named only when they fail: validation runs for
	// every case of every request and must not allocate on the happy path.
	textAt := func(field string, i int, sub, v string, required bool, max int) {
		if reason := checkText(v, required, max); reason != "" {
			add(fmt.Sprintf("%s[%d].%s", field, i, sub), "%s", reason)
		}
	}
	// A zero time is a missing one, which each field judges on its own.
	when := func(field string, t time.Time) {
		if reason := checkTime(t); reason != "" && !t.IsZero() {
			add(field, "%s", reason)
		}
	}
	text("id", c.ID, true, MaxShort)
	if c.Date.IsZero() {
		add("date", "required")
	}
	when("date", c.Date)
	text("title", c.Title, true, MaxTitle)
	if reason := CheckLang(c.Lang); reason != "" {
		add("lang", "%s", reason)
	}
	text("sender.id", c.Sender.ID, true, MaxShort)
	text("sender.name", c.Sender.Name, true, MaxShort)
	if !c.Status.Valid() {
		if c.Status == "" {
			add("status", "required")
		} else {
			add("status", "not one of received, in_progress, action_required, closed")
		}
	}
	if f := c.Forecast; f != nil {
		if f.Amount < 0 || f.Amount > MaxForecast {
			add("forecast.amount", "must be between 0 and %d", MaxForecast)
		}
		if f.Unit != Days && f.Unit != Weeks && f.Unit != Months {
			add("forecast.unit", "not one of days, weeks, months")
		}
	}
	text("caseNumber", c.CaseNumber, false, MaxShort)
	text("category", c.Category, false, MaxShort)
	if len(c.Tags) > MaxTags {
		add("tags", "more than %d tags", MaxTags)
	}
	for i, tag := range c.Tags {
		if reason := checkText(tag, true, MaxShort); reason != "" {
			add(fmt.Sprintf("tags[%d]", i), "%s", reason)
		}
	}
	switch c.Payment {
	case "", PaymentReceived, PaymentPaidOut, PaymentPending:
	default:
		add("payment", "not one of received, paid_out, pending")
	}
	text("officer", c.Officer, false, MaxShort)
	text("freeText", c.FreeText, false, MaxText)
	if c.FreeTextShortened && c.FreeText == "" {
		add("freeTextShortened", "true without a freeText")
	}
	text("plannedEvent", c.PlannedEvent, false, MaxShort)
	if c.PlannedTime != nil {
		if c.PlannedTime.IsZero() {
			add("plannedTime", "empty time")
		}
		when("plannedTime", *c.PlannedTime)
	}
	if len(c.Pairs) > MaxPairs {
		add("pairs", "more than %d pairs", MaxPairs)
	}
	for i, p := range c.Pairs {
		textAt("pairs", i, "title", p.Title, true, MaxShort)
		textAt("pairs", i, "value", p.Value, true, MaxText)
	}
	if len(c.History) > MaxHistory {
		add("history", "more than %d events", MaxHistory)
	}
	for i, e := range c.History {
		if e.Time.IsZero() {
			add(fmt.Sprintf("history[%d].time", i), "required")
		} else if reason := checkTime(e.Time); reason != "" {
			add(fmt.Sprintf("history[%d].time", i), "%s", reason)
		}
		textAt("history", i, "title", e.Title, true, MaxTitle)
		textAt("history", i, "text", e.Text, false, MaxText)
		if e.Status != "" && !e.Status.Valid() {
			add(fmt.Sprintf("history[%d].status", i), "not a standard status")
		}
	}
	when("created", c.Created)
	when("updated", c.Updated)
	if !c.Created.IsZero() && !c.Updated.IsZero() && c.Updated.Before(c.Created) {
		add("updated", "before created")
	}
	if c.Date.After(now.Add(24 * time.Hour)) {
		add("date", "in the future")
	}
	if withLink && c.Link != "" {
		if reason := CheckLink(c.Link); reason != "" {
			add("link", "%s", reason)
		}
	}
	return ps
}

// checkTime returns why t cannot be shown, or "".
func checkTime(t time.Time) string {
	switch {
	case !jsonappend.ValidTime(t):
		// JSON could not carry it: the whole overview would lose its answer.
		return "outside the years 0–9999 or with a zone offset of a day or more"
	case t.UTC().Year() < MinYear || t.UTC().Year() > MaxYear:
		return fmt.Sprintf("outside the years %d–%d", MinYear, MaxYear)
	}
	return ""
}

// MaxActorID bounds an actor ID.
const MaxActorID = 100

// ValidActorID reports whether s is a usable actor ID: 1 to MaxActorID
// letters, digits, '-', '_' or '.', so it is safe in a URL, a query
// parameter and a metric label. The rule for senders everywhere: in
// queries, preferences and producers' answers.
func ValidActorID(s string) bool {
	if s == "" || len(s) > MaxActorID {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// CheckText returns why v is unacceptable as producer text — empty when
// required, not UTF-8, longer than max characters, or holding control or
// bidi characters — or "" when it may be shown.
func CheckText(v string, required bool, max int) string { return checkText(v, required, max) }

// checkText returns why v is unacceptable as producer text, or "". It runs
// for every field of every case of every request, so it reads v once
// without decoding it: the characters it refuses are found by their UTF-8
// bytes. Control characters other than newline, tab and carriage return
// could hide text, and bidi controls could reorder it: both are refused.
// FuzzCheckText holds it to the rune-by-rune reading with package unicode.
func checkText(v string, required bool, max int) string {
	if required && strings.TrimSpace(v) == "" {
		return "required"
	}
	if !utf8.ValidString(v) {
		return "not valid UTF-8"
	}
	runes, control := 0, false
	for i := 0; i < len(v); i++ {
		// Eight bytes at once while none can start a refused character:
		// no ASCII control, and none of 0xC2, 0xD8 and 0xE2, the first
		// bytes of the C1 and bidi controls (and of other characters, which
		// then take the slower way). A word counts a rune for each byte but
		// the continuation bytes (10xxxxxx) of characters.
		for i+8 <= len(v) {
			w := swar.Load(v, i)
			if swar.Below(w, 0x20)|swar.Has(w, 0x7f)|swar.Has(w, 0xc2)|swar.Has(w, 0xd8)|swar.Has(w, 0xe2) != 0 {
				break
			}
			runes += 8 - bits.OnesCount64(w&^(w<<1)&swar.High)
			i += 8
		}
		if i == len(v) {
			break
		}
		b := v[i]
		if b < utf8.RuneSelf {
			runes++
			control = control || (b < 0x20 && b != '\n' && b != '\t' && b != '\r') || b == 0x7f
			continue
		}
		if b&0xc0 == 0x80 {
			continue // a continuation byte: its rune is counted at its first byte
		}
		runes++
		switch {
		case b == 0xc2: // U+0080–U+009F are the C1 controls
			control = control || v[i+1] <= 0x9f
		case b == 0xd8: // U+061C ARABIC LETTER MARK
			control = control || v[i+1] == 0x9c
		case b == 0xe2: // U+200E, U+200F, U+202A–U+202E, U+2066–U+2069
			c1, c2 := v[i+1], v[i+2]
			control = control || c1 == 0x80 && (c2 == 0x8e || c2 == 0x8f || c2 >= 0xaa && c2 <= 0xae) ||
				c1 == 0x81 && c2 >= 0xa6 && c2 <= 0xa9
		}
	}
	return textVerdict(runes, max, control)
}

// textVerdict is why a text of runes characters, with or without control
// characters, is unacceptable under max, or "".
func textVerdict(runes, max int, control bool) string {
	switch {
	case runes > max:
		return fmt.Sprintf("longer than %d characters", max)
	case control:
		return "contains control characters"
	}
	return ""
}

// CheckLink returns why a deep link is unacceptable, or "" when it is an
// absolute https URL with a host and without user information.
func CheckLink(raw string) string {
	_, reason := LinkHost(raw)
	return reason
}

// LinkHost checks a deep link like CheckLink and returns its host as
// url.URL.Host has it (with the port, if any), or the reason it is
// unacceptable. It runs twice for every case of every overview — when the
// case is validated and when its link is matched to the producer's
// allow-list — so the links producers nearly always send are read without
// net/url (simpleLink); every other link gets the full parse. Both give the
// same answer for every input: FuzzLinkHost holds them to it.
func LinkHost(raw string) (host, reason string) {
	if host, ok := simpleLink(raw); ok && len(raw) <= MaxLink {
		return host, ""
	}
	return parseLink(raw)
}

// parseLink is LinkHost by url.Parse, for any link.
func parseLink(raw string) (host, reason string) {
	if len(raw) > MaxLink {
		return "", fmt.Sprintf("longer than %d characters", MaxLink)
	}
	if !utf8.ValidString(raw) || strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == '\\' || r == 0x7f }) {
		return "", "contains spaces, control characters or backslashes"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "not a URL"
	}
	switch {
	case u.Scheme != "https":
		return "", "not an https link"
	case u.Opaque != "" || u.Host == "" || strings.HasPrefix(u.Host, "."):
		return "", "no host"
	case u.User != nil:
		return "", "contains user information"
	}
	for _, r := range u.Hostname() {
		if r > unicode.MaxASCII {
			return "", "host is not ASCII (use its punycode form)"
		}
	}
	return u.Host, ""
}

// simpleLink recognises a link of the plainest form — "https://", a host of
// ASCII letters, digits, dots and hyphens with an optional numeric port,
// then only characters RFC 3986 allows unescaped and well-formed
// percent-escapes — and returns its host. For such a link url.Parse gives
// scheme https, this host and no user information. Anything else is not
// simple, which only means that parseLink judges it.
func simpleLink(raw string) (string, bool) {
	const scheme = "https://"
	if !strings.HasPrefix(raw, scheme) {
		return "", false
	}
	rest := raw[len(scheme):]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host := rest[:end]
	name, port, hasPort := strings.Cut(host, ":")
	if name == "" || name[0] == '.' || hasPort && port == "" {
		return "", false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return "", false
		}
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return "", false
		}
	}
	tail := rest[end:]
	for i := 0; i < len(tail); i++ {
		c := tail[i]
		switch {
		case c == '%':
			if i+2 >= len(tail) || !isHex(tail[i+1]) || !isHex(tail[i+2]) {
				return "", false
			}
			i += 2
		case c >= utf8.RuneSelf || !uriChar[c]:
			return "", false
		}
	}
	return host, true
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// uriChar marks what RFC 3986 allows unescaped after the host: unreserved
// characters, sub-delimiters, and ':', '@', '/', '?' and '#'.
var uriChar = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	for _, c := range "-._~!$&'()*+,;=:@/?#" {
		t[c] = true
	}
	return t
}()

// CheckLang says what is wrong with a language tag from a source, or "" when
// it is empty or a well-formed BCP 47 tag (at most 35 characters, RFC 5646's
// advice): it is written into the page as a lang attribute.
func CheckLang(tag string) string {
	if tag == "" {
		return ""
	}
	if len(tag) > 35 {
		return "longer than a language tag"
	}
	if _, err := language.Parse(tag); err != nil {
		return "not a BCP 47 language tag"
	}
	return ""
}
