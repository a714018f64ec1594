package jsondecode_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/internal/jsondecode"
)

type inner struct {
	Amount int `json:"amount"`
}

type doc struct {
	Title    string            `json:"title"`
	Done     bool              `json:"done"`
	Forecast *inner            `json:"forecast"`
	Tags     []string          `json:"tags"`
	Pairs    map[string]string `json:"pairs"`
	Share    float64           `json:"share"`
}

const secret = "199001012385"

func TestStrictAndDescribe(t *testing.T) {
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	tests := []struct {
		name, in string
		want     jsondecode.Problem
	}{
		{"empty", ``, jsondecode.Problem{Reason: "empty or truncated"}},
		{"truncated", `{"title":"` + secret, jsondecode.Problem{Reason: "empty or truncated"}},
		{"not JSON", `<` + secret + `>`, jsondecode.Problem{Reason: "not valid JSON (at byte 1)", Detail: "invalid character '<' looking for beginning of value"}},
		{"trailing data", `{"title":"a"} {"` + secret + `":1}`, jsondecode.Problem{Reason: "data after the JSON value"}},
		{"unknown member", `{"` + secret + `":true}`, jsondecode.Problem{Reason: "unknown member", Detail: `"` + secret + `"`}},
		{"not an object", `["` + secret + `"]`, jsondecode.Problem{Reason: "want an object, got an array"}},
		{"a string for a bool", `{"done":"` + secret + `"}`, jsondecode.Problem{Field: "done", Reason: "want true or false, got a string"}},
		{"a nested member, its digits left out", `{"forecast":{"amount":` + secret + `.5}}`, jsondecode.Problem{Field: "forecast.amount", Reason: "want an integer, got a number"}},
		{"an object for an array", `{"tags":{"a":"` + secret + `"}}`, jsondecode.Problem{Field: "tags", Reason: "want an array, got an object"}},
		{"a map value, by its member and not its key", `{"pairs":{"` + secret + `":1}}`, jsondecode.Problem{Field: "pairs", Reason: "want a string, got a number"}},
		{"true for a number", `{"share":true}`, jsondecode.Problem{Field: "share", Reason: "want a number, got true or false"}},
		{"deeply nested", `{"tags":` + deep + `}`, jsondecode.Problem{Reason: "nested too deeply"}},
		{"a member given twice", `{"tags":["a","b"],"tags":["` + secret + `"]}`, jsondecode.Problem{Reason: "a member given twice in its object (at byte 24)", Detail: `"tags"`}},
		{"a member given twice in another case", `{"title":"a","Title":"` + secret + `"}`, jsondecode.Problem{Reason: "a member given twice in its object (at byte 20)", Detail: `"Title"`}},
		{"a map key given twice, deep down", `{"forecast":{"amount":1},"pairs":{"` + secret + `":"a","` + secret + `":"b"}}`, jsondecode.Problem{Reason: "a member given twice in its object (at byte 67)", Detail: `"` + secret + `"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d doc
			err := jsondecode.Strict([]byte(tt.in), &d)
			require.Error(t, err)
			got := jsondecode.Describe(err)
			if tt.name == "deeply nested" {
				got.Detail = "" // encoding/json's wording of its depth limit is its own
			}
			require.Equal(t, tt.want, got)
			require.NotContains(t, got.Field+got.Reason, secret, "the input is never quoted")
		})
	}
	require.NoError(t, jsondecode.Strict([]byte(` {"title":"a","forecast":{"amount":3}} `), new(doc)))
	require.Equal(t, "forecast.amount: want an integer, got a string", jsondecode.Problem{Field: "forecast.amount", Reason: "want an integer, got a string"}.String())
	require.Equal(t, "empty or truncated", jsondecode.Problem{Reason: "empty or truncated"}.String())
}

func TestDuplicates(t *testing.T) {
	in := `{"a":[{"x":1},{"x":1,"x":2}],"b":{"c":{"y":1,"Y":2}},"A":0}`
	require.Equal(t, []jsondecode.Duplicate{
		{Path: []any{"a", 1}, Key: "x", Offset: 24},
		{Path: []any{"b", "c"}, Key: "Y", Offset: 48},
		{Path: []any{}, Key: "A", Offset: 56},
	}, jsondecode.Duplicates([]byte(in)))
	require.Empty(t, jsondecode.Duplicates([]byte(`{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":1}]}`)), "the same key in different objects")
	require.NoError(t, jsondecode.Unique([]byte(`{"a":`)), "syntax errors are the decoder's")
	err := jsondecode.Unique([]byte(in))
	require.ErrorIs(t, err, jsondecode.ErrDuplicate)
	require.NotContains(t, err.Error(), `"x"`, "the error does not quote the input")
}

func TestDescribeUnmarshal(t *testing.T) {
	// json.Unmarshal reports an empty or cut-off input as a syntax error.
	for _, in := range []string{``, `{"title":`} {
		require.Equal(t, jsondecode.Problem{Reason: "empty or truncated"}, jsondecode.Describe(json.Unmarshal([]byte(in), new(doc))))
	}
	require.Equal(t, jsondecode.Problem{Reason: "not valid JSON"}, jsondecode.Describe(errors.New("something else")))
}

func TestTokenKind(t *testing.T) {
	for in, want := range map[string]string{`{}`: "an object", `[]`: "an array", `"a"`: "a string", `1.5`: "a number", `false`: "true or false", `null`: "null"} {
		tok, err := json.NewDecoder(strings.NewReader(in)).Token()
		require.NoError(t, err)
		require.Equal(t, want, jsondecode.TokenKind(tok), in)
	}
}

// reason is every form a Reason takes: words of the JSON, never from it.
var reason = regexp.MustCompile(`^(empty or truncated|data after the JSON value|a member given twice in its object \(at byte \d+\)|nested too deeply|unknown member|not valid JSON|not valid JSON \(at byte \d+\)|want (an array|an object|a string|true or false|an integer|a number|another JSON value), got (an array|an object|a string|true or false|a number|another JSON value))$`)

func FuzzDescribeNeverQuotes(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"title":1}`, `{"forecast":{"amount":"x"}}`, `[`, `{"x":1}`, `{"tags":[1]}`, `{"title":"a","title":"b"}`, `{"forecast":{"amount":1,"Amount":2}}`, `{"tags":[],"TAGS":[]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		err := jsondecode.Strict(in, new(doc))
		if err == nil {
			return
		}
		p := jsondecode.Describe(err)
		require.Regexp(t, reason, p.Reason)
		require.Contains(t, []string{"", "title", "done", "forecast", "forecast.amount", "tags", "pairs", "share"}, p.Field, "a member of the type, never of the input")
	})
}

// tokenDuplicates is Duplicates by json.Decoder's tokens: the reading the
// byte walk must agree with.
func tokenDuplicates(data []byte) []jsondecode.Duplicate {
	type frame struct {
		object  bool
		keys    []string
		key     string
		wantKey bool
		n       int
	}
	var stack []*frame
	found := []jsondecode.Duplicate{}
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
	dec := json.NewDecoder(strings.NewReader(string(data)))
	for {
		tok, err := dec.Token()
		if err != nil {
			return found
		}
		if len(stack) > 0 && stack[len(stack)-1].object && stack[len(stack)-1].wantKey {
			top := stack[len(stack)-1]
			key, isKey := tok.(string)
			if !isKey {
				stack = stack[:len(stack)-1]
				valueDone()
				continue
			}
			for _, k := range top.keys {
				if strings.EqualFold(k, key) {
					path := []any{}
					for _, f := range stack[:len(stack)-1] {
						if f.object {
							path = append(path, f.key)
						} else {
							path = append(path, f.n)
						}
					}
					found = append(found, jsondecode.Duplicate{Path: path, Key: key, Offset: dec.InputOffset()})
					break
				}
			}
			top.keys = append(top.keys, key)
			top.key, top.wantKey = key, false
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			stack = append(stack, &frame{object: tok == json.Delim('{'), wantKey: tok == json.Delim('{')})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}

func FuzzDuplicates(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `{"a":{"b":[{"c":1,"C":2}]},"A":[]}`, `{"\u0061":1,"a":2}`, `{"k":1,"\u212a":2}`,
		`{"a\"b":1,"A\"B":2}`, `{"a\\":1,"a\\":2}`, `[{"x":1},{"x":2,"x":3}]`, `{"a":"}{[\"","a":0}`,
		`{"1":0,"2":0,"3":0,"4":0,"5":0,"6":0,"7":0,"8":0,"9":0,"10":0,"11":0,"12":0,"13":0,"14":0,"15":0,"16":0,"17":0,"ß":0,"ẞ":1,"9":2}`,
		`{"a":1,`, `}}]]`, `"\`, "{\"\xff\":1,\"\ufffd\":2}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := jsondecode.Duplicates(data) // must not panic on anything
		if !json.Valid(data) {
			return
		}
		if got == nil {
			got = []jsondecode.Duplicate{}
		}
		require.Equal(t, tokenDuplicates(data), got)
		require.Equal(t, len(got) > 0, jsondecode.Unique(data) != nil)
	})
}
