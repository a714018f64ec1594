package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/memory"
	"github.com/arendevy/arendevy/kit/postgres/postgrestest"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// TestPortalPreferencesInPostgres: two instances on one PostgreSQL server.
// Settings saved on one apply on the other; the database then holds
// nothing that names the user or their cases; with the database down the
// overview still comes, with a notice, and saving says it failed.
func TestPortalPreferencesInPostgres(t *testing.T) {
	db, err := postgrestest.Start()
	require.NoError(t, err)
	t.Cleanup(db.Stop)
	secret := filepath.Join(t.TempDir(), "preferences.key")
	require.NoError(t, os.WriteFile(secret, []byte(strings.Repeat("ab", 32)), 0o600))
	withPostgres := func(cfg *config.Config) {
		cfg.Preferences = config.Preferences{Store: config.StorePostgres, DSN: db.DSN(), SecretFile: secret}
	}
	first, second := startConfigured(t, withPostgres), startConfigured(t, withPostgres)

	ctx, tab := newTab(t)
	login(t, ctx, tab, first, "Elin Karlsson")
	_, err = tab.Navigate(ctx, first+"/installningar")
	require.NoError(t, err)
	require.NoError(t, browser.Do(ctx, tab,
		chromedp.Click(chromedp.CSS(`input[name="hide"][value="skatteverket"]`)),
		chromedp.Click(chromedp.CSS(`form.settings button[type="submit"]`)),
	))
	waitFor(t, ctx, tab, `document.querySelector("p.notice[role=status]") != null`)

	number := personaNumber(t, "Elin Karlsson")
	demo, err := memory.Demo(time.Now()).Overview(context.Background(), identity.Subject{User: identity.Party{Number: number}})
	require.NoError(t, err)
	var skatteverket string
	for _, c := range demo.Cases {
		if c.Sender.ID == "skatteverket" {
			skatteverket = c.Title
		}
	}
	require.NotEmpty(t, skatteverket, "the persona has a case from Skatteverket")

	other, otherTab := newTab(t)
	login(t, other, otherTab, second, "Elin Karlsson")
	require.NotContains(t, shownTitles(t, other, otherTab), skatteverket, "the setting saved on one instance applies on the other")

	// Everything the database holds, read as someone who got hold of it.
	dump, err := db.Dump(context.Background(), "", "preferences", "schema_migrations")
	require.NoError(t, err)
	all := strings.Join(dump, "\n")
	require.Contains(t, all, "skatteverket", "the saved setting is there")
	for _, leak := range []string{number, number[2:], number[len(number)-4:], "Elin", "Karlsson"} {
		require.NotContains(t, all, leak)
	}
	for _, c := range demo.Cases {
		require.NotContains(t, all, c.Title)
		if c.CaseNumber != "" {
			require.NotContains(t, all, c.CaseNumber)
		}
	}

	// The database goes down: the overview still comes, in the default
	// settings, and says so; saving settings says it failed.
	require.NoError(t, db.Pause())
	t.Cleanup(func() { _ = db.Resume() })
	_, err = otherTab.Navigate(other, second+"/mina-arenden")
	require.NoError(t, err)
	require.Contains(t, shownTitles(t, other, otherTab), skatteverket, "the defaults: nothing hidden")
	// In the page's language (the browser's: sv or en).
	waitFor(t, other, otherTab, `["Dina sparade inställningar kunde inte läsas", "Your saved settings could not be read"].some(s => `+shadow+`?.querySelector(".notices[aria-live]")?.textContent.includes(s))`)
	_, err = otherTab.Navigate(other, second+"/installningar")
	require.NoError(t, err)
	waitFor(t, other, otherTab, `["Dina sparade inställningar kunde inte läsas", "Your saved settings could not be read"].some(s => document.querySelector("p.notice[role=status]")?.textContent.includes(s))`)
	require.NoError(t, browser.Do(other, otherTab, chromedp.Click(chromedp.CSS(`form.settings button[type="submit"]`))))
	waitFor(t, other, otherTab, `["Inställningarna kunde inte sparas", "The settings could not be saved"].some(s => document.body.innerText.includes(s))`)
}
