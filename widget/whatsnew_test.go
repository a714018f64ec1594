package widget_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit"
)

// TestNewCasesAreMarkedWithAWord: the cases dated after Tolvan's previous
// visit carry "Ny"/"New" in their title cell, the others nothing, and the
// status line counts them, in both languages and looks.
func TestNewCasesAreMarkedWithAWord(t *testing.T) {
	f := newFixture(t, world{cases: standard(), since: at("2026-11-19T00:00:00Z")}, kit.View{})
	for _, l := range looks {
		badge := l.pick("Ny", "New")
		p := open(t, f.url("/page", pageOpts{lang: l.lang, theme: l.theme}), l.width)
		p.ready()
		require.Equal(t, []string{badge, badge}, p.texts(".new-badge"), l.lang)
		var marked []string
		for _, title := range p.texts(".case-title") {
			if cut, ok := strings.CutSuffix(title, " "+badge); ok {
				marked = append(marked, cut)
			}
		}
		require.ElementsMatch(t, []string{"Ansökan om F-skatt", "Överklagande av beslut"}, marked, l.lang)
		require.Contains(t, p.text(".status-region"), l.pick("; 2 nya sedan ditt förra besök", "; 2 new since your last visit"))
		p.axe("new since the last visit, " + l.lang)
	}
}
