package compress

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "gzip", "br;q=0.5, gzip", "*;q=0", "br;q=NaN", "gzip;q=1e400", "x-gzip;;;q=", ",,;q=0.3,br", strings.Repeat("gzip;q=0.1,", 100)} {
		f.Add(s)
	}
	available := []string{"br", "gzip"}
	f.Fuzz(func(t *testing.T, header string) {
		got := Negotiate(header, available)
		require.Contains(t, []string{"", "br", "gzip"}, got)
		if got != "" {
			h := strings.ToLower(header)
			require.True(t, strings.Contains(h, got) || strings.Contains(h, "*"), "%q is chosen only when the header names it or *", got)
		}
		require.Empty(t, Negotiate(header, nil), "nothing to choose from: identity")
	})
}
