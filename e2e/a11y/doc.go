// Package a11y is the accessibility checker that testers run headless
// against any page, ours or theirs (the command is e2e/cmd/a11ycheck).
//
// [Check] opens the pages in one tab of a shared [browser.Browser], logs in
// first when [Options.Login] says how ([FormLogin] for a password form,
// [ChoiceLogin] for a persona chooser such as the development IdP), and
// checks every page in six conditions, each from a fresh load:
//
//   - desktop (1280×800): axe-core with the WCAG 2.0/2.1/2.2 A and AA tags,
//     inside open shadow roots; names, expanded states and status regions in
//     Chromium's accessibility tree; lang present and matching the text;
//     target size; then a keyboard walk (Tab reaches everything, focus is
//     visible and not covered, no trap, no positive tabindex) and every
//     disclosure pressed with Enter and with Space;
//   - 320px: no horizontal scrolling; target size;
//   - text-zoom-200 and text-spacing: no text clipped after the change;
//   - forced-colors and reduced-motion: text and focus stay visible, no
//     endless animation.
//
// The [Report] holds every [Finding] (page, state, criterion, selector,
// severity), the screenshots, the rules that ran and the criteria that need
// a human; it writes itself as a terminal summary, JSON and a
// self-contained HTML file. [Report.Failed] is true when any finding is an
// error.
//
// To check the reference portal in a Go test, serve it with httptest and
// name each state of the page as a [Page] with a Label and a Setup that
// brings the page there:
//
//	srv := httptest.NewServer(portal.Handler())
//	report, err := a11y.Check(ctx, b, []a11y.Page{
//		{URL: srv.URL + "/mina-arenden?lang=sv"},
//		{URL: srv.URL + "/mina-arenden", Label: "expanded", Setup: expandFirstRow},
//	}, a11y.Options{Login: a11y.ChoiceLogin{URL: srv.URL + "/dev-idp", Choice: "anna"}})
//	require.NoError(t, err)
//	require.False(t, report.Failed(), "%s", summary(report))
package a11y
