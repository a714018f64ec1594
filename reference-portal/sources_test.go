package main

import (
	"context"
	"encoding/pem"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/reference-portal/config"
)

// The headers configured for a hub source reach the hub, as configured.
func TestHubSourceSendsItsHeaders(t *testing.T) {
	got := make(chan http.Header, 1)
	hubServer := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"producers":[],"cases":[]}`))
	}))
	defer hubServer.Close()
	caFile := filepath.Join(t.TempDir(), "hub-ca.crt")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hubServer.Certificate().Raw}), 0o600))

	src, err := buildSources(config.Config{Deadline: time.Second, Sources: []config.Source{{
		Kind: config.KindHub, Name: "enav", Operator: cases.Actor{ID: "enav", Name: "Ärendenavet"}, URL: hubServer.URL,
		ClientCertFile: "config/testdata/client.crt", ClientKeyFile: "config/testdata/client.key", CAFile: caFile,
		Headers: map[string]string{"client_id": "vaxholm", "client_secret": "enav-secret"},
	}}}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.Len(t, src.members, 1)
	subject := identity.Subject{User: identity.Party{Number: "191212121212", Kind: identity.Personnummer}}
	_, err = src.members[0].Source.Overview(context.Background(), subject)
	require.NoError(t, err)
	header := <-got
	require.Equal(t, "vaxholm", header.Get("client_id"))
	require.Equal(t, "enav-secret", header.Get("client_secret"))
}

// The notification settings go to the source that sends notifications: the
// hub (the only one, or the one preferences.source names) when there is
// one, else the demo's notifier; a portal on Mina ärenden alone has none.
func TestNotificationSettingsGoToTheSourceThatSends(t *testing.T) {
	hubSource := func(name string) config.Source {
		return config.Source{Kind: config.KindHub, Name: name, Operator: cases.Actor{ID: name, Name: "Ärendenavet"},
			URL: "https://hub.example.se", ClientCertFile: "config/testdata/client.crt", ClientKeyFile: "config/testdata/client.key"}
	}
	demo := config.Source{Kind: config.KindDemo, Name: "demo", Operator: cases.Actor{ID: "demo", Name: "demo"}}
	mina := config.Source{Kind: config.KindMinaArenden, Name: "mina", Operator: cases.Actor{ID: "mina", Name: "Mina ärenden"},
		URL: "https://mina.example.se", ClientCertFile: "config/testdata/client.crt", ClientKeyFile: "config/testdata/client.key"}
	wired := func(prefSource string, sources ...config.Source) (sources, config.Config) {
		t.Helper()
		cfg := config.Config{Deadline: time.Second, Sources: sources, Preferences: config.Preferences{Source: prefSource}}
		src, err := buildSources(cfg, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		return src, cfg
	}

	src, cfg := wired("", hubSource("enav"), demo)
	require.Equal(t, src.hubs["enav"].AccountSettings(), accountSettings(cfg, src), "the hub sends, not the demo")
	src, cfg = wired("andra", hubSource("enav"), hubSource("andra"))
	require.Equal(t, src.hubs["andra"].AccountSettings(), accountSettings(cfg, src))
	src, cfg = wired("", demo, mina)
	require.Same(t, src.notifier, accountSettings(cfg, src))
	src, cfg = wired("", mina)
	require.Nil(t, accountSettings(cfg, src), "Mina ärenden sends no notifications")
}
