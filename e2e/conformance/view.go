package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/chromedp/chromedp"

	"github.com/arendevy/arendevy/e2e/browser"
)

// Checks of the standard view itself.
const (
	CheckFieldOrder      = "view.field-order"
	CheckFieldOrderPhone = "view.field-order-320"
	CheckStatusWords     = "view.status-in-words"
	CheckLegend          = "view.status-legend"
	CheckEmptyHeadings   = "view.details-hide-empty"
)

// standardFields are the summary row's five fields in the standard order.
var standardFields = []string{"date", "title", "sender", "status", "time"}

// overview is what page.js reads of the standard view.
type overview struct {
	Found   bool       `json:"found"`
	Lang    string     `json:"lang"`
	Headers []string   `json:"headers"`
	Fields  []string   `json:"fields"`
	Rows    []caseView `json:"rows"`
	Legend  string     `json:"legend"`
}

type caseView struct {
	Title      string     `json:"title"`
	Sender     string     `json:"sender"`
	Status     string     `json:"status"`
	StatusWord string     `json:"statusWord"` // "sv:2": language and index of the standard status its words name
	Boxes      []cellBox  `json:"boxes"`
	Links      []linkView `json:"links"`
}

type cellBox struct {
	Field  string  `json:"field"`
	Top    float64 `json:"top"`
	Left   float64 `json:"left"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
	Shown  bool    `json:"shown"`
}

type linkView struct {
	Href      string `json:"href"`
	Target    string `json:"target"`
	Text      string `json:"text"`
	Name      string `json:"name"`
	Announced bool   `json:"announced"`
}

func (r *run) readOverview(ctx context.Context) (overview, error) {
	return lib[overview](ctx, r, "overview")
}

// checkView loads the overview on a desktop and checks the summary row,
// the statuses, the legend, the trust line and the responsible actors;
// then it opens every case's detail and checks the details and the links.
func (r *run) checkView(ctx context.Context) error {
	if err := r.load(ctx, desktop); err != nil {
		return fmt.Errorf("loading the overview: %w", err)
	}
	final, err := browser.Run(ctx, r.tab, chromedp.Location())
	if err != nil {
		return err
	}
	r.report.FinalURL = final
	v, err := r.readOverview(ctx)
	if err != nil {
		return err
	}
	r.checkFieldOrder(v)
	r.checkStatuses(v)
	if err := r.checkTrust(ctx, v); err != nil {
		return err
	}

	if _, err := lib[int](ctx, r, "expandAll"); err != nil {
		return err
	}
	if err := r.settle(ctx); err != nil {
		return err
	}
	if v, err = r.readOverview(ctx); err != nil {
		return err
	}
	r.view = v
	empty, err := lib[[]string](ctx, r, "emptyHeadings")
	if err != nil {
		return err
	}
	switch {
	case !v.Found || len(v.Rows) == 0:
		r.report.add(CheckEmptyHeadings, "The case detail hides headings without a value", StandardView, NeedsHuman, noCases(v))
	default:
		var problems []string
		for _, h := range empty {
			problems = append(problems, fmt.Sprintf("the heading %q is shown without a value", h))
		}
		r.report.verdict(CheckEmptyHeadings, "The case detail hides headings without a value", StandardView, problems,
			fmt.Sprintf("opened the detail of %d case(s); every heading has a value", len(v.Rows)))
	}
	if err := r.checkLinks(ctx, v); err != nil {
		return err
	}
	return r.collectCaseWords(ctx, v)
}

func noCases(v overview) string {
	if !v.Found {
		return "no standard overview found on the page (see " + CheckFieldOrder + ")"
	}
	return "the overview shows no case: log in as a customer who has cases"
}

// checkFieldOrder: five summary fields, in the standard order.
func (r *run) checkFieldOrder(v overview) {
	const title = "The summary row shows the five standard fields in order (desktop)"
	if !v.Found {
		r.report.add(CheckFieldOrder, title, StandardView, Fail,
			"no table with column headers naming the standard fields (Datum, Titel, Avsändare, Status, Beredningstid or their English, Finnish or Arabic names) found on the page")
		return
	}
	r.report.verdict(CheckFieldOrder, title, StandardView, fieldOrderProblems(v.Headers, v.Fields),
		"columns: "+strings.Join(v.Headers, " | "))
}

func fieldOrderProblems(headers, fields []string) []string {
	var got []string
	for _, f := range fields {
		if slices.Contains(standardFields, f) && !slices.Contains(got, f) {
			got = append(got, f)
		}
	}
	var problems []string
	for _, f := range standardFields {
		if !slices.Contains(got, f) {
			problems = append(problems, fmt.Sprintf("the %s field has no column", fieldName(f)))
		}
	}
	if len(problems) == 0 && !slices.Equal(got, standardFields) {
		problems = append(problems, fmt.Sprintf("the columns are %s; the standard order is date, title, sender, status, processing time",
			strings.Join(headers, ", ")))
	}
	return problems
}

func fieldName(f string) string {
	if f == "time" {
		return "processing time"
	}
	return f
}

// checkNarrow reloads the overview 320 px wide: each case still shows its
// five fields, read in the standard order (top to bottom, then left to
// right).
func (r *run) checkNarrow(ctx context.Context) error {
	const title = "The summary row shows the five standard fields in order (320 px)"
	if err := r.load(ctx, narrow); err != nil {
		return fmt.Errorf("loading the overview at 320 px: %w", err)
	}
	v, err := r.readOverview(ctx)
	if err != nil {
		return err
	}
	switch {
	case !v.Found:
		r.report.add(CheckFieldOrderPhone, title, StandardView, Fail, "no standard overview found at 320 px")
	case len(v.Rows) == 0:
		r.report.add(CheckFieldOrderPhone, title, StandardView, NeedsHuman, noCases(v))
	default:
		problems := fieldOrderProblems(v.Headers, v.Fields)
		for i, row := range v.Rows {
			if p := narrowRowProblem(row); p != "" {
				problems = append(problems, fmt.Sprintf("case %d: %s", i+1, p))
			}
		}
		r.report.verdict(CheckFieldOrderPhone, title, StandardView, problems,
			fmt.Sprintf("%d case(s) show the five fields in order", len(v.Rows)))
	}
	// Back to a desktop without a reload: logging out starts on this page.
	return r.tab.SetViewport(ctx, desktop.Width, desktop.Height)
}

// narrowRowProblem tells a field that is not shown, or fields that read out
// of order.
func narrowRowProblem(row caseView) string {
	var order []cellBox
	for _, b := range row.Boxes {
		if !slices.Contains(standardFields, b.Field) {
			continue
		}
		if !b.Shown || b.Width == 0 || b.Height == 0 {
			return fmt.Sprintf("the %s is not shown", fieldName(b.Field))
		}
		order = append(order, b)
	}
	// Reading order: a box starting below the previous one's top half comes
	// after it; side by side, left to right.
	for i := 1; i < len(order); i++ {
		prev, cur := order[i-1], order[i]
		sameLine := cur.Top < prev.Top+prev.Height/2 && prev.Top < cur.Top+cur.Height/2
		if cur.Top+1 < prev.Top && !sameLine || sameLine && cur.Left+1 < prev.Left {
			return fmt.Sprintf("the %s is shown before the %s", fieldName(cur.Field), fieldName(prev.Field))
		}
	}
	return ""
}

// checkStatuses: every status in words, from the four, with a legend.
func (r *run) checkStatuses(v overview) {
	const title = "Every case's status is one of the four standard statuses, in words"
	const legendTitle = "A legend explains the four statuses"
	if !v.Found || len(v.Rows) == 0 {
		r.report.add(CheckStatusWords, title, StandardView, NeedsHuman, noCases(v))
	} else {
		var problems []string
		for i, row := range v.Rows {
			if row.StatusWord == "" {
				shown := row.Status
				if shown == "" {
					shown = "no text (colour or an icon only)"
				}
				problems = append(problems, fmt.Sprintf("case %d (%s): the status shows %q, not one of the four standard statuses in words", i+1, row.Sender, shown))
			}
		}
		r.report.verdict(CheckStatusWords, title, StandardView, problems,
			fmt.Sprintf("%d case(s), each with its status in words", len(v.Rows)))
	}
	if !v.Found {
		r.report.add(CheckLegend, legendTitle, StandardView, NeedsHuman, noCases(v))
		return
	}
	if v.Legend == "" {
		r.report.add(CheckLegend, legendTitle, StandardView, Fail,
			"no part of the page outside the table names all four statuses (Ankommen handling, Handläggning pågår, Åtgärd krävs, Ärendet avslutat, or in English, Finnish or Arabic) and explains them")
		return
	}
	r.report.add(CheckLegend, legendTitle, StandardView, Pass, "legend: "+clip(v.Legend, 160))
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
