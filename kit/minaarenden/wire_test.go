package minaarenden

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
)

const customer = "199009090000"

// answer builds a forwarding-service answer for customer with the given events.
func answer(total int, events ...string) []byte {
	return []byte(`{"kundhandelser":[{"part":{"kund":{"identifierare":"` + customer + `","typ":"Personnummer"}},` +
		`"totaltAntalKundhandelser":` + itoa(total) + `,"kundhandelserForPart":[` + strings.Join(events, ",") + `]}],` +
		`"metadata":{"onskatSprak":"sv"},"delfragor":[{"producent":"Vaxholms stad","status":"OK","httpCode":200}]}`)
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// event is a valid event with fields replaced or removed (nil) by edits.
func event(edits map[string]any) string {
	e := map[string]any{
		"kundhandelseId":                   "VAX-1",
		"rubrik":                           "Komplettering begärd",
		"beskrivning":                      "Vi behöver en situationsplan.",
		"sprak":                            "sv",
		"producent":                        "Vaxholms stad",
		"tidpunkt":                         "2026-09-10T07:30:00+02:00",
		"kundhandelseTyp":                  "KOMMUN.BYGGLOV.KOMPLETTERING_BEGARD",
		"producentarendetKraverKundatgard": true,
		"producentarendetKlart":            false,
		"version":                          "6.1",
		"utokadInformation":                map[string]any{"senastDatum": "2026-09-30", "saknadeHandlingar": []string{"Situationsplan"}},
		"referenser":                       map[string]any{"diarienummer": "BYGG-2026-00123"},
		"taggar":                           []string{"kundatgard"},
	}
	for k, v := range edits {
		if v == nil {
			delete(e, k)
		} else {
			e[k] = v
		}
	}
	b, err := json.Marshal(e)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestDecodePageReadsEvents(t *testing.T) {
	p, err := decodePage(answer(2, event(nil), event(map[string]any{"kundhandelseId": "VAX-0", "producentarendetKraverKundatgard": false,
		"tidpunkt": "2026-09-01T09:00:00.250Z", "utokadInformation": nil, "referenser": nil})), identifier{Identifierare: customer}, 0)
	require.NoError(t, err)
	require.Empty(t, p.broken)
	require.Equal(t, 2, p.count)
	require.True(t, p.hasTotal)
	require.Equal(t, 2, p.total)
	require.Equal(t, []subquery{{Producent: "Vaxholms stad", Status: "OK", HTTPCode: 200}}, p.subs)
	require.Equal(t, Event{
		ID: "VAX-1", Producer: "Vaxholms stad", Time: at("2026-09-10T07:30:00+02:00"),
		Type: "KOMMUN.BYGGLOV.KOMPLETTERING_BEGARD", Title: "Komplettering begärd", Text: "Vi behöver en situationsplan.", Lang: "sv", Tags: []string{"kundatgard"},
		ActionRequired: true, CaseNumber: "BYGG-2026-00123", Deadline: day("2026-09-30"), MissingDocuments: []string{"Situationsplan"},
	}, p.events[0])
	require.Equal(t, "VAX-0", p.events[1].ID)
	require.Equal(t, at("2026-09-01T09:00:00.250Z"), p.events[1].Time, "fractional seconds are RFC 3339 too")
	require.Empty(t, p.events[1].CaseNumber)
	require.Nil(t, p.events[1].Deadline)
}

func TestDecodePageRejectsEnvelope(t *testing.T) {
	secret := "HEMLIG-ARENDETEXT"
	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty", ``, "empty or truncated"},
		{"truncated", string(answer(1, event(map[string]any{"rubrik": secret})))[:180], "empty or truncated"},
		{"not JSON", `<html>` + secret + `</html>`, "not valid JSON (at byte 1)"},
		{"top level array", `[{"kundhandelser":[]}]`, "want an object, got an array"},
		{"kundhandelser of the wrong type", `{"kundhandelser":"` + secret + `"}`, "kundhandelser: want an array, got a string"},
		{"total of the wrong type", `{"kundhandelser":[{"part":{"kund":{"identifierare":"` + customer + `"}},"totaltAntalKundhandelser":"` + secret + `"}]}`, "kundhandelser.totaltAntalKundhandelser: want an integer, got a string"},
		{"no kundhandelser", `{"message":"` + secret + `"}`, "no kundhandelser"},
		{"null kundhandelser", `{"kundhandelser":null}`, "no kundhandelser"},
		{"another party", strings.Replace(string(answer(1, event(nil))), customer, "198001010101", 1), "not asked about"},
		{"no party echoed", `{"kundhandelser":[{"totaltAntalKundhandelser":0,"kundhandelserForPart":[]}]}`, "not asked about"},
		{"negative total", string(answer(-1)), "negative"},
		{"invalid UTF-8", strings.Replace(string(answer(1, event(nil))), "begärd", "beg\xe4rd", 1), "not valid UTF-8"},
		{"deeply nested", `{"kundhandelser":[{"part":{"kund":{"identifierare":"` + customer + `"}},"kundhandelserForPart":[{"utokadInformation":` +
			strings.Repeat(`[`, 20000) + strings.Repeat(`]`, 20000) + `}]}]}`, "nested too deeply"},
		{"trailing garbage", string(answer(0)) + `{"x":1}`, "not valid JSON (at byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodePage([]byte(tt.body), identifier{Identifierare: customer}, 0)
			require.ErrorIs(t, err, cases.ErrInvalidResponse)
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), secret, "the error quotes nothing of the body")
			require.NotContains(t, err.Error(), "198001010101")
		})
	}
}

func TestDecodePageOrganisationEcho(t *testing.T) {
	for _, echo := range []string{"5560360793", "165560360793", "556036-0793"} {
		body := `{"kundhandelser":[{"part":{"kund":{"identifierare":"` + echo + `","typ":"Organisationsnummer"}},"kundhandelserForPart":[]}]}`
		_, err := decodePage([]byte(body), identifier{Identifierare: "165560360793"}, 0)
		require.NoError(t, err, echo)
	}
}

func TestDecodePageKeepsGoodEventsNextToBrokenOnes(t *testing.T) {
	tests := []struct {
		name     string
		event    string
		producer string
		problems []cases.Problem
	}{
		{"no tidpunkt", event(map[string]any{"tidpunkt": nil}), "Vaxholms stad",
			[]cases.Problem{{Field: "kundhandelser[0].kundhandelserForPart[11].tidpunkt", Reason: "required"}}},
		{"tidpunkt not RFC 3339", event(map[string]any{"tidpunkt": "10 september 2026"}), "Vaxholms stad",
			[]cases.Problem{{Field: "kundhandelser[0].kundhandelserForPart[11].tidpunkt", Reason: "not an RFC 3339 time"}}},
		{"type of two parts", event(map[string]any{"kundhandelseTyp": "KOMMUN.BYGGLOV"}), "Vaxholms stad",
			[]cases.Problem{{Field: "kundhandelser[0].kundhandelserForPart[11].kundhandelseTyp", Reason: "not a dotted type of at least three parts"}}},
		{"empty type segment", event(map[string]any{"kundhandelseTyp": "KOMMUN..MOTTAGEN"}), "Vaxholms stad",
			[]cases.Problem{{Field: "kundhandelser[0].kundhandelserForPart[11].kundhandelseTyp", Reason: "not a dotted type of at least three parts"}}},
		{"rubrik a number", event(map[string]any{"rubrik": 42}), "Vaxholms stad", []cases.Problem{
			{Field: "kundhandelser[0].kundhandelserForPart[11].rubrik", Reason: "want a string, got a number"},
			{Field: "kundhandelser[0].kundhandelserForPart[11].rubrik", Reason: "required"}}},
		{"flag a string", event(map[string]any{"producentarendetKlart": "ja"}), "Vaxholms stad",
			[]cases.Problem{{Field: "kundhandelser[0].kundhandelserForPart[11].producentarendetKlart", Reason: "want true or false, got a string"}}},
		{"no ID and blank headline", event(map[string]any{"kundhandelseId": nil, "rubrik": "  "}), "Vaxholms stad", []cases.Problem{
			{Field: "kundhandelser[0].kundhandelserForPart[11].kundhandelseId", Reason: "required"},
			{Field: "kundhandelser[0].kundhandelserForPart[11].rubrik", Reason: "required"}}},
		{"producer unreadable", event(map[string]any{"producent": []int{1}}), "", []cases.Problem{
			{Field: "kundhandelser[0].kundhandelserForPart[11].producent", Reason: "want a string, got an array"},
			{Field: "kundhandelser[0].kundhandelserForPart[11].producent", Reason: "required"}}},
		{"null", `null`, "", []cases.Problem{{Field: "kundhandelser[0].kundhandelserForPart[11]", Reason: "not a JSON object"}}},
		{"a string", `"VAX-1"`, "", []cases.Problem{{Field: "kundhandelser[0].kundhandelserForPart[11]", Reason: "not a JSON object"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := event(map[string]any{"kundhandelseId": "VAX-2"})
			p, err := decodePage(answer(2, tt.event, good), identifier{Identifierare: customer}, 11)
			require.NoError(t, err)
			require.Equal(t, 2, p.count)
			require.Len(t, p.events, 1)
			require.Equal(t, "VAX-2", p.events[0].ID)
			require.Equal(t, []brokenEvent{{producer: tt.producer, problems: tt.problems}}, p.broken)
		})
	}
}

func TestReferences(t *testing.T) {
	tests := []struct {
		raw             string
		caseNumber, ref string
	}{
		{`{"diarienummer":"BYGG-1"}`, "BYGG-1", ""},
		{`{"Diarienummer":" BYGG-1 "}`, "BYGG-1", ""},
		{`{"arendeId":"77","diarienummer":"BYGG-1"}`, "BYGG-1", ""},
		{`{"zeta":"2","arendeId":"77"}`, "", "arendeId=77"},
		{`{"diarienummer":17,"arendeId":"77"}`, "", "arendeId=77"},
		{`{"diarienummer":""}`, "", ""},
		{`{"lista":["a"]}`, "", ""},
		{`["BYGG-1"]`, "", ""},
		{`"BYGG-1"`, "", ""},
		{``, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			cn, ref := references(json.RawMessage(tt.raw))
			require.Equal(t, tt.caseNumber, cn)
			require.Equal(t, tt.ref, ref)
		})
	}
}

func TestExtension(t *testing.T) {
	tests := []struct {
		raw      string
		deadline string // RFC 3339, or empty
		missing  []string
	}{
		{`{"senastDatum":"2026-09-30","saknadeHandlingar":["Situationsplan","Fasadritning"]}`, "2026-09-30T00:00:00Z", []string{"Situationsplan", "Fasadritning"}},
		{`{"senastDatum":"2026-09-30T16:00:00+02:00"}`, "2026-09-30T16:00:00+02:00", nil},
		{`{"senastDatum":"30/9"}`, "", nil},
		{`{"senastDatum":20260930}`, "", nil},
		{`{"saknadeHandlingar":"Intyg"}`, "", []string{"Intyg"}},
		{`{"saknadeHandlingar":["Intyg"," ",""]}`, "", []string{"Intyg"}},
		{`{"saknadeHandlingar":[{"namn":"Intyg"}]}`, "", nil},
		{`[1,2]`, "", nil},
		{``, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			d, m := extension(json.RawMessage(tt.raw))
			if tt.deadline == "" {
				require.Nil(t, d)
			} else {
				require.NotNil(t, d)
				require.True(t, at(tt.deadline).Equal(*d), d.String())
			}
			require.Equal(t, tt.missing, m)
		})
	}
}

// FuzzDecodePage feeds arbitrary bodies to the decoder: it must never panic,
// must accept only valid UTF-8, and whatever it accepts must derive into
// cases without panicking and with every event attributed to a producer.
func TestDecodePageRefusesMembersGivenTwice(t *testing.T) {
	for name, body := range map[string]string{
		"a second list of events":            strings.Replace(string(answer(1, event(nil))), `"delfragor":`, `"kundhandelser":[],"delfragor":`, 1),
		"a producer given twice in an event": string(answer(1, strings.Replace(event(nil), `"rubrik":`, `"producent":"199001012385","rubrik":`, 1))),
		"in another case":                    string(answer(1, strings.Replace(event(nil), `"rubrik":`, `"Producent":"199001012385","rubrik":`, 1))),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decodePage([]byte(body), identifier{Identifierare: customer}, 0)
			require.ErrorIs(t, err, cases.ErrInvalidResponse)
			require.Contains(t, err.Error(), "a member given twice in its object")
			require.NotContains(t, err.Error(), "199001012385")
			require.NotContains(t, err.Error(), "producent", "the member is not named: it is the answer's word")
		})
	}
}

func FuzzDecodePage(f *testing.F) {
	f.Add(answer(2, event(nil), event(map[string]any{"kundhandelseId": "VAX-2", "producentarendetKlart": true})))
	f.Add(answer(1, event(map[string]any{"tidpunkt": "igår"}), `null`, `7`))
	f.Add(answer(1, event(map[string]any{"referenser": []string{"x"}, "utokadInformation": "x"})))
	f.Add([]byte(`{"kundhandelser":[],"delfragor":[{"producent":"CSN","status":"FEL","httpCode":504}]}`))
	f.Add([]byte(`{"kundhandelser":[{"part":{"kund":{"identifierare":"16` + customer[2:] + `"}},"totaltAntalKundhandelser":-3}]}`))
	f.Add([]byte(`{"message":"Unauthorized"}`))
	f.Add([]byte("\xff\xfe"))
	f.Add([]byte(strings.Replace(string(answer(1, event(nil))), `"delfragor":`, `"kundhandelser":[],"delfragor":`, 1)))
	f.Add(answer(1, strings.Replace(event(nil), `"rubrik":`, `"producent":"199001012385","rubrik":`, 1)))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodePage(body, identifier{Identifierare: customer}, 0)
		if err != nil {
			require.True(t, errors.Is(err, cases.ErrInvalidResponse))
			return
		}
		require.True(t, utf8.Valid(body))
		require.Equal(t, p.count, len(p.events)+len(p.broken))
		for _, e := range p.events {
			require.NotEmpty(t, e.Producer)
			require.NotEmpty(t, e.ID)
			require.False(t, e.Time.IsZero())
		}
		for _, b := range p.broken {
			require.NotEmpty(t, b.problems)
		}
		for _, c := range Derive(p.events, rulesOf(map[string]cases.Status{"MOTTAGEN": cases.Received}, nil)) {
			require.True(t, c.Status.Valid())
			require.NotEmpty(t, c.Sender.ID)
		}
	})
}

// BenchmarkDecodePage is one full page of 200 events.
func BenchmarkDecodePage(b *testing.B) {
	evs := make([]string, 200)
	for i := range evs {
		evs[i] = event(map[string]any{"kundhandelseId": itoa(i)})
	}
	body := answer(1000, evs...)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodePage(body, identifier{Identifierare: customer}, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// An event's sprak reaches the case as its lang (the page marks the
// producer's text with it, WCAG 3.1.2) when every event of the case agrees;
// a sprak that is no language tag is the event's visible problem.
func TestSprakBecomesTheCasesLanguage(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	ev := func(id, lang string, hours int) Event {
		return Event{ID: id, Producer: "Vaxholms stad", Time: at.Add(time.Duration(hours) * time.Hour),
			Type: "KOMMUN.BYGGLOV.MOTTAGEN", Title: "Bygglov", CaseNumber: "BN 2026-1", Lang: lang}
	}
	one := Derive([]Event{ev("1", "en", 0), ev("2", "en", 1)}, Rules{})
	require.Len(t, one, 1)
	require.Equal(t, "en", one[0].Lang)
	mixed := Derive([]Event{ev("1", "en", 0), ev("2", "sv", 1)}, Rules{})
	require.Empty(t, mixed[0].Lang, "events in different languages: the case is not marked wrongly")

	raw := `{"kundhandelseId":"1","rubrik":"r","producent":"p","tidpunkt":"2026-11-02T10:00:00Z","kundhandelseTyp":"KOMMUN.BYGGLOV.MOTTAGEN","sprak":"<b>"}`
	_, broken := decodeEvent(json.RawMessage(raw), "kundhandelser[0]")
	require.NotNil(t, broken)
	require.Len(t, broken.problems, 1)
	require.Contains(t, broken.problems[0].Field, "sprak")
}

// An event's taggar reach its case as tags, each once across the case's
// events (whatever its case), for the overview to suggest a case group
// from; a tag the standard does not allow is the event's visible problem.
func TestTaggarBecomeTheCasesTags(t *testing.T) {
	e, broken := decodeEvent(json.RawMessage(event(map[string]any{"taggar": []string{"Vi bygger hus", "kundatgard"}})), "kundhandelser[0]")
	require.Nil(t, broken)
	require.Equal(t, []string{"Vi bygger hus", "kundatgard"}, e.Tags)

	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	ev := func(id string, hours int, tags ...string) Event {
		return Event{ID: id, Producer: "Vaxholms stad", Time: at.Add(time.Duration(hours) * time.Hour),
			Type: "KOMMUN.BYGGLOV.MOTTAGEN", Title: "Bygglov", CaseNumber: "BN 2026-1", Tags: tags}
	}
	one := Derive([]Event{ev("1", 0, "Vi bygger hus"), ev("2", 1, "vi bygger hus", "Flytt")}, Rules{})
	require.Len(t, one, 1)
	require.Equal(t, []string{"Vi bygger hus", "Flytt"}, one[0].Tags)
	require.Empty(t, one[0].Validate())

	for name, taggar := range map[string]any{
		"an empty tag":        []string{""},
		"a bidi override":     []string{"Vi bygger \u202ehus"},
		"an overlong tag":     []string{strings.Repeat("x", 101)},
		"more than allowed":   slices.Repeat([]string{"x"}, MaxTags+1),
		"not a list of texts": "Vi bygger hus",
	} {
		_, broken := decodeEvent(json.RawMessage(event(map[string]any{"taggar": taggar})), "kundhandelser[0]")
		require.NotNil(t, broken, name)
		require.Contains(t, broken.problems[0].Field, "taggar", name)
		require.NotContains(t, fmt.Sprint(broken.problems), "Vi bygger", "%s: a problem never carries the value", name)
	}
}
