package minaarenden

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
)

// Several sole-trader firms on one personnummer: the published API tells
// them apart by kund.tillagg, a serial number of at most 20 characters.

// firmAnswer is an answer with one kundhandelserForPart per firm (tillagg),
// each with the given events; "" is a part without tillagg.
func firmAnswer(firms map[string][]string) []byte {
	var parts []string
	for _, firm := range []string{"", "1", "2", "x\u0007"} {
		events, ok := firms[firm]
		if !ok {
			continue
		}
		kund := map[string]any{"identifierare": customer, "typ": "Personnummer"}
		if firm != "" {
			kund["tillagg"] = firm
		}
		p, _ := json.Marshal(map[string]any{"kund": kund})
		parts = append(parts, `{"part":`+string(p)+`,"totaltAntalKundhandelser":`+itoa(len(events))+
			`,"kundhandelserForPart":[`+strings.Join(events, ",")+`]}`)
	}
	return []byte(`{"kundhandelser":[` + strings.Join(parts, ",") + `],"delfragor":[]}`)
}

func TestOverviewAsksForOneFirm(t *testing.T) {
	firm2 := identity.Subject{User: identity.Party{Number: customer, Kind: identity.Personnummer, Firm: "2"}}
	c, f := serve(t, ok(firmAnswer(map[string][]string{"2": {event(nil)}})), nil)
	r, err := c.Overview(context.Background(), firm2)
	require.NoError(t, err)
	var q request
	require.NoError(t, json.Unmarshal(f.bodies[0], &q))
	require.Equal(t, []party{{Kund: &identifier{Identifierare: customer, Typ: "Personnummer", Tillagg: "2"}}}, q.Fraga.Parter)
	require.Len(t, r.Cases, 1)
	require.Contains(t, r.Cases[0].Pairs, cases.Pair{Title: "Enskild firma nummer", Value: "2"})

	// Without a firm, no tillagg is sent: the service answers for every firm.
	_, err = c.Overview(context.Background(), self)
	require.NoError(t, err)
	require.NotContains(t, string(f.bodies[1]), "tillagg")
}

func TestOverviewShowsWhichFirmACaseBelongsTo(t *testing.T) {
	same := event(nil) // the same diarienummer at the same producer, for two firms
	body := firmAnswer(map[string][]string{"": {event(map[string]any{"kundhandelseId": "P-1", "referenser": map[string]any{"diarienummer": "P-1"}})},
		"1": {same}, "2": {same}})
	c, _ := serve(t, ok(body), nil)
	r, err := c.Overview(cases.WithLanguage(context.Background(), "en"), self)
	require.NoError(t, err)
	require.Len(t, r.Cases, 3, "one firm's case is not another's, though the numbers agree")
	firms := map[string]bool{}
	for _, cs := range r.Cases {
		firm := ""
		for _, p := range cs.Pairs {
			if p.Title == "Sole trader firm number" {
				firm = p.Value
			}
		}
		firms[firm] = true
	}
	require.Equal(t, map[string]bool{"": true, "1": true, "2": true}, firms, "the person's own case names no firm")
	require.NotEqual(t, r.Cases[0].ID, r.Cases[1].ID)
}

func TestOverviewRefusesFirmsItDidNotAskAbout(t *testing.T) {
	firm2 := identity.Subject{User: identity.Party{Number: customer, Kind: identity.Personnummer, Firm: "2"}}
	tests := []struct {
		name    string
		subject identity.Subject
		body    []byte
		want    string
	}{
		{"another firm than asked", firm2, firmAnswer(map[string][]string{"1": {event(nil)}}), "another firm (tillagg) than the one asked about"},
		{"a tillagg that is no text", self, firmAnswer(map[string][]string{"x\u0007": {event(nil)}}), "tillagg must be text of 1 to 20 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := serve(t, ok(tt.body), nil)
			r, err := c.Overview(context.Background(), tt.subject)
			require.ErrorIs(t, err, cases.ErrInvalidResponse)
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), customer)
			require.Empty(t, r.Cases)
		})
	}
}

func TestOverviewRefusesAFirmTheServiceWouldRefuse(t *testing.T) {
	for name, p := range map[string]identity.Party{
		"too long":           {Number: customer, Kind: identity.Personnummer, Firm: strings.Repeat("1", 21)},
		"a control":          {Number: customer, Kind: identity.Personnummer, Firm: "1\n"},
		"of an organisation": {Number: "5560360793", Kind: identity.Organisationsnummer, Firm: "1"},
	} {
		t.Run(name, func(t *testing.T) {
			c, f := serve(t, ok(envelope(customer, 0, nil, "")), nil)
			_, err := c.Overview(context.Background(), identity.Subject{User: p})
			require.ErrorIs(t, err, ErrParty)
			require.ErrorContains(t, err, "tillagg")
			require.NotContains(t, err.Error(), p.Number)
			require.Empty(t, f.bodies, "nothing is asked")
		})
	}
}

// TestOverviewNamesThePartThatFailed: a 206 whose delfragor name the part
// each producer failed for; the outcome says which part (kind and firm, never
// the number) next to the producer's cleaned reason.
func TestOverviewNamesThePartThatFailed(t *testing.T) {
	delfragor := `{"producent":"Vaxholms stad","part":{"kund":{"identifierare":"199009090000","typ":"Personnummer"}},"status":"OK","httpCode":200},
		{"producent":"Knivsta kommun","part":{"kund":{"identifierare":"199009090000","typ":"Personnummer","tillagg":"2"}},"status":"FEL","httpCode":500,
		 "message":"Ärendesystemet svarar inte för 199009090000"},
		{"producent":"Region Stockholm","part":{"arende":{"identifierare":"RS 2026/4711-12","typ":"Diarienummer"}},"status":"FEL","httpCode":504},
		{"producent":"CSN","part":{"kund":{"identifierare":"199009090000","typ":"<b>Person</b>nummer 1990"}},"status":"FEL","httpCode":503},
		{"producent":"Lantmäteriet","status":"FEL","httpCode":502}`
	c, _ := serve(t, func(int, request) reply {
		return reply{status: http.StatusPartialContent, body: envelope(customer, 1, []string{event(nil)}, delfragor)}
	}, nil)
	r, err := c.Overview(context.Background(), self)
	require.NoError(t, err)
	settled := cases.Settle("mina-arenden", Service, r)
	require.Len(t, settled.Cases, 1)
	msg := map[string]string{}
	for _, o := range settled.Outcomes {
		msg[o.Producer.ID] = o.Message
		require.NotContains(t, o.Message, "0909", "no number of the part")
		require.NotContains(t, o.Message, "4711")
		require.NotContains(t, o.Message, "<b>")
	}
	require.Contains(t, msg["knivsta-kommun"], `for customer (Personnummer, firm 2): "Ärendesystemet svarar inte för [number]"`)
	require.Contains(t, msg["region-stockholm"], "did not answer in time (HTTP 504, correlation id ")
	require.Contains(t, msg["region-stockholm"], ") for case (Diarienummer)")
	require.Contains(t, msg["csn"], "for customer (another kind)")
	require.NotContains(t, msg["lantmateriet"], " for ", "no part named, none told")
	require.Empty(t, msg["vaxholms-stad"])
}
