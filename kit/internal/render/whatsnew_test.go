package render_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/internal/render"
	"github.com/arendevy/arendevy/kit/listing"
)

// TestNewCasesHaveABadgeAndACount: a case the kit marked new carries the
// word in its title (not a colour alone), and the status line counts them,
// in both languages; the others carry nothing.
func TestNewCasesHaveABadgeAndACount(t *testing.T) {
	data := compiled(t, tolvan, cases.Result{Cases: sample()})
	data.Cases[0].New, data.Cases[1].New = true, true // Ansökan om F-skatt, Bygglov
	q := listing.Query{Sort: listing.ByDate, Descending: true, Scope: listing.All}
	for _, tt := range []struct{ lang, badge, status string }{
		{"sv", "Ny", "3 av 3 ärenden, sorterade efter datum, nyast först; ärenden där du behöver göra något visas först; 2 nya sedan ditt förra besök"},
		{"en", "New", "3 of 3 cases, sorted by date, newest first; cases where you need to act come first; 2 new since your last visit"},
	} {
		_, doc := fragment(t, render.Fragment{Lang: tt.lang, Query: q, Overview: data})
		require.Equal(t, []string{tt.badge, tt.badge}, texts(find(doc, class("new-badge"))), tt.lang)
		require.Equal(t, []string{"Bygglov " + tt.badge, "Ansökan om F-skatt " + tt.badge, "Återbetalning"}, texts(find(doc, class("case-title"))), tt.lang)
		require.Equal(t, []string{tt.status}, texts(find(doc, class("status-region"))), tt.lang)
	}

	// Nothing new (the first visit ever): no badge, no count.
	for i := range data.Cases {
		data.Cases[i].New = false
	}
	_, doc := fragment(t, render.Fragment{Lang: "sv", Query: q, Overview: data})
	require.Empty(t, find(doc, class("new-badge")))
	require.NotContains(t, texts(find(doc, class("status-region")))[0], "sedan ditt förra besök")
}
