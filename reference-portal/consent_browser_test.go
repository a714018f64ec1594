package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/memory"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// startWithConsent is the portal as `make run` starts it: the consent step
// on. It returns the base URL and the preference store to read back.
func startWithConsent(t *testing.T) (string, *preferences.Memory) {
	t.Helper()
	var store *preferences.Memory
	base := startWired(t, func(cfg *config.Config) { cfg.Preferences.Consent = true }, func(a *app) {
		store = a.prefs.(*preferences.Memory)
	})
	return base, store
}

func text(t *testing.T, ctx context.Context, tab *browser.Tab, expr string) string {
	t.Helper()
	s, err := browser.Eval[string](ctx, tab, expr)
	require.NoError(t, err)
	return s
}

func submit(t *testing.T, ctx context.Context, tab *browser.Tab, selector string) {
	t.Helper()
	require.NoError(t, browser.Do(ctx, tab, chromedp.Click(chromedp.CSS(selector))))
}

// TestConsentNotificationsAndOutbox is the whole loop a tester sees, in
// Swedish and English: the consent step on the first login (and the API's
// problem before it), activating it shows the cases; the settings page
// refuses a bad address and sends e-mail + daily to the demo hub; a
// simulated change of one of the persona's producers puts a summary line
// in the development outbox that names the producer and nothing of the
// case; withdrawing asks for consent again and resets every setting. At
// the end the preference store, read whole, holds no case field, no
// personnummer and no address.
func TestConsentNotificationsAndOutbox(t *testing.T) {
	number := personaNumber(t, "Elin Karlsson")
	demo, err := memory.Demo(time.Now()).Overview(context.Background(), identity.Subject{User: identity.Party{Number: number}})
	require.NoError(t, err)
	var secrets []string
	for _, c := range demo.Cases {
		for _, s := range []string{c.Title, c.CaseNumber, c.Officer} {
			if s != "" {
				secrets = append(secrets, s)
			}
		}
	}
	producer := demo.Cases[0].Sender

	for _, tc := range []struct {
		lang, consentTitle, activate, daily, messageStart, withdrawn string
	}{
		{"sv", "Aktivera ärendeöversikten", "Aktivera", "ingår i nästa dagliga sammanfattning", "Något har hänt i ett av dina ärenden hos " + producer.Name, "Samtycket är återkallat"},
		{"en", "Activate the case overview", "Activate", "part of the next daily summary", "Something has happened in one of your cases with " + producer.Name, "Your consent is withdrawn"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			base, store := startWithConsent(t)
			ctx, tab := newTab(t)
			_, err := tab.Navigate(ctx, base+"/sprak/"+tc.lang+"?return=/")
			require.NoError(t, err)
			login(t, ctx, tab, base, "Elin Karlsson")

			// The consent step, in place of the cases.
			require.Equal(t, tc.consentTitle, text(t, ctx, tab, `document.querySelector("h1").textContent`))
			require.Equal(t, 0, evalInt(t, ctx, tab, `document.querySelectorAll("arendevy-overview").length`), "no overview before consent")
			require.Contains(t, text(t, ctx, tab, `document.querySelector("main").textContent`), producer.Name, "names the connected producers")
			_, err = tab.Navigate(ctx, base+"/installningar")
			require.NoError(t, err)
			require.Equal(t, tc.consentTitle, text(t, ctx, tab, `document.querySelector("h1").textContent`), "no settings saved before consent")
			problem := text(t, ctx, tab, `fetch("/arendevy/api/overview").then(async r => r.status + " " + JSON.stringify(await r.json()))`)
			require.True(t, strings.HasPrefix(problem, "403 "), problem)
			require.Contains(t, problem, `"type":"urn:arendevy:problem:consent-required"`)
			require.Contains(t, problem, `"consent":"/samtycke"`)

			submit(t, ctx, tab, `button[value="activate"]`)
			waitFor(t, ctx, tab, `location.search == "?aktiverad=1"`)
			require.NotEmpty(t, shownTitles(t, ctx, tab), "cases after consent")
			require.Contains(t, text(t, ctx, tab, `document.querySelector("button[value=activate]")?.textContent ?? "gone"`), "gone")

			// Settings: a bad address is refused, with a link to the field.
			_, err = tab.Navigate(ctx, base+"/installningar")
			require.NoError(t, err)
			click(t, ctx, tab, "#channel-email")
			require.NoError(t, browser.Do(ctx, tab, chromedp.SendKeys("#address", "inte en adress")))
			click(t, ctx, tab, "#frequency-daily")
			submit(t, ctx, tab, `form.settings button[type="submit"]`)
			waitFor(t, ctx, tab, `document.querySelector(".error-summary a[href='#address']") != null`)
			require.Equal(t, "true", text(t, ctx, tab, `document.querySelector("#address").getAttribute("aria-invalid")`))
			require.NoError(t, browser.Do(ctx, tab, chromedp.SetValue("#address", "elin.karlsson@example.se")))
			submit(t, ctx, tab, `form.settings button[type="submit"]`)
			waitFor(t, ctx, tab, `location.search == "?sparat=1"`)
			require.True(t, evalBool(t, ctx, tab, `document.querySelector("#channel-email").checked && document.querySelector("#frequency-daily").checked`))
			require.Equal(t, "elin.karlsson@example.se", text(t, ctx, tab, `document.querySelector("#address").value`), "read back from the demo hub")

			// The development outbox: simulate a change of Elin's case.
			click(t, ctx, tab, `a[href="/utveckling/utskick"]`)
			waitFor(t, ctx, tab, `location.pathname == "/utveckling/utskick"`)
			persona := text(t, ctx, tab, `[...document.querySelectorAll("#persona option")].find(o => o.textContent == "Elin Karlsson").value`)
			require.NoError(t, browser.Do(ctx, tab, chromedp.SetValue("#persona", persona), chromedp.SetValue("#producer", producer.ID),
				chromedp.SetValue("#status", "in_progress")))
			submit(t, ctx, tab, `form.settings button[type="submit"]`)
			waitFor(t, ctx, tab, `document.querySelector(".outbox-message") != null`)
			require.Contains(t, text(t, ctx, tab, `document.querySelector("p.notice").textContent`), tc.daily)
			entry := text(t, ctx, tab, `document.querySelector(".outbox-message").textContent`)
			require.Contains(t, entry, tc.messageStart)
			require.Contains(t, entry, "elin.karlsson@example.se")
			require.Contains(t, strings.ToLower(entry), tc.daily)
			for _, s := range secrets {
				require.NotContains(t, entry, s, "the message says nothing about the case")
			}

			// Withdraw, confirmed: consent asked again, everything reset.
			_, err = tab.Navigate(ctx, base+"/installningar")
			require.NoError(t, err)
			click(t, ctx, tab, "#withdraw")
			waitFor(t, ctx, tab, `location.pathname == "/installningar/aterkalla"`)
			submit(t, ctx, tab, `main form button[type="submit"]`)
			waitFor(t, ctx, tab, `location.pathname == "/mina-arenden" && document.querySelector("button[value=activate]") != null`)
			require.Contains(t, text(t, ctx, tab, `document.querySelector("p.notice").textContent`), tc.withdrawn)
			require.Empty(t, store.Dump(), "withdrawal deletes the preferences and the consent")
			submit(t, ctx, tab, `button[value="activate"]`)
			waitFor(t, ctx, tab, `location.search == "?aktiverad=1"`)
			_, err = tab.Navigate(ctx, base+"/installningar")
			require.NoError(t, err)
			require.True(t, evalBool(t, ctx, tab, `document.querySelector("#channel-none").checked && document.querySelector("#address").value == ""`),
				"the demo hub forgot the notification settings")

			// Privacy: what the store holds is a consent, visits and choices.
			dump := store.Dump()
			require.Len(t, dump, 1)
			var kept map[string]any
			require.NoError(t, json.Unmarshal(dump[0], &kept))
			require.Contains(t, kept, "consent")
			for _, s := range append(secrets, number, number[2:], "Elin", "example.se", producer.Name) {
				require.NotContains(t, string(dump[0]), s)
			}
		})
	}
}

func evalBool(t *testing.T, ctx context.Context, tab *browser.Tab, expr string) bool {
	t.Helper()
	v, err := browser.Eval[bool](ctx, tab, expr)
	require.NoError(t, err)
	return v
}

func evalInt(t *testing.T, ctx context.Context, tab *browser.Tab, expr string) int {
	t.Helper()
	v, err := browser.Eval[int](ctx, tab, expr)
	require.NoError(t, err, strconv.Quote(expr))
	return v
}
