package memory

import (
	"bytes"
	_ "embed"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
)

// demoJSON is the demo data set: Swedish cases from Swedish producers, for
// fictional customers with Skatteverket test personnummer.
//
//go:embed demo.json
var demoJSON []byte

// Demo returns the demo data set with every time moved so that its newest
// case date is one day before now (see ShiftTo). The data set is checked by
// this package's tests; Demo panics only if the embedded file is broken.
func Demo(now time.Time) *Data {
	d, err := Load(bytes.NewReader(demoJSON), ShiftTo(now))
	if err != nil {
		panic("memory: embedded demo data: " + err.Error())
	}
	return d
}

// shift moves every time of every case by one offset, in whole seconds, so
// that the newest case date is one day before now.
func (d *Data) shift(now time.Time) {
	var newest time.Time
	for _, list := range d.cases {
		for _, c := range list {
			if c.Date.After(newest) {
				newest = c.Date
			}
		}
	}
	if newest.IsZero() {
		return
	}
	by := now.Add(-24 * time.Hour).Sub(newest).Truncate(time.Second)
	for _, list := range d.cases {
		for i := range list {
			shiftCase(&list[i], by)
		}
	}
}

func shiftCase(c *cases.Case, by time.Duration) {
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
	for i := range c.History {
		c.History[i].Time = c.History[i].Time.Add(by)
	}
}
