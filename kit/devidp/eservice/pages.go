package eservice

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"html/template"
	"net/http"

	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/producers"
)

// localizer speaks the language asked for with ?lang=, else the one
// Accept-Language prefers.
func (s *Service) localizer(r *http.Request) *i18n.Localizer {
	return s.messages.Localizer(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))
}

// renderCase is the e-service's page for the case: where and as whom the
// user is logged in, and the case the deep link named. Plain HTML without
// styles or scripts, so the CSP allows nothing at all.
func (s *Service) renderCase(w http.ResponseWriter, r *http.Request, producer producers.Info, name, ref string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = casePage.Execute(w, map[string]any{
		"L": s.localizer(r), "Producer": producer.Name, "Name": name, "Ref": ref,
	})
}

var casePage = template.Must(template.New("case").Parse(`<!doctype html>
<html lang="{{.L.Lang}}" dir="{{.L.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.L.Text "eservice.title" "Producer" .Producer}}</title>
</head>
<body>
<main>
<h1>{{.L.Text "eservice.loggedIn" "Producer" .Producer "Name" .Name}}</h1>
<p>{{.L.Text "eservice.case"}} <strong class="case-ref">{{.Ref}}</strong></p>
<p>{{.L.Text "eservice.about"}}</p>
</main>
</body>
</html>
`))

// refuse answers with a page that says the case cannot be shown (page
// "invalid"), the login was refused ("refused") or only this computer may
// ask ("loopbackOnly"), never with anything from the request.
func (s *Service) refuse(w http.ResponseWriter, r *http.Request, status int, page string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = refusedPage.Execute(w, map[string]any{"L": s.localizer(r), "Page": "eservice." + page})
}

var refusedPage = template.Must(template.New("refused").Parse(`<!doctype html>
<html lang="{{.L.Lang}}" dir="{{.L.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.L.Text (print .Page ".title")}}</title>
</head>
<body>
<main>
<h1>{{.L.Text (print .Page ".title")}}</h1>
<p>{{.L.Text (print .Page ".text")}}</p>
</main>
</body>
</html>
`))

func xmlOf(v any) ([]byte, error) {
	buf, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), buf...), nil
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails; it aborts the program instead
	return base64.RawURLEncoding.EncodeToString(b)
}
