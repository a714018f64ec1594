package widget_test

import (
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/cases"
)

// datedCases are cases around today: a deadline in nine days (a date, as
// producers send deadlines: midnight in Sweden), a meeting at 10.30 in
// twenty days, and two dates no calendar wants: a closed case's and a
// deadline that has passed.
func datedCases(t *testing.T) (deadline, meeting time.Time, all []cases.Case) {
	t.Helper()
	sweden, err := time.LoadLocation("Europe/Stockholm")
	require.NoError(t, err)
	today := time.Now().In(sweden)
	deadline = time.Date(today.Year(), today.Month(), today.Day()+9, 0, 0, 0, 0, sweden)
	meeting = time.Date(today.Year(), today.Month(), today.Day()+20, 10, 30, 0, 0, sweden)
	passed := time.Date(today.Year(), today.Month(), today.Day()-3, 0, 0, 0, 0, sweden)
	received := today.AddDate(0, 0, -5)
	all = []cases.Case{
		{ID: "vax-1", Date: received, Title: "Bygglov för carport, garage; förråd", Sender: vaxholm, Status: cases.ActionRequired,
			PlannedEvent: "Komplettera ritningarna", PlannedTime: &deadline},
		{ID: "skv-1", Date: received, Title: "Ansökan om F-skatt", Sender: skatteverket, Status: cases.InProgress,
			PlannedEvent: "Möte med handläggaren", PlannedTime: &meeting},
		{ID: "fk-1", Date: received, Title: "Föräldrapenning", Sender: fk, Status: cases.Closed, PlannedTime: &meeting},
		{ID: "fk-2", Date: received, Title: "Överklagande", Sender: fk, Status: cases.ActionRequired, PlannedEvent: "Skicka intyg", PlannedTime: &passed},
	}
	return deadline, meeting, all
}

// catchCalendar makes the page keep the next file the element hands over
// (in globalThis.calendar, with its name) instead of downloading it. It
// runs in the page's own world, where the element makes the file.
func catchCalendar(p *page) {
	mainAs[any](p, `(() => {
		globalThis.calendar = null;
		const make = URL.createObjectURL;
		URL.createObjectURL = (blob) => { globalThis.blob = blob; return make.call(URL, blob) };
		const keep = async (event) => {
			const link = event.composedPath()[0];
			if (!(link instanceof HTMLAnchorElement) || !link.download) return;
			event.preventDefault();
			document.removeEventListener("click", keep, { capture: true });
			globalThis.calendar = { name: link.download, type: globalThis.blob.type, text: await globalThis.blob.text() };
		};
		document.addEventListener("click", keep, { capture: true });
	})()`)
}

type calendarFile struct {
	Name, Type, Text string
}

func caughtCalendar(t *testing.T, p *page) (calendarFile, *ics.Calendar) {
	t.Helper()
	var got calendarFile
	require.Eventually(t, func() bool {
		got = mainAs[calendarFile](p, `globalThis.calendar ?? {}`)
		return got.Text != ""
	}, 20*time.Second, 100*time.Millisecond, "the element hands over a file")
	require.True(t, strings.HasSuffix(got.Text, "\r\n"), "content lines end in CRLF")
	for line := range strings.SplitSeq(strings.TrimSuffix(got.Text, "\r\n"), "\r\n") {
		require.LessOrEqual(t, len(line), 75, "a content line is folded at 75 octets: %q", line)
	}
	calendar, err := ics.ParseCalendar(strings.NewReader(got.Text))
	require.NoError(t, err, "a real iCalendar parser reads the file:\n%s", got.Text)
	return got, calendar
}

func property(t *testing.T, component interface {
	GetProperty(ics.ComponentProperty) *ics.IANAProperty
}, name ics.ComponentProperty) string {
	t.Helper()
	p := component.GetProperty(name)
	require.NotNil(t, p, "%s is there", name)
	return p.Value
}

// TestDatesGoToTheCalendar: the user downloads the open cases' dates that
// are still ahead as an iCalendar file, or one case's from its detail: a
// deadline as a whole day ("Sista dag: …"), a planned event at its time,
// each with the producer, the case and a reminder, in the user's language.
// A real parser reads it back, escaped text intact. The file is made in
// the browser: the overview is not asked again.
func TestDatesGoToTheCalendar(t *testing.T) {
	deadline, meeting, all := datedCases(t)
	f := newFixture(t, world{cases: all}, kit.View{})

	p := open(t, f.url("/page", pageOpts{lang: "sv"}), 0)
	p.ready()
	calls := f.apiCalls.Load()
	require.Equal(t, "Alla datum till kalendern", p.text("button.calendar-all"))
	catchCalendar(p)
	p.click("button.calendar-all")
	file, calendar := caughtCalendar(t, p)
	require.Equal(t, "arenden.ics", file.Name)
	require.Equal(t, "text/calendar;charset=utf-8", file.Type)
	events := calendar.Events()
	require.Len(t, events, 2, "the closed case's date and the passed deadline stay out")

	first, second := events[0], events[1]
	require.Equal(t, "Sista dag: Komplettera ritningarna", property(t, first, ics.ComponentPropertySummary))
	require.Equal(t, "Ärende hos Vaxholms stad: Bygglov för carport, garage; förråd", property(t, first, ics.ComponentPropertyDescription))
	require.Contains(t, strings.ReplaceAll(file.Text, "\r\n ", ""), `Bygglov för carport\, garage\; förråd`, "TEXT escapes commas and semicolons (RFC 5545 3.3.11)")
	day, err := first.GetAllDayStartAt()
	require.NoError(t, err)
	require.Equal(t, deadline.Format(time.DateOnly), day.Format(time.DateOnly), "the deadline is its whole day in Sweden")
	require.Equal(t, []string{"DATE"}, first.GetProperty(ics.ComponentPropertyDtStart).ICalParameters["VALUE"])
	alarms := first.Alarms()
	require.Len(t, alarms, 1)
	require.Equal(t, "-P1D", property(t, alarms[0], ics.ComponentPropertyTrigger), "a reminder the day before")
	require.Equal(t, "DISPLAY", property(t, alarms[0], ics.ComponentPropertyAction))

	require.Equal(t, "Möte med handläggaren", property(t, second, ics.ComponentPropertySummary))
	start, err := second.GetStartAt()
	require.NoError(t, err)
	require.True(t, start.Equal(meeting), "the planned event at its time: %s, want %s", start, meeting)
	require.NotEqual(t, property(t, first, ics.ComponentPropertyUniqueId), property(t, second, ics.ComponentPropertyUniqueId))
	require.Equal(t, calls, f.apiCalls.Load(), "the file is made from the cases the element has")

	// One case's date, from its detail, in English.
	p = open(t, f.url("/page", pageOpts{lang: "en"}), 0)
	p.ready()
	p.eval(title("Ansökan om F-skatt") + `.click()`)
	require.Equal(t, "Add to calendar", p.text(`.case-detail button[data-action="calendar"]`))
	require.Equal(t, 0, evalAs[int](p, `[...`+sr+`.querySelectorAll(".case-detail button[data-action=calendar]")].filter((b) => b.closest("tr").previousElementSibling.textContent.includes("Föräldrapenning")).length`))
	catchCalendar(p)
	p.click(`.case-detail button[data-action="calendar"]`)
	file, calendar = caughtCalendar(t, p)
	require.Equal(t, "cases.ics", file.Name)
	require.Len(t, calendar.Events(), 1)
	require.Equal(t, "Möte med handläggaren", property(t, calendar.Events()[0], ics.ComponentPropertySummary))
	require.Equal(t, "Case with Skatteverket: Ansökan om F-skatt", property(t, calendar.Events()[0], ics.ComponentPropertyDescription))
	require.Equal(t, "-PT2H", property(t, calendar.Events()[0].Alarms()[0], ics.ComponentPropertyTrigger))
}

// TestCalendarButtonOnlyWithJavaScript: the server-rendered overview has
// no calendar button (it would do nothing without JavaScript); the element
// adds one to the detail of each server-rendered case with a date ahead.
func TestCalendarButtonOnlyWithJavaScript(t *testing.T) {
	_, _, all := datedCases(t)
	f := newFixture(t, world{cases: all}, kit.View{})
	p := open(t, f.url("/ssr", pageOpts{lang: "sv"}), 0)
	p.waitFor(`document.querySelector("arendevy-overview .case-row") != null`)
	require.Zero(t, mainAs[int](p, `document.querySelectorAll("arendevy-overview [data-action=calendar]").length`))

	p = open(t, f.url("/ssr", pageOpts{lang: "sv", script: true}), 0)
	p.ready()
	p.eval(title("Bygglov för carport, garage; förråd") + `.click()`)
	require.Equal(t, "Lägg till i kalendern", p.text(`.case-detail button[data-action="calendar"]`))
	catchCalendar(p)
	p.click(`.case-detail button[data-action="calendar"]`)
	_, calendar := caughtCalendar(t, p)
	require.Len(t, calendar.Events(), 1)
	require.Equal(t, "Sista dag: Komplettera ritningarna", property(t, calendar.Events()[0], ics.ComponentPropertySummary))
}
