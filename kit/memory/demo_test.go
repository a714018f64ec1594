package memory

import (
	"regexp"
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
			if slices.Contains(d.outages[s.Customer().Number], o.Producer.ID) {
				require.Equal(t, cases.Failed, o.State, o.Producer.ID)
				continue
			}
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
	for number, list := range d.cases {
		for _, c := range list {
			if !slices.Contains(d.outages[number], c.Sender.ID) {
				stored++
			}
		}
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

// The demo's states, one persona each, all reachable from the development
// IdP's chooser (people log in; a company is reached through its signatory).
func TestDemoHasAPersonaForEveryState(t *testing.T) {
	d := Demo(time.Now())
	overview := func(s identity.Subject) cases.Result {
		res, err := d.Overview(t.Context(), s)
		require.NoError(t, err)
		return res
	}
	var partial, empty, many, agent, company bool
	for _, p := range d.Personas() {
		if p.Party.Kind == identity.Organisationsnummer {
			continue
		}
		res := overview(identity.Subject{User: p.Party})
		failed := slices.IndexFunc(res.Outcomes, func(o cases.Outcome) bool { return o.State != cases.OK })
		if failed >= 0 {
			partial = true
			down := res.Outcomes[failed].Producer.ID
			require.NotEmpty(t, res.Cases, "the other producers still answer")
			require.False(t, slices.ContainsFunc(res.Cases, func(c cases.Case) bool { return c.Sender.ID == down }))
			require.True(t, slices.ContainsFunc(d.cases[p.Party.Number], func(c cases.Case) bool { return c.Sender.ID == down }),
				"the producer that is down has cases that go missing")
		}
		empty = empty || len(res.Cases) == 0
		many = many || len(res.Cases) >= 200
		for _, principal := range p.ActsFor {
			require.NotEmpty(t, overview(identity.Subject{User: p.Party, ActingFor: principal}).Cases)
			agent = agent || principal.Kind == identity.Personnummer
			company = company || principal.Kind == identity.Organisationsnummer
		}
	}
	require.True(t, partial, "a persona with a producer down")
	require.True(t, empty, "a persona without cases")
	require.True(t, many, "a persona with 200 cases or more")
	require.True(t, agent, "an agent acting for a person")
	require.True(t, company, "a representative of a company")
}

func TestDemoGeneratesTheSameLongListEveryTime(t *testing.T) {
	now := time.Now() // cases.Validate refuses dates after the real now
	a, b := Demo(now), Demo(now)
	require.Equal(t, a.cases, b.cases)
	var long []cases.Case
	for _, list := range a.cases {
		if len(list) >= 200 {
			long = list
		}
	}
	require.NotEmpty(t, long)
	ids, statuses, senders := map[string]bool{}, map[cases.Status]bool{}, map[string]bool{}
	for _, c := range long {
		require.Empty(t, c.Validate(), c.ID)
		require.False(t, ids[c.ID], "ids are unique: %s", c.ID)
		ids[c.ID] = true
		statuses[c.Status] = true
		senders[c.Sender.ID] = true
		for _, p := range a.Personas() {
			require.False(t, mentions(c, p.Party.Name), "%s names persona %s", c.ID, p.Party.Name)
		}
	}
	require.Len(t, statuses, len(cases.Statuses))
	require.GreaterOrEqual(t, len(senders), 6)
}

func TestDemoIsShiftedToLookRecent(t *testing.T) {
	now := time.Date(2027, 3, 15, 9, 30, 0, 0, time.UTC)
	later := now.Add(400*24*time.Hour + 7*time.Hour)
	a, b := Demo(now), Demo(later)

	newest := a.newest()
	require.Equal(t, now.AddDate(0, 0, -1).Format(time.DateOnly), newest.Format(time.DateOnly), "newest date is yesterday")
	require.Equal(t, later.AddDate(0, 0, -1).Format(time.DateOnly), b.newest().Format(time.DateOnly))

	// One offset of whole days for every time: order, spacing and the
	// time of day are intact, and texts move with the times.
	gap := 400 * 24 * time.Hour
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
			require.Equal(t, shiftText(c.Title, 400), o.Title, c.ID)
			require.Equal(t, shiftText(c.CaseNumber, 400), o.CaseNumber, c.ID)
		}
	}
}

// Whatever the day and hour, no open case shows a planned time (a deadline,
// a payment) already passed, and every date written in a text moves with the
// case: the texts hold no month names or seasons that would not.
func TestDemoShowsNoDeadlineInThePast(t *testing.T) {
	start := time.Date(2026, 12, 4, 0, 5, 0, 0, time.UTC)
	for _, now := range []time.Time{start, start.Add(23*time.Hour + 50*time.Minute), start.AddDate(0, 3, 0), start.AddDate(0, 7, 12).Add(12 * time.Hour)} {
		d := Demo(now)
		for _, list := range d.cases {
			for _, c := range list {
				if c.Open() && c.PlannedTime != nil {
					require.True(t, c.PlannedTime.After(now), "%s at %v: planned %v", c.ID, now, c.PlannedTime)
				}
			}
		}
	}
	months := regexp.MustCompile(`(?i)\b(januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|vårtermin\w*|hösttermin\w*)\b`)
	for _, list := range Demo(start).cases {
		for _, c := range list {
			texts := []string{c.Title, c.FreeText, c.PlannedEvent}
			for _, p := range c.Pairs {
				texts = append(texts, p.Value)
			}
			for _, e := range c.History {
				texts = append(texts, e.Title, e.Text)
			}
			for _, s := range texts {
				require.False(t, months.MatchString(s), "%s: a date the shift cannot move: %q", c.ID, s)
				for _, m := range datesInText.FindAllString(s, -1) {
					if len(m) > 4 {
						_, err := time.Parse(time.DateOnly, m)
						require.NoError(t, err, "%s: %q", c.ID, s)
					}
				}
			}
		}
	}
}
