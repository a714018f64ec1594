package kit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/overview"
	"github.com/arendevy/arendevy/kit/preferences"
)

// benchSizes are the overview sizes every benchmark here runs for.
var benchSizes = []int{10, 100, 500, 1000}

var benchTitles = []string{"Ansökan om bygglov för tillbyggnad", "Återbetalning av skatt", "Föräldrapenning", "Studiemedel höstterminen", "Ändring av körkortsbehörighet", "Äldreomsorg, ansökan om hemtjänst", "Öppen förskola, plats"}

// benchKit serves n cases spread over 10 sources, each producer answering
// from memory, so the figure is the kit's own work: fan-out, validation,
// filtering, Swedish-collation sorting and JSON encoding.
func benchKit(b *testing.B, n int) *Kit {
	b.Helper()
	const sources = 10
	var members []fanout.Member
	for s := range sources {
		id := fmt.Sprintf("producer-%d", s)
		actor := cases.Actor{ID: id, Name: fmt.Sprintf("Myndighet %c", 'A'+s)}
		var cs []cases.Case
		for i := s; i < n; i += sources {
			pt := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
			cs = append(cs, cases.Case{
				ID: fmt.Sprintf("%s:%d", id, i), Date: time.Date(2026, time.Month(1+i%10), 1+i%28, 0, 0, 0, 0, time.UTC),
				Title: benchTitles[i%len(benchTitles)], Sender: actor, Status: cases.Statuses[i%4],
				Forecast: &cases.Forecast{Amount: 1 + i%9, Unit: cases.Weeks}, CaseNumber: fmt.Sprintf("DNR %d-2026", i),
				FreeText: "Vi har tagit emot din ansökan och handlägger den i turordning.", PlannedEvent: "Beslut", PlannedTime: &pt,
				Pairs: []cases.Pair{{Title: "Fastighet", Value: "Rindö 3:1"}},
			})
		}
		members = append(members, fanout.Member{Name: id, Actor: actor, Source: cases.SourceFunc(
			func(context.Context, identity.Subject) (cases.Result, error) {
				return cases.Result{Cases: append([]cases.Case(nil), cs...)}, nil
			})})
	}
	k, err := New(Config{Sources: members})
	if err != nil {
		b.Fatal(err)
	}
	return k
}

// BenchmarkOverviewAPI measures GET /arendevy/api/overview end to end in
// process: assembling from 10 sources, sorting, filtering and encoding.
func BenchmarkOverviewAPI(b *testing.B) {
	for _, n := range benchSizes {
		for _, q := range []string{"", "?sort=title&order=asc&scope=open&q=ans"} {
			b.Run(fmt.Sprintf("cases=%d/query=%q", n, q), func(b *testing.B) {
				k := benchKit(b, n)
				h := k.Handler()
				req := httptest.NewRequest(http.MethodGet, "/arendevy/api/overview"+q, nil)
				req = req.WithContext(identity.WithSubject(req.Context(), tolvan))
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatal(w.Code)
					}
				}
			})
		}
	}
}

// reflected is an Overview without its MarshalJSON: encoding/json then
// writes it by reflection over the struct tags.
type reflected overview.Overview

// BenchmarkRawJSONFloor is the floor to compare against: encoding the same
// overview with encoding/json by reflection over its struct tags (the type
// reflected has no MarshalJSON), and nothing else.
func BenchmarkRawJSONFloor(b *testing.B) {
	benchEncode(b, func(ov *overview.Overview) error { return json.NewEncoder(io.Discard).Encode(reflected(*ov)) })
}

// BenchmarkEncode is the kit's own encoder on the same overview, the same
// bytes as the floor writes (TestOverviewJSONIsEncodingJSON).
func BenchmarkEncode(b *testing.B) {
	benchEncode(b, func(ov *overview.Overview) error {
		answer, err := overview.Encode(ov)
		if err == nil {
			answer.Release()
		}
		return err
	})
}

func benchEncode(b *testing.B, enc func(*overview.Overview) error) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			k := benchKit(b, n)
			ov, err := k.Overview(context.Background(), tolvan, k.DefaultQuery(), preferences.Default())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := enc(&ov); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAssembly measures compiling the overview without HTTP or JSON:
// the fan-out over 10 sources, validation, preferences, filtering, sorting
// and deep links.
func BenchmarkAssembly(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			k := benchKit(b, n)
			q, p := k.DefaultQuery(), preferences.Default()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Overview(context.Background(), tolvan, q, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchCases are the n cases of benchKit as the fan-out merges them:
// producer by producer, which is the order sorting starts from.
func benchCases(b *testing.B, n int) []cases.Case {
	b.Helper()
	res, err := benchKit(b, n).source.Overview(context.Background(), tolvan)
	if err != nil || len(res.Cases) != n {
		b.Fatalf("%d cases, %v", len(res.Cases), err)
	}
	return res.Cases
}

// BenchmarkSort measures sorting alone: by title, with Swedish collation
// keys, and by date. Each iteration sorts a fresh copy of the merged order;
// the copy is part of the figure and small beside the sort.
func BenchmarkSort(b *testing.B) {
	for _, n := range benchSizes {
		for _, key := range []listing.Key{listing.ByTitle, listing.ByDate} {
			b.Run(fmt.Sprintf("cases=%d/by=%s", n, key), func(b *testing.B) {
				merged := benchCases(b, n)
				work := make([]cases.Case, n)
				q := listing.Query{Sort: key, Scope: listing.All}
				b.ReportAllocs()
				for b.Loop() {
					copy(work, merged)
					listing.Sort(work, q)
				}
			})
		}
	}
}

// BenchmarkFilter measures filtering alone: open cases whose text holds "ans".
func BenchmarkFilter(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			merged := benchCases(b, n)
			q := listing.Query{Sort: listing.ByDate, Scope: listing.OpenOnly, Text: "ans"}
			b.ReportAllocs()
			for b.Loop() {
				if len(listing.Filter(merged, q)) == 0 {
					b.Fatal("the filter matched nothing")
				}
			}
		})
	}
}
