package preferences

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
)

var (
	tolvan = identity.Party{Number: "191212121212", Kind: identity.Personnummer, Name: "Tolvan Tolvansson"}
	firma  = identity.Party{Number: "5560160680", Kind: identity.Organisationsnummer, Name: "Firma AB"}
)

func newMemory(t *testing.T, secret string) *Memory {
	t.Helper()
	m, err := NewMemory(bytes.Repeat([]byte(secret), MinSecret))
	require.NoError(t, err)
	return m
}

func TestNewMemoryNeedsAStrongSecret(t *testing.T) {
	_, err := NewMemory(make([]byte, MinSecret-1))
	require.ErrorContains(t, err, "at least 32")
	_, err = NewMemory(nil)
	require.Error(t, err)
}

func TestMemoryUnknownPartyGetsTheDefault(t *testing.T) {
	m := newMemory(t, "s")
	got, err := m.Get(context.Background(), tolvan)
	require.NoError(t, err)
	require.Equal(t, Default(), got)
}

func TestMemoryKeepsPartiesApart(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "s")
	mine := Default()
	mine.Sort, mine.HiddenActors, mine.Discreet = listing.ByTitle, []string{"csn"}, true
	require.NoError(t, m.Put(ctx, tolvan, mine))

	got, err := m.Get(ctx, tolvan)
	require.NoError(t, err)
	require.Equal(t, mine, got)

	other, err := m.Get(ctx, firma)
	require.NoError(t, err)
	require.Equal(t, Default(), other, "another party must not see these preferences")

	// The caller's slices are not the store's: changing them afterwards
	// changes nothing stored.
	mine.HiddenActors[0] = "skv"
	got.HiddenActors[0] = "fk"
	again, err := m.Get(ctx, tolvan)
	require.NoError(t, err)
	require.Equal(t, []string{"csn"}, again.HiddenActors)

	// Another store (another secret) knows nothing about this party.
	fresh, err := newMemory(t, "t").Get(ctx, tolvan)
	require.NoError(t, err)
	require.Equal(t, Default(), fresh)
}

func TestMemoryNeverStoresTheNumber(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "s")
	p := Default()
	p.ShowClosed = false
	require.NoError(t, m.Put(ctx, tolvan, p))
	require.NoError(t, m.Put(ctx, firma, p))
	require.Len(t, m.byKey, 2)

	plainHash := sha256.Sum256([]byte(tolvan.Number))
	dump := fmt.Sprintf("%#v %v", m.byKey, m.byKey)
	for k := range m.byKey {
		require.NotEqual(t, plainHash, k, "an unkeyed hash can be reversed by trying every personnummer")
		dump += hex.EncodeToString(k[:]) + string(k[:])
	}
	for _, secret := range []string{tolvan.Number, "121212-1212", firma.Number, tolvan.Name, firma.Name} {
		require.NotContains(t, dump, secret)
	}

	// The same number under another secret gets another pseudonym.
	other := newMemory(t, "t")
	require.NotEqual(t, m.pseudonym(tolvan), other.pseudonym(tolvan))
}

func TestMemoryRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "s")
	_, err := m.Get(ctx, identity.Party{})
	require.ErrorIs(t, err, ErrNoParty)
	require.ErrorIs(t, m.Put(ctx, identity.Party{}, Default()), ErrNoParty)

	bad := Default()
	bad.Sort = "colour"
	var ve *ValidationError
	require.ErrorAs(t, m.Put(ctx, tolvan, bad), &ve)
	got, err := m.Get(ctx, tolvan)
	require.NoError(t, err)
	require.Equal(t, Default(), got, "an invalid value is not stored")
}

func TestMemoryIsSafeForConcurrentUse(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "s")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			p := Default()
			p.Descending = i%2 == 0
			for range 50 {
				require.NoError(t, m.Put(ctx, tolvan, p))
				_, err := m.Get(ctx, tolvan)
				require.NoError(t, err)
			}
		})
	}
	wg.Wait()
	require.Len(t, m.byKey, 1)
}

func TestMemoryDeleteForgetsOneParty(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, "s")
	mine := Default()
	mine.Sort, mine.Consent = listing.ByTitle, Consent{Version: 1, Given: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}
	require.NoError(t, m.Put(ctx, tolvan, mine))
	require.NoError(t, m.Put(ctx, firma, Default()))
	require.Len(t, m.Dump(), 2)

	require.NoError(t, m.Delete(ctx, tolvan))
	got, err := m.Get(ctx, tolvan)
	require.NoError(t, err)
	require.Equal(t, Default(), got)
	require.False(t, got.Consent.Covers(1))
	require.Len(t, m.Dump(), 1, "the other party's stay")
	require.NoError(t, m.Delete(ctx, tolvan), "deleting nothing is no error")
	require.ErrorIs(t, m.Delete(ctx, identity.Party{}), ErrNoParty)

	bad := Default()
	bad.Consent = Consent{Version: 1}
	require.ErrorContains(t, m.Put(ctx, tolvan, bad), "consent: needs a version from 1 to 1000 and the time it was given")
}
