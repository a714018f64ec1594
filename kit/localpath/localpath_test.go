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

// allowed are the origins of TestCheckAt and FuzzCheckAt: pages on two
// other hosts of the site embed the element.
var allowed = []string{"https://www.bank.se", "http://www.arendevy.localhost:8081"}

// TestCheckAt: every local path Check accepts, and pages of exactly the
// allowed origins; the hostile shapes of a URL around them are refused.
func TestCheckAt(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"/", true},
		{"/mina-sidor?flik=1#arenden", true},
		{"https://www.bank.se", true},
		{"https://www.bank.se/", true},
		{"https://www.bank.se/mina-sidor?flik=1#arenden", true},
		{"http://www.arendevy.localhost:8081/sida", true},

		{"//x", false},
		{`/\x`, false},
		{"https://www.bank.se.evil.test/", false},
		{"https://www.bank.se@evil.test/", false},
		{"https://www.bank.se:8443/", false},
		{"https://www.bank.se:443/", false}, // not the configured spelling
		{"https://www.bank.se//evil.test", false},
		{`https://www.bank.se/\evil.test`, false},
		{"https://www.bank.se/%2F%2Fevil.test", false},
		{"https://www.bank.se/\t/evil.test", false},
		{"https://www.bank.se?x", false},
		{"https://www.bank.se#x", false},
		{"https://WWW.BANK.SE/", false},
		{"HTTPS://www.bank.se/", false},
		{"http://www.bank.se/", false},
		{"https://bank.se/", false},
		{"https://evil.test/", false},
		{"https://evil.test/https://www.bank.se/", false},
		{"https:www.bank.se/", false},
		{"https:/www.bank.se/", false},
		{" https://www.bank.se/", false},
		{"javascript:alert(1)//https://www.bank.se", false},
		{"http://www.arendevy.localhost:80811/", false},
		{"http://www.arendevy.localhost:8081" + "/" + strings.Repeat("a", maxLen), false},
		{"", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			err := CheckAt(tc.in, allowed)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrNotLocal)
			require.NotContains(t, err.Error(), "evil", "the refusal never quotes the target")
		})
	}
	require.Error(t, CheckAt("https://www.bank.se/", nil), "no origins: local paths only")
	require.Error(t, CheckAt("https://www.bank.se/", []string{""}), "an empty origin allows nothing")
}

func TestCheckOrigin(t *testing.T) {
	for _, o := range []string{"https://www.bank.se", "http://localhost:8080", "https://[::1]:8443", "https://idp.example.se:443"} {
		require.NoError(t, CheckOrigin(o), o)
	}
	for _, o := range []string{"", "www.bank.se", "https://", "https://:443", "https://www.bank.se:", "https://www.bank.se/",
		"https://www.bank.se/x", "https://www.bank.se?", "https://www.bank.se#", "https://u@www.bank.se", "https://WWW.bank.se",
		"ftp://www.bank.se", "https://*.bank.se", "null", "https://www.bank.se https://evil.test", `https://www.bank.se\`, "https://www.bank.se;"} {
		require.Error(t, CheckOrigin(o), o)
	}
}

// FuzzCheckAt: whatever CheckAt accepts, a browser resolves to our own
// origin or to exactly one of the allowed ones, and what follows the
// origin is a path Check accepts.
func FuzzCheckAt(f *testing.F) {
	for _, s := range []string{"/", "https://www.bank.se/x", "https://www.bank.se.evil/", "https://www.bank.se@evil/",
		"https://www.bank.se//evil", `https://www.bank.se/\evil`, "http://www.arendevy.localhost:8081/a?b#c", "https://www.bank.se:1/"} {
		f.Add(s)
	}
	base, err := url.Parse("https://arenden.bank.se/arendevy/api/overview")
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, s string) {
		if CheckAt(s, allowed) != nil {
			return
		}
		u, err := url.Parse(s)
		require.NoError(t, err)
		resolved := base.ResolveReference(u)
		origin := resolved.Scheme + "://" + resolved.Host
		if origin == "https://arenden.bank.se" {
			require.NoError(t, Check(s))
			return
		}
		require.Contains(t, allowed, origin)
		rest := strings.TrimPrefix(s, origin)
		require.True(t, rest == "" || Check(rest) == nil, "after the origin, a local path")
		require.Empty(t, resolved.User)
		require.False(t, strings.HasPrefix(resolved.Path, "//"))
		require.NotContains(t, resolved.Path, `\`)
	})
}
