package deeplink

import (
	"html/template"
	"net/http"

	"golang.org/x/text/language"
)

// The pages a user meets when a deep link cannot be followed. They are
// plain HTML without scripts or inline styles, so the kit's CSP holds.
const (
	pageLogin = iota
	pageInvalid
	pageExpired
)

type page struct {
	Lang, Title, Text, Login, LoginText string
}

var pages = map[string][3]page{
	"sv": {
		pageLogin: {Title: "Logga in först", Text: "Länken till ärendet öppnas när du har loggat in med e-legitimation.",
			LoginText: "Logga in med e-legitimation"},
		pageInvalid: {Title: "Länken kan inte öppnas", Text: "Länken till ärendet är ogiltig. Gå tillbaka till översikten och öppna ärendet därifrån."},
		pageExpired: {Title: "Länken har slutat gälla", Text: "Länkarna i översikten gäller en begränsad tid. Ladda om översikten och öppna ärendet därifrån igen."},
	},
	"en": {
		pageLogin: {Title: "Log in first", Text: "The link to your case opens once you have logged in with e-legitimation.",
			LoginText: "Log in with e-legitimation"},
		pageInvalid: {Title: "This link cannot be opened", Text: "The link to the case is not valid. Go back to the overview and open the case from there."},
		pageExpired: {Title: "This link has expired", Text: "Links in the overview are valid for a limited time. Reload the overview and open the case from there again."},
	},
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

var matcher = language.NewMatcher([]language.Tag{language.Swedish, language.English})

// pageLanguage picks Swedish or English from Accept-Language; Swedish by default.
func pageLanguage(r *http.Request) string {
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if _, i, conf := matcher.Match(tags...); conf != language.No && i == 1 {
		return "en"
	}
	return "sv"
}

func render(w http.ResponseWriter, status int, lang string, p page) {
	p.Lang = lang
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, p)
}
