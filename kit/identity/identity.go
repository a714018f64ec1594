// Package identity says who is asking for an overview: the user who logged in,
// how strongly they did, and whose cases they look at (their own, or those of a
// person or organisation they hold a mandate for).
//
// A Subject travels in the request context from the login layer to the
// sources; nothing here is ever written to a log, a cookie or a URL.
package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Kind is the kind of Swedish identity number a party has.
type Kind string

const (
	Personnummer        Kind = "personnummer"
	Samordningsnummer   Kind = "samordningsnummer"
	Organisationsnummer Kind = "organisationsnummer"
)

// Party is a customer: a person or an organisation the cases are about.
type Party struct {
	Number string // 12 digits for persons (YYYYMMDDNNNC), 10 for organisations
	Kind   Kind
	Name   string // display name; shown to the user, never logged
	// Firm tells one of several sole-trader firms (enskilda firmor) on one
	// personnummer apart: the serial number Mina ärenden calls
	// kund.tillagg. "" is the person, with every firm of theirs.
	Firm string
}

// IsZero reports whether p is unset.
func (p Party) IsZero() bool { return p.Number == "" }

// LogValue keeps a party out of logs: only its kind is ever printed.
func (p Party) LogValue() slog.Value { return slog.StringValue("party(" + string(p.Kind) + ")") }

// String never reveals the number or the name, so a stray %v cannot leak them.
func (p Party) String() string { return "party(" + string(p.Kind) + ")" }

// Subject is who is asking and for whom.
type Subject struct {
	User         Party     // the person who logged in
	ActingFor    Party     // the principal, when the user acts as agent (ombud); zero when acting for themselves
	LoA          string    // level of assurance URI of the login, e.g. http://id.elegnamnden.se/loa/1.0/loa3
	AuthnInstant time.Time // when the user authenticated at the IdP
	IdP          string    // entity ID of the identity provider
}

// Customer is the party whose cases are shown.
func (s Subject) Customer() Party {
	if !s.ActingFor.IsZero() {
		return s.ActingFor
	}
	return s.User
}

// IsAgent reports whether the user acts for somebody else.
func (s Subject) IsAgent() bool { return !s.ActingFor.IsZero() && s.ActingFor.Number != s.User.Number }

// LogValue keeps the subject out of logs.
func (s Subject) LogValue() slog.Value {
	return slog.GroupValue(slog.String("loa", s.LoA), slog.Bool("agent", s.IsAgent()))
}

type ctxKey struct{}

// WithSubject returns a context that carries s.
func WithSubject(ctx context.Context, s Subject) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// FromContext returns the subject in ctx, if any.
func FromContext(ctx context.Context) (Subject, bool) {
	s, ok := ctx.Value(ctxKey{}).(Subject)
	return s, ok && !s.User.IsZero()
}

// ErrInvalidNumber is returned for an identity number that does not validate.
var ErrInvalidNumber = errors.New("invalid identity number")

// ParseNumber validates a Swedish identity number and tells its kind.
// Persons use 12 digits (YYYYMMDDNNNC; day+60 makes a samordningsnummer),
// organisations 10 digits whose third digit is at least 2. Separators
// "-" and "+" are accepted and removed. The check digit is verified (Luhn).
func ParseNumber(s string) (string, Kind, error) {
	digits := strings.Map(func(r rune) rune {
		if r == '-' || r == '+' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	for _, r := range digits {
		if r < '0' || r > '9' {
			return "", "", fmt.Errorf("%w: only digits allowed", ErrInvalidNumber)
		}
	}
	switch len(digits) {
	case 12:
		if digits[:2] == "16" { // organisationsnummer written with the 16 prefix
			return ParseNumber(digits[2:])
		}
		day := int(digits[6]-'0')*10 + int(digits[7]-'0')
		kind := Personnummer
		if day > 60 {
			kind, day = Samordningsnummer, day-60
		}
		month := int(digits[4]-'0')*10 + int(digits[5]-'0')
		year := int(digits[0]-'0')*1000 + int(digits[1]-'0')*100 + int(digits[2]-'0')*10 + int(digits[3]-'0')
		if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
			return "", "", fmt.Errorf("%w: not a date", ErrInvalidNumber)
		}
		if !luhn(digits[2:]) {
			return "", "", fmt.Errorf("%w: check digit", ErrInvalidNumber)
		}
		return digits, kind, nil
	case 10:
		if digits[2] < '2' {
			return "", "", fmt.Errorf("%w: a 10-digit personnummer needs its century; use 12 digits", ErrInvalidNumber)
		}
		if !luhn(digits) {
			return "", "", fmt.Errorf("%w: check digit", ErrInvalidNumber)
		}
		return digits, Organisationsnummer, nil
	default:
		return "", "", fmt.Errorf("%w: want 12 digits (person) or 10 (organisation)", ErrInvalidNumber)
	}
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// luhn checks the mod-10 check digit over a 10-digit string.
func luhn(d string) bool {
	sum := 0
	for i := range len(d) {
		n := int(d[i] - '0')
		if i%2 == 0 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// String never reveals numbers or names.
func (s Subject) String() string {
	if s.IsAgent() {
		return "subject(agent)"
	}
	return "subject(self)"
}
