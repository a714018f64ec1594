package minaarenden

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
)

// byWindow answers like the service over events of the given days, newest
// first, honouring startDatum, slutDatum, offset and limit.
func byWindow(days []string) func(q request) reply {
	return func(q request) reply {
		var in []string
		for i, d := range days {
			if (q.Fraga.StartDatum == "" || d >= q.Fraga.StartDatum) && d <= q.Fraga.SlutDatum {
				in = append(in, event(map[string]any{"kundhandelseId": fmt.Sprint("VAX-", i), "tidpunkt": d + "T10:00:00Z",
					"referenser": map[string]any{"diarienummer": fmt.Sprint("BYGG-", i)}, "producentarendetKlart": true}))
			}
		}
		p := q.Fraga.Behandling.Paginering
		lo, hi := min(p.Offset, len(in)), min(p.Offset+p.Limit, len(in))
		return reply{status: http.StatusOK, body: envelope(customer, len(in), in[lo:hi], "")}
	}
}

// TestOlderCasesAreNeverSilentlyGone: events before the window are counted
// alongside the query, the outcome says so, and the next window back is
// fetched when the user asks (cases.WithOlder), page by page.
func TestOlderCasesAreNeverSilentlyGone(t *testing.T) {
	days := []string{"2026-10-01", "2026-03-01", "2025-09-01", "2025-06-01", "2024-12-01", "2023-01-01"}
	answer := byWindow(days)
	c, f := serve(t, func(_ int, q request) reply { return answer(q) }, func(c *Config) {
		c.PageSize, c.MaxPages = 1, 10
		c.Since = 365 * 24 * time.Hour
	})
	f.older = answer

	r, err := c.Overview(context.Background(), self)
	require.NoError(t, err)
	require.Len(t, r.Cases, 2, "the window: the year back from 2026-10-15")
	svc := outcomeFor(t, r, ServiceID)
	require.Equal(t, &cases.Truncation{Reason: cases.CutWindow, Unit: cases.CountedEvents, Total: 4}, svc.Truncated,
		"the page is told that older events exist, and how many")
	require.Contains(t, svc.Message, "4 events before 2025-10-15 were not fetched")
	require.Len(t, f.probes, 1)
	require.Equal(t, "2025-10-14", f.probes[0].Fraga.SlutDatum, "asked about the days before the window")
	require.Equal(t, 1, f.probes[0].Fraga.Behandling.Paginering.Limit, "one event is enough to know")

	r, err = c.Overview(cases.WithOlder(context.Background(), 1), self)
	require.NoError(t, err)
	require.Len(t, r.Cases, 5, "one window further back")
	require.Equal(t, &cases.Truncation{Reason: cases.CutWindow, Unit: cases.CountedEvents, Total: 1}, outcomeFor(t, r, ServiceID).Truncated)

	r, err = c.Overview(cases.WithOlder(context.Background(), 3), self)
	require.NoError(t, err)
	require.Len(t, r.Cases, 6, "everything")
	for _, o := range r.Outcomes {
		require.Nil(t, o.Truncated, "nothing older: nothing said")
	}
	var last request
	require.NoError(t, json.Unmarshal(f.bodies[len(f.bodies)-1], &last))
	require.Equal(t, "2022-10-16", last.Fraga.StartDatum, "four windows of a year")
}

func outcomeFor(t *testing.T, r cases.Result, id string) cases.Outcome {
	t.Helper()
	for _, o := range r.Outcomes {
		if o.Producer.ID == id {
			return o
		}
	}
	t.Fatalf("no outcome for %s in %+v", id, r.Outcomes)
	return cases.Outcome{}
}

func TestNotKnowingAboutOlderEventsCostsNothingShown(t *testing.T) {
	c, f := serve(t, ok(envelope(customer, 1, []string{event(nil)}, "")), nil)
	f.older = func(request) reply { return reply{status: http.StatusServiceUnavailable, body: []byte(`{}`)} }
	r, err := c.Overview(context.Background(), self)
	require.NoError(t, err)
	require.Len(t, r.Cases, 1)
	svc := outcomeFor(t, r, ServiceID)
	require.Equal(t, cases.OK, svc.State)
	require.Nil(t, svc.Truncated)
	require.Contains(t, svc.Message, "whether there are events before 2025-10-15 is not known", "the log says why")
}
