package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/memory"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// requestLog records, in order, the requests the portal (with the
// development IdP under /devidp/) and the demo e-service answered, and
// marks every answer that was the IdP's persona chooser: the credentials
// page of the development IdP.
type requestLog struct {
	mu   sync.Mutex
	seen []string // "GET portal /devidp/sso"
}

const chooserShown = " [persona chooser]"

func (l *requestLog) wrap(server string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &chooserSniffer{ResponseWriter: w}
		r.Header.Del("Accept-Encoding") // the pages as written, not compressed
		h.ServeHTTP(sw, r)
		path := r.URL.Path
		if strings.HasPrefix(path, "/arendevy/go/") {
			path = "/arendevy/go/{token}"
		}
		entry := r.Method + " " + server + " " + path
		if sw.chooser {
			entry += chooserShown
		}
		l.mu.Lock()
		l.seen = append(l.seen, entry)
		l.mu.Unlock()
	})
}

// since is what was recorded after the first n entries, without the
// pages' assets and the portal's own API calls.
func (l *requestLog) since(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.seen[n:] {
		if strings.Contains(e, " /arendevy/go/") || strings.Contains(e, " /devidp/") || strings.Contains(e, " /e-service/") {
			out = append(out, e)
		}
	}
	return out
}

func (l *requestLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.seen)
}

// chooserSniffer notes whether a response is the persona chooser, whose
// radio buttons are named persona.
type chooserSniffer struct {
	http.ResponseWriter
	chooser bool
}

func (s *chooserSniffer) Write(b []byte) (int, error) {
	s.chooser = s.chooser || strings.Contains(string(b), `name="persona"`)
	return s.ResponseWriter.Write(b)
}

func (s *chooserSniffer) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// "Go to the case" opens the producer's e-service in a new window, logged
// in as the same person, showing that case, without the IdP asking who
// the user is: the e-service is a second SP of the development IdP, and
// the IdP answers its AuthnRequest from the session of the portal's login.
func TestDeepLinkOpensTheDemoEServiceLoggedIn(t *testing.T) {
	log := &requestLog{}
	base := startWired(t, func(*config.Config) {}, func(a *app) {
		a.handler = log.wrap("portal", a.handler)
		a.eserviceHandler = log.wrap("e-service", a.eserviceHandler)
	})
	ctx, tab := newTab(t)
	login(t, ctx, tab, base, "Elin Karlsson")
	shownTitles(t, ctx, tab)
	require.Contains(t, strings.Join(log.since(0), "\n"), chooserShown, "the portal's own login asked who the user is")

	// Open every case, then take the first "Go to the case" link on screen.
	link, err := browser.Eval[map[string]any](ctx, tab, `(async () => {
		const root = `+shadow+`;
		root.querySelectorAll(".case-title").forEach((b) => b.click());
		await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
		const a = root.querySelector("a.case-link");
		a.scrollIntoView({block: "center"});
		await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
		const box = a.getBoundingClientRect();
		return {x: box.left + box.width / 2, y: box.top + box.height / 2, text: a.textContent, target: a.target,
			title: root.querySelector('.case-title[data-case-index="' + a.dataset.caseIndex + '"]').textContent};
	})()`)
	require.NoError(t, err)
	require.Equal(t, "_blank", link["target"], "in a new window")
	title := link["title"].(string)
	var want struct{ producer, ref string }
	demo, err := memory.Demo(time.Now()).Overview(context.Background(), identity.Subject{User: identity.Party{Number: personaNumber(t, "Elin Karlsson")}})
	require.NoError(t, err)
	for _, c := range demo.Cases {
		if c.Title == title {
			want.producer, want.ref = c.Sender.Name, c.Link[strings.LastIndex(c.Link, "/")+1:]
		}
	}
	require.NotEmpty(t, want.ref, "the demo case %q has a deep link", title)
	require.Contains(t, link["text"], want.producer)

	// The click is the user's (a trusted mouse event), so the browser
	// opens the window as it would for a person.
	mark := log.len()
	browserContext := chromedp.FromContext(tab.Context()).BrowserContextID
	opened := chromedp.WaitNewTarget(tab.Context(), func(info *target.Info) bool {
		return info.Type == "page" && info.BrowserContextID == browserContext
	})
	require.NoError(t, browser.Do(ctx, tab, chromedp.MouseClickXY(link["x"].(float64), link["y"].(float64))))
	var id target.ID
	select {
	case id = <-opened:
	case <-time.After(15 * time.Second):
		t.Fatal("no new window opened")
	}
	window, closeWindow := chromedp.NewContext(tab.Context(), chromedp.WithTargetID(id))
	defer closeWindow()

	type shown struct {
		Path, Host, H1, Ref, Text string
		Opener                    bool
	}
	var page shown
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		page, err = chromedp.Run(window, chromedp.Evaluate[shown](`({path: location.pathname, host: location.host, opener: window.opener != null,
			h1: document.querySelector("h1")?.textContent ?? "", ref: document.querySelector(".case-ref")?.textContent ?? "",
			text: document.body?.innerText ?? ""})`))
		if err == nil && page.Ref != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, "/e-service/case", page.Path, "the new window is at the demo e-service: %+v", page)
	require.NotEqual(t, strings.TrimPrefix(base, "http://"), page.Host, "another origin than the portal's")
	require.False(t, page.Opener, "opened without an opener")
	require.Regexp(t, `^(Du är inloggad hos|You are logged in at) `+want.producer+` (som|as) Elin Karlsson$`, page.H1)
	require.Equal(t, want.ref, page.Ref, "the case the link named")
	require.NotContains(t, page.Text, personaNumber(t, "Elin Karlsson"))

	// What happened between the click and the page: the kit's deep link,
	// the e-service's entry point, its AuthnRequest at the IdP answered at
	// once from the IdP's session, the response posted to the e-service,
	// and the case. No persona chooser, nothing posted to it.
	require.Equal(t, []string{
		"GET portal /arendevy/go/{token}",
		"GET e-service /e-service/case",
		"GET portal /devidp/sso",
		"POST e-service /e-service/saml/acs",
		"GET e-service /e-service/case",
	}, log.since(mark))
}
