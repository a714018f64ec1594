package memory

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
)

const (
	tolvan  = "191212121212" // Skatteverket test personnummer
	agent   = "198112189876" // test personnummer
	company = "5599991006"   // fictional organisationsnummer
)

// testProducers has one producer with an e-service and one without.
const testProducers = `[
  {"id": "skv", "name": "Skatteverket", "hosts": ["etjanst.skatteverket.se"], "customerService": {"phone": "08-465 004 20"}},
  {"id": "lm", "name": "Lantmäteriet", "customerService": {"web": "https://www.lantmateriet.se"}}
]`

const testPersonas = `[
  {"number": "191212121212", "name": "Tolvan Tolvansson", "description": "Privatperson"},
  {"number": "198112189876", "name": "Johan Lindqvist", "description": "Ombud", "actsFor": ["191212121212", "5599991006"]},
  {"number": "5599991006", "name": "Exempel AB", "description": "Aktiebolag"}
]`

// testCase is a valid case of producer skv; extra members ("key": value)
// replace the base member of the same key or are added.
func testCase(id string, extra ...string) string {
	members := []string{
		`"id": "` + id + `"`, `"date": "2025-11-10T14:05:00+01:00"`, `"title": "Flyttanmälan"`,
		`"sender": {"id": "skv"}`, `"status": "received"`,
	}
	for _, e := range extra {
		key, _, _ := strings.Cut(e, ":")
		i := slices.IndexFunc(members, func(m string) bool { return strings.HasPrefix(m, key+":") })
		if i < 0 {
			members = append(members, e)
		} else {
			members[i] = e
		}
	}
	return "{" + strings.Join(members, ", ") + "}"
}

func testDoc(producers, personas, cs string) string {
	return fmt.Sprintf(`{"producers": %s, "personas": %s, "cases": %s}`, producers, personas, cs)
}

func casesOf(customer string, cs ...string) string {
	return fmt.Sprintf(`{%q: [%s]}`, customer, strings.Join(cs, ", "))
}

func mustLoad(t *testing.T, doc string, opts ...Option) *Data {
	t.Helper()
	d, err := Load(strings.NewReader(doc), opts...)
	require.NoError(t, err)
	return d
}

func TestLoadNamesEveryProblemWithItsPath(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // problems, "path: reason" (reason may be a prefix)
	}{
		{"unknown top-level field",
			`{"producers": [], "extra": 1}`,
			[]string{`document: unknown member: "extra"`}},
		{"unknown field in a case",
			testDoc(testProducers, "[]", casesOf(tolvan, testCase("a"), testCase("b", `"colour": "red"`))),
			[]string{`cases["191212121212"][1]: unknown member: "colour"`}},
		{"unknown field in a producer",
			testDoc(`[{"id": "skv", "name": "Skatteverket", "phone": "1"}]`, "[]", "{}"),
			[]string{`producers[0]: unknown member: "phone"`}},
		{"unknown field in a persona",
			testDoc("[]", `[{"number": "191212121212", "name": "T", "role": "x"}]`, "{}"),
			[]string{`personas[0]: unknown member: "role"`}},
		{"unknown producer",
			testDoc(testProducers, "[]", casesOf(tolvan, testCase("a"), testCase("b"), testCase("c"), `{"id": "d", "date": "2025-11-10T14:05:00Z", "title": "T", "sender": {"id": "x"}, "status": "closed"}`)),
			[]string{`cases["191212121212"][3].sender.id: unknown producer "x"`}},
		{"producer that is itself invalid",
			testDoc(`[{"id": "skv", "name": "", "hosts": ["https://etjanst.skatteverket.se"]}]`, "[]", casesOf(tolvan, testCase("a"))),
			[]string{"producers[0].name: required", "producers[0].hosts[0]: must be a bare host name",
				`cases["191212121212"][0].sender.id: producer "skv" is invalid (see producers)`}},
		{"bad customer number",
			testDoc(testProducers, "[]", casesOf("191212121213", testCase("a"))),
			[]string{`cases["191212121213"]: invalid identity number: check digit`}},
		{"customer listed twice in different forms",
			testDoc(testProducers, "[]", `{"191212121212": [], "19121212-1212": []}`),
			[]string{`cases["191212121212"]: same customer as cases["19121212-1212"]`}},
		{"bad persona number",
			testDoc("[]", `[{"number": "19121312-1212", "name": "T"}]`, "{}"),
			[]string{"personas[0].number: invalid identity number: not a date"}},
		{"persona without a name",
			testDoc("[]", `[{"number": "191212121212", "name": " "}]`, "{}"),
			[]string{"personas[0].name: required"}},
		{"persona listed twice",
			testDoc("[]", `[{"number": "191212121212", "name": "T"}, {"number": "19121212-1212", "name": "T"}]`, "{}"),
			[]string{"personas[1].number: same persona as personas[0]"}},
		{"mandates that cannot hold",
			testDoc("[]", `[{"number": "191212121212", "name": "T", "actsFor": ["191212121212", "198112189876", "12", "5599991006", "5599991006"]},
				{"number": "5599991006", "name": "AB"}]`, "{}"),
			[]string{"personas[0].actsFor[0]: a persona cannot act for itself",
				"personas[0].actsFor[1]: no persona in the document has this number",
				"personas[0].actsFor[2]: invalid identity number",
				"personas[0].actsFor[4]: listed twice"}},
		{"link to a host the producer does not own",
			testDoc(testProducers, "[]", casesOf(tolvan, testCase("a", `"link": "https://evil.example/arende/1"`))),
			[]string{`cases["191212121212"][0].link: host is not one of the hosts of producer "skv"`}},
		{"link from a producer without e-service",
			testDoc(testProducers, "[]", casesOf(tolvan, `{"id": "a", "date": "2025-11-10T14:05:00Z", "title": "Lagfart", "sender": {"id": "lm"}, "status": "received", "link": "https://www.lantmateriet.se/x"}`)),
			[]string{`cases["191212121212"][0].link: producer "lm" has no e-service (no hosts), so its cases cannot link`}},
		{"link that is not https is reported once, by validation",
			testDoc(testProducers, "[]", casesOf(tolvan, testCase("a", `"link": "http://etjanst.skatteverket.se/1"`))),
			[]string{`cases["191212121212"][0].link: not an https link`}},
		{"invalid case reported through validation",
			testDoc(testProducers, "[]", casesOf(tolvan, testCase("a"), `{"id": "b", "date": "2025-11-10T14:05:00Z", "title": "", "sender": {"id": "skv"}, "status": "done", "forecast": {"amount": 2, "unit": "years"}}`)),
			[]string{`cases["191212121212"][1].title: required`,
				`cases["191212121212"][1].status: not one of received, in_progress, action_required, closed`,
				`cases["191212121212"][1].forecast.unit: not one of days, weeks, months`}},
		{"sender name that contradicts the producer",
			testDoc(testProducers, "[]", casesOf(tolvan, testCase("a", `"sender": {"id": "skv", "name": "Skattmasen"}`))),
			[]string{`cases["191212121212"][0].sender.name: differs from the name of producer "skv"`}},
		{"duplicate case id",
			testDoc(testProducers, "[]", casesOf(tolvan, testCase("a"), testCase("a"))),
			[]string{`cases["191212121212"][1].id: same id as cases["191212121212"][0]`}},
		{"wrong JSON type, with the field's path",
			testDoc(testProducers, "[]", casesOf(tolvan, testCase("a", `"forecast": {"amount": "two", "unit": "days"}`))),
			[]string{`cases["191212121212"][0].forecast.amount: want an integer, got a string`}},
		{"wrong JSON type at the top level",
			`{"producers": {}, "personas": [{"number": "191212121212", "name": "T", "actsFor": "x"}]}`,
			[]string{"producers: want an array, got an object", "personas[0].actsFor: want an array, got a string"}},
		{"duplicate key",
			testDoc(testProducers, "[]", casesOf(tolvan, `{"id": "a", "date": "2025-11-10T14:05:00Z", "title": "A", "Title": "B", "sender": {"id": "skv"}, "status": "received"}`)),
			[]string{`cases["191212121212"][0].Title: key appears twice in its object`}},
		{"duplicate top-level key",
			`{"cases": {}, "cases": {}}`,
			[]string{"cases: key appears twice in its object"}},
		{"syntax error", `{"producers": [}`, []string{"document: not valid JSON (at byte 16): invalid character '}'"}},
		{"truncated", `{"producers": [`, []string{"document: empty or truncated"}},
		{"not an object", `[]`, []string{"document: want a JSON object"}},
		{"null", `null`, []string{"document: want a JSON object"}},
		{"empty", ``, []string{"document: want a JSON object"}},
		{"trailing data", `{} {}`, []string{"document: data after the top-level object"}},
		{"invalid UTF-8", "{\"personas\": [{\"number\": \"191212121212\", \"name\": \"T\xffT\"}]}", []string{"document: not valid UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Load(strings.NewReader(tt.doc))
			require.Nil(t, d)
			require.ErrorIs(t, err, ErrInvalid)
			var le *LoadError
			require.ErrorAs(t, err, &le)
			var got []string
			for _, p := range le.Problems {
				got = append(got, p.String())
			}
			for _, want := range tt.want {
				require.True(t, hasPrefix(got, want), "want a problem %q, got %q", want, got)
			}
			require.Len(t, got, len(tt.want), "no follow-up noise: %q", got)
		})
	}
}

func hasPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func TestLoadErrorSpellsOutTheFirstProblems(t *testing.T) {
	var cs []string
	for i := range shownProblems + 5 {
		cs = append(cs, testCase(fmt.Sprint(i), `"status": "done"`))
	}
	_, err := Load(strings.NewReader(testDoc(testProducers, "[]", casesOf(tolvan, cs...))))
	var le *LoadError
	require.ErrorAs(t, err, &le)
	require.Len(t, le.Problems, shownProblems+5)
	require.Contains(t, err.Error(), `cases["191212121212"][0].status: not one of`)
	require.Contains(t, err.Error(), "; and 5 more")
	require.NotContains(t, err.Error(), fmt.Sprintf(`[%d].status`, shownProblems))
}

func TestLoadFillsTheSenderNameFromTheProducer(t *testing.T) {
	d := mustLoad(t, testDoc(testProducers, "[]", casesOf(tolvan, testCase("a"), testCase("b", `"sender": {"id": "skv", "name": "Skatteverket"}`))))
	res, err := d.Overview(t.Context(), self(tolvan))
	require.NoError(t, err)
	require.Len(t, res.Cases, 2)
	for _, c := range res.Cases {
		require.Equal(t, cases.Actor{ID: "skv", Name: "Skatteverket"}, c.Sender)
	}
}

func TestLoadGivesPersonasTheirKindAndMandates(t *testing.T) {
	d := mustLoad(t, testDoc(testProducers, `[
	  {"number": "19811218-9876", "name": "Johan Lindqvist", "description": "Ombud", "actsFor": ["19121212-1212", "165599991006"]},
	  {"number": "191212121212", "name": "Tolvan Tolvansson"},
	  {"number": "5599991006", "name": "Exempel AB"}]`, "{}"))
	ps := d.Personas()
	require.Len(t, ps, 3)
	require.Equal(t, identity.Party{Number: agent, Kind: identity.Personnummer, Name: "Johan Lindqvist"}, ps[0].Party)
	require.Equal(t, "Ombud", ps[0].Description)
	require.Equal(t, identity.Organisationsnummer, ps[2].Party.Kind)
	require.Equal(t, []identity.Party{
		{Number: tolvan, Kind: identity.Personnummer, Name: "Tolvan Tolvansson"},
		{Number: company, Kind: identity.Organisationsnummer, Name: "Exempel AB"},
	}, d.Principals(agent))
}

func TestLoadRefusesADocumentOverTheCap(t *testing.T) {
	doc := testDoc(testProducers, testPersonas, casesOf(tolvan, testCase("a")))
	_, err := Load(strings.NewReader(doc), MaxBytes(int64(len(doc)-1)))
	require.ErrorIs(t, err, ErrTooLarge)
	require.NotErrorIs(t, err, ErrInvalid)

	_, err = Load(strings.NewReader(doc), MaxBytes(int64(len(doc))))
	require.NoError(t, err, "a document exactly at the cap is fine")

	_, err = Load(repeated('x', DefaultMaxBytes+1))
	require.ErrorIs(t, err, ErrTooLarge, "the default cap holds without options")
}

func repeated(b byte, n int) *bytes.Reader { return bytes.NewReader(bytes.Repeat([]byte{b}, n)) }

type failingReader struct{}

var errDisk = errors.New("disk on fire")

func (failingReader) Read([]byte) (int, error) { return 0, errDisk }

func TestLoadPassesOnReadErrors(t *testing.T) {
	_, err := Load(failingReader{})
	require.ErrorIs(t, err, errDisk)
	require.NotErrorIs(t, err, ErrInvalid)
}

func TestShiftToMovesEveryTimeByWholeDays(t *testing.T) {
	d := mustLoad(t, testDoc(testProducers, "[]", casesOf(tolvan,
		testCase("old", `"date": "2025-09-01T10:00:00+02:00"`, `"created": "2025-08-30T09:00:00+02:00"`, `"updated": "2025-09-01T10:00:00+02:00"`,
			`"history": [{"time": "2025-08-30T09:00:00+02:00", "title": "Ansökan inkom 2025-08-30"}]`),
		testCase("new", `"date": "2025-11-10T14:05:00+01:00"`, `"plannedTime": "2025-12-01T00:00:00+01:00"`,
			`"caseNumber": "BYGG 2025-000412"`, `"pairs": [{"title": "Period", "value": "2025-12-01 – 2026-02-27"}]`),
	)), ShiftTo(time.Date(2030, 6, 1, 0, 30, 0, 500, time.UTC)))
	res, err := d.Overview(t.Context(), self(tolvan))
	require.NoError(t, err)
	old, young := res.Cases[0], res.Cases[1]

	// Yesterday in the date's own zone (+01:00: already 1 June there), at
	// the date's own time of day.
	require.True(t, young.Date.Equal(time.Date(2030, 5, 31, 13, 5, 0, 0, time.UTC)), "newest date is yesterday at its own time: %v", young.Date)
	const days = 1663 // 2025-11-10 to 2030-05-31
	by := days * 24 * time.Hour
	require.True(t, young.PlannedTime.Equal(time.Date(2025, 11, 30, 23, 0, 0, 0, time.UTC).Add(by)))
	require.True(t, old.Date.Equal(time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC).Add(by)))
	require.True(t, old.Created.Equal(time.Date(2025, 8, 30, 7, 0, 0, 0, time.UTC).Add(by)))
	require.True(t, old.Updated.Equal(old.Date))
	require.True(t, old.History[0].Time.Equal(old.Created))

	// Texts move with the times: dates by the same days, lone years by the
	// years those days make (1663 days ≈ 4.55 years → 5).
	require.Equal(t, "Ansökan inkom 2030-03-20", old.History[0].Title)
	require.Equal(t, "BYGG 2030-000412", young.CaseNumber)
	require.Equal(t, "2030-06-21 – 2030-09-17", young.Pairs[0].Value)
}

func TestLoadChecksUnavailableAndGenerated(t *testing.T) {
	personas := `[{"number": "191212121212", "name": "Tolvan", "unavailable": ["nowhere"], "generatedCases": -1}]`
	_, err := Load(strings.NewReader(testDoc(testProducers, personas, casesOf(tolvan))))
	var le *LoadError
	require.ErrorAs(t, err, &le)
	require.Equal(t, []cases.Problem{
		{Field: "personas[0].unavailable[0]", Reason: `unknown producer "nowhere"`},
		{Field: "personas[0].generatedCases", Reason: "want 0 to 2000 for all personas together"},
	}, le.Problems)
}

func FuzzLoad(f *testing.F) {
	// Seeds stay small: the fuzzer minimises every new input it finds, and
	// minimising a document the size of demo.json eats the whole fuzz time.
	f.Add([]byte(richDoc()))
	f.Add([]byte(testDoc(testProducers, testPersonas, casesOf(tolvan, testCase("a", `"link": "https://etjanst.skatteverket.se/1"`)))))
	f.Add([]byte(`{"cases": {"191212121212": [{"id": "a", "Title": "x", "title": "y"}]}}`))
	f.Add([]byte(`{"producers": [], "cases": {}, "cases": {"191212121212": []}}`))
	f.Add([]byte(`{"producers": [{"id": "x", "name": "X"}, {"id": "x"}], "cases": {"19121212-1212": null}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		d, err := Load(bytes.NewReader(doc), ShiftTo(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
		if err != nil {
			require.True(t, errors.Is(err, ErrInvalid) || errors.Is(err, ErrTooLarge), "unexpected error kind: %v", err)
			var le *LoadError
			if errors.As(err, &le) {
				require.NotEmpty(t, le.Problems)
			}
			return
		}
		for _, p := range d.Personas() {
			n, kind, err := identity.ParseNumber(p.Party.Number)
			require.NoError(t, err)
			require.Equal(t, n, p.Party.Number)
			require.Equal(t, kind, p.Party.Kind)
		}
		for number, list := range d.cases {
			_, _, err := identity.ParseNumber(number)
			require.NoError(t, err)
			for _, c := range list {
				info, ok := d.dir.Lookup(c.Sender.ID)
				require.True(t, ok)
				require.Equal(t, info.Actor(), c.Sender)
				if c.Link != "" {
					require.True(t, d.dir.Allows(c.Sender.ID, c.Link))
				}
			}
		}
	})
}
