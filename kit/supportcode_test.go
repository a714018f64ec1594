package kit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"regexp"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/supportcode"
)

// supportKit has two sources: one answers with a case full of personal
// data, one fails. Each records the correlation id its request carried.
func supportKit(t *testing.T) (*Kit, *bytes.Buffer, map[string]string) {
	t.Helper()
	dir, err := producers.New([]producers.Info{
		{ID: "skatteverket", Name: "Skatteverket", Hosts: []string{"etjanst.skatteverket.se"}},
		{ID: "csn", Name: "CSN"},
	})
	require.NoError(t, err)
	var mu sync.Mutex
	ids := map[string]string{}
	record := func(ctx context.Context, name string) {
		mu.Lock()
		defer mu.Unlock()
		ids[name] = cases.CorrelationIDOf(ctx)
	}
	secret := cases.Case{ID: "skv-1", Title: "Bouppteckning efter Tolvan Tolvansson", Sender: cases.Actor{ID: "skatteverket", Name: "Skatteverket"},
		Status: cases.InProgress, Date: testCase("x", "x", "csn", cases.Received, 1, "").Date, CaseNumber: "131 517204-25/7930"}
	var log bytes.Buffer
	k, err := New(Config{
		Producers: dir,
		Logger:    slog.New(slog.NewJSONHandler(&log, nil)),
		Sources: []fanout.Member{
			{Name: "hub", Actor: cases.Actor{ID: "hub", Name: "Hub"},
				Source: cases.SourceFunc(func(ctx context.Context, _ identity.Subject) (cases.Result, error) {
					record(ctx, "hub")
					return cases.Result{Cases: []cases.Case{secret}}, nil
				})},
			{Name: "studier", Actor: cases.Actor{ID: "csn", Name: "CSN"},
				Source: cases.SourceFunc(func(ctx context.Context, _ identity.Subject) (cases.Result, error) {
					record(ctx, "studier")
					return cases.Result{}, errors.New("connection refused")
				})},
		},
	})
	require.NoError(t, err)
	return k, &log, ids
}

// supportLine is the one "overview" line of the log, decoded.
func supportLine(t *testing.T, log *bytes.Buffer) (raw string, line struct {
	Code    string                    `json:"support_code"`
	Sources map[string]map[string]any `json:"sources"`
}) {
	t.Helper()
	var found []string
	for _, l := range bytes.Split(bytes.TrimSpace(log.Bytes()), []byte("\n")) {
		if bytes.Contains(l, []byte(`"msg":"overview"`)) {
			found = append(found, string(l))
		}
	}
	require.Len(t, found, 1, "one line per overview request:\n%s", log)
	require.NoError(t, json.Unmarshal([]byte(found[0]), &line))
	return found[0], line
}

// The code on the page finds the one log line that says which sources
// answered, how, and with which correlation id; and the line holds nothing
// of the customer's.
func TestSupportCodeFindsTheOverviewsLogLine(t *testing.T) {
	check := func(t *testing.T, code string, log *bytes.Buffer, ids map[string]string) {
		t.Helper()
		require.Regexp(t, supportcode.Pattern, code)
		raw, line := supportLine(t, log)
		require.Equal(t, code, line.Code)
		require.Equal(t, ids["hub"], line.Sources["hub"]["correlation_id"])
		require.Equal(t, "skatteverket:ok", line.Sources["hub"]["producers"])
		require.Equal(t, ids["studier"], line.Sources["studier"]["correlation_id"])
		require.Equal(t, "csn:error", line.Sources["studier"]["producers"])
		require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, ids["hub"])
		for _, private := range []string{"191212121212", "Tolvan", "Bouppteckning", "517204", "skv-1"} {
			require.NotContains(t, raw, private)
		}
	}

	t.Run("the API", func(t *testing.T) {
		k, log, ids := supportKit(t)
		w := get(t, k, "/arendevy/api/overview", &tolvan)
		var body struct {
			SupportCode string `json:"supportCode"`
		}
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
		check(t, body.SupportCode, log, ids)
	})

	t.Run("the server-rendered page", func(t *testing.T) {
		k, log, ids := supportKit(t)
		var page bytes.Buffer
		require.NoError(t, k.RenderPage(context.Background(), &page, tolvan, url.Values{}, "sv"))
		m := regexp.MustCompile(`<p class="support-code" part="support">Supportkod: ([^ <]+) `).FindStringSubmatch(page.String())
		require.NotNil(t, m, "the code is on the page")
		check(t, m[1], log, ids)
	})

	t.Run("a new code for each request", func(t *testing.T) {
		k, log, _ := supportKit(t)
		get(t, k, "/arendevy/api/overview", &tolvan)
		_, first := supportLine(t, log)
		log.Reset()
		get(t, k, "/arendevy/api/overview", &tolvan)
		_, second := supportLine(t, log)
		require.NotEqual(t, first.Code, second.Code)
	})
}
