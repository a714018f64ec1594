package main

import (
	"context"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/e2e/browser/browsertest"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/memory"
	"github.com/arendevy/arendevy/reference-portal/config"
	"github.com/arendevy/arendevy/reference-portal/portal"
)

// startPortal runs the reference portal as `make run` wires it (embedded
// development IdP, demo data, in-memory sessions) on a free loopback port.
func startPortal(t *testing.T, theme string, more ...config.Source) string {
	t.Helper()
	return startConfigured(t, func(cfg *config.Config) {
		cfg.Theme = theme
		cfg.Sources = append(cfg.Sources, more...)
	})
}

// startConfigured is startPortal with the configuration changed by change.
func startConfigured(t *testing.T, change func(*config.Config)) string {
	t.Helper()
	return startWired(t, change, nil)
}

// startWired is startConfigured with the wired app handed to wire, when
// not nil, before it serves.
func startWired(t *testing.T, change func(*config.Config), wire func(*app)) string {
	t.Helper()
	port := freePort(t)
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:" + strconv.Itoa(port)
	cfg.PublicURL = "http://127.0.0.1:" + strconv.Itoa(port)
	// The tests log in and expect cases: the consent step, on by default,
	// is off unless a test turns it on (consent_browser_test.go).
	cfg.Preferences.Consent = false
	change(&cfg)
	ctx, cancel := context.WithCancel(context.Background())
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := build(ctx, cfg, logger)
	require.NoError(t, err)
	if wire != nil {
		wire(a)
	}
	done := make(chan error, 1)
	go func() { done <- serve(ctx, a, cfg, io.Discard, logger) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
		a.close()
	})
	require.Eventually(t, func() bool {
		// By the listen address: a public URL under .localhost is loopback
		// to browsers, not to Go's resolver.
		resp, err := readyClient(cfg).Get(readyURL(cfg))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond)
	return cfg.PublicURL
}

func newTab(t *testing.T) (context.Context, *browser.Tab) {
	t.Helper()
	chromium := browsertest.Shared(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	tab, err := chromium.NewTab(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tab.Close() })
	return ctx, tab
}

func TestMain(m *testing.M) { browsertest.Main(m) }

// waitFor polls a JavaScript condition in the page until it holds.
func waitFor(t *testing.T, ctx context.Context, tab *browser.Tab, expr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := browser.Eval[bool](ctx, tab, expr); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	loc, _ := browser.Eval[string](ctx, tab, "location.href")
	t.Fatalf("waited in vain for %s (at %s)", expr, loc)
}

func click(t *testing.T, ctx context.Context, tab *browser.Tab, selector string) {
	t.Helper()
	require.NoError(t, browser.Do(ctx, tab, chromedp.Click(chromedp.CSS(selector))), selector)
}

const shadow = `document.querySelector("arendevy-overview")?.shadowRoot`

// shownTitles are the titles of the cases the element shows, in order.
func shownTitles(t *testing.T, ctx context.Context, tab *browser.Tab) []string {
	t.Helper()
	waitFor(t, ctx, tab, shadow+`?.querySelectorAll(".case-title").length > 0`)
	titles, err := browser.Eval[[]string](ctx, tab, `Array.from(`+shadow+`.querySelectorAll(".case-title"), b => b.textContent)`)
	require.NoError(t, err)
	return titles
}

// login goes through the start page and the development IdP as persona.
func login(t *testing.T, ctx context.Context, tab *browser.Tab, base, persona string) {
	t.Helper()
	_, err := tab.Navigate(ctx, base+"/")
	require.NoError(t, err)
	click(t, ctx, tab, `a.button[href*="/saml/login"]`)
	choosePersona(t, ctx, tab, persona)
	waitFor(t, ctx, tab, `location.pathname == "/mina-arenden"`)
}

// choosePersona logs in as persona at the development IdP's form.
func choosePersona(t *testing.T, ctx context.Context, tab *browser.Tab, persona string) {
	t.Helper()
	waitFor(t, ctx, tab, `document.querySelectorAll('input[name="persona"]').length > 0`)
	id, err := browser.Eval[string](ctx, tab, `Array.from(document.querySelectorAll("label")).find(l => l.textContent.includes(`+strconv.Quote(persona)+`))?.htmlFor ?? ""`)
	require.NoError(t, err)
	require.NotEmpty(t, id, "persona %s offered at the development IdP", persona)
	click(t, ctx, tab, "#"+id)
	click(t, ctx, tab, `form button[type="submit"]:not([name])`)
}

// overviewIn starts the portal configured by change, logs persona in and
// opens the overview in lang, its cases shown.
func overviewIn(t *testing.T, change func(*config.Config), persona, lang string) (context.Context, *browser.Tab, []string) {
	t.Helper()
	base := startConfigured(t, change)
	ctx, tab := newTab(t)
	login(t, ctx, tab, base, persona)
	_, err := tab.Navigate(ctx, base+"/sprak/"+lang+"?return=/mina-arenden")
	require.NoError(t, err)
	return ctx, tab, shownTitles(t, ctx, tab)
}

// casesOf are the demo titles of a customer, from the same demo data the
// portal serves.
func casesOf(t *testing.T, number string) []string {
	t.Helper()
	res, err := memory.Demo(time.Now()).Overview(context.Background(), identity.Subject{User: identity.Party{Number: number}})
	require.NoError(t, err)
	var titles []string
	for _, c := range res.Cases {
		titles = append(titles, c.Title)
	}
	require.NotEmpty(t, titles)
	return titles
}

func personaNumber(t *testing.T, name string) string {
	for _, p := range memory.Demo(time.Now()).Personas() {
		if p.Party.Name == name {
			return p.Party.Number
		}
	}
	t.Fatalf("no persona %s", name)
	return ""
}

func TestPortalPersonSettingsLanguageLinksAndLogout(t *testing.T) {
	base := startPortal(t, "default")
	ctx, tab := newTab(t)

	login(t, ctx, tab, base, "Elin Karlsson")
	want := casesOf(t, personaNumber(t, "Elin Karlsson"))
	require.ElementsMatch(t, want, shownTitles(t, ctx, tab), "exactly Elin's cases")

	// The server-rendered overview is in the page as served, before any
	// script runs, and the page may not be cached.
	served, err := browser.Eval[map[string]string](ctx, tab, `fetch(location.href).then(async r => ({html: await r.text(), cache: r.headers.get("Cache-Control")}))`)
	require.NoError(t, err)
	for _, title := range want {
		require.Contains(t, served["html"], htmlEscape(title))
	}
	require.Equal(t, "no-store", served["cache"])

	// A deep link opens the producer's e-service in a new window and goes
	// through the kit to an allowed host.
	links, err := browser.Eval[[]map[string]string](ctx, tab, `Array.from(`+shadow+`.querySelectorAll(".case-title")).map(b => { b.click(); return b }) && Array.from(`+shadow+`.querySelectorAll("a.case-link")).map(a => ({href: a.getAttribute("href"), target: a.target, rel: a.rel, name: a.textContent}))`)
	require.NoError(t, err)
	require.NotEmpty(t, links, "Elin has cases with an e-service")
	for _, l := range links {
		l["href"] = strings.TrimPrefix(l["href"], base)
		require.True(t, strings.HasPrefix(l["href"], "/arendevy/go/"), "a same-origin kit link: %s", l["href"])
		require.Equal(t, "_blank", l["target"])
		require.Contains(t, l["rel"], "noopener")
		require.Regexp(t, `new window|nytt fönster`, l["name"], "announced as opening a new window")
	}
	jar, err := chromedp.Call(tab.Context(), network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, base+links[0]["href"], nil)
	for _, c := range jar.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	target := resp.Header.Get("Location")
	require.Regexp(t, `^http://127\.0\.0\.1:\d+/e-service/case\?target=https%3A%2F%2F`, target, "through the demo e-service's SSO entry point")
	allowed := false
	for _, p := range memory.Demo(time.Now()).Directory().All() {
		for _, h := range p.Hosts {
			allowed = allowed || strings.HasPrefix(target, "https://"+h+"/") || strings.Contains(target, "target=https%3A%2F%2F"+h)
		}
	}
	require.True(t, allowed, "redirect to an allowed host: %s", target)

	// A producer without an e-service: the portal's information page names it and its customer service.
	info, err := browser.Eval[string](ctx, tab, `Array.from(`+shadow+`.querySelectorAll('a[href*="`+portal.InfoPath+`"]')).map(a => a.getAttribute("href"))[0] ?? ""`)
	require.NoError(t, err)
	require.NotEmpty(t, info, "Elin has a case from a producer without an e-service")
	_, err = tab.Navigate(ctx, base+strings.TrimPrefix(info, base))
	require.NoError(t, err)
	page, err := browser.Eval[string](ctx, tab, `document.body.innerText`)
	require.NoError(t, err)
	require.Contains(t, page, "Lantmäteriet")
	require.Regexp(t, `\d{2,3}-\d{3} \d{3}`, page, "a phone number")

	// Settings: sort by title ascending, hide Skatteverket, hide closed cases.
	_, err = tab.Navigate(ctx, base+"/installningar")
	require.NoError(t, err)
	require.NoError(t, browser.Do(ctx, tab,
		chromedp.SetValue(chromedp.CSS("#sort"), "title"),
		chromedp.Click(chromedp.CSS("#order-asc")),
		chromedp.Click(chromedp.CSS("#closed")),
		chromedp.Click(chromedp.CSS(`input[name="hide"][value="skatteverket"]`)),
		chromedp.Click(chromedp.CSS(`form.settings button[type="submit"]`)),
	))
	waitFor(t, ctx, tab, `document.querySelector("p.notice[role=status]") != null`)
	_, err = tab.Navigate(ctx, base+"/mina-arenden")
	require.NoError(t, err)
	shown := shownTitles(t, ctx, tab)
	demo, err := memory.Demo(time.Now()).Overview(context.Background(), identity.Subject{User: identity.Party{Number: personaNumber(t, "Elin Karlsson")}})
	require.NoError(t, err)
	var expected []string
	for _, c := range demo.Cases {
		if c.Sender.ID != "skatteverket" && c.Status != cases.Closed {
			expected = append(expected, c.Title)
		}
	}
	require.ElementsMatch(t, expected, shown, "Skatteverket hidden, closed cases hidden")
	hidden, err := browser.Eval[[]string](ctx, tab, `[...`+shadow+`.querySelectorAll(".notices p")].filter((p) => p.querySelector("a[href$='/installningar']")).map((p) => p.textContent)`)
	require.NoError(t, err)
	require.Len(t, hidden, 1, "the hidden actor is announced, one click from the settings")
	require.Contains(t, []string{"1 aktör dold (Skatteverket) — visa dem", "1 actor hidden (Skatteverket) — show them"}, hidden[0])
	require.True(t, slices.IsSortedFunc(shown, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) || len(shown) < 2,
		"sorted by title: %v", shown)

	// Language: switch to English, remembered on the next page.
	before, err := browser.Eval[string](ctx, tab, `document.documentElement.lang`)
	require.NoError(t, err)
	click(t, ctx, tab, `a.lang`)
	waitFor(t, ctx, tab, `document.documentElement.lang != `+strconv.Quote(before)+` && location.pathname == "/mina-arenden"`)
	_, err = tab.Navigate(ctx, base+"/om-tjansten")
	require.NoError(t, err)
	h1, err := browser.Eval[string](ctx, tab, `document.documentElement.lang + ": " + document.querySelector("h1").textContent`)
	require.NoError(t, err)
	require.Contains(t, []string{"sv: Om tjänsten", "en: About the service"}, h1)
	require.False(t, strings.HasPrefix(h1, before+":"), "the choice is remembered")

	// Logout, then the back button: no case data anywhere.
	_, err = tab.Navigate(ctx, base+"/mina-arenden")
	require.NoError(t, err)
	shownTitles(t, ctx, tab)
	click(t, ctx, tab, `form[action$="/saml/logout"] button`)
	waitFor(t, ctx, tab, `location.pathname == "/" && document.querySelector("p.notice[role=status]") != null`)
	require.NoError(t, browser.Do(ctx, tab, chromedp.NavigateBack()))
	time.Sleep(500 * time.Millisecond)
	waitFor(t, ctx, tab, `document.readyState == "complete"`)
	body, err := browser.Eval[string](ctx, tab, `document.documentElement.outerHTML + (`+shadow+`?.innerHTML ?? "")`)
	require.NoError(t, err)
	for _, title := range want {
		require.NotContains(t, body, title, "no case data behind the back button")
	}
}

func TestPortalAgentAndCompany(t *testing.T) {
	base := startPortal(t, "default")
	for _, tc := range []struct{ user, principal string }{
		{"Johan Lindqvist", "Tolvan Tolvansson"},
		{"Sven Bergström", "Skärgårdssnickarna i Vaxholm AB"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			ctx, tab := newTab(t)
			login(t, ctx, tab, base, tc.user)
			require.ElementsMatch(t, casesOf(t, personaNumber(t, tc.user)), shownTitles(t, ctx, tab), "own cases first")
			clickPrincipal(t, tabContext{ctx, tab}, tc.principal)
			waitFor(t, ctx, tab, `document.querySelector(".act-for [aria-current=true]")?.textContent == `+strconv.Quote(tc.principal))
			require.ElementsMatch(t, casesOf(t, personaNumber(t, tc.principal)), shownTitles(t, ctx, tab), "exactly the principal's cases")
			heading, err := browser.Eval[string](ctx, tab, shadow+`.querySelector("h2").textContent`)
			require.NoError(t, err)
			require.Contains(t, heading, tc.principal, "the overview says whose cases they are")
		})
	}
}

func TestPortalBankTheme(t *testing.T) {
	municipal, bank := startPortal(t, "default"), startPortal(t, "bank")
	ctx, tab := newTab(t)
	colour := func(base string) (string, string) {
		_, err := tab.Navigate(ctx, base+"/")
		require.NoError(t, err)
		c, err := browser.Eval[string](ctx, tab, `getComputedStyle(document.querySelector(".site-header")).backgroundColor`)
		require.NoError(t, err)
		name, err := browser.Eval[string](ctx, tab, `document.querySelector(".brand-name").textContent`)
		require.NoError(t, err)
		return c, name
	}
	mc, mn := colour(municipal)
	bc, bn := colour(bank)
	require.NotEqual(t, mc, bc, "the bank theme rebrands the page")
	require.Equal(t, "Skärgårdsbanken", bn)
	require.NotEqual(t, mn, bn)

	login(t, ctx, tab, bank, "Elin Karlsson")
	shownTitles(t, ctx, tab)
	sheets, err := browser.Eval[[]string](ctx, tab, `Array.from(document.querySelectorAll('link[rel=stylesheet]'), l => l.getAttribute("href"))`)
	require.NoError(t, err)
	require.True(t, slices.ContainsFunc(sheets, func(s string) bool { return strings.Contains(s, "bank") }), "the element's bank theme: %v", sheets)
}

func htmlEscape(s string) string { return template.HTMLEscapeString(s) }

// On a phone the first screen after login shows cases under one heading:
// at 375×812, in Swedish, English and Finnish, Tolvan's first three cases are
// whole above the fold, the first of them waiting for him with what to do,
// the deadline and the button (the portal's two-row header, the heading,
// the element's two rows of controls and its dense cards leave room for
// them; before, one or two fit), and at 375 and 320 px nothing, the language
// switch with all its languages included, is wider than the phone. Then, with JavaScript off in the same
// session, the page's own address sorts and filters (the overview's GET
// form), and an address that cannot be used gets the overview with a notice.
func TestPortalOnAPhoneAndWithoutJavaScript(t *testing.T) {
	base := startPortal(t, "default")
	ctx, tab := newTab(t)
	require.NoError(t, tab.SetViewport(ctx, 375, 812))
	login(t, ctx, tab, base, "Tolvan Tolvansson")
	for _, lang := range []string{"sv", "en", "fi"} {
		require.NoError(t, tab.SetViewport(ctx, 375, 812))
		_, err := tab.Navigate(ctx, base+"/sprak/"+lang+"?return=/mina-arenden")
		require.NoError(t, err)
		shownTitles(t, ctx, tab)
		fold, err := browser.Eval[[]int](ctx, tab, `(async () => {
			await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
			const rows = [...`+shadow+`.querySelectorAll("tr.case-row")];
			return [rows.filter((r) => r.getBoundingClientRect().bottom <= innerHeight).length, Math.round(rows[0].getBoundingClientRect().top)] })()`)
		require.NoError(t, err)
		t.Logf("%s at 375×812: %d whole cases above the fold; the first starts at %d px", lang, fold[0], fold[1])
		require.GreaterOrEqual(t, fold[0], 3, "%s: three whole cases on the first screen of a phone", lang)
		require.LessOrEqual(t, fold[1], 812/2, "%s: the cases begin in the upper half of a phone's first screen", lang)
		// On the card, "opens in a new window" is read, not shown (the
		// arrow shows it), so the case button takes a line less.
		buttons, err := browser.Eval[[][]string](ctx, tab, `[...`+shadow+`.querySelectorAll(".case-row a.case-link")].map((a) => [String(a.querySelector(".new-window")?.getBoundingClientRect().width <= 1), a.textContent])`)
		require.NoError(t, err)
		require.NotEmpty(t, buttons, "%s: a case waiting for the customer has its button on the card", lang)
		for _, b := range buttons {
			require.Equal(t, "true", b[0], "%s: %q shows its last words only to a screen reader", lang, b[1])
			require.Regexp(t, `\((öppnas i nytt fönster|opens in a new window|avautuu uuteen ikkunaan)\)$`, b[1], "%s: the name still says where it opens", lang)
		}
		headings, err := browser.Eval[[]string](ctx, tab, `[...document.querySelectorAll("h1, h2"), ...`+shadow+`.querySelectorAll("h2")].filter((h) => h.checkVisibility()).map((h) => h.textContent)`)
		require.NoError(t, err)
		heading := map[string]string{"sv": "Mina ärenden", "en": "My cases", "fi": "Omat asiat"}[lang]
		require.Equal(t, 1, strings.Count(strings.Join(headings, "|"), heading), "one heading says it: %v", headings)
		for _, phone := range []int{375, 320} {
			require.NoError(t, tab.SetViewport(ctx, phone, 812))
			width, err := browser.Eval[[]int](ctx, tab, `(async () => {
				await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
				return [document.documentElement.scrollWidth, Math.ceil(document.querySelector("header ul.langs").getBoundingClientRect().right)] })()`)
			require.NoError(t, err)
			require.LessOrEqual(t, width[0], phone, "%s at %d px: nothing wider than the phone", lang, phone)
			require.LessOrEqual(t, width[1], phone, "%s at %d px: every language of the switch on the screen", lang, phone)
		}
	}
	require.NoError(t, tab.SetViewport(ctx, 375, 812))
	_, err := tab.Navigate(ctx, base+"/sprak/sv?return=/mina-arenden")
	require.NoError(t, err)

	require.NoError(t, tab.DisableScripts(ctx))
	status, err := tab.Navigate(ctx, base+"/mina-arenden?sort=status&scope=open")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	read := func(js string) string {
		t.Helper()
		v, err := browser.Run(ctx, tab, chromedp.Evaluate[string](`(() => { const el = document.querySelector("arendevy-overview"); return `+js+` })()`))
		require.NoError(t, err)
		return v
	}
	require.Equal(t, "status", read(`el.querySelector("#arendevy-sort").value`))
	require.Equal(t, "false", read(`String(el.matches(":defined"))`), "the element did not run")
	badges := strings.Split(read(`[...el.querySelectorAll("tbody .status-badge")].map((b) => b.dataset.status).join(",")`), ",")
	require.True(t, slices.IsSortedFunc(badges, func(a, b string) int {
		rank := []string{"action_required", "received", "in_progress", "closed"}
		return slices.Index(rank, a) - slices.Index(rank, b)
	}), "by urgency, open only: %v", badges)
	require.NotContains(t, badges, "closed")
	require.Regexp(t, "sorterade efter status|sorted by status", read(`el.querySelector(".status-region").textContent`), "sorted on the server")
	switchLink := strings.ToLower(read(`document.querySelector("a.lang").getAttribute("href")`))
	require.Contains(t, switchLink, "sort%3dstatus", "switching language keeps the sorting")
	require.Contains(t, switchLink, "scope%3dopen", "switching language keeps the filters")

	// What's new: new first and only new, the same way (issue 20).
	status, err = tab.Navigate(ctx, base+"/mina-arenden?sort=new&new=only")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "new", read(`el.querySelector("#arendevy-sort").value`))
	require.Equal(t, "true", read(`String(el.querySelector('input[name="new"]').checked)`))
	switchLink = strings.ToLower(read(`document.querySelector("a.lang").getAttribute("href")`))
	require.Contains(t, switchLink, "sort%3dnew", "switching language keeps new first")
	require.Contains(t, switchLink, "new%3donly", "switching language keeps only new")

	status, err = tab.Navigate(ctx, base+"/mina-arenden?sort=%3Cscript%3Ealert(1)%3C/script%3E")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, "never an error page")
	require.Regexp(t, "Sorteringen eller filtret i adressen gick inte att använda|The sorting or filter in the address could not be used", read(`el.querySelector(".notices").textContent`))
	require.Equal(t, "0", read(`String(document.querySelectorAll("script:not([src]):not([type='application/json'])").length)`), "nothing of the address comes back as markup")
	require.NotContains(t, strings.ToLower(read(`document.querySelector("a.lang").getAttribute("href")`)), "script", "a refused address is not written back beside the page's secrets")
}

// TestLanguageSwitchKeepsTheOverview: with JavaScript, the language switch
// keeps the sort and filter the user chose on the page and the cases they
// opened, and no case's id travels in an address to do it.
func TestLanguageSwitchKeepsTheOverview(t *testing.T) {
	base := startPortal(t, "default")
	ctx, tab := newTab(t)
	login(t, ctx, tab, base, "Elin Karlsson")
	_, err := tab.Navigate(ctx, base+"/sprak/sv?return=/mina-arenden")
	require.NoError(t, err)
	shownTitles(t, ctx, tab)
	openTitles := `[...` + shadow + `.querySelectorAll("tr.case-row")].filter((r) => r.querySelector("details[open]")).map((r) => r.querySelector(".case-title").textContent)`
	_, err = browser.Eval[bool](ctx, tab, `(() => { const s = `+shadow+`.querySelector("#arendevy-sort"); s.value = "title"; s.dispatchEvent(new Event("change")); return true })()`)
	require.NoError(t, err)
	waitFor(t, ctx, tab, `document.querySelector("arendevy-overview").getAttribute("sort") == "title"`)
	_, err = browser.Eval[bool](ctx, tab, `(() => { const t = [...`+shadow+`.querySelectorAll(".case-title")]; t[1].click(); t[3].click(); return true })()`)
	require.NoError(t, err)
	open, err := browser.Eval[[]string](ctx, tab, openTitles)
	require.NoError(t, err)
	require.Len(t, open, 2)
	order := shownTitles(t, ctx, tab)
	ids, err := browser.Eval[[]string](ctx, tab, `fetch("/arendevy/api/overview").then((r) => r.json()).then((o) => o.cases.map((c) => c.id))`)
	require.NoError(t, err)

	require.NoError(t, tab.WaitLoad(ctx, func() error { return browser.Do(ctx, tab, chromedp.Click(chromedp.CSS("a.lang"))) }))
	waitFor(t, ctx, tab, `document.documentElement.lang == "en" && location.pathname == "/mina-arenden"`)
	shownTitles(t, ctx, tab)
	waitFor(t, ctx, tab, openTitles+`.length == 2`)
	after, err := browser.Eval[[]string](ctx, tab, openTitles)
	require.NoError(t, err)
	require.Equal(t, open, after, "the same cases open in English")
	require.Equal(t, order, shownTitles(t, ctx, tab), "sorted by title still")
	state, err := browser.Eval[map[string]string](ctx, tab, `({sort: `+shadow+`.querySelector("#arendevy-sort").value, search: location.search, hash: location.hash})`)
	require.NoError(t, err)
	require.Equal(t, "title", state["sort"])
	require.Contains(t, state["search"], "sort=title")
	require.Empty(t, state["hash"], "the open cases' places leave the address at once")
	for _, id := range ids {
		require.NotContains(t, state["search"], id, "no case id in the address")
	}
}
