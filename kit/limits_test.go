package kit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/ratelimit"
	"github.com/arendevy/arendevy/kit/session"
)

// limitedKit is a kit with the given limits over a source that counts its
// calls, on a clock the test moves.
func limitedKit(t *testing.T, limits Limits) (*Kit, *atomic.Int32, *time.Time) {
	t.Helper()
	calls := new(atomic.Int32)
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	k, err := New(Config{
		Limits: limits,
		Now:    func() time.Time { return now },
		Sources: []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
			Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) {
				calls.Add(1)
				return cases.Result{}, nil
			})}},
	})
	require.NoError(t, err)
	return k, calls, &now
}

// fromBrowser asks for the overview in the session named by binding, from
// address remote, in language lang.
func fromBrowser(k *Kit, binding, remote, lang string, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/arendevy/api/overview", nil)
	r.RemoteAddr = remote
	r.Header.Set("Accept-Language", lang)
	for name, v := range header {
		r.Header[name] = v
	}
	ctx := identity.WithSubject(r.Context(), tolvan)
	ctx = session.WithBinding(ctx, []byte(binding))
	w := httptest.NewRecorder()
	k.Handler().ServeHTTP(w, r.WithContext(ctx))
	return w
}

func TestARefreshStormFromOneBrowserGets429AndNeverReachesTheSources(t *testing.T) {
	k, calls, now := limitedKit(t, Limits{PerSession: ratelimit.Rate{Burst: 3, Every: 10 * time.Second}})
	for range 3 {
		require.Equal(t, http.StatusOK, fromBrowser(k, "storm", "192.0.2.1:1000", "sv", nil).Code)
	}
	require.EqualValues(t, 3, calls.Load())
	for lang, title := range map[string]string{"sv": "För många förfrågningar", "en": "Too many requests"} {
		w := fromBrowser(k, "storm", "192.0.2.1:1000", lang, nil)
		require.Equal(t, http.StatusTooManyRequests, w.Code)
		require.Equal(t, "10", w.Header().Get("Retry-After"))
		require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
		require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		var p struct{ Title string }
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &p))
		require.Equal(t, title, p.Title, "in the user's language")
	}
	require.EqualValues(t, 3, calls.Load(), "refused requests never reach a source")

	require.Equal(t, http.StatusOK, fromBrowser(k, "calm", "192.0.2.1:1000", "sv", nil).Code, "another session on the same address is not affected")

	*now = now.Add(10 * time.Second)
	require.Equal(t, http.StatusOK, fromBrowser(k, "storm", "192.0.2.1:1000", "sv", nil).Code, "one request again after Retry-After")
}

func TestARefreshStormFromOneAddressGets429(t *testing.T) {
	k, calls, _ := limitedKit(t, Limits{
		PerSession: ratelimit.Rate{Burst: 100, Every: time.Second},
		PerAddress: ratelimit.Rate{Burst: 2, Every: 30 * time.Second},
	})
	for _, s := range []string{"a", "b"} {
		require.Equal(t, http.StatusOK, fromBrowser(k, s, "192.0.2.1:1000", "en", nil).Code)
	}
	w := fromBrowser(k, "c", "192.0.2.1:2000", "en", nil)
	require.Equal(t, http.StatusTooManyRequests, w.Code, "new sessions from a spent address")
	require.Equal(t, "30", w.Header().Get("Retry-After"))
	require.Equal(t, http.StatusTooManyRequests,
		fromBrowser(k, "d", "192.0.2.1:3000", "en", http.Header{"X-Forwarded-For": {"198.51.100.9"}}).Code,
		"X-Forwarded-For is not believed without trusted proxies")
	require.Equal(t, http.StatusOK, fromBrowser(k, "e", "192.0.2.2:1000", "en", nil).Code, "another address is not affected")
	require.EqualValues(t, 3, calls.Load())
}

func TestBehindATrustedProxyTheForwardedAddressCounts(t *testing.T) {
	k, _, _ := limitedKit(t, Limits{
		PerAddress:     ratelimit.Rate{Burst: 1, Every: time.Minute},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
	})
	lb := "10.0.0.5:4000"
	require.Equal(t, http.StatusOK, fromBrowser(k, "a", lb, "en", http.Header{"X-Forwarded-For": {"198.51.100.1"}}).Code)
	require.Equal(t, http.StatusOK, fromBrowser(k, "b", lb, "en", http.Header{"X-Forwarded-For": {"198.51.100.2"}}).Code,
		"two clients behind one balancer are two addresses")
	require.Equal(t, http.StatusTooManyRequests, fromBrowser(k, "c", lb, "en", http.Header{"X-Forwarded-For": {"198.51.100.1"}}).Code)
}

func TestLimitsAreChecked(t *testing.T) {
	for _, l := range []Limits{
		{PerSession: ratelimit.Rate{Burst: 5}},
		{PerAddress: ratelimit.Rate{Burst: -1, Every: time.Second}},
		{SourceConcurrency: -1},
	} {
		_, err := New(Config{Limits: l, Sources: []fanout.Member{{Name: "demo", Actor: cases.Actor{ID: "demo", Name: "Demo"},
			Source: cases.SourceFunc(func(context.Context, identity.Subject) (cases.Result, error) { return cases.Result{}, nil })}}})
		require.ErrorContains(t, err, "Limits")
	}
}
