package preferences

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/listing"
)

func TestDefaultShowsEverythingNewestFirst(t *testing.T) {
	d := Default()
	require.NoError(t, d.Validate())
	require.Equal(t, listing.ByDate, d.Sort)
	require.True(t, d.Descending)
	require.True(t, d.ShowClosed)
	require.Empty(t, d.HiddenActors)
	require.Equal(t, NotifyAll, d.Notify.Mode)
}

func TestValidateNamesEveryProblem(t *testing.T) {
	long := strings.Repeat("a", MaxActorID+1)
	many := make([]string, MaxActors+1)
	for i := range many {
		many[i] = "actor" + strings.Repeat("x", i%7) + string(rune('a'+i%26))
	}
	tests := []struct {
		name   string
		change func(*Preferences)
		want   []cases.Problem
	}{
		{"default", func(*Preferences) {}, nil},
		{"every sort key", func(p *Preferences) { p.Sort = listing.ByStatus }, nil},
		{"hidden and notified actors", func(p *Preferences) {
			p.HiddenActors = []string{"skatteverket", "csn"}
			p.Notify = Notify{Mode: NotifyActors, Actors: []string{"vaxholm", "fk.se"}}
		}, nil},
		{"only action required", func(p *Preferences) { p.Notify.Mode = NotifyActionRequired }, nil},
		{"empty sort", func(p *Preferences) { p.Sort = "" }, []cases.Problem{{Field: "sort", Reason: "must be date, sender, status or title"}}},
		{"unknown sort", func(p *Preferences) { p.Sort = "colour" }, []cases.Problem{{Field: "sort", Reason: "must be date, sender, status or title"}}},
		{"bad actor IDs", func(p *Preferences) { p.HiddenActors = []string{"ok", "", "a b", long, "<script>"} }, []cases.Problem{
			{Field: "hiddenActors[1]", Reason: "actor IDs are letters, digits, '-', '_' and '.', at most 100 characters"},
			{Field: "hiddenActors[2]", Reason: "actor IDs are letters, digits, '-', '_' and '.', at most 100 characters"},
			{Field: "hiddenActors[3]", Reason: "actor IDs are letters, digits, '-', '_' and '.', at most 100 characters"},
			{Field: "hiddenActors[4]", Reason: "actor IDs are letters, digits, '-', '_' and '.', at most 100 characters"},
		}},
		{"duplicate hidden actor", func(p *Preferences) { p.HiddenActors = []string{"csn", "skv", "csn"} }, []cases.Problem{{Field: "hiddenActors[2]", Reason: "listed twice"}}},
		{"too many hidden actors", func(p *Preferences) { p.HiddenActors = many }, []cases.Problem{{Field: "hiddenActors", Reason: "more than 100 actors"}}},
		{"unknown notify mode", func(p *Preferences) { p.Notify.Mode = "sometimes" }, []cases.Problem{{Field: "notify.mode", Reason: "must be all, actors or action_required"}}},
		{"actors mode without actors", func(p *Preferences) { p.Notify = Notify{Mode: NotifyActors} }, []cases.Problem{{Field: "notify.actors", Reason: "required with mode actors"}}},
		{"actors with another mode", func(p *Preferences) { p.Notify = Notify{Mode: NotifyAll, Actors: []string{"csn"}} }, []cases.Problem{{Field: "notify.actors", Reason: "only allowed with mode actors"}}},
		{"bad notified actor", func(p *Preferences) { p.Notify = Notify{Mode: NotifyActors, Actors: []string{"csn", "c/sn"}} }, []cases.Problem{
			{Field: "notify.actors[1]", Reason: "actor IDs are letters, digits, '-', '_' and '.', at most 100 characters"},
		}},
		{"several at once", func(p *Preferences) { p.Sort = "x"; p.Notify.Mode = "" }, []cases.Problem{
			{Field: "sort", Reason: "must be date, sender, status or title"},
			{Field: "notify.mode", Reason: "must be all, actors or action_required"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Default()
			tt.change(&p)
			err := p.Validate()
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.want, ve.Problems)
			require.NotContains(t, err.Error(), "<script>")
		})
	}
}

func testCase(id, sender string, status cases.Status, date time.Time) cases.Case {
	return cases.Case{ID: id, Date: date, Title: "Ärende " + id, Sender: cases.Actor{ID: sender, Name: sender}, Status: status}
}

func TestQuerySetsSortAndClosedScopeButLetsTheRequestWin(t *testing.T) {
	p := Default()
	p.Sort, p.Descending, p.ShowClosed = listing.BySender, false, false

	q := p.Query(listing.Default())
	require.Equal(t, listing.BySender, q.Sort)
	require.False(t, q.Descending)
	require.Equal(t, listing.OpenOnly, q.Scope)

	// A user who asks for closed cases on one request still gets them.
	asked, err := listing.Parse(map[string][]string{"scope": {"closed"}}, q)
	require.NoError(t, err)
	require.Equal(t, listing.ClosedOnly, asked.Scope)
	require.Equal(t, listing.BySender, asked.Sort)

	// Showing closed cases leaves a portal's narrower default alone.
	base := listing.Default()
	base.Scope = listing.OpenOnly
	require.Equal(t, listing.OpenOnly, Default().Query(base).Scope)
	require.Equal(t, listing.All, Default().Query(listing.Default()).Scope)
}

func TestApplyDropsHiddenActorsOnly(t *testing.T) {
	now := time.Now()
	cs := []cases.Case{
		testCase("skv:1", "skv", cases.Closed, now),
		testCase("csn:1", "csn", cases.InProgress, now),
		testCase("skv:2", "skv", cases.Received, now),
		testCase("vaxholm:1", "vaxholm", cases.Closed, now),
	}
	p := Default()
	require.Equal(t, cs, p.Apply(cs))

	p.HiddenActors = []string{"skv"}
	got := p.Apply(cs)
	require.Equal(t, []cases.Case{cs[1], cs[3]}, got)

	// Together with the listing, closed cases go only when the customer said so.
	p.ShowClosed = false
	shown := listing.Apply(p.Apply(cs), p.Query(listing.Default()))
	require.Equal(t, []cases.Case{cs[1]}, shown)
}

func TestNotifyWants(t *testing.T) {
	tests := []struct {
		notify Notify
		actor  string
		status cases.Status
		want   bool
	}{
		{Notify{Mode: NotifyAll}, "csn", cases.InProgress, true},
		{Notify{Mode: NotifyActors, Actors: []string{"skv"}}, "skv", cases.Closed, true},
		{Notify{Mode: NotifyActors, Actors: []string{"skv"}}, "csn", cases.ActionRequired, false},
		{Notify{Mode: NotifyActionRequired}, "csn", cases.ActionRequired, true},
		{Notify{Mode: NotifyActionRequired}, "csn", cases.Received, false},
		{Notify{Mode: "unknown"}, "csn", cases.ActionRequired, false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.notify.Wants(tt.actor, tt.status), "%+v %s %s", tt.notify, tt.actor, tt.status)
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   Preferences
		reason string // in the error; empty means success
	}{
		{"empty object is the default", `{}`, Default(), ""},
		{"full", `{"sort":"title","descending":false,"hiddenActors":["csn"],"showClosed":false,"notify":{"mode":"actors","actors":["skv"]}}`,
			Preferences{Sort: listing.ByTitle, HiddenActors: []string{"csn"}, Notify: Notify{Mode: NotifyActors, Actors: []string{"skv"}}}, ""},
		{"discreet", `{"discreet":true}`, Preferences{Sort: listing.ByDate, Descending: true, ShowClosed: true, Notify: Notify{Mode: NotifyAll}, Discreet: true}, ""},
		{"partial keeps defaults", `{"sort":"status"}`, Preferences{Sort: listing.ByStatus, Descending: true, ShowClosed: true, Notify: Notify{Mode: NotifyAll}}, ""},
		{"unknown member", `{"sort":"date","199001012385":true}`, Preferences{}, "unknown member"},
		{"wrong type", `{"descending":"199001012385"}`, Preferences{}, "descending: want true or false, got a string"},
		{"not an object", `["date"]`, Preferences{}, "want an object, got an array"},
		{"syntax", `{"sort":`, Preferences{}, "empty or truncated"},
		{"garbage", `{"sort" "x"}`, Preferences{}, "not valid JSON (at byte 9)"},
		{"trailing data", `{} {}`, Preferences{}, "data after the JSON value"},
		{"member given twice", `{"hiddenActors":["csn"],"hiddenActors":[]}`, Preferences{}, "a member given twice in its object (at byte 38)"},
		{"member given twice in another case", `{"notify":{"mode":"all","Mode":"199001012385"}}`, Preferences{}, "a member given twice in its object"},
		{"empty", ``, Preferences{}, "empty or truncated"},
		{"invalid UTF-8", "{\"sort\":\"\xff\"}", Preferences{}, "not valid UTF-8"},
		{"does not validate", `{"sort":"colour"}`, Preferences{}, "sort: must be date, sender, status or title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.in))
			if tt.reason == "" {
				require.NoError(t, err)
				require.Equal(t, tt.want, got)
				return
			}
			require.ErrorIs(t, err, ErrInvalid)
			require.Contains(t, err.Error(), tt.reason)
			require.NotContains(t, err.Error(), "199001012385")
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{}`, `{"sort":"sender","hiddenActors":["a","b"]}`, `{"notify":{"mode":"actors","actors":["x"]}}`, `[`, `{"x":1}`, "\xff", `{"sort":"date","sort":"title"}`, `{"notify":{"actors":[],"Actors":["x"]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("decoded preferences do not validate: %v", err)
		}
		again, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Decode(again)
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		require.Equal(t, p, back)
	})
}

// TestRedactKeepsThePlacesButNoProducerText: discreet mode keeps sender,
// status and dates and leaves every text the producer wrote out of the
// case, so none of it can reach a page.
func TestRedactKeepsThePlacesButNoProducerText(t *testing.T) {
	date := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	planned := date.Add(48 * time.Hour)
	c := cases.Case{
		ID: "skv:1", Date: date, Title: "Skuld hos Kronofogden", Sender: cases.Actor{ID: "skv", Name: "Skatteverket"},
		Status: cases.ActionRequired, Forecast: &cases.Forecast{Amount: 3, Unit: cases.Days}, CaseNumber: "131-4711-26",
		Category: "Skuldsanering", Payment: cases.PaymentPending, Officer: "Eva Handläggare", FreeText: "Din skuld är 12 000 kr",
		PlannedEvent: "Möte om skulden", PlannedTime: &planned, Pairs: []cases.Pair{{Title: "Belopp", Value: "12 000 kr"}},
		Link: "https://skatteverket.se/e", Lang: "sv", Created: date, Updated: date,
		History: []cases.Event{{Time: date, Title: "Ansökan inkom", Text: "Om skulden"}},
	}
	got := Redact(c, "Dolt ärende")
	require.Equal(t, cases.Case{
		ID: "skv:1", Date: date, Title: "Dolt ärende", Sender: c.Sender, Status: cases.ActionRequired, Forecast: c.Forecast,
		Payment: cases.PaymentPending, PlannedTime: &planned, Link: c.Link, Created: date, Updated: date,
	}, got)
	require.Equal(t, "Skuld hos Kronofogden", c.Title, "the original is not changed")
}
