// Package synth makes the data the benchmarks run on: a deterministic
// overview of n cases for one customer, spread evenly over a number of
// producers, with every field of the standard view filled in the way real
// producers fill them (Swedish titles for the collation to work on, deep
// links to the producers' e-services, forecasts, planned events, pairs).
package synth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/fanout"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/producers"
)

// Customer is whose overview it is: Skatteverket's test personnummer, which
// belongs to nobody.
var Customer = identity.Party{Number: "191212121212", Kind: identity.Personnummer, Name: "Tolvan Tolvansson"}

// Subject is the customer logged in with e-legitimation at LoA 3.
func Subject(now time.Time) identity.Subject {
	return identity.Subject{
		User:         Customer,
		LoA:          "http://id.elegnamnden.se/loa/1.0/loa3",
		AuthnInstant: now,
		IdP:          "https://idp.bench.invalid",
	}
}

// ErrSize is returned for a number of cases or producers out of range.
var ErrSize = errors.New("synth: size out of range")

// Limits keep a benchmark's data within what the kit accepts from a source.
const (
	MaxCases     = 5000
	MaxProducers = 100
)

// Producer is one producer with its cases for the customer.
type Producer struct {
	Info  producers.Info
	Cases []cases.Case
}

var agencies = []string{
	"Skatteverket", "Försäkringskassan", "Transportstyrelsen", "Byggnadsnämnden, Värmdö kommun",
	"Centrala studiestödsnämnden", "Lantmäteriet", "Pensionsmyndigheten", "Arbetsförmedlingen",
	"Migrationsverket", "Äldrenämnden, Örebro kommun",
}

var titles = []string{
	"Ansökan om bygglov för tillbyggnad", "Återbetalning av skatt", "Föräldrapenning",
	"Studiemedel höstterminen", "Ändring av körkortsbehörighet", "Äldreomsorg, ansökan om hemtjänst",
	"Öppen förskola, plats", "Lagfart för fastighet", "Bostadstillägg", "Uppehållstillstånd, förlängning",
}

var events = []string{"Beslut", "Komplettering ska vara inne", "Handläggning påbörjas", "Utbetalning"}

// Producers returns n cases spread round-robin over the given number of
// producers, the newest dated one day before now and every other a few
// hours older than the one before, so that sorting by date has work to do.
func Producers(n, producerCount int, now time.Time) ([]Producer, error) {
	if n < 0 || n > MaxCases || producerCount < 1 || producerCount > MaxProducers {
		return nil, fmt.Errorf("%w: %d cases over %d producers (0–%d over 1–%d)", ErrSize, n, producerCount, MaxCases, MaxProducers)
	}
	newest := now.UTC().Add(-24 * time.Hour).Truncate(time.Second)
	out := make([]Producer, producerCount)
	for p := range out {
		id := fmt.Sprintf("producent-%02d", p+1)
		name := fmt.Sprintf("Myndighet %d", p+1)
		if p < len(agencies) {
			name = agencies[p]
		}
		out[p].Info = producers.Info{
			ID: id, Name: name,
			Hosts:           []string{"e-tjanst." + id + ".example"},
			CustomerService: producers.Contact{Phone: "0771-00 00 00", Web: "https://www." + id + ".example/kontakt"},
		}
	}
	for i := range n {
		p := &out[i%producerCount]
		sender := p.Info.Actor()
		date := newest.Add(-time.Duration((i*37)%(n+1)) * 3 * time.Hour)
		planned := date.Add(time.Duration(14+i%30) * 24 * time.Hour)
		c := cases.Case{
			ID:           fmt.Sprintf("%s:%d", sender.ID, i),
			Date:         date,
			Created:      date.Add(-time.Duration(1+i%60) * 24 * time.Hour),
			Updated:      date,
			Title:        titles[(i*7)%len(titles)],
			Sender:       sender,
			Status:       cases.Statuses[i%len(cases.Statuses)],
			Forecast:     &cases.Forecast{Amount: 1 + i%9, Unit: []cases.Unit{cases.Days, cases.Weeks, cases.Months}[i%3]},
			CaseNumber:   fmt.Sprintf("DNR %d-%d", 2026, 1000+i),
			Category:     "Ansökan",
			Officer:      "Handläggare " + string(rune('A'+i%26)),
			FreeText:     "Vi har tagit emot din ansökan och handlägger den i turordning. Du får besked när beslutet är fattat.",
			PlannedEvent: events[i%len(events)],
			PlannedTime:  &planned,
			Pairs:        []cases.Pair{{Title: "Fastighet", Value: "Rindö 3:1"}, {Title: "Ärendetyp", Value: "Ansökan"}},
			Link:         fmt.Sprintf("https://%s/arende/%d", p.Info.Hosts[0], i),
		}
		if c.Status == cases.Closed {
			c.PlannedEvent, c.PlannedTime, c.Forecast = "", nil, nil
		}
		p.Cases = append(p.Cases, c)
	}
	return out, nil
}

// Directory is the producers' directory: their names, e-service hosts (the
// deep-link allow-list) and customer service.
func Directory(ps []Producer) (*producers.Directory, error) {
	infos := make([]producers.Info, len(ps))
	for i, p := range ps {
		infos[i] = p.Info
	}
	return producers.New(infos)
}

// Members are the producers as in-memory sources behind the fan-out, one
// member each. Each answers with fresh copies, as a source decoding a
// producer's answer would, so the benchmark pays for what a request costs.
func Members(ps []Producer) []fanout.Member {
	out := make([]fanout.Member, len(ps))
	for i, p := range ps {
		stored := p.Cases
		out[i] = fanout.Member{Name: p.Info.ID, Actor: p.Info.Actor(), Source: cases.SourceFunc(
			func(ctx context.Context, _ identity.Subject) (cases.Result, error) {
				if err := ctx.Err(); err != nil {
					return cases.Result{}, err
				}
				cs := make([]cases.Case, len(stored))
				for j, c := range stored {
					c.Pairs = slices.Clone(c.Pairs)
					cs[j] = c
				}
				return cases.Result{Cases: cs}, nil
			})}
	}
	return out
}
