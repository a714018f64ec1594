package a11y

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"golang.org/x/text/language"

	"github.com/arendevy/arendevy/e2e/browser"
)

// call runs a function of the in-page library.
func call[T any](s *stateRun, fn string, args ...any) (T, error) {
	return browser.Call[T](s.ctx, s.tab, "(...a) => "+libName+"."+fn+"(...a)", args...)
}

func (s *stateRun) press(key string) error {
	return browser.Do(s.ctx, s.tab, chromedp.KeyEvent(key))
}

func (s *stateRun) axe() error {
	violations, err := s.tab.Axe(s.ctx, s.opts.Tags...)
	if err != nil {
		return err
	}
	if s.report.AxeVersion == "" {
		info, err := browser.Call[struct {
			Version string   `json:"version"`
			Rules   []string `json:"rules"`
		}](s.ctx, s.tab, `(tags) => ({ version: axe.version, rules: axe.getRules(tags).map((r) => r.ruleId) })`, s.opts.Tags)
		if err != nil {
			return err
		}
		s.report.AxeVersion, s.report.AxeRules = info.Version, info.Rules
	}
	for _, v := range violations {
		sev := SeverityError
		if len(v.WCAG()) == 0 {
			sev = SeverityWarning // a best practice, when the caller asked for those tags
		}
		for _, n := range v.Nodes {
			s.add(strings.Join(v.WCAG(), ", "), RuleAxe+"/"+v.ID, n.Target.String(), sev,
				fmt.Sprintf("%s (%s)", v.Help, v.Impact), v.HelpURL)
		}
	}
	return nil
}

func (s *stateRun) language() error {
	got, err := call[struct {
		Lang *string `json:"lang"`
		Text string  `json:"text"`
	}](s, "language")
	if err != nil {
		return err
	}
	if got.Lang == nil || strings.TrimSpace(*got.Lang) == "" {
		s.add("3.1.1", RuleLanguage, "html", SeverityError, "the page has no lang attribute: screen readers guess the language and pronounce it wrongly", "")
		return nil
	}
	tag, err := language.Parse(*got.Lang)
	if err != nil {
		s.add("3.1.1", RuleLanguage, "html", SeverityError, fmt.Sprintf("lang=%q is not a valid language tag", *got.Lang), "")
		return nil
	}
	base, _ := tag.Base()
	primary := base.String()
	if !detectable(primary) {
		return nil
	}
	if detected, ok := DetectLanguage(got.Text); ok && !sameLanguage(primary, detected) {
		s.add("3.1.1", RuleLanguage, "html", SeverityError,
			fmt.Sprintf("lang=%q, but the text reads as %q", *got.Lang, detected), "")
	}
	return nil
}

func (s *stateRun) targetSize() error {
	small, err := call[[]struct {
		Selector string  `json:"selector"`
		Width    float64 `json:"width"`
		Height   float64 `json:"height"`
		Near     string  `json:"near"`
	}](s, "targetSize")
	if err != nil {
		return err
	}
	for _, t := range small {
		s.add("2.5.8", RuleTargetSize, t.Selector, SeverityError,
			fmt.Sprintf("target is %g×%g CSS px, under 24×24, and too close to %s", t.Width, t.Height, t.Near), "")
	}
	return nil
}

func (s *stateRun) collectLinks() error {
	links, err := call[[]string](s, "links")
	s.links = links
	return err
}

type walkTarget struct {
	ID       int    `json:"id"`
	Selector string `json:"selector"`
	TabIndex int    `json:"tabIndex"`
	Role     string `json:"role"`
}

type walkStep struct {
	Boundary  bool   `json:"boundary"`
	ID        int    `json:"id"`
	Selector  string `json:"selector"`
	Frame     bool   `json:"frame"`
	Indicator string `json:"indicator"`
	NoSize    bool   `json:"noSize"`
	Outside   bool   `json:"outside"`
	Covered   bool   `json:"covered"`
	By        string `json:"by"`
}

// keyboard walks the page with Tab: every stop must show focus and not be
// covered, and Tab must come round to the start. full adds the checks that
// do not depend on the rendering condition: reach, order, roles.
func (s *stateRun) keyboard(full bool) error {
	start, err := call[struct {
		Expected    []walkTarget `json:"expected"`
		Positive    []walkTarget `json:"positive"`
		Unfocusable []walkTarget `json:"unfocusable"`
	}](s, "walkStart")
	if err != nil {
		return err
	}
	if full {
		for _, t := range start.Positive {
			s.add("2.4.3", RuleFocusOrder, t.Selector, SeverityError,
				fmt.Sprintf("tabindex=%d takes the element out of the reading order", t.TabIndex), "")
		}
		for _, t := range start.Unfocusable {
			s.add("2.1.1", RuleKeyboardReach, t.Selector, SeverityError,
				fmt.Sprintf("role=%q promises a control, but the element cannot take keyboard focus", t.Role), "")
		}
	}

	expected := map[int]bool{}
	for _, t := range start.Expected {
		expected[t.ID] = true
	}
	reached := map[int]bool{}
	segment := map[int]int{} // the boundary count when each element was reached
	var order []walkStep
	boundaries := 0
	trapped := false
	for range 2*len(start.Expected) + 6 {
		if err := s.press(kb.Tab); err != nil {
			return err
		}
		step, err := call[walkStep](s, "walkStep")
		if err != nil {
			return err
		}
		if step.Boundary {
			boundaries++
			if boundaries == 2 || covers(reached, expected) {
				break
			}
			continue
		}
		if seg, again := segment[step.ID]; again && seg == boundaries && !step.Frame {
			// Back to an element without leaving the page: a full round
			// when it visited everything, a trap when it did not.
			if covers(reached, expected) {
				break
			}
			cycle := cycleFrom(order, step.ID)
			s.add("2.1.2", RuleKeyboardTrap, step.Selector, SeverityError,
				fmt.Sprintf("keyboard trap: Tab cycles through %d element(s) (%s) and never leaves them", len(cycle), strings.Join(cycle, " → ")), "")
			trapped = true
			break
		}
		segment[step.ID] = boundaries
		order = append(order, step)
		if reached[step.ID] {
			continue
		}
		reached[step.ID] = true
		s.focusFindings(step)
	}
	if !trapped && boundaries == 0 && !covers(reached, expected) {
		s.add("2.1.2", RuleKeyboardTrap, "", SeverityError, "Tab never came round to the start of the page", "")
		trapped = true
	}
	if full && !trapped {
		for _, t := range start.Expected {
			if !reached[t.ID] {
				s.add("2.1.1", RuleKeyboardReach, t.Selector, SeverityError, "Tab never reaches this element", "")
			}
		}
	}
	return nil
}

func (s *stateRun) focusFindings(step walkStep) {
	switch {
	case step.Frame:
		// The frame's own document is not walked; its border is the
		// browser's business.
	case step.NoSize || step.Outside:
		s.add("2.4.7", RuleFocusVisible, step.Selector, SeverityError, "the focused element has no visible area on screen", "")
	case step.Covered:
		s.add("2.4.11", RuleFocusObscured, step.Selector, SeverityError,
			fmt.Sprintf("the focused element is entirely hidden behind %s", step.By), "")
	case step.Indicator == "":
		s.add("2.4.7", RuleFocusVisible, step.Selector, SeverityError,
			"focus is not visible: no outline, shadow, border, background or underline changes when the element takes focus", "")
	}
}

// covers reports whether every expected element was reached.
func covers(reached, expected map[int]bool) bool {
	for id := range expected {
		if !reached[id] {
			return false
		}
	}
	return true
}

// cycleFrom lists the selectors from the last visit of id to the end.
func cycleFrom(order []walkStep, id int) []string {
	start := 0
	for i, st := range order {
		if st.ID == id {
			start = i
		}
	}
	var out []string
	for _, st := range order[start:] {
		out = append(out, st.Selector)
	}
	return out
}

// disclosures presses Enter and Space on every disclosure: each press must
// toggle it, and a second press restores it.
func (s *stateRun) disclosures() error {
	list, err := call[[]walkTarget](s, "disclosures")
	if err != nil {
		return err
	}
	for _, d := range list {
		for _, key := range []struct{ name, keys string }{{"Enter", kb.Enter}, {"Space", " "}} {
			toggled, err := s.toggleWith(d.ID, key.keys)
			if err != nil {
				return fmt.Errorf("%s on %s: %w", key.name, d.Selector, err)
			}
			if !toggled {
				s.add("2.1.1", RuleDisclosureKeys, d.Selector, SeverityError,
					fmt.Sprintf("%s does not open or close the disclosure", key.name), "")
			}
		}
	}
	return nil
}

// errNoFocus is a disclosure that focus() does not reach.
var errNoFocus = errors.New("the element cannot take focus")

// toggleWith focuses the element, presses keys and reports whether the
// expanded state changed; when it did, it presses again to restore it.
func (s *stateRun) toggleWith(id int, keys string) (bool, error) {
	state := func() (string, error) { return call[string](s, "expandedState", id) }
	press := func() error {
		focused, err := call[bool](s, "focusById", id)
		if err != nil {
			return err
		}
		if !focused {
			return errNoFocus
		}
		if err := s.press(keys); err != nil {
			return err
		}
		_, err = call[any](s, "settle")
		return err
	}
	before, err := state()
	if err != nil {
		return false, err
	}
	if err := press(); err != nil {
		return false, err
	}
	after, err := state()
	if err != nil || after == before {
		return false, err
	}
	return true, press()
}

func (s *stateRun) reflow() error {
	got, err := call[struct {
		Width       int      `json:"width"`
		ScrollWidth int      `json:"scrollWidth"`
		Offenders   []string `json:"offenders"`
	}](s, "reflow")
	if err != nil {
		return err
	}
	if got.ScrollWidth <= got.Width+1 {
		return nil
	}
	msg := fmt.Sprintf("the page scrolls sideways at %d CSS px: its content is %d px wide", got.Width, got.ScrollWidth)
	if len(got.Offenders) == 0 {
		s.add("1.4.10", RuleReflow, "html", SeverityError, msg, "")
	}
	for _, selector := range got.Offenders {
		s.add("1.4.10", RuleReflow, selector, SeverityError, msg+"; it sticks out here", "")
	}
	return nil
}

type clip struct {
	ID       int    `json:"id"`
	Selector string `json:"selector"`
	Axis     string `json:"axis"`
}

// clipping applies a text change with apply and reports text that is
// clipped after it and was not before.
func (s *stateRun) clipping(rule, criterion, apply string) error {
	before, err := call[[]clip](s, "clipped")
	if err != nil {
		return err
	}
	if _, err := browser.Eval[any](s.ctx, s.tab, "("+apply+")()"); err != nil {
		return err
	}
	after, err := call[[]clip](s, "clipped")
	if err != nil {
		return err
	}
	already := map[int]bool{}
	for _, c := range before {
		already[c.ID] = true
	}
	for _, c := range after {
		if !already[c.ID] {
			s.add(criterion, rule, c.Selector, SeverityError,
				fmt.Sprintf("text is cut off (%s overflow is hidden)", c.Axis), "")
		}
	}
	return nil
}

func (s *stateRun) contentVisible() error {
	hidden, err := call[[]struct {
		Selector string `json:"selector"`
		Why      string `json:"why"`
	}](s, "invisibleText")
	if err != nil {
		return err
	}
	for _, h := range hidden {
		s.add("1.4.3", RuleContentVisible, h.Selector, SeverityError, "text is not visible: "+h.Why, "")
	}
	return nil
}

func (s *stateRun) motion() error {
	running, err := call[[]struct {
		Selector string `json:"selector"`
		Name     string `json:"name"`
		Infinite bool   `json:"infinite"`
	}](s, "animations")
	if err != nil {
		return err
	}
	for _, a := range running {
		how := "runs longer than 5 seconds"
		if a.Infinite {
			how = "runs for ever"
		}
		s.add("2.2.2", RuleMotion, a.Selector, SeverityWarning,
			fmt.Sprintf("animation %q %s although the user asked for reduced motion", a.Name, how), "")
	}
	return nil
}

// maxShotHeight caps screenshots of long pages: the report embeds them.
const maxShotHeight = 4000

func (s *stateRun) screenshot() error {
	png, err := browser.Run(s.ctx, s.tab, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		m, err := cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			FromSurface:           new(true),
			CaptureBeyondViewport: new(true),
			Clip: &page.Viewport{
				Width:  float64(m.CSSLayoutViewport.ClientWidth),
				Height: min(m.CSSContentSize.Height, maxShotHeight),
				Scale:  1,
			},
		})
		return res.Data, err
	})
	if err != nil {
		return err
	}
	s.report.Screenshots = append(s.report.Screenshots, Screenshot{Page: s.page.URL, Label: s.page.Label, State: s.state, PNG: png})
	return nil
}
