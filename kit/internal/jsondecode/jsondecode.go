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

// duplicates is Duplicates stopping after max of them (no limit when max < 0).
func duplicates(data []byte, max int) []Duplicate {
	type frame struct {
		object  bool
		keys    map[string]bool
		key     string // object: the current member
		wantKey bool   // object: a key comes next
		n       int    // array: index of the next element
	}
	var (
		stack []*frame
		found []Duplicate
	)
	// path is where the innermost object is.
	path := func() []any {
		p := make([]any, 0, len(stack))
		for _, f := range stack[:len(stack)-1] {
			if f.object {
				p = append(p, f.key)
			} else {
				p = append(p, f.n)
			}
		}
		return p
	}
	// valueDone moves the innermost container past the value just read.
	valueDone := func() {
		if len(stack) == 0 {
			return
		}
		if top := stack[len(stack)-1]; top.object {
			top.wantKey = true
		} else {
			top.n++
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for len(found) != max {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			key, isKey := tok.(string)
			if !isKey { // the object's closing brace
				stack = stack[:len(stack)-1]
				valueDone()
				continue
			}
			// encoding/json's own folding: a rune's upper case of its lower case.
			folded := strings.ToUpper(strings.ToLower(key))
			if top.keys[folded] {
				found = append(found, Duplicate{Path: path(), Key: key, Offset: dec.InputOffset()})
			}
			top.keys[folded] = true
			top.key, top.wantKey = key, false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			object := tok == json.Delim('{')
			f := &frame{object: object, wantKey: object}
			if object {
				f.keys = map[string]bool{}
			}
			stack = append(stack, f)
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
	return found
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
