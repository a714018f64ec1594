// Package conformance checks a view actor's portal against the standard
// case overview before the managing authority approves it: the command is
// e2e/cmd/conformance.
//
// [Run] logs a headless Chromium tab in ([CookieLogin] with a session's
// cookies, or e2e/a11y's persona or form logins; [ParseLogin] reads the
// command's -login), opens the overview and reports each check as PASS,
// FAIL or NEEDS-HUMAN with its source:
//
//   - the standard view (view.go, trust.go, links.go): the five summary
//     fields in order on a desktop and at 320 px, the four statuses in
//     words with a legend, details without empty headings, deep links in a
//     new window that say so, a producer's contact information for a case
//     without an e-service, the trust line and each case's sender;
//   - the privacy rules (privacy.go, security.go): no-store on every
//     response that carries a case title, nothing case-like in addresses,
//     cookies or web storage, logout refuses the old cookie and the back
//     button shows no case; cookies Secure, HttpOnly and SameSite, HTTPS
//     with HSTS, a script-tight CSP with frame-ancestors;
//   - Sweden Connect's deployment profile (metadata.go): SP metadata with a
//     Swedish eID service entity category, which names the LoA requested;
//   - lag 2018:1937 / WCAG (accessibility.go): e2e/a11y on the overview as
//     loaded and with every detail open, in its six conditions;
//   - and, as NEEDS-HUMAN, what no browser can see (manual.go).
//
// The checker recognises the standard view as a person does: a table whose
// column headers name the standard fields in Swedish, English, Finnish or Arabic,
// statuses by their standard words (js/page.js holds the vocabularies). Case titles
// read from the page are what must not leak. The [Report] writes itself as
// a terminal summary, JSON and a self-contained HTML file to attach to the
// approval request; [Report.Failed] decides the exit status.
package conformance
