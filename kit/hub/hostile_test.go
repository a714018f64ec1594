package hub

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/metrics"
	"github.com/arendevy/arendevy/kit/overview"
)

// What a hostile hub says — producer IDs shaped like a personnummer and like
// a name, messages naming a person, a problem type naming one — reaches
// neither the log nor a metric label; and what the browser gets of a hub
// that cannot be reached names no host, address, port or dial error.
func TestNothingTheHubSaysReachesLogsMetricsOrTheBrowser(t *testing.T) {
	said := []string{"199001012385", "tolvan", "Tolvan", "Sven", "sven-svensson", "10.1.2.3"}
	producers := `[{"id":"skatteverket","name":"Skatteverket","state":"ok"},
		{"id":"199001012385","name":"Tolvan Tolvansson","state":"error","message":"Tolvan Tolvansson 19900101-2385 at http://10.1.2.3:8443"},
		{"id":"sven-svensson","name":"Sven Svensson","state":"ok"}]`
	hostile := newTestHub(t, &fakeHub{body: answer(producers,
		hubCase("1", "skatteverket", map[string]any{"status": "Tolvan"}),
		hubCase("2", "sven-svensson", map[string]any{"status": "Sven"}))})
	refusing := newTestHub(t, &fakeHub{status: http.StatusInternalServerError, ctype: "application/problem+json",
		body: `{"type":"https://hub.example/problems/tolvan-tolvansson","title":"Tolvan","detail":"199001012385"}`})
	// A hub that cannot be reached: a port nobody listens on any more.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	deadAddr := l.Addr().String()
	require.NoError(t, l.Close())

	member := func(h *testHub, name string, change func(*Config)) fanout.Member {
		c := h.newClient(t, func(cfg *Config) {
			cfg.Name, cfg.Actor = name, cases.Actor{ID: name, Name: "Nav " + name}
			if change != nil {
				change(cfg)
			}
		})
		return c.Member()
	}
	var log bytes.Buffer
	reg := metrics.New()
	f := &fanout.Fanout{
		Members: []fanout.Member{
			member(hostile, "hub", nil), member(refusing, "hub2", nil),
			member(hostile, "hub3", func(cfg *Config) { cfg.URL = "https://" + deadAddr }),
		},
		Logger:  slog.New(slog.NewJSONHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Observe: reg.Observe,
		Listed:  func(id string) bool { return id == "skatteverket" },
	}
	res, err := f.Overview(context.Background(), self)
	require.NoError(t, err)

	var labels bytes.Buffer
	_, err = reg.WriteTo(&labels)
	require.NoError(t, err)
	require.Contains(t, labels.String(), `arendevy_source_outcomes_total{source="hub",producer="skatteverket",state="invalid"} 1`)
	require.Contains(t, labels.String(), `arendevy_source_outcomes_total{source="hub",producer="unlisted",state="error"} 1`)
	require.Contains(t, labels.String(), `arendevy_source_outcomes_total{source="hub",producer="unlisted",state="invalid"} 1`)
	require.Contains(t, log.String(), `"producer":"unlisted"`)
	require.Contains(t, log.String(), `"source":"hub3"`)
	for _, s := range said {
		require.NotContains(t, labels.String(), s)
		require.NotContains(t, log.String(), s)
	}

	ov := overview.Overview{Sources: res.Outcomes}
	page, err := ov.AppendJSON(nil)
	require.NoError(t, err)
	require.Contains(t, string(page), `"source":"hub3","producer":{"id":"hub3","name":"Nav hub3"},"state":"error"`)
	_, port, _ := net.SplitHostPort(deadAddr)
	for _, s := range []string{"127.0.0.1", ":" + port, "https://", "dial", "connect", "refused", "correlation", "problems/"} {
		require.NotContains(t, string(page), s)
	}
	require.True(t, strings.Contains(log.String(), "refused") || strings.Contains(log.String(), "dial"), "the server's log keeps the cause")
}
