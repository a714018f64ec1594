package session

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// ErrNotFound is returned by a Store for a session that is absent or expired.
var ErrNotFound = errors.New("session not found")

// Store keeps sessions on the server, keyed by an opaque key the Manager
// derives from the cookie (a hash of it: the store never holds the cookie
// value itself, so a dump of the store cannot be replayed as cookies).
type Store interface {
	// Load returns the session stored under key; ErrNotFound when it is
	// absent or its time to live has passed.
	Load(ctx context.Context, key string) (Data, error)
	// Save creates or replaces the session under key; it is dropped after ttl.
	Save(ctx context.Context, key string, d Data, ttl time.Duration) error
	// Delete removes the session under key; deleting an absent key is no error.
	Delete(ctx context.Context, key string) error
	// Update changes an existing session atomically: fn edits the stored
	// data and returns the new time to live, or an error that cancels the
	// change (and is returned). ErrNotFound when the session is gone, so a
	// request still in flight during a logout never brings the session back.
	Update(ctx context.Context, key string, fn func(*Data) (time.Duration, error)) error
}

// DefaultMaxSessions bounds a Memory store unless MemoryConfig says otherwise.
const DefaultMaxSessions = 100_000

// MemoryConfig configures a Memory store; the zero value works.
type MemoryConfig struct {
	// MaxSessions bounds how many sessions are held; default DefaultMaxSessions.
	// When full, the session closest to expiry is dropped to make room.
	MaxSessions int
	// Now is the clock for expiry; default time.Now.
	Now func() time.Time
	// Logger is told when the bound forces a session out; default slog.Default().
	Logger *slog.Logger
}

// Memory is a Store for a single instance. Expired sessions are swept on
// every write, so memory is bounded without a background goroutine.
type Memory struct {
	mu     sync.Mutex
	max    int
	now    func() time.Time
	logger *slog.Logger
	byKey  map[string]*memEntry
	queue  expiryQueue // soonest expiry first
}

type memEntry struct {
	key     string
	data    Data
	expires time.Time
	index   int // position in queue
}

// NewMemory returns an empty in-memory store.
func NewMemory(cfg MemoryConfig) *Memory {
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Memory{max: cfg.MaxSessions, now: cfg.Now, logger: cfg.Logger, byKey: map[string]*memEntry{}}
}

// Load implements Store.
func (m *Memory) Load(_ context.Context, key string) (Data, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.live(key)
	if !ok {
		return Data{}, ErrNotFound
	}
	return e.data, nil
}

// Save implements Store.
func (m *Memory) Save(_ context.Context, key string, d Data, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("session: memory store: ttl %v must be positive", ttl)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.sweep(now)
	if e, ok := m.byKey[key]; ok {
		e.data, e.expires = d, now.Add(ttl)
		heap.Fix(&m.queue, e.index)
		return nil
	}
	if len(m.byKey) >= m.max {
		m.remove(m.queue[0])
		m.logger.Warn("session store full: dropped the session closest to expiry", slog.Int("max_sessions", m.max))
	}
	e := &memEntry{key: key, data: d, expires: now.Add(ttl)}
	heap.Push(&m.queue, e)
	m.byKey[key] = e
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.byKey[key]; ok {
		m.remove(e)
	}
	return nil
}

// Update implements Store.
func (m *Memory) Update(_ context.Context, key string, fn func(*Data) (time.Duration, error)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(m.now())
	e, ok := m.live(key)
	if !ok {
		return ErrNotFound
	}
	d := e.data
	ttl, err := fn(&d)
	if err != nil {
		return err
	}
	if ttl <= 0 {
		return fmt.Errorf("session: memory store: ttl %v must be positive", ttl)
	}
	e.data, e.expires = d, m.now().Add(ttl)
	heap.Fix(&m.queue, e.index)
	return nil
}

// Len reports how many sessions are held, expired ones not yet swept included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.byKey)
}

// live returns the unexpired entry under key; the caller holds mu.
func (m *Memory) live(key string) (*memEntry, bool) {
	e, ok := m.byKey[key]
	if !ok || !m.now().Before(e.expires) {
		return nil, false
	}
	return e, true
}

// sweep drops every expired entry; the caller holds mu.
func (m *Memory) sweep(now time.Time) {
	for len(m.queue) > 0 && !now.Before(m.queue[0].expires) {
		m.remove(m.queue[0])
	}
}

func (m *Memory) remove(e *memEntry) {
	heap.Remove(&m.queue, e.index)
	delete(m.byKey, e.key)
}

// expiryQueue is a min-heap of entries by expiry (container/heap).
type expiryQueue []*memEntry

func (q expiryQueue) Len() int           { return len(q) }
func (q expiryQueue) Less(i, j int) bool { return q[i].expires.Before(q[j].expires) }
func (q expiryQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *expiryQueue) Push(x any) {
	e := x.(*memEntry)
	e.index = len(*q)
	*q = append(*q, e)
}
func (q *expiryQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return e
}
