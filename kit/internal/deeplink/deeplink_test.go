package deeplink

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/session"
)

const caseLink = "https://etjanst.skatteverket.se/arende/BYGG-2026-00123?steg=komplettering"

const fkLink = "https://www.forsakringskassan.se/mina-sidor/arende?id=42&typ=fp"

var (
	skvCase = cases.Case{ID: "skv:BYGG-2026-00123", Title: "Bygglov", Sender: cases.Actor{ID: "skv", Name: "Skatteverket"}, Link: caseLink}
	fkCase  = cases.Case{ID: "fk:42", Title: "Föräldrapenning", Sender: cases.Actor{ID: "fk", Name: "Försäkringskassan"}, Link: fkLink}
)

type fixture struct {
	links   *Links
	now     time.Time
	logs    *bytes.Buffer
	binding []byte // of the session the overview is shown in and links are followed in
	// What the sources answer when a link is followed, and how often they were asked.
	cases    []cases.Case
	outcomes []cases.Outcome
	failure  error
	asked    int
	// admit is what the rate limits say.
	admit bool
}

// newBinding stands for a session of its own, as session.Manager.Middleware
// would put it in the context.
func newBinding() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

// rewrite gives c its link in an overview compiled in the fixture's session.
func (f *fixture) rewrite(c cases.Case) (string, bool) {
	return f.links.Rewriter(session.WithBinding(context.Background(), f.binding))(&c)
}

// rewriteLink is rewrite for a case of producer with link.
func (f *fixture) rewriteLink(producer, link string) (string, bool) {
	return f.rewrite(cases.Case{ID: producer + ":1", Sender: cases.Actor{ID: producer, Name: producer}, Link: link})
}

func directory(t testing.TB, infos ...producers.Info) *producers.Directory {
	t.Helper()
	if infos == nil {
		infos = []producers.Info{
			{ID: "skv", Name: "Skatteverket", Hosts: []string{"etjanst.skatteverket.se"}},
			{ID: "fk", Name: "Försäkringskassan", Hosts: []string{"www.forsakringskassan.se"},
				SSO: "https://idp.forsakringskassan.se/sso/init?RelayState={target}"},
			{ID: "csn", Name: "CSN"},
		}
	}
	d, err := producers.New(infos)
	require.NoError(t, err)
	return d
}

func newFixture(t testing.TB, key []byte, dir *producers.Directory) *fixture {
	t.Helper()
	f := &fixture{now: time.Date(2026, 9, 14, 9, 0, 0, 0, time.UTC), logs: &bytes.Buffer{}, binding: newBinding(),
		cases: []cases.Case{skvCase, fkCase}, admit: true,
		outcomes: []cases.Outcome{{Source: "skv", State: cases.OK, Cases: 1}, {Source: "fk", State: cases.OK, Cases: 1}}}
	if dir == nil {
		dir = directory(t)
	}
	l, err := New(Config{
		Producers: dir, Key: key, Mount: "/arendevy",
		Cases: func(context.Context, identity.Subject) (cases.Result, error) {
			f.asked++
			return cases.Result{Cases: append([]cases.Case(nil), f.cases...), Outcomes: f.outcomes}, f.failure
		},
		Admit:    func(*http.Request) (bool, int) { return f.admit, 7 },
		Now:      func() time.Time { return f.now },
		Logger:   slog.New(slog.NewTextHandler(f.logs, nil)),
		LoginURL: func(ret string) string { return "/arendevy/saml/login?return=" + url.QueryEscape(ret) },
	})
	require.NoError(t, err)
	f.links = l
	return f
}

// follow requests path as a logged-in user in the fixture's session (or
// not logged in) and returns the response.
func (f *fixture) follow(path string, loggedIn bool, lang string) *httptest.ResponseRecorder {
	if !loggedIn {
		return f.followIn(nil, false, path, lang)
	}
	return f.followIn(f.binding, true, path, lang)
}

// followIn requests path in the session binding (none: nil), with a
// logged-in subject or not.
func (f *fixture) followIn(binding []byte, loggedIn bool, path, lang string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "https://portal.example.se"+path, nil)
	if loggedIn {
		r = r.WithContext(identity.WithSubject(r.Context(), identity.Subject{
			User: identity.Party{Number: "198112289874", Kind: identity.Personnummer}, LoA: "loa3"}))
	}
	if binding != nil {
		r = r.WithContext(session.WithBinding(r.Context(), binding))
	}
	if lang != "" {
		r.Header.Set("Accept-Language", lang)
	}
	w := httptest.NewRecorder()
	f.links.Handler().ServeHTTP(w, r)
	return w
}

func TestRewriteRefusesBadLinks(t *testing.T) {
	f := newFixture(t, nil, nil)
	tests := []struct {
		name, producer, link string
	}{
		{"javascript: URL", "skv", "javascript:alert(document.cookie)"},
		{"data: URL", "skv", "data:text/html,<script>alert(1)</script>"},
		{"scheme-relative //host", "skv", "//etjanst.skatteverket.se/arende/1"},
		{"userinfo", "skv", "https://etjanst.skatteverket.se@evil.example/"},
		{"userinfo on the allowed host", "skv", "https://user:pw@etjanst.skatteverket.se/"},
		{"off-list host", "skv", "https://evil.example/arende/1"},
		{"allowed host as a suffix", "skv", "https://etjanst.skatteverket.se.evil.example/"},
		{"IDN look-alike (Cyrillic а)", "skv", "https://etjаnst.skatteverket.se/"},
		{"plain http", "skv", "http://etjanst.skatteverket.se/arende/1"},
		{"another producer's host", "fk", caseLink},
		{"producer without e-service", "csn", "https://www.csn.se/"},
		{"unknown producer", "nobody", caseLink},
		{"empty link", "skv", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := f.rewriteLink(tt.producer, tt.link)
			require.False(t, ok)
			require.Empty(t, got)
		})
	}
}

func TestFollowingALink(t *testing.T) {
	f := newFixture(t, nil, nil)
	t.Run("the page URL carries no case data", func(t *testing.T) {
		u, ok := f.rewrite(skvCase)
		require.True(t, ok)
		require.True(t, strings.HasPrefix(u, "/arendevy/go/"))
		for _, leak := range []string{"BYGG", "2026-00123", "skatteverket", "komplettering", "skv", skvCase.ID} {
			require.NotContains(t, u, leak)
		}
		other, _ := f.rewrite(fkCase)
		require.NotEqual(t, u, other, "each case its own token")
		elsewhere := newFixture(t, nil, nil)
		elsewhere.binding = newBinding()
		theirs, _ := elsewhere.rewrite(skvCase)
		require.NotEqual(t, u, theirs, "the same case in another session: another token, not linkable to this one")
	})
	t.Run("redirects to the producer's e-service", func(t *testing.T) {
		u, _ := f.rewrite(skvCase)
		w := f.follow(u, true, "")
		require.Equal(t, http.StatusSeeOther, w.Code)
		require.Equal(t, caseLink, w.Header().Get("Location"))
		require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	})
	t.Run("goes through the producer's SSO entry point when it has one", func(t *testing.T) {
		u, ok := f.rewrite(fkCase)
		require.True(t, ok)
		w := f.follow(u, true, "")
		require.Equal(t, http.StatusSeeOther, w.Code)
		loc, err := url.Parse(w.Header().Get("Location"))
		require.NoError(t, err)
		require.Equal(t, "idp.forsakringskassan.se", loc.Host)
		require.Equal(t, fkLink, loc.Query().Get("RelayState"), "the target survives URL-escaped")
	})
	t.Run("the case's link as the producer gives it now", func(t *testing.T) {
		u, _ := f.rewrite(skvCase)
		moved := caseLink + "&flik=beslut"
		f.cases[0].Link = moved
		defer func() { f.cases[0].Link = caseLink }()
		w := f.follow(u, true, "")
		require.Equal(t, http.StatusSeeOther, w.Code)
		require.Equal(t, moved, w.Header().Get("Location"))
	})
	t.Run("without a login: a 401 page that logs in and comes back", func(t *testing.T) {
		u, _ := f.rewrite(skvCase)
		w := f.follow(u, false, "")
		require.Equal(t, http.StatusUnauthorized, w.Code)
		require.Contains(t, w.Header().Get("Content-Type"), "text/html")
		body := w.Body.String()
		require.Contains(t, body, `<html lang="sv" dir="ltr">`)
		require.Contains(t, body, "Logga in först")
		require.Contains(t, body, "/arendevy/saml/login?return="+url.QueryEscape(u))
		require.NotContains(t, body, "skatteverket")
	})
	t.Run("without a login, with the portal's page for it: there, whatever the token", func(t *testing.T) {
		g := newFixture(t, nil, nil)
		g.links.cfg.SignedOut = "/?utloggad=arende"
		u, _ := g.rewrite(skvCase)
		for _, path := range []string{u, "/arendevy/go/x"} {
			w := g.follow(path, false, "")
			require.Equal(t, http.StatusSeeOther, w.Code)
			require.Equal(t, "/?utloggad=arende", w.Header().Get("Location"))
			require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		}
		require.Equal(t, caseLink, g.follow(u, true, "").Header().Get("Location"), "logged in, the link still opens")
	})
	t.Run("English when the browser asks for it", func(t *testing.T) {
		w := f.follow("/arendevy/go/x", false, "en-GB,en;q=0.9")
		require.Contains(t, w.Body.String(), `<html lang="en" dir="ltr">`)
		require.Contains(t, w.Body.String(), "Log in first")
	})
	t.Run("right to left in Arabic", func(t *testing.T) {
		w := f.follow("/arendevy/go/x", false, "ar")
		require.Contains(t, w.Body.String(), `<html lang="ar" dir="rtl">`)
	})
}

func TestRefusedTokens(t *testing.T) {
	f := newFixture(t, nil, nil)
	good, _ := f.rewrite(skvCase)
	token := strings.TrimPrefix(good, "/arendevy/go/")
	foreign := newFixture(t, nil, nil)
	foreign.binding = f.binding // the same session, another key
	foreignLink, _ := foreign.rewrite(skvCase)

	tamper := func(i int) string {
		b := []byte(token)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return "/arendevy/go/" + string(b)
	}
	checkChars := (expirySize + checkSize) * 4 / 3
	tests := []struct {
		name, path, title string
	}{
		{"tampered expiry (first character)", tamper(0), "Länken kan inte öppnas"},
		{"tampered check", tamper(checkChars - 1), "Länken kan inte öppnas"},
		{"truncated token", good[:len(good)-4], "Länken kan inte öppnas"},
		{"token made under another key", foreignLink, "Länken kan inte öppnas"},
		{"not base64", "/arendevy/go/%21%21%21", "Länken kan inte öppnas"},
		{"not base64, of a token's length", "/arendevy/go/" + strings.Repeat("!", tokenChars), "Länken kan inte öppnas"},
		{"empty-ish token", "/arendevy/go/AA", "Länken kan inte öppnas"},
		{"oversized token", "/arendevy/go/" + strings.Repeat("A", 4100), "Länken kan inte öppnas"},
		{"a sealed token of the layout before (208 characters)", "/arendevy/go/" + strings.Repeat("lDTgQFYeF5E3gggW", 13), "Länken kan inte öppnas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.follow(tt.path, true, "")
			require.Equal(t, http.StatusBadRequest, w.Code)
			require.Empty(t, w.Header().Get("Location"))
			require.Contains(t, w.Body.String(), tt.title)
		})
	}
	require.Zero(t, f.asked, "no source is asked for a token that is not this session's")

	t.Run("tampered reference: no case of the user's is it", func(t *testing.T) {
		w := f.follow(tamper(len(token)-1), true, "")
		require.Equal(t, http.StatusNotFound, w.Code)
		require.Empty(t, w.Header().Get("Location"))
		require.Contains(t, w.Body.String(), "Ärendet finns inte längre i din översikt")
	})
	t.Run("the case's link is one its producer's hosts no longer allow", func(t *testing.T) {
		for _, bad := range []string{"javascript:alert(1)", "data:text/html,hi", "//evil.example/",
			"https://etjanst.skatteverket.se@evil.example/", "https://evil.example/"} {
			f.cases[0].Link = bad
			w := f.follow(good, true, "")
			require.Equal(t, http.StatusBadRequest, w.Code, bad)
			require.Empty(t, w.Header().Get("Location"), bad)
			require.Contains(t, w.Body.String(), "Länken kan inte öppnas", bad)
		}
		f.cases[0].Link = caseLink
	})
	t.Run("the case's producer is not in the directory now", func(t *testing.T) {
		u, ok := f.rewriteLink("skv", caseLink)
		require.True(t, ok)
		f.cases = append(f.cases, cases.Case{ID: "skv:1", Sender: cases.Actor{ID: "gone", Name: "gone"}, Link: caseLink})
		defer func() { f.cases = f.cases[:2] }()
		require.Equal(t, http.StatusNotFound, f.follow(u, true, "").Code, "producer and case ID together name the case")
	})

	logs := f.logs.String()
	require.Contains(t, logs, "deep link refused")
	for _, leak := range []string{"skatteverket", "evil", "javascript", "BYGG", token} {
		require.NotContains(t, logs, leak, "no URL, case or token in the log")
	}
}

func TestLinksAreBoundToTheSession(t *testing.T) {
	f := newFixture(t, nil, nil)
	u, ok := f.rewrite(skvCase)
	require.True(t, ok)

	require.Equal(t, http.StatusSeeOther, f.follow(u, true, "").Code, "in the session it was made for")
	require.Equal(t, http.StatusSeeOther, f.follow(u, true, "").Code, "as often as the user likes")
	asked := f.asked
	for name, w := range map[string]*httptest.ResponseRecorder{
		"another session (another user, or a new login)": f.followIn(newBinding(), true, u, ""),
		"a subject without a session binding":            f.followIn(nil, true, u, ""),
	} {
		t.Run(name, func(t *testing.T) {
			require.Equal(t, http.StatusBadRequest, w.Code)
			require.Empty(t, w.Header().Get("Location"))
			require.Contains(t, w.Body.String(), "Länken kan inte öppnas")
		})
	}
	require.Equal(t, asked, f.asked, "a token copied into another session never reaches a source")
	require.Contains(t, f.logs.String(), "made in another session")
	t.Run("no link without a session", func(t *testing.T) {
		got, ok := f.links.Rewriter(context.Background())(&skvCase)
		require.False(t, ok)
		require.Empty(t, got)
	})
	t.Run("the binding does not travel in the token", func(t *testing.T) {
		require.NotContains(t, u, string(f.binding))
		require.Len(t, u, len("/arendevy/go/")+32, "the token is 32 characters")
	})
}

func TestTokensExpire(t *testing.T) {
	f := newFixture(t, nil, nil)
	u, _ := f.rewrite(skvCase)
	f.now = f.now.Add(DefaultLifetime - time.Second)
	require.Equal(t, http.StatusSeeOther, f.follow(u, true, "").Code, "usable for its lifetime")
	asked := f.asked
	f.now = f.now.Add(time.Second)
	w := f.follow(u, true, "")
	require.Equal(t, http.StatusBadRequest, w.Code)
	require.Contains(t, w.Body.String(), "Länken har slutat gälla")
	require.Contains(t, f.logs.String(), ErrExpired.Error())
	require.Equal(t, asked, f.asked, "an expired token never reaches a source")

	// The expiry is in clear but authenticated: moving it on makes the
	// token another session's.
	f.now = f.now.Add(-time.Hour)
	later := newFixture(t, f.links.cfg.Key, nil)
	later.binding, later.now = f.binding, f.now.Add(time.Hour)
	fresh, _ := later.rewrite(skvCase)
	start := len("/arendevy/go/") + (expirySize+checkSize)*4/3
	spliced := fresh[:start-8] + u[start-8:] // a later expiry with the old tags
	f.now = f.now.Add(time.Hour)
	require.Equal(t, http.StatusBadRequest, f.follow(spliced, true, "").Code)
	require.Contains(t, f.follow(spliced, true, "").Body.String(), "Länken kan inte öppnas")
}

func TestCaseNoLongerThereWhenTheLinkIsFollowed(t *testing.T) {
	f := newFixture(t, nil, nil)
	u, _ := f.rewrite(skvCase)
	t.Run("gone from every source that answered in full", func(t *testing.T) {
		f.cases = []cases.Case{fkCase}
		defer func() { f.cases = []cases.Case{skvCase, fkCase} }()
		for lang, want := range map[string]string{"": "Ärendet finns inte längre i din översikt", "en": "The case is no longer in your overview"} {
			w := f.follow(u, true, lang)
			require.Equal(t, http.StatusNotFound, w.Code)
			require.Empty(t, w.Header().Get("Location"))
			require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
			require.Contains(t, w.Body.String(), want)
		}
	})
	for name, change := range map[string]func(){
		"a source failed":             func() { f.outcomes[0].State = cases.Timeout },
		"a source's answer was cut":   func() { f.outcomes[0].Truncated = &cases.Truncation{Reason: cases.CutLimit} },
		"the sources could not start": func() { f.failure = errors.New("deadline") },
	} {
		t.Run(name+": it may be there, try again", func(t *testing.T) {
			f.cases = []cases.Case{fkCase}
			change()
			defer func() {
				f.cases, f.failure = []cases.Case{skvCase, fkCase}, nil
				f.outcomes[0] = cases.Outcome{Source: "skv", State: cases.OK, Cases: 1}
			}()
			w := f.follow(u, true, "")
			require.Equal(t, http.StatusServiceUnavailable, w.Code)
			require.Contains(t, w.Body.String(), "Ärendet kan inte nås just nu")
		})
	}
	t.Run("over the rate limits: 429 before any source is asked", func(t *testing.T) {
		f.admit = false
		defer func() { f.admit = true }()
		asked := f.asked
		w := f.follow(u, true, "en")
		require.Equal(t, http.StatusTooManyRequests, w.Code)
		require.Equal(t, "7", w.Header().Get("Retry-After"))
		require.Contains(t, w.Body.String(), "The case cannot be reached right now")
		require.Equal(t, asked, f.asked)
	})
	require.Equal(t, http.StatusSeeOther, f.follow(u, true, "").Code, "back at its source, the link works again")
}

func TestSharedKeyAndChangedAllowList(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	a := newFixture(t, key, nil)
	b := newFixture(t, key, nil)
	b.binding = a.binding // the same session, reaching another instance
	u, ok := a.rewrite(skvCase)
	require.True(t, ok)
	require.Equal(t, http.StatusSeeOther, b.follow(u, true, "").Code, "instances sharing a key follow each other's links")

	narrowed := newFixture(t, key, directory(t, producers.Info{ID: "skv", Name: "Skatteverket", Hosts: []string{"www.skatteverket.se"}}))
	narrowed.binding = a.binding
	require.Equal(t, http.StatusBadRequest, narrowed.follow(u, true, "").Code, "the allow-list is checked again when the link is followed")
}

func TestNewRejectsBadConfig(t *testing.T) {
	d := directory(t)
	none := func(context.Context, identity.Subject) (cases.Result, error) { return cases.Result{}, nil }
	for name, cfg := range map[string]Config{
		"no directory":      {Mount: "/arendevy", Cases: none},
		"no cases":          {Producers: d, Mount: "/arendevy"},
		"short key":         {Producers: d, Cases: none, Mount: "/arendevy", Key: make([]byte, 16)},
		"negative lifetime": {Producers: d, Cases: none, Mount: "/arendevy", Lifetime: -time.Minute},
		"no mount":          {Producers: d, Cases: none},
		"relative mount":    {Producers: d, Cases: none, Mount: "arendevy"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(cfg)
			require.Error(t, err)
		})
	}
}

func TestTokensDoNotTellTheLinkOrTheCase(t *testing.T) {
	f := newFixture(t, nil, nil)
	links := []cases.Case{
		skvCase, fkCase,
		{ID: "skv:2", Sender: skvCase.Sender, Link: "https://etjanst.skatteverket.se/" + strings.Repeat("a", 400)},
		{ID: strings.Repeat("x", 200), Sender: skvCase.Sender, Link: "https://etjanst.skatteverket.se/a"},
	}
	first, _ := f.rewrite(links[0])
	start := len("/arendevy/go/") + (expirySize+checkSize)*4/3
	for _, c := range links {
		u, ok := f.rewrite(c)
		require.True(t, ok, c.ID)
		require.Len(t, u, len(first), "%s: every token is as long as every other", c.ID)
		require.Equal(t, first[:start], u[:start], "%s: the links of one overview differ only in their reference, which compresses the rest", c.ID)
	}
}

func FuzzFollow(f *testing.F) {
	fx := newFixture(f, bytes.Repeat([]byte{1}, KeySize), directory(f))
	good, _ := fx.rewrite(skvCase)
	f.Add(strings.TrimPrefix(good, "/arendevy/go/"))
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, token string) {
		w := fx.follow("/arendevy/go/"+url.PathEscape(token), true, "")
		if w.Code == http.StatusSeeOther {
			require.Equal(t, strings.TrimPrefix(good, "/arendevy/go/"), token, "only a token this session made opens")
		}
	})
}

func FuzzRewriteRoundTrip(f *testing.F) {
	fx := newFixture(f, nil, directory(f))
	f.Add("skv", "skv:1", caseLink)
	f.Add("fk", "fk:x", "https://www.forsakringskassan.se/x?y=z#frag")
	f.Add("skv", "skv:2", "javascript:alert(1)")
	f.Fuzz(func(t *testing.T, producer, id, link string) {
		c := cases.Case{ID: id, Sender: cases.Actor{ID: producer, Name: producer}, Link: link}
		u, ok := fx.rewrite(c)
		if !ok {
			return
		}
		require.True(t, fx.links.cfg.Producers.Allows(producer, link))
		fx.cases = []cases.Case{skvCase, c}
		w := fx.follow(u, true, "")
		require.Equal(t, http.StatusSeeOther, w.Code)
		if producer == "fk" {
			dest, err := url.Parse(w.Header().Get("Location"))
			require.NoError(t, err)
			require.Equal(t, link, dest.Query().Get("RelayState"))
		} else {
			require.Equal(t, link, w.Header().Get("Location"))
		}
	})
}

// BenchmarkRewrite: the rewriter runs once per case in every overview,
// made once per overview.
func BenchmarkRewrite(b *testing.B) {
	fx := newFixture(b, nil, directory(b))
	ctx := session.WithBinding(context.Background(), fx.binding)
	for b.Loop() {
		link := fx.links.Rewriter(ctx)
		for range 100 {
			if _, ok := link(&skvCase); !ok {
				b.Fatal("refused")
			}
		}
	}
}

// A case reference for the information page refers to its case only in
// the session it was made for, until it expires, and never opens as a
// deep link (nor a deep link as a reference). It names no case field; the
// case is found by asking the sources again.
func TestCaseReferencesAreBound(t *testing.T) {
	tolvan := identity.Subject{User: identity.Party{Number: "191212121212", Kind: identity.Personnummer}, LoA: "loa3"}
	f := newFixture(t, nil, nil)
	in := session.WithBinding(context.Background(), f.binding)
	csn := cases.Case{ID: "csn:1", Sender: cases.Actor{ID: "csn", Name: "CSN"}, CaseNumber: "CSN 2026/4711"}
	f.cases = append(f.cases, csn)
	u, ok := f.links.Info(in, "/mina-arenden/kontakt/", &csn)
	require.True(t, ok)
	require.True(t, strings.HasPrefix(u, "/mina-arenden/kontakt/"))
	require.NotContains(t, u, "4711", "the case number stays out of the address")
	token := strings.TrimPrefix(u, "/mina-arenden/kontakt/")

	c, err := f.links.OpenInfo(in, tolvan, token)
	require.NoError(t, err)
	require.Equal(t, "CSN 2026/4711", c.CaseNumber)
	require.Equal(t, "csn", c.Sender.ID)

	_, err = f.links.OpenInfo(session.WithBinding(context.Background(), newBinding()), tolvan, token)
	require.ErrorIs(t, err, ErrInvalidToken, "another session")
	_, err = f.links.OpenInfo(context.Background(), tolvan, token)
	require.ErrorIs(t, err, ErrNoSession)
	_, ok = f.links.Info(context.Background(), "/mina-arenden/kontakt/", &csn)
	require.False(t, ok, "no session, no reference")

	link, ok := f.rewrite(skvCase)
	require.True(t, ok)
	_, err = f.links.OpenInfo(in, tolvan, strings.TrimPrefix(link, "/arendevy/go/"))
	require.ErrorIs(t, err, ErrInvalidToken, "a deep link is no case reference")
	require.Equal(t, http.StatusBadRequest, f.follow("/arendevy/go/"+token, true, "").Code, "a case reference is no deep link")

	f.cases = f.cases[:len(f.cases)-1]
	_, err = f.links.OpenInfo(in, tolvan, token)
	require.ErrorIs(t, err, ErrGone, "a case gone since")

	f.now = f.now.Add(DefaultLifetime)
	_, err = f.links.OpenInfo(in, tolvan, token)
	require.ErrorIs(t, err, ErrExpired)
}
