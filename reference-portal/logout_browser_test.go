package main

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// An IdP on another origin, as every real one is: logout posts to the
// portal, which answers 303 to the IdP's SLO endpoint. The CSP's form-action
// must let the browser follow it, or the page stays, cases and all, and the
// IdP session lives on.
func TestLogoutThroughAnIdPOnAnotherOrigin(t *testing.T) {
	idpListen := "127.0.0.1:" + strconv.Itoa(freePort(t))
	base := startConfigured(t, func(cfg *config.Config) { cfg.SAML.DevIdPListen = idpListen })
	idpOrigin := "http://" + idpListen

	ctx, tab := newTab(t)
	login(t, ctx, tab, base, "Elin Karlsson")
	shownTitles(t, ctx, tab)

	click(t, ctx, tab, `form[action$="/saml/logout"] button`)
	waitFor(t, ctx, tab, `location.origin == `+strconv.Quote(base)+` && location.pathname == "/" && document.querySelector("p.notice[role=status]") != null`)

	// A fresh login goes to the IdP, which asks again: its session ended.
	click(t, ctx, tab, `a.button[href*="/saml/login"]`)
	waitFor(t, ctx, tab, `document.querySelectorAll('input[name="persona"]').length > 0`)
	origin, err := browser.Eval[string](ctx, tab, `location.origin`)
	require.NoError(t, err)
	require.Equal(t, idpOrigin, origin, "the login form is the IdP's, on its own origin")
}
