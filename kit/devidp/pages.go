package devidp

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"

	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/identity"
)

// The pages carry no inline code but one fixed style sheet and one fixed
// script, allowed by their hashes, so the CSP can forbid everything else.
const (
	pageCSS = `body{font-family:system-ui,sans-serif;margin:0;padding:1rem;line-height:1.5;color:#1b1b1b;background:#fff}` +
		`main{max-width:36rem;margin:0 auto}` +
		`fieldset{border:1px solid #6b6b6b;border-radius:4px;padding:1rem;margin:1rem 0}` +
		`legend{font-weight:bold;padding:0 .25rem}` +
		`.persona{display:flex;gap:.5rem;align-items:center;padding:.4rem 0}` +
		`.role{display:block;color:#444;font-size:.9375rem}` +
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

// localizer speaks the language the user chose on the chooser's form, else
// the one asked for with ?lang=, else the one Accept-Language prefers.
// PostForm is read only once parsed: a refused request's body stays unread.
func (p *IdP) localizer(r *http.Request) *i18n.Localizer {
	return p.messages.Localizer(r.PostForm.Get("lang"), r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))
}

// otherLanguage is a button that shows the chooser in another language,
// labelled in that language.
type otherLanguage struct{ Lang, Dir, Name string }

type chooserPersona struct {
	Index  int
	Name   string
	Number string
	Role   string
}

// role says in words whom persona acts for: nobody but themselves (a
// private person), people as their agent (ombud), organisations as their
// representative (firmatecknare).
func role(l *i18n.Localizer, persona Persona) string {
	var people, organisations []string
	for _, p := range persona.ActsFor {
		if p.Kind == identity.Organisationsnummer {
			organisations = append(organisations, p.Name)
		} else {
			people = append(people, p.Name)
		}
	}
	var roles []string
	if len(people) > 0 {
		roles = append(roles, l.Text("devidp.role.agent", "Names", strings.Join(people, ", ")))
	}
	if len(organisations) > 0 {
		roles = append(roles, l.Text("devidp.role.representative", "Names", strings.Join(organisations, ", ")))
	}
	if len(roles) == 0 {
		return l.Text("devidp.role.person")
	}
	return strings.Join(roles, "; ")
}

func (p *IdP) renderChooser(w http.ResponseWriter, r *http.Request, pending string) {
	l := p.localizer(r)
	ps := make([]chooserPersona, len(p.cfg.Personas))
	for i, x := range p.cfg.Personas {
		ps[i] = chooserPersona{Index: i, Name: x.DisplayName, Number: x.Number[:8] + "-" + x.Number[8:], Role: role(l, x)}
	}
	var others []otherLanguage
	for _, tag := range p.messages.Languages() {
		if tag.String() != l.Lang() {
			other := p.messages.Localizer(tag.String())
			others = append(others, otherLanguage{other.Lang(), other.Dir(), other.Text("devidp.languageName")})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = chooserPage.Execute(w, map[string]any{
		"L":        l,
		"Others":   others,
		"Action":   p.idp.SSOURL.Path,
		"Pending":  pending,
		"Personas": ps,
	})
}

var chooserPage = template.Must(template.New("chooser").Parse(`<!doctype html>
<html lang="{{.L.Lang}}" dir="{{.L.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.L.Text "devidp.title"}}</title>
<style>` + pageCSS + `</style>
</head>
<body>
<main>
<h1>{{.L.Text "devidp.heading"}}</h1>
<p class="note">{{.L.Text "devidp.intro"}}</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="pending" value="{{.Pending}}">
<input type="hidden" name="lang" value="{{.L.Lang}}">
<fieldset>
<legend>{{.L.Text "devidp.legend"}}</legend>
{{range .Personas}}<div class="persona">
<input type="radio" id="persona-{{.Index}}" name="persona" value="{{.Index}}" aria-describedby="persona-{{.Index}}-role" required{{if eq .Index 0}} checked{{end}}>
<div><label for="persona-{{.Index}}">{{.Name}} ({{.Number}})</label>
<span class="role" id="persona-{{.Index}}-role">{{.Role}}</span></div>
</div>
{{end}}</fieldset>
<button type="submit">{{.L.Text "devidp.submit"}}</button>
</form>
<form method="post" action="{{.Action}}">
<input type="hidden" name="pending" value="{{.Pending}}">
<p>{{range .Others}}<button type="submit" class="secondary" name="lang" value="{{.Lang}}" lang="{{.Lang}}" dir="{{.Dir}}">{{.Name}}</button>{{end}}</p>
</form>
</main>
</body>
</html>
`))

// responseForm replaces crewjam's, whose inline scripts a strict CSP
// would block: the script here is allowed by its hash, and without
// JavaScript the visible button does the same. crewjam executes this one
// template with its own data for every response, so it cannot follow the
// user's language: the title is in the source language and the button in
// every language.
func responseForm(messages *i18n.Bundle) *template.Template {
	type texts struct{ Lang, Dir, Sending, Continue string }
	var all []texts
	for _, tag := range messages.Languages() {
		l := messages.Localizer(tag.String())
		all = append(all, texts{l.Lang(), l.Dir(), l.Text("devidp.sending"), l.Text("devidp.continue")})
	}
	return template.Must(template.New("response").Funcs(template.FuncMap{"texts": func() []texts { return all }}).Parse(`<!doctype html>
<html lang="{{(index texts 0).Lang}}" dir="{{(index texts 0).Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{(index texts 0).Sending}}</title>
<style>` + pageCSS + `</style>
</head>
<body>
<main>
<form method="post" action="{{.URL}}">
<input type="hidden" name="SAMLResponse" value="{{.SAMLResponse}}">
<input type="hidden" name="RelayState" value="{{.RelayState}}">
<p><button type="submit">{{range $i, $t := texts}}{{if $i}} / <span lang="{{$t.Lang}}" dir="{{$t.Dir}}">{{$t.Continue}}</span>{{else}}{{$t.Continue}}{{end}}{{end}}</button></p>
</form>
</main>
<script>` + submitScript + `</script>
</body>
</html>
`))
}
