// Package jsonappend appends JSON values to a byte slice, byte for byte as
// encoding/json writes them: HTML-safe escaping of <, > and &, U+2028 and
// U+2029 escaped, invalid UTF-8 replaced by U+FFFD, times in RFC 3339 with
// nanoseconds. The overview is encoded for every request, and reflection
// over a hundred cases cost more than compiling them; this writes the same
// bytes without it. The kit's tests compare the two on every field.
package jsonappend

import (
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/arendevy/arendevy/kit/internal/swar"
)

const hex = "0123456789abcdef"

// plain marks the ASCII bytes that go into a JSON string as they are: not a
// control character, not '"' or '\\', and not '<', '>' or '&', which
// encoding/json escapes so that JSON inside an HTML page cannot end a
// <script> element.
var plain = func() (t [utf8.RuneSelf]bool) {
	for b := ' '; b < utf8.RuneSelf; b++ {
		t[b] = true
	}
	for _, b := range `"\<>&` {
		t[b] = false
	}
	return t
}()

// plainWord reports whether the 8 bytes of w, part of valid UTF-8, go into
// a JSON string as they are: no control character, none of " \\ < > &, and
// no 0xE2, the first byte of U+2028 and U+2029 (and of other characters,
// which then take the slower way).
func plainWord(w uint64) bool {
	return (swar.Below(w, 0x20) | swar.Has(w, '"') | swar.Has(w, '\\') | swar.Has(w, '<') | swar.Has(w, '>') | swar.Has(w, '&') | swar.Has(w, 0xe2)) == 0
}

// String appends s as a JSON string.
func String(b []byte, s string) []byte {
	b = append(b, '"')
	// Valid UTF-8, as producer text always is here, can be passed over a
	// word at a time, Swedish letters included.
	valid := utf8.ValidString(s)
	start := 0
	for i := 0; i < len(s); {
		if valid && i+8 <= len(s) && plainWord(swar.Load(s, i)) {
			i += 8
			continue
		}
		c := s[i]
		if valid && c&0xc0 == 0x80 {
			i++ // the rest of a character whose first byte a word took
			continue
		}
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but they end a line in JavaScript source.
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Strings appends ss as a JSON array of strings; nil is an empty array.
func Strings[S ~string](b []byte, ss []S) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = String(b, string(s))
	}
	return append(b, ']')
}

// Int appends n.
func Int(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }

// Bool appends true or false.
func Bool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// ErrTime is returned for a time RFC 3339 cannot express, as encoding/json
// refuses it.
var ErrTime = errors.New("jsonappend: time outside RFC 3339 (year 0–9999, offset under 24 h)")

// ValidTime reports whether RFC 3339, and so JSON, can express t: a year
// of four digits and a zone offset under 24 hours.
func ValidTime(t time.Time) bool {
	_, offset := t.Zone()
	y := t.Year()
	return y >= 0 && y <= 9999 && offset > -24*60*60 && offset < 24*60*60
}

// Time appends t as a JSON string in RFC 3339 with nanoseconds, as
// time.Time's MarshalJSON does.
func Time(b []byte, t time.Time) ([]byte, error) {
	if !ValidTime(t) {
		return b, ErrTime
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}
