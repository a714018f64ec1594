package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// TestElementBehindThePortalsReverseProxy: the documented way for a page
// on any other site, and for a portal not written in Go: its own server
// forwards /arendevy/ (and the development IdP) to the reference portal,
// whose public URL is the page's own origin, and the page uses plain paths.
// The user logs in from the element and sees their cases on the page.
func TestElementBehindThePortalsReverseProxy(t *testing.T) {
	var forward http.Handler
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { forward.ServeHTTP(w, r) }))
	t.Cleanup(proxy.Close)
	var kit *url.URL
	startConfigured(t, func(cfg *config.Config) {
		var err error
		kit, err = url.Parse("http://" + cfg.Listen)
		require.NoError(t, err)
		cfg.PublicURL = proxy.URL
	})
	page := bankPage(t, "") // the element's script and API on the page's own origin
	pageURL, err := url.Parse(page.URL)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/arendevy/", httputil.NewSingleHostReverseProxy(kit))
	mux.Handle("/devidp/", httputil.NewSingleHostReverseProxy(kit))
	mux.Handle("/", httputil.NewSingleHostReverseProxy(pageURL))
	forward = mux

	ctx, tab := newTab(t)
	_, err = tab.Navigate(ctx, proxy.URL+"/mina-sidor")
	require.NoError(t, err)
	loginLink := shadow + `?.querySelector('.notices a[href*="/saml/login"]')`
	waitFor(t, ctx, tab, loginLink+` != null`)
	_, err = browser.Eval[any](ctx, tab, loginLink+`.click()`)
	require.NoError(t, err)
	choosePersona(t, ctx, tab, "Elin Karlsson")
	waitFor(t, ctx, tab, `location.href == `+"`"+proxy.URL+"/mina-sidor`")
	require.ElementsMatch(t, casesOf(t, personaNumber(t, "Elin Karlsson")), shownTitles(t, ctx, tab))
}
