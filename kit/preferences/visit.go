package preferences

import (
	"time"

	"github.com/arendevy/arendevy/kit/listing"
)

// What's new since the last visit. A preference keeps two instants and
// nothing else: when the customer last looked at their overview (LastVisit)
// and where the visit they are in now started counting from (PreviousVisit).
// Neither says anything about a case; the kit marks a case new when its date
// is after PreviousVisit, at the time it compiles the overview.
//
// What "previous visit" means: one visit is a run of overview requests less
// than VisitGap apart. The page and the element both ask for the overview
// within seconds, a user re-sorts, filters and reloads: all of that is one
// visit, and it must keep marking the same cases new, measured from the end
// of the visit before. So a request inside the current visit leaves
// PreviousVisit alone and only slides LastVisit forward (at most once per
// VisitWrite, so an active user does not write the store on every request);
// the first request after a gap of VisitGap or more starts a new visit whose
// PreviousVisit is the old LastVisit. Keeping the instant in the preferences
// rather than the session makes it survive logging out, which is what "since
// your last visit" means to a user, and works behind every store.
const (
	VisitGap   = 30 * time.Minute
	VisitWrite = 5 * time.Minute
)

// Visit is p as it stands after an overview request at now, and whether it
// changed (and so should be stored). Its PreviousVisit is the instant cases
// are new after (NewSince). The first visit ever marks nothing new: there is
// no earlier visit to compare with.
func (p Preferences) Visit(now time.Time) (Preferences, bool) {
	now = now.UTC().Truncate(time.Second)
	switch {
	case p.LastVisit.IsZero(): // first visit ever
		p.LastVisit = now
		return p, true
	case now.Sub(p.LastVisit) >= VisitGap: // a new visit
		p.PreviousVisit, p.LastVisit = p.LastVisit, now
		return p, true
	case now.Sub(p.LastVisit) >= VisitWrite: // the same visit, still going
		p.LastVisit = now
		return p, true
	}
	return p, false
}

// NewSince is the instant after which a case counts as new; zero when
// nothing does (the first visit ever).
func (p Preferences) NewSince() time.Time { return p.PreviousVisit }

// IsNew reports whether a case dated date is new to the customer.
func (p Preferences) IsNew(date time.Time) bool { return listing.IsNew(date, p.PreviousVisit) }

// KeepVisits returns p with the visit instants of stored: they are the kit's
// record, not something a browser sends, so saving the settings must not
// move or clear them.
func (p Preferences) KeepVisits(stored Preferences) Preferences {
	p.LastVisit, p.PreviousVisit = stored.LastVisit, stored.PreviousVisit
	return p
}
