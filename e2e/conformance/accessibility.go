package conformance

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/arendevy/arendevy/e2e/a11y"
	"github.com/arendevy/arendevy/e2e/browser"
)

// Accessibility checks.
const (
	CheckWCAG       = "a11y.wcag"
	CheckWCAGManual = "a11y.manual"
)

// maxListed bounds the findings repeated in the result; the full list is in
// the report's accessibility section.
const maxListed = 25

// checkAccessibility runs the accessibility checker (e2e/a11y) on the
// overview as loaded and with every case's detail open, in each condition.
func (r *run) checkAccessibility(ctx context.Context) error {
	const title = "WCAG 2.2 AA (which holds EN 301 549's WCAG 2.1 AA) in the states the checker reaches"
	if r.opts.SkipAccessibility {
		r.report.add(CheckWCAG, title, Accessibility, NeedsHuman, "not run here (skipped): run e2e/cmd/a11ycheck on the overview")
		return nil
	}
	expand := func(ctx context.Context, tab *browser.Tab) error {
		if err := browser.Install(ctx, tab, libName, pageJS); err != nil {
			return err
		}
		_, err := browser.Call[int](ctx, tab, "() => "+libName+".expandAll()")
		return err
	}
	report, err := a11y.Check(ctx, r.b, []a11y.Page{
		{URL: r.opts.URL, Label: "overview"},
		{URL: r.opts.URL, Label: "every case's detail open", Setup: expand},
	}, a11y.Options{Login: r.opts.Login, States: r.opts.A11yStates})
	if err != nil {
		return fmt.Errorf("the accessibility check: %w", err)
	}
	r.report.Accessibility = report
	var problems []string
	for _, f := range report.Findings {
		if f.Severity != a11y.SeverityError {
			continue
		}
		if len(problems) == maxListed {
			problems = append(problems, fmt.Sprintf("… %d in all: see the accessibility section", report.Count(a11y.SeverityError)))
			break
		}
		where := ""
		if f.Selector != "" {
			where = " at " + f.Selector
		}
		problems = append(problems, fmt.Sprintf("%s, %s, %s %s: %s%s", cmp.Or(f.Label, "page"), f.State, cmp.Or(f.Criterion, "-"), f.Rule, f.Message, where))
	}
	states := cmp.Or(strings.Join(r.opts.A11yStates, ", "), strings.Join(a11y.States(), ", "))
	r.report.verdict(CheckWCAG, title, Accessibility, problems,
		fmt.Sprintf("axe-core %s and the checker's own rules; no failure in: %s", report.AxeVersion, states))

	manual := make([]string, len(report.Manual))
	for i, m := range report.Manual {
		manual[i] = m.Criterion + ": " + m.Why
	}
	manual = append(manual, "screen-reader runs: "+strings.Join(report.ScreenReader, "; "))
	r.report.add(CheckWCAGManual, "WCAG criteria no automated check decides", Accessibility, NeedsHuman, manual...)
	return nil
}
