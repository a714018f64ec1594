package hub

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/preferences"
)

var (
	hubActor = cases.Actor{ID: "hub", Name: "Ärendenavet"}
	tolvan   = identity.Party{Number: "191212121212", Kind: identity.Personnummer, Name: "Tolvan Tolvansson"}
	agent    = identity.Party{Number: "198112189876", Kind: identity.Personnummer, Name: "Ombud Olsson"}
	self     = identity.Subject{User: tolvan}
)

// secrets must never appear in an error: the customer's number and name,
// and case text the hub sent.
var secrets = []string{tolvan.Number, tolvan.Name, "Ansökan om F-skatt", "Hemlig"}

func requireNoSecrets(t *testing.T, s string) {
	t.Helper()
	for _, secret := range secrets {
		require.NotContains(t, s, secret)
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// hubCase is one case as the hub sends it; change edits the JSON members
// (a nil value removes the member).
func hubCase(id, producer string, change map[string]any) string {
	m := map[string]any{
		"id": id, "producer": producer,
		"customer": map[string]any{"kind": "personnummer", "number": tolvan.Number},
		"created":  "2026-10-01T08:00:00Z", "updated": "2026-11-20T09:30:00Z",
		"title": "Ärende " + id, "status": "in_progress",
	}
	for k, v := range change {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

const twoProducers = `[{"id":"skatteverket","name":"Skatteverket","state":"ok"},{"id":"vaxholm","name":"Vaxholms stad","state":"ok"}]`

func answer(producers string, items ...string) string {
	return `{"producers":` + producers + `,"cases":[` + strings.Join(items, ",") + `]}`
}

// fakeHub answers every overview with body and records what it was asked.
type fakeHub struct {
	mu       sync.Mutex
	requests []overviewRequest
	urls     []string
	status   int
	ctype    string
	location string
	body     string
}

func (f *fakeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/overview" || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "unexpected request", http.StatusBadRequest)
		return
	}
	var req overviewRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.urls = append(f.urls, r.URL.String())
	status, ctype, location, body := f.status, f.ctype, f.location, f.body
	f.mu.Unlock()
	if location != "" {
		w.Header().Set("Location", location)
	}
	if ctype == "" {
		ctype = "application/json"
	}
	if status == 0 {
		status = http.StatusOK
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func TestOverviewMapsHubCasesToTheStandardModel(t *testing.T) {
	full := hubCase("131-123456-26", "skatteverket", map[string]any{
		"title": "Ansökan om F-skatt", "statusDate": "2026-11-19T10:00:00+01:00",
		"forecast": map[string]any{"amount": 3, "unit": "weeks"}, "caseNumber": "131-123456-26",
		"category": "Företagsregistrering", "payment": "pending", "officer": "Anna Berg",
		"freeText": "Vi behöver inget mer från dig.", "freeTextShortened": true, "plannedEvent": "Beslut skickas", "plannedTime": "2026-12-15T00:00:00Z",
		"pairs": []map[string]string{{"title": "Inkomstår", "value": "2025"}}, "link": "https://etjanst.skatteverket.se/arende/123", "lang": "sv",
		"tags":    []string{"Starta företag"},
		"history": []map[string]string{{"time": "2026-10-01T08:00:00Z", "title": "Ansökan mottagen", "status": "received"}},
	})
	bare := hubCase("BYGG-1", "vaxholm", map[string]any{"title": "Bygglov", "status": "action_required"})
	// The same hub ID at two producers is two cases.
	twin := hubCase("BYGG-1", "skatteverket", map[string]any{"status": "closed"})
	f := &fakeHub{body: answer(twoProducers, full, bare, twin)}
	c := newTestHub(t, f).newClient(t, nil)

	res, err := c.Overview(context.Background(), self)
	require.NoError(t, err)

	planned := mustTime("2026-12-15T00:00:00Z")
	skv := cases.Actor{ID: "skatteverket", Name: "Skatteverket"}
	vaxholm := cases.Actor{ID: "vaxholm", Name: "Vaxholms stad"}
	require.Len(t, res.Cases, 3)
	require.Equal(t, cases.Case{
		ID: "skatteverket:131-123456-26", Date: mustTime("2026-11-19T10:00:00+01:00"), Title: "Ansökan om F-skatt",
		Sender: skv, Status: cases.InProgress, Forecast: &cases.Forecast{Amount: 3, Unit: cases.Weeks},
		CaseNumber: "131-123456-26", Category: "Företagsregistrering", Payment: cases.PaymentPending, Officer: "Anna Berg",
		FreeText: "Vi behöver inget mer från dig.", FreeTextShortened: true, PlannedEvent: "Beslut skickas", PlannedTime: &planned,
		Pairs: []cases.Pair{{Title: "Inkomstår", Value: "2025"}}, Tags: []string{"Starta företag"}, Link: "https://etjanst.skatteverket.se/arende/123", Lang: "sv",
		Created: mustTime("2026-10-01T08:00:00Z"), Updated: mustTime("2026-11-20T09:30:00Z"),
		History: []cases.Event{{Time: mustTime("2026-10-01T08:00:00Z"), Title: "Ansökan mottagen", Status: cases.Received}},
	}, res.Cases[0])
	require.Equal(t, cases.Case{
		ID: "vaxholm:BYGG-1", Date: mustTime("2026-11-20T09:30:00Z"), Title: "Bygglov", Sender: vaxholm,
		Status: cases.ActionRequired, Created: mustTime("2026-10-01T08:00:00Z"), Updated: mustTime("2026-11-20T09:30:00Z"),
	}, res.Cases[1], "without statusDate the date is when the case was updated")
	require.Equal(t, "skatteverket:BYGG-1", res.Cases[2].ID)
	require.Equal(t, []cases.Outcome{
		{Source: "hub", Producer: skv, State: cases.OK},
		{Source: "hub", Producer: vaxholm, State: cases.OK},
	}, res.Outcomes)

	// Everything the hub sent passes the central validation.
	settled := cases.Settle("hub", hubActor, res)
	require.Len(t, settled.Cases, 3)
	require.Equal(t, 2, settled.Outcomes[0].Cases)

	// The identity number travels in the body, never in the URL.
	require.Equal(t, []overviewRequest{{Customer: party{Kind: identity.Personnummer, Number: tolvan.Number}}}, f.requests)
	require.Equal(t, []string{"/v1/overview"}, f.urls)
}

func TestOverviewNamesTheAgent(t *testing.T) {
	f := &fakeHub{body: answer(`[]`)}
	c := newTestHub(t, f).newClient(t, nil)
	res, err := c.Overview(context.Background(), identity.Subject{User: agent, ActingFor: tolvan})
	require.NoError(t, err)
	require.Empty(t, res.Cases)
	require.Equal(t, []overviewRequest{{
		Customer: party{Kind: identity.Personnummer, Number: tolvan.Number},
		User:     &party{Kind: identity.Personnummer, Number: agent.Number},
	}}, f.requests)

	_, err = c.Overview(context.Background(), identity.Subject{})
	require.ErrorIs(t, err, ErrNoCustomer)
}

func TestOverviewReportsProducersTheHubCouldNotReach(t *testing.T) {
	producers := `[{"id":"skatteverket","name":"Skatteverket","state":"ok"},
		{"id":"csn","name":"CSN","state":"error","message":"connection refused"},
		{"id":"fk","name":"Försäkringskassan","state":"timeout"},
		{"id":"vaxholm","name":"Vaxholms stad","state":"error","message":"no cases for 19121212-1212"},
		{"id":"lund","name":"Lunds kommun","state":"timeout","message":"slow\u2028\u202eand odd"}]`
	f := &fakeHub{body: answer(producers, hubCase("1", "skatteverket", nil))}
	c := newTestHub(t, f).newClient(t, nil)

	res, err := c.Overview(context.Background(), self)
	require.NoError(t, err)
	require.Len(t, res.Cases, 1)
	require.Equal(t, []cases.Outcome{
		{Source: "hub", Producer: cases.Actor{ID: "skatteverket", Name: "Skatteverket"}, State: cases.OK},
		// The hub's message is never passed on: outcome messages are logged.
		{Source: "hub", Producer: cases.Actor{ID: "csn", Name: "CSN"}, State: cases.Failed, Message: "the hub reports that the producer could not be reached"},
		{Source: "hub", Producer: cases.Actor{ID: "fk", Name: "Försäkringskassan"}, State: cases.Timeout, Message: "the hub reports that the producer did not answer in time"},
		{Source: "hub", Producer: cases.Actor{ID: "vaxholm", Name: "Vaxholms stad"}, State: cases.Failed, Message: "the hub reports that the producer could not be reached"},
		{Source: "hub", Producer: cases.Actor{ID: "lund", Name: "Lunds kommun"}, State: cases.Timeout, Message: "the hub reports that the producer did not answer in time"},
	}, res.Outcomes)
}

// failure is one way a hub answer can be unusable as a whole.
type failure struct {
	name     string
	status   int
	ctype    string
	location string
	body     string
	invalid  bool   // errors.Is cases.ErrInvalidResponse
	want     string // in the error
	typ      string // StatusError.Type
}

func TestOverviewRefusesUnusableAnswers(t *testing.T) {
	good := hubCase("1", "skatteverket", map[string]any{"title": "Ansökan om F-skatt"})
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	var many strings.Builder
	for i := range MaxCases + 1 {
		if i > 0 {
			many.WriteByte(',')
		}
		many.WriteString("{}")
	}
	tests := []failure{
		{name: "server error with problem", status: 503, ctype: "application/problem+json",
			body: `{"type":"https://hub.example/problems/overloaded","title":"Hemlig","detail":"191212121212 Tolvan Tolvansson"}`,
			want: "answered 503 Service Unavailable: the hub failed", typ: "https://hub.example/problems/overloaded"},
		{name: "problem type that could hold a number", status: 400, ctype: "application/problem+json",
			body: `{"type":"https://hub.example/problems/191212121212"}`, want: "answered 400 Bad Request: the hub refused the request as sent"},
		{name: "refused consumer", status: 403, ctype: "text/plain", body: "Hemlig", want: "check the client certificate"},
		{name: "redirect", status: 307, ctype: "text/plain", location: "/v1/elsewhere", want: "answered 307 Temporary Redirect: redirects are not followed"},
		{name: "wrong content type", ctype: "text/html", body: answer(twoProducers, good), invalid: true, want: "Content-Type is not application/json"},
		{name: "wrong charset", ctype: "application/json; charset=latin1", body: answer(twoProducers, good), invalid: true, want: "Content-Type"},
		{name: "invalid UTF-8", body: answer(twoProducers, strings.Replace(good, "F-skatt", "F-\xffskatt", 1)), invalid: true, want: "not valid UTF-8"},
		{name: "empty", body: "", invalid: true, want: "empty or truncated"},
		{name: "truncated", body: answer(twoProducers, good)[:40], invalid: true, want: "empty or truncated"},
		{name: "not JSON", body: "<html>Hemlig</html>", invalid: true, want: "not valid JSON (at byte 1)"},
		{name: "trailing data", body: answer(twoProducers, good) + `{"x":1}`, invalid: true, want: "data after the JSON value"},
		{name: "unknown member", body: `{"producers":[],"cases":[],"Hemlig":1}`, invalid: true, want: "unknown member"},
		{name: "not an object", body: `[]`, invalid: true, want: "want an object, got an array"},
		{name: "producers missing", body: `{"cases":[]}`, invalid: true, want: "producers: required"},
		{name: "cases null", body: `{"producers":[],"cases":null}`, invalid: true, want: "cases: required"},
		{name: "cases not an array", body: `{"producers":[],"cases":{"a":1}}`, invalid: true, want: "cases: want an array, got an object"},
		{name: "producer of wrong type", body: `{"producers":[{"id":1}],"cases":[]}`, invalid: true, want: "producers[0].id: want a string, got a number"},
		{name: "producer with unknown member", body: `{"producers":[{"id":"a","name":"A","state":"ok","Hemlig":true}],"cases":[]}`, invalid: true, want: "producers[0]: unknown member"},
		{name: "producer without name", body: `{"producers":[{"id":"a","state":"ok"}],"cases":[]}`, invalid: true, want: "producers[0].name: must be 1 to 200 characters"},
		{name: "producer name with a bidi override", body: `{"producers":[{"id":"a","name":"\u202eSkatteverket","state":"ok"}],"cases":[]}`, invalid: true, want: "producers[0].name: must be 1 to 200 characters without control characters"},
		{name: "producer with bad ID", body: `{"producers":[{"id":"a/b","name":"A","state":"ok"}],"cases":[]}`, invalid: true, want: "producers[0].id: must be 1 to 64 letters"},
		{name: "unknown producer state", body: `{"producers":[{"id":"a","name":"A","state":"down"}],"cases":[]}`, invalid: true, want: "producers[0].state: must be ok, error or timeout"},
		{name: "producer twice", body: `{"producers":[{"id":"a","name":"A","state":"ok"},{"id":"a","name":"B","state":"ok"}],"cases":[]}`, invalid: true, want: "producers[1].id: listed twice"},
		{name: "deeply nested", body: `{"producers":[],"cases":[` + deep + `]}`, invalid: true, want: "nested too deeply"},
		{name: "another customer's case past the limit", body: `{"producers":[],"cases":[` + many.String() + `,` + hubCase("x", "vaxholm", map[string]any{
			"customer": map[string]any{"kind": "personnummer", "number": agent.Number}}) + `]}`,
			invalid: true, want: "cases[5001].customer: not the customer asked for"},
		{name: "cases given twice", body: `{"producers":` + twoProducers + `,"cases":[` + good + `],"cases":[]}`, invalid: true, want: "a member given twice in its object"},
		{name: "a member of a case given twice", body: answer(twoProducers, strings.Replace(good, `"title":`, `"Title":"Hemlig","title":`, 1)), invalid: true, want: "a member given twice in its object"},
		{name: "another customer's case", body: answer(twoProducers, good, hubCase("2", "vaxholm", map[string]any{
			"customer": map[string]any{"kind": "personnummer", "number": agent.Number}})),
			invalid: true, want: "cases[1].customer: not the customer asked for"},
		{name: "another kind of customer", body: answer(twoProducers, hubCase("2", "vaxholm", map[string]any{
			"customer": map[string]any{"kind": "samordningsnummer", "number": tolvan.Number}})),
			invalid: true, want: "cases[0].customer: not the customer asked for"},
	}
	f := &fakeHub{}
	c := newTestHub(t, f).newClient(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.mu.Lock()
			f.status, f.ctype, f.location, f.body = tt.status, tt.ctype, tt.location, tt.body
			f.mu.Unlock()
			res, err := c.Overview(context.Background(), self)
			require.Error(t, err)
			require.Empty(t, res.Cases)
			require.Contains(t, err.Error(), tt.want)
			requireNoSecrets(t, err.Error())
			o := cases.FailedOutcome("hub", hubActor, err)
			if tt.invalid {
				require.ErrorIs(t, err, cases.ErrInvalidResponse)
				require.Equal(t, cases.Invalid, o.State)
			} else {
				var se *StatusError
				require.ErrorAs(t, err, &se)
				require.Equal(t, tt.status, se.Code)
				require.Equal(t, tt.typ, se.Type)
				require.NotContains(t, err.Error(), "problems/", "the hub's type URI is for programs, not the log")
				require.Equal(t, cases.Failed, o.State)
			}
		})
	}
}

func TestOverviewCapsTheAnswer(t *testing.T) {
	body := answer(twoProducers, hubCase("1", "skatteverket", map[string]any{"freeText": strings.Repeat("Hemlig ", 300)}))
	require.Greater(t, len(body), 2000)
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			h := newTestHub(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if chunked { // no Content-Length: the cap must hold while reading
					io.WriteString(w, body[:100])
					w.(http.Flusher).Flush()
					io.WriteString(w, body[100:])
					return
				}
				w.Header().Set("Content-Length", fmt.Sprint(len(body)))
				io.WriteString(w, body)
			}))
			c := h.newClient(t, func(c *Config) { c.MaxBytes = 2000 })
			_, err := c.Overview(context.Background(), self)
			require.ErrorIs(t, err, cases.ErrInvalidResponse)
			require.ErrorContains(t, err, "answer larger than 2000 bytes")

			// The same answer within a larger cap is fine.
			res, err := h.newClient(t, nil).Overview(context.Background(), self)
			require.NoError(t, err)
			require.Len(t, res.Cases, 1)
		})
	}
}

// An answer over the limit keeps its first MaxCases cases and tells each
// producer how many of its own were left out, rather than losing them all.
func TestOverviewShowsTheFirstCasesOfAnAnswerOverTheLimit(t *testing.T) {
	items := make([]string, 0, MaxCases+3)
	for i := range MaxCases - 1 {
		items = append(items, hubCase(fmt.Sprint(i), "skatteverket", nil))
	}
	items = append(items, `{"producer":"vaxholm"}`, // the last within the limit, rejected
		hubCase("late", "skatteverket", nil), hubCase("late-1", "vaxholm", nil), hubCase("late-2", "vaxholm", nil), `{"producer":"nobody"}`)
	f := &fakeHub{body: answer(twoProducers, items...)}
	c := newTestHub(t, f).newClient(t, nil)
	res, err := c.Overview(context.Background(), self)
	require.NoError(t, err)
	require.Len(t, res.Cases, MaxCases-1)
	require.Equal(t, "skatteverket:0", res.Cases[0].ID)
	require.Equal(t, fmt.Sprintf("skatteverket:%d", MaxCases-2), res.Cases[len(res.Cases)-1].ID)
	require.Len(t, res.Outcomes, 3)
	require.Equal(t, &cases.Truncation{Reason: cases.CutLimit, Unit: cases.CountedCases, Shown: MaxCases - 1, Total: MaxCases}, res.Outcomes[0].Truncated)
	require.Equal(t, cases.OK, res.Outcomes[0].State)
	require.Equal(t, &cases.Truncation{Reason: cases.CutLimit, Unit: cases.CountedCases, Shown: 1, Total: 3}, res.Outcomes[1].Truncated)
	require.Equal(t, 1, res.Outcomes[1].Rejected, "a case within the limit that cannot be read is still counted")
	require.Equal(t, cases.Outcome{Source: "hub", Producer: hubActor, State: cases.OK,
		Truncated: &cases.Truncation{Reason: cases.CutLimit, Unit: cases.CountedCases, Shown: 0, Total: 1}}, res.Outcomes[2],
		"a case past the limit of a producer the answer does not list is the hub's")
}

func TestOverviewKeepsGoodCasesWhenSomeCannotBeRead(t *testing.T) {
	good := hubCase("good", "skatteverket", nil)
	items := []string{
		good,
		hubCase("extra", "skatteverket", map[string]any{"Hemlig": "x"}),                                       // 1 unknown member
		hubCase("type", "vaxholm", map[string]any{"title": 42}),                                               // 2 wrong type
		hubCase("noupd", "vaxholm", map[string]any{"updated": nil}),                                           // 3 required member missing
		hubCase("status", "vaxholm", map[string]any{"status": "waiting"}),                                     // 4 left to Settle
		hubCase("js", "skatteverket", map[string]any{"link": "javascript:alert(1)"}),                          // 5 left to Settle
		hubCase("who", "nobody", nil),                                                                         // 6 producer not listed
		hubCase("good", "skatteverket", nil),                                                                  // 7 same ID twice
		`"Hemlig"`,                                                                                            // 8 not an object
		hubCase("time", "vaxholm", map[string]any{"statusDate": "20 november"}),                               // 9 bad time
		hubCase("fc", "vaxholm", map[string]any{"forecast": map[string]any{"unit": "days"}}),                  // 10 amount missing
		hubCase("frac", "vaxholm", map[string]any{"forecast": map[string]any{"amount": 1.5, "unit": "days"}}), // 11
		hubCase("hist", "vaxholm", map[string]any{"history": []map[string]any{{"title": "x"}}}),               // 12
		hubCase("zero", "vaxholm", map[string]any{"created": "0001-01-01T00:00:00Z"}),                         // 13 a placeholder
		hubCase("lang", "vaxholm", map[string]any{"lang": `sv"><script>`}),                                    // 14 left to Settle
	}
	f := &fakeHub{body: answer(twoProducers, items...)}
	c := newTestHub(t, f).newClient(t, nil)

	res, err := c.Overview(context.Background(), self)
	require.NoError(t, err, "a bad case must not cost the other cases")
	ids := make([]string, len(res.Cases))
	for i, c := range res.Cases {
		ids[i] = c.ID
	}
	require.Equal(t, []string{"skatteverket:good", "vaxholm:status", "skatteverket:js", "vaxholm:lang"}, ids)

	byID := map[string]cases.Outcome{}
	for _, o := range res.Outcomes {
		byID[o.Producer.ID] = o
	}
	require.Equal(t, cases.Outcome{Source: "hub", Producer: cases.Actor{ID: "skatteverket", Name: "Skatteverket"}, State: cases.Invalid, Rejected: 2,
		Problems: []cases.Problem{
			{Field: "cases[1]", Reason: "unknown member"},
			{Field: "cases[7].id", Reason: "used twice by this producer"},
		}}, byID["skatteverket"])
	require.Equal(t, cases.Outcome{Source: "hub", Producer: cases.Actor{ID: "vaxholm", Name: "Vaxholms stad"}, State: cases.Invalid, Rejected: 7,
		Problems: []cases.Problem{
			{Field: "cases[2].title", Reason: "want a string, got a number"},
			{Field: "cases[3].updated", Reason: "required"},
			{Field: "cases[9].statusDate", Reason: "not an RFC 3339 date-time"},
			{Field: "cases[10].forecast.amount", Reason: "required"},
			{Field: "cases[11].forecast.amount", Reason: "want an integer, got a number"},
			{Field: "cases[12].history[0].time", Reason: "required"},
			{Field: "cases[13].created", Reason: "outside the years 1900–2200"},
		}}, byID["vaxholm"])
	require.Equal(t, cases.Outcome{Source: "hub", Producer: hubActor, State: cases.Invalid, Rejected: 2,
		Problems: []cases.Problem{
			{Field: "cases[6].producer", Reason: "not among the answer's producers"},
			{Field: "cases[8]", Reason: "want an object, got a string"},
		}}, byID["hub"], "a case whose producer is unclear counts against the hub")
	for _, o := range res.Outcomes {
		for _, p := range o.Problems {
			requireNoSecrets(t, p.String())
		}
	}

	// The central validation rejects the unknown status and the language tag
	// that is none, and strips the unsafe link; the good case is shown.
	settled := cases.Settle("hub", hubActor, res)
	require.Len(t, settled.Cases, 2)
	require.Equal(t, "skatteverket:good", settled.Cases[0].ID)
	require.Equal(t, "skatteverket:js", settled.Cases[1].ID)
	require.Empty(t, settled.Cases[1].Link)
	for _, o := range settled.Outcomes {
		require.Equal(t, cases.Invalid, o.State, "every producer with a bad case is marked: %s", o.Producer.ID)
	}
}

func TestOverviewRespectsTheDeadline(t *testing.T) {
	release := make(chan struct{})
	wait := func(r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
	silent := newTestHub(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { wait(r) }))
	stalling := newTestHub(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"producers":[`)
		w.(http.Flusher).Flush()
		wait(r)
	}))
	defer close(release) // before the servers close: they wait for their handlers

	tests := []struct {
		name    string
		hub     *testHub
		timeout time.Duration
		ctx     time.Duration
	}{
		{"client timeout", silent, 150 * time.Millisecond, time.Minute},
		{"caller's deadline", silent, time.Minute, 150 * time.Millisecond},
		{"stalls in the middle of the answer", stalling, 150 * time.Millisecond, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.hub
			c := h.newClient(t, func(c *Config) { c.Timeout = tt.timeout })
			ctx, cancel := context.WithTimeout(context.Background(), tt.ctx)
			defer cancel()
			start := time.Now()
			_, err := c.Overview(ctx, self)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.Less(t, time.Since(start), 2*time.Second, "the call must end at its deadline")
			require.Equal(t, cases.Timeout, cases.FailedOutcome("hub", hubActor, err).State)
			require.NotContains(t, err.Error(), h.URL, "errors name the endpoint, not the whole URL")
		})
	}
}

func TestMutualTLS(t *testing.T) {
	f := &fakeHub{body: answer(`[]`)}
	h := newTestHub(t, f)
	stranger := newPKI(t, "another CA")

	tests := []struct {
		name   string
		change func(*Config)
	}{
		{"client without a certificate", func(c *Config) {
			c.TLS = &tls.Config{RootCAs: h.ca.pool, GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
				return &tls.Certificate{}, nil // sends none
			}}
		}},
		{"client certificate from another CA", func(c *Config) {
			c.TLS = &tls.Config{RootCAs: h.ca.pool, Certificates: []tls.Certificate{stranger.issue(t, "impostor", x509.ExtKeyUsageClientAuth)}}
		}},
		{"hub certificate the client does not trust", func(c *Config) {
			c.TLS = &tls.Config{RootCAs: stranger.pool, Certificates: []tls.Certificate{h.client}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := h.newClient(t, tt.change)
			res, err := c.Overview(context.Background(), self)
			require.Error(t, err)
			require.Empty(t, res.Outcomes)
			require.Equal(t, cases.Failed, cases.FailedOutcome("hub", hubActor, err).State)
		})
	}
	require.Empty(t, f.requests, "the hub must not have served anyone without a valid certificate")

	_, err := h.newClient(t, nil).Overview(context.Background(), self)
	require.NoError(t, err)
	require.Len(t, f.requests, 1)
}

func TestNewChecksTheConfig(t *testing.T) {
	h := newTestHub(t, &fakeHub{})
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"plain http", func(c *Config) { c.URL = strings.Replace(c.URL, "https", "http", 1) }, "URL: must be https"},
		{"no URL", func(c *Config) { c.URL = "" }, "URL: required"},
		{"user in URL", func(c *Config) { c.URL = "https://u:p@hub.example" }, "without user, query or fragment"},
		{"query in URL", func(c *Config) { c.URL = "https://hub.example/?pnr=1" }, "without user, query or fragment"},
		{"no TLS", func(c *Config) { c.TLS = nil }, "TLS: required"},
		{"no client certificate", func(c *Config) { c.TLS = &tls.Config{RootCAs: h.ca.pool} }, "a client certificate is required"},
		{"unverified hub", func(c *Config) { c.TLS.InsecureSkipVerify = true }, "InsecureSkipVerify is not allowed"},
		{"negative timeout", func(c *Config) { c.Timeout = -1 }, "Timeout: must not be negative"},
		{"negative cap", func(c *Config) { c.MaxBytes = -1 }, "MaxBytes: must not be negative"},
		{"no name", func(c *Config) { c.Name = "" }, "Name: required"},
		{"no actor", func(c *Config) { c.Actor = cases.Actor{ID: "hub"} }, "Actor: ID and Name required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := h.config()
			tt.change(&cfg)
			_, err := New(cfg)
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			require.Contains(t, err.Error(), tt.want)
		})
	}

	c := h.newClient(t, nil)
	require.Equal(t, DefaultTimeout, c.cfg.Timeout)
	require.Equal(t, int64(DefaultMaxBytes), c.cfg.MaxBytes)
	m := c.Member()
	require.Equal(t, "hub", m.Name)
	require.Equal(t, hubActor, m.Actor)
	require.Same(t, c, m.Source)
}

// prefsHub keeps preferences per customer as the contract says.
type prefsHub struct {
	mu       sync.Mutex
	stored   map[string]string // number → preferences JSON
	requests int
	answer   string // when set, the answer to every query
}

func (p *prefsHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	var body struct {
		Customer    party           `json:"customer"`
		Preferences json.RawMessage `json:"preferences"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Customer.Number == "" || strings.Contains(r.URL.String(), body.Customer.Number) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"title":"bad request"}`)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/preferences/query":
		s, ok := p.stored[body.Customer.Number]
		if p.answer != "" {
			s, ok = p.answer, true
		}
		if !ok {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, s)
	case r.Method == http.MethodPut && r.URL.Path == "/v1/preferences" && body.Preferences != nil:
		p.stored[body.Customer.Number] = string(body.Preferences)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/preferences/delete" && body.Preferences == nil:
		delete(p.stored, body.Customer.Number)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func TestPreferencesRoundTripThroughTheHub(t *testing.T) {
	ctx := context.Background()
	store := &prefsHub{stored: map[string]string{}}
	c := newTestHub(t, store).newClient(t, nil)
	var s preferences.Store = c

	got, err := s.Get(ctx, tolvan)
	require.NoError(t, err)
	require.Equal(t, preferences.Default(), got, "a customer without stored preferences gets the default")

	mine := preferences.Default()
	mine.Sort, mine.Descending, mine.ShowClosed = listing.BySender, false, false
	mine.HiddenActors, mine.Discreet = []string{"csn"}, true
	mine.Notify = preferences.Notify{Mode: preferences.NotifyActors, Actors: []string{"skatteverket"}}
	require.NoError(t, s.Put(ctx, tolvan, mine))
	got, err = s.Get(ctx, tolvan)
	require.NoError(t, err)
	require.Equal(t, mine, got)

	mine.Consent = preferences.Consent{Version: 1, Given: mustTime("2026-12-01T10:00:00Z")}
	require.NoError(t, s.Put(ctx, tolvan, mine))
	got, err = s.Get(ctx, tolvan)
	require.NoError(t, err)
	require.Equal(t, mine, got, "the consent record travels with the preferences")

	other, err := s.Get(ctx, agent)
	require.NoError(t, err)
	require.Equal(t, preferences.Default(), other)
	for number := range store.stored {
		require.Equal(t, tolvan.Number, number)
	}

	require.NoError(t, s.Put(ctx, agent, mine))
	require.NoError(t, s.Delete(ctx, tolvan))
	got, err = s.Get(ctx, tolvan)
	require.NoError(t, err)
	require.Equal(t, preferences.Default(), got, "deleted: the defaults again")
	require.Contains(t, store.stored, agent.Number, "only the customer's own are deleted")
	require.NoError(t, s.Delete(ctx, tolvan), "deleting nothing is no error")

	before := store.requests
	bad := preferences.Default()
	bad.Sort = "colour"
	var ve *preferences.ValidationError
	require.ErrorAs(t, s.Put(ctx, tolvan, bad), &ve)
	require.ErrorIs(t, s.Put(ctx, identity.Party{}, mine), preferences.ErrNoParty)
	_, err = s.Get(ctx, identity.Party{})
	require.ErrorIs(t, err, preferences.ErrNoParty)
	require.Equal(t, before, store.requests, "nothing invalid is sent")
}

func TestPreferencesFromTheHubAreChecked(t *testing.T) {
	tests := []struct{ answer, want string }{
		{`{"sort":"colour"}`, "sort: must be date, sender, status or title"},
		{`{"sort":"date","Hemlig":1}`, "unknown member"},
		{`{"sort":"date"} []`, "data after the JSON value"},
	}
	store := &prefsHub{stored: map[string]string{}}
	c := newTestHub(t, store).newClient(t, nil)
	for _, tt := range tests {
		store.mu.Lock()
		store.answer = tt.answer
		store.mu.Unlock()
		_, err := c.Get(context.Background(), tolvan)
		require.ErrorIs(t, err, cases.ErrInvalidResponse)
		require.ErrorContains(t, err, tt.want)
		requireNoSecrets(t, err.Error())
	}

	failing := newTestHub(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	})).newClient(t, nil)
	var se *StatusError
	require.ErrorAs(t, failing.Put(context.Background(), tolvan, preferences.Default()), &se)
	require.Equal(t, "PUT", se.Method)
	require.Equal(t, http.StatusInternalServerError, se.Code)
	_, err := failing.Get(context.Background(), tolvan)
	require.True(t, errors.As(err, &se) && se.Code == http.StatusInternalServerError)
}
