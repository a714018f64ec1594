package deeplink

import (
	"html/template"
	"net/http"
)

// The pages a user meets when a deep link cannot be followed, by their
// names in the catalogue's [deeplink] table. They are plain HTML without
// scripts or inline styles, so the kit's CSP holds.
const (
	pageLogin   = "login"
	pageInvalid = "invalid"
	pageExpired = "expired"
)

type page struct {
	Lang, Title, Text, Login, LoginText string
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p>{{.Text}}</p>
{{if .Login}}<p><a href="{{.Login}}">{{.LoginText}}</a></p>{{end}}
</main>
</body>
</html>
`))

// page is page name in the language the request's Accept-Language picks.
func (l *Links) page(r *http.Request, name string) page {
	loc := l.messages.Localizer(r.Header.Get("Accept-Language"))
	p := page{Lang: loc.Lang(), Title: loc.Text("deeplink." + name + ".title"), Text: loc.Text("deeplink." + name + ".text")}
	if name == pageLogin {
		p.LoginText = loc.Text("deeplink.login.link")
	}
	return p
}

func render(w http.ResponseWriter, status int, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, p)
}
