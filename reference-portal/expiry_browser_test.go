package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// shortIdle ends a session unused for 8 s: the "stay logged in" dialog
// comes 4 s before (half the idle limit, as the session manager caps it).
func shortIdle(cfg *config.Config) { cfg.Session.Idle = 8 * time.Second }

const expiryDialog = shadow + `?.querySelector("dialog.expiry")`

// TestSessionExpiryDialogKeepsTheSession: before the idle limit a modal
// dialog, announced as an alert dialog with its title and text, offers to
// stay logged in with focus on the button; choosing it keeps the session
// and the cases.
func TestSessionExpiryDialogKeepsTheSession(t *testing.T) {
	ctx, tab, shown := overviewIn(t, func(cfg *config.Config) { cfg.Theme = "default"; shortIdle(cfg) }, "Elin Karlsson", "sv")
	before := len(shown)
	waitFor(t, ctx, tab, expiryDialog+`?.open == true`)
	for expr, want := range map[string]string{
		expiryDialog + `.getAttribute("role")`:                                                       "alertdialog",
		shadow + `.getElementById(` + expiryDialog + `.getAttribute("aria-labelledby")).textContent`: "Vill du fortsätta vara inloggad?",
		shadow + `.activeElement?.textContent`:                                                       "Fortsätt vara inloggad",
	} {
		got, err := browser.Eval[string](ctx, tab, expr)
		require.NoError(t, err)
		require.Equal(t, want, got, expr)
	}
	text, err := browser.Eval[string](ctx, tab, shadow+`.getElementById(`+expiryDialog+`.getAttribute("aria-describedby")).textContent`)
	require.NoError(t, err)
	require.Regexp(t, `loggas du ut klockan \d\d:\d\d`, text)

	_, err = browser.Eval[bool](ctx, tab, shadow+`.activeElement.click() ?? true`)
	require.NoError(t, err)
	waitFor(t, ctx, tab, `!`+expiryDialog)
	// Past the first limit the session lives on, and so do the cases.
	time.Sleep(5 * time.Second)
	require.Len(t, shownTitles(t, ctx, tab), before)
	status, err := browser.Eval[int](ctx, tab, `fetch("/arendevy/api/session").then(r => r.status)`)
	require.NoError(t, err)
	require.Equal(t, 200, status)
}

// TestSessionExpiryClearsThePage: when nobody answers the dialog, the
// session ends and the element removes every case from the page (the DOM,
// not just the view) and says so, with a login link; in English too.
func TestSessionExpiryClearsThePage(t *testing.T) {
	base := startConfigured(t, func(cfg *config.Config) { cfg.Theme = "bank"; shortIdle(cfg) })
	ctx, tab := newTab(t)
	login(t, ctx, tab, base, "Elin Karlsson")
	_, err := tab.Navigate(ctx, base+"/sprak/en?return=/mina-arenden")
	require.NoError(t, err)
	titles := shownTitles(t, ctx, tab)
	waitFor(t, ctx, tab, expiryDialog+`?.open == true`)
	waitFor(t, ctx, tab, shadow+`.querySelector(".notices a")?.textContent == "Log in"`)
	notice, err := browser.Eval[string](ctx, tab, shadow+`.querySelector(".notices").textContent`)
	require.NoError(t, err)
	require.Contains(t, notice, "You have been logged out")
	page, err := browser.Eval[string](ctx, tab, `document.querySelector("arendevy-overview").innerHTML + `+shadow+`.innerHTML`)
	require.NoError(t, err)
	for _, title := range titles {
		require.NotContains(t, page, title, "case data left in the DOM")
	}
	rows, err := browser.Eval[int](ctx, tab, shadow+`.querySelectorAll("tr.case-row, tr.case-detail").length`)
	require.NoError(t, err)
	require.Zero(t, rows)
	require.False(t, must(browser.Eval[bool](ctx, tab, `!!`+expiryDialog)), "the dialog is gone")
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestCaseLinkAfterTheSessionEnded: "Gå till ärendet" followed after the
// session ended opens the portal's own page, in its layout and theme (both
// themes, Swedish and English), which says why and logs in again, back to
// the overview — never the kit's bare "log in first" page.
func TestCaseLinkAfterTheSessionEnded(t *testing.T) {
	for _, tc := range []struct{ theme, lang, notice string }{
		{"default", "sv", "Du är inte inloggad längre"},
		{"bank", "en", "You are no longer logged in"},
	} {
		t.Run(tc.theme, func(t *testing.T) {
			base := startConfigured(t, func(cfg *config.Config) { cfg.Theme = tc.theme; shortIdle(cfg) })
			ctx, tab := newTab(t)
			login(t, ctx, tab, base, "Elin Karlsson")
			_, err := tab.Navigate(ctx, base+"/sprak/"+tc.lang+"?return=/mina-arenden")
			require.NoError(t, err)
			shownTitles(t, ctx, tab)
			link, err := browser.Eval[string](ctx, tab, shadow+`.querySelector("a.case-link").href`)
			require.NoError(t, err)
			require.Contains(t, link, "/arendevy/go/")
			// Nobody answers the dialog: the session ends.
			waitFor(t, ctx, tab, shadow+`.querySelector(".notices a[href*='/saml/login']") != null`)

			status, err := tab.Navigate(ctx, link)
			require.NoError(t, err)
			require.Equal(t, 200, status)
			page, err := browser.Eval[map[string]string](ctx, tab, `({path: location.pathname, theme: document.documentElement.className, lang: document.documentElement.lang,
				header: document.querySelector(".site-header .brand-name")?.textContent ?? "",
				styled: String([...document.styleSheets].length > 0 && getComputedStyle(document.querySelector(".site-header")).backgroundColor != "rgba(0, 0, 0, 0)"),
				notice: document.querySelector("p.notice[role=status]")?.textContent ?? ""})`)
			require.NoError(t, err)
			require.Equal(t, "/", page["path"])
			require.Equal(t, "theme-"+tc.theme, page["theme"], "the portal's theme")
			require.Equal(t, tc.lang, page["lang"])
			require.NotEmpty(t, page["header"], "the portal's header")
			require.Equal(t, "true", page["styled"], "the portal's stylesheet")
			require.Contains(t, page["notice"], tc.notice, "it says why")

			// The development IdP still knows Elin (single sign-on): the
			// login comes straight back.
			click(t, ctx, tab, `a.button[href*="/saml/login"]`)
			waitFor(t, ctx, tab, `location.pathname == "/mina-arenden"`)
			require.NotEmpty(t, shownTitles(t, ctx, tab), "back at the overview, logged in")
		})
	}
}
