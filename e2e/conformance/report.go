package conformance

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("conformance: writing the JSON report: %w", err)
	}
	return nil
}

// WriteText writes the terminal summary: one line per check with its
// verdict and source, the details of what failed or needs a person, and
// the totals.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Conformance check of %s\n", r.URL)
	if r.FinalURL != "" && r.FinalURL != r.URL {
		fmt.Fprintf(&b, "(the overview is at %s)\n", r.FinalURL)
	}
	for _, x := range r.Results {
		fmt.Fprintf(&b, "\n%-11s %s  [%s; %s]\n", x.Verdict, x.Title, x.ID, x.Source)
		for _, d := range x.Details {
			if x.Verdict == Pass {
				fmt.Fprintf(&b, "            %s\n", d)
			} else {
				fmt.Fprintf(&b, "          - %s\n", d)
			}
		}
	}
	fmt.Fprintf(&b, "\n%s: %d passed, %d failed, %d need a person\n", r.VerdictWord(), r.Count(Pass), r.Count(Fail), r.Count(NeedsHuman))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("conformance: writing the summary: %w", err)
	}
	return nil
}

// VerdictWord is FAIL when a check failed, else PASS.
func (r *Report) VerdictWord() string {
	if r.Failed() {
		return "FAIL"
	}
	return "PASS"
}

//go:embed report.html.tmpl
var reportHTML string

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"lower": func(v any) string { return strings.ToLower(fmt.Sprint(v)) },
}).Parse(reportHTML))

// WriteHTML writes a self-contained HTML report, to attach to an approval
// request.
func (r *Report) WriteHTML(w io.Writer) error {
	if err := reportTemplate.Execute(w, r); err != nil {
		return fmt.Errorf("conformance: writing the HTML report: %w", err)
	}
	return nil
}
