package minaarenden

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
)

const texts = `service = "Mina ärenden"
[texts]
deadline = { sv = "Sista dag att åtgärda", en = "Last day to act" }
missing_documents = { sv = "Saknade handlingar", en = "Missing documents" }
firm = { sv = "Enskild firma nummer", en = "Sole trader firm number" }
`

func TestDefaultCatalogueIsTheShippedFile(t *testing.T) {
	c, err := ParseCatalogue(defaultCatalogueFile)
	require.NoError(t, err)
	require.Equal(t, c, DefaultCatalogue())
	require.Equal(t, "Mina ärenden", Service.Name, "the service's name comes from the file")
	require.Equal(t, "Last day to act", c.Deadline.In("en-GB"))
	require.Equal(t, "Sista dag att åtgärda", c.Deadline.In(""))
	require.Equal(t, "Viimeinen päivä toimenpiteille", c.Deadline.In("fi-FI"))
	require.Equal(t, "Sista dag att åtgärda", c.Deadline.In("de"), "a language without a text gets the Swedish")
}

// The shipped catalogue gives every text in every language of the page, so
// that no page shows the catalogue's Swedish in another language.
func TestDefaultCatalogueSpeaksEveryPageLanguage(t *testing.T) {
	c := DefaultCatalogue()
	texts := []Text{c.Deadline, c.MissingDocuments, c.Firm}
	for _, e := range c.Types {
		texts = append(texts, e.Title, e.PlannedEvent)
	}
	for _, text := range texts {
		if text == nil {
			continue
		}
		for _, lang := range pageLanguages {
			require.NotEmpty(t, text[lang], "%s: %v", lang, text)
		}
	}
	require.Contains(t, pageLanguages, "fi")
	require.Contains(t, pageLanguages, "ar")
}

func TestParseCatalogueNamesEveryProblem(t *testing.T) {
	tests := []struct {
		name, file string
		want       []string
	}{
		{"not TOML", "service = ", []string{"line 1"}},
		{"nothing", "", []string{"service: must be text", "texts.deadline: required, with sv and en",
			"texts.missing_documents: required", "texts.firm: required"}},
		{"everything wrong", `service = "Mina ärenden"
colour = "blue"
[texts]
deadline = { sv = "Sista dag att åtgärda" }
missing_documents = { sv = "Saknade handlingar", en = " " }
firm = { sv = "Enskild firma nummer", en = "Sole trader firm number", fi = " ", de = "Einzelunternehmen" }
[[types]]
type = "MOTTAGEN"
status = "arrived"
[[types]]
type = "MOTTAGEN"
status = "received"
[[types]]
type = "kommun.bygglov"
title = { sv = "Bygglov" }
[[types]]
type = "KOMMUN.BESLUT"
[[types]]
type = "KOMMUN..X"
titel = { sv = "X", en = "X" }
`, []string{
			"colour: unknown key", "types.titel: unknown key",
			"texts.deadline: the en text is missing", "texts.missing_documents.en: must be text of 1 to",
			"texts.firm.fi: must be text of 1 to", "texts.firm.de: not a language of the page (sv, en, ar, fi",
			`types[0].status: "arrived" is not one of received, in_progress, action_required, closed`,
			`types[1].type: "MOTTAGEN" is given twice`,
			`types[2].type: "kommun.bygglov" is not an event type`, "types[2].title: the en text is missing",
			"types[3]: says nothing", `types[4].type: "KOMMUN..X" is not an event type`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCatalogue([]byte(tt.file))
			require.Nil(t, c)
			require.ErrorIs(t, err, ErrCatalogue)
			var ce *CatalogueError
			require.ErrorAs(t, err, &ce)
			for _, w := range tt.want {
				require.ErrorContains(t, err, w)
			}
		})
	}
}

func TestLoadCatalogue(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadCatalogue(filepath.Join(dir, "nope.toml"))
	require.ErrorIs(t, err, ErrCatalogue)
	big := filepath.Join(dir, "big.toml")
	require.NoError(t, os.WriteFile(big, []byte(texts+"#"+strings.Repeat("x", MaxCatalogueBytes)), 0o600))
	_, err = LoadCatalogue(big)
	require.ErrorContains(t, err, "larger than")
	good := filepath.Join(dir, "good.toml")
	require.NoError(t, os.WriteFile(good, []byte(texts+"[[types]]\ntype = \"SKV\"\nstatus = \"in_progress\"\n"), 0o600))
	c, err := LoadCatalogue(good)
	require.NoError(t, err)
	require.Equal(t, []TypeEntry{{Type: "SKV", Status: cases.InProgress}}, c.Types)
}

// TestTheCatalogueSpeaksThePagesLanguage: the client's catalogue gives the
// status, the title and the planned event, in the language of the page.
func TestTheCatalogueSpeaksThePagesLanguage(t *testing.T) {
	cat, err := ParseCatalogue([]byte(`service = "Mina ärenden (Vaxholm)"
[texts]
deadline = { sv = "Sista dag att åtgärda", en = "Last day to act" }
missing_documents = { sv = "Saknade handlingar", en = "Missing documents", fi = "Puuttuvat asiakirjat" }
firm = { sv = "Enskild firma nummer", en = "Sole trader firm number" }
[[types]]
type = "KOMMUN.BYGGLOV"
title = { sv = "Bygglov", en = "Building permit", fi = "Rakennuslupa" }
[[types]]
type = "KOMMUN.BYGGLOV.KOMPLETTERING_BEGARD"
planned_event = { sv = "Sista dag att komplettera", en = "Last day to complete the application", fi = "Viimeinen päivä täydentää" }
[[types]]
type = "KOMPLETTERING_BEGARD"
status = "action_required"
planned_event = { sv = "Komplettera senast", en = "Complete by" }
`))
	require.NoError(t, err)
	body := envelope(customer, 2, []string{
		event(map[string]any{"producentarendetKraverKundatgard": false}), // KOMMUN.BYGGLOV.KOMPLETTERING_BEGARD
		event(map[string]any{"kundhandelseId": "SKV-1", "producent": "Skatteverket", "kundhandelseTyp": "SKV.DEKLARATION.KOMPLETTERING_BEGARD",
			"producentarendetKraverKundatgard": false, "referenser": map[string]any{}}),
	}, "")
	c, _ := serve(t, func(n int, q request) reply {
		if n == 3 { // after one overview in each language
			return reply{status: 500, body: []byte(`{}`)}
		}
		return reply{status: 200, body: body}
	}, func(c *Config) { c.Catalogue = cat })
	for _, tt := range []struct{ lang, title, planned, other, pair string }{
		{"sv", "Bygglov", "Sista dag att komplettera", "Komplettera senast", "Saknade handlingar"},
		{"en", "Building permit", "Last day to complete the application", "Complete by", "Missing documents"},
		// Finnish where the catalogue has it; where it has not, its Swedish.
		{"fi", "Rakennuslupa", "Viimeinen päivä täydentää", "Komplettera senast", "Puuttuvat asiakirjat"},
	} {
		r, err := c.Overview(cases.WithLanguage(context.Background(), tt.lang), self)
		require.NoError(t, err)
		require.Len(t, r.Cases, 2)
		skv, bygg := r.Cases[0], r.Cases[1]
		if bygg.Sender.ID == "skatteverket" {
			skv, bygg = bygg, skv
		}
		require.Equal(t, tt.title, bygg.Title)
		require.Equal(t, cases.ActionRequired, bygg.Status, "the last segment's status")
		require.Equal(t, tt.planned, bygg.PlannedEvent, "the whole type's wording wins over the segment's")
		require.Equal(t, tt.pair, bygg.Pairs[0].Title)
		require.Equal(t, tt.other, skv.PlannedEvent)
	}
	_, err = c.Overview(context.Background(), self)
	var se *ServiceError
	require.ErrorAs(t, err, &se)
	require.Equal(t, "Mina ärenden (Vaxholm)", c.Service().Name, "whole-request failures are under the catalogue's name")
}
