package listing

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/arendevy/arendevy/kit/cases"
)

func TestParse(t *testing.T) {
	tests := []struct {
		query   string
		want    Query
		badArgs []string
	}{
		{"", Default(), nil},
		{"sort=title&order=asc", Query{Sort: ByTitle, Scope: All}, nil},
		{"sort=sender&order=desc&sender=skv,csn&sender=vaxholm", Query{Sort: BySender, Descending: true, Senders: []string{"skv", "csn", "vaxholm"}, Scope: All}, nil},
		{"status=received,action_required&scope=open&q=%20bygglov%20", Query{Sort: ByDate, Descending: true, Statuses: []cases.Status{cases.Received, cases.ActionRequired}, Scope: OpenOnly, Text: "bygglov"}, nil},
		{"sort=size", Query{}, []string{"sort"}},
		{"sort=date&sort=title", Query{}, []string{"sort"}},
		{"order=up&scope=some&status=pending", Query{}, []string{"order", "scope", "status"}},
		{"sender=<script>", Query{}, []string{"sender"}},
		{"q=%00x", Query{}, []string{"q"}},
		{"q=%FF", Query{}, []string{"q"}},
		{"limit=10", Query{}, []string{"limit"}},
		{"reveal=AAAAAAAAAAAAAAAAAAAAAA", Query{Sort: ByDate, Descending: true, Scope: All, Reveal: "AAAAAAAAAAAAAAAAAAAAAA"}, nil},
		{"reveal=", Default(), nil},
		{"reveal=Ansökan%20om%20bygglov", Query{}, []string{"reveal"}},
		{"reveal=AAAAAAAAAAAAAAAAAAAAA%3D", Query{}, []string{"reveal"}},
		{"reveal=AAAAAAAAAAAAAAAAAAAAAA&reveal=BBBBBBBBBBBBBBBBBBBBBB", Query{}, []string{"reveal"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			require.NoError(t, err)
			got, err := Parse(v, Default())
			if tt.badArgs == nil {
				require.NoError(t, err)
				require.Equal(t, tt.want, got)
				return
			}
			var pe *ParamError
			require.ErrorAs(t, err, &pe)
			var names []string
			for _, p := range pe.Params {
				names = append(names, p.Name)
				require.NotEmpty(t, p.Reason)
			}
			require.Equal(t, tt.badArgs, names)
			require.Equal(t, Default(), got, "a refused query leaves the base query")
		})
	}
}

func TestValuesRoundTrip(t *testing.T) {
	q := Query{Sort: ByStatus, Senders: []string{"a", "b"}, Statuses: []cases.Status{cases.Closed}, Scope: ClosedOnly, Text: "å", NewOnly: true}
	got, err := Parse(q.Values(), Default())
	require.NoError(t, err)
	require.Equal(t, q, got)
}

func TestQueryJSONUsesParameterNames(t *testing.T) {
	b, err := json.Marshal(Default())
	require.NoError(t, err)
	require.JSONEq(t, `{"sort":"date","order":"desc","sender":[],"status":[],"scope":"all","q":"","new":"all"}`, string(b))
}

// The query's JSON is written by hand; it must be what encoding/json
// writes from the same names, hostile text included.
func TestQueryJSONIsEncodingJSON(t *testing.T) {
	type mirror struct {
		Sort     Key            `json:"sort"`
		Order    string         `json:"order"`
		Senders  []string       `json:"sender"`
		Statuses []cases.Status `json:"status"`
		Scope    Scope          `json:"scope"`
		Text     string         `json:"q"`
		New      string         `json:"new"`
	}
	q := Query{Sort: ByTitle, Senders: []string{"skv", "a<b"}, Statuses: []cases.Status{cases.Closed, cases.Received},
		Scope: OpenOnly, Text: "\"</script>\u2028\xff"}
	want, err := json.Marshal(mirror{Sort: q.Sort, Order: "asc", Senders: q.Senders, Statuses: q.Statuses, Scope: q.Scope, Text: q.Text, New: "all"})
	require.NoError(t, err)
	got, err := json.Marshal(q)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
	require.Equal(t, "x"+string(want), string(q.AppendJSON([]byte("x"))))
}

func mk(id, title, sender string, st cases.Status, day int) cases.Case {
	return cases.Case{ID: id, Title: title, Sender: cases.Actor{ID: sender, Name: sender}, Status: st,
		Date: time.Date(2026, 10, day, 0, 0, 0, 0, time.UTC), CaseNumber: "D-" + id}
}

func ids(cs []cases.Case) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestSortUsesSwedishCollation(t *testing.T) {
	cs := []cases.Case{
		mk("1", "Öppen förskola", "Vaxholms stad", cases.Received, 1),
		mk("2", "Äldreboende", "Ängelholms kommun", cases.Received, 2),
		mk("3", "Ansökan", "Skatteverket", cases.Received, 3),
		mk("4", "Åtgärdsplan", "Åre kommun", cases.Received, 4),
		mk("5", "zebra", "CSN", cases.Received, 5),
		mk("6", "bostadsbidrag", "Försäkringskassan", cases.Received, 6),
	}
	Sort(cs, Query{Sort: ByTitle})
	require.Equal(t, []string{"3", "6", "5", "4", "2", "1"}, ids(cs), "a, b, z, å, ä, ö; case-insensitive")
	Sort(cs, Query{Sort: ByTitle, Descending: true})
	require.Equal(t, []string{"1", "2", "4", "5", "6", "3"}, ids(cs))
	Sort(cs, Query{Sort: BySender})
	require.Equal(t, []string{"5", "6", "3", "1", "4", "2"}, ids(cs), "CSN, Försäkringskassan, Skatteverket, Vaxholm, Åre, Ängelholm")
}

func TestSortByDateAndStatusWithStableTies(t *testing.T) {
	cs := []cases.Case{
		mk("a", "x", "s", cases.Closed, 3),
		mk("b", "x", "s", cases.Received, 1),
		mk("c", "x", "s", cases.ActionRequired, 2),
		mk("d", "x", "s", cases.Received, 5),
		mk("e", "x", "s", cases.InProgress, 5),
	}
	Sort(cs, Default())
	require.Equal(t, []string{"c", "d", "e", "a", "b"}, ids(cs), "waiting for the customer first, then newest first; ties by ID")
	Sort(cs, Query{Sort: ByDate})
	require.Equal(t, []string{"c", "b", "a", "d", "e"}, ids(cs), "waiting for the customer first in either order")
	Sort(cs, Query{Sort: ByStatus})
	require.Equal(t, []string{"c", "d", "b", "e", "a"}, ids(cs), "by urgency: action required, received, in progress, closed; newest first among equals")
	Sort(cs, Query{Sort: ByStatus, Descending: true})
	require.Equal(t, []string{"a", "e", "d", "b", "c"}, ids(cs))
}

func TestFilter(t *testing.T) {
	cs := []cases.Case{
		mk("1", "Bygglov carport", "vaxholm", cases.InProgress, 1),
		mk("2", "Studiemedel", "csn", cases.Closed, 2),
		mk("3", "Föräldrapenning", "fk", cases.ActionRequired, 3),
		mk("4", "Bygglov altan", "vaxholm", cases.Closed, 4),
	}
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"all", Query{Scope: All}, []string{"1", "2", "3", "4"}},
		{"open", Query{Scope: OpenOnly}, []string{"1", "3"}},
		{"closed", Query{Scope: ClosedOnly}, []string{"2", "4"}},
		{"sender", Query{Scope: All, Senders: []string{"vaxholm", "fk"}}, []string{"1", "3", "4"}},
		{"status", Query{Scope: All, Statuses: []cases.Status{cases.Closed}}, []string{"2", "4"}},
		{"text, case-insensitive", Query{Scope: All, Text: "BYGGLOV"}, []string{"1", "4"}},
		{"text in case number", Query{Scope: All, Text: "d-3"}, []string{"3"}},
		{"text keeps ä distinct from a", Query{Scope: All, Text: "foraldra"}, []string{}},
		{"combined", Query{Scope: OpenOnly, Senders: []string{"vaxholm"}, Text: "bygg"}, []string{"1"}},
		{"nothing", Query{Scope: All, Text: "finns inte"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, ids(Filter(cs, tt.q)))
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "sort=title&order=asc", "sender=a,b&status=closed", "q=%FF", "scope=open&q=å", "x=1&x=2", "reveal=AAAAAAAAAAAAAAAAAAAAAA&sort=title"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := Parse(v, Default())
		if err != nil {
			var pe *ParamError
			require.ErrorAs(t, err, &pe)
			require.NotEmpty(t, pe.Params)
			return
		}
		again, err := Parse(q.Values(), Default())
		require.NoError(t, err)
		q.Reveal = "" // for its one request only: never carried on
		require.Equal(t, q, again)
	})
}

// New since the last visit: only the new cases, or the new ones first
// (newest first among each), as the no-JS form's new=only and sort=new ask.
func TestNewOnlyAndNewFirst(t *testing.T) {
	since := time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC)
	cs := []cases.Case{
		mk("old-waiting", "A", "skv", cases.ActionRequired, 9),
		mk("new-1", "B", "skv", cases.InProgress, 12),
		mk("old-2", "C", "fk", cases.Received, 11-10),
		mk("new-2", "D", "fk", cases.Received, 15),
		mk("old-3", "E", "fk", cases.Closed, 10), // exactly at the visit: not new
	}
	parse := func(s string) Query {
		v, err := url.ParseQuery(s)
		require.NoError(t, err)
		q, err := Parse(v, Default())
		require.NoError(t, err)
		q.NewSince = since
		return q
	}
	require.Equal(t, []string{"new-2", "new-1"}, ids(Apply(cs, parse("new=only"))))
	require.Equal(t, []string{"new-2", "new-1", "old-3", "old-waiting", "old-2"}, ids(Apply(cs, parse("sort=new"))))
	// By date the case waiting for the customer leads; by new, the new ones do.
	require.Equal(t, []string{"old-waiting", "new-2", "new-1", "old-3", "old-2"}, ids(Apply(cs, parse("sort=date"))))
	require.Equal(t, []string{"new-2"}, ids(Apply(cs, parse("sort=new&new=only&sender=fk"))))

	// The first visit ever: nothing is new, and new=all keeps everything.
	q := parse("new=only")
	q.NewSince = time.Time{}
	require.Empty(t, Apply(cs, q))
	require.Len(t, Apply(cs, parse("new=all")), len(cs))

	_, err := Parse(url.Values{"new": {"yes"}}, Default())
	require.ErrorContains(t, err, "new: must be only or all")
	_, err = Parse(url.Values{"sort": {"newest"}}, Default())
	require.ErrorContains(t, err, "sort: must be date, sender, status, title or new")
}
