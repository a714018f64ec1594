package memory

import (
	"bytes"
	_ "embed"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
)

// demoJSON is the demo data set: Swedish cases from Swedish producers, for
// fictional customers with Skatteverket test personnummer. Each case says
// its texts are Swedish (lang "sv"), as a producer should, so a page in
// another language marks them (WCAG 3.1.2).
//
//go:embed demo.json
var demoJSON []byte

// Demo returns the demo data set moved in time so that its newest case
// date is yesterday (see ShiftTo). The data set is checked by
// this package's tests; Demo panics only if the embedded file is broken.
func Demo(now time.Time) *Data {
	d, err := Load(bytes.NewReader(demoJSON), ShiftTo(now))
	if err != nil {
		panic("memory: embedded demo data: " + err.Error())
	}
	return d
}

// shift moves the whole document by whole days, so that its newest case
// date falls yesterday (in that date's own zone) at its own time of day:
// times keep their office hours, and a case that got its status three days
// before the newest one, with a deadline ten days after it, still has both
// whatever the date. Dates and years written in the cases' texts move with
// them (shiftCase).
func (d *Data) shift(now time.Time) {
	newest := d.newest()
	if newest.IsZero() {
		return
	}
	days := daysBetween(newest, now.In(newest.Location())) - 1
	for _, list := range d.cases {
		for i := range list {
			shiftCase(&list[i], days)
		}
	}
}

// newest is the latest date of any case, zero without cases.
func (d *Data) newest() time.Time {
	var newest time.Time
	for _, list := range d.cases {
		for _, c := range list {
			if c.Date.After(newest) {
				newest = c.Date
			}
		}
	}
	return newest
}

// daysBetween counts the calendar days from a's date to b's, each in its
// own zone.
func daysBetween(a, b time.Time) int {
	day := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
	return int(day(b).Sub(day(a)) / (24 * time.Hour))
}

// shiftCase moves every time of a case by days, and every date and year in
// its texts, case number and link with it: "2025-11-03" by the same days,
// a year standing alone ("inkomståret 2024", "BYGG 2025-000412") by the
// whole years those days make. Words such as month names would not move,
// so the demo data holds none (its tests check).
func shiftCase(c *cases.Case, days int) {
	by := time.Duration(days) * 24 * time.Hour
	c.Date = c.Date.Add(by)
	if !c.Created.IsZero() {
		c.Created = c.Created.Add(by)
	}
	if !c.Updated.IsZero() {
		c.Updated = c.Updated.Add(by)
	}
	if c.PlannedTime != nil {
		t := c.PlannedTime.Add(by)
		c.PlannedTime = &t
	}
	text := func(s *string) { *s = shiftText(*s, days) }
	for _, s := range []*string{&c.Title, &c.CaseNumber, &c.Category, &c.FreeText, &c.PlannedEvent, &c.Link} {
		text(s)
	}
	for i := range c.Pairs {
		text(&c.Pairs[i].Title)
		text(&c.Pairs[i].Value)
	}
	for i := range c.History {
		c.History[i].Time = c.History[i].Time.Add(by)
		text(&c.History[i].Title)
		text(&c.History[i].Text)
	}
}

// datesInText finds ISO dates and years standing alone (1900–2099).
var datesInText = regexp.MustCompile(`\b(\d{4}-\d{2}-\d{2}|(?:19|20)\d{2})\b`)

func shiftText(s string, days int) string {
	if days == 0 || s == "" {
		return s
	}
	years := int(math.Round(float64(days) / 365.2425))
	return datesInText.ReplaceAllStringFunc(s, func(m string) string {
		if len(m) == 4 {
			y, _ := strconv.Atoi(m)
			return strconv.Itoa(y + years)
		}
		t, err := time.Parse(time.DateOnly, m)
		if err != nil {
			return m // not a date after all
		}
		return t.AddDate(0, 0, days).Format(time.DateOnly)
	})
}
