// Command a11ycheck checks web pages for accessibility in headless
// Chromium and exits non-zero when any WCAG success criterion fails, so it
// drops into any CI:
//
//	go run ./e2e/cmd/a11ycheck -url https://portal.example/mina-arenden -html report.html
//
// It runs axe-core (WCAG 2.0, 2.1 and 2.2 A and AA, inside open shadow
// roots) and its own keyboard, reflow, text-resize, text-spacing,
// target-size, forced-colors, reduced-motion, accessibility-tree and
// language checks; the report lists the rules that ran and the criteria
// that still need a human.
//
// Pages behind a login take a recipe: a form filled from flags
//
//	-login-url https://portal.example/login -login-field user=tester -login-field password=… [-login-submit 'button.primary']
//
// or a chooser, such as the development IdP's persona list, where picking
// one option and submitting is the whole login:
//
//	-login-url http://localhost:8080/dev-idp -login-choose anna
//
// Exit status: 0 when nothing fails, 1 when a criterion fails, 2 when the
// check could not run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/arendevy/arendevy/e2e/a11y"
	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/e2e/cmd/internal/cli"
	"github.com/arendevy/arendevy/e2e/reportfile"
)

func main() { cli.Main(run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("a11ycheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		urls, fields, states, hosts cli.Repeated
		crawl                       = fs.Int("crawl", 0, "also follow same-origin links until `N` pages are checked in all")
		jsonFile                    = fs.String("json", "", "write the JSON report to `FILE`")
		htmlFile                    = fs.String("html", "", "write the self-contained HTML report to `FILE`")
		shotDir                     = fs.String("screenshots", "", "save the screenshots as PNG files in `DIR`")
		loginURL                    = fs.String("login-url", "", "log in at `URL` first (with -login-field or -login-choose)")
		loginSubmit                 = fs.String("login-submit", "", "CSS `selector` of the login button (default: the form's submit button)")
		loginChoose                 = fs.String("login-choose", "", "log in by choosing the radio button, option or submit button with this `value` or text (a development IdP's persona)")
		wcag                        = fs.String("wcag", "2.2", "WCAG `version` to check at level AA: 2.2 or 2.1")
		chromium                    = fs.String("chromium", "", "Chromium or Chrome binary (default "+browser.DefaultExecPath+" or one on PATH)")
		axeScript                   = fs.String("axe", "", "axe.min.js `file` to use instead of the embedded axe-core")
		timeout                     = fs.Duration("timeout", 10*time.Minute, "give up after this long")
		verbose                     = fs.Bool("v", false, "log what the browser does")
	)
	fs.Var(&urls, "url", "a page to check (repeatable)")
	fs.Var(&fields, "login-field", "a login form field as `name=value` (repeatable)")
	fs.Var(&states, "state", "check only this state (repeatable): "+strings.Join(a11y.States(), ", "))
	fs.Var(&hosts, "status-host", "an element `name` that must hold a status region (repeatable; default "+strings.Join(a11y.DefaultLiveRegionHosts, ", ")+")")
	if err := fs.Parse(args); err != nil {
		return cli.ExitError
	}
	usage := func(msg string) int {
		fmt.Fprintln(stderr, "a11ycheck:", msg)
		fs.Usage()
		return cli.ExitError
	}
	if len(urls) == 0 {
		return usage("give at least one -url")
	}
	if fs.NArg() > 0 {
		return usage("unexpected arguments: " + strings.Join(fs.Args(), " "))
	}
	if *verbose {
		slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}

	opts := a11y.Options{Crawl: *crawl, States: states}
	switch *wcag {
	case "2.2":
		opts.Tags, opts.Standard = browser.WCAG22AA, "WCAG 2.2 AA"
	case "2.1":
		opts.Tags, opts.Standard = browser.WCAG21AA, "WCAG 2.1 AA (EN 301 549)"
	default:
		return usage("-wcag must be 2.2 or 2.1")
	}
	if len(hosts) > 0 {
		opts.LiveRegionHosts = hosts
	}
	login, err := loginRecipe(*loginURL, fields, *loginChoose, *loginSubmit)
	if err != nil {
		return usage(err.Error())
	}
	opts.Login = login

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	var bopts []browser.Option
	if *chromium != "" {
		bopts = append(bopts, browser.WithExecPath(*chromium))
	}
	if *axeScript != "" {
		bopts = append(bopts, browser.WithAxeScript(*axeScript))
	}
	b, err := browser.Start(ctx, bopts...)
	if err != nil {
		fmt.Fprintln(stderr, "a11ycheck:", err)
		return cli.ExitError
	}
	defer b.Close()

	pages := make([]a11y.Page, len(urls))
	for i, u := range urls {
		pages[i] = a11y.Page{URL: u}
	}
	report, err := a11y.Check(ctx, b, pages, opts)
	if err != nil {
		fmt.Fprintln(stderr, "a11ycheck:", err)
		return cli.ExitError
	}
	if err := write(report, stdout, *jsonFile, *htmlFile, *shotDir); err != nil {
		fmt.Fprintln(stderr, "a11ycheck:", err)
		return cli.ExitError
	}
	if report.Failed() {
		return cli.ExitFindings
	}
	return cli.ExitPass
}

// loginRecipe picks the recipe the login flags describe, if any.
func loginRecipe(url string, fields []string, choose, submit string) (a11y.Login, error) {
	switch {
	case url == "" && (len(fields) > 0 || choose != "" || submit != ""):
		return nil, errors.New("the login flags need -login-url")
	case url == "":
		return nil, nil
	case len(fields) > 0 && choose != "":
		return nil, errors.New("give -login-field or -login-choose, not both")
	case choose != "":
		return a11y.ChoiceLogin{URL: url, Choice: choose, Submit: submit}, nil
	case len(fields) == 0:
		return nil, errors.New("-login-url needs -login-field name=value or -login-choose")
	}
	parsed, err := a11y.ParseFields(fields)
	if err != nil {
		return nil, err
	}
	return a11y.FormLogin{URL: url, Submit: submit, Fields: parsed}, nil
}

// write saves the screenshots when asked, then the reports.
func write(r *a11y.Report, stdout io.Writer, jsonFile, htmlFile, shotDir string) error {
	if shotDir != "" {
		if err := r.SaveScreenshots(shotDir); err != nil {
			return err
		}
	}
	return reportfile.Write(r, stdout, jsonFile, htmlFile)
}
