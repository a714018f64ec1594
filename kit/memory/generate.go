package memory

import (
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
)

// generate gives each persona in counts that many more cases, made from the
// document's own cases, so that a long overview looks like real ones: real
// titles, producers and details, spread over the past. The same document
// always gives the same cases (the randomness is seeded by the persona's
// number), so a test, a screenshot and a support call see one list.
//
// A copy keeps its template's status and texts, and is moved back in time as
// a whole (shiftCase), so its dates and texts still agree. An open case is
// moved back a few weeks at most and never past the day its planned event
// would fall before the document's today: the demo shows no overdue deadline
// by accident. A closed case may lie up to two years back.
func (d *Data) generate(counts map[string]int) {
	if len(counts) == 0 {
		return
	}
	today := d.newest().AddDate(0, 0, 1)
	for _, number := range slices.Sorted(maps.Keys(counts)) {
		templates := d.templates(number)
		if len(templates) == 0 {
			continue
		}
		seed := fnv.New64a()
		_, _ = seed.Write([]byte(number))
		rng := rand.New(rand.NewPCG(seed.Sum64(), 17))
		for i := range counts[number] {
			c := cloneCase(templates[rng.IntN(len(templates))])
			back := rng.IntN(730)
			if c.Open() {
				back = min(rng.IntN(42), daysBefore(c.PlannedTime, today))
			}
			shiftCase(&c, -back)
			renumber(&c, rng)
			c.ID = fmt.Sprintf("%s-%d", c.ID, i+1)
			d.cases[number] = append(d.cases[number], c)
		}
	}
}

// templates are the cases of the other customers of the same kind (a
// person's or a company's) that name nobody: a copy must not carry another
// persona's name into this one's overview.
func (d *Data) templates(number string) []cases.Case {
	_, kind, _ := identity.ParseNumber(number)
	var out []cases.Case
	for _, key := range slices.Sorted(maps.Keys(d.cases)) {
		if _, k, _ := identity.ParseNumber(key); key == number || k != kind {
			continue
		}
		for _, c := range d.cases[key] {
			if !slices.ContainsFunc(d.personas, func(p Persona) bool { return mentions(c, p.Party.Name) }) {
				out = append(out, c)
			}
		}
	}
	return out
}

func mentions(c cases.Case, name string) bool {
	if strings.Contains(c.Title, name) || strings.Contains(c.FreeText, name) {
		return true
	}
	return slices.ContainsFunc(c.Pairs, func(p cases.Pair) bool { return strings.Contains(p.Value, name) })
}

// daysBefore is how many whole days a case may move back before its planned
// time falls before today; a large number when it has none.
func daysBefore(planned *time.Time, today time.Time) int {
	if planned == nil {
		return 1 << 20
	}
	return max(0, int(planned.Sub(today)/(24*time.Hour))-1)
}

// lastDigits is the running number at the end of a case number.
var lastDigits = regexp.MustCompile(`[0-9]+$`)

// renumber gives a copy a case number of its own, of the same form as its
// template's, and the deep link that names it.
func renumber(c *cases.Case, rng *rand.Rand) {
	old := lastDigits.FindString(c.CaseNumber)
	if len(old) < 3 {
		return
	}
	limit := 1
	for range old {
		limit *= 10
	}
	fresh := fmt.Sprintf("%0*d", len(old), rng.IntN(limit))
	c.CaseNumber = c.CaseNumber[:len(c.CaseNumber)-len(old)] + fresh
	c.Link = strings.ReplaceAll(c.Link, old, fresh)
}
