package conformance_test

import (
	"crypto/rand"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// fixture is a small view actor's portal that conforms, unless one of its
// switches breaks one rule.
type fixture struct {
	fieldsOutOfOrder bool // Titel before Datum
	colourOnlyStatus bool // the status is a coloured dot
	noTrustLine      bool
	cacheable        bool      // the overview may be cached
	titleInURL       bool      // an analytics pixel carries the case title
	insecureCookie   bool      // the session cookie lacks Secure
	sameWindowLink   bool      // the deep link opens in the same window, unannounced
	sessions         *sync.Map // session id → true while logged in
}

var overviewPage = template.Must(template.New("overview").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>My cases — Example Bank</title>
<link rel="stylesheet" href="/style.css"></head>
<body><header><p>Example Bank</p><form method="post" action="/logout"><button type="submit">Log out</button></form></header>
<main><h1>My cases</h1>
{{if .Trust}}<p>This service is approved by DIGG.</p>{{end}}
<table><caption>Your cases</caption>
<thead><tr>{{range .Headers}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}{{.}}{{end}}</tr>
{{end}}</tbody></table>
<h2>What the statuses mean</h2>
<dl class="legend">
<dt>Documents received</dt><dd>The authority has received your documents.</dd>
<dt>In progress</dt><dd>Someone is working on your case.</dd>
<dt>Action required</dt><dd>You need to do something: read what the case says.</dd>
<dt>Case closed</dt><dd>The case is finished.</dd>
</dl>
{{if .Pixel}}<img src="{{.Pixel}}" alt="">{{end}}
</main></body></html>`))

const (
	titleBuilding = "Building permit for a garage"
	titleLand     = "Land survey of the lot"
)

func (f *fixture) handler() http.Handler {
	mux := http.NewServeMux()
	secure := func(w http.ResponseWriter) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; frame-ancestors 'none'")
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	page := func(w http.ResponseWriter, body string) {
		secure(w)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}
	loggedIn := func(r *http.Request) bool {
		c, err := r.Cookie("sid")
		if err != nil {
			return false
		}
		_, ok := f.sessions.Load(c.Value)
		return ok
	}
	mux.HandleFunc("GET /style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		fmt.Fprint(w, `body { font-family: sans-serif; margin: 1rem; } .dot { display: inline-block; width: 1em; height: 1em; border-radius: 50%; background: #0b6e24; }
table { border-collapse: collapse; } th, td { padding: 0.25rem; text-align: left; }
@media (max-width: 40rem) { table, thead, tbody, tr, th, td { display: block; } thead { position: absolute; clip-path: inset(50%); } }`)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example Bank</title></head><body><main><h1>Example Bank</h1><p><a href="/login">Log in</a></p></main></body></html>`)
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Log in</title></head><body><main><h1>Log in</h1>
<form method="post" action="/login"><label for="user">Test customer</label><input id="user" name="user"><button type="submit">Log in</button></form></main></body></html>`)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		id := rand.Text()
		f.sessions.Store(id, true)
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: id, Path: "/", HttpOnly: true, Secure: !f.insecureCookie, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/overview", http.StatusSeeOther)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("sid"); err == nil {
			f.sessions.Delete(c.Value)
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /overview", func(w http.ResponseWriter, r *http.Request) {
		if !loggedIn(r) {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		secure(w)
		if f.cacheable {
			w.Header().Set("Cache-Control", "private, max-age=600")
		} else {
			w.Header().Set("Cache-Control", "no-store")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = overviewPage.Execute(w, f.view())
	})
	mux.HandleFunc("GET /producers/lantmateriet", func(w http.ResponseWriter, r *http.Request) {
		page(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Lantmäteriet</title></head><body><main>
<h1>Lantmäteriet</h1><p>Lantmäteriet has no e-service for this case. Call its customer service on <a href="tel:+46771636363">0771-63 63 63</a>.</p></main></body></html>`)
	})
	mux.HandleFunc("GET /pixel.gif", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /arendevy/saml/metadata", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		fmt.Fprint(w, `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://bank.example/sp">
<md:Extensions><mdattr:EntityAttributes xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute">
<saml:Attribute xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Name="http://macedir.org/entity-category" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">
<saml:AttributeValue>http://id.elegnamnden.se/ec/1.0/loa3-pnr</saml:AttributeValue></saml:Attribute></mdattr:EntityAttributes></md:Extensions>
<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`)
	})
	return mux
}

type fixtureView struct {
	Trust   bool
	Headers []string
	Rows    [][]template.HTML
	Pixel   string
}

func (f *fixture) view() fixtureView {
	v := fixtureView{Trust: !f.noTrustLine, Headers: []string{"Date", "Title", "Sender", "Status", "Processing time"}}
	status := func(words string) template.HTML {
		if f.colourOnlyStatus {
			return `<td><span class="dot"></span></td>`
		}
		return template.HTML("<td>" + template.HTMLEscapeString(words) + "</td>")
	}
	deepLink := `<a href="https://e-service.example/case/1" target="_blank" rel="noopener">Go to the case at the municipality (opens in a new window)</a>`
	if f.sameWindowLink {
		deepLink = `<a href="https://e-service.example/case/1">Go to the case at the municipality</a>`
	}
	rows := [][]template.HTML{
		{"<td>2026-11-30</td>", template.HTML("<td>" + titleBuilding + "</td>"), "<td>Vaxholm municipality</td>", status("In progress"),
			template.HTML("<td>6 weeks<dl><dt>Case number</dt><dd>BYGG-2026-123</dd></dl>" + deepLink + "</td>")},
		{"<td>2026-11-02</td>", template.HTML("<td>" + titleLand + "</td>"), "<td>Lantmäteriet</td>", status("Action required"),
			`<td>2 months<dl><dt>Case number</dt><dd>LM-88</dd></dl><a href="/producers/lantmateriet">About Lantmäteriet and how to reach its customer service</a></td>`},
	}
	if f.fieldsOutOfOrder {
		v.Headers[0], v.Headers[1] = v.Headers[1], v.Headers[0]
		for _, r := range rows {
			r[0], r[1] = r[1], r[0]
		}
	}
	v.Rows = rows
	if f.titleInURL {
		v.Pixel = "/pixel.gif?page=overview&case=" + url.QueryEscape(titleBuilding)
	}
	return v
}

func (f *fixture) start(t *testing.T) *httptest.Server {
	t.Helper()
	f.sessions = &sync.Map{}
	srv := httptest.NewTLSServer(f.handler())
	t.Cleanup(srv.Close)
	return srv
}
