package hub

import (
	"fmt"
	"strings"
	"testing"

	"github.com/arendevy/arendevy/kit/cases"
)

func FuzzDecodeOverview(f *testing.F) {
	f.Add([]byte(answer(twoProducers, hubCase("1", "skatteverket", nil), hubCase("2", "vaxholm", map[string]any{"status": "closed"}))))
	f.Add([]byte(answer(`[{"id":"csn","name":"CSN","state":"timeout"}]`)))
	f.Add([]byte(answer(twoProducers, hubCase("1", "nobody", nil), `5`, hubCase("2", "vaxholm", map[string]any{"forecast": map[string]any{"amount": 2}}))))
	f.Add([]byte(`{"producers":[],"cases":[[[[]]]]}`))
	f.Add([]byte(`{"producers":null}`))
	f.Add([]byte("\xff"))
	f.Add([]byte(`{"producers":[],"cases":[],"cases":[]}`))
	f.Add([]byte(answer(twoProducers, strings.Replace(hubCase("1", "skatteverket", nil), `"title":`, `"Title":"x","title":`, 1))))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, p := decodeOverview(data, tolvan, "hub", hubActor)
		if p != nil {
			if len(res.Cases) > 0 || len(res.Outcomes) > 0 {
				t.Fatal("a refused answer returned cases or outcomes")
			}
			return
		}
		producers := map[string]bool{}
		rejected := 0
		for _, o := range res.Outcomes {
			if producers[o.Producer.ID] {
				t.Fatalf("two outcomes for %q", o.Producer.ID)
			}
			producers[o.Producer.ID] = true
			if o.Source != "hub" || o.Rejected < 0 || len(o.Problems) > cases.MaxProblems {
				t.Fatalf("bad outcome %+v", o)
			}
			if o.Rejected > 0 && o.State == cases.OK || o.State == cases.Invalid && o.Rejected == 0 {
				t.Fatalf("state %s with %d rejected", o.State, o.Rejected)
			}
			rejected += o.Rejected
		}
		ids := map[string]bool{}
		for _, c := range res.Cases {
			if !producers[c.Sender.ID] {
				t.Fatalf("case from a producer without an outcome: %q", c.Sender.ID)
			}
			if !strings.HasPrefix(c.ID, c.Sender.ID+":") || ids[c.ID] {
				t.Fatalf("case ID %q not unique or not under its producer", c.ID)
			}
			ids[c.ID] = true
			if len(c.ID) > cases.MaxShort {
				t.Fatalf("case ID longer than the model allows")
			}
		}
		if len(res.Cases)+rejected > MaxCases {
			t.Fatalf("%d cases accounted for, more than the cap", len(res.Cases)+rejected)
		}
	})
}

func BenchmarkDecodeOverview(b *testing.B) {
	items := make([]string, 500)
	for i := range items {
		items[i] = hubCase(fmt.Sprint(i), []string{"skatteverket", "vaxholm"}[i%2], map[string]any{
			"statusDate": "2026-11-19T10:00:00+01:00", "freeText": strings.Repeat("Text om ärendet. ", 20),
			"pairs":   []map[string]string{{"title": "Inkomstår", "value": "2025"}},
			"history": []map[string]string{{"time": "2026-10-01T08:00:00Z", "title": "Ansökan mottagen", "status": "received"}},
		})
	}
	data := []byte(answer(twoProducers, items...))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, p := decodeOverview(data, tolvan, "hub", hubActor); p != nil {
			b.Fatal(p)
		}
	}
}
