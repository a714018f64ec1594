package preferences

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFirstVisitEverMarksNothingNew(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	p, changed := Default().Visit(now)
	assert.True(t, changed)
	assert.Equal(t, now, p.LastVisit)
	assert.True(t, p.NewSince().IsZero())
	assert.False(t, p.IsNew(now.Add(-time.Hour)))
	assert.False(t, p.IsNew(now.Add(time.Hour)), "nothing is new on the first visit, even a case dated later")

	// The element asks a few seconds after the page: still nothing new.
	p, changed = p.Visit(now.Add(3 * time.Second))
	assert.False(t, changed)
	assert.False(t, p.IsNew(now.Add(time.Hour)))
}

func TestNewSinceIsTheEndOfThePreviousVisitForTheWholeVisit(t *testing.T) {
	first := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	p, _ := Default().Visit(first)
	p, _ = p.Visit(first.Add(10 * time.Minute)) // still the first visit; slides LastVisit
	end := first.Add(10 * time.Minute)
	assert.Equal(t, end, p.LastVisit)
	assert.True(t, p.NewSince().IsZero())

	second := first.Add(26 * time.Hour)
	p, changed := p.Visit(second)
	assert.True(t, changed)
	assert.Equal(t, end, p.NewSince())
	assert.True(t, p.IsNew(end.Add(time.Minute)))
	assert.False(t, p.IsNew(end), "a case dated at the last look was seen")
	assert.False(t, p.IsNew(end.Add(-time.Hour)))

	// Page, element, re-sorts and reloads within the visit keep the same mark.
	for _, d := range []time.Duration{2 * time.Second, 4 * time.Minute, 12 * time.Minute, 40 * time.Minute} {
		p, _ = p.Visit(second.Add(d))
		assert.Equal(t, end, p.NewSince(), "after %v", d)
	}
	// After a gap, the next visit counts from the last look of this one.
	p, _ = p.Visit(second.Add(40*time.Minute + VisitGap))
	assert.Equal(t, second.Add(40*time.Minute), p.NewSince())
}

func TestVisitWritesAtMostOncePerVisitWrite(t *testing.T) {
	first := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	p, _ := Default().Visit(first)
	_, changed := p.Visit(first.Add(VisitWrite - time.Second))
	assert.False(t, changed)
	_, changed = p.Visit(first.Add(VisitWrite))
	assert.True(t, changed)
}

func TestKeepVisitsIgnoresWhatTheBrowserSends(t *testing.T) {
	stored := Default()
	stored.LastVisit = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	stored.PreviousVisit = stored.LastVisit.Add(-time.Hour)
	sent, err := Decode([]byte(`{"sort":"title","lastVisit":"2030-01-01T00:00:00Z"}`))
	assert.NoError(t, err)
	kept := sent.KeepVisits(stored)
	assert.Equal(t, stored.LastVisit, kept.LastVisit)
	assert.Equal(t, stored.PreviousVisit, kept.PreviousVisit)
	assert.Equal(t, "title", string(kept.Sort))
}

func TestVisitsRoundTripAndPreviousNotAfterLast(t *testing.T) {
	p, err := Decode([]byte(`{"lastVisit":"2026-03-02T09:00:00Z","previousVisit":"2026-03-01T09:00:00Z"}`))
	assert.NoError(t, err)
	assert.Equal(t, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), p.NewSince())
	_, err = Decode([]byte(`{"lastVisit":"2026-03-01T09:00:00Z","previousVisit":"2026-03-02T09:00:00Z"}`))
	assert.ErrorIs(t, err, ErrInvalid)
}
