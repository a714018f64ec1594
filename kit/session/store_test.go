package session

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/identity"
)

func sampleData(c *clock) Data {
	now := c.Now()
	return Data{
		Subject: identity.Subject{
			User: identity.Party{Number: "198112289874", Kind: identity.Personnummer, Name: "Agnes Agent"},
			LoA:  LoA3, AuthnInstant: now, IdP: "https://idp.example.se",
		},
		Created: now, LastSeen: now, CSRF: "token",
		SAML: SAMLInfo{NameID: "n", NameIDFormat: "f", SessionIndex: "s", IdP: "https://idp.example.se"},
	}
}

func TestStoreContract(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, s Store, c *clock)
	}{
		{"absent key is ErrNotFound", func(t *testing.T, s Store, _ *clock) {
			_, err := s.Load(ctx, "nobody")
			require.ErrorIs(t, err, ErrNotFound)
		}},
		{"saved data loads back unchanged", func(t *testing.T, s Store, c *clock) {
			d := sampleData(c)
			require.NoError(t, s.Save(ctx, "k", d, time.Hour))
			got, err := s.Load(ctx, "k")
			require.NoError(t, err)
			require.Equal(t, d, got)
		}},
		{"delete removes, twice is fine", func(t *testing.T, s Store, c *clock) {
			require.NoError(t, s.Save(ctx, "k", sampleData(c), time.Hour))
			require.NoError(t, s.Delete(ctx, "k"))
			require.NoError(t, s.Delete(ctx, "k"))
			_, err := s.Load(ctx, "k")
			require.ErrorIs(t, err, ErrNotFound)
		}},
		{"update edits in place", func(t *testing.T, s Store, c *clock) {
			require.NoError(t, s.Save(ctx, "k", sampleData(c), time.Hour))
			require.NoError(t, s.Update(ctx, "k", func(d *Data) (time.Duration, error) {
				d.Bound = "bound"
				return time.Hour, nil
			}))
			got, err := s.Load(ctx, "k")
			require.NoError(t, err)
			require.Equal(t, "bound", got.Bound)
			require.Equal(t, "198112289874", got.Subject.User.Number)
		}},
		{"update never brings a deleted session back", func(t *testing.T, s Store, c *clock) {
			require.NoError(t, s.Save(ctx, "k", sampleData(c), time.Hour))
			require.NoError(t, s.Delete(ctx, "k"))
			called := false
			err := s.Update(ctx, "k", func(d *Data) (time.Duration, error) { called = true; return time.Hour, nil })
			require.ErrorIs(t, err, ErrNotFound)
			require.False(t, called)
			_, err = s.Load(ctx, "k")
			require.ErrorIs(t, err, ErrNotFound)
		}},
		{"an error from fn cancels the update", func(t *testing.T, s Store, c *clock) {
			require.NoError(t, s.Save(ctx, "k", sampleData(c), time.Hour))
			boom := errors.New("boom")
			err := s.Update(ctx, "k", func(d *Data) (time.Duration, error) { d.Bound = "x"; return time.Hour, boom })
			require.ErrorIs(t, err, boom)
			got, err := s.Load(ctx, "k")
			require.NoError(t, err)
			require.Empty(t, got.Bound)
		}},
		{"non-positive ttl is refused", func(t *testing.T, s Store, c *clock) {
			require.Error(t, s.Save(ctx, "k", sampleData(c), 0))
			_, err := s.Load(ctx, "k")
			require.ErrorIs(t, err, ErrNotFound)
		}},
		{"concurrent updates are all kept", func(t *testing.T, s Store, c *clock) {
			require.NoError(t, s.Save(ctx, "k", sampleData(c), time.Hour))
			const writers = 6 // below updateAttempts: every writer gets through
			var wg sync.WaitGroup
			errs := make([]error, writers)
			for i := range writers {
				wg.Go(func() {
					errs[i] = s.Update(ctx, "k", func(d *Data) (time.Duration, error) {
						d.Bound += "x"
						return time.Hour, nil
					})
				})
			}
			wg.Wait()
			for _, err := range errs {
				require.NoError(t, err)
			}
			got, err := s.Load(ctx, "k")
			require.NoError(t, err)
			require.Equal(t, "xxxxxx", got.Bound)
		}},
	}
	for _, kind := range storeKinds() {
		t.Run(kind.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					c := newClock()
					tt.run(t, kind.new(t, c), c)
				})
			}
		})
	}
}

func TestMemoryExpiresAndStaysBounded(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	var logs bytes.Buffer
	m := NewMemory(MemoryConfig{MaxSessions: 2, Now: c.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	d := sampleData(c)
	require.NoError(t, m.Save(ctx, "short", d, time.Minute))
	require.NoError(t, m.Save(ctx, "long", d, time.Hour))

	c.Add(time.Minute)
	_, err := m.Load(ctx, "short")
	require.ErrorIs(t, err, ErrNotFound, "expired by its ttl")
	require.ErrorIs(t, m.Update(ctx, "short", func(*Data) (time.Duration, error) { return time.Hour, nil }), ErrNotFound)
	require.Equal(t, 1, m.Len(), "the write swept the expired entry")

	require.NoError(t, m.Save(ctx, "newer", d, 2*time.Hour))
	require.NoError(t, m.Save(ctx, "newest", d, 3*time.Hour))
	require.Equal(t, 2, m.Len())
	require.Contains(t, logs.String(), "session store full")
	_, err = m.Load(ctx, "long")
	require.ErrorIs(t, err, ErrNotFound, "when full, the session closest to expiry makes room")
	for _, k := range []string{"newer", "newest"} {
		_, err := m.Load(ctx, k)
		require.NoError(t, err, k)
	}
}

func TestRedisTTLIsRemainingLifetime(t *testing.T) {
	ctx := context.Background()
	client := redisClient(t)
	s := NewRedis(client, "test:"+t.Name()+":")
	c := newClock()
	require.NoError(t, s.Save(ctx, "k", sampleData(c), 10*time.Minute))
	ttl := client.PTTL(ctx, "test:"+t.Name()+":k").Val()
	require.Greater(t, ttl, time.Duration(0))
	require.LessOrEqual(t, ttl, 10*time.Minute)

	require.NoError(t, s.Update(ctx, "k", func(*Data) (time.Duration, error) { return 3 * time.Minute, nil }))
	ttl = client.PTTL(ctx, "test:"+t.Name()+":k").Val()
	require.Greater(t, ttl, time.Duration(0))
	require.LessOrEqual(t, ttl, 3*time.Minute)
}

func TestRedisUndecodableEntryIsDropped(t *testing.T) {
	ctx := context.Background()
	client := redisClient(t)
	prefix := "test:" + t.Name() + ":"
	s := NewRedis(client, prefix)
	require.NoError(t, client.Set(ctx, prefix+"k", "{not json", time.Hour).Err())
	_, err := s.Load(ctx, "k")
	require.ErrorIs(t, err, ErrNotFound)
	require.Zero(t, client.Exists(ctx, prefix+"k").Val(), "removed so the user can log in again")
}
