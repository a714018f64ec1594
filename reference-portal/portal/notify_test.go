package portal

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/session"
)

// TestSettingsSayWhenNoNotificationsAreOffered: a portal whose source
// sends no notifications (Mina ärenden alone: no kit.Config.AccountSettings)
// says so on its settings page, in the catalogue's words, and offers no
// channel, address or frequency to fill in.
func TestSettingsSayWhenNoNotificationsAreOffered(t *testing.T) {
	const loa = "http://id.elegnamnden.se/loa/1.0/loa3"
	sm, err := session.NewManager(session.Config{AcceptedLoAs: []string{loa}, AllowPlainHTTP: true, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	prefs, err := preferences.NewMemory([]byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	dir, err := producers.New([]producers.Info{{ID: "skatteverket", Name: "Skatteverket"}})
	require.NoError(t, err)
	k, err := kit.New(kit.Config{Sessions: sm, Preferences: prefs, Producers: dir, Logger: slog.New(slog.DiscardHandler),
		Sources: []fanout.Member{{Name: "mina-arenden", Actor: cases.Actor{ID: "mina-arenden", Name: "Mina ärenden"},
			Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) { return cases.Result{}, nil })}}})
	require.NoError(t, err)
	p, err := New(Options{Kit: k, Sessions: sm, Preferences: prefs, Producers: dir, LoginURL: k.LoginURL, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)

	login := httptest.NewRecorder()
	require.NoError(t, sm.Login(login, httptest.NewRequest(http.MethodGet, "http://localhost/", nil),
		identity.Subject{User: identity.Party{Number: "191212121212", Kind: identity.Personnummer, Name: "Tolvan Tolvansson"}, LoA: loa},
		session.SAMLInfo{}))
	for _, tc := range []struct{ lang, want string }{
		{"sv", "Den här portalens ärendekälla skickar inga aviseringar."},
		{"en", "This portal's case source sends no notifications."},
	} {
		r := httptest.NewRequest(http.MethodGet, "http://localhost/installningar", nil)
		r.Header.Set("Accept-Language", tc.lang)
		for _, c := range login.Result().Cookies() {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		p.Handler().ServeHTTP(w, r)
		require.Equal(t, http.StatusOK, w.Code)
		body, _ := io.ReadAll(w.Body)
		require.Contains(t, html.UnescapeString(string(body)), `<p id="notifications-not-offered">`+tc.want)
		for _, field := range []string{`name="channel"`, `name="address"`, `name="frequency"`, `name="notify"`, "/utveckling/utskick", "/installningar/aterkalla"} {
			require.NotContains(t, string(body), field)
		}
	}
}
