// Package browser is the shared headless-Chromium harness of the browser
// tests and of the accessibility checker.
//
// One [Browser] per test package (start it in TestMain or with a sync.Once)
// keeps the suite fast; every test opens its own [Tab], which has its own
// cookie jar, so tests do not see each other's sessions:
//
//	b, err := browser.Start(ctx)            // /usr/bin/chromium, headless, throwaway profile
//	defer b.Close()
//	tab, err := b.NewTab(ctx)
//	defer tab.Close()
//	status, err := tab.Navigate(ctx, srv.URL+"/page")
//	err = tab.SetViewport(ctx, 320, 640)
//	err = tab.EmulateMedia(ctx, browser.ForcedColors, browser.ReducedMotion)
//	v, err := tab.Axe(ctx, browser.WCAG22AA...) // axe-core violations, shadow roots included
//	d, err := tab.Diagnostics(ctx)              // console errors and CSP violations since Navigate
//	require.NoError(t, d.Err())
//	n, err := browser.Eval[int](ctx, tab, `document.querySelectorAll("a").length`)
//	err = browser.Do(ctx, tab, chromedp.Click(chromedp.CSS("button")))
//
// Every method takes the caller's context for cancellation and deadlines;
// the browser and the tab live until Close, whatever happens to that context.
//
// Scripts that the harness runs (axe-core, [Eval], [Call], the CSP probe) run
// in an isolated JavaScript world over the DevTools protocol: they see the
// page's DOM, open shadow roots included, but not its globals, and the page's
// Content-Security-Policy does not apply to them. So a page with a strict CSP
// is tested as it is served. Use [Run] or [Do] with chromedp's own actions
// (chromedp.Evaluate and friends) to run code in the page's main world.
//
// axe-core is embedded: a copy of the axe.min.js that npm installs from
// e2e/package-lock.json, with its licence beside it (axe-core/), so a
// checker built with `go install` needs only a Chromium on the machine.
// [WithAxeScript] injects another file instead. When no Chromium is found,
// [Start] returns [ErrNoChromium], which says how to install one.
package browser
