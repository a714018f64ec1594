package cluster

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/e2e/browser/browsertest"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/memory"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

// TestBrowserThroughTheBalancer is `make cluster` in a real browser: two
// instances behind HAProxy without stickiness, sessions in Redis behind
// Sentinel, the IdP another origin. Logging in, the overview and logging
// out (on to the IdP's single logout and back) work as with `make run`,
// whichever instance each request reaches.
func TestBrowserThroughTheBalancer(t *testing.T) {
	c, err := Start(t.Context(), Config{Dir: t.TempDir(), Binary: portalBinary(t), Instances: 2, Sentinel: true, Balancer: true})
	require.NoError(t, err)
	t.Cleanup(c.Stop)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tab, err := browsertest.Shared(t).NewTab(ctx)
	require.NoError(t, err)
	defer tab.Close()
	until := func(expr string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if ok, err := browser.Eval[bool](ctx, tab, expr); err == nil && ok {
				return
			}
			require.True(t, time.Now().Before(deadline), "waiting for %s", expr)
		}
	}
	click := func(sel string) {
		t.Helper()
		until(`document.querySelector(` + strconv.Quote(sel) + `) != null`)
		require.NoError(t, browser.Do(ctx, tab, chromedp.Click(chromedp.CSS(sel))), sel)
	}

	_, err = tab.Navigate(ctx, c.URL+"/")
	require.NoError(t, err)
	click(`a.button[href*="/saml/login"]`)
	until(`document.querySelectorAll('input[name="persona"]').length > 0`)
	click(`input[name="persona"][value="0"]`)
	click(`form button[type="submit"]:not([name])`)
	until(`location.pathname == "/mina-arenden"`)

	persona := memory.Demo(time.Now()).Personas()[0].Party
	res, err := memory.Demo(time.Now()).Overview(ctx, identity.Subject{User: persona})
	require.NoError(t, err)
	title := res.Cases[0].Title
	until(`(document.documentElement.outerHTML + (document.querySelector("arendevy-overview")?.shadowRoot?.innerHTML ?? "")).includes(` + strconv.Quote(title) + `)`)

	click(`form[action$="/saml/logout"] button`)
	until(`location.origin == ` + strconv.Quote(c.URL) + ` && location.pathname == "/" && document.querySelector("p.notice[role=status]") != null`)
	d, err := tab.Diagnostics(ctx)
	require.NoError(t, err)
	require.NoError(t, d.Err())
}
