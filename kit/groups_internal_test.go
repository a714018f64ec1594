package kit

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/overview"
	"github.com/arendevy/arendevy/kit/preferences"
)

// The data suggests a case group from a tag (Mina ärenden's taggar) or a
// category that two or more cases share: a tag and a category of one name
// are one suggestion, a name counts once per case whatever its letter case,
// a name shared by one case or already a group's suggests nothing, and the
// most shared come first.
func TestGroupsAreSuggestedFromSharedTagsAndCategories(t *testing.T) {
	cs := []cases.Case{
		{Category: "Bygglov", Tags: []string{"Vi bygger hus"}},
		{Category: "Bygglov", Tags: []string{"vi bygger hus", "Vi bygger hus"}},
		{Category: "Lagfart", Tags: []string{"Vi bygger hus", "Flytt"}},
		{Category: "Flytt"},
		{Category: "Skatt", Tags: []string{"Ensam"}},
		{Tags: []string{"Nytt barn"}},
		{Category: "Nytt barn"},
	}
	refs := []string{"r0", "r1", "r2", "r3", "r4", "r5", "r6"}
	_, got := groupsOf(preferences.Preferences{}, cs, refs)
	require.Equal(t, []overview.Suggestion{
		{Name: "Vi bygger hus", Refs: []string{"r0", "r1", "r2"}},
	}, got[:1], "the tag three cases share, each counted once")
	require.ElementsMatch(t, []overview.Suggestion{
		{Name: "Vi bygger hus", Refs: []string{"r0", "r1", "r2"}},
		{Name: "Bygglov", Refs: []string{"r0", "r1"}},
		{Name: "Flytt", Refs: []string{"r2", "r3"}},
	}, got, "at most three, the most shared first; Nytt barn (2) is cut, Ensam and Skatt (1 each) are not shared")

	_, got = groupsOf(preferences.Preferences{Groups: []preferences.Group{{ID: "g", Name: "VI BYGGER HUS"}}}, cs, refs)
	require.NotContains(t, got, overview.Suggestion{Name: "Vi bygger hus", Refs: []string{"r0", "r1", "r2"}}, "already a group")
	require.Contains(t, got, overview.Suggestion{Name: "Nytt barn", Refs: []string{"r5", "r6"}}, "a tag and a category of one name are one suggestion")

	long := strings.Repeat("x", preferences.MaxGroupName+1)
	_, got = groupsOf(preferences.Preferences{}, []cases.Case{{Tags: []string{long}}, {Tags: []string{long}}}, refs[:2])
	require.Empty(t, got, "a name no group could have is never offered")
}
