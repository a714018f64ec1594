package browser

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// axe-core travels inside the binary, so the checkers need no npm and no
// checkout at run time: axe-core/axe.min.js is a copy of the file that npm
// installs from e2e/package-lock.json (the version pinned there; its licence,
// MPL-2.0, is axe-core/LICENSE beside it). TestEmbeddedAxeMatchesTheLockfile
// fails when the two part; refresh the copy with `go generate ./e2e/browser`
// after `make test-deps`.
//
//go:generate cp ../node_modules/axe-core/axe.min.js ../node_modules/axe-core/LICENSE axe-core/
//go:embed axe-core/axe.min.js
var embeddedAxe string

// ErrAxeScript is returned when the axe.min.js named with WithAxeScript
// cannot be read.
var ErrAxeScript = errors.New("browser: reading the axe-core script")

// axe-core tags for the WCAG levels. WCAG22AA is the project's target: every
// A and AA rule of WCAG 2.0, 2.1 and 2.2.
var (
	WCAG21AA = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}
	WCAG22AA = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"}
)

// Violation is one axe-core rule that failed, with the elements that failed
// it.
type Violation struct {
	ID          string          `json:"id"`
	Impact      string          `json:"impact"` // minor, moderate, serious or critical
	Help        string          `json:"help"`
	Description string          `json:"description"`
	HelpURL     string          `json:"helpUrl"`
	Tags        []string        `json:"tags"`
	Nodes       []ViolationNode `json:"nodes"`
}

// ViolationNode is one element that failed a rule.
type ViolationNode struct {
	Target         Target `json:"target"`
	HTML           string `json:"html"`
	FailureSummary string `json:"failureSummary"`
}

// Target locates an element as axe-core does: one entry per frame, and in
// each entry one CSS selector per shadow tree, from the document down to the
// element.
type Target [][]string

// UnmarshalJSON accepts axe's mixed form, where a frame entry is a plain
// selector string unless the element is inside a shadow root.
func (t *Target) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("axe target: %w", err)
	}
	out := make(Target, 0, len(raw))
	for _, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			out = append(out, []string{s})
			continue
		}
		var shadow []string
		if err := json.Unmarshal(r, &shadow); err != nil {
			return fmt.Errorf("axe target entry: %w", err)
		}
		out = append(out, shadow)
	}
	*t = out
	return nil
}

// String joins the selectors, with " >>> " where the path enters a shadow
// root and " |> " where it enters a frame.
func (t Target) String() string {
	frames := make([]string, len(t))
	for i, shadow := range t {
		frames[i] = strings.Join(shadow, " >>> ")
	}
	return strings.Join(frames, " |> ")
}

// WCAG returns the success criteria the rule belongs to, such as "1.4.3",
// from its wcagNNN tags.
func (v Violation) WCAG() []string {
	var out []string
	for _, tag := range v.Tags {
		if c, ok := CriterionOfTag(tag); ok {
			out = append(out, c)
		}
	}
	return out
}

// CriterionOfTag turns an axe tag such as "wcag1412" into "1.4.12". Level
// tags such as "wcag21aa" are not criteria.
func CriterionOfTag(tag string) (string, bool) {
	digits, ok := strings.CutPrefix(tag, "wcag")
	if !ok || len(digits) < 3 || strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	// Principles and guidelines are single digits; the rest is the criterion.
	return digits[:1] + "." + digits[1:2] + "." + digits[2:], true
}

// axeRun runs axe on the whole document with the options from Go and keeps
// only the fields the report needs.
const axeRun = `(options) => axe.run(document, options).then((r) => r.violations.map((v) => ({
  id: v.id, impact: v.impact, help: v.help, description: v.description,
  helpUrl: v.helpUrl, tags: v.tags,
  nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
})))`

// axeOptions are axe.run's options. Iframes are not followed: axe would wait
// for a copy of itself that the isolated world cannot inject into them.
type axeOptions struct {
	RunOnly     *axeRunOnly `json:"runOnly,omitempty"`
	ResultTypes []string    `json:"resultTypes"`
	Iframes     bool        `json:"iframes"`
	ElementRef  bool        `json:"elementRef"`
}

type axeRunOnly struct {
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

// Axe runs axe-core on the current document with the rules of the given
// tags (every rule when none) and returns the violations. axe walks open
// shadow roots by itself. It is injected over the DevTools protocol into the
// harness's isolated world, so the page's CSP cannot block it and the page's
// scripts cannot tamper with it.
func (t *Tab) Axe(ctx context.Context, tags ...string) ([]Violation, error) {
	src, err := t.browser.axeSource()
	if err != nil {
		return nil, err
	}
	if err := Install(ctx, t, "axe", src); err != nil {
		return nil, err
	}
	opts := axeOptions{ResultTypes: []string{"violations"}}
	if len(tags) > 0 {
		opts.RunOnly = &axeRunOnly{Type: "tag", Values: tags}
	}
	violations, err := Call[[]Violation](ctx, t, axeRun, opts)
	if err != nil {
		return nil, fmt.Errorf("browser: running axe-core: %w", err)
	}
	return violations, nil
}

// axeSource is the embedded axe-core, or the file named with WithAxeScript,
// read once per browser.
func (b *Browser) axeSource() (string, error) {
	b.axeOnce.Do(func() {
		if b.axeScript == "" {
			b.axeSrc = embeddedAxe
			return
		}
		src, err := os.ReadFile(b.axeScript)
		if err != nil {
			b.axeErr = fmt.Errorf("%w: %w", ErrAxeScript, err)
			return
		}
		b.axeSrc = string(src)
	})
	return b.axeSrc, b.axeErr
}
