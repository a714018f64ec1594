package cases

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func validCase() Case {
	return Case{
		ID:     "vaxholm:1",
		Date:   time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC),
		Title:  "Bygglov för carport",
		Sender: Actor{ID: "vaxholm", Name: "Vaxholms stad"},
		Status: InProgress,
	}
}

func fields(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return out
}

func TestValidateReportsEveryProblemWithItsField(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Case)
		want   []string
	}{
		{"valid", func(*Case) {}, nil},
		{"all detail fields", func(c *Case) {
			pt := c.Date.Add(48 * time.Hour)
			c.Forecast = &Forecast{Amount: 3, Unit: Weeks}
			c.CaseNumber, c.Category, c.Payment, c.Officer = "BN 2026-123", "Bygglov", PaymentPending, "Anna Berg"
			c.FreeText, c.PlannedEvent, c.PlannedTime = "Text", "Beslut", &pt
			c.Pairs = []Pair{{"Fastighet", "Rindö 3:1"}}
			c.Link = "https://etjanst.vaxholm.se/arende/1"
			c.History = []Event{{Time: c.Date, Title: "Mottagen", Status: Received}}
		}, nil},
		{"empty case", func(c *Case) { *c = Case{} }, []string{"id", "date", "title", "sender.id", "sender.name", "status"}},
		{"unknown status", func(c *Case) { c.Status = "pending" }, []string{"status"}},
		{"bad forecast", func(c *Case) { c.Forecast = &Forecast{Amount: -1, Unit: "years"} }, []string{"forecast.amount", "forecast.unit"}},
		{"bad payment", func(c *Case) { c.Payment = "owed" }, []string{"payment"}},
		{"javascript link", func(c *Case) { c.Link = "javascript:alert(1)" }, []string{"link"}},
		{"data link", func(c *Case) { c.Link = "data:text/html,<script>alert(1)</script>" }, []string{"link"}},
		{"http link", func(c *Case) { c.Link = "http://etjanst.vaxholm.se/" }, []string{"link"}},
		{"protocol-relative link", func(c *Case) { c.Link = "//evil.example/" }, []string{"link"}},
		{"userinfo link", func(c *Case) { c.Link = "https://vaxholm.se@evil.example/" }, []string{"link"}},
		{"IDN look-alike link", func(c *Case) { c.Link = "https://vаxholm.se/" }, []string{"link"}},
		{"invalid UTF-8 title", func(c *Case) { c.Title = "Bygg\xfflov" }, []string{"title"}},
		{"bidi override in title", func(c *Case) { c.Title = "Bygglov \u202egnisiw" }, []string{"title"}},
		{"overlong title", func(c *Case) { c.Title = strings.Repeat("å", MaxTitle+1) }, []string{"title"}},
		{"empty pair", func(c *Case) { c.Pairs = []Pair{{"", ""}} }, []string{"pairs[0].title", "pairs[0].value"}},
		{"history without time", func(c *Case) { c.History = []Event{{Title: "x", Status: "weird"}} }, []string{"history[0].time", "history[0].status"}},
		{"updated before created", func(c *Case) {
			c.Created, c.Updated = c.Date, c.Date.Add(-time.Hour)
		}, []string{"updated"}},
		{"date in the future", func(c *Case) { c.Date = time.Now().Add(72 * time.Hour) }, []string{"date"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCase()
			tt.change(&c)
			require.Equal(t, tt.want, fields(c.Validate()))
		})
	}
}

func TestProblemsNeverCarryTheValue(t *testing.T) {
	c := validCase()
	c.Title = "Hemlig titel " + strings.Repeat("x", MaxTitle)
	c.Link = "javascript:steal()"
	for _, p := range c.Validate() {
		require.NotContains(t, p.String(), "Hemlig")
		require.NotContains(t, p.String(), "steal")
	}
}

func TestSettleCountsInvalidCasesPerProducerAndShowsTheRest(t *testing.T) {
	good := validCase()
	bad := validCase()
	bad.ID, bad.Status = "vaxholm:2", "unknown"
	other := validCase()
	other.ID, other.Sender = "skv:1", Actor{ID: "skv", Name: "Skatteverket"}
	other.Link = "javascript:alert(1)"
	otherShown := other
	otherShown.Link = ""
	csn := Actor{ID: "csn", Name: "CSN"}

	r := Settle("hub", Actor{ID: "hub", Name: "Ärendenavet"}, Result{
		Cases:    []Case{good, bad, other},
		Outcomes: []Outcome{{Producer: csn, State: Failed, Message: "down"}},
	})
	require.Equal(t, []Case{good, otherShown}, r.Cases, "an unsafe link costs the case its link, not its place")
	require.Len(t, r.Outcomes, 3)
	byID := map[string]Outcome{}
	for _, o := range r.Outcomes {
		require.Equal(t, "hub", o.Source)
		byID[o.Producer.ID] = o
	}
	require.Equal(t, Failed, byID["csn"].State)
	require.Equal(t, Invalid, byID["vaxholm"].State)
	require.Equal(t, 1, byID["vaxholm"].Cases)
	require.Equal(t, 1, byID["vaxholm"].Rejected)
	require.Equal(t, []Problem{{Field: "cases[1].status", Reason: "not one of received, in_progress, action_required, closed"}}, byID["vaxholm"].Problems)
	require.Equal(t, OK, byID["skv"].State)
	require.Equal(t, 1, byID["skv"].Cases)
	require.Equal(t, 1, byID["skv"].Unlinked)
	require.Equal(t, []Problem{{Field: "cases[2].link", Reason: "not an https link"}}, byID["skv"].Problems)
}

func TestSettleGivesAnEmptySourceOneOutcome(t *testing.T) {
	hub := Actor{ID: "hub", Name: "Ärendenavet"}
	r := Settle("hub", hub, Result{})
	require.Empty(t, r.Cases)
	require.Equal(t, []Outcome{{Source: "hub", Producer: hub, State: OK}}, r.Outcomes)
}

func TestStatusOrder(t *testing.T) {
	require.Equal(t, 0, Received.Rank())
	require.Equal(t, 3, Closed.Rank())
	require.Equal(t, -1, Status("").Rank())
	require.False(t, Status("Received").Valid())
	require.True(t, ActionRequired.Valid())
}
