package outgoing

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/internal/hostiletest"
)

func TestNewBoundsEveryStep(t *testing.T) {
	for _, tt := range []struct {
		name    string
		timeout time.Duration
		want    time.Duration
	}{
		{"default", 0, DefaultTimeout},
		{"given", 750 * time.Millisecond, 750 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{Timeout: tt.timeout})
			require.Equal(t, tt.want, c.Timeout)
			tr := c.Transport.(*http.Transport)
			require.Equal(t, tt.want, tr.TLSHandshakeTimeout)
			require.Equal(t, tt.want, tr.ResponseHeaderTimeout)
			require.NotNil(t, tr.DialContext)
			require.Equal(t, int64(MaxHeaderBytes), tr.MaxResponseHeaderBytes)
			require.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
		})
	}
}

func TestNewKeepsTheCallersTLSConfig(t *testing.T) {
	mine := &tls.Config{ServerName: "hub.example.se"}
	tr := New(Options{TLS: mine}).Transport.(*http.Transport)
	require.Equal(t, "hub.example.se", tr.TLSClientConfig.ServerName)
	require.Zero(t, mine.MinVersion, "the caller's config is cloned, not changed")
}

func TestNoRedirectIsFollowed(t *testing.T) {
	target := hostiletest.NewTarget(t, http.StatusOK, "text/plain", "elsewhere")
	clients := map[string]*http.Client{
		"New":              New(Options{}),
		"WithoutRedirects": WithoutRedirects(&http.Client{}),
	}
	for name, c := range clients {
		for _, status := range hostiletest.RedirectStatuses {
			for _, location := range []string{"/elsewhere", target.URL} {
				t.Run(fmt.Sprintf("%s %d to %s", name, status, location), func(t *testing.T) {
					var elsewhere atomic.Int64
					srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						if r.URL.Path == "/elsewhere" {
							elsewhere.Add(1)
						}
						http.Redirect(w, r, location, status)
					}))
					defer srv.Close()
					before := target.Requests()
					resp, err := c.Post(srv.URL, "application/json", nil)
					require.NoError(t, err)
					resp.Body.Close()
					require.Equal(t, status, resp.StatusCode, "the caller gets the redirect to report")
					require.Zero(t, elsewhere.Load(), "followed to the same host")
					require.Equal(t, before, target.Requests(), "followed to another host")
				})
			}
		}
	}
}

func TestWithoutRedirectsLeavesTheGivenClientAlone(t *testing.T) {
	given := &http.Client{Timeout: time.Second}
	c := WithoutRedirects(given)
	require.Nil(t, given.CheckRedirect)
	require.NotNil(t, c.CheckRedirect)
	require.Equal(t, time.Second, c.Timeout)
}

func TestHeaderProblems(t *testing.T) {
	require.Empty(t, HeaderProblems(nil, Reserved()))
	require.Empty(t, HeaderProblems(map[string]string{"client_id": "x", "Accept-Language": "en"}, Reserved("Accept")))
	require.Equal(t, []string{
		"Headers: Accept is set by the client",
		"Headers: Transfer-Encoding is set by the client",
		`Headers: "bad name" is not a valid header name`,
	}, HeaderProblems(map[string]string{"Accept": "x", "Transfer-Encoding": "x", "bad name": "x"}, Reserved("accept")))
	problems := HeaderProblems(map[string]string{"client_secret": "s3cr3t\r\nX-Injected: 1"}, Reserved())
	require.Equal(t, []string{"Headers: the value of client_secret is not a valid header value"}, problems)
}

func TestSetHeadersReplacesDefaults(t *testing.T) {
	h := http.Header{}
	h.Set("Accept-Language", "sv")
	SetHeaders(h, map[string]string{"accept-language": "en", "client_id": "portal"})
	require.Equal(t, []string{"en"}, h["accept-language"])
	require.Empty(t, h.Values("Accept-Language"), "the default is gone")
	require.Equal(t, []string{"portal"}, h["client_id"], "sent as configured, not canonicalised")
}
