// Package jsondecode decodes the JSON the kit is sent — hub and producer
// answers, stored preferences, data files — and says what is wrong with what
// it cannot decode without quoting it: encoding/json's own messages carry
// the input's characters, values and member names, and what the kit is sent
// may hold personal data, which must stay out of logs and outcomes.
package jsondecode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrTrailing is Strict's error for data after the JSON value.
var ErrTrailing = errors.New("jsondecode: data after the JSON value")

// ErrDuplicate is wrapped by the error of a member given twice in its object.
var ErrDuplicate = errors.New("jsondecode: member given twice")

// Strict decodes exactly one JSON value from data into v, refusing members v
// does not know, members given twice in their object and anything after the
// value. Describe tells its errors.
func Strict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return ErrTrailing
	}
	return Unique(data)
}

// DuplicateError is a member given twice in its object.
type DuplicateError struct{ Duplicate }

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%v (at byte %d)", ErrDuplicate, e.Offset)
}

func (e *DuplicateError) Unwrap() error { return ErrDuplicate }

// Unique returns a *DuplicateError for the first member given twice in its
// object, at any depth, and nil when there is none or data is not JSON
// (which the decoder reports). It is Strict's check, for a caller that
// decodes leniently otherwise.
func Unique(data []byte) error {
	if ds := duplicates(data, 1); len(ds) > 0 {
		return &DuplicateError{ds[0]}
	}
	return nil
}

// Duplicate is one member given twice in its object. encoding/json would
// keep the last one silently, so that {"cases":[A,B],"cases":[C]} shows C
// alone; and it matches members to fields without regard to case, so
// "Cases" after "cases" is the same member given twice.
type Duplicate struct {
	// Path is where the object is: the keys (string) and indices (int) of
	// its enclosing members and elements, outermost first. Keys are the
	// input's own.
	Path []any
	// Key is the member's key as its second occurrence spells it.
	Key string
	// Offset is the byte just past that key.
	Offset int64
}

// Duplicates lists every member given twice in its object, at any depth.
// Path and Key quote the input: for a data file the operator wrote, never
// for an answer or a customer's preferences. Syntax errors are left to the
// decoder: the walk stops at the first.
func Duplicates(data []byte) []Duplicate { return duplicates(data, -1) }

// duplicates is Duplicates stopping after limit of them (none when limit < 0).
//
// It reads the bytes itself rather than through json.Decoder's Token, which
// allocates for every string and cost more than the decoding it guards: it
// runs over every answer, and the answer has mostly been decoded by then.
// It only needs to know where strings, objects and arrays begin and end;
// anything else is stepped over, and input that is not JSON ends the walk
// without a panic, wherever it stops. FuzzDuplicates holds it to the
// decoder's reading.
func duplicates(data []byte, limit int) []Duplicate {
	var (
		stack    []frame
		keys     [][]byte // the keys of the objects in stack, each object's after its parent's
		found    []Duplicate
		awaitKey bool // the next string is an object's key
	)
	for i := 0; i < len(data) && len(found) != limit; {
		switch data[i] {
		case '{', '[':
			object := data[i] == '{'
			stack = append(stack, frame{object: object, start: len(keys)})
			awaitKey = object
		case '}', ']':
			if len(stack) == 0 {
				return found
			}
			keys = keys[:stack[len(stack)-1].start]
			stack = stack[:len(stack)-1]
			awaitKey = false
		case ',':
			if len(stack) > 0 {
				top := &stack[len(stack)-1]
				awaitKey = top.object
				if !top.object {
					top.n++
				}
			}
		case '"':
			end, escaped := stringEnd(data, i)
			if awaitKey && len(stack) > 0 {
				top := &stack[len(stack)-1]
				key := data[i+1 : max(end-1, i+1)]
				if escaped || !utf8.Valid(key) {
					key = unescape(data[i:end]) // as the decoder reads it: U+FFFD for bytes not UTF-8
				}
				var seen bool
				if keys, seen = top.add(keys, key); seen {
					found = append(found, Duplicate{Path: pathOf(stack[:len(stack)-1]), Key: string(key), Offset: int64(end)})
				}
				top.key = key
			}
			awaitKey = false
			i = end
			continue
		}
		i++
	}
	return found
}

// frame is an object or array the walk is in.
type frame struct {
	object bool
	key    []byte // object: the current member's key
	// start is where the object's keys begin in the walk's keys, while
	// they are few; folded has them once they are many.
	start  int
	folded map[string]bool
	n      int // array: index of the current element
}

// manyKeys is where an object's keys stop being compared each with every
// other and go into a map.
const manyKeys = 16

// add records key in keys, where the object's keys are the last ones, and
// reports whether the object had it already, compared as encoding/json
// matches members to fields: bytes.EqualFold, which is Unicode simple
// folding.
func (f *frame) add(keys [][]byte, key []byte) ([][]byte, bool) {
	if f.folded == nil {
		for _, k := range keys[f.start:] {
			if bytes.EqualFold(k, key) {
				return keys, true
			}
		}
		if keys = append(keys, key); len(keys)-f.start <= manyKeys {
			return keys, false
		}
		f.folded = make(map[string]bool, 2*manyKeys)
		for _, k := range keys[f.start:] {
			f.folded[fold(k)] = true
		}
		return keys[:f.start], false
	}
	k := fold(key)
	seen := f.folded[k]
	f.folded[k] = true
	return keys, seen
}

// fold maps each rune to the smallest of its simple-folding orbit, so that
// fold(a) == fold(b) exactly when bytes.EqualFold(a, b).
func fold(key []byte) string {
	var b strings.Builder
	for _, r := range string(key) {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}

// stringEnd returns the index just past the string starting at data[i], a
// '"' (len(data) when it does not end), and whether it holds an escape. It
// looks for quotes rather than reading each byte: most of an answer is
// text inside strings.
func stringEnd(data []byte, i int) (end int, escaped bool) {
	for j := i + 1; ; {
		k := bytes.IndexByte(data[j:], '"')
		if k < 0 {
			return len(data), escaped
		}
		q := j + k
		escaped = escaped || bytes.IndexByte(data[j:q], '\\') >= 0
		// An odd run of backslashes before it escapes the quote.
		run := q
		for run > i+1 && data[run-1] == '\\' {
			run--
		}
		if (q-run)%2 == 0 {
			return q + 1, escaped
		}
		j = q + 1
	}
}

// unescape is a quoted key as the decoder reads it, escapes resolved; the
// key as written when it is not a valid string.
func unescape(quoted []byte) []byte {
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return quoted
	}
	return []byte(s)
}

// pathOf is where the innermost of stack's containers is: its enclosing
// members' keys and elements' indices.
func pathOf(stack []frame) []any {
	p := make([]any, 0, len(stack))
	for _, f := range stack {
		if f.object {
			p = append(p, string(f.key))
		} else {
			p = append(p, f.n)
		}
	}
	return p
}

// Problem is a decoding error told without the input.
type Problem struct {
	// Field is where the problem is inside the decoded value, as
	// encoding/json names it ("forecast.amount"), or "" for the value itself.
	Field string
	// Reason says what is wrong, in words of the JSON and never from it:
	// "want an array, got a string", "not valid JSON (at byte 12)".
	Reason string
	// Detail is what encoding/json says beyond Reason, quoting the input (the
	// character it stumbled on, the unknown member's name in quotes), to
	// follow Reason after a colon where the input may be quoted: a data file
	// the operator wrote, never an answer or a customer's preferences.
	Detail string
}

// String is "field: reason", or the reason alone for the value itself.
func (p Problem) String() string {
	if p.Field == "" {
		return p.Reason
	}
	return p.Field + ": " + p.Reason
}

// Describe tells an error of json.Unmarshal, a json.Decoder or Strict.
func Describe(err error) Problem {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var de *DuplicateError
	switch {
	case errors.Is(err, ErrTrailing):
		return Problem{Reason: "data after the JSON value"}
	case errors.As(err, &de):
		return Problem{Reason: fmt.Sprintf("a member given twice in its object (at byte %d)", de.Offset), Detail: strconv.Quote(de.Key)}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Problem{Reason: "empty or truncated"}
	case errors.As(err, &te):
		return Problem{Field: te.Field, Reason: "want " + Kind(te.Type) + ", got " + got(te.Value)}
	case errors.As(err, &se) && strings.Contains(se.Error(), "exceeded max depth"):
		return Problem{Reason: "nested too deeply"}
	case errors.As(err, &se) && strings.HasPrefix(se.Error(), "unexpected end of JSON input"):
		return Problem{Reason: "empty or truncated"}
	case errors.As(err, &se):
		return Problem{Reason: fmt.Sprintf("not valid JSON (at byte %d)", se.Offset), Detail: se.Error()}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return Problem{Reason: "unknown member", Detail: strings.TrimPrefix(err.Error(), "json: unknown field ")}
	}
	return Problem{Reason: "not valid JSON"}
}

// Kind names the JSON a Go type is decoded from, as the JSON's author thinks
// of it: "an array", "an integer".
func Kind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another JSON value"
}

// TokenKind names the JSON a json.Decoder's Token starts: "an object" for
// its '{'.
func TokenKind(tok json.Token) string {
	switch tok := tok.(type) {
	case json.Delim:
		if tok == '[' {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "true or false"
	}
	return "null"
}

// got names the JSON an UnmarshalTypeError found from its Value, which is
// "string", "bool", "array", "object" or "number" — "number 1.5" for a
// number that does not fit, whose digits are left out.
func got(value string) string {
	kind, _, _ := strings.Cut(value, " ")
	switch kind {
	case "array", "object":
		return "an " + kind
	case "bool":
		return "true or false"
	case "string", "number":
		return "a " + kind
	}
	return "another JSON value"
}
