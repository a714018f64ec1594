package overview

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/producers"
)

// reflected is Overview without its MarshalJSON: encoding/json then writes
// it by reflection over the struct tags, the reference the hand-written
// encoder must match byte for byte.
type reflected Overview

// fullOverview sets every field of the overview, its cases and its
// outcomes, with text that needs escaping.
func fullOverview() Overview {
	at := func(d int) time.Time { return time.Date(2026, 11, d, 9, 30, 15, 250000000, time.UTC) }
	planned := time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	actor := cases.Actor{ID: "skv", Name: "Skatteverket <&>"}
	c := cases.Case{
		ID: "skv:1", Date: at(20), Title: "Ansökan \"om\" bygglov\u2028", Sender: actor, Status: cases.ActionRequired,
		Forecast: &cases.Forecast{Amount: 3, Unit: cases.Weeks}, CaseNumber: "DNR 1-2026", Category: "Bygglov",
		Payment: cases.PaymentPending, Officer: "Åsa Öberg", FreeText: "Rad ett\nRad två\t</script>", FreeTextShortened: true, Lang: "sv",
		PlannedEvent: "Beslut", PlannedTime: &planned, Pairs: []cases.Pair{{Title: "Fastighet", Value: "Rindö 3:1"}}, Tags: []string{"Vi bygger hus"},
		Link: "https://e.skatteverket.se/arende/1", Created: at(1), Updated: at(2),
		History: []cases.Event{{Time: at(3), Title: "Mottagen", Text: "Vi har tagit emot", Status: cases.Received}},
	}
	return Overview{
		CompiledAt: at(24),
		Customer:   Customer{Name: "Tolvan Tolvansson", Kind: identity.Personnummer, Agent: true, User: "Elin Karlsson"},
		Query: listing.Query{Sort: listing.ByTitle, Descending: true, NewOnly: true, Senders: []string{"skv"}, Group: "BBBBBBBBBBBB",
			Statuses: []cases.Status{cases.ActionRequired}, Scope: listing.OpenOnly, Text: "bygg"},
		Total: 2,
		Cases: []CaseView{{Case: &c, Link: "/arendevy/go/token", Info: "/arendevy/producers/skv", New: true,
			Ref: "AAAAAAAAAAAAAAAAAAAAAA", Groups: []string{"BBBBBBBBBBBB"}, Revealed: true},
			{Case: &cases.Case{ID: "x", Date: at(5), Title: "t", Sender: actor, Status: cases.Closed}}},
		Senders: []cases.Actor{actor},
		Hidden:  []cases.Actor{{ID: "fk", Name: "Försäkringskassan"}},
		Sources: []cases.Outcome{
			{Source: "hub", Producer: actor, State: cases.Invalid, Cases: 2, Rejected: 1, Unlinked: 1,
				Problems:  []cases.Problem{{Field: "title", Reason: "required"}},
				Truncated: &cases.Truncation{Reason: cases.CutLimit, Unit: cases.CountedCases, Shown: 5000, Total: 5002},
				Message:   "dial tcp 127.0.0.1:443: connection refused (correlation id 42)", Duration: time.Second},
			{Source: "fk", Producer: cases.Actor{ID: "fk", Name: "Försäkringskassan"}, State: cases.OK,
				Truncated: &cases.Truncation{Reason: cases.CutPartial}},
		},
		New: 1,
		Contacts: []Contact{{Producer: "skv", CustomerService: producers.Contact{
			Phone: "0771-567 567", Email: "\"SKV\" <kund@skv.se>", Web: "https://skatteverket.se/?a=1&b=2", Hours: "8–16"}}},
		PreferencesUnavailable: true,
		Discreet:               new(true),
		SupportCode:            "K7Q3-9F2M",
		Groups:                 []Group{{ID: "BBBBBBBBBBBB", Name: "Vi bygger hus", Count: 1}},
		Suggestions:            []Suggestion{{Name: "Bygglov", Refs: []string{"AAAAAAAAAAAAAAAAAAAAAA"}}},
	}
}

// everyFieldSet fails for any field of v, at any depth, left at its zero
// value: a field added to the model must be added to fullOverview, and so
// to the comparison, before this passes.
func everyFieldSet(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if assert.False(t, v.IsNil(), "%s is nil", path) {
			everyFieldSet(t, path, v.Elem())
		}
	case reflect.Slice:
		if assert.NotZero(t, v.Len(), "%s is empty", path) {
			everyFieldSet(t, path+"[0]", v.Index(0))
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			assert.False(t, v.Interface().(time.Time).IsZero(), "%s is zero", path)
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.Tag.Get("json") == "-" {
				continue
			}
			everyFieldSet(t, path+"."+f.Name, v.Field(i))
		}
	default:
		assert.False(t, v.IsZero(), "%s is zero", path)
	}
}

// sent is ov as encoding/json must write it to match the API: the cases
// without the dates the page never shows (Created, Updated).
func sent(ov Overview) reflected {
	views := slices.Clone(ov.Cases)
	for i, v := range views {
		if v.Case != nil {
			c := *v.Case
			c.Created, c.Updated = time.Time{}, time.Time{}
			views[i].Case = &c
		}
	}
	ov.Cases = views
	return reflected(ov)
}

func TestOverviewJSONIsEncodingJSON(t *testing.T) {
	full := fullOverview()
	everyFieldSet(t, "Overview", reflect.ValueOf(full))
	empty := Overview{CompiledAt: full.CompiledAt, Query: listing.Default(), Cases: []CaseView{}, Hidden: []cases.Actor{}}
	bare := Overview{Cases: []CaseView{{}, {Link: "/l"}, {Info: "/i"}, {Link: "/l", Info: "/i"}},
		Contacts: []Contact{{Producer: "none"}, {Producer: "hours", CustomerService: producers.Contact{Hours: "8–16"}}}}
	for name, ov := range map[string]Overview{"every field": full, "nothing": empty, "zero": {}, "views without a case": bare} {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(sent(ov))
			require.NoError(t, err)
			got, err := json.Marshal(ov)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))
		})
	}
}

// The page shows when a case got its status (date), not when the producer
// created or last touched it: those dates are not sent.
func TestOverviewJSONCarriesOnlyWhatThePageShows(t *testing.T) {
	got, err := json.Marshal(fullOverview())
	require.NoError(t, err)
	require.NotContains(t, string(got), `"created"`)
	require.NotContains(t, string(got), `"updated"`)
	require.Contains(t, string(got), `"date":"2026-11-20T09:30:15.25Z"`)
}

// The browser gets fixed words and counts: an outcome's message, which names
// hosts, ports, dial errors and correlation ids, stays in the server's log.
func TestOverviewJSONCarriesNoOutcomeMessage(t *testing.T) {
	ov := fullOverview()
	got, err := json.Marshal(ov)
	require.NoError(t, err)
	for _, s := range []string{ov.Sources[0].Message, "127.0.0.1", ":443", "dial", "correlation", `"message"`} {
		require.NotContains(t, string(got), s)
	}
	require.Contains(t, string(got), `"truncated":{"reason":"limit","unit":"cases","shown":5000,"total":5002}`)
	require.Contains(t, string(got), `"truncated":{"reason":"partial","shown":0}`)
}

// A time JSON cannot carry fails the encoding, as it fails encoding/json;
// validation keeps such cases out of an overview (cases.Validate).
func TestOverviewJSONRefusesAnUnwritableTime(t *testing.T) {
	ov := fullOverview()
	ov.Cases[0].Date = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := json.Marshal(reflected(ov))
	require.Error(t, err)
	_, err = ov.AppendJSON(nil)
	require.Error(t, err)
}

// The API answers in one piece of known length, and a buffer handed back
// for the next answer carries nothing of this one.
func TestOverviewAnswerHasItsLengthAndLeavesNothingBehind(t *testing.T) {
	ov := fullOverview()
	w := httptest.NewRecorder()
	answer, err := Encode(&ov)
	require.NoError(t, err)
	answer.Write(w)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, strconv.Itoa(w.Body.Len()), w.Header().Get("Content-Length"))
	want, err := json.Marshal(sent(ov))
	require.NoError(t, err)
	assert.Equal(t, string(want)+"\n", w.Body.String())
	_, err = Encode(&Overview{CompiledAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	var enc *EncodeError
	assert.ErrorAs(t, err, &enc)

	buf := answerBuffers.Get().(*[]byte)
	defer answerBuffers.Put(buf)
	for _, b := range (*buf)[:cap(*buf)] {
		require.Zero(t, b, "a pooled buffer still holds the last answer")
	}
}
