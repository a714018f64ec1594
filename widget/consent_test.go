package widget_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit"
)

// TestConsentRequiredLeadsToTheConsentPage: before the customer has
// activated the overview the kit answers 403 consent-required; the element
// says so, in the page's language, with a link to the portal's consent
// page, not as an error to retry.
func TestConsentRequiredLeadsToTheConsentPage(t *testing.T) {
	for _, tc := range []struct{ lang, want string }{
		{"sv", "Du har inte aktiverat ärendeöversikten ännu. Aktivera översikten"},
		{"en", "You have not activated the case overview yet. Activate the overview"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			f := newFixture(t, world{cases: standard()}, kit.View{})
			p := open(t, f.url("/page", pageOpts{lang: tc.lang, attrs: map[string]string{"src": "/unconsented/arendevy/api/overview"}}), 0)
			p.expect("status of 403")
			p.ready()
			require.Equal(t, tc.want, p.text(".notices p"))
			require.True(t, evalAs[bool](p, q(".notices a")+`.href == location.origin + "/samtycke"`))
			require.Empty(t, p.texts(".notices button"), "nothing to retry")
			require.Empty(t, p.texts(".case-title"))
			p.axe("consent required")
		})
	}
}
