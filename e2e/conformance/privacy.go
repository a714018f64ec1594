package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/arendevy/arendevy/e2e/browser"
)

// Checks that the view actor keeps nothing.
const (
	CheckNoStore       = "privacy.no-store"
	CheckURLs          = "privacy.nothing-in-urls"
	CheckCookieContent = "privacy.nothing-in-cookies"
	CheckStorage       = "privacy.nothing-in-storage"
	CheckLogout        = "privacy.logout-ends-session"
	CheckBackButton    = "privacy.back-button"
)

// minWordLen keeps short titles, which could be any word, out of the
// searches.
const minWordLen = 6

// personnummer matches a Swedish personal or co-ordination number, with or
// without the century and the separator.
var personnummer = regexp.MustCompile(`\b(19|20)\d{6}[-+]?\d{4}\b|\b\d{6}[-+]\d{4}\b`)

// collectCaseWords keeps the titles shown and every address on the page.
func (r *run) collectCaseWords(ctx context.Context, v overview) error {
	for _, row := range v.Rows {
		if len([]rune(row.Title)) >= minWordLen && !slices.Contains(r.caseWords, row.Title) {
			r.caseWords = append(r.caseWords, row.Title)
		}
	}
	var err error
	r.addresses, err = lib[[]string](ctx, r, "addresses")
	return err
}

// caseWordIn returns the first case title or personnummer in s, as
// written, URL-decoded or HTML-escaped; "" when none.
func (r *run) caseWordIn(s string) string {
	forms := []string{strings.ToLower(s)}
	if d, err := url.QueryUnescape(s); err == nil {
		forms = append(forms, strings.ToLower(d))
	}
	for _, f := range forms {
		for _, w := range r.caseWords {
			lw := strings.ToLower(w)
			if strings.Contains(f, lw) || strings.Contains(f, strings.ToLower(html.EscapeString(w))) || strings.Contains(f, jsonEscaped(lw)) {
				return w
			}
		}
		if m := personnummer.FindString(f); m != "" {
			return "a personnummer (" + m + ")"
		}
	}
	return ""
}

func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

// tabCall runs one DevTools command on the tab.
func tabCall[P, R any](ctx context.Context, r *run, cmd cdp.Command[P, R], params P) (R, error) {
	return browser.Run(ctx, r.tab, func(ctx context.Context, _ *chromedp.Target) (R, error) {
		return chromedp.Call(ctx, cmd, params)
	})
}

// checkCaching: every response of the portal that carries a case title
// says Cache-Control: no-store.
func (r *run) checkCaching(ctx context.Context) error {
	const title = "No case data cached: Cache-Control: no-store on every response that carries it"
	if len(r.caseWords) == 0 {
		r.report.add(CheckNoStore, title, Privacy, NeedsHuman, noCases(r.view))
		return nil
	}
	_, responses := r.rec.snapshot()
	var problems, carrying []string
	for _, e := range responses {
		if !strings.HasPrefix(e.url, r.origin+"/") || !e.finished ||
			!slices.Contains([]network.ResourceType{network.ResourceTypeDocument, network.ResourceTypeXHR, network.ResourceTypeFetch}, e.kind) {
			continue
		}
		body, err := tabCall(ctx, r, network.GetResponseBody, network.GetResponseBodyParams{RequestID: e.id})
		if err != nil {
			continue // a body the browser no longer holds, or a redirect's
		}
		if r.caseWordIn(string(body.Body)) == "" {
			continue
		}
		carrying = append(carrying, e.url)
		if cc := e.headers["cache-control"]; !hasDirective(cc, "no-store") {
			if cc == "" {
				cc = "no Cache-Control header"
			}
			problems = append(problems, fmt.Sprintf("%s carries case data with %q", e.url, cc))
		}
	}
	if len(carrying) == 0 {
		r.report.add(CheckNoStore, title, Privacy, NeedsHuman, "no response could be read that carries a title shown: check the overview's responses by hand")
		return nil
	}
	r.report.verdict(CheckNoStore, title, Privacy, problems, "no-store on: "+strings.Join(slices.Compact(carrying), ", "))
	return nil
}

func hasDirective(header, directive string) bool {
	for d := range strings.SplitSeq(strings.ToLower(header), ",") {
		if name, _, _ := strings.Cut(strings.TrimSpace(d), "="); name == directive {
			return true
		}
	}
	return false
}

// cookies are the tab's cookies for every portal address it requested.
func (r *run) cookies(ctx context.Context) ([]*network.Cookie, error) {
	requested, _ := r.rec.snapshot()
	urls := []string{r.origin + "/"}
	for _, u := range requested {
		if strings.HasPrefix(u, r.origin+"/") && !slices.Contains(urls, u) {
			urls = append(urls, u)
		}
	}
	res, err := tabCall(ctx, r, network.GetCookies, network.GetCookiesParams{URLs: urls})
	if err != nil {
		return nil, err
	}
	return res.Cookies, nil
}

// checkLeaks: nothing case-like in the addresses the browser asked for or
// the page holds, in cookies, or in localStorage and sessionStorage.
func (r *run) checkLeaks(ctx context.Context) error {
	if len(r.caseWords) == 0 {
		for _, c := range []struct{ id, title string }{
			{CheckURLs, "Nothing case-like in addresses"},
			{CheckCookieContent, "Nothing case-like in cookies"},
			{CheckStorage, "Nothing case-like in localStorage or sessionStorage"},
		} {
			r.report.add(c.id, c.title, Privacy, NeedsHuman, noCases(r.view))
		}
		return nil
	}
	requested, _ := r.rec.snapshot()
	var problems []string
	seen := map[string]bool{}
	for _, u := range append(requested[r.afterLogin:], r.addresses...) {
		if seen[u] {
			continue
		}
		seen[u] = true
		if w := r.caseWordIn(u); w != "" {
			problems = append(problems, fmt.Sprintf("%s holds %q", clip(u, 200), w))
		}
	}
	r.report.verdict(CheckURLs, "Nothing case-like (a title, a personnummer) in addresses", Privacy, problems,
		fmt.Sprintf("%d addresses requested or linked, none with a case title or personnummer", len(seen)))

	cookies, err := r.cookies(ctx)
	if err != nil {
		return err
	}
	problems = nil
	for _, c := range cookies {
		if w := r.caseWordIn(c.Name + "=" + c.Value); w != "" {
			problems = append(problems, fmt.Sprintf("the cookie %s holds %q", c.Name, w))
		}
	}
	r.report.verdict(CheckCookieContent, "Nothing case-like in cookies", Privacy, problems,
		fmt.Sprintf("%d cookie(s), none with a case title or personnummer", len(cookies)))

	stored, err := lib[map[string]map[string]string](ctx, r, "storage")
	if err != nil {
		return err
	}
	problems = nil
	n := 0
	for area, items := range stored {
		for k, v := range items {
			n++
			if w := r.caseWordIn(k + "=" + v); w != "" {
				problems = append(problems, fmt.Sprintf("%sStorage[%q] holds %q", area, k, w))
			}
		}
	}
	slices.Sort(problems)
	r.report.verdict(CheckStorage, "Nothing case-like in localStorage or sessionStorage", Privacy, problems,
		fmt.Sprintf("%d stored item(s), none with a case title or personnummer", n))
	return nil
}

// checkLogout logs out, then goes back, then puts the old cookies back:
// no case may show after any of them.
func (r *run) checkLogout(ctx context.Context) error {
	const title = "Logging out ends the session: the old cookie is refused"
	const backTitle = "After logging out, the back button shows no case"
	if len(r.caseWords) == 0 {
		r.report.add(CheckLogout, title, Privacy, NeedsHuman, noCases(r.view))
		r.report.add(CheckBackButton, backTitle, Privacy, NeedsHuman, noCases(r.view))
		return nil
	}
	found, err := lib[bool](ctx, r, "markLogout")
	if err != nil {
		return err
	}
	if !found {
		why := `no logout control found on the overview (a form posting to a logout address, or a button or link saying "Logga ut" / "Log out")`
		r.report.add(CheckLogout, title, Privacy, Fail, why)
		r.report.add(CheckBackButton, backTitle, Privacy, NeedsHuman, why)
		return nil
	}
	before, err := r.cookies(ctx)
	if err != nil {
		return err
	}
	if err := r.tab.WaitLoad(ctx, func() error { _, err := lib[bool](ctx, r, "logout"); return err }); err != nil {
		return fmt.Errorf("logging out: %w", err)
	}
	if err := r.settle(ctx); err != nil {
		return err
	}

	if err := r.goBack(ctx); err != nil {
		return fmt.Errorf("going back: %w", err)
	}
	shown, err := r.shownCase(ctx)
	if err != nil {
		return err
	}
	if shown != "" {
		r.report.add(CheckBackButton, backTitle, Privacy, Fail, fmt.Sprintf("after logging out, the back button shows %q", shown))
	} else {
		r.report.add(CheckBackButton, backTitle, Privacy, Pass, "the page the back button shows holds no case title")
	}

	params := make([]*network.CookieParam, 0, len(before))
	for _, c := range before {
		params = append(params, &network.CookieParam{Name: c.Name, Value: c.Value, Domain: c.Domain, Path: c.Path,
			Secure: c.Secure, HTTPOnly: c.HTTPOnly, SameSite: c.SameSite})
	}
	if _, err := tabCall(ctx, r, network.SetCookies, network.SetCookiesParams{Cookies: params}); err != nil {
		return fmt.Errorf("restoring the old cookies: %w", err)
	}
	if _, err := r.tab.Navigate(ctx, r.opts.URL); err != nil {
		return err
	}
	if err := r.settle(ctx); err != nil {
		return err
	}
	if shown, err = r.shownCase(ctx); err != nil {
		return err
	}
	if shown != "" {
		r.report.add(CheckLogout, title, Privacy, Fail, fmt.Sprintf("with the cookies from before the logout, the overview still shows %q", shown))
	} else {
		r.report.add(CheckLogout, title, Privacy, Pass, "with the cookies from before the logout, the overview shows no case")
	}
	return nil
}

// backTimeout bounds the wait for the back button's page.
const backTimeout = 15 * time.Second

// goBack presses the back button and waits until another page shows. It
// watches the address rather than a load event: a page restored from the
// back/forward cache fires none.
func (r *run) goBack(ctx context.Context) error {
	before, err := callIn[string](ctx, r, "() => location.href")
	if err != nil {
		return err
	}
	// The browser's own back command, not history.back() in the page: a
	// script that starts a navigation can lose its reply to the page it
	// leaves ("Inspected target navigated or closed").
	history, err := tabCall(ctx, r, page.GetNavigationHistory, cdp.Empty{})
	if err != nil {
		return err
	}
	if history.CurrentIndex < 1 || int(history.CurrentIndex) >= len(history.Entries) {
		return fmt.Errorf("no page to go back to from %s", before)
	}
	previous := history.Entries[history.CurrentIndex-1].ID
	if _, err := tabCall(ctx, r, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: previous}); err != nil {
		return err
	}
	deadline := time.Now().Add(backTimeout)
	for {
		now, err := callIn[string](ctx, r, "() => document.readyState == 'complete' ? location.href : ''")
		if err == nil && now != "" && now != before {
			return r.settle(ctx)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still at %s after %s", before, backTimeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// shownCase is a case title anywhere in the page's DOM, shadow roots
// included; "" when there is none.
func (r *run) shownCase(ctx context.Context) (string, error) {
	text, err := lib[string](ctx, r, "allText")
	if err != nil {
		return "", err
	}
	text = html.UnescapeString(text)
	for _, w := range r.caseWords {
		if strings.Contains(text, w) {
			return w, nil
		}
	}
	return "", nil
}
