package memory

import (
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
)

// demoSubjects is how every customer of the demo is reached, once each: a
// person logs in and looks at their own cases or at those of whom they act for.
func demoSubjects(d *Data) []identity.Subject {
	var out []identity.Subject
	seen := map[string]bool{}
	add := func(s identity.Subject) {
		if !seen[s.Customer().Number] {
			seen[s.Customer().Number] = true
			out = append(out, s)
		}
	}
	for _, p := range d.Personas() {
		if p.Party.Kind == identity.Organisationsnummer {
			continue // an organisation never logs in itself
		}
		add(identity.Subject{User: p.Party})
		for _, principal := range p.ActsFor {
			add(identity.Subject{User: p.Party, ActingFor: principal})
		}
	}
	return out
}

// demoCases is every case of the demo, as the view gets them.
func demoCases(t *testing.T, d *Data) []cases.Case {
	t.Helper()
	var all []cases.Case
	for _, s := range demoSubjects(d) {
		res, err := d.Overview(t.Context(), s)
		require.NoError(t, err)
		settled := cases.Settle("demo", cases.Actor{ID: "demo", Name: "Demo"}, res)
		for _, o := range settled.Outcomes {
			require.Equal(t, cases.OK, o.State, "%s: %v", o.Producer.ID, o.Problems)
		}
		all = append(all, settled.Cases...)
	}
	return all
}

func TestDemoIsValidAndReachable(t *testing.T) {
	d := Demo(time.Now())
	all := demoCases(t, d)
	stored := 0
	for _, list := range d.cases {
		stored += len(list)
	}
	require.Len(t, all, stored, "every customer's cases are reachable by a persona")
	for _, c := range all {
		require.Empty(t, c.Validate(), c.ID)
		if c.Link != "" {
			require.True(t, d.Directory().Allows(c.Sender.ID, c.Link), c.ID)
		}
	}
	for _, p := range d.Personas() {
		require.NotEmpty(t, p.Description, "the dev IdP shows every persona's role")
	}
}

func TestDemoCoversWhatTheViewMustShow(t *testing.T) {
	d := Demo(time.Now())
	all := demoCases(t, d)
	require.GreaterOrEqual(t, len(all), 25)

	statuses := map[cases.Status]int{}
	units := map[cases.Unit]bool{}
	payments := map[cases.Payment]bool{}
	senders := map[string]bool{}
	var linked, unlinked, withPairs, withHistory, withoutForecast, longTitles int
	field := map[string]bool{}
	for _, c := range all {
		statuses[c.Status]++
		senders[c.Sender.ID] = true
		if c.Forecast != nil {
			units[c.Forecast.Unit] = true
		} else {
			withoutForecast++
		}
		payments[c.Payment] = true
		count(&linked, &unlinked, c.Link != "")
		if len(c.Pairs) > 0 {
			withPairs++
		}
		if len(c.History) > 0 {
			withHistory++
		}
		if utf8.RuneCountInString(c.Title) >= 100 {
			longTitles++
		}
		field["caseNumber"] = field["caseNumber"] || c.CaseNumber != ""
		field["category"] = field["category"] || c.Category != ""
		field["officer"] = field["officer"] || c.Officer != ""
		field["freeText"] = field["freeText"] || c.FreeText != ""
		field["plannedEvent"] = field["plannedEvent"] || c.PlannedEvent != ""
		field["plannedTime"] = field["plannedTime"] || c.PlannedTime != nil
	}
	for _, s := range cases.Statuses {
		require.Positive(t, statuses[s], "status %s", s)
	}
	require.Equal(t, map[cases.Unit]bool{cases.Days: true, cases.Weeks: true, cases.Months: true}, units)
	require.Equal(t, map[cases.Payment]bool{"": true, cases.PaymentReceived: true, cases.PaymentPaidOut: true, cases.PaymentPending: true}, payments)
	for _, f := range []string{"caseNumber", "category", "officer", "freeText", "plannedEvent", "plannedTime"} {
		require.True(t, field[f], "some case has %s", f)
	}
	require.GreaterOrEqual(t, len(senders), 6)
	require.Positive(t, linked)
	require.Positive(t, unlinked)
	require.Positive(t, withPairs)
	require.Less(t, withPairs, len(all))
	require.Positive(t, withHistory)
	require.Positive(t, withoutForecast)
	require.GreaterOrEqual(t, longTitles, 2)

	// Producers with and without an e-service; those without one must say
	// how to reach them, and have cases that need the information page.
	var withService, without int
	for _, in := range d.Directory().All() {
		if in.HasEService() {
			withService++
			continue
		}
		without++
		cs := in.CustomerService
		require.NotEmpty(t, cs.Phone, in.ID)
		require.NotEmpty(t, cs.Email, in.ID)
		require.NotEmpty(t, cs.Web, in.ID)
		require.NotEmpty(t, cs.Hours, in.ID)
		require.True(t, senders[in.ID], "%s has cases", in.ID)
	}
	require.Positive(t, withService)
	require.Positive(t, without)
}

func count(yes, no *int, cond bool) {
	if cond {
		*yes++
	} else {
		*no++
	}
}

func TestDemoPersonas(t *testing.T) {
	d := Demo(time.Now())
	ps := d.Personas()
	require.GreaterOrEqual(t, len(ps), 3)

	var private, company, agentForPerson bool
	for _, p := range ps {
		_, kind, err := identity.ParseNumber(p.Party.Number)
		require.NoError(t, err)
		require.Equal(t, kind, p.Party.Kind)
		switch {
		case p.Party.Kind == identity.Organisationsnummer:
			company = true
		case len(p.ActsFor) == 0:
			private = true
		}
		if slices.ContainsFunc(p.ActsFor, func(q identity.Party) bool { return q.Kind == identity.Personnummer }) {
			agentForPerson = true
		}
	}
	require.True(t, private, "a private person")
	require.True(t, company, "a company")
	require.True(t, agentForPerson, "an agent for another person")

	for _, wellKnown := range []string{"191212121212", "198112189876"} {
		_, ok := d.Persona(wellKnown)
		require.True(t, ok, "the well-known test number %s is a persona", wellKnown)
	}
}

func TestDemoIsShiftedToLookRecent(t *testing.T) {
	now := time.Date(2027, 3, 15, 9, 30, 0, 0, time.UTC)
	later := now.Add(400*24*time.Hour + 7*time.Hour)
	a, b := Demo(now), Demo(later)

	newest := func(d *Data) time.Time {
		var n time.Time
		for _, list := range d.cases {
			for _, c := range list {
				if c.Date.After(n) {
					n = c.Date
				}
			}
		}
		return n
	}
	require.True(t, newest(a).Equal(now.Add(-24*time.Hour)), "newest date is now-24h: %v", newest(a))
	require.True(t, newest(b).Equal(later.Add(-24*time.Hour)))

	// One offset for every time: order and spacing are intact.
	gap := later.Sub(now)
	for number, list := range a.cases {
		for i, c := range list {
			o := b.cases[number][i]
			require.Equal(t, gap, o.Date.Sub(c.Date), c.ID)
			require.False(t, c.Date.After(now), "%s: date never in the future", c.ID)
			for _, past := range []time.Time{c.Created, c.Updated} {
				require.False(t, past.After(now), "%s: created/updated not in the future", c.ID)
			}
			if !c.Created.IsZero() {
				require.Equal(t, gap, o.Created.Sub(c.Created), c.ID)
			}
			if !c.Updated.IsZero() {
				require.Equal(t, gap, o.Updated.Sub(c.Updated), c.ID)
			}
			if c.PlannedTime != nil {
				require.Equal(t, gap, o.PlannedTime.Sub(*c.PlannedTime), c.ID)
			}
			for j, e := range c.History {
				require.Equal(t, gap, o.History[j].Time.Sub(e.Time), c.ID)
				require.False(t, e.Time.After(c.Date), "%s: history ends at the current status", c.ID)
			}
		}
	}
}
