package supportcode

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNewIsReadableAndVaries(t *testing.T) {
	seen := map[string]bool{}
	used := map[rune]bool{}
	for range 2000 {
		c := New()
		require.Regexp(t, Pattern, c)
		require.False(t, strings.ContainsAny(c, "0O1IL5S8B2ZUV"), c)
		require.False(t, seen[c], "codes repeat: %s", c)
		seen[c] = true
		for _, r := range strings.ReplaceAll(c, "-", "") {
			used[r] = true
		}
	}
	require.Len(t, used, len(Alphabet), "every symbol is used")
}
