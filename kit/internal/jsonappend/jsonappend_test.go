package jsonappend

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostile are strings whose every byte encoding/json treats specially.
var hostile = []string{
	"", "Skatteverket", "Ärende åäö ÅÄÖ é ü", `"quoted" \back\slash/`,
	"</script><script>alert(1)</script>", "a & b > c < d",
	"line\nfeed\ttab\rreturn\bback\fform", "\x00\x01\x1f\x7f",
	"sep\u2028ara\u2029tors", "bad \xff utf-8 \xc3", "\xe2\x80", "emoji 😀 and \U0010ffff",
	"\u202eright-to-left",
	// Long enough to go a word at a time, with what must stop it at every offset.
	"Ansökan om bygglov för tillbyggnad – beslut väntas i början av året…",
	"abcdefg\u2028hijklmnopq\u2029rstuvwxyzåäö", "åäöåäöåäö\u2028", "1234567\"89012345<67890&", "åäöåäöå\xff åäöåäöåäö",
}

func TestStringIsEncodingJSON(t *testing.T) {
	for _, s := range hostile {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(String(nil, s)), "%q", s)
	}
}

// FuzzString: whatever the text, the bytes are encoding/json's.
func FuzzString(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		got := String([]byte("prefix"), s)
		require.Equal(t, "prefix"+string(want), string(got))
	})
}

func TestStringsIsEncodingJSON(t *testing.T) {
	type status string
	for _, ss := range [][]status{nil, {}, {"received"}, {"in_progress", "a<b"}} {
		want := "[]"
		if len(ss) > 0 {
			w, err := json.Marshal(ss)
			require.NoError(t, err)
			want = string(w)
		}
		assert.Equal(t, want, string(Strings(nil, ss)))
	}
}

func TestTimeIsEncodingJSON(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 11, 24, 22, 6, 31, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 120000000, time.FixedZone("CET", 3600)),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(23*3600+59*60))),
		{},
	} {
		want, err := json.Marshal(tm)
		require.NoError(t, err)
		got, err := Time([]byte("x"), tm)
		require.NoError(t, err)
		assert.Equal(t, "x"+string(want), string(got))
		assert.True(t, ValidTime(tm))
	}
}

// Times JSON cannot carry are refused, as encoding/json refuses them,
// and nothing is appended.
func TestTimeRefusesWhatRFC3339CannotSay(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600)),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", -25*3600)),
	} {
		_, err := json.Marshal(tm)
		require.Error(t, err, "encoding/json refuses %v", tm)
		got, err := Time([]byte("x"), tm)
		assert.ErrorIs(t, err, ErrTime)
		assert.Equal(t, "x", string(got))
		assert.False(t, ValidTime(tm))
	}
}

func TestNumbersAndBooleans(t *testing.T) {
	assert.Equal(t, "-12,0,true,false", string(Bool(append(Bool(append(Int(append(Int(nil, -12), ','), 0), ','), true), ','), false)))
}
