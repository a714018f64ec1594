package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// textOf is the trimmed text of the first element expr (a JavaScript
// expression) finds, "" when none.
func textOf(t *testing.T, ctx tabContext, expr string) string {
	t.Helper()
	s, err := browser.Eval[string](ctx.ctx, ctx.tab, `(`+expr+`)?.textContent.trim() ?? ""`)
	require.NoError(t, err)
	return s
}

// An agent sees whose cases they are in the header, the page's heading and
// the element's heading and caption; one click on a principal switches to
// their cases, and the settings say whose notifications they are. The
// development IdP says each persona's role. In Swedish and English.
func TestPortalNamesWhomTheAgentActsFor(t *testing.T) {
	base := startPortal(t, "default")
	for _, tc := range []struct {
		lang, role, own, heading, actingFor, notify, self string
	}{
		{"sv", "Ombud för Tolvan Tolvansson", "Mina ärenden", "Ärenden för Tolvan Tolvansson", "Företräder Tolvan Tolvansson",
			"Aviseringar för Tolvan Tolvansson", "Johan Lindqvist (dig själv)"},
		{"en", "Agent for Tolvan Tolvansson", "My cases", "Cases for Tolvan Tolvansson", "Acting for Tolvan Tolvansson",
			"Notifications for Tolvan Tolvansson", "Johan Lindqvist (yourself)"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			ctx, tab := newTab(t)
			in := tabContext{ctx, tab}
			_, err := tab.Navigate(ctx, base+"/sprak/"+tc.lang+"?return=/")
			require.NoError(t, err)
			click(t, ctx, tab, `a.button[href*="/saml/login"]`)
			waitFor(t, ctx, tab, `document.querySelectorAll('input[name="persona"]').length > 0`)
			_, err = tab.Navigate(ctx, mustEval[string](t, in, `location.href`)+"&lang="+tc.lang)
			require.NoError(t, err)
			waitFor(t, ctx, tab, `document.querySelectorAll('input[name="persona"]').length > 0`)
			roles := mustEval[[]string](t, in, `Array.from(document.querySelectorAll("input[name=persona]"), i => document.getElementById(i.getAttribute("aria-describedby")).textContent)`)
			require.Contains(t, roles, tc.role, "the chooser says each persona's role")
			choosePersona(t, ctx, tab, "Johan Lindqvist")
			waitFor(t, ctx, tab, `location.pathname == "/mina-arenden"`)

			require.Equal(t, tc.own, textOf(t, in, `document.querySelector("h1")`))
			require.Empty(t, textOf(t, in, `document.querySelector(".acting-for")`))
			require.Equal(t, tc.self, textOf(t, in, `document.querySelector(".act-for [aria-current=true]")`), "whose cases show is marked")

			// One click on the principal's button.
			clickPrincipal(t, in, "Tolvan Tolvansson")
			waitFor(t, ctx, tab, `document.querySelector("h1")?.textContent == `+strconv.Quote(tc.heading))
			require.Equal(t, tc.actingFor, textOf(t, in, `document.querySelector(".site-header .acting-for")`), "the header names the principal")
			require.ElementsMatch(t, casesOf(t, personaNumber(t, "Tolvan Tolvansson")), shownTitles(t, ctx, tab), "exactly the principal's cases")
			require.Equal(t, tc.heading, textOf(t, in, shadow+`.querySelector("h2")`), "the element's heading")
			require.Equal(t, tc.heading, textOf(t, in, shadow+`.querySelector("caption")`), "the table's caption")
			require.Equal(t, "Tolvan Tolvansson", textOf(t, in, `document.querySelector(".act-for [aria-current=true]")`))

			_, err = tab.Navigate(ctx, base+"/installningar")
			require.NoError(t, err)
			require.Equal(t, tc.notify, textOf(t, in, `document.querySelector("#notifications > legend")`))
			require.Equal(t, tc.actingFor, textOf(t, in, `document.querySelector(".site-header .acting-for")`))

			// And one click back to their own.
			_, err = tab.Navigate(ctx, base+"/mina-arenden")
			require.NoError(t, err)
			clickPrincipal(t, in, "Johan Lindqvist")
			waitFor(t, ctx, tab, `document.querySelector("h1")?.textContent == `+strconv.Quote(tc.own))
			require.ElementsMatch(t, casesOf(t, personaNumber(t, "Johan Lindqvist")), shownTitles(t, ctx, tab))
		})
	}
}

// The overview says who approved the service, every case's detail names
// who answers for it and how to reach them, and a case without an
// e-service opens, in a new window as a deep link would, the portal's own
// page with the case number to quote and the way back. Both themes, sv
// and en.
func TestPortalTrustResponsibilityAndInformationPage(t *testing.T) {
	for _, tc := range []struct {
		theme, lang, trust, responsible, newWindow, infoTitle, caseNumber, back string
	}{
		{"default", "sv", "Tjänsten är godkänd av Skatteverket.", "Lantmäteriet ansvarar för ärendet och svarar på frågor om det.",
			"(öppnas i nytt fönster)", "Kontakta Lantmäteriet", "Diarienummer", "Tillbaka till Mina ärenden"},
		{"bank", "en", "This service is approved by Skatteverket.", "Lantmäteriet is responsible for the case and answers questions about it.",
			"(opens in a new window)", "Contact Lantmäteriet", "Case number", "Back to My cases"},
	} {
		t.Run(tc.theme+"/"+tc.lang, func(t *testing.T) {
			base := startPortal(t, tc.theme)
			ctx, tab := newTab(t)
			in := tabContext{ctx, tab}
			login(t, ctx, tab, base, "Elin Karlsson")
			_, err := tab.Navigate(ctx, base+"/sprak/"+tc.lang+"?return=/mina-arenden")
			require.NoError(t, err)
			require.Equal(t, tc.trust, textOf(t, in, `document.querySelector("main .trust-line")`), "the trust line on the overview")

			shownTitles(t, ctx, tab)
			title := `Array.from(` + shadow + `.querySelectorAll(".case-title")).find(b => b.textContent.startsWith("Lantmäteriförrättning"))`
			_, err = browser.Eval[bool](ctx, tab, title+`.click() ?? true`)
			require.NoError(t, err)
			waitFor(t, ctx, tab, shadow+`.querySelectorAll(".case-responsible").length > 0`)
			detail := `Array.from(` + shadow + `.querySelectorAll(".case-detail")).find(d => d.textContent.includes("AB253412"))`
			require.Equal(t, tc.responsible, textOf(t, in, detail+`.querySelector(".case-responsible p")`))
			require.Equal(t, "tel:0846500480", mustEval[string](t, in, detail+`.querySelector(".case-responsible a").getAttribute("href")`), "the customer service's phone")
			// Every case names who answers for it, those with an e-service too.
			for _, title := range shownTitles(t, ctx, tab) {
				_, err = browser.Eval[bool](ctx, tab, `Array.from(`+shadow+`.querySelectorAll(".case-title")).find(b => b.textContent == `+strconv.Quote(title)+`).click() ?? true`)
				require.NoError(t, err)
			}
			require.Equal(t, len(casesOf(t, personaNumber(t, "Elin Karlsson"))), mustEval[int](t, in, shadow+`.querySelectorAll(".case-detail .case-responsible h3").length`))

			info := mustEval[map[string]string](t, in, `(a => ({href: a.getAttribute("href"), target: a.target, rel: a.rel, text: a.textContent}))(`+detail+`.querySelector("a[href*='/mina-arenden/kontakt/']"))`)
			require.Equal(t, "_blank", info["target"], "opens as a deep link would")
			require.Equal(t, "noopener", info["rel"])
			require.True(t, strings.HasSuffix(info["text"], tc.newWindow), "and says so: %q", info["text"])
			require.NotContains(t, info["href"], "AB253412", "no case number in the address")

			// The new window's page, in this tab.
			_, err = tab.Navigate(ctx, base+info["href"])
			require.NoError(t, err)
			require.Equal(t, "theme-"+tc.theme, mustEval[string](t, in, `document.documentElement.className`), "the portal's theme")
			require.Equal(t, tc.lang, mustEval[string](t, in, `document.documentElement.lang`))
			require.NotEmpty(t, textOf(t, in, `document.querySelector(".site-header .brand-name")`), "the portal's layout")
			require.Equal(t, tc.infoTitle, textOf(t, in, `document.querySelector("main h1")`))
			require.Equal(t, tc.caseNumber+"AB253412", textOf(t, in, `document.querySelector(".info-page .case-number")`), "the case number to quote")
			require.Equal(t, "08-465 004 80", textOf(t, in, `document.querySelector(".info-page .contacts a[href^='tel:']")`), "the customer service")
			require.Equal(t, "/mina-arenden", mustEval[string](t, in, `Array.from(document.querySelectorAll("main a")).find(a => a.textContent == `+strconv.Quote(tc.back)+`)?.getAttribute("href")`))
			require.NoError(t, tab.WaitLoad(ctx, func() error {
				return browser.Do(ctx, tab, chromedp.Click(chromedp.CSS(`main a[href="/mina-arenden"]`)))
			}))
			waitFor(t, ctx, tab, `location.pathname == "/mina-arenden"`)
			shownTitles(t, ctx, tab)

			// A token from another session opens nothing.
			_, err = tab.Navigate(ctx, base+strings.Replace(info["href"], "/kontakt/", "/kontakt/x", 1))
			require.NoError(t, err)
			require.NotContains(t, mustEval[string](t, in, `document.body.textContent`), "AB253412")
			require.NotEmpty(t, textOf(t, in, `document.querySelector(".site-header .brand-name")`), "says so in the portal's layout")
		})
	}
}

// Without an approving authority and trust line, neither the overview nor
// the About page has an empty line where the trust line would be.
func TestPortalWithoutTrustLineLeavesNoEmptyParagraph(t *testing.T) {
	base := startConfigured(t, func(cfg *config.Config) { cfg.ApprovedBy = config.Text{} })
	ctx, tab := newTab(t)
	in := tabContext{ctx, tab}
	login(t, ctx, tab, base, "Elin Karlsson")
	require.Zero(t, mustEval[int](t, in, `document.querySelectorAll("main .trust-line").length`))
	_, err := tab.Navigate(ctx, base+"/om-tjansten")
	require.NoError(t, err)
	require.Zero(t, mustEval[int](t, in, `Array.from(document.querySelectorAll("main p")).filter(p => !p.textContent.trim()).length`))
}

// clickPrincipal clicks, once, the act-for button that names name.
func clickPrincipal(t *testing.T, in tabContext, name string) {
	t.Helper()
	ref := mustEval[string](t, in, `Array.from(document.querySelectorAll("form.act-for button[name=party]")).find(b => b.textContent.includes(`+strconv.Quote(name)+`))?.value ?? ""`)
	require.NotEmpty(t, ref, "a button for %s", name)
	require.NoError(t, in.tab.WaitLoad(in.ctx, func() error {
		return browser.Do(in.ctx, in.tab, chromedp.Click(chromedp.CSS(`form.act-for button[value="`+ref+`"]`)))
	}))
}

type tabContext struct {
	ctx context.Context
	tab *browser.Tab
}

func mustEval[T any](t *testing.T, in tabContext, expr string) T {
	t.Helper()
	v, err := browser.Eval[T](in.ctx, in.tab, expr)
	require.NoError(t, err, expr)
	return v
}
