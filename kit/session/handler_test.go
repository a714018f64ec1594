package session

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/identity"
)

func principalsOf(t *testing.T, b *browser) []Principal {
	t.Helper()
	res := b.do(http.MethodGet, "/arendevy/api/principals", nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	for _, s := range []string{agnes.Number, child.Number, firm.Number} {
		require.NotContains(t, string(body), s, "names only, never numbers")
	}
	var list []Principal
	require.NoError(t, json.Unmarshal(body, &list))
	return list
}

func overviewBody(t *testing.T, b *browser) map[string]any {
	t.Helper()
	res := b.do(http.MethodGet, "/arendevy/api/overview", nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	var v map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&v))
	return v
}

func TestActingFor(t *testing.T) {
	for _, kind := range storeKinds() {
		t.Run(kind.name, func(t *testing.T) {
			c := newClock()
			a := newApp(t, kind.new(t, c), c, nil)
			b := a.browser(t)
			b.acs(eleg(agnes, LoA3))
			token := b.csrf()

			require.Equal(t, []Principal{
				{Ref: "0", Name: agnes.Name, Kind: identity.Personnummer, Current: true},
				{Ref: "1", Name: child.Name, Kind: identity.Personnummer},
				{Ref: "2", Name: firm.Name, Kind: identity.Organisationsnummer},
			}, principalsOf(t, b))

			res := b.do(http.MethodPost, "/arendevy/act-for", url.Values{"party": {"2"}, "csrf": {token}, "return": {"/mina-sidor?flik=arenden"}}, nil)
			require.Equal(t, http.StatusSeeOther, res.StatusCode)
			require.Equal(t, "/mina-sidor?flik=arenden", res.Header.Get("Location"))
			ov := overviewBody(t, b)
			require.Equal(t, true, ov["agent"])
			require.Equal(t, string(identity.Organisationsnummer), ov["customer"])
			require.True(t, principalsOf(t, b)[2].Current)

			res = b.do(http.MethodPost, "/arendevy/act-for", url.Values{"party": {"0"}}, http.Header{"X-Csrf-Token": {token}, "Accept": {"application/json"}})
			require.Equal(t, http.StatusOK, res.StatusCode)
			var list []Principal
			require.NoError(t, json.NewDecoder(res.Body).Decode(&list))
			require.True(t, list[0].Current)
			require.Equal(t, false, overviewBody(t, b)["agent"])
		})
	}
}

func TestActForRefusals(t *testing.T) {
	tests := []struct {
		name   string
		form   url.Values
		header http.Header
		status int
	}{
		{"principal not in the mandate list", url.Values{"party": {"3"}}, nil, http.StatusForbidden},
		{"negative ref", url.Values{"party": {"-1"}}, nil, http.StatusForbidden},
		{"ref with a leading zero", url.Values{"party": {"01"}}, nil, http.StatusForbidden},
		{"an identity number instead of a ref", url.Values{"party": {child.Number}}, nil, http.StatusForbidden},
		{"no party", url.Values{}, nil, http.StatusForbidden},
		{"without CSRF token", url.Values{"party": {"1"}}, http.Header{"X-Csrf-Token": nil}, http.StatusForbidden},
		{"with a wrong CSRF token", url.Values{"party": {"1"}}, http.Header{"X-Csrf-Token": {randomToken()}}, http.StatusForbidden},
		{"from a foreign Origin", url.Values{"party": {"1"}}, http.Header{"Sec-Fetch-Site": {""}, "Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"from a cross-site page", url.Values{"party": {"1"}}, http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			a := newApp(t, NewMemory(MemoryConfig{Now: c.Now}), c, nil)
			b := a.browser(t)
			b.acs(eleg(agnes, LoA3))
			header := http.Header{"X-Csrf-Token": {b.csrf()}}
			for k, v := range tt.header {
				header[k] = v
			}
			res := b.do(http.MethodPost, "/arendevy/act-for", tt.form, header)
			require.Equal(t, tt.status, res.StatusCode)
			require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
			require.Equal(t, false, overviewBody(t, b)["agent"], "still acting for themselves")
		})
	}
}

func TestActForReturnIsLocalOnly(t *testing.T) {
	for _, ret := range []string{"https://evil.example/", "//evil.example/", `/\evil.example/`, "javascript:alert(1)", "/%0d%0aSet-Cookie:x", ""} {
		t.Run(ret, func(t *testing.T) {
			c := newClock()
			a := newApp(t, nil, c, nil)
			b := a.browser(t)
			b.acs(eleg(agnes, LoA3))
			res := b.do(http.MethodPost, "/arendevy/act-for", url.Values{"party": {"1"}, "csrf": {b.csrf()}, "return": {ret}}, nil)
			require.Equal(t, http.StatusSeeOther, res.StatusCode)
			loc := res.Header.Get("Location")
			if ret == "/%0d%0aSet-Cookie:x" {
				require.Equal(t, ret, loc, "escaped bytes stay escaped on this site")
				return
			}
			require.Equal(t, "/", loc)
		})
	}
}

type failingMandates struct{}

func (failingMandates) Principals(context.Context, identity.Party) ([]identity.Party, error) {
	return nil, errors.New("mandate service down")
}

func TestPrincipalsEdgeCases(t *testing.T) {
	t.Run("not logged in", func(t *testing.T) {
		c := newClock()
		b := newApp(t, nil, c, nil).browser(t)
		require.Equal(t, http.StatusUnauthorized, b.do(http.MethodGet, "/arendevy/api/principals", nil, nil).StatusCode)
		require.Equal(t, http.StatusUnauthorized, b.do(http.MethodGet, "/arendevy/api/csrf", nil, nil).StatusCode)
	})
	t.Run("without mandates the user is alone", func(t *testing.T) {
		c := newClock()
		b := newApp(t, nil, c, nil).browser(t)
		b.acs(eleg(other, LoA3))
		require.Equal(t, []Principal{{Ref: "0", Name: other.Name, Kind: identity.Personnummer, Current: true}}, principalsOf(t, b))
	})
	t.Run("mandate source down is a clear 503", func(t *testing.T) {
		c := newClock()
		a := newApp(t, nil, c, func(cfg *Config) { cfg.Mandates = failingMandates{} })
		b := a.browser(t)
		b.acs(eleg(agnes, LoA3))
		res := b.do(http.MethodGet, "/arendevy/api/principals", nil, nil)
		require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
		require.Contains(t, a.logs.String(), "mandate service down")
	})
}

func remainingOf(t *testing.T, res *http.Response) Remaining {
	t.Helper()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	var r Remaining
	require.NoError(t, json.NewDecoder(res.Body).Decode(&r))
	return r
}

// TestSessionClock: GET {mount}/api/session tells how long the session has
// without counting as use (asking must not keep a session alive), POST
// counts as use ("stay logged in") behind the CSRF check, and an ended
// session answers 401.
func TestSessionClock(t *testing.T) {
	for _, kind := range storeKinds() {
		t.Run(kind.name, func(t *testing.T) {
			c := newClock()
			a := newApp(t, kind.new(t, c), c, func(cfg *Config) { cfg.IdleTimeout = 10 * time.Minute })
			b := a.browser(t)
			b.acs(eleg(agnes, LoA3))
			token := b.csrf()

			c.Add(3 * time.Minute)
			r := remainingOf(t, b.do(http.MethodGet, "/arendevy/api/session", nil, nil))
			require.Equal(t, Remaining{Seconds: 7 * 60, WarnBefore: 2 * 60, Extendable: true}, r)
			c.Add(3 * time.Minute)
			r = remainingOf(t, b.do(http.MethodGet, "/arendevy/api/session", nil, nil))
			require.Equal(t, 4*60, r.Seconds, "asking is not using")

			res := b.do(http.MethodPost, "/arendevy/api/session", nil, nil)
			require.Equal(t, http.StatusForbidden, res.StatusCode, "extending needs the CSRF token")
			r = remainingOf(t, b.do(http.MethodPost, "/arendevy/api/session", nil, http.Header{"X-Csrf-Token": {token}}))
			require.Equal(t, 10*60, r.Seconds, "staying logged in starts the idle time anew")

			c.Add(10 * time.Minute)
			res = b.do(http.MethodGet, "/arendevy/api/session", nil, nil)
			require.Equal(t, http.StatusUnauthorized, res.StatusCode)
			require.Equal(t, http.StatusUnauthorized, b.overview())
		})
	}
}

// TestSessionClockWarnsWithinShortLimits: the offer comes at most half the
// idle time before the end, and Extendable says when the absolute timeout
// comes first.
func TestSessionClockWarnsWithinShortLimits(t *testing.T) {
	c := newClock()
	a := newApp(t, NewMemory(MemoryConfig{Now: c.Now}), c, func(cfg *Config) {
		cfg.IdleTimeout, cfg.AbsoluteTimeout = 10*time.Second, 15*time.Second
	})
	b := a.browser(t)
	b.acs(eleg(agnes, LoA3))
	r := remainingOf(t, b.do(http.MethodGet, "/arendevy/api/session", nil, nil))
	require.Equal(t, Remaining{Seconds: 10, WarnBefore: 5, Extendable: true}, r)
	c.Add(8 * time.Second)
	require.Equal(t, http.StatusOK, b.overview())
	r = remainingOf(t, b.do(http.MethodGet, "/arendevy/api/session", nil, nil))
	require.Equal(t, Remaining{Seconds: 7, WarnBefore: 5, Extendable: false}, r)
}

func TestSessionClockWithoutSession(t *testing.T) {
	c := newClock()
	a := newApp(t, NewMemory(MemoryConfig{Now: c.Now}), c, nil)
	res := a.browser(t).do(http.MethodGet, "/arendevy/api/session", nil, nil)
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Contains(t, string(body), `"status":401`)
}
