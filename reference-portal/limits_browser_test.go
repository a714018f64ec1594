package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/e2e/browser"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// TestPortalRefreshStormGets429: reloading the cases page past the
// session's limit gets 429 with Retry-After and a notice instead of the
// overview, and so does the API the element calls.
func TestPortalRefreshStormGets429(t *testing.T) {
	base := startConfigured(t, func(cfg *config.Config) {
		cfg.Limits.SessionBurst, cfg.Limits.SessionEvery = 3, time.Hour
	})
	ctx, tab := newTab(t)
	login(t, ctx, tab, base, "Elin Karlsson")
	status := http.StatusOK
	for range 5 {
		var err error
		if status, err = tab.Navigate(ctx, base+"/mina-arenden"); err != nil || status != http.StatusOK {
			break
		}
	}
	require.Equal(t, http.StatusTooManyRequests, status)
	waitFor(t, ctx, tab, `["Vänta en stund", "Wait a moment"].some(s => document.querySelector("p.notice[role=status]")?.textContent.includes(s))`)
	gone, err := browser.Eval[bool](ctx, tab, `document.querySelector("arendevy-overview") == null`)
	require.NoError(t, err)
	require.True(t, gone, "no element that would only ask again")

	answer, err := browser.Eval[map[string]string](ctx, tab, `fetch("/arendevy/api/overview").then(async r => ({
		status: String(r.status), retry: r.headers.get("Retry-After"), type: r.headers.get("Content-Type"), title: (await r.json()).title}))`)
	require.NoError(t, err)
	require.Equal(t, "429", answer["status"])
	require.Equal(t, "application/problem+json", answer["type"])
	require.NotEmpty(t, answer["retry"])
	require.Contains(t, []string{"För många förfrågningar", "Too many requests"}, answer["title"])
}
