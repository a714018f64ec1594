package memory

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
)

func self(number string) identity.Subject {
	n, kind, _ := identity.ParseNumber(number)
	return identity.Subject{User: identity.Party{Number: n, Kind: kind}}
}

func actingFor(user, customer string) identity.Subject {
	s := self(user)
	s.ActingFor = self(customer).User
	return s
}

// richDoc has cases for two customers, one of them using every pointer and
// slice a case can hold.
func richDoc() string {
	return testDoc(testProducers, testPersonas, `{
	  "191212121212": [`+testCase("full",
		`"forecast": {"amount": 2, "unit": "weeks"}`,
		`"plannedTime": "2025-12-01T10:00:00+01:00"`,
		`"pairs": [{"title": "Fastighet", "value": "Vaxholm Rindö 3:45"}]`,
		`"history": [{"time": "2025-11-01T10:00:00+01:00", "title": "Ansökan inkom", "status": "received"}]`,
		`"link": "https://etjanst.skatteverket.se/arende/1"`)+`, `+testCase("plain")+`],
	  "5599991006": [`+testCase("company")+`]}`)
}

func TestOverviewReturnsTheCustomersCasesAndAnOutcomePerProducer(t *testing.T) {
	d := mustLoad(t, richDoc())
	tests := []struct {
		name    string
		subject identity.Subject
		ids     []string
	}{
		{"own cases", self(tolvan), []string{"full", "plain"}},
		{"own cases, number written with a separator", self("19121212-1212"), []string{"full", "plain"}},
		{"agent sees the principal's cases only", actingFor(agent, company), []string{"company"}},
		{"a customer without cases still hears from every producer", self(agent), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := d.Overview(t.Context(), tt.subject)
			require.NoError(t, err)
			var ids []string
			for _, c := range res.Cases {
				ids = append(ids, c.ID)
			}
			require.Equal(t, tt.ids, ids)

			require.Equal(t, []cases.Outcome{
				{Producer: cases.Actor{ID: "skv", Name: "Skatteverket"}, State: cases.OK},
				{Producer: cases.Actor{ID: "lm", Name: "Lantmäteriet"}, State: cases.OK},
			}, res.Outcomes)

			settled := cases.Settle("demo", cases.Actor{ID: "demo", Name: "Demo"}, res)
			require.Len(t, settled.Outcomes, 2, "every case is attributed to a listed producer")
			require.Equal(t, len(tt.ids), settled.Outcomes[0].Cases)
			require.Zero(t, settled.Outcomes[1].Cases)
		})
	}
}

func TestOverviewNeverLetsACallerChangeTheStore(t *testing.T) {
	d := mustLoad(t, richDoc())
	ctx := t.Context()
	mutated, err := d.Overview(ctx, self(tolvan))
	require.NoError(t, err)
	pristine, err := d.Overview(ctx, self(tolvan))
	require.NoError(t, err)

	c := &mutated.Cases[0]
	c.Title = "ändrad"
	c.Forecast.Amount = 99
	*c.PlannedTime = c.PlannedTime.Add(time.Hour)
	c.Pairs[0].Value = "ändrad"
	c.History[0].Title = "ändrad"
	mutated.Cases = append(mutated.Cases[:1], cases.Case{ID: "injected"})

	again, err := d.Overview(ctx, self(tolvan))
	require.NoError(t, err)
	require.Equal(t, pristine.Cases, again.Cases)
	require.Equal(t, "Flyttanmälan", again.Cases[0].Title)
	require.Equal(t, 2, again.Cases[0].Forecast.Amount)

	ps := d.Personas()
	ps[1].ActsFor[0].Name = "ändrad"
	p, ok := d.Persona(agent)
	require.True(t, ok)
	p.ActsFor[0].Name = "ändrad"
	require.Equal(t, "Tolvan Tolvansson", d.Principals(agent)[0].Name)
	d.Principals(agent)[0].Name = "ändrad"
	require.Equal(t, "Tolvan Tolvansson", d.Personas()[1].ActsFor[0].Name)
}

func TestOverviewRefusesAnAgentWithoutMandate(t *testing.T) {
	d := mustLoad(t, richDoc())
	tests := []struct {
		name    string
		subject identity.Subject
	}{
		{"principal the user holds no mandate for", actingFor(tolvan, company)},
		{"user who is not a persona", actingFor("196408233234", tolvan)},
		{"principal whose number does not validate", identity.Subject{
			User: self(agent).User, ActingFor: identity.Party{Number: "5599991007", Kind: identity.Organisationsnummer}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := d.Overview(t.Context(), tt.subject)
			require.ErrorIs(t, err, ErrNoMandate)
			require.Empty(t, res.Cases)
		})
	}
}

func TestOverviewHonoursCancellation(t *testing.T) {
	d := mustLoad(t, richDoc())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res, err := d.Overview(ctx, self(tolvan))
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, res.Cases)
}

func TestPersonaLookups(t *testing.T) {
	d := mustLoad(t, richDoc())

	p, ok := d.Persona("19811218-9876")
	require.True(t, ok)
	require.Equal(t, "Johan Lindqvist", p.Party.Name)
	require.Equal(t, "Ombud", p.Description)

	for _, number := range []string{"196408233234", "not a number", ""} {
		_, ok := d.Persona(number)
		require.False(t, ok, number)
		require.Nil(t, d.Principals(number), number)
	}
	require.Nil(t, d.Principals(tolvan), "a persona without mandates acts for nobody")
	require.Equal(t, []identity.Party{
		{Number: tolvan, Kind: identity.Personnummer, Name: "Tolvan Tolvansson"},
		{Number: company, Kind: identity.Organisationsnummer, Name: "Exempel AB"},
	}, d.Principals(agent))

	info, ok := d.Directory().Lookup("lm")
	require.True(t, ok)
	require.False(t, info.HasEService())
	require.Equal(t, "https://www.lantmateriet.se", info.CustomerService.Web)
}

func BenchmarkDemo(b *testing.B) {
	now := time.Now()
	for b.Loop() {
		Demo(now)
	}
}

func BenchmarkOverview(b *testing.B) {
	d := Demo(time.Now())
	s := actingFor(agent, tolvan)
	ctx := b.Context()
	for b.Loop() {
		if _, err := d.Overview(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
}
