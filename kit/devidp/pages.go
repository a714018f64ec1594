package devidp

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"
)

// The pages carry no inline code but one fixed style sheet and one fixed
// script, allowed by their hashes, so the CSP can forbid everything else.
const (
	pageCSS = `body{font-family:system-ui,sans-serif;margin:0;padding:1rem;line-height:1.5;color:#1b1b1b;background:#fff}` +
		`main{max-width:36rem;margin:0 auto}` +
		`fieldset{border:1px solid #6b6b6b;border-radius:4px;padding:1rem;margin:1rem 0}` +
		`legend{font-weight:bold;padding:0 .25rem}` +
		`.persona{display:flex;gap:.5rem;align-items:center;padding:.4rem 0}` +
		`input[type=radio]{width:1.25rem;height:1.25rem;margin:0}` +
		`button{font:inherit;padding:.6rem 1.2rem;border:2px solid #1a4d8f;border-radius:4px;background:#1a4d8f;color:#fff;cursor:pointer}` +
		`button.secondary{background:#fff;color:#1a4d8f}` +
		`:focus-visible{outline:3px solid #b35900;outline-offset:3px}` +
		`.note{color:#444}`
	submitScript = `document.forms[0].submit();`
)

var contentSecurityPolicy = "default-src 'none'; style-src " + hashSource(pageCSS) +
	"; script-src " + hashSource(submitScript) + "; base-uri 'none'; frame-ancestors 'none'"

func hashSource(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// texts are the chooser's words in one language.
type texts struct {
	Lang, Title, Heading, Intro, Legend, Submit string
	OtherLang, OtherLangName                    string
}

var languages = map[string]texts{
	"sv": {
		Lang: "sv", Title: "Testinloggning", Heading: "Välj testperson",
		Intro:  "Det här är en inloggningstjänst för utveckling och test. Den används aldrig för riktiga personer.",
		Legend: "Testperson", Submit: "Logga in",
		OtherLang: "en", OtherLangName: "In English",
	},
	"en": {
		Lang: "en", Title: "Test login", Heading: "Choose a test person",
		Intro:  "This is a login service for development and testing. It is never used for real people.",
		Legend: "Test person", Submit: "Log in",
		OtherLang: "sv", OtherLangName: "På svenska",
	},
}

// pickLang: the form's choice, then ?lang=, then Accept-Language; Swedish
// by default.
func pickLang(r *http.Request) string {
	for _, l := range []string{r.PostFormValue("lang"), r.URL.Query().Get("lang")} {
		if _, ok := languages[l]; ok {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "sv"):
			return "sv"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return "sv"
}

type chooserPersona struct {
	Index  int
	Name   string
	Number string
}

func (p *IdP) renderChooser(w http.ResponseWriter, r *http.Request, pending, lang string) {
	ps := make([]chooserPersona, len(p.cfg.Personas))
	for i, x := range p.cfg.Personas {
		ps[i] = chooserPersona{Index: i, Name: x.DisplayName, Number: x.Number[:8] + "-" + x.Number[8:]}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = chooserPage.Execute(w, map[string]any{
		"T":        languages[lang],
		"Action":   p.idp.SSOURL.Path,
		"Pending":  pending,
		"Personas": ps,
	})
}

var chooserPage = template.Must(template.New("chooser").Parse(`<!doctype html>
<html lang="{{.T.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T.Title}}</title>
<style>` + pageCSS + `</style>
</head>
<body>
<main>
<h1>{{.T.Heading}}</h1>
<p class="note">{{.T.Intro}}</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="pending" value="{{.Pending}}">
<input type="hidden" name="lang" value="{{.T.Lang}}">
<fieldset>
<legend>{{.T.Legend}}</legend>
{{range .Personas}}<div class="persona">
<input type="radio" id="persona-{{.Index}}" name="persona" value="{{.Index}}" required{{if eq .Index 0}} checked{{end}}>
<label for="persona-{{.Index}}">{{.Name}} ({{.Number}})</label>
</div>
{{end}}</fieldset>
<button type="submit">{{.T.Submit}}</button>
</form>
<form method="post" action="{{.Action}}">
<input type="hidden" name="pending" value="{{.Pending}}">
<p><button type="submit" class="secondary" name="lang" value="{{.T.OtherLang}}" lang="{{.T.OtherLang}}">{{.T.OtherLangName}}</button></p>
</form>
</main>
</body>
</html>
`))

// responseForm replaces crewjam's, whose inline scripts a strict CSP
// would block: the script here is allowed by its hash, and without
// JavaScript the visible button does the same.
var responseForm = template.Must(template.New("response").Parse(`<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Skickar inloggningen</title>
<style>` + pageCSS + `</style>
</head>
<body>
<main>
<form method="post" action="{{.URL}}">
<input type="hidden" name="SAMLResponse" value="{{.SAMLResponse}}">
<input type="hidden" name="RelayState" value="{{.RelayState}}">
<p><button type="submit">Fortsätt <span lang="en">/ Continue</span></button></p>
</form>
</main>
<script>` + submitScript + `</script>
</body>
</html>
`))
