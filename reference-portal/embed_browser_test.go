package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// A bank's pages and the portal on two hosts of one site, as
// www.bank.se and arenden.bank.se would be. Names under .localhost are
// loopback to Chromium (and Firefox and Safari) and one site,
// arendevy.localhost, by the Public Suffix List's default rule; 127.0.0.1
// is another site.
const (
	siteWWW     = "www.arendevy.localhost"
	siteArenden = "arenden.arendevy.localhost"
	siteSibling = "evil.arendevy.localhost"
)

// bankPage serves a page with nothing but the element's script and tag, both
// from the kit's origin, under a CSP that allows that origin, as
// docs/widget.md tells a bank to write it.
func bankPage(t *testing.T, kit string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/favicon.ico" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self' "+kit+"; style-src 'self' "+kit+"; connect-src 'self' "+kit+"; img-src 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Banken – Mina sidor</title>
<script type="module" src="%[1]s/arendevy/assets/arendevy-overview.js"></script></head>
<body><main><h1>Mina sidor</h1><arendevy-overview src="%[1]s/arendevy/api/overview"></arendevy-overview></main></body></html>`, kit)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func portOf(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	return port
}

// TestElementOnAnotherHostOfTheSite: the element on www shows the cases
// the portal on arenden compiles. The user, not logged in, follows the
// element's login link, logs in at the development IdP and lands back on
// the bank's page, where the element shows their cases; the page's own
// script fetches the CSRF token and changes a preference with it. A page
// on an unlisted host of the same site, and one on another site, get no
// cases, though the first sends the session cookie along.
func TestElementOnAnotherHostOfTheSite(t *testing.T) {
	kitPort := strconv.Itoa(freePort(t))
	kit := "http://" + siteArenden + ":" + kitPort
	www := bankPage(t, kit)
	wwwOrigin := "http://" + siteWWW + ":" + portOf(t, www)
	startConfigured(t, func(cfg *config.Config) {
		cfg.Listen = "127.0.0.1:" + kitPort
		cfg.PublicURL = kit
		cfg.EmbedOrigins = []string{wwwOrigin}
	})
	ctx, tab := newTab(t)

	page := wwwOrigin + "/mina-sidor?flik=arenden"
	_, err := tab.Navigate(ctx, page)
	require.NoError(t, err)
	loginLink := shadow + `?.querySelector('.notices a[href*="/saml/login"]')`
	waitFor(t, ctx, tab, loginLink+` != null`)
	href, err := browser.Eval[string](ctx, tab, loginLink+`.href`)
	require.NoError(t, err)
	require.Equal(t, kit+"/arendevy/saml/login?return="+url.QueryEscape(page), href, "the portal's login, coming back to this page")

	_, err = browser.Eval[any](ctx, tab, loginLink+`.click()`)
	require.NoError(t, err)
	choosePersona(t, ctx, tab, "Elin Karlsson")
	waitFor(t, ctx, tab, `location.href == `+strconv.Quote(page))
	require.ElementsMatch(t, casesOf(t, personaNumber(t, "Elin Karlsson")), shownTitles(t, ctx, tab), "Elin's cases, on the bank's page")

	links, err := browser.Eval[[]string](ctx, tab, `Array.from(`+shadow+`.querySelectorAll(".case-title")).forEach(b => b.click()) ??
		Array.from(`+shadow+`.querySelectorAll("a.case-link"), a => a.href)`)
	require.NoError(t, err)
	require.NotEmpty(t, links)
	for _, l := range links {
		require.Regexp(t, `^`+kit+`/arendevy/(go|producers)/`, l, "the kit's links lead to the kit, not to the bank's host")
	}

	// The bank's own script: the token from {mount}/api/csrf, then a
	// state-changing request with it (preflighted), and one without.
	statuses, err := browser.Eval[[]int](ctx, tab, `(async () => {
		const kit = `+strconv.Quote(kit)+`, credentials = "include";
		const {token} = await (await fetch(kit + "/arendevy/api/csrf", {credentials})).json();
		const prefs = await (await fetch(kit + "/arendevy/api/preferences", {credentials})).json();
		const put = (headers) => fetch(kit + "/arendevy/api/preferences", {method: "PUT", credentials, body: JSON.stringify(prefs),
			headers: {"Content-Type": "application/json", ...headers}}).then(r => r.status);
		return [await put({"X-CSRF-Token": token}), await put({})];
	})()`)
	require.NoError(t, err)
	require.Equal(t, []int{http.StatusOK, http.StatusForbidden}, statuses, "with the token the change passes, without it not")

	// The same page on hosts the portal does not list. The element's
	// fetch fails (no CORS answer), so it shows no case; so does the
	// page's own attempt, at the overview and at the token.
	other := bankPage(t, kit)
	for _, origin := range []string{"http://" + siteSibling + ":" + portOf(t, other), "http://127.0.0.1:" + portOf(t, other)} {
		t.Run(origin, func(t *testing.T) {
			_, err := tab.Navigate(ctx, origin+"/mina-sidor")
			require.NoError(t, err)
			waitFor(t, ctx, tab, shadow+`?.querySelector(".notices button") != null`) // the error and its retry
			n, err := browser.Eval[int](ctx, tab, shadow+`.querySelectorAll(".case-title").length`)
			require.NoError(t, err)
			require.Zero(t, n, "no case on a page of an unlisted origin")
			refused, err := browser.Eval[[]string](ctx, tab, `Promise.all(["/arendevy/api/overview", "/arendevy/api/csrf"].map(path =>
				fetch(`+strconv.Quote(kit)+` + path, {credentials: "include"}).then(() => "read", e => e.name)))`)
			require.NoError(t, err)
			require.Equal(t, []string{"TypeError", "TypeError"}, refused, "the browser lets the page read neither")
		})
	}
}
