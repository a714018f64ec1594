package session

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// TestRedisGoneAndBack stops a real redis-server under a logged-in user:
// the browser's page is a 503 "temporarily unavailable" page (sv and en)
// and the API's answer a 503 problem, never a login; once Redis answers
// again the same cookie works without logging in again. Redis keeps the
// session over the restart as a persistent Redis (or a promoted replica)
// does: here by saving it to disk on shutdown.
func TestRedisGoneAndBack(t *testing.T) {
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	cmd, addr, err := redisServerOn(dir, port)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	client := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = client.Close() })

	a := newApp(t, NewRedis(client, ""), newClock(), nil)
	b := a.browser(t)
	require.Equal(t, http.StatusNoContent, b.acs(eleg(agnes, LoA3)).StatusCode)
	require.Equal(t, http.StatusOK, b.overview())
	cookie := b.cookie(CookieName)

	// SHUTDOWN SAVE writes the sessions to dump.rdb in dir and stops.
	_ = client.Do(t.Context(), "SHUTDOWN", "SAVE").Err()
	require.NoError(t, cmd.Wait())

	res := b.do(http.MethodGet, "/arendevy/api/overview", nil, http.Header{"Accept": {"application/json"}})
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	require.NotEmpty(t, res.Header.Get("Retry-After"))
	for _, tt := range []struct{ lang, says string }{
		{"sv", "Tillfälligt otillgänglig"},
		{"en", "Temporarily unavailable"},
	} {
		res := b.do(http.MethodGet, "/arendevy/api/overview", nil, http.Header{
			"Accept":          {"text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"},
			"Accept-Language": {tt.lang},
		})
		require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
		require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
		require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Contains(t, string(body), tt.says)
		require.Contains(t, string(body), `lang="`+tt.lang+`"`)
	}
	require.Equal(t, cookie, b.cookie(CookieName), "the cookie is kept while Redis is away")

	cmd, _, err = redisServerOn(dir, port)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	require.Equal(t, http.StatusOK, b.overview(), "the same session works again")
	require.Equal(t, cookie, b.cookie(CookieName))
}

// TestRedisUpdateWaitsForANewPrimary: while the server is a replica (as
// the old primary is for a moment in a failover, and as writes meet
// READONLY), an update of the session waits and goes through once the
// server takes writes again, instead of failing the request.
func TestRedisUpdateWaitsForANewPrimary(t *testing.T) {
	ports := make([]int, 2)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		ports[i] = l.Addr().(*net.TCPAddr).Port
		require.NoError(t, l.Close())
	}
	cmd, addr, err := redisServerOn(t.TempDir(), ports[0])
	require.NoError(t, err)
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	client := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = client.Close() })
	store := NewRedis(client, "")
	ctx := t.Context()
	require.NoError(t, store.Save(ctx, "k", Data{CSRF: "a"}, time.Minute))

	// A replica of a primary nobody runs keeps its data and refuses writes.
	require.NoError(t, client.Do(ctx, "REPLICAOF", "127.0.0.1", ports[1]).Err())
	promoted := make(chan error, 1)
	updating := make(chan struct{})
	go func() {
		<-updating
		time.Sleep(200 * time.Millisecond) // let the first try meet READONLY
		promoted <- client.Do(context.Background(), "REPLICAOF", "NO", "ONE").Err()
	}()
	close(updating)
	err = store.Update(ctx, "k", func(d *Data) (time.Duration, error) {
		d.CSRF = "b"
		return time.Minute, nil
	})
	require.NoError(t, <-promoted)
	require.NoError(t, err)
	d, err := store.Load(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "b", d.CSRF)
}
