package minaarenden

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

const vaxholm = "Vaxholms stad"

// bygglov is the typical flow of a building permit at one municipality:
// customer applies → received → in_progress → action_required → received → closed.
var bygglov = []Event{
	{ID: "e1", Producer: vaxholm, Time: at("2026-09-01T09:00:00+02:00"), Type: "KOMMUN.BYGGLOV.ANSOKAN_MOTTAGEN",
		Title: "Ansökan om bygglov mottagen", Text: "Vi har tagit emot din ansökan.", CaseNumber: "BYGG-2026-00123"},
	{ID: "e2", Producer: vaxholm, Time: at("2026-09-03T10:00:00+02:00"), Type: "KOMMUN.BYGGLOV.HANDLAGGNING_PAGAR",
		Title: "Handläggning påbörjad", Text: "En handläggare har börjat.", CaseNumber: "BYGG-2026-00123"},
	{ID: "e3", Producer: vaxholm, Time: at("2026-09-10T07:30:00+02:00"), Type: "KOMMUN.BYGGLOV.KOMPLETTERING_BEGARD",
		Title: "Komplettering begärd", Text: "Vi behöver fler handlingar.", CaseNumber: "BYGG-2026-00123",
		ActionRequired: true, Deadline: day("2026-09-30"), MissingDocuments: []string{"Situationsplan", "Fasadritning"}},
	{ID: "e4", Producer: vaxholm, Time: at("2026-09-20T14:00:00+02:00"), Type: "KOMMUN.BYGGLOV.KOMPLETTERING_MOTTAGEN",
		Title: "Komplettering mottagen", CaseNumber: "BYGG-2026-00123"},
	{ID: "e5", Producer: vaxholm, Time: at("2026-10-05T08:00:00+02:00"), Type: "KOMMUN.BYGGLOV.BESLUT_FATTAT",
		Title: "Beslut fattat", Text: "Bygglov beviljat.", CaseNumber: "BYGG-2026-00123", Finished: true},
}

var bygglovRules = rulesOf(
	map[string]cases.Status{"ANSOKAN_MOTTAGEN": cases.Received, "KOMPLETTERING_MOTTAGEN": cases.Received},
	map[string]string{"KOMMUN": "Kommunärende", "KOMMUN.BYGGLOV": "Bygglov"},
)

// rulesOf is the default catalogue's texts with only the given statuses and
// titles (the same in both languages).
func rulesOf(statuses map[string]cases.Status, titles map[string]string) Rules {
	cat := *DefaultCatalogue()
	cat.Types = nil
	for _, k := range slices.Sorted(maps.Keys(statuses)) {
		cat.Types = append(cat.Types, TypeEntry{Type: k, Status: statuses[k]})
	}
	for _, k := range slices.Sorted(maps.Keys(titles)) {
		cat.Types = append(cat.Types, TypeEntry{Type: k, Title: Text{"sv": titles[k], "en": titles[k]}})
	}
	return Rules{Catalogue: &cat}
}

func TestDeriveTypicalFlow(t *testing.T) {
	tests := []struct {
		events       int // how far the flow has come
		status       cases.Status
		freeText     string
		plannedEvent string
		plannedTime  *time.Time
		pairs        []cases.Pair
		history      []cases.Status
	}{
		{events: 1, status: cases.Received, freeText: "Vi har tagit emot din ansökan."},
		{events: 2, status: cases.InProgress, freeText: "En handläggare har börjat.", history: []cases.Status{cases.Received}},
		{events: 3, status: cases.ActionRequired, freeText: "Vi behöver fler handlingar.",
			plannedEvent: "Sista dag att åtgärda", plannedTime: day("2026-09-30"),
			pairs:   []cases.Pair{{Title: "Saknade handlingar", Value: "Situationsplan, Fasadritning"}},
			history: []cases.Status{cases.Received, ""}},
		{events: 4, status: cases.Received, history: []cases.Status{cases.Received, "", cases.ActionRequired}},
		{events: 5, status: cases.Closed, freeText: "Bygglov beviljat.",
			history: []cases.Status{cases.Received, "", cases.ActionRequired, cases.Received}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("after %d events", tt.events), func(t *testing.T) {
			// The service answers newest first; the order must not matter.
			in := make([]Event, 0, tt.events)
			for i := tt.events - 1; i >= 0; i-- {
				in = append(in, bygglov[i])
			}
			got := Derive(in, bygglovRules)
			require.Len(t, got, 1)
			c := got[0]
			require.Empty(t, c.Validate())
			require.Equal(t, tt.status, c.Status)
			require.Equal(t, bygglov[tt.events-1].Time, c.Date)
			require.Equal(t, "Bygglov", c.Title)
			require.Equal(t, cases.Actor{ID: "vaxholms-stad", Name: vaxholm}, c.Sender)
			require.Equal(t, "BYGG-2026-00123", c.CaseNumber)
			require.Equal(t, tt.freeText, c.FreeText)
			require.Equal(t, tt.plannedEvent, c.PlannedEvent)
			require.Equal(t, tt.plannedTime, c.PlannedTime)
			require.Equal(t, tt.pairs, c.Pairs)
			require.Len(t, c.History, len(tt.history))
			for i, h := range c.History {
				require.Equal(t, bygglov[i].Time, h.Time, "history is oldest first")
				require.Equal(t, bygglov[i].Title, h.Title)
				require.Equal(t, bygglov[i].Text, h.Text)
				require.Equal(t, tt.history[i], h.Status)
			}
			// What the standard does not have stays empty.
			require.Empty(t, c.Link)
			require.Empty(t, c.Officer)
			require.Nil(t, c.Forecast)
			require.Empty(t, c.Category)
			require.Regexp(t, `^ma:[0-9a-f]{16}$`, c.ID)
		})
	}
}

func TestDeriveStatus(t *testing.T) {
	ev := func(typ string, action, finished bool) Event {
		return Event{ID: "x", Producer: "Skatteverket", Time: at("2026-10-01T12:00:00Z"), Type: typ, Title: "Händelse",
			ActionRequired: action, Finished: finished}
	}
	mapping := map[string]cases.Status{
		"MOTTAGEN":                   cases.Received,
		"SKV.FLYTT.MOTTAGEN":         cases.InProgress, // the full type wins over its last segment
		"SKV.DEKLARATION.GRANSKNING": cases.InProgress,
		"BESLUT":                     cases.Closed,
	}
	tests := []struct {
		name string
		ev   Event
		want cases.Status
	}{
		{"no signal: the ball is with the producer", ev("SKV.DEKLARATION.INLAMNAD", false, false), cases.InProgress},
		{"mapping by last segment", ev("SKV.DEKLARATION.MOTTAGEN", false, false), cases.Received},
		{"mapping by full type", ev("SKV.DEKLARATION.GRANSKNING", false, false), cases.InProgress},
		{"full type beats last segment", ev("SKV.FLYTT.MOTTAGEN", false, false), cases.InProgress},
		{"a segment in the middle does not match", ev("SKV.MOTTAGEN.ARKIVERAD", false, false), cases.InProgress},
		{"mapping to closed", ev("SKV.DEKLARATION.BESLUT", false, false), cases.Closed},
		{"customer must act beats mapping", ev("SKV.DEKLARATION.MOTTAGEN", true, false), cases.ActionRequired},
		{"finished beats mapping", ev("SKV.DEKLARATION.MOTTAGEN", false, true), cases.Closed},
		{"finished beats customer must act", ev("SKV.DEKLARATION.X", true, true), cases.Closed},
		{"begun by the agency asking for something", ev("SKV.DEKLARATION.BEGARAN", true, false), cases.ActionRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Derive([]Event{tt.ev}, rulesOf(mapping, nil))
			require.Len(t, got, 1)
			require.Equal(t, tt.want, got[0].Status)
		})
	}
}

func TestDeriveCaseBegunByAgency(t *testing.T) {
	e := Event{ID: "fk-1", Producer: "Försäkringskassan", Time: at("2026-10-02T08:00:00+02:00"),
		Type: "FK.BOSTADSBIDRAG.UPPGIFTER_BEGARDA", Title: "Vi behöver uppgifter om din inkomst",
		Text: "Skicka in uppgifterna senast 30 oktober.", ActionRequired: true, Deadline: day("2026-10-30")}
	got := Derive([]Event{e}, Rules{})
	require.Len(t, got, 1)
	c := got[0]
	require.Empty(t, c.Validate())
	require.Equal(t, cases.ActionRequired, c.Status)
	require.Equal(t, "Vi behöver uppgifter om din inkomst", c.Title, "no title configured: the headline")
	require.Equal(t, cases.Actor{ID: "forsakringskassan", Name: "Försäkringskassan"}, c.Sender)
	require.Equal(t, "Sista dag att åtgärda", c.PlannedEvent)
	require.Equal(t, day("2026-10-30"), c.PlannedTime)
	require.Empty(t, c.History)
	require.Empty(t, c.CaseNumber, "no diarienummer: none shown")
}

func TestDerivePlanned(t *testing.T) {
	base := Event{ID: "1", Producer: "P", Time: at("2026-10-01T12:00:00Z"), Type: "A.B.C", Title: "T", Deadline: day("2026-11-15")}
	tests := []struct {
		name  string
		edit  func(*Event)
		event string
		time  *time.Time
	}{
		{"customer must act: the last day to act", func(e *Event) { e.ActionRequired = true }, "Sista dag att åtgärda", day("2026-11-15")},
		{"ball with the producer: the date alone, no invented event", func(*Event) {}, "", day("2026-11-15")},
		{"finished: nothing is planned", func(e *Event) { e.Finished = true }, "", nil},
		{"no senastDatum: nothing", func(e *Event) { e.ActionRequired, e.Deadline = true, nil }, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			tt.edit(&e)
			c := Derive([]Event{e}, Rules{})[0]
			require.Equal(t, tt.event, c.PlannedEvent)
			require.Equal(t, tt.time, c.PlannedTime)
		})
	}
}

func TestDeriveGrouping(t *testing.T) {
	ev := func(id, producer, when, caseNumber, ref string) Event {
		return Event{ID: id, Producer: producer, Time: at(when), Type: "A.B.C", Title: "Händelse", Text: id, CaseNumber: caseNumber, Reference: ref}
	}
	tests := []struct {
		name   string
		events []Event
		want   [][]string // per case, newest case first: the event IDs, oldest first
	}{
		{"by diarienummer", []Event{
			ev("a1", "Vaxholms stad", "2026-09-01T10:00:00Z", "DNR-1", ""),
			ev("b1", "Vaxholms stad", "2026-09-02T10:00:00Z", "DNR-2", ""),
			ev("a2", "Vaxholms stad", "2026-09-03T10:00:00Z", "DNR-1", ""),
		}, [][]string{{"a1", "a2"}, {"b1"}}},
		{"the same diarienummer at two producers is two cases", []Event{
			ev("a1", "Vaxholms stad", "2026-09-01T10:00:00Z", "DNR-1", ""),
			ev("k1", "Knivsta kommun", "2026-09-02T10:00:00Z", "DNR-1", ""),
		}, [][]string{{"k1"}, {"a1"}}},
		{"without reference every event is its own case", []Event{
			ev("x1", "Skatteverket", "2026-09-01T10:00:00Z", "", ""),
			ev("x2", "Skatteverket", "2026-09-02T10:00:00Z", "", ""),
		}, [][]string{{"x2"}, {"x1"}}},
		{"another string reference groups too", []Event{
			ev("r1", "CSN", "2026-09-01T10:00:00Z", "", "arendeId=77"),
			ev("r2", "CSN", "2026-09-05T10:00:00Z", "", "arendeId=77"),
			ev("r3", "CSN", "2026-09-03T10:00:00Z", "", "arendeId=78"),
		}, [][]string{{"r1", "r2"}, {"r3"}}},
		{"an event seen twice counts once", []Event{
			ev("d1", "CSN", "2026-09-01T10:00:00Z", "DNR-9", ""),
			ev("d2", "CSN", "2026-09-02T10:00:00Z", "DNR-9", ""),
			ev("d1", "CSN", "2026-09-01T10:00:00Z", "DNR-9", ""),
		}, [][]string{{"d1", "d2"}}},
		{"a diarienummer equal to an event ID is not that event's case", []Event{
			ev("DNR-5", "CSN", "2026-09-01T10:00:00Z", "", ""),
			ev("z1", "CSN", "2026-09-02T10:00:00Z", "DNR-5", ""),
		}, [][]string{{"z1"}, {"DNR-5"}}},
		{"no events, no cases", nil, [][]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Derive(tt.events, Rules{})
			ids := make([][]string, len(got))
			for i, c := range got {
				require.Empty(t, c.Validate())
				for _, h := range c.History {
					ids[i] = append(ids[i], h.Text)
				}
				ids[i] = append(ids[i], c.FreeText) // the newest event's text
			}
			require.Equal(t, tt.want, ids)
			seen := map[string]bool{}
			for _, c := range got {
				require.False(t, seen[c.ID], "case IDs are unique")
				seen[c.ID] = true
			}
		})
	}
}

func TestDeriveIDsAreStableAndOpaque(t *testing.T) {
	a := Derive(bygglov[:2], bygglovRules)
	b := Derive(bygglov, bygglovRules)
	require.Equal(t, a[0].ID, b[0].ID, "the case keeps its ID as events arrive")
	require.NotContains(t, a[0].ID, "BYGG")

	other := bygglov[0]
	other.Producer = "Knivsta kommun"
	require.NotEqual(t, a[0].ID, Derive([]Event{other}, Rules{})[0].ID)
}

func TestDeriveTitle(t *testing.T) {
	titles := map[string]string{
		"KOMMUN":                  "Kommunärende",
		"KOMMUN.BYGGLOV":          "Bygglov",
		"KOMMUN.BYGGLOV.STRAND":   "Strandskydd",
		"KOMMUN.FORSKOLA.PLATS":   "Förskoleplats",
		"SKV.DEKLARATION.INKOMST": "Deklaration",
	}
	tests := []struct{ typ, want string }{
		{"KOMMUN.BYGGLOV.MOTTAGEN", "Bygglov"},
		{"KOMMUN.BYGGLOV.STRAND.MOTTAGEN", "Strandskydd"},
		{"KOMMUN.BYGGLOVSAVGIFT.BETALD", "Kommunärende"}, // whole segments only
		{"KOMMUN.FORSKOLA.PLATS", "Förskoleplats"},       // the full type is a prefix of itself
		{"SKV.DEKLARATION.MOTTAGEN", "Rubriken"},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			e := Event{ID: "1", Producer: "P", Time: at("2026-10-01T12:00:00Z"), Type: tt.typ, Title: "Rubriken"}
			require.Equal(t, tt.want, Derive([]Event{e}, rulesOf(nil, titles))[0].Title)
		})
	}

	// The case is named after how it began, not after its latest event.
	first := Event{ID: "1", Producer: "P", Time: at("2026-09-01T12:00:00Z"), Type: "X.Y.ANSOKAN", Title: "Ansökan om parkeringstillstånd", CaseNumber: "D1"}
	later := Event{ID: "2", Producer: "P", Time: at("2026-09-02T12:00:00Z"), Type: "X.Y.BESLUT", Title: "Beslut", CaseNumber: "D1"}
	require.Equal(t, "Ansökan om parkeringstillstånd", Derive([]Event{later, first}, Rules{})[0].Title)
}

func TestDeriveOrderAndTies(t *testing.T) {
	same := at("2026-09-01T12:00:00Z")
	events := []Event{
		{ID: "b", Producer: "P", Time: same, Type: "A.B.C", Title: "B", CaseNumber: "D", Finished: true},
		{ID: "a", Producer: "P", Time: same, Type: "A.B.C", Title: "A", CaseNumber: "D"},
		{ID: "n", Producer: "Q", Time: at("2026-09-09T12:00:00Z"), Type: "A.B.C", Title: "N"},
	}
	got := Derive(events, Rules{})
	require.Len(t, got, 2)
	require.Equal(t, "N", got[0].Title, "newest case first")
	require.Equal(t, cases.Closed, got[1].Status, "equal times: the event ID decides, the same way every time")
	require.Equal(t, got, Derive([]Event{events[2], events[1], events[0]}, Rules{}))
}

func TestDeriveHistoryIsCapped(t *testing.T) {
	var events []Event
	start := at("2026-01-01T00:00:00Z")
	for i := range cases.MaxHistory + 20 {
		events = append(events, Event{ID: fmt.Sprint(i), Producer: "P", Time: start.Add(time.Duration(i) * time.Hour),
			Type: "A.B.C", Title: fmt.Sprintf("Händelse %d", i), CaseNumber: "D"})
	}
	c := Derive(events, Rules{})[0]
	require.Empty(t, c.Validate(), "a long-lived case is still shown")
	require.Len(t, c.History, cases.MaxHistory)
	require.Equal(t, "Händelse 0", c.Title, "the title still comes from the oldest event")
	require.Equal(t, fmt.Sprintf("Händelse %d", cases.MaxHistory+18), c.History[len(c.History)-1].Title, "the most recent history is kept")
}

func TestProducerSlug(t *testing.T) {
	tests := []struct{ name, id string }{
		{"Skatteverket", "skatteverket"},
		{"Söderköpings kommun", "soderkopings-kommun"},
		{"Ärla församling", "arla-forsamling"},
		{"  Region   Östergötland ", "region-ostergotland"},
		{"Café & Bibliotek Å", "cafe-bibliotek-a"},
		{"Kommun 2 (Norr)", "kommun-2-norr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Producer(tt.name)
			require.Equal(t, tt.id, a.ID)
			require.Equal(t, tt.name, a.Name)
		})
	}
	greek := Producer("Δήμος Αθηναίων")
	require.Regexp(t, regexp.MustCompile(`^producent-[0-9a-f]{8}$`), greek.ID, "a name without Latin letters still gets a stable, URL-safe ID")
	require.Equal(t, greek.ID, Producer("Δήμος Αθηναίων").ID)
	require.NotEqual(t, greek.ID, Producer("Δήμος Πειραιά").ID)
}

// BenchmarkDerive is a full overview: 1000 events (5 pages of 200) in 200 cases.
func BenchmarkDerive(b *testing.B) {
	var events []Event
	start := at("2026-01-01T00:00:00Z")
	for i := range 1000 {
		events = append(events, Event{ID: fmt.Sprint(i), Producer: fmt.Sprintf("Kommun %d", i%20), Time: start.Add(time.Duration(i) * time.Hour),
			Type: "KOMMUN.BYGGLOV.MOTTAGEN", Title: "Händelse", Text: "Text", CaseNumber: fmt.Sprintf("D-%d", i%200)})
	}
	b.ReportAllocs()
	for b.Loop() {
		Derive(events, bygglovRules)
	}
}
