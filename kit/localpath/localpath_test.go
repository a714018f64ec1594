package localpath

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCheck is the one table of hostile return targets; every guard of the
// kit and the reference portal goes through Check.
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"/", true},
		{"/x?y#z", true},
		{"/minasidor?flik=arenden#topp", true},
		{"/minasidor/arenden", true},
		{"/a?b=//c", true}, // slashes in the query do not make a host
		{"/a#//b", true},
		{"/%C3%A4renden", true},
		{"/ärenden", true},
		{"/@evil.test", true}, // a path segment, not user info
		{"/" + strings.Repeat("a", maxLen-1), true},

		{"", false},
		{"/" + strings.Repeat("a", maxLen), false},
		{"x", false},
		{"minasidor", false},
		{"./x", false},
		{"../x", false},
		{"?x=1", false},
		{"#x", false},
		{"//x", false},
		{"//evil.test", false},
		{"///evil.test", false},
		{"https://x", false},
		{"https://evil.test/", false},
		{"http:x", false},
		{"http:/x", false},
		{"javascript:", false},
		{"javascript:alert(1)", false},
		{"JaVaScRiPt:alert(1)", false},
		{"data:text/html,x", false},
		{`/\x`, false},
		{`/\evil.test`, false},
		{`\\evil.test`, false},
		{`\/evil.test`, false},
		{`/x\y`, false},
		{"/%2F%2Fx", false},
		{"/%2F%2Fevil.test", false},
		{"/%2f%2fevil.test", false},
		{"/%5Cx", false},
		{"/%5cevil.test", false},
		{"/a/%5C", false},
		{"/%0d%0aSet-Cookie:x", true}, // escaped bytes stay escaped on this site
		{"/%00", true},
		{"/%09/evil.test", false},
		{"/%0A/evil.test", false},
		{"/%0D%0A%2Fevil.test", false},
		{"/%zz", false},
		{"/\t/evil.test", false},
		{"/\n/evil.test", false},
		{"/\r\n/evil.test", false},
		{"\t/x", false},
		{"\r", false},
		{"/x\x00", false},
		{"/x\x7f", false},
		{"/x\u0085", false}, // a C1 control
		{"/x\u2028", false},
		{"/ minasidor", false},
		{" /x", false},
		{"/x ", false},
		{"/x?y z", false},
		{"/\xff", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			err := Check(tc.in)
			if tc.ok {
				require.NoError(t, err)
				require.Equal(t, tc.in, Or(tc.in, "/fallback"))
				return
			}
			require.ErrorIs(t, err, ErrNotLocal)
			require.NotContains(t, err.Error(), "evil", "the refusal never quotes the target")
			require.Equal(t, "/fallback", Or(tc.in, "/fallback"))
		})
	}
}

// FuzzCheck: whatever Check accepts, a browser resolves to our own origin,
// decoded or not.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"/", "/a?b=c", "/mina-sidor", "/a?b=//c", "//evil", `/\evil`, "javascript:x",
		"/\t/evil", "\t/x", "/%09/evil", "/%2F%2Fevil", "/%5Cevil", "https://evil"} {
		f.Add(s)
	}
	base, err := url.Parse("https://portal.test/arendevy/x")
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, s string) {
		out := Or(s, "/")
		require.True(t, out == "/" || out == s)
		if Check(s) != nil {
			return
		}
		require.True(t, strings.HasPrefix(s, "/"))
		require.False(t, strings.HasPrefix(s, "//"))
		require.NotContains(t, s, `\`)
		u, err := url.Parse(s)
		require.NoError(t, err)
		resolved := base.ResolveReference(u)
		require.Equal(t, "portal.test", resolved.Host)
		require.Equal(t, "https", resolved.Scheme)
		require.False(t, strings.HasPrefix(u.Path, "//"), "decoded, it is still one path")
		require.NotContains(t, u.Path, `\`)
	})
}
