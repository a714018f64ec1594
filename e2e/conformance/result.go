package conformance

import (
	"slices"
	"time"

	"github.com/arendevy/arendevy/e2e/a11y"
)

// Verdict is what a check concluded.
type Verdict string

const (
	// Pass: the portal does what the rule asks, as far as a browser can see.
	Pass Verdict = "PASS"
	// Fail: the portal breaks the rule; the run exits 1.
	Fail Verdict = "FAIL"
	// NeedsHuman: a person must decide, because no browser can (support
	// without seeing data) or the checker could not reach the state (no case
	// with an e-service was shown).
	NeedsHuman Verdict = "NEEDS-HUMAN"
)

// Source is the rule book a check comes from.
type Source string

const (
	// StandardView: the standard case overview (Min Ärendeöversikt / Mina
	// ärenden): five summary fields in order, four statuses, deep links,
	// trust.
	StandardView Source = "the standard view"
	// DeploymentProfile: Sweden Connect's technical framework for Swedish
	// eID (SAML metadata, entity categories, level of assurance).
	DeploymentProfile Source = "Sweden Connect deployment profile"
	// Accessibility: lag (2018:1937) om tillgänglighet till digital
	// offentlig service, EN 301 549, WCAG.
	Accessibility Source = "lag 2018:1937 / WCAG"
	// Privacy: the view actor keeps no case data, and protects the session
	// that reaches it.
	Privacy Source = "privacy rules"
)

// Result is one check's conclusion.
type Result struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Source  Source   `json:"source"`
	Verdict Verdict  `json:"verdict"`
	Details []string `json:"details,omitempty"` // what was seen: each failure, or what passed
}

// Report is a conformance run.
type Report struct {
	URL       string    `json:"url"`
	FinalURL  string    `json:"finalUrl"` // where the overview address led
	Generated time.Time `json:"generated"`
	Results   []Result  `json:"results"`
	// Accessibility is the accessibility checker's own report, when it ran.
	Accessibility *a11y.Report `json:"accessibility,omitempty"`
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool {
	return slices.ContainsFunc(r.Results, func(x Result) bool { return x.Verdict == Fail })
}

// Count returns how many checks reached a verdict.
func (r *Report) Count(v Verdict) int {
	n := 0
	for _, x := range r.Results {
		if x.Verdict == v {
			n++
		}
	}
	return n
}

// Result returns the result of the check with the id, if it ran.
func (r *Report) Result(id string) (Result, bool) {
	i := slices.IndexFunc(r.Results, func(x Result) bool { return x.ID == id })
	if i < 0 {
		return Result{}, false
	}
	return r.Results[i], true
}

func (r *Report) add(id, title string, src Source, v Verdict, details ...string) {
	r.Results = append(r.Results, Result{ID: id, Title: title, Source: src, Verdict: v, Details: details})
}

// verdict is Pass when there are no problems, else Fail with them.
func (r *Report) verdict(id, title string, src Source, problems []string, passed ...string) {
	if len(problems) > 0 {
		r.add(id, title, src, Fail, problems...)
		return
	}
	r.add(id, title, src, Pass, passed...)
}
