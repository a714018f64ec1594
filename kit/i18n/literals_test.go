package i18n_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The sources whose text a person reads: the kit and the reference portal.
// Their words come from locales/; what is left in Go and templates are
// ids, markup, logs and errors for developers.
var textSources = []string{"..", "../../reference-portal"}

var (
	// swedish is a letter of Swedish text: none belongs in Go source.
	swedish = regexp.MustCompile(`[åäöÅÄÖ]`)
	// sentence is a literal that reads like a title or a sentence for a
	// person ("Login required", "Choose one of the test persons."); logs
	// and errors start in lower case or with a "package:" prefix.
	sentence = regexp.MustCompile(`^[A-Z][a-z']+( [A-Za-z'-]+[.,!?]?)+$`)
	// markupText is text between two tags, once template actions, styles
	// and scripts are gone.
	markupText = regexp.MustCompile(`>([^<]*\pL[^<]*)<`)
	actions    = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	embedded   = regexp.MustCompile(`(?s)<(style|script)>.*?</(style|script)>`)
)

// notForPeople are literals that look like text for a person but are not
// the service's words, each with why.
var notForPeople = map[string]string{
	"Time a source took to answer one overview.":        "a Prometheus HELP line, for operators",
	"Time to answer an HTTP request, by route pattern.": "a Prometheus HELP line, for operators",
	"Certificate does not belong to Key":                "a configuration error, for operators",
	"Stop with Ctrl-C.":                                 "the reference portal's console, for whoever runs it",
	`^[A-ZÅÄÖ0-9_]+(\.[A-ZÅÄÖ0-9_]+)*$`:                 "the characters of a Mina ärenden event type",
}

func TestNoCitizenTextInSource(t *testing.T) {
	exempted := map[string]bool{}
	report := func(path string, found []string) {
		for _, f := range found {
			t.Errorf("%s: %s: move it to locales/", path, f)
		}
	}
	for _, root := range textSources {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules"):
				return filepath.SkipDir
			case d.IsDir(), strings.HasSuffix(path, "_test.go"):
				return nil
			case strings.HasSuffix(path, ".go"):
				for _, lit := range stringLiterals(t, path) {
					if _, ok := notForPeople[lit]; ok {
						exempted[lit] = true
						continue
					}
					report(path, checkLiteral(lit))
				}
			case strings.HasSuffix(path, ".html"):
				buf, err := os.ReadFile(path)
				require.NoError(t, err)
				report(path, checkMarkup(string(buf)))
			}
			return nil
		})
		require.NoError(t, err)
	}
	for lit := range notForPeople {
		require.True(t, exempted[lit], "%q is exempted but no longer in the source: drop it from notForPeople", lit)
	}
}

func stringLiterals(t *testing.T, path string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	require.NoError(t, err)
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			out = append(out, s)
		}
		return true
	})
	return out
}

// checkLiteral describes the text for a person in a Go string literal.
func checkLiteral(lit string) []string {
	var found []string
	if swedish.MatchString(lit) {
		found = append(found, fmt.Sprintf("Swedish text in Go source %q", lit))
	}
	if sentence.MatchString(lit) {
		found = append(found, fmt.Sprintf("text for a person in Go source %q", lit))
	}
	if strings.Contains(lit, "<") {
		found = append(found, checkMarkup(lit)...)
	}
	return found
}

// checkMarkup describes the text in a template's markup.
func checkMarkup(markup string) []string {
	var found []string
	markup = embedded.ReplaceAllString(actions.ReplaceAllString(markup, ""), "")
	for _, m := range markupText.FindAllStringSubmatch(markup, -1) {
		found = append(found, fmt.Sprintf("text in markup %q", strings.TrimSpace(m[1])))
	}
	return found
}

func TestTheLiteralCheckFindsText(t *testing.T) {
	for _, lit := range []string{"Login required", "Choose one of the test persons.", "Välj testperson",
		"The login could not be completed. Please try again.",
		`<p>Till startsidan</p>`, `<h1>{{.Title}}</h1><p lang="en">Reference: {{.Ref}}</p>`} {
		require.NotEmpty(t, checkLiteral(lit), lit)
	}
	for _, lit := range []string{"saml: message too large", "deep link refused", "Mount: must start with /",
		"Key and Certificate: required",
		"application/problem+json", `<p>{{.L.Text "portal.skip"}}</p>`, "<style>body{margin:0}</style>", "devidp.title"} {
		require.Empty(t, checkLiteral(lit), lit)
	}
}
