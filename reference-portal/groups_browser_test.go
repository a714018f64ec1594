package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/memory"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// buildingData is a demo source with two more cases for Elin Karlsson in
// the category of one of her demo cases (Bygglov), from a producer of its
// own: three cases from two producers share a category, which suggests a
// group.
func buildingData(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../kit/memory/demo.json")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	doc["producers"] = append(doc["producers"].([]any), map[string]any{"id": "lantm", "name": "Lantmäteriet Test"})
	elin := personaNumber(t, "Elin Karlsson")
	building := func(id, title string) map[string]any {
		return map[string]any{"id": id, "date": "2025-11-12T09:30:00+01:00", "title": title, "sender": map[string]any{"id": "lantm"},
			"status": "in_progress", "category": "Bygglov", "caseNumber": "LM-2025-" + id, "officer": "Greta Gränsdragare", "freeText": "Mätningen bokas in."}
	}
	doc["cases"] = map[string]any{elin: []any{building("4711", "Utstakning av nybyggnad"), building("4712", "Lägeskontroll av grund")}}
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "building.json")
	require.NoError(t, os.WriteFile(file, out, 0o600))
	return file
}

// groupsPortal starts the portal with the building cases beside the demo
// data, and returns it with its preference store, to read what it holds.
func groupsPortal(t *testing.T) (string, func() string, []cases.Case) {
	t.Helper()
	var store *app
	data := buildingData(t)
	base := startWired(t, func(cfg *config.Config) {
		cfg.Sources = append(cfg.Sources, config.Source{Kind: config.KindDemo, Name: "lantm",
			Operator: cases.Actor{ID: "lantm", Name: "Lantmäteriet Test"}, DataFile: data})
	}, func(a *app) { store = a })
	dump := func() string { return fmt.Sprintf("%+v", store.prefs) }
	var all []cases.Case
	subject := identity.Subject{User: identity.Party{Number: personaNumber(t, "Elin Karlsson")}}
	demo, err := memory.Demo(time.Now()).Overview(context.Background(), subject)
	require.NoError(t, err)
	all = append(all, demo.Cases...)
	f, err := os.Open(data)
	require.NoError(t, err)
	defer f.Close()
	doc, err := memory.Load(f, memory.ShiftTo(time.Now()))
	require.NoError(t, err)
	extra, err := doc.Overview(context.Background(), subject)
	require.NoError(t, err)
	return base, dump, append(all, extra.Cases...)
}

// requireNothingOfTheCases reads everything the preference store holds
// and finds no title, case number, officer, free text, producer name or
// personnummer of any case, and no case's id.
func requireNothingOfTheCases(t *testing.T, dump string, all []cases.Case) {
	t.Helper()
	require.NotEmpty(t, dump)
	secrets := []string{personaNumber(t, "Elin Karlsson"), "Elin", "Karlsson"}
	for _, c := range all {
		secrets = append(secrets, c.Title, c.CaseNumber, c.Officer, c.FreeText, c.Sender.Name, c.ID)
	}
	for _, s := range secrets {
		if s != "" {
			require.NotContains(t, dump, s, "the preference store holds a case's text")
		}
	}
}

// TestCaseGroups: in Swedish and English, with the element, the customer
// makes a group from a case's detail, adds a second case to it, shows only
// the group's cases, takes a case out, renames the group on the settings
// page and removes it; a group the cases' category suggests is offered and
// made only on the click. Afterwards the preference store holds no case's
// text.
func TestCaseGroups(t *testing.T) {
	base, dump, all := groupsPortal(t)
	ctx, tab := newTab(t)
	login(t, ctx, tab, base, "Elin Karlsson")
	eval := func(expr string) string {
		t.Helper()
		v, err := browser.Eval[string](ctx, tab, expr)
		require.NoError(t, err, expr)
		return v
	}
	for _, lang := range []struct{ lang, name, renamed, suggest, suggestTag, showing, remove string }{
		{"sv", "Vi bygger hus", "Vårt hus", "3 ärenden hör till ”Bygglov”", "2 ärenden hör till ”Vi bygger hus”", "gruppen Vårt hus", "Ta bort från "},
		{"en", "We build a house", "Our house", "3 cases belong to “Bygglov”", "2 cases belong to “Vi bygger hus”", "the group Our house", "Remove from "},
	} {
		t.Run(lang.lang, func(t *testing.T) {
			_, err := tab.Navigate(ctx, base+"/sprak/"+lang.lang+"?return=/mina-arenden")
			require.NoError(t, err)
			titles := shownTitles(t, ctx, tab)
			require.Equal(t, "true", eval(`String(`+shadow+`.querySelector(".group-choice").hidden)`), "no group choice without groups")

			// Offered, not applied: nothing is stored until the click.
			// A shared category (Bygglov, 3 cases) and a shared Mina
			// ärenden-style tag (Vi bygger hus, 2 cases), the most shared first.
			suggestions := shadow + `.querySelectorAll(".group-suggestion")`
			waitFor(t, ctx, tab, suggestions+`.length == 2`)
			require.Contains(t, eval(shadow+`.querySelector(".group-suggestion").textContent`), lang.suggest)
			require.Contains(t, eval(`[...`+suggestions+`][1].textContent`), lang.suggestTag)
			require.NotContains(t, dump(), "Bygglov", "a suggestion is never applied silently")

			// A new group from the first case's detail.
			open := func(title string) string {
				t.Helper()
				index := eval(`(() => { const s = [...` + shadow + `.querySelectorAll(".case-title")].find((s) => s.textContent.startsWith(` + jsString(title) + `));
					if (!s.parentElement.open) s.click(); return s.dataset.caseIndex })()`)
				waitFor(t, ctx, tab, shadow+`.querySelector("#group-add-`+index+`") != null`)
				return index
			}
			addTo := func(title, group, newName string) {
				t.Helper()
				i := open(title)
				eval(`(() => { const root = ` + shadow + `; root.querySelector("#group-add-` + i + `").value = ` + jsString(group) + `;
					root.querySelector("#group-name-` + i + `").value = ` + jsString(newName) + `;
					root.querySelector("#group-add-` + i + `").form.querySelector("button[type=submit]").click(); return "" })()`)
			}
			first, second := titles[0], titles[1]
			addTo(first, "", lang.name)
			waitFor(t, ctx, tab, shadow+`.querySelector("#arendevy-group")?.options.length == 2`)
			require.Equal(t, "false", eval(`String(`+shadow+`.querySelector(".group-choice").hidden)`))
			id := eval(shadow + `.querySelector("#arendevy-group").options[1].value`)
			require.Equal(t, lang.name+" (1)", eval(shadow+`.querySelector("#arendevy-group").options[1].textContent`))
			addTo(second, id, "")
			waitFor(t, ctx, tab, shadow+`.querySelector("#arendevy-group").options[1].textContent == `+jsString(lang.name+" (2)"))

			// Only the group's cases.
			eval(`(() => { const s = ` + shadow + `.querySelector("#arendevy-group"); s.value = ` + jsString(id) + `; s.dispatchEvent(new Event("input", {bubbles: true})); return "" })()`)
			waitFor(t, ctx, tab, shadow+`.querySelectorAll(".case-title").length == 2`)
			require.ElementsMatch(t, []string{first, second}, trimBadges(shownTitles(t, ctx, tab)))

			// A case out of the group: the group shows what is left.
			i := open(first)
			eval(`[...` + shadow + `.querySelectorAll("#case-detail-` + i + ` .group-form button")].find((b) => b.textContent.startsWith(` + jsString(lang.remove) + `)).click() || ""`)
			waitFor(t, ctx, tab, shadow+`.querySelector("#arendevy-group").options[1].textContent == `+jsString(lang.name+" (1)"))
			waitFor(t, ctx, tab, shadow+`.querySelectorAll(".case-title").length == 1`)
			require.Equal(t, []string{second}, trimBadges(shownTitles(t, ctx, tab)))

			// Renamed on the settings page (a plain form post).
			_, err = tab.Navigate(ctx, base+"/installningar")
			require.NoError(t, err)
			eval(`(() => { const input = document.querySelector("#group-` + id + `"); input.value = ` + jsString(lang.renamed) + `; return "" })()`)
			require.NoError(t, tab.WaitLoad(ctx, func() error {
				_, err := browser.Eval[string](ctx, tab, `document.querySelector("#group-`+id+`").form.querySelector("button[type=submit]").click() || ""`)
				return err
			}))
			require.Equal(t, lang.renamed, eval(`document.querySelector("#group-`+id+`").value`))
			_, err = tab.Navigate(ctx, base+"/mina-arenden?group="+id)
			require.NoError(t, err)
			require.Equal(t, []string{second}, trimBadges(shownTitles(t, ctx, tab)), "the address shows the group")
			require.Contains(t, eval(shadow+`.querySelector(".status-region").textContent`), lang.showing)

			// The suggestion, made on its click.
			eval(shadow + `.querySelector(".group-suggestion button").click() || ""`)
			waitFor(t, ctx, tab, shadow+`.querySelector("#arendevy-group")?.options.length == 3`)
			require.Equal(t, "Bygglov (3)", eval(shadow+`.querySelector("#arendevy-group").options[2].textContent`))
			require.Equal(t, "false", eval(`String([...`+suggestions+`].some((s) => s.textContent.includes("Bygglov")))`), "made, it is no longer offered")
			require.Contains(t, eval(`[...`+suggestions+`].map((s) => s.textContent).join("|")`), lang.suggestTag, "the tag's suggestion still is")
			requireNothingOfTheCases(t, dump(), all)

			// Both removed on the settings page.
			for range 2 {
				_, err = tab.Navigate(ctx, base+"/installningar")
				require.NoError(t, err)
				require.NoError(t, tab.WaitLoad(ctx, func() error {
					_, err := browser.Eval[string](ctx, tab, `document.querySelector(".group-manage form:last-child button").click() || ""`)
					return err
				}))
			}
			require.Equal(t, "0", eval(`String(document.querySelectorAll(".group-manage").length)`))
			_, err = tab.Navigate(ctx, base+"/mina-arenden?group="+id)
			require.NoError(t, err)
			require.Len(t, shownTitles(t, ctx, tab), len(titles), "a group removed: every case")
			require.Equal(t, "true", eval(`String(`+shadow+`.querySelector(".group-choice").hidden)`))
		})
	}
	requireNothingOfTheCases(t, dump(), all)
}

// TestCaseGroupsWithoutJavaScript: the same forms work as plain form posts
// and the group choice as the GET form's parameter; a bad name gets a page
// that says what is wrong.
func TestCaseGroupsWithoutJavaScript(t *testing.T) {
	base, dump, all := groupsPortal(t)
	ctx, tab := newTab(t)
	login(t, ctx, tab, base, "Elin Karlsson")
	require.NoError(t, tab.DisableScripts(ctx))
	_, err := tab.Navigate(ctx, base+"/sprak/sv?return=/mina-arenden")
	require.NoError(t, err)
	eval := func(expr string) string {
		t.Helper()
		v, err := browser.Eval[string](ctx, tab, `(() => { const el = document.querySelector("arendevy-overview"); return `+expr+` })()`)
		require.NoError(t, err, expr)
		return v
	}
	submit := func(expr string) {
		t.Helper()
		require.NoError(t, tab.WaitLoad(ctx, func() error {
			_, err := browser.Eval[string](ctx, tab, `(() => { const el = document.querySelector("arendevy-overview"); `+expr+`; return "" })()`)
			return err
		}))
	}
	require.Equal(t, "false", eval(`String(el.matches(":defined"))`), "the element did not run")
	require.Equal(t, "0", eval(`String(el.querySelectorAll("#arendevy-group").length)`), "no group choice without groups")
	require.Contains(t, eval(`el.querySelector(".group-suggestion").textContent`), "3 ärenden hör till ”Bygglov”")
	first := eval(`el.querySelector("tr.case-row .case-title").textContent`)
	index := eval(`el.querySelector("tr.case-row").dataset.caseIndex`)

	submit(`el.querySelector("#group-name-` + index + `").value = "Nytt barn"; el.querySelector("#group-add-` + index + `").form.querySelector("button[type=submit]").click()`)
	require.Equal(t, "/mina-arenden", eval(`location.pathname`), "back on the overview")
	require.Equal(t, "Nytt barn (1)", eval(`el.querySelector("#arendevy-group").options[1].textContent`))
	id := eval(`el.querySelector("#arendevy-group").options[1].value`)

	// The GET form's group parameter.
	_, err = tab.Navigate(ctx, base+"/mina-arenden?group="+id)
	require.NoError(t, err)
	require.Equal(t, "1", eval(`String(el.querySelectorAll("tr.case-row").length)`))
	require.Equal(t, first, eval(`el.querySelector("tr.case-row .case-title").textContent`))
	require.Equal(t, id, eval(`el.querySelector("#arendevy-group").value`), "the choice shows the group")

	// Out of the group, from its detail: the group is empty and says so.
	submit(`[...el.querySelectorAll(".case-groups .group-form button")].find((b) => b.textContent.startsWith("Ta bort från")).click()`)
	require.Equal(t, "group="+id, eval(`location.search.match(/group=[^&]*/)[0]`), "back to the page as it was")
	require.Equal(t, "0", eval(`String(el.querySelectorAll("tr.case-row").length)`))
	require.Contains(t, eval(`el.querySelector(".notices").textContent`), "Gruppen Nytt barn har inga ärenden just nu")

	// A name that is taken gets a page that says so, with the way back.
	_, err = tab.Navigate(ctx, base+"/mina-arenden")
	require.NoError(t, err)
	require.NoError(t, tab.WaitLoad(ctx, func() error {
		_, err := browser.Eval[string](ctx, tab, `(() => { const el = document.querySelector("arendevy-overview"); el.querySelector("#group-name-0").value = "NYTT BARN";
			el.querySelector("#group-name-0").form.querySelector("button[type=submit]").click(); return "" })()`)
		return err
	}))
	require.Contains(t, eval(`document.body.textContent`), "Du har redan en grupp med det namnet")
	require.Equal(t, "/mina-arenden", eval(`new URL(document.querySelector("main a").href).pathname`))

	// The suggestion, as a form post.
	_, err = tab.Navigate(ctx, base+"/mina-arenden")
	require.NoError(t, err)
	submit(`el.querySelector(".group-suggestion button").click()`)
	require.Equal(t, "Bygglov (3)", eval(`el.querySelector("#arendevy-group").options[2].textContent`))
	requireNothingOfTheCases(t, dump(), all)

	// A form post without the session's token is refused.
	resp, err := http.Post(base+"/arendevy/api/groups", "application/x-www-form-urlencoded", strings.NewReader("action=delete&group="+id))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

// trimBadges drops the "Ny"/"New" badge after a title.
func trimBadges(titles []string) []string {
	out := make([]string, len(titles))
	for i, title := range titles {
		title = strings.TrimSuffix(title, " Ny")
		out[i] = strings.TrimSuffix(title, " New")
	}
	return out
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
