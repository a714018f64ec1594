package faults

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/arendevy/arendevy/kit/cases"
)

// Comparison is how one overview answer measured up to an Expectation.
type Comparison struct {
	// Unreadable says why the answer could not be read at all; "" if it could.
	Unreadable string
	// Missing are healthy producers not shown with all their cases and an
	// ok outcome.
	Missing []string
	// Unreported are failing producers without an outcome in their state.
	Unreported []string
	// Unexpected are producers whose cases were shown though they should
	// have failed, or that the plan does not know.
	Unexpected []string
}

// HealthyShown reports whether every healthy producer's cases were shown.
func (c Comparison) HealthyShown() bool { return c.Unreadable == "" && len(c.Missing) == 0 }

// FailuresReported reports whether every failing producer was reported.
func (c Comparison) FailuresReported() bool { return c.Unreadable == "" && len(c.Unreported) == 0 }

// Err is nil when the answer showed exactly what it should.
func (c Comparison) Err() error {
	var parts []string
	if c.Unreadable != "" {
		parts = append(parts, c.Unreadable)
	}
	for _, l := range []struct {
		what string
		ids  []string
	}{{"cases missing", c.Missing}, {"failure not reported", c.Unreported}, {"unexpected cases", c.Unexpected}} {
		if len(l.ids) > 0 {
			parts = append(parts, l.what+": "+strings.Join(l.ids, ", "))
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return errors.New("faults: " + strings.Join(parts, "; "))
}

// overviewAnswer is the part of the kit's overview JSON the check reads.
type overviewAnswer struct {
	Cases []struct {
		Sender cases.Actor `json:"sender"`
	} `json:"cases"`
	Sources []struct {
		Producer cases.Actor `json:"producer"`
		State    cases.State `json:"state"`
		Cases    int         `json:"cases"`
	} `json:"sources"`
}

// Compare checks one answer of GET {mount}/api/overview.
func (e Expectation) Compare(status int, body []byte) Comparison {
	var c Comparison
	var ov overviewAnswer
	switch {
	case status != http.StatusOK:
		c.Unreadable = fmt.Sprintf("status %d", status)
	case !utf8.Valid(body):
		c.Unreadable = "not valid UTF-8"
	default:
		if err := json.Unmarshal(body, &ov); err != nil {
			c.Unreadable = "not an overview: " + err.Error()
		}
	}
	if c.Unreadable != "" {
		return c
	}
	shown := map[string]int{}
	for _, cs := range ov.Cases {
		shown[cs.Sender.ID]++
	}
	states := map[string][]cases.State{}
	for _, o := range ov.Sources {
		states[o.Producer.ID] = append(states[o.Producer.ID], o.State)
	}
	for id, want := range e.Healthy {
		if shown[id] != want || !slices.Equal(states[id], []cases.State{cases.OK}) {
			c.Missing = append(c.Missing, id)
		}
	}
	for id, want := range e.Failing {
		if !slices.Contains(states[id], want) {
			c.Unreported = append(c.Unreported, id)
		}
	}
	for id := range shown {
		if _, healthy := e.Healthy[id]; !healthy {
			c.Unexpected = append(c.Unexpected, id)
		}
	}
	slices.Sort(c.Missing)
	slices.Sort(c.Unreported)
	slices.Sort(c.Unexpected)
	return c
}

// Tally counts, answer by answer, how the overview held up under faults.
// It is safe for concurrent use.
type Tally struct {
	expect                                    Expectation
	responses, healthyShown, failuresReported atomic.Int64
}

// NewTally counts answers against e.
func NewTally(e Expectation) *Tally { return &Tally{expect: e} }

// Check is a load.Config.Check: it compares and counts every answer and
// fails the ones that did not show what they should.
func (t *Tally) Check(status int, body []byte) error {
	c := t.expect.Compare(status, body)
	t.responses.Add(1)
	if c.HealthyShown() {
		t.healthyShown.Add(1)
	}
	if c.FailuresReported() {
		t.failuresReported.Add(1)
	}
	return c.Err()
}

// Counts are what a Tally has counted.
type Counts struct {
	Responses        int64 `json:"responses"`        // answers checked
	HealthyShown     int64 `json:"healthyShown"`     // of which showed every healthy producer's cases
	FailuresReported int64 `json:"failuresReported"` // of which reported every failing producer
}

// Counts returns the counts so far.
func (t *Tally) Counts() Counts {
	return Counts{Responses: t.responses.Load(), HealthyShown: t.healthyShown.Load(), FailuresReported: t.failuresReported.Load()}
}
