package minaarenden

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/metrics"
)

// Producers in Mina ärenden are named by the service's data, and their IDs
// are slugs of those names: neither reaches a log line or a metric label
// unless the portal lists it, and neither does the service's own text.
func TestNothingTheServiceSaysReachesLogsOrMetrics(t *testing.T) {
	said := []string{"Tolvan", "tolvan", "19900101", "2385", "Sven", "sven", "FEL"}
	events := []string{
		event(map[string]any{"producent": "Tolvan Tolvansson 19900101-2385", "tidpunkt": "igår"}),
		event(map[string]any{"kundhandelseId": "VAX-2"}),
	}
	delfragor := `{"producent":"Vaxholms stad","status":"OK","httpCode":200},{"producent":"Sven Svensson","status":"FEL Tolvan 199001012385","httpCode":500}`
	answering, _ := serve(t, func(int, request) reply {
		return reply{status: http.StatusPartialContent, body: envelope(customer, 2, events, delfragor)}
	}, nil)
	failing, _ := serve(t, func(int, request) reply {
		return reply{status: http.StatusInternalServerError, body: []byte(`{"message":"Fel för Tolvan Tolvansson 19900101-2385"}`)}
	}, nil)
	var log bytes.Buffer
	reg := metrics.New()
	f := &fanout.Fanout{
		Members: []fanout.Member{
			{Name: "mina-arenden", Actor: Service, Source: answering},
			{Name: "mina-arenden-2", Actor: Service, Source: failing},
		},
		Logger:  slog.New(slog.NewJSONHandler(&log, nil)),
		Observe: reg.Observe,
		Listed:  func(id string) bool { return id == "vaxholms-stad" },
	}
	res, err := f.Overview(context.Background(), self)
	require.NoError(t, err)
	require.Len(t, res.Cases, 1)

	var labels bytes.Buffer
	_, err = reg.WriteTo(&labels)
	require.NoError(t, err)
	require.Contains(t, labels.String(), `producer="vaxholms-stad",state="ok"`)
	require.Contains(t, labels.String(), `producer="unlisted",state="error"`)
	require.Contains(t, labels.String(), `producer="unlisted",state="invalid"`)
	require.Contains(t, labels.String(), `source="mina-arenden-2",producer="mina-arenden",state="error"`)
	require.Contains(t, log.String(), "correlation id")
	for _, s := range said {
		require.NotContains(t, labels.String(), s)
		require.NotContains(t, log.String(), s)
	}
}
