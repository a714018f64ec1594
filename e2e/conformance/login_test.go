package conformance_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/a11y"
	"github.com/arendevy/arendevy/e2e/conformance"
)

func TestParseLogin(t *testing.T) {
	const overview = "https://bank.example/mina-arenden"
	l, err := conformance.ParseLogin("cookie:SESSION=abc; lang=sv", overview, nil)
	require.NoError(t, err)
	c := l.(conformance.CookieLogin).Cookies
	require.Len(t, c, 2)
	require.Equal(t, "SESSION", c[0].Name)
	require.Equal(t, "abc", c[0].Value)
	require.Equal(t, "https://bank.example/", c[0].URL)

	file := filepath.Join(t.TempDir(), "cookies.txt")
	require.NoError(t, os.WriteFile(file, []byte("# Netscape HTTP Cookie File\n#HttpOnly_bank.example\tFALSE\t/\tTRUE\t0\tSESSION\tabc\n\nbank.example\tFALSE\t/\tTRUE\t0\tlang\tsv\n"), 0o600))
	l, err = conformance.ParseLogin("cookie-file:"+file, overview, nil)
	require.NoError(t, err)
	c = l.(conformance.CookieLogin).Cookies
	require.Len(t, c, 2)
	require.True(t, c[0].HTTPOnly)
	require.True(t, c[0].Secure)
	require.Equal(t, "bank.example", c[0].Domain)
	require.False(t, c[1].HTTPOnly)

	l, err = conformance.ParseLogin("persona:0@http://localhost:8080/arendevy/saml/login", overview, nil)
	require.NoError(t, err)
	require.Equal(t, a11y.ChoiceLogin{Choice: "0", URL: "http://localhost:8080/arendevy/saml/login"}, l)

	l, err = conformance.ParseLogin("form:https://test-idp.example/login", overview, []string{"pnr=199001012385"})
	require.NoError(t, err)
	require.Equal(t, a11y.FormLogin{URL: "https://test-idp.example/login", Fields: []a11y.Field{{Name: "pnr", Value: "199001012385"}}}, l)

	for _, bad := range []struct{ spec string }{
		{"SESSION=abc"}, {"cookie:"}, {"cookie:;;"}, {"cookie-file:/does/not/exist"},
		{"persona:0"}, {"persona:0@not a url"}, {"form:https://x.example/login"}, {"token:abc"},
	} {
		_, err := conformance.ParseLogin(bad.spec, overview, nil)
		require.ErrorIs(t, err, conformance.ErrLoginSpec, bad.spec)
	}
	_, err = conformance.ParseLogin("cookie:a=b", overview, []string{"x=y"})
	require.ErrorIs(t, err, conformance.ErrLoginSpec, "fields only with form:")
}
