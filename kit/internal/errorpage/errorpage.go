// Package errorpage writes the kit's small HTML pages for a person who
// cannot go on (a deep link that will not open, a service that is down):
// plain HTML without scripts or inline styles, so the kit's CSP holds, with
// every word from the catalogue and no-store, since the page answers one
// moment's request.
package errorpage

import (
	"html/template"
	"net/http"
)

// Page is what the page says, already in the reader's language.
type Page struct {
	Lang, Title, Text string
	Dir               string // the language's writing direction: ltr or rtl
	// Link and LinkText, when set, offer one way on (a login).
	Link, LinkText string
}

var tmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p>{{.Text}}</p>
{{if .Link}}<p><a href="{{.Link}}">{{.LinkText}}</a></p>{{end}}
</main>
</body>
</html>
`))

// Write answers with p and status.
func Write(w http.ResponseWriter, status int, p Page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = tmpl.Execute(w, p)
}
