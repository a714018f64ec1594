package preferences_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/preferences"
)

var (
	groupSecret = bytes.Repeat([]byte("s"), 32)
	tolvanParty = identity.Party{Kind: identity.Personnummer, Number: "191212121212"}
	annaParty   = identity.Party{Kind: identity.Personnummer, Number: "199009090000"}
)

func TestCaseRefIsKeyedStableAndShort(t *testing.T) {
	key := preferences.GroupKey(groupSecret, tolvanParty)
	c := cases.Case{ID: "BYGG-2026-00123", Sender: cases.Actor{ID: "vaxholm"}, Title: "Bygglov för garage"}
	ref := preferences.CaseRef(key, &c)
	require.True(t, preferences.ValidCaseRef(ref), ref)
	require.Equal(t, ref, preferences.CaseRef(key, &c), "the same case gives the same reference")
	require.NotContains(t, ref, "BYGG")

	other := c
	other.Sender.ID = "skv"
	require.NotEqual(t, ref, preferences.CaseRef(key, &other), "the producer is part of the reference")
	require.NotEqual(t, ref, preferences.CaseRef(preferences.GroupKey(groupSecret, annaParty), &c), "each customer has a key of their own")
	require.NotEqual(t, ref, preferences.CaseRef(preferences.GroupKey(bytes.Repeat([]byte("t"), 32), tolvanParty), &c), "another secret, another reference")

	// The key is not the pseudonym the store keeps the customer under.
	pseudonym := preferences.Pseudonym(groupSecret, tolvanParty)
	require.NotEqual(t, pseudonym[:], key)
}

func TestGroupOperations(t *testing.T) {
	ref := strings.Repeat("A", 22)
	ref2 := strings.Repeat("B", 22)
	p, id, err := preferences.Default().CreateGroup("  Vi bygger hus ", []string{ref})
	require.NoError(t, err)
	require.True(t, preferences.ValidGroupID(id))
	g, ok := p.Group(id)
	require.True(t, ok)
	require.Equal(t, "Vi bygger hus", g.Name)
	require.Equal(t, []string{ref}, g.Refs)
	require.NoError(t, p.Validate())

	_, _, err = p.CreateGroup("VI BYGGER HUS", nil)
	require.ErrorIs(t, err, preferences.ErrGroupNameTaken, "names are unique, letter case aside")

	p2, err := p.AddToGroup(id, ref2)
	require.NoError(t, err)
	p2, err = p2.AddToGroup(id, ref2)
	require.NoError(t, err)
	require.Equal(t, []string{id}, p2.GroupsOf(ref2))
	g, _ = p2.Group(id)
	require.Equal(t, []string{ref, ref2}, g.Refs, "added once")
	g, _ = p.Group(id)
	require.Equal(t, []string{ref}, g.Refs, "the operations do not change what they were given")

	p2, err = p2.RemoveFromGroup(id, ref)
	require.NoError(t, err)
	require.Empty(t, p2.GroupsOf(ref))

	p2, err = p2.RenameGroup(id, "Nytt barn")
	require.NoError(t, err)
	g, _ = p2.Group(id)
	require.Equal(t, "Nytt barn", g.Name)
	_, err = p2.RenameGroup(id, "nytt BARN")
	require.NoError(t, err, "a group may change the case of its own name")

	p2, err = p2.RemoveGroup(id)
	require.NoError(t, err)
	require.Empty(t, p2.Groups)
	_, err = p2.RemoveGroup(id)
	require.ErrorIs(t, err, preferences.ErrNoGroup)
	_, err = p2.AddToGroup(id, ref)
	require.ErrorIs(t, err, preferences.ErrNoGroup)
	_, err = p.AddToGroup(id, "BYGG-2026-00123")
	require.ErrorIs(t, err, preferences.ErrCaseRef, "only references of the right shape")
}

func TestGroupNames(t *testing.T) {
	for name, ok := range map[string]bool{
		"Vi bygger hus":         true,
		"Nytt barn 👶":           true,
		strings.Repeat("å", 60): true,
		strings.Repeat("å", 61): false,
		"":                      false,
		"   ":                   false,
		"rad\nbrytning":         false,
		"noll\x00":              false,
		"dold\u200bdel":         false,
		"\xff":                  false,
	} {
		_, err := preferences.CleanGroupName(name)
		require.Equal(t, ok, err == nil, "%q", name)
		if !ok {
			require.ErrorIs(t, err, preferences.ErrGroupName)
		}
	}
}

func TestGroupLimits(t *testing.T) {
	p := preferences.Default()
	var err error
	for i := range preferences.MaxGroups {
		p, _, err = p.CreateGroup(strings.Repeat("g", i+1), nil)
		require.NoError(t, err)
	}
	_, _, err = p.CreateGroup("en till", nil)
	require.ErrorIs(t, err, preferences.ErrTooManyGroups)

	refs := make([]string, preferences.MaxGroupRefs+1)
	for i := range refs {
		refs[i] = preferences.CaseRef([]byte("k"), &cases.Case{ID: strings.Repeat("x", i+1)})
	}
	_, _, err = preferences.Default().CreateGroup("full", refs)
	require.ErrorIs(t, err, preferences.ErrGroupFull)
	q, id, err := preferences.Default().CreateGroup("full", refs[:preferences.MaxGroupRefs])
	require.NoError(t, err)
	_, err = q.AddToGroup(id, refs[preferences.MaxGroupRefs])
	require.ErrorIs(t, err, preferences.ErrGroupFull)
}

// Groups from outside (a store, a browser) are validated like the rest:
// every problem named, none of the value repeated.
func TestDecodeRefusesBadGroups(t *testing.T) {
	ok := `{"groups":[{"id":"AAAAAAAAAAAA","name":"Vi bygger hus","refs":["AAAAAAAAAAAAAAAAAAAAAA"]}]}`
	p, err := preferences.Decode([]byte(ok))
	require.NoError(t, err)
	require.Len(t, p.Groups, 1)

	for body, field := range map[string]string{
		`{"groups":[{"id":"short","name":"a"}]}`:                                                                   "groups[0].id",
		`{"groups":[{"id":"AAAAAAAAAAAA","name":""}]}`:                                                             "groups[0].name",
		`{"groups":[{"id":"AAAAAAAAAAAA","name":" a"}]}`:                                                           "groups[0].name",
		`{"groups":[{"id":"AAAAAAAAAAAA","name":"a"},{"id":"AAAAAAAAAAAA","name":"b"}]}`:                           "groups[1].id",
		`{"groups":[{"id":"AAAAAAAAAAAA","name":"Hus"},{"id":"BBBBBBBBBBBB","name":"hus"}]}`:                       "groups[1].name",
		`{"groups":[{"id":"AAAAAAAAAAAA","name":"a","refs":["BYGG-2026-00123"]}]}`:                                 "groups[0].refs[0]",
		`{"groups":[{"id":"AAAAAAAAAAAA","name":"a","refs":["AAAAAAAAAAAAAAAAAAAAAA","AAAAAAAAAAAAAAAAAAAAAA"]}]}`: "groups[0].refs[1]",
	} {
		_, err := preferences.Decode([]byte(body))
		var ve *preferences.ValidationError
		require.ErrorAs(t, err, &ve, body)
		require.Equal(t, field, ve.Problems[0].Field, body)
		require.NotContains(t, err.Error(), "BYGG")
	}
	many := preferences.Default()
	for i := range preferences.MaxGroups + 1 {
		many.Groups = append(many.Groups, preferences.Group{ID: preferences.NewGroupID(), Name: strings.Repeat("g", i+1)})
	}
	raw, err := json.Marshal(many)
	require.NoError(t, err)
	_, err = preferences.Decode(raw)
	require.ErrorContains(t, err, "more than 20 groups")
}

func TestKeepGroups(t *testing.T) {
	stored, _, err := preferences.Default().CreateGroup("Vi bygger hus", nil)
	require.NoError(t, err)
	sent := preferences.Default()
	sent.Discreet = true
	kept := sent.KeepGroups(stored)
	require.True(t, kept.Discreet)
	require.Equal(t, stored.Groups, kept.Groups)
}
