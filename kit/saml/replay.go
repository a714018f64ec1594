package saml

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// ReplayCache remembers IDs that may be used once: consumed assertions
// (until they expire) and answered requests. Claim must be atomic across
// every instance that shares it.
type ReplayCache interface {
	// Claim records key until the given time and reports whether it was
	// new. false means key was claimed before and has not yet expired.
	Claim(ctx context.Context, key string, until time.Time) (bool, error)
}

// ErrReplayCacheFull is returned by a Memory cache at its bound: refusing
// a login is safer than forgetting an assertion that may still be replayed.
var ErrReplayCacheFull = errors.New("saml: replay cache full")

// DefaultMaxReplayEntries bounds a memory cache unless configured otherwise.
const DefaultMaxReplayEntries = 200_000

// MemoryReplayConfig configures NewMemoryReplayCache; the zero value works.
type MemoryReplayConfig struct {
	// MaxEntries bounds the unexpired entries; default DefaultMaxReplayEntries.
	MaxEntries int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// MemoryReplayCache is a ReplayCache for a single instance. Expired entries
// are dropped on every Claim, so memory stays bounded without a goroutine.
type MemoryReplayCache struct {
	mu    sync.Mutex
	max   int
	now   func() time.Time
	until map[string]time.Time
	queue replayQueue
}

// NewMemoryReplayCache returns an empty in-memory cache.
func NewMemoryReplayCache(cfg MemoryReplayConfig) *MemoryReplayCache {
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = DefaultMaxReplayEntries
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &MemoryReplayCache{max: cfg.MaxEntries, now: cfg.Now, until: map[string]time.Time{}}
}

// Claim implements ReplayCache.
func (c *MemoryReplayCache) Claim(_ context.Context, key string, until time.Time) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for len(c.queue) > 0 && !c.queue[0].until.After(now) {
		e := heap.Pop(&c.queue).(replayEntry)
		if u, ok := c.until[e.key]; ok && u.Equal(e.until) {
			delete(c.until, e.key)
		}
	}
	if u, ok := c.until[key]; ok && u.After(now) {
		return false, nil
	}
	if !until.After(now) {
		// Already expired: the checks before the claim refuse it anyway,
		// and keeping it would only use memory.
		return true, nil
	}
	if len(c.until) >= c.max {
		return false, ErrReplayCacheFull
	}
	c.until[key] = until
	heap.Push(&c.queue, replayEntry{key: key, until: until})
	return true, nil
}

type replayEntry struct {
	key   string
	until time.Time
}

// replayQueue is a min-heap by expiry.
type replayQueue []replayEntry

func (q replayQueue) Len() int           { return len(q) }
func (q replayQueue) Less(i, j int) bool { return q[i].until.Before(q[j].until) }
func (q replayQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *replayQueue) Push(x any)        { *q = append(*q, x.(replayEntry)) }
func (q *replayQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// RedisReplayCache is a ReplayCache shared by every instance that uses the
// same Redis: SET NX with an expiry is atomic on the server.
type RedisReplayCache struct {
	client redis.UniversalClient
	prefix string
	now    func() time.Time
}

// NewRedisReplayCache stores its keys under prefix (default "arendevy:saml:replay:").
func NewRedisReplayCache(client redis.UniversalClient, prefix string) *RedisReplayCache {
	if prefix == "" {
		prefix = "arendevy:saml:replay:"
	}
	return &RedisReplayCache{client: client, prefix: prefix, now: time.Now}
}

// Claim implements ReplayCache.
func (c *RedisReplayCache) Claim(ctx context.Context, key string, until time.Time) (bool, error) {
	ttl := until.Sub(c.now())
	if ttl <= 0 {
		return true, nil
	}
	// Redis keeps whole milliseconds; never round a short TTL down to nothing.
	ttl = max(ttl, time.Second)
	ok, err := c.client.SetNX(ctx, c.prefix+key, 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("saml: redis replay cache: %w", err)
	}
	return ok, nil
}
