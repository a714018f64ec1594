package preferences

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/arendevy/arendevy/kit/identity"
)

// MinSecret is the shortest secret a Memory store accepts: the full
// strength of HMAC-SHA256.
const MinSecret = 32

// Memory is a Store in process memory, for demos and tests. It keys each
// entry by a pseudonym, HMAC-SHA256(secret, number): the identity number
// itself is never kept, so a dump of the store does not say whose
// preferences it holds, and without the secret a number cannot be checked
// against it by trying every personnummer.
type Memory struct {
	secret []byte
	mu     sync.RWMutex
	byKey  map[[sha256.Size]byte]Preferences
}

// NewMemory returns an empty store. The secret must be at least MinSecret
// random bytes; it is copied.
func NewMemory(secret []byte) (*Memory, error) {
	if len(secret) < MinSecret {
		return nil, fmt.Errorf("preferences: secret of %d bytes; at least %d needed", len(secret), MinSecret)
	}
	return &Memory{secret: append([]byte(nil), secret...), byKey: map[[sha256.Size]byte]Preferences{}}, nil
}

// Pseudonym is the key a store keeps a party's preferences under:
// HMAC-SHA256(secret, number). Every store uses it, so the identity number
// itself is never stored anywhere.
func Pseudonym(secret []byte, party identity.Party) [sha256.Size]byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(party.Number))
	var k [sha256.Size]byte
	mac.Sum(k[:0])
	return k
}

func (m *Memory) pseudonym(party identity.Party) [sha256.Size]byte { return Pseudonym(m.secret, party) }

// Get returns the party's preferences, or Default() when none are stored.
func (m *Memory) Get(_ context.Context, party identity.Party) (Preferences, error) {
	if party.IsZero() {
		return Preferences{}, ErrNoParty
	}
	k := m.pseudonym(party)
	m.mu.RLock()
	p, ok := m.byKey[k]
	m.mu.RUnlock()
	if !ok {
		return Default(), nil
	}
	return p.Clone(), nil
}

// Put validates p and stores a copy of it for the party.
func (m *Memory) Put(_ context.Context, party identity.Party, p Preferences) error {
	if party.IsZero() {
		return ErrNoParty
	}
	if err := p.Validate(); err != nil {
		return err
	}
	k := m.pseudonym(party)
	m.mu.Lock()
	m.byKey[k] = p.Clone()
	m.mu.Unlock()
	return nil
}

// Delete forgets the party's preferences.
func (m *Memory) Delete(_ context.Context, party identity.Party) error {
	if party.IsZero() {
		return ErrNoParty
	}
	k := m.pseudonym(party)
	m.mu.Lock()
	delete(m.byKey, k)
	m.mu.Unlock()
	return nil
}

// Dump is every stored value as JSON, keyed by nothing: what a copy of the
// store would give away, for tests that prove it holds no case data.
func (m *Memory) Dump() [][]byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([][]byte, 0, len(m.byKey))
	for _, p := range m.byKey {
		raw, _ := json.Marshal(p) // Preferences always encode
		out = append(out, raw)
	}
	return out
}

var (
	_ Store      = (*Memory)(nil)
	_ GroupKeyer = (*Memory)(nil)
)
