package ratelimit

import (
	"net/http/httptest"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)} }

func TestBucket(t *testing.T) {
	c := newClock()
	l := New(Rate{Burst: 3, Every: 2 * time.Second}, 0, c.now)
	for range 3 {
		ok, _ := l.Allow("a")
		require.True(t, ok)
	}
	ok, wait := l.Allow("a")
	require.False(t, ok, "the burst is spent")
	require.Equal(t, 2*time.Second, wait)
	ok, _ = l.Allow("b")
	require.True(t, ok, "another key has its own bucket")

	c.add(time.Second)
	ok, wait = l.Allow("a")
	require.False(t, ok)
	require.Equal(t, time.Second, wait, "half a token back")
	c.add(time.Second)
	ok, _ = l.Allow("a")
	require.True(t, ok, "one token every 2 s")
	ok, _ = l.Allow("a")
	require.False(t, ok)
}

func TestZeroRateLimitsNothing(t *testing.T) {
	l := New(Rate{}, 0, nil)
	for range 1000 {
		ok, _ := l.Allow("a")
		require.True(t, ok)
	}
	require.Zero(t, l.Len())
}

func TestMemoryIsBounded(t *testing.T) {
	c := newClock()
	l := New(Rate{Burst: 2, Every: time.Second}, 100, c.now)
	for i := range 1000 {
		l.Allow("k" + strconv.Itoa(i))
	}
	require.Equal(t, 100, l.Len(), "never more than max keys")

	// Idle keys go by themselves once their bucket is full again.
	c.add(time.Hour)
	for range 50 {
		l.Allow("busy")
	}
	require.Less(t, l.Len(), 100)
	for range 100 {
		l.Allow("busy")
	}
	require.Equal(t, 1, l.Len(), "only the key in use is left")
}

func TestClientAddress(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name, remote, xff string
		trusted           []netip.Prefix
		want              string
	}{
		{"the connection", "192.0.2.7:5123", "", nil, "192.0.2.7"},
		{"header ignored without trusted proxies", "192.0.2.7:5123", "198.51.100.1", nil, "192.0.2.7"},
		{"header ignored from an untrusted peer", "192.0.2.7:5123", "198.51.100.1", proxies, "192.0.2.7"},
		{"behind a trusted proxy", "10.1.2.3:80", "198.51.100.1", proxies, "198.51.100.1"},
		{"through two trusted proxies", "10.1.2.3:80", "198.51.100.1, 10.9.9.9", proxies, "198.51.100.1"},
		{"a forged left part is not believed", "10.1.2.3:80", "203.0.113.5, 198.51.100.1", proxies, "198.51.100.1"},
		{"garbage in the header stops the walk", "10.1.2.3:80", "<x>, 10.9.9.9", proxies, "10.9.9.9"},
		{"IPv6 counts by /64", "[2001:db8:1:2:3:4:5:6]:443", "", nil, "2001:db8:1:2::/64"},
		{"IPv4 in IPv6", "[::ffff:192.0.2.7]:443", "", nil, "192.0.2.7"},
		{"loopback proxy", "[::1]:9000", "2001:db8::1", proxies, "2001:db8::/64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			require.Equal(t, tt.want, ClientAddress(r, tt.trusted))
		})
	}
}
