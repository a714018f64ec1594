package cases

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on producer text. They keep one producer from flooding the view and
// are generous for any real case.
const (
	MaxTitle    = 300
	MaxText     = 4000
	MaxShort    = 200
	MaxPairs    = 50
	MaxHistory  = 200
	MaxForecast = 1000
	MaxLink     = 2048
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
// allow-list (kit/actors).
func (c Case) Validate() []Problem { return c.problems(true) }

// problems is Validate; withLink false skips the deep link, for a caller
// that has checked it already (Settle parses each link once).
func (c Case) problems(withLink bool) []Problem {
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
	text("id", c.ID, true, MaxShort)
	if c.Date.IsZero() {
		add("date", "required")
	}
	text("title", c.Title, true, MaxTitle)
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
	switch c.Payment {
	case "", PaymentReceived, PaymentPaidOut, PaymentPending:
	default:
		add("payment", "not one of received, paid_out, pending")
	}
	text("officer", c.Officer, false, MaxShort)
	text("freeText", c.FreeText, false, MaxText)
	text("plannedEvent", c.PlannedEvent, false, MaxShort)
	if c.PlannedTime != nil && c.PlannedTime.IsZero() {
		add("plannedTime", "empty time")
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
		}
		textAt("history", i, "title", e.Title, true, MaxTitle)
		textAt("history", i, "text", e.Text, false, MaxText)
		if e.Status != "" && !e.Status.Valid() {
			add(fmt.Sprintf("history[%d].status", i), "not a standard status")
		}
	}
	if !c.Created.IsZero() && !c.Updated.IsZero() && c.Updated.Before(c.Created) {
		add("updated", "before created")
	}
	if c.Date.After(time.Now().Add(24 * time.Hour)) {
		add("date", "in the future")
	}
	if withLink && c.Link != "" {
		if reason := CheckLink(c.Link); reason != "" {
			add("link", "%s", reason)
		}
	}
	return ps
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
// for every field of every case of every request, so it reads v once:
// validity, length and control characters in one pass, ASCII without
// decoding. Control characters other than newline, tab and carriage return
// could hide text, and bidi controls could reorder it: both are refused.
func checkText(v string, required bool, max int) string {
	if required && strings.TrimSpace(v) == "" {
		return "required"
	}
	runes, control := 0, false
	for i := 0; i < len(v); runes++ {
		if b := v[i]; b < utf8.RuneSelf {
			control = control || (b < 0x20 && b != '\n' && b != '\t' && b != '\r') || b == 0x7f
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && size == 1 {
			return "not valid UTF-8"
		}
		control = control || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
		i += size
	}
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
	_, reason := ParseLink(raw)
	return reason
}

// ParseLink parses a deep link and checks it like CheckLink: the URL, or
// the reason it is unacceptable. Callers that need the host parse once.
func ParseLink(raw string) (*url.URL, string) {
	if len(raw) > MaxLink {
		return nil, fmt.Sprintf("longer than %d characters", MaxLink)
	}
	if !utf8.ValidString(raw) || strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == '\\' || r == 0x7f }) {
		return nil, "contains spaces, control characters or backslashes"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, "not a URL"
	}
	switch {
	case u.Scheme != "https":
		return nil, "not an https link"
	case u.Opaque != "" || u.Host == "" || strings.HasPrefix(u.Host, "."):
		return nil, "no host"
	case u.User != nil:
		return nil, "contains user information"
	}
	for _, r := range u.Hostname() {
		if r > unicode.MaxASCII {
			return nil, "host is not ASCII (use its punycode form)"
		}
	}
	return u, ""
}
