package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/supportcode"
)

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	// What differs between two responses anyway: the token, the links to
	// cases (made afresh, with the overview's expiry), the time the overview
	// was compiled and its support code (one per overview).
	perResponse = regexp.MustCompile(`name="csrf" value="[^"]+"|/go/[A-Za-z0-9_-]+|/kontakt/[A-Za-z0-9_-]+|"compiledAt":"[^"]+"|` +
		`[` + supportcode.Alphabet + `]{4}-[` + supportcode.Alphabet + `]{4}`)
)

// TestCompressedPagesKeepTheirSecretsSafe logs in with Chromium, then asks
// for the logged-in overview with each content coding: the page decodes to
// the same content, keeps Cache-Control: no-store and Vary, and carries a
// CSRF token that differs in every response and that the server accepts.
func TestCompressedPagesKeepTheirSecretsSafe(t *testing.T) {
	base := startPortal(t, "default")
	ctx, tab := newTab(t)
	login(t, ctx, tab, base, "Elin Karlsson")
	got, err := chromedp.Call(tab.Context(), network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
	require.NoError(t, err)
	var jar []string
	for _, c := range got.Cookies {
		jar = append(jar, c.Name+"="+c.Value)
	}
	cookie := strings.Join(jar, "; ")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, coding string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		require.NoError(t, err)
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Accept-Encoding", coding) // set by hand: the client decodes nothing itself
		res, err := client.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		var rd io.Reader = bytes.NewReader(raw)
		switch res.Header.Get("Content-Encoding") {
		case "gzip":
			rd, err = gzip.NewReader(rd)
			require.NoError(t, err)
		case "br":
			rd = brotli.NewReader(rd)
		}
		body, err := io.ReadAll(rd)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		require.Equal(t, "no-store", res.Header.Get("Cache-Control"), "%s with %q carries case data", path, coding)
		require.Contains(t, res.Header.Values("Vary"), "Accept-Encoding", path)
		return res, string(body)
	}

	_, identity := get("/mina-arenden", "identity")
	tokens := map[string]bool{}
	for _, coding := range []string{"gzip", "br"} {
		res, page := get("/mina-arenden", coding)
		require.Equal(t, coding, res.Header.Get("Content-Encoding"))
		require.Equal(t, perResponse.ReplaceAllString(identity, ""), perResponse.ReplaceAllString(page, ""),
			"the %s page decodes to the identity page", coding)
		for _, m := range csrfField.FindAllStringSubmatch(page, -1) {
			require.False(t, tokens[m[1]], "two responses never carry the same token bytes")
			tokens[m[1]] = true
		}

		api, overview := get("/arendevy/api/overview", coding)
		require.Equal(t, coding, api.Header.Get("Content-Encoding"), "the API is compressed too")
		require.Contains(t, overview, `"cases"`)
	}
	// One in the header's logout form of each page, and one in each form
	// of the overview's case groups: every one masked afresh.
	require.GreaterOrEqual(t, len(tokens), 2)

	// No request text beside the token: a page not found does not echo
	// the path it was asked for.
	req, err := http.NewRequest(http.MethodGet, base+"/csrf-value-probe", nil)
	require.NoError(t, err)
	req.Header.Set("Cookie", cookie)
	res, err := client.Do(req)
	require.NoError(t, err)
	notFound, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	require.Regexp(t, csrfField, string(notFound))
	require.NotContains(t, string(notFound), "value-probe", "the path asked for is not echoed")

	post := func(token string) int {
		req, err := http.NewRequest(http.MethodPost, base+"/arendevy/act-for",
			strings.NewReader(url.Values{"csrf": {token}, "party": {"0"}, "return": {"/mina-arenden"}}.Encode()))
		require.NoError(t, err)
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := client.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	for token := range tokens {
		require.Equal(t, http.StatusSeeOther, post(token), "the token from a compressed page is accepted")
		require.Equal(t, http.StatusForbidden, post(token[:len(token)-2]+"AA"), "a token altered is not")
	}
}
