package deeplink

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/session"
)

const caseLink = "https://etjanst.skatteverket.se/arende/BYGG-2026-00123?steg=komplettering"

type fixture struct {
	links   *Links
	now     time.Time
	logs    *bytes.Buffer
	binding []byte // of the session the overview is shown in and links are followed in
}

// newBinding stands for a session of its own, as session.Manager.Middleware
// would put it in the context.
func newBinding() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

// rewrite rewrites link in the fixture's session.
func (f *fixture) rewrite(producerID, link string) (string, bool) {
	return f.links.Rewrite(session.WithBinding(context.Background(), f.binding), producerID, link)
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
	f := &fixture{now: time.Date(2026, 9, 14, 9, 0, 0, 0, time.UTC), logs: &bytes.Buffer{}, binding: newBinding()}
	if dir == nil {
		dir = directory(t)
	}
	l, err := New(Config{
		Producers: dir, Key: key, Mount: "/arendevy",
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
			got, ok := f.rewrite(tt.producer, tt.link)
			require.False(t, ok)
			require.Empty(t, got)
		})
	}
}

func TestFollowingALink(t *testing.T) {
	f := newFixture(t, nil, nil)
	t.Run("the page URL carries no case data", func(t *testing.T) {
		u, ok := f.rewrite("skv", caseLink)
		require.True(t, ok)
		require.True(t, strings.HasPrefix(u, "/arendevy/go/"))
		for _, leak := range []string{"BYGG", "2026-00123", "skatteverket", "komplettering", "skv"} {
			require.NotContains(t, u, leak)
		}
		other, _ := f.rewrite("skv", caseLink)
		require.NotEqual(t, u, other, "a fresh nonce each time: equal links are not linkable")
	})
	t.Run("redirects to the producer's e-service", func(t *testing.T) {
		u, _ := f.rewrite("skv", caseLink)
		w := f.follow(u, true, "")
		require.Equal(t, http.StatusSeeOther, w.Code)
		require.Equal(t, caseLink, w.Header().Get("Location"))
		require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	})
	t.Run("goes through the producer's SSO entry point when it has one", func(t *testing.T) {
		link := "https://www.forsakringskassan.se/mina-sidor/arende?id=42&typ=fp"
		u, ok := f.rewrite("fk", link)
		require.True(t, ok)
		w := f.follow(u, true, "")
		require.Equal(t, http.StatusSeeOther, w.Code)
		loc, err := url.Parse(w.Header().Get("Location"))
		require.NoError(t, err)
		require.Equal(t, "idp.forsakringskassan.se", loc.Host)
		require.Equal(t, link, loc.Query().Get("RelayState"), "the target survives URL-escaped")
	})
	t.Run("without a login: a 401 page that logs in and comes back", func(t *testing.T) {
		u, _ := f.rewrite("skv", caseLink)
		w := f.follow(u, false, "")
		require.Equal(t, http.StatusUnauthorized, w.Code)
		require.Contains(t, w.Header().Get("Content-Type"), "text/html")
		body := w.Body.String()
		require.Contains(t, body, `<html lang="sv">`)
		require.Contains(t, body, "Logga in först")
		require.Contains(t, body, "/arendevy/saml/login?return="+url.QueryEscape(u))
		require.NotContains(t, body, "skatteverket")
	})
	t.Run("English when the browser asks for it", func(t *testing.T) {
		w := f.follow("/arendevy/go/x", false, "en-GB,en;q=0.9")
		require.Contains(t, w.Body.String(), `<html lang="en">`)
		require.Contains(t, w.Body.String(), "Log in first")
	})
}

func TestRefusedTokens(t *testing.T) {
	f := newFixture(t, nil, nil)
	good, _ := f.rewrite("skv", caseLink)
	token := strings.TrimPrefix(good, "/arendevy/go/")
	foreign := newFixture(t, nil, nil)
	foreignLink, _ := foreign.rewrite("skv", caseLink)

	tamper := func(i int) string {
		b := []byte(token)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return "/arendevy/go/" + string(b)
	}
	// Tokens for targets the allow-list refuses, sealed under the right key
	// (as an older directory, or a bug in a caller, might have made them).
	sealed := func(producer, link string) string {
		return f.links.seal(f.binding, producer, link, f.now.Add(time.Hour))
	}
	// A plaintext sealed under the right key without the padding's marker.
	unpadded := func() string {
		plain := binary.BigEndian.AppendUint64([]byte{version}, uint64(f.now.Add(time.Hour).Unix()))
		plain = append(append(append(plain, 3), "skv"...), caseLink...)
		nonce := make([]byte, f.links.aead.NonceSize())
		return "/arendevy/go/" + base64.RawURLEncoding.EncodeToString(f.links.aead.Seal(nonce, nonce, plain, additionalData(f.binding)))
	}
	tests := []struct {
		name, path, title string
		expired           bool
	}{
		{"sealed without padding", unpadded(), "Länken kan inte öppnas", false},
		{"tampered token (first byte)", tamper(0), "Länken kan inte öppnas", false},
		{"tampered token (last byte)", tamper(len(token) - 1), "Länken kan inte öppnas", false},
		{"truncated token", good[:len(good)-4], "Länken kan inte öppnas", false},
		{"token sealed under another key", foreignLink, "Länken kan inte öppnas", false},
		{"not base64", "/arendevy/go/%21%21%21", "Länken kan inte öppnas", false},
		{"empty-ish token", "/arendevy/go/AA", "Länken kan inte öppnas", false},
		{"oversized token", "/arendevy/go/" + strings.Repeat("A", maxTokenSize+4), "Länken kan inte öppnas", false},
		{"sealed javascript: target", sealed("skv", "javascript:alert(1)"), "Länken kan inte öppnas", false},
		{"sealed data: target", sealed("skv", "data:text/html,hi"), "Länken kan inte öppnas", false},
		{"sealed //host target", sealed("skv", "//evil.example/"), "Länken kan inte öppnas", false},
		{"sealed userinfo target", sealed("skv", "https://etjanst.skatteverket.se@evil.example/"), "Länken kan inte öppnas", false},
		{"sealed off-list host", sealed("skv", "https://evil.example/"), "Länken kan inte öppnas", false},
		{"sealed for an unknown producer", sealed("gone", caseLink), "Länken kan inte öppnas", false},
		{"expired token", good, "Länken har slutat gälla", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.expired {
				f.now = f.now.Add(time.Hour)
				defer func() { f.now = f.now.Add(-time.Hour) }()
			}
			w := f.follow(tt.path, true, "")
			require.Equal(t, http.StatusBadRequest, w.Code)
			require.Empty(t, w.Header().Get("Location"))
			require.Contains(t, w.Body.String(), tt.title)
		})
	}
	logs := f.logs.String()
	require.Contains(t, logs, "deep link refused")
	for _, leak := range []string{"skatteverket", "evil", "javascript", token} {
		require.NotContains(t, logs, leak, "no URL or token in the log")
	}
}

func TestLinksAreBoundToTheSession(t *testing.T) {
	f := newFixture(t, nil, nil)
	u, ok := f.rewrite("skv", caseLink)
	require.True(t, ok)
	// A token of the layout before the binding: version 2, sealed with only
	// the purpose as additional data.
	before := func() string {
		plain := binary.BigEndian.AppendUint64([]byte{2}, uint64(f.now.Add(time.Hour).Unix()))
		plain = append(append(append(plain, 3), "skv"...), caseLink...)
		plain = append(plain, padMarker)
		plain = append(plain, make([]byte, paddedSize(len(plain)-1)-len(plain))...)
		nonce := make([]byte, f.links.aead.NonceSize())
		return "/arendevy/go/" + base64.RawURLEncoding.EncodeToString(f.links.aead.Seal(nonce, nonce, plain, []byte("arendevy deep link v2")))
	}

	require.Equal(t, http.StatusSeeOther, f.follow(u, true, "").Code, "in the session it was made for")
	require.Equal(t, http.StatusSeeOther, f.follow(u, true, "").Code, "as often as the user likes")
	for name, w := range map[string]*httptest.ResponseRecorder{
		"another session (another user, or a new login)": f.followIn(newBinding(), true, u, ""),
		"a subject without a session binding":            f.followIn(nil, true, u, ""),
		"a token from before the binding":                f.follow(before(), true, ""),
	} {
		t.Run(name, func(t *testing.T) {
			require.Equal(t, http.StatusBadRequest, w.Code)
			require.Empty(t, w.Header().Get("Location"))
			require.Contains(t, w.Body.String(), "Länken kan inte öppnas")
		})
	}
	t.Run("no token without a session", func(t *testing.T) {
		got, ok := f.links.Rewrite(context.Background(), "skv", caseLink)
		require.False(t, ok)
		require.Empty(t, got)
	})
	t.Run("the binding does not travel in the token", func(t *testing.T) {
		require.NotContains(t, u, base64.RawURLEncoding.EncodeToString(f.binding))
		require.Len(t, u, len("/arendevy/go/")+208, "the token keeps its length")
	})
}

func TestTokensExpire(t *testing.T) {
	f := newFixture(t, nil, nil)
	u, _ := f.rewrite("skv", caseLink)
	f.now = f.now.Add(DefaultLifetime - time.Second)
	require.Equal(t, http.StatusSeeOther, f.follow(u, true, "").Code, "usable for its lifetime")
	f.now = f.now.Add(time.Second)
	w := f.follow(u, true, "")
	require.Equal(t, http.StatusBadRequest, w.Code)
	require.Contains(t, w.Body.String(), "Länken har slutat gälla")
	require.Contains(t, f.logs.String(), ErrExpired.Error())
}

func TestSharedKeyAndChangedAllowList(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	a := newFixture(t, key, nil)
	b := newFixture(t, key, nil)
	b.binding = a.binding // the same session, reaching another instance
	u, ok := a.rewrite("skv", caseLink)
	require.True(t, ok)
	require.Equal(t, http.StatusSeeOther, b.follow(u, true, "").Code, "instances sharing a key follow each other's links")

	narrowed := newFixture(t, key, directory(t, producers.Info{ID: "skv", Name: "Skatteverket", Hosts: []string{"www.skatteverket.se"}}))
	narrowed.binding = a.binding
	require.Equal(t, http.StatusBadRequest, narrowed.follow(u, true, "").Code, "the allow-list is checked again when the link is followed")
}

func TestNewRejectsBadConfig(t *testing.T) {
	d := directory(t)
	for name, cfg := range map[string]Config{
		"no directory":      {Mount: "/arendevy"},
		"short key":         {Producers: d, Mount: "/arendevy", Key: make([]byte, 16)},
		"negative lifetime": {Producers: d, Mount: "/arendevy", Lifetime: -time.Minute},
		"no mount":          {Producers: d},
		"relative mount":    {Producers: d, Mount: "arendevy"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(cfg)
			require.Error(t, err)
		})
	}
}

func FuzzOpen(f *testing.F) {
	fx := newFixture(f, bytes.Repeat([]byte{1}, KeySize), directory(f))
	good, _ := fx.rewrite("skv", caseLink)
	f.Add(strings.TrimPrefix(good, "/arendevy/go/"))
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, token string) {
		producer, link, err := fx.links.open(fx.binding, token)
		if err != nil {
			require.Empty(t, producer)
			require.Empty(t, link)
		}
	})
}

func FuzzRewriteRoundTrip(f *testing.F) {
	fx := newFixture(f, nil, directory(f))
	f.Add("skv", caseLink)
	f.Add("fk", "https://www.forsakringskassan.se/x?y=z#frag")
	f.Add("skv", "javascript:alert(1)")
	f.Fuzz(func(t *testing.T, producer, link string) {
		u, ok := fx.rewrite(producer, link)
		if !ok {
			return
		}
		require.True(t, fx.links.cfg.Producers.Allows(producer, link))
		gotProducer, gotLink, err := fx.links.open(fx.binding, strings.TrimPrefix(u, "/arendevy/go/"))
		require.NoError(t, err)
		require.Equal(t, producer, gotProducer)
		require.Equal(t, link, gotLink)
	})
}

// BenchmarkRewrite: Rewrite runs once per case in every overview.
func BenchmarkRewrite(b *testing.B) {
	fx := newFixture(b, nil, directory(b))
	for b.Loop() {
		if _, ok := fx.rewrite("skv", caseLink); !ok {
			b.Fatal("refused")
		}
	}
}

func TestTokensDoNotTellTheLinksLength(t *testing.T) {
	f := newFixture(t, nil, nil)
	links := map[string]string{
		"skv short": "https://etjanst.skatteverket.se/arende/BYGG-2026-12",
		"skv":       caseLink,
		"skv long":  "https://etjanst.skatteverket.se/arende/BYGG-2026-00123?steg=komplettering&" + strings.Repeat("x", 30),
		"fk":        "https://www.forsakringskassan.se/mina-sidor/arende?id=42",
	}
	length := -1
	for name, link := range links {
		producer, _, _ := strings.Cut(name, " ")
		u, ok := f.rewrite(producer, link)
		require.True(t, ok, name)
		if length < 0 {
			length = len(u)
		}
		require.Len(t, u, length, "%s: links of about the same size give tokens of one length", name)
		w := f.follow(u, true, "")
		require.Equal(t, http.StatusSeeOther, w.Code, name)
		dest, err := url.Parse(w.Header().Get("Location"))
		require.NoError(t, err)
		if producer == "fk" { // through its SSO entry point
			require.Equal(t, link, dest.Query().Get("RelayState"), "%s: the padding is gone on opening", name)
		} else {
			require.Equal(t, link, dest.String(), "%s: the padding is gone on opening", name)
		}
	}

	// Longer links fall in the next size, again one for all of them.
	long, _ := f.rewrite("skv", "https://etjanst.skatteverket.se/"+strings.Repeat("a", 300))
	longer, _ := f.rewrite("skv", "https://etjanst.skatteverket.se/"+strings.Repeat("a", 400))
	require.Greater(t, len(long), length)
	require.Equal(t, len(long), len(longer))
}

// A case reference for the information page names its producer and case
// number only in the session it was made for, until it expires, and never
// opens as a deep link (nor a deep link as a reference).
func TestCaseReferencesAreSealedAndBound(t *testing.T) {
	f := newFixture(t, nil, nil)
	in := session.WithBinding(context.Background(), f.binding)
	u, ok := f.links.Info(in, "/mina-arenden/kontakt/", "csn", "CSN 2026/4711")
	require.True(t, ok)
	require.True(t, strings.HasPrefix(u, "/mina-arenden/kontakt/"))
	require.NotContains(t, u, "4711", "the case number stays out of the address")
	token := strings.TrimPrefix(u, "/mina-arenden/kontakt/")

	producer, number, err := f.links.OpenInfo(in, token)
	require.NoError(t, err)
	require.Equal(t, "csn", producer)
	require.Equal(t, "CSN 2026/4711", number)

	_, _, err = f.links.OpenInfo(session.WithBinding(context.Background(), newBinding()), token)
	require.ErrorIs(t, err, ErrInvalidToken, "another session")
	_, _, err = f.links.OpenInfo(context.Background(), token)
	require.ErrorIs(t, err, ErrNoSession)
	_, ok = f.links.Info(context.Background(), "/mina-arenden/kontakt/", "csn", "1")
	require.False(t, ok, "no session, no reference")

	link, ok := f.rewrite("skv", caseLink)
	require.True(t, ok)
	_, _, err = f.links.OpenInfo(in, strings.TrimPrefix(link, "/arendevy/go/"))
	require.ErrorIs(t, err, ErrInvalidToken, "a deep link is no case reference")
	require.Equal(t, http.StatusBadRequest, f.follow("/arendevy/go/"+token, true, "").Code, "a case reference is no deep link")

	f.now = f.now.Add(DefaultLifetime)
	_, _, err = f.links.OpenInfo(in, token)
	require.ErrorIs(t, err, ErrExpired)
}
