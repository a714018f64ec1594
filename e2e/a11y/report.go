package a11y

import (
	"cmp"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Severity says whether a finding fails the run.
type Severity string

const (
	// SeverityError fails the run: a WCAG success criterion is not met.
	SeverityError Severity = "error"
	// SeverityWarning is reported for a human to judge; it does not fail.
	SeverityWarning Severity = "warning"
)

// Finding is one problem on one page in one state.
type Finding struct {
	Page      string   `json:"page"`            // the URL
	Label     string   `json:"label,omitempty"` // the page state the caller named, e.g. "expanded"
	State     string   `json:"state"`           // the condition: desktop, 320px, text-zoom-200 …
	Criterion string   `json:"criterion"`       // WCAG success criterion, e.g. "1.4.10"; empty when none applies
	Selector  string   `json:"selector"`        // shadow-piercing: "host >>> inner"
	Severity  Severity `json:"severity"`
	Rule      string   `json:"rule"` // a rule of Rules, or "axe/<rule id>"
	Message   string   `json:"message"`
	HelpURL   string   `json:"helpUrl,omitempty"`
}

// Screenshot is a PNG of a page in a state, for the reviewer.
type Screenshot struct {
	Page  string `json:"page"`
	Label string `json:"label,omitempty"`
	State string `json:"state"`
	File  string `json:"file,omitempty"` // set by SaveScreenshots
	PNG   []byte `json:"-"`
}

// PageResult is what the checker did with one page.
type PageResult struct {
	URL    string   `json:"url"`
	Label  string   `json:"label,omitempty"`
	Status int      `json:"status"` // HTTP status of the document
	States []string `json:"states"`
}

// Rule is one check the checker runs, for the report's list of what ran.
type Rule struct {
	ID       string   `json:"id"`
	Criteria []string `json:"criteria"`
	States   []string `json:"states"`
	What     string   `json:"what"`
}

// ManualCheck is a criterion no automated check can decide.
type ManualCheck struct {
	Criterion string `json:"criterion"`
	Why       string `json:"why"`
}

// Report is the result of a run.
type Report struct {
	Generated    time.Time     `json:"generated"`
	Standard     string        `json:"standard"`
	AxeVersion   string        `json:"axeVersion"`
	AxeTags      []string      `json:"axeTags"`
	AxeRules     []string      `json:"axeRules"`
	Pages        []PageResult  `json:"pages"`
	Findings     []Finding     `json:"findings"`
	Screenshots  []Screenshot  `json:"screenshots"`
	Rules        []Rule        `json:"rules"`
	Manual       []ManualCheck `json:"manual"`
	ScreenReader []string      `json:"screenReaders"`
}

// Failed reports whether any finding is an error.
func (r *Report) Failed() bool {
	return slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Severity == SeverityError })
}

// Count returns the number of findings of a severity.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// sortFindings orders findings by page, then state, then criterion, so
// reports of the same site diff cleanly between runs.
func (r *Report) sortFindings() {
	order := map[string]int{}
	for i, p := range r.Pages {
		order[p.URL+"\x00"+p.Label] = i
	}
	states := map[string]int{}
	for i, s := range allStates {
		states[s] = i
	}
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(order[a.Page+"\x00"+a.Label], order[b.Page+"\x00"+b.Label]),
			cmp.Compare(states[a.State], states[b.State]),
			compareCriteria(a.Criterion, b.Criterion),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Selector, b.Selector),
		)
	})
}

// compareCriteria orders "1.4.4" before "1.4.10".
func compareCriteria(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		var x, y int
		fmt.Sscan(as[i], &x)
		fmt.Sscan(bs[i], &y)
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(as), len(bs))
}

// SaveScreenshots writes the screenshots as PNG files into dir, named by
// page number and state, and records the file names for the JSON report.
func (r *Report) SaveScreenshots(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("a11y: saving screenshots: %w", err)
	}
	for i := range r.Screenshots {
		s := &r.Screenshots[i]
		page := slices.IndexFunc(r.Pages, func(p PageResult) bool { return p.URL == s.Page && p.Label == s.Label })
		name := filepath.Join(dir, fmt.Sprintf("page%02d-%s.png", page+1, s.State))
		if err := os.WriteFile(name, s.PNG, 0o644); err != nil {
			return fmt.Errorf("a11y: saving screenshots: %w", err)
		}
		s.File = name
	}
	return nil
}

// WriteJSON writes the report as indented JSON; screenshots are named by
// file when they were saved, and left out otherwise.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("a11y: writing the JSON report: %w", err)
	}
	return nil
}

// WriteText writes the terminal summary: every finding, then the totals, the
// rules that ran and what needs a human.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Accessibility check — %s (axe-core %s, %d axe rules)\n", r.Standard, r.AxeVersion, len(r.AxeRules))
	for _, p := range r.Pages {
		fmt.Fprintf(&b, "\n%s%s  [HTTP %d]\n", p.URL, labelSuffix(p.Label), p.Status)
		n := 0
		for _, f := range r.Findings {
			if f.Page != p.URL || f.Label != p.Label {
				continue
			}
			n++
			mark := "FAIL"
			if f.Severity == SeverityWarning {
				mark = "warn"
			}
			fmt.Fprintf(&b, "  %s  %-14s %-7s %-26s %s\n", mark, f.State, cmp.Or(f.Criterion, "-"), f.Rule, f.Message)
			if f.Selector != "" {
				fmt.Fprintf(&b, "        at %s\n", f.Selector)
			}
		}
		if n == 0 {
			fmt.Fprintf(&b, "  no findings in %s\n", strings.Join(p.States, ", "))
		}
	}
	verdict := "PASS"
	if r.Failed() {
		verdict = "FAIL"
	}
	fmt.Fprintf(&b, "\n%s: %d page(s), %d error(s), %d warning(s)\n", verdict, len(r.Pages), r.Count(SeverityError), r.Count(SeverityWarning))
	fmt.Fprintf(&b, "Rules that ran: axe-core (%s)", strings.Join(r.AxeTags, ", "))
	for _, rule := range r.Rules {
		fmt.Fprintf(&b, ", %s", rule.ID)
	}
	b.WriteString("\nNeeds a human (not decided here): ")
	crit := make([]string, len(r.Manual))
	for i, m := range r.Manual {
		crit[i] = m.Criterion
	}
	b.WriteString(strings.Join(crit, ", "))
	fmt.Fprintf(&b, "\nScreen-reader runs still needed: %s\n", strings.Join(r.ScreenReader, "; "))
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("a11y: writing the summary: %w", err)
	}
	return nil
}

func labelSuffix(label string) string {
	if label == "" {
		return ""
	}
	return " (" + label + ")"
}

//go:embed report.html.tmpl
var reportHTML string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"png": func(b []byte) template.URL {
		// The report is a file the reviewer opens, not a served page: the
		// screenshots travel inside it.
		return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b))
	},
	"label": labelSuffix,
	"findingsOf": func(r *Report, p PageResult) []Finding {
		var out []Finding
		for _, f := range r.Findings {
			if f.Page == p.URL && f.Label == p.Label {
				out = append(out, f)
			}
		}
		return out
	},
	"shotsOf": func(r *Report, p PageResult) []Screenshot {
		var out []Screenshot
		for _, s := range r.Screenshots {
			if s.Page == p.URL && s.Label == p.Label {
				out = append(out, s)
			}
		}
		return out
	},
	"join": strings.Join,
}).Parse(reportHTML))

// WriteHTML writes a self-contained HTML report with the screenshots
// embedded.
func (r *Report) WriteHTML(w io.Writer) error {
	if err := reportTemplate.Execute(w, r); err != nil {
		return fmt.Errorf("a11y: writing the HTML report: %w", err)
	}
	return nil
}
