package a11y_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/a11y"
	"github.com/arendevy/arendevy/e2e/browser"
)

const pageHead = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s</title><link rel="icon" href="data:,">%s</head><body><main>`

// loginSite is a portal with a password form and a persona chooser that,
// like a SAML IdP, answers with an auto-posting form.
func loginSite(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	write := func(w http.ResponseWriter, title, head, body string) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, pageHead+"%s</main></body></html>", title, head, body)
	}
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		write(w, "Log in", "", `<form method="post" action="/login">
<label for="u">User</label><input id="u" name="user">
<label for="p">Password</label><input id="p" name="password" type="password">
<label><input type="checkbox" name="remember" value="yes"> Remember me</label>
<button type="submit">Log in</button></form>`)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("password") != "secret" || r.FormValue("remember") != "yes" {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "who", Value: r.FormValue("user"), Path: "/"})
		http.Redirect(w, r, "/private", http.StatusSeeOther)
	})
	choosers := map[string]string{
		"radio": `<form method="post" action="/idp"><fieldset><legend>Persona</legend>
<label><input type="radio" name="persona" value="anna"> Anna Andersson</label>
<label><input type="radio" name="persona" value="bo"> Bo Berg</label></fieldset>
<button type="submit">Log in</button></form>`,
		"select": `<form method="post" action="/idp"><label for="s">Persona</label>
<select id="s" name="persona"><option value="anna">Anna Andersson</option><option value="bo">Bo Berg</option></select>
<button type="submit">Log in</button></form>`,
		"buttons": `<form method="post" action="/idp">
<button type="submit" name="persona" value="anna">Anna Andersson</button>
<button type="submit" name="persona" value="bo">Bo Berg</button></form>`,
	}
	for kind, form := range choosers {
		mux.HandleFunc("GET /idp/"+kind, func(w http.ResponseWriter, r *http.Request) { write(w, "Choose a persona", "", form) })
	}
	mux.HandleFunc("POST /idp", func(w http.ResponseWriter, r *http.Request) {
		write(w, "Signing in", `<script src="/autopost.js" defer></script>`, fmt.Sprintf(
			`<form method="post" action="/acs"><input type="hidden" name="persona" value="%s"><button type="submit">Continue</button></form>`,
			html.EscapeString(r.FormValue("persona"))))
	})
	mux.HandleFunc("GET /autopost.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, `setTimeout(() => document.forms[0].submit(), 50);`)
	})
	mux.HandleFunc("POST /acs", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "who", Value: r.FormValue("persona"), Path: "/"})
		http.Redirect(w, r, "/private", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /private", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("who")
		if err != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		write(w, "Private", "", `<h1 id="who">`+html.EscapeString(c.Value)+`</h1>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// whoAfter logs a fresh tab in and returns whom the private page greets.
func whoAfter(t *testing.T, login a11y.Login) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	tab, err := sharedBrowser(t).NewTab(ctx)
	require.NoError(t, err)
	defer tab.Close()
	if err := login.LogIn(ctx, tab); err != nil {
		return "", err
	}
	srvURL, err := browser.Eval[string](ctx, tab, `location.origin`)
	require.NoError(t, err)
	_, err = tab.Navigate(ctx, srvURL+"/private")
	require.NoError(t, err)
	return browser.Eval[string](ctx, tab, `document.getElementById("who")?.textContent ?? "logged out"`)
}

func TestFormLogin(t *testing.T) {
	t.Parallel()
	srv := loginSite(t)
	fields := func(password string) []a11y.Field {
		return []a11y.Field{{"user", "tester"}, {"password", password}, {"remember", "yes"}}
	}
	who, err := whoAfter(t, a11y.FormLogin{URL: srv.URL + "/login", Fields: fields("secret")})
	require.NoError(t, err)
	require.Equal(t, "tester", who)

	who, err = whoAfter(t, a11y.FormLogin{URL: srv.URL + "/login", Fields: fields("secret"), Submit: `button[type="submit"]`})
	require.NoError(t, err)
	require.Equal(t, "tester", who)

	_, err = whoAfter(t, a11y.FormLogin{URL: srv.URL + "/login", Fields: fields("wrong")})
	require.ErrorIs(t, err, a11y.ErrLogin)
	require.ErrorContains(t, err, "still on the login form")

	_, err = whoAfter(t, a11y.FormLogin{URL: srv.URL + "/login", Fields: []a11y.Field{{"pin", "1234"}}})
	require.ErrorIs(t, err, a11y.ErrLogin)
	require.ErrorContains(t, err, `no field named "pin"`)
}

func TestChoiceLoginPicksAPersonaThroughTheIdP(t *testing.T) {
	t.Parallel()
	srv := loginSite(t)
	for _, tc := range []struct{ chooser, choice, want string }{
		{"radio", "bo", "bo"},
		{"radio", "Anna Andersson", "anna"},
		{"select", "bo", "bo"},
		{"select", "Anna Andersson", "anna"},
		{"buttons", "bo", "bo"},
		{"buttons", "Anna Andersson", "anna"},
	} {
		t.Run(tc.chooser+"/"+tc.choice, func(t *testing.T) {
			t.Parallel()
			who, err := whoAfter(t, a11y.ChoiceLogin{URL: srv.URL + "/idp/" + tc.chooser, Choice: tc.choice})
			require.NoError(t, err)
			require.Equal(t, tc.want, who)
		})
	}
	_, err := whoAfter(t, a11y.ChoiceLogin{URL: srv.URL + "/idp/radio", Choice: "Cecilia"})
	require.ErrorIs(t, err, a11y.ErrLogin)
	_, err = whoAfter(t, a11y.ChoiceLogin{URL: srv.URL + "/nowhere", Choice: "bo"})
	require.ErrorIs(t, err, a11y.ErrLogin)
}

func TestCheckLogsInFirst(t *testing.T) {
	t.Parallel()
	srv := loginSite(t)
	var title string
	readTitle := func(ctx context.Context, tab *browser.Tab) (err error) {
		title, err = browser.Eval[string](ctx, tab, `document.title`)
		return err
	}
	r := check(t, a11y.Options{
		States: []string{a11y.StateDesktop},
		Login:  a11y.ChoiceLogin{URL: srv.URL + "/idp/radio", Choice: "anna"},
	}, a11y.Page{URL: srv.URL + "/private", Setup: readTitle})
	require.Equal(t, "Private", title, "the checked page is the private one, not the login form")
	require.Equal(t, http.StatusOK, r.Pages[0].Status)

	_, err := a11y.Check(t.Context(), sharedBrowser(t), []a11y.Page{{URL: srv.URL + "/private"}},
		a11y.Options{Login: a11y.ChoiceLogin{URL: srv.URL + "/idp/radio", Choice: "nobody"}})
	require.ErrorIs(t, err, a11y.ErrLogin)
}

func TestParseField(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want a11y.Field
		ok   bool
	}{
		{"user=tester", a11y.Field{Name: "user", Value: "tester"}, true},
		{"token=a=b==", a11y.Field{Name: "token", Value: "a=b=="}, true},
		{"empty=", a11y.Field{Name: "empty"}, true},
		{" user =x", a11y.Field{Name: "user", Value: "x"}, true},
		{"novalue", a11y.Field{}, false},
		{"=value", a11y.Field{}, false},
	} {
		got, err := a11y.ParseField(tc.in)
		require.Equal(t, tc.ok, err == nil, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func FuzzParseField(f *testing.F) {
	for _, s := range []string{"user=tester", "=", "a==b", "", "ä=ö"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := a11y.ParseField(s)
		if err != nil {
			return
		}
		if got.Name == "" || !strings.Contains(s, got.Name) || !strings.HasSuffix(s, "="+got.Value) {
			t.Fatalf("ParseField(%q) = %+v", s, got)
		}
	})
}
