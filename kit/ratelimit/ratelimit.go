// Package ratelimit keeps token buckets per key (a session, a client
// address), so that a refresh storm from one browser or one address is
// refused before it reaches the producers, while everyone else goes on.
//
// The memory is bounded: a bucket that has refilled holds nothing a new one
// would not, so it is dropped when it is the least recently used; and when
// Max keys are held, the least recently used one makes room for a new one
// (it loses its history, which at worst lets that key burst again).
package ratelimit

import (
	"container/list"
	"math"
	"sync"
	"time"
)

// Rate is a token bucket: Burst requests at once, then one every Every.
// The zero Rate limits nothing.
type Rate struct {
	Burst int
	Every time.Duration
}

// Off reports whether r limits nothing.
func (r Rate) Off() bool { return r.Burst <= 0 }

// DefaultMax is how many keys a Limiter keeps by default.
const DefaultMax = 100_000

// Limiter is a bucket per key. Safe for concurrent use.
type Limiter struct {
	rate Rate
	max  int
	now  func() time.Time

	mu   sync.Mutex
	keys map[string]*list.Element // of *bucket
	lru  *list.List               // front: least recently used
}

type bucket struct {
	key    string
	tokens float64
	at     time.Time // when tokens was right
}

// New returns a Limiter at rate keeping at most max keys (DefaultMax when
// max <= 0). now is the clock; nil: time.Now.
func New(rate Rate, max int, now func() time.Time) *Limiter {
	if max <= 0 {
		max = DefaultMax
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{rate: rate, max: max, now: now, keys: map[string]*list.Element{}, lru: list.New()}
}

// Allow takes a token from key's bucket. When there is none it reports
// false and how long until there is.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	if l.rate.Off() {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evictIdle(now)
	e, ok := l.keys[key]
	if !ok {
		if len(l.keys) >= l.max {
			l.remove(l.lru.Front())
		}
		e = l.lru.PushBack(&bucket{key: key, tokens: float64(l.rate.Burst), at: now})
		l.keys[key] = e
	} else {
		l.lru.MoveToBack(e)
	}
	b := e.Value.(*bucket)
	b.tokens, b.at = l.tokensAt(b, now), now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration(math.Ceil((1 - b.tokens) * float64(l.rate.Every)))
	return false, wait
}

// Len is how many keys are held.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

func (l *Limiter) tokensAt(b *bucket, now time.Time) float64 {
	if l.rate.Every <= 0 {
		return float64(l.rate.Burst)
	}
	t := b.tokens + float64(now.Sub(b.at))/float64(l.rate.Every)
	return min(t, float64(l.rate.Burst))
}

// evictIdle drops least recently used buckets that are full again. A few
// per call keep the cost of each Allow small and the map from growing with
// keys nobody uses any more.
func (l *Limiter) evictIdle(now time.Time) {
	for range 4 {
		e := l.lru.Front()
		if e == nil || l.tokensAt(e.Value.(*bucket), now) < float64(l.rate.Burst) {
			return
		}
		l.remove(e)
	}
}

func (l *Limiter) remove(e *list.Element) {
	delete(l.keys, e.Value.(*bucket).key)
	l.lru.Remove(e)
}
