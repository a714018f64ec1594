package widget_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit"
)

// A producer's text longer than the overview shows arrives shortened
// (Mina ärenden allows 65,535 characters): the detail says so and leads to
// the whole text, on the server-rendered page and in the element alike.
func TestAShortenedTextSaysWhereTheRestIs(t *testing.T) {
	w := world{cases: standard()}
	w.cases[0].FreeTextShortened = true                                                        // Skatteverket's, with a link to the case
	w.cases[1].FreeText, w.cases[1].FreeTextShortened = "Början av en lång beskrivning…", true // Vaxholm's, without
	f := newFixture(t, w, kit.View{})

	light := `document.querySelector("arendevy-overview")`
	rests := func(p *page, root string) []string {
		return evalAs[[]string](p, `[...`+root+`.querySelectorAll(".text-rest")].map((e) => e.textContent)`)
	}
	// The rest's link goes where the case's own link goes.
	sameLink := func(p *page, root string) bool {
		return evalAs[bool](p, `(() => { const rest = `+root+`.querySelector(".text-rest a"), own = `+root+`.querySelector("a.case-link:not(.action-button)");
			return rest.target == "_blank" && rest.href == own.href && rest.closest("tr").id == own.closest("tr").id })()`)
	}
	want := map[string][]string{
		"sv": {"Texten är förkortad här. Läs hela texten hos Skatteverket (öppnas i nytt fönster)", "Texten är förkortad här. Hela texten finns hos Vaxholms stad."},
		"en": {"The text is shortened here. Read the whole text at Skatteverket (opens in a new window)", "The text is shortened here. Vaxholms stad has the whole text."},
	}
	for lang, texts := range want {
		t.Run(lang, func(t *testing.T) {
			plain := open(t, f.url("/ssr", pageOpts{lang: lang}), 0)
			require.ElementsMatch(t, texts, rests(plain, light), "without JavaScript")
			require.True(t, sameLink(plain, light))

			p := open(t, f.url("/page", pageOpts{lang: lang}), 0)
			p.ready()
			p.eval(title("Ansökan om F-skatt") + `.click()`)
			p.eval(title("Bygglov för carport") + `.click()`)
			p.waitFor(q(".text-rest") + ` && ` + sr + `.querySelectorAll(".text-rest").length == 2`)
			require.ElementsMatch(t, texts, rests(p, sr), "in the element")
			require.True(t, sameLink(p, sr))
			p.axe("a shortened text opened")
		})
	}
}
