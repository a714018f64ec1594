package minaarenden

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
)

var now = at("2026-10-15T10:00:00+02:00")

var self = identity.Subject{User: identity.Party{Number: customer, Kind: identity.Personnummer, Name: "Tove Testsson"}}

// reply is what the fake forwarding service answers to one request.
type reply struct {
	status      int
	contentType string // default application/json
	body        []byte
	block       bool // answer only when the client has gone
}

// forwarder is a fake forwarding service that records what it is asked.
type forwarder struct {
	t       *testing.T
	mu      sync.Mutex
	headers []http.Header
	bodies  [][]byte
	answer  func(n int, q request) reply // n counts requests from 0
	// older answers the question whether there are events before the
	// window (no startDatum), which is recorded in probes, not bodies;
	// nil: none.
	older  func(q request) reply
	probes []request
}

func (f *forwarder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var probe request
	if json.Unmarshal(body, &probe) == nil && probe.Fraga.StartDatum == "" {
		f.mu.Lock()
		f.probes = append(f.probes, probe)
		f.mu.Unlock()
		a := reply{status: http.StatusOK, body: envelope(customer, 0, nil, "")}
		if f.older != nil {
			a = f.older(probe)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
		return
	}
	f.mu.Lock()
	n := len(f.bodies)
	f.headers = append(f.headers, r.Header.Clone())
	f.bodies = append(f.bodies, body)
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/vf/"+Operation {
		http.Error(w, `{"message":"Not found"}`, http.StatusNotFound)
		return
	}
	var q request
	if err := json.Unmarshal(body, &q); err != nil {
		f.t.Errorf("request body is not the query: %v", err)
	}
	a := f.answer(n, q)
	if a.block {
		<-r.Context().Done()
		return
	}
	if a.contentType == "" {
		a.contentType = "application/json"
	}
	w.Header().Set("Content-Type", a.contentType)
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

func (f *forwarder) offsets() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int
	for _, b := range f.bodies {
		var q request
		require.NoError(f.t, json.Unmarshal(b, &q))
		out = append(out, q.Fraga.Behandling.Paginering.Offset)
	}
	return out
}

// serve starts a fake forwarding service and a client for it.
func serve(t *testing.T, answer func(n int, q request) reply, edit func(*Config)) (*Client, *forwarder) {
	t.Helper()
	f := &forwarder{t: t, answer: answer}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := Config{URL: srv.URL + "/vf", HTTPClient: srv.Client(), Now: func() time.Time { return now }}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	return c, f
}

func ok(body []byte) func(int, request) reply {
	return func(int, request) reply { return reply{status: http.StatusOK, body: body} }
}

// envelope is an answer with the given events (JSON) and sub-query reports.
func envelope(party string, total int, events []string, delfragor string) []byte {
	return []byte(fmt.Sprintf(`{"kundhandelser":[{"part":{"kund":{"identifierare":%q,"typ":"Personnummer"}},"totaltAntalKundhandelser":%d,`+
		`"kundhandelserForPart":[%s]}],"metadata":{},"delfragor":[%s]}`, party, total, strings.Join(events, ","), delfragor))
}

func TestOverviewAsksForTheCustomer(t *testing.T) {
	agent := identity.Subject{
		User:      identity.Party{Number: "198001010101", Kind: identity.Personnummer},
		ActingFor: identity.Party{Number: "5560360793", Kind: identity.Organisationsnummer},
	}
	tests := []struct {
		name    string
		subject identity.Subject
		edit    func(*Config)
		want    string // the request body
	}{
		{"defaults", self, nil, `{"fraga":{"parter":[{"kund":{"identifierare":"199009090000","typ":"Personnummer"}}],
			"startDatum":"2025-10-15","slutDatum":"2026-10-16",
			"behandling":{"sortering":[{"attribut":"TIDPUNKT","stigande":false}],"paginering":{"offset":0,"limit":200}}},
			"anvandare":"199009090000"}`},
		{"types, tags, window and page size", self, func(c *Config) {
			c.Types, c.Tags, c.Since, c.PageSize = []string{"KOMMUN.BYGGLOV", "SKV"}, []string{"kundatgard"}, 30*24*time.Hour, 50
		}, `{"fraga":{"parter":[{"kund":{"identifierare":"199009090000","typ":"Personnummer"}}],
			"kundhandelseTyper":["KOMMUN.BYGGLOV","SKV"],"taggar":["kundatgard"],
			"startDatum":"2026-09-15","slutDatum":"2026-10-16",
			"behandling":{"sortering":[{"attribut":"TIDPUNKT","stigande":false}],"paginering":{"offset":0,"limit":50}}},
			"anvandare":"199009090000"}`},
		{"an agent for an organisation", agent, nil, `{"fraga":{"parter":[{"kund":{"identifierare":"165560360793","typ":"Organisationsnummer"}}],
			"startDatum":"2025-10-15","slutDatum":"2026-10-16",
			"behandling":{"sortering":[{"attribut":"TIDPUNKT","stigande":false}],"paginering":{"offset":0,"limit":200}}},
			"anvandare":"198001010101"}`},
		{"a samordningsnummer and a configured user", identity.Subject{User: identity.Party{Number: "199009690000", Kind: identity.Samordningsnummer}},
			func(c *Config) { c.User = "165560360793" },
			`{"fraga":{"parter":[{"kund":{"identifierare":"199009690000","typ":"Samordningsnummer"}}],
			"startDatum":"2025-10-15","slutDatum":"2026-10-16",
			"behandling":{"sortering":[{"attribut":"TIDPUNKT","stigande":false}],"paginering":{"offset":0,"limit":200}}},
			"anvandare":"165560360793"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			party := tt.subject.Customer().Number
			c, f := serve(t, ok(envelope(party, 0, nil, "")), tt.edit)
			_, err := c.Overview(context.Background(), tt.subject)
			require.NoError(t, err)
			require.Len(t, f.bodies, 1)
			require.JSONEq(t, tt.want, string(f.bodies[0]))
			h := f.headers[0]
			require.Equal(t, "application/json", h.Get("Content-Type"))
			require.Equal(t, "application/json", h.Get("Accept"))
			require.Equal(t, "sv", h.Get("Accept-Language"))
		})
	}
}

func TestOverviewSendsConfiguredHeaders(t *testing.T) {
	c, f := serve(t, ok(envelope(customer, 0, nil, "")), func(c *Config) {
		c.Headers = map[string]string{"client_id": "portal-4711", "client_secret": "s3cr3t", "accept-language": "en"}
	})
	_, err := c.Overview(context.Background(), self)
	require.NoError(t, err)
	h := f.headers[0]
	require.Equal(t, "portal-4711", h.Get("client_id"))
	require.Equal(t, "s3cr3t", h.Get("client_secret"))
	require.Equal(t, []string{"en"}, h.Values("Accept-Language"), "a configured language replaces the default")
}

func TestOverviewCorrelationID(t *testing.T) {
	page := func(n int, q request) reply {
		ev := event(map[string]any{"kundhandelseId": fmt.Sprint("VAX-", n)})
		return reply{status: http.StatusOK, body: envelope(customer, 3, []string{ev}, "")}
	}
	c, f := serve(t, page, func(c *Config) { c.PageSize = 1 })
	for range 2 {
		_, err := c.Overview(context.Background(), self)
		require.NoError(t, err)
	}
	require.Len(t, f.headers, 6)
	f.headers = nil
	_, err := c.Overview(cases.WithCorrelationID(context.Background(), "c00b9963-8a9e-4474-bbac-113baa10ebc2"), self)
	require.NoError(t, err)
	require.Equal(t, "c00b9963-8a9e-4474-bbac-113baa10ebc2", f.headers[0].Get(correlationHeader), "the fan-out's id for the first page, which the support log names")
	require.NotEqual(t, f.headers[0].Get(correlationHeader), f.headers[1].Get(correlationHeader))
	seen := map[string]bool{}
	for _, h := range f.headers {
		id := h.Get(correlationHeader)
		require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id, "a version 4 UUID, as the service description asks")
		require.False(t, seen[id], "a new one for every request")
		require.NotContains(t, id, customer)
		seen[id] = true
	}
}

func TestOverviewDerivesCasesPerProducer(t *testing.T) {
	body := envelope(customer, 3, []string{
		event(map[string]any{"kundhandelseId": "VAX-2", "tidpunkt": "2026-09-10T07:30:00+02:00"}),
		event(map[string]any{"kundhandelseId": "VAX-1", "tidpunkt": "2026-09-01T09:00:00+02:00", "producentarendetKraverKundatgard": false,
			"kundhandelseTyp": "KOMMUN.BYGGLOV.ANSOKAN_MOTTAGEN", "rubrik": "Ansökan mottagen", "utokadInformation": nil}),
		event(map[string]any{"kundhandelseId": "SKV-1", "producent": "Skatteverket", "tidpunkt": "2026-10-01T12:00:00Z",
			"kundhandelseTyp": "SKV.DEKLARATION.MOTTAGEN", "rubrik": "Deklaration mottagen", "producentarendetKraverKundatgard": false,
			"referenser": map[string]any{}, "utokadInformation": nil}),
	}, `{"producent":"Vaxholms stad","status":"OK","httpCode":200},{"producent":"Skatteverket","status":"OK","httpCode":200},
		{"producent":"Knivsta kommun","status":"OK","httpCode":200}`)
	c, _ := serve(t, ok(body), func(c *Config) {
		c.Catalogue = rulesOf(map[string]cases.Status{"MOTTAGEN": cases.Received, "ANSOKAN_MOTTAGEN": cases.Received},
			map[string]string{"KOMMUN.BYGGLOV": "Bygglov"}).Catalogue
	})
	r, err := c.Overview(context.Background(), self)
	require.NoError(t, err)
	settled := cases.Settle("mina-arenden", Service, r)

	require.Len(t, settled.Cases, 2)
	skv, bygg := settled.Cases[0], settled.Cases[1]
	require.Equal(t, "Deklaration mottagen", skv.Title)
	require.Equal(t, cases.Received, skv.Status)
	require.Equal(t, cases.Actor{ID: "skatteverket", Name: "Skatteverket"}, skv.Sender)
	require.Equal(t, "Bygglov", bygg.Title)
	require.Equal(t, cases.ActionRequired, bygg.Status)
	require.Equal(t, "BYGG-2026-00123", bygg.CaseNumber)
	require.Equal(t, "Sista dag att åtgärda", bygg.PlannedEvent)
	require.Equal(t, []cases.Pair{{Title: "Saknade handlingar", Value: "Situationsplan"}}, bygg.Pairs)
	require.Len(t, bygg.History, 1)
	require.Equal(t, cases.Received, bygg.History[0].Status)

	require.Equal(t, []cases.Outcome{
		{Source: "mina-arenden", Producer: cases.Actor{ID: "knivsta-kommun", Name: "Knivsta kommun"}, State: cases.OK},
		{Source: "mina-arenden", Producer: cases.Actor{ID: "skatteverket", Name: "Skatteverket"}, State: cases.OK, Cases: 1},
		{Source: "mina-arenden", Producer: cases.Actor{ID: "vaxholms-stad", Name: "Vaxholms stad"}, State: cases.OK, Cases: 1},
	}, settled.Outcomes, "a producer with no events is still accounted for")
}

func TestOverviewPartialAnswer(t *testing.T) {
	vax := event(nil)
	tests := []struct {
		name      string
		status    int
		delfragor string
		want      map[string]cases.State
		message   map[string]string
	}{
		{"206 with failed producers", http.StatusPartialContent,
			`{"producent":"Vaxholms stad","status":"OK","httpCode":200},{"producent":"Knivsta kommun","status":"FEL","httpCode":500},
			 {"producent":"Region Stockholm","status":"FEL","httpCode":504},{"producent":"CSN","status":"TIMEOUT","httpCode":0}`,
			map[string]cases.State{"vaxholms-stad": cases.OK, "knivsta-kommun": cases.Failed, "region-stockholm": cases.Timeout, "csn": cases.Timeout},
			map[string]string{"knivsta-kommun": `this producer failed (HTTP 500`, "region-stockholm": "did not answer in time"}},
		{"200 that still names a failure", http.StatusOK,
			`{"producent":"Vaxholms stad","status":"OK","httpCode":200},{"producent":"Knivsta kommun","status":"OK","httpCode":503}`,
			map[string]cases.State{"vaxholms-stad": cases.OK, "knivsta-kommun": cases.Failed}, nil},
		{"206 without naming who failed", http.StatusPartialContent,
			`{"producent":"Vaxholms stad","status":"OK","httpCode":200}`,
			map[string]cases.State{"vaxholms-stad": cases.OK, "mina-arenden": cases.OK},
			map[string]string{"mina-arenden": "without naming the producer that failed"}},
		{"a failure without a producer name", http.StatusPartialContent,
			`{"producent":"Vaxholms stad","status":"OK","httpCode":200},{"status":"FEL","httpCode":500}`,
			map[string]cases.State{"vaxholms-stad": cases.OK, "mina-arenden": cases.Failed}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := serve(t, func(int, request) reply {
				return reply{status: tt.status, body: envelope(customer, 1, []string{vax}, tt.delfragor)}
			}, nil)
			r, err := c.Overview(context.Background(), self)
			require.NoError(t, err)
			settled := cases.Settle("mina-arenden", Service, r)
			require.Len(t, settled.Cases, 1, "the producers that answered are shown")
			got := map[string]cases.State{}
			for _, o := range settled.Outcomes {
				got[o.Producer.ID] = o.State
				if want, ok := tt.message[o.Producer.ID]; ok {
					require.Contains(t, o.Message, want)
					require.Contains(t, o.Message, "correlation id")
				}
				require.NotContains(t, o.Message, "FEL", "the service's own words are not passed on")
				if o.Producer == Service && tt.name == "206 without naming who failed" {
					require.Equal(t, &cases.Truncation{Reason: cases.CutPartial}, o.Truncated, "the page is told, not only the log")
				} else {
					require.Nil(t, o.Truncated)
				}
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestOverviewServiceErrors(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
	}{
		{"400", http.StatusBadRequest, "", `{"message":"Bad request: fraga.parter måste innehålla minst en part"}`},
		{"401", http.StatusUnauthorized, "", `{"message":"Ingen behörighet"}`},
		{"409", http.StatusConflict, "", `{"message":"Konflikt"}`},
		{"500 naming the customer", http.StatusInternalServerError, "", `{"message":"Fel för kund 199009090000 Tolvan Tolvansson"}`},
		{"500 naming the customer otherwise", http.StatusInternalServerError, "", `{"message":"Fel för kund 19900909-0000, Tolvan"}`},
		{"500 with a long message", http.StatusInternalServerError, "", `{"message":"` + strings.Repeat("x", 5000) + `"}`},
		{"502 from a proxy", http.StatusBadGateway, "text/html", `<html><body>upstream Vaxholms stad BYGG-2026-00123</body></html>`},
		{"403", http.StatusForbidden, "application/problem+json", `{"title":"Forbidden","status":403}`},
		{"404", http.StatusNotFound, "", `{"message":"Kommunen är inte konfigurerad som producent"}`},
		{"429", http.StatusTooManyRequests, "", `{"message":"För många anrop"}`},
		{"503", http.StatusServiceUnavailable, "text/plain", `Service Unavailable`},
	}
	hints := map[int]string{400: "refused the query", 401: "credentials", 403: "not allowed", 404: "no such operation",
		429: "slow down", 500: "the service failed", 503: "unavailable"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := serve(t, func(int, request) reply {
				return reply{status: tt.status, contentType: tt.contentType, body: []byte(tt.body)}
			}, nil)
			r, err := c.Overview(context.Background(), self)
			require.Empty(t, r.Cases)
			var se *ServiceError
			require.ErrorAs(t, err, &se)
			require.Equal(t, tt.status, se.StatusCode)
			require.NotEmpty(t, se.CorrelationID)
			require.Contains(t, err.Error(), se.CorrelationID)
			for _, said := range []string{"Bad request", "behörighet", "Konflikt", "Fel", "Tolvan", "0000", "xxx", "upstream"} {
				require.NotContains(t, err.Error(), said, "the service's own words are not passed on")
			}
			require.Contains(t, err.Error(), fmt.Sprint(tt.status))
			if hint, ok := hints[tt.status]; ok {
				require.Contains(t, err.Error(), hint, "what the status means for whoever runs the portal")
			}
			require.NotContains(t, err.Error(), customer)
			require.NotContains(t, err.Error(), "BYGG-2026-00123")
			require.LessOrEqual(t, len([]rune(err.Error())), 400)
			require.Equal(t, cases.Failed, cases.FailedOutcome("mina-arenden", Service, err).State)
		})
	}
}

func TestOverviewMalformedAnswers(t *testing.T) {
	secret := "Ansökan om bygglov för Storgatan 1"
	good := envelope(customer, 1, []string{event(map[string]any{"rubrik": secret})}, "")
	tests := []struct {
		name        string
		contentType string
		body        []byte
		maxBytes    int64
		want        string
	}{
		{"truncated JSON", "", good[:len(good)/2], 0, "empty or truncated"},
		{"wrong types", "", []byte(`{"kundhandelser":{"rubrik":"` + secret + `"}}`), 0, "kundhandelser: want an array, got an object"},
		{"invalid UTF-8", "", []byte(strings.Replace(string(good), "Ansökan", "Ans\xf6kan", 1)), 0, "not valid UTF-8"},
		{"deeply nested", "", []byte(`{"kundhandelser":` + strings.Repeat(`[`, 100000) + strings.Repeat(`]`, 100000) + `}`), 0, "nested too deeply"},
		{"larger than MaxBytes", "", []byte(`{"kundhandelser":[],"metadata":"` + strings.Repeat(secret, 200) + `"}`), 4096, "larger than 4096 bytes"},
		{"HTML with status 200", "text/html; charset=utf-8", []byte(`<p>` + secret + `</p>`), 0, "the content type is not JSON"},
		{"JSON in Latin-1", "application/json; charset=iso-8859-1", good, 0, "the charset is not UTF-8"},
		{"unreadable content type", "/json", good, 0, "no readable content type"},
		{"empty body", "", nil, 0, "empty or truncated"},
		{"somebody else's events", "", envelope("198001010101", 1, []string{event(nil)}, ""), 0, "not asked about"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := serve(t, func(int, request) reply {
				return reply{status: http.StatusOK, contentType: tt.contentType, body: tt.body}
			}, func(c *Config) { c.MaxBytes = tt.maxBytes })
			r, err := c.Overview(context.Background(), self)
			require.Empty(t, r.Cases)
			require.ErrorIs(t, err, cases.ErrInvalidResponse)
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), "bygglov")
			require.NotContains(t, err.Error(), customer)
			require.Equal(t, cases.Invalid, cases.FailedOutcome("mina-arenden", Service, err).State)
		})
	}
}

func TestOverviewHonoursDeadline(t *testing.T) {
	c, _ := serve(t, func(int, request) reply { return reply{block: true} }, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Overview(ctx, self)
	require.Less(t, time.Since(start), 2*time.Second, "returns when the context ends")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, cases.Timeout, cases.FailedOutcome("mina-arenden", Service, err).State)
}

// pages answers like the service over events, newest first, honouring
// offset and limit.
func pages(events []string, hideTotal bool) func(int, request) reply {
	return func(_ int, q request) reply {
		p := q.Fraga.Behandling.Paginering
		lo, hi := min(p.Offset, len(events)), min(p.Offset+p.Limit, len(events))
		body := envelope(customer, len(events), events[lo:hi], `{"producent":"Vaxholms stad","status":"OK","httpCode":200}`)
		if hideTotal {
			body = []byte(strings.Replace(string(body), fmt.Sprintf(`"totaltAntalKundhandelser":%d,`, len(events)), "", 1))
		}
		return reply{status: http.StatusOK, body: body}
	}
}

func fiveEvents() []string {
	var evs []string
	for i := 5; i >= 1; i-- {
		evs = append(evs, event(map[string]any{"kundhandelseId": fmt.Sprint("VAX-", i), "referenser": nil,
			"tidpunkt": fmt.Sprintf("2026-09-%02dT10:00:00Z", i)}))
	}
	return evs
}

func TestOverviewPaging(t *testing.T) {
	tests := []struct {
		name     string
		answer   func(int, request) reply
		maxPages int
		offsets  []int
		cases    int
		message  string
		cut      *cases.Truncation
	}{
		{"three pages until the total", pages(fiveEvents(), false), 0, []int{0, 2, 4}, 5, "", nil},
		{"cut at MaxPages, and said so", pages(fiveEvents(), false), 2, []int{0, 2}, 4,
			"only the newest 4 of 5 events were fetched (2 pages of 2); older cases may be missing",
			&cases.Truncation{Reason: cases.CutLimit, Unit: cases.CountedEvents, Shown: 4, Total: 5}},
		{"no total: until a short page", pages(fiveEvents(), true), 0, []int{0, 2, 4}, 5, "", nil},
		{"no total, cut", pages(fiveEvents(), true), 1, []int{0}, 2, "only the newest 2 events were fetched",
			&cases.Truncation{Reason: cases.CutLimit, Unit: cases.CountedEvents, Shown: 2}},
		{"a later page fails", func(n int, q request) reply {
			if n == 1 {
				return reply{status: http.StatusInternalServerError, body: []byte(`{"message":"Internal server error"}`)}
			}
			return pages(fiveEvents(), false)(n, q)
		}, 0, []int{0, 2}, 2, "only the newest 2 events could be fetched; the next page failed",
			&cases.Truncation{Reason: cases.CutFailedPage, Unit: cases.CountedEvents, Shown: 2, Total: 5}},
		{"pages that overlap", func(n int, q request) reply {
			if n == 1 { // a new event arrived: everything moved down by one
				q.Fraga.Behandling.Paginering.Offset--
			}
			return pages(fiveEvents(), false)(n, q)
		}, 0, []int{0, 2, 4}, 4, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := serve(t, tt.answer, func(c *Config) { c.PageSize, c.MaxPages = 2, tt.maxPages })
			r, err := c.Overview(context.Background(), self)
			require.NoError(t, err)
			require.Equal(t, tt.offsets, f.offsets())
			require.Len(t, r.Cases, tt.cases)
			require.Len(t, r.Outcomes, 1)
			if tt.message == "" {
				require.Empty(t, r.Outcomes[0].Message)
			} else {
				require.Contains(t, r.Outcomes[0].Message, tt.message)
			}
			require.Equal(t, tt.cut, r.Outcomes[0].Truncated, "the page is told, not only the log")
		})
	}
}

func TestOverviewRejectsBrokenEventsVisibly(t *testing.T) {
	body := envelope(customer, 3, []string{
		event(map[string]any{"kundhandelseId": "VAX-2", "tidpunkt": "igår"}),
		event(map[string]any{"kundhandelseId": "VAX-1"}),
		event(map[string]any{"kundhandelseId": "X-1", "producent": 17}),
	}, "")
	c, _ := serve(t, ok(body), nil)
	r, err := c.Overview(context.Background(), self)
	require.NoError(t, err)
	settled := cases.Settle("mina-arenden", Service, r)
	require.Len(t, settled.Cases, 1, "the readable event still makes its case")
	require.Equal(t, "Vaxholms stad", settled.Cases[0].Sender.Name)

	byID := map[string]cases.Outcome{}
	for _, o := range settled.Outcomes {
		byID[o.Producer.ID] = o
	}
	vax := byID["vaxholms-stad"]
	require.Equal(t, cases.Invalid, vax.State)
	require.Equal(t, 1, vax.Cases)
	require.Equal(t, 1, vax.Rejected, "the broken event is counted against its producer")
	require.Contains(t, vax.Problems, cases.Problem{Field: "kundhandelser[0].kundhandelserForPart[0].tidpunkt", Reason: "not an RFC 3339 time"})
	require.Contains(t, vax.Message, "1 of its events could not be read")
	svc := byID["mina-arenden"]
	require.Equal(t, cases.Invalid, svc.State, "an event without a readable producer is reported under the service")
	require.Equal(t, 1, svc.Rejected)
	for _, o := range settled.Outcomes {
		b, _ := json.Marshal(o)
		require.NotContains(t, string(b), "igår", "outcomes quote no event content")
	}
}

func TestOverviewNeedsACustomer(t *testing.T) {
	tests := []struct {
		name    string
		subject identity.Subject
	}{
		{"nobody", identity.Subject{}},
		{"a party of unknown kind", identity.Subject{User: identity.Party{Number: "199009090000", Kind: "passport"}}},
		{"a principal but no user", identity.Subject{ActingFor: identity.Party{Number: "5560360793", Kind: identity.Organisationsnummer}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, f := serve(t, ok(envelope(customer, 0, nil, "")), nil)
			_, err := c.Overview(context.Background(), tt.subject)
			require.ErrorIs(t, err, ErrParty)
			require.NotContains(t, err.Error(), "199009090000")
			require.Empty(t, f.bodies, "nothing is asked")
		})
	}
}

func TestNewChecksConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"empty", Config{}, []string{"URL: required"}},
		{"plain http to another host", Config{URL: "http://vf.example.se/api"}, []string{"URL: must be https"}},
		{"relative", Config{URL: "/api"}, []string{"URL: not an absolute URL"}},
		{"credentials in the URL", Config{URL: "https://u:p@vf.example.se"}, []string{"URL: must not contain user information"}},
		{"everything wrong at once", Config{
			URL:      "https://vf.example.se",
			Headers:  map[string]string{"client secret": "x", "Content-Type": "text/plain", "client_secret": "bad\r\nvalue"},
			User:     "Tove Testsson ☃",
			Types:    []string{"kommun.bygglov", "KOMMUN.BYGGLOV", "KOMMUN.BYGGLOV", "KOMMUN.BYGGLÖV", "KOMMUN." + strings.Repeat("X", 194), "1KOMMUN"},
			Tags:     []string{" ", strings.Repeat("t", 101)},
			Since:    -time.Hour,
			PageSize: 1001,
			MaxPages: -1,
			MaxBytes: -1,
		}, []string{
			`Headers: "client secret" is not a valid header name`, "Headers: Content-Type is set by the client",
			"Headers: the value of client_secret is not a valid header value",
			"User: must be 12 digits", "Types[0]: must match ^[A-Z]+(?:\\.[A-Z0-9_.]+)?$, at most 200 characters", `Types[2]: "KOMMUN.BYGGLOV" given twice`, "Types[3]:",
			"Types[4]:", "Types[5]:", "Tags[0]:", "Tags[1]: must be text of 1 to 100 characters", "Since: must not be negative", "PageSize: must be between 1 and 1000", "MaxPages: must not be negative",
			"MaxBytes: must not be negative",
		}},
		{"too many types", Config{URL: "https://vf.example.se", Types: make([]string, 101)}, []string{"Types: at most 100, got 101"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			require.Nil(t, c)
			require.ErrorIs(t, err, ErrConfig)
			for _, w := range tt.want {
				require.ErrorContains(t, err, w)
			}
			require.NotContains(t, err.Error(), "bad\r\nvalue", "header values may be secrets")
		})
	}

	for _, u := range []string{"https://vf.example.se/api/", "http://127.0.0.1:8080", "http://localhost/x", "http://[::1]:9/"} {
		_, err := New(Config{URL: u})
		require.NoError(t, err, u)
	}
}

func TestOverviewTransportFailure(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens any more
	c, err := New(Config{URL: url})
	require.NoError(t, err)
	_, err = c.Overview(context.Background(), self)
	require.Error(t, err)
	require.False(t, errors.Is(err, cases.ErrInvalidResponse))
	require.Contains(t, err.Error(), "correlation id")
	require.Equal(t, cases.Failed, cases.FailedOutcome("mina-arenden", Service, err).State)
}
