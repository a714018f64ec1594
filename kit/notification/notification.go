// Package notification is the customer's choice of how to be told that
// something happened in one of their cases: the channel (Mina meddelanden,
// e-mail, SMS), the address, how often, and for which changes.
//
// The view does not send notifications and does not keep these settings:
// an address is personal data, and the view actor keeps nothing about the
// customer it does not need. The settings go to whoever sends — the hub's
// account-settings endpoint (kit/hub), or the demo's notifier
// (kit/memory) — through the AccountSettings seam. A portal whose source
// has no such endpoint (Mina ärenden) has no AccountSettings, and then says
// honestly that it offers no notifications rather than promise them.
//
// What is sent says only *that* something changed and with whom, never
// what: no title, case number, status or officer (domain: notifications).
package notification

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/preferences"
)

// Channel is how a notification reaches the customer.
type Channel string

const (
	MinaMeddelanden Channel = "minameddelanden" // the customer's digital mailbox; no address needed
	Email           Channel = "email"
	SMS             Channel = "sms"
)

// Channels in the order a form offers them.
var Channels = []Channel{MinaMeddelanden, Email, SMS}

// Frequency is how often the customer is told.
type Frequency string

const (
	Immediately Frequency = "immediately" // one notification per change, at once
	Daily       Frequency = "daily"       // one summary a day of the changes that day
	Weekly      Frequency = "weekly"      // one summary a week
)

// Frequencies in the order a form offers them.
var Frequencies = []Frequency{Immediately, Daily, Weekly}

// Limits on an address, as the hub's contract (docs/hub-openapi.yaml) says.
const (
	MaxEmail       = 254 // RFC 5321's limit on a forward path
	MinPhoneDigits = 8
	MaxPhoneDigits = 15 // E.164
)

// Settings are one customer's notification settings.
type Settings struct {
	Channel Channel `json:"channel"`
	// Address is the e-mail address (Email) or the mobile number in E.164
	// form, "+46701234567" (SMS); empty for MinaMeddelanden, which reaches
	// the customer by their identity number.
	Address   string    `json:"address,omitempty"`
	Frequency Frequency `json:"frequency"`
	// Scope is which changes are notified: every change, those of some
	// actors, or only when the customer must act.
	Scope preferences.Notify `json:"scope"`
}

// ValidationError lists every problem of a Settings value. Reasons never
// repeat the value (an address is personal data), so the error is safe to
// log and to show.
type ValidationError struct{ Problems []cases.Problem }

func (e *ValidationError) Error() string {
	s := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		s[i] = p.String()
	}
	return "notification settings: " + strings.Join(s, "; ")
}

// Field reports whether field is among the problems.
func (e *ValidationError) Field(field string) bool {
	for _, p := range e.Problems {
		if p.Field == field || strings.HasPrefix(p.Field, field+".") || strings.HasPrefix(p.Field, field+"[") {
			return true
		}
	}
	return false
}

// Normalize checks s and returns it with the address in its one stored
// form (a phone number in E.164, an e-mail address as given, trimmed). It
// returns a *ValidationError naming every problem.
func Normalize(s Settings) (Settings, error) {
	var ps []cases.Problem
	add := func(field, reason string) { ps = append(ps, cases.Problem{Field: field, Reason: reason}) }
	s.Address = strings.TrimSpace(s.Address)
	switch s.Channel {
	case MinaMeddelanden:
		if s.Address != "" {
			add("address", "not used with Mina meddelanden")
		}
	case Email:
		if !validEmail(s.Address) {
			add("address", fmt.Sprintf("must be an e-mail address (name@example.se), at most %d characters", MaxEmail))
		}
	case SMS:
		phone, ok := normalizePhone(s.Address)
		if !ok {
			add("address", fmt.Sprintf("must be a mobile number: 07… or +46…, %d to %d digits", MinPhoneDigits, MaxPhoneDigits))
		}
		s.Address = phone
	default:
		add("channel", "must be minameddelanden, email or sms")
	}
	switch s.Frequency {
	case Immediately, Daily, Weekly:
	default:
		add("frequency", "must be immediately, daily or weekly")
	}
	// The scope's rules are the preferences' own.
	scope := preferences.Default()
	scope.Notify = s.Scope
	var pe *preferences.ValidationError
	if err := scope.Validate(); errors.As(err, &pe) {
		for _, p := range pe.Problems {
			add("scope"+strings.TrimPrefix(p.Field, "notify"), p.Reason)
		}
	}
	if len(ps) > 0 {
		return Settings{}, &ValidationError{Problems: ps}
	}
	return s, nil
}

// validEmail accepts a bare address (no display name, no comments) with a
// domain that has at least one dot.
func validEmail(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > MaxEmail || strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// normalizePhone turns a number as people write it ("070-123 45 67",
// "+46 70 123 45 67", "0046701234567") into E.164 ("+46701234567"). A
// number starting with one 0 is Swedish.
func normalizePhone(s string) (string, bool) {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "+"):
	case strings.HasPrefix(n, "00"):
		n = "+" + n[2:]
	case strings.HasPrefix(n, "0"):
		n = "+46" + n[1:]
	default:
		return "", false
	}
	digits := len(n) - 1
	if digits < MinPhoneDigits || digits > MaxPhoneDigits || n[1] == '0' || strings.Contains(n[1:], "+") {
		return "", false
	}
	return n, true
}

// AccountSettings is where a customer's notification settings are kept:
// at whoever sends the notifications. Get reports found false, with no
// error, when the customer has none (they are not notified). Delete forgets
// them; deleting what is not there is no error. Errors never quote an
// address.
type AccountSettings interface {
	Get(ctx context.Context, party identity.Party) (s Settings, found bool, err error)
	Put(ctx context.Context, party identity.Party, s Settings) error
	Delete(ctx context.Context, party identity.Party) error
}
