// Command conformance checks a view actor's portal against the standard
// case overview in headless Chromium, for the approval request to the
// managing authority and for CI:
//
//	conformance -url https://portal.example/mina-arenden -login 'cookie:SESSION=…' -html conformance.html -json conformance.json
//
// Each check reports PASS, FAIL or NEEDS-HUMAN with its source (the
// standard view, Sweden Connect's deployment profile, lag 2018:1937 /
// WCAG, the privacy rules); see package e2e/conformance.
//
// -login says how to get in, as a tester can:
//
//	cookie:NAME=VALUE; NAME2=VALUE2   the Cookie header of a session logged in by hand (developer tools, Network, any request to the portal)
//	cookie-file:cookies.txt           the same as a Netscape cookies.txt file (browser export, curl -c)
//	persona:CHOICE@URL                a test IdP's chooser: the reference portal's development IdP is persona:0@http://localhost:8080/arendevy/saml/login
//	form:URL -login-field name=value  a test login form, filled and submitted
//
// Exit status: 0 when no check fails, 1 when one does, 2 when the check
// could not run (no Chromium, a failed login, an overview that never
// loaded). Installed with `go install github.com/arendevy/arendevy/e2e/cmd/...`,
// it needs only a Chromium on the machine: axe-core is inside the binary.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/arendevy/arendevy/e2e/a11y"
	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/e2e/cmd/internal/cli"
	"github.com/arendevy/arendevy/e2e/conformance"
	"github.com/arendevy/arendevy/e2e/reportfile"
)

func main() { cli.Main(run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		fields, states cli.Repeated
		address        = fs.String("url", "", "the overview `URL` of a logged-in customer with cases")
		login          = fs.String("login", "", "how to log in: cookie:HEADER, cookie-file:PATH, persona:CHOICE@URL or form:URL")
		metadata       = fs.String("metadata", "", "the SAML SP metadata `URL` (default {origin}/arendevy/saml/metadata)")
		jsonFile       = fs.String("json", "", "write the JSON report to `FILE`")
		htmlFile       = fs.String("html", "", "write the self-contained HTML report to `FILE`")
		skipA11y       = fs.Bool("skip-a11y", false, "leave the accessibility check out (reported as needing a person)")
		chromium       = fs.String("chromium", "", "Chromium or Chrome binary (default "+browser.DefaultExecPath+" or one on PATH)")
		insecure       = fs.Bool("accept-any-certificate", false, "accept the portal's certificate unchecked (a test environment with its own CA)")
		timeout        = fs.Duration("timeout", 15*time.Minute, "give up after this long")
		verbose        = fs.Bool("v", false, "log what the browser does")
	)
	fs.Var(&fields, "login-field", "a field of -login form:URL as `name=value` (repeatable)")
	fs.Var(&states, "a11y-state", "run the accessibility check only in this state (repeatable): "+strings.Join(a11y.States(), ", "))
	if err := fs.Parse(args); err != nil {
		return cli.ExitError
	}
	usage := func(msg string) int {
		fmt.Fprintln(stderr, "conformance:", msg)
		fs.Usage()
		return cli.ExitError
	}
	if *address == "" {
		return usage("give the overview with -url")
	}
	if fs.NArg() > 0 {
		return usage("unexpected arguments: " + strings.Join(fs.Args(), " "))
	}
	if *verbose {
		slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}
	opts := conformance.Options{URL: *address, Metadata: *metadata, SkipAccessibility: *skipA11y, A11yStates: states}
	if *login != "" {
		l, err := conformance.ParseLogin(*login, *address, fields)
		if err != nil {
			return usage(err.Error())
		}
		opts.Login = l
	} else if len(fields) > 0 {
		return usage("-login-field goes with -login form:URL")
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	var bopts []browser.Option
	if *chromium != "" {
		bopts = append(bopts, browser.WithExecPath(*chromium))
	}
	if *insecure {
		bopts = append(bopts, browser.WithFlag("ignore-certificate-errors", true))
	}
	b, err := browser.Start(ctx, bopts...)
	if err != nil {
		fmt.Fprintln(stderr, "conformance:", err)
		return cli.ExitError
	}
	defer b.Close()

	report, err := conformance.Run(ctx, b, opts)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return cli.ExitError
	}
	if err := reportfile.Write(report, stdout, *jsonFile, *htmlFile); err != nil {
		fmt.Fprintln(stderr, "conformance:", err)
		return cli.ExitError
	}
	if report.Failed() {
		return cli.ExitFindings
	}
	return cli.ExitPass
}
