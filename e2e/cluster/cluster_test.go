package cluster

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/testpki"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// portalBinary builds the reference portal once per test binary.
func portalBinary(t *testing.T) string {
	t.Helper()
	bin, err := BuildPortal(t.Context(), "../..", t.TempDir())
	require.NoError(t, err)
	return bin
}

// TestTwoInstancesShareOneRedis runs two instances of the built portal
// against one real redis-server, with the shared session key and SP key: a
// session made on one is used on the other, a SAML Response replayed to the
// other (with its tracking cookie, as an attacker who copied both would) is
// refused by the shared replay cache, and a logout on one ends the session
// on both.
func TestTwoInstancesShareOneRedis(t *testing.T) {
	_, err := exec.LookPath("redis-server")
	require.NoError(t, err, "make test-deps installs redis-server")
	c, err := Start(t.Context(), Config{Dir: t.TempDir(), Binary: portalBinary(t), Instances: 2})
	require.NoError(t, err)
	t.Cleanup(c.Stop)
	a, b := c.Portals[0], c.Portals[1]

	ctx := context.Background()
	onA := NewClient(a.URL)
	captured, err := onA.LogIn(ctx, 0)
	require.NoError(t, err)
	status, _, err := onA.Overview(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, "logged in on A")
	resp, _, err := onA.do(ctx, http.MethodGet, a.URL+"/mina-arenden", nil, nil)
	require.NoError(t, err)
	require.Contains(t, resp.Header.Get("Content-Security-Policy"), "form-action 'self' "+strings.TrimSuffix(c.idp.url, "/devidp"),
		"the logout form may go on to the IdP, another origin")

	// The same browser (cookies are per host, not per port) asks B.
	onB := &Client{base: b.URL, http: onA.http}
	status, ov, err := onB.Overview(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, "the session made on A works on B")
	require.NotEmpty(t, ov.Cases)

	accepted, err := Replay(ctx, b.URL, captured)
	require.NoError(t, err)
	require.False(t, accepted, "a SAML Response replayed to B is refused")
	require.Contains(t, b.Log(), "saml: login refused")
	require.Contains(t, b.Log(), "already", "refused by the shared replay cache, not by anything else")

	require.NoError(t, onB.LogOut(ctx))
	for _, cl := range []*Client{onA, onB} {
		status, _, err := cl.Overview(ctx)
		require.NoError(t, err)
		require.Equal(t, http.StatusUnauthorized, status, "logged out on B ends the session on %s", cl.base)
	}
}

// TestGeneratedConfigurationPasses: the configuration the cluster writes
// for its instances (Sentinel, fake hubs over mutual TLS, shared keys)
// passes the portal's own check, so an instance never fails to start on it.
func TestGeneratedConfigurationPasses(t *testing.T) {
	dir := t.TempDir()
	k, err := makeKeys(dir)
	require.NoError(t, err)
	i, err := startIdP(dir, nil)
	require.NoError(t, err)
	t.Cleanup(i.close)
	certs, err := testpki.New(time.Now())
	require.NoError(t, err)
	var files [3]string
	files[0], files[1], files[2], err = certs.ClientFiles(dir)
	require.NoError(t, err)
	rs := &redisSet{addrs: []string{"127.0.0.1:6390"}, sAddrs: []string{"127.0.0.1:26390", "127.0.0.1:26391", "127.0.0.1:26392"}}
	hubs := []*fakeHub{{name: "hub-a", url: "https://127.0.0.1:8443"}}
	path := filepath.Join(dir, "portal.toml")
	require.NoError(t, os.WriteFile(path, []byte(portalConf("http://127.0.0.1:8000", k, i.metadata, rs, "postgres://arendevy@127.0.0.1:5432/postgres", hubs, files)), 0o600))
	require.Empty(t, config.Check(path, func(string) string { return "" }))
	cfg, err := config.Load(path, func(string) string { return "" })
	require.NoError(t, err)
	require.Equal(t, rs.sAddrs, cfg.Session.RedisSentinels)
	require.Equal(t, MasterName, cfg.Session.RedisMaster)
	require.Equal(t, "postgres", string(cfg.Preferences.Store), "the preferences are shared by every instance")
	require.False(t, cfg.Preferences.Consent, "the clients read their overview at once")
}

// TestRedisGoneAndBackThroughThePortal stops the only Redis under a
// logged-in person: the instance turns unready, its pages answer 503
// "temporarily unavailable" and its API a 503 problem, never a login; when
// Redis is back (with what it saved on shutdown, as a persistent Redis or a
// promoted replica would have it) the instance is ready again by itself and
// the same cookie works.
func TestRedisGoneAndBackThroughThePortal(t *testing.T) {
	c, err := Start(t.Context(), Config{Dir: t.TempDir(), Binary: portalBinary(t), Instances: 1})
	require.NoError(t, err)
	t.Cleanup(c.Stop)
	p := c.Portals[0]
	ctx := context.Background()
	cl := NewClient(p.URL)
	_, err = cl.LogIn(ctx, 0)
	require.NoError(t, err)

	rdb := redis.NewClient(&redis.Options{Addr: c.redis.addrs[0]})
	defer rdb.Close()
	_ = rdb.Do(ctx, "SHUTDOWN", "SAVE").Err()
	require.NoError(t, waitFor(ctx, "redis to stop", func(context.Context) bool { return !c.redis.servers[0].running() }))

	require.Equal(t, http.StatusServiceUnavailable, p.readyz(ctx), "unready without Redis")
	status, _, err := cl.Overview(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, status, "the API answers 503, not 401")
	resp, page, err := cl.do(ctx, http.MethodGet, p.URL+"/mina-arenden", nil, http.Header{
		"Accept": {"text/html"}, "Accept-Language": {"en"}})
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Contains(t, page, "Temporarily unavailable")
	require.Equal(t, "/mina-arenden", resp.Request.URL.Path, "not sent to log in")

	require.NoError(t, c.redis.servers[0].start())
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	require.NoError(t, waitFor(wctx, "ready again", p.Ready))
	status, _, err = cl.Overview(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status, "the same session works again")
}
