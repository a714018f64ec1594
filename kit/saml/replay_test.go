package saml

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// startRedis runs Debian's redis-server on a free loopback port, without
// persistence, for the duration of the test.
func startRedis(t *testing.T) *redis.Client {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	require.NoError(t, cmd.Start(), "redis-server is installed by scripts/install-test-deps.sh")
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	client := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port)})
	t.Cleanup(func() { _ = client.Close() })
	deadline := time.Now().Add(10 * time.Second)
	for client.Ping(context.Background()).Err() != nil {
		require.True(t, time.Now().Before(deadline), "redis-server did not start")
		time.Sleep(20 * time.Millisecond)
	}
	return client
}

func TestReplayCaches(t *testing.T) {
	var fake atomic.Int64
	fake.Store(time.Now().UnixNano())
	fakeNow := func() time.Time { return time.Unix(0, fake.Load()) }
	client := startRedis(t)
	for _, tc := range []struct {
		name  string
		now   func() time.Time
		cache func(t *testing.T) ReplayCache
		// expire makes the first claims' time run out.
		expire func()
	}{
		{"memory", fakeNow,
			func(*testing.T) ReplayCache { return NewMemoryReplayCache(MemoryReplayConfig{Now: fakeNow}) },
			func() { fake.Add(int64(2 * time.Second)) }},
		{"redis", time.Now,
			func(t *testing.T) ReplayCache { return NewRedisReplayCache(client, "test:"+t.Name()+":") },
			func() { time.Sleep(1100 * time.Millisecond) }}, // Redis counts real time
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c := tc.cache(t)
			until := tc.now().Add(time.Second)
			ok, err := c.Claim(ctx, "assertion:a", until)
			require.NoError(t, err)
			require.True(t, ok, "first use")
			ok, err = c.Claim(ctx, "assertion:a", until)
			require.NoError(t, err)
			require.False(t, ok, "second use is a replay")
			ok, err = c.Claim(ctx, "assertion:b", until)
			require.NoError(t, err)
			require.True(t, ok, "another ID is independent")

			tc.expire()
			ok, err = c.Claim(ctx, "assertion:a", tc.now().Add(time.Minute))
			require.NoError(t, err)
			require.True(t, ok, "forgotten once expired")

			// Many instances racing for one ID: exactly one wins.
			var wins atomic.Int32
			var wg sync.WaitGroup
			for range 32 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ok, err := c.Claim(ctx, "assertion:raced", tc.now().Add(time.Minute))
					if err == nil && ok {
						wins.Add(1)
					}
				}()
			}
			wg.Wait()
			require.Equal(t, int32(1), wins.Load())
		})
	}
}

func TestMemoryReplayCacheIsBounded(t *testing.T) {
	now := time.Now()
	c := NewMemoryReplayCache(MemoryReplayConfig{MaxEntries: 2, Now: func() time.Time { return now }})
	ctx := context.Background()
	for _, k := range []string{"a", "b"} {
		ok, err := c.Claim(ctx, k, now.Add(time.Minute))
		require.NoError(t, err)
		require.True(t, ok)
	}
	_, err := c.Claim(ctx, "c", now.Add(time.Minute))
	require.ErrorIs(t, err, ErrReplayCacheFull, "full: refuse rather than forget")

	now = now.Add(2 * time.Minute)
	ok, err := c.Claim(ctx, "c", now.Add(time.Minute))
	require.NoError(t, err)
	require.True(t, ok, "expired entries make room")
}

func TestRedisReplayCacheDown(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = client.Close() })
	_, err := NewRedisReplayCache(client, "").Claim(context.Background(), "a", time.Now().Add(time.Minute))
	require.Error(t, err)
}

// failingCache stands for a replay cache that cannot be reached.
type failingCache struct{}

func (failingCache) Claim(context.Context, string, time.Time) (bool, error) {
	return false, errors.New("connection refused")
}

func TestLoginFailsClosedWithoutTheReplayCache(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Replay = failingCache{} })
	req, relay, cookie := e.login("")
	rec, err := e.post(goodResponse(req.ID, e.now()).build(t), relay, cookie)
	e.requireRefused(rec, err, ErrReplayUnavailable)
	require.Equal(t, 503, rec.Code)
}

func TestLoginWithTheRedisReplayCacheAcrossInstances(t *testing.T) {
	client := startRedis(t)
	shared := func(c *Config) { c.Replay = NewRedisReplayCache(client, "") }
	a, b := newEnv(t, shared), newEnv(t, shared)
	b.sink = a.sink // one session store behind both instances
	b.sp.cfg.Sessions = a.sink

	// Started on instance a, finished on instance b: the tracking key
	// derives from the shared SP key.
	req, relay, cookie := a.login("/minasidor")
	doc := goodResponse(req.ID, a.now()).build(t)
	rec, err := b.post(doc, relay, cookie)
	require.NoError(t, err)
	require.Equal(t, "/minasidor", rec.Header().Get("Location"))

	// Replayed on instance a: refused, because b's claim is in Redis.
	a.sink.logins = nil
	rec, err = a.post(doc, relay, cookie)
	a.requireRefused(rec, err, ErrReplay)
}
