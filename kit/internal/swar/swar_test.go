package swar

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzTests: each test says exactly whether some byte of the word matches.
func FuzzTests(f *testing.F) {
	f.Add("abcdefgh", byte('"'), byte(0x20))
	f.Add("ab\"d\x00fgh", byte('"'), byte(0x20))
	f.Add("\xff\x80\x7f\x20\x1f\x01\x00a", byte(0x7f), byte(0x80))
	f.Fuzz(func(t *testing.T, s string, c, n byte) {
		if len(s) < 8 || n > 0x80 {
			return
		}
		w := Load(s, 0)
		var has, below, high bool
		for i := range 8 {
			has = has || s[i] == c
			below = below || s[i] < n
			high = high || s[i] >= 0x80
		}
		require.Equal(t, has, Has(w, c) != 0, "%q has %#x", s[:8], c)
		require.Equal(t, below, Below(w, n) != 0, "%q below %#x", s[:8], n)
		require.Equal(t, high, w&High != 0, "%q high", s[:8])
	})
}

func TestLoadIsLittleEndian(t *testing.T) {
	require.Equal(t, uint64(0x0807060504030201), Load("\x00\x01\x02\x03\x04\x05\x06\x07\x08", 1))
	require.Panics(t, func() { Load("short", 0) })
}
