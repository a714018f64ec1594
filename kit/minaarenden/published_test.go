package minaarenden

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
)

// Checks against the published OpenAPI of the reference producer
// (mina-arenden-ref-impl): what it would refuse is refused here first, and
// what it reports reaches the outcome in a form fit for support.

func TestOverviewRefusesAUserThatIsNotTwelveDigits(t *testing.T) {
	c, f := serve(t, ok(envelope(customer, 0, nil, "")), nil)
	odd := identity.Subject{User: identity.Party{Number: "19900909-0000", Kind: identity.Personnummer}}
	_, err := c.Overview(context.Background(), odd)
	require.ErrorIs(t, err, ErrParty)
	require.ErrorContains(t, err, "12 digits")
	require.NotContains(t, err.Error(), "0909", "the number is not quoted")
	require.Empty(t, f.bodies, "no request goes out that the service must refuse")
}

func TestOverviewPassesTheProducersReasonCleaned(t *testing.T) {
	delfragor := `{"producent":"Vaxholms stad","status":"OK","httpCode":200},
		{"producent":"Knivsta kommun","part":{"kund":{"identifierare":"199009090000","typ":"Personnummer"}},"status":"FEL","httpCode":503,
		 "message":"Ärendesystemet\u0007 är nere\u202e för 19900909-0000 och 199009090000 sedan 08:15` + strings.Repeat(" och mer", 60) + `"}`
	c, _ := serve(t, func(int, request) reply {
		return reply{status: http.StatusPartialContent, body: envelope(customer, 1, []string{event(nil)}, delfragor)}
	}, nil)
	r, err := c.Overview(context.Background(), self)
	require.NoError(t, err)
	settled := cases.Settle("mina-arenden", Service, r)
	require.Len(t, settled.Cases, 1)
	var knivsta *cases.Outcome
	for i := range settled.Outcomes {
		if settled.Outcomes[i].Producer.ID == "knivsta-kommun" {
			knivsta = &settled.Outcomes[i]
		}
	}
	require.NotNil(t, knivsta, "the failing producer is a named gap")
	require.Equal(t, cases.Failed, knivsta.State)
	require.Contains(t, knivsta.Message, "HTTP 503")
	require.Contains(t, knivsta.Message, "Ärendesystemet är nere för [number] och [number] sedan 08:15", "support sees why")
	for _, bad := range []string{"0909", "\u0007", "\u202e"} {
		require.NotContains(t, knivsta.Message, bad)
	}
	require.Less(t, len([]rune(knivsta.Message)), 400, "capped")
}

func TestOverviewRefusesEventsOfAnotherMajorVersion(t *testing.T) {
	events := []string{
		event(map[string]any{"kundhandelseId": "VAX-1", "version": "6.1"}),
		event(map[string]any{"kundhandelseId": "VAX-2", "version": "7.0", "referenser": map[string]any{"diarienummer": "BYGG-2"}}),
		event(map[string]any{"kundhandelseId": "VAX-3", "version": "sex", "referenser": map[string]any{"diarienummer": "BYGG-3"}}),
		event(map[string]any{"kundhandelseId": "VAX-4", "version": nil, "referenser": map[string]any{"diarienummer": "BYGG-4"}}),
	}
	c, _ := serve(t, ok(envelope(customer, 4, events, "")), nil)
	r, err := c.Overview(context.Background(), self)
	require.NoError(t, err)
	settled := cases.Settle("mina-arenden", Service, r)
	require.Len(t, settled.Cases, 2, "6.1 and an event without version are read")
	require.Len(t, settled.Outcomes, 1)
	o := settled.Outcomes[0]
	require.Equal(t, cases.Invalid, o.State)
	require.Equal(t, 2, o.Rejected)
	var reasons []string
	for _, p := range o.Problems {
		reasons = append(reasons, p.Field+": "+p.Reason)
	}
	require.Contains(t, strings.Join(reasons, "\n"), "kundhandelserForPart[1].version: version of the standard not supported (this portal reads 6.x)")
	require.Contains(t, strings.Join(reasons, "\n"), "kundhandelserForPart[2].version: not a version number")
}

func TestOverviewAsksInThePagesLanguage(t *testing.T) {
	c, f := serve(t, ok(envelope(customer, 0, nil, "")), nil)
	for _, ctx := range []context.Context{cases.WithLanguage(context.Background(), "en"), context.Background()} {
		_, err := c.Overview(ctx, self)
		require.NoError(t, err)
	}
	require.Equal(t, "en", f.headers[0].Get("Accept-Language"), "the page's language")
	require.Equal(t, "sv", f.headers[1].Get("Accept-Language"), "the standard's default when none is known")
}

func TestOverviewShowsACaseWithALongDescription(t *testing.T) {
	long := string([]rune(strings.Repeat("Lång text. ", 6000))[:MaxDescription])
	events := []string{
		event(map[string]any{"kundhandelseId": "VAX-1", "beskrivning": long}),
		event(map[string]any{"kundhandelseId": "VAX-2", "beskrivning": strings.Repeat("x", MaxDescription+1),
			"referenser": map[string]any{"diarienummer": "BYGG-2"}}),
	}
	c, _ := serve(t, ok(envelope(customer, 2, events, "")), nil)
	r, err := c.Overview(context.Background(), self)
	require.NoError(t, err)
	settled := cases.Settle("mina-arenden", Service, r)
	require.Len(t, settled.Cases, 1, "a description the standard allows never costs the case")
	text := []rune(settled.Cases[0].FreeText)
	require.LessOrEqual(t, len(text), cases.MaxText)
	require.Equal(t, '…', text[len(text)-1], "visibly shortened")
	require.True(t, settled.Cases[0].FreeTextShortened, "the page is told the text goes on at the producer")
	o := settled.Outcomes[0]
	require.Equal(t, cases.Invalid, o.State, "longer than the standard allows is the producer's visible problem")
	require.Equal(t, 1, o.Rejected)
	require.Contains(t, o.Problems[0].Field+": "+o.Problems[0].Reason, "kundhandelserForPart[1].beskrivning: longer than the standard's 65535 characters")
}
