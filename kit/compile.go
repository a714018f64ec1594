package kit

import (
	"context"
	"log/slog"
	"net/url"
	"slices"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/overview"
	"github.com/arendevy/arendevy/kit/preferences"
)

// Query is the listing query for one request: the kit's default, then the
// customer's preferences, then the request's own parameters, which win.
func (k *Kit) Query(ctx context.Context, subject identity.Subject, params url.Values) (listing.Query, preferences.Preferences, error) {
	p := k.preferences(ctx, subject)
	q, err := listing.Parse(params, p.Query(k.query))
	return q, p, err
}

// preferences are the customer's, or the defaults when there is no store or
// it fails: a preferences outage must not take the overview down. The
// overview compiled with the fallback tells the user their settings are not
// applied (Overview.PreferencesUnavailable).
func (k *Kit) preferences(ctx context.Context, subject identity.Subject) preferences.Preferences {
	if k.cfg.Preferences == nil {
		return preferences.Default()
	}
	p, err := k.cfg.Preferences.Get(ctx, subject.Customer())
	if err != nil {
		k.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "preferences unavailable; using defaults", slog.String("error", err.Error()))
		return preferences.Fallback()
	}
	return p
}

// Overview compiles the overview for subject: every source asked, the
// actors the customer hid left out, the rest filtered and sorted by q.
func (k *Kit) Overview(ctx context.Context, subject identity.Subject, q listing.Query, p preferences.Preferences) (overview.Overview, error) {
	var ov overview.Overview
	err := k.overview(ctx, subject, q, p, func(o *overview.Overview) error {
		ov = *o
		return nil
	})
	return ov, err
}

// overview asks every source, then compiles the overview and hands it to
// use, which encodes it; all of it in turns (see turns).
func (k *Kit) overview(ctx context.Context, subject identity.Subject, q listing.Query, p preferences.Preferences, use func(*overview.Overview) error) error {
	if err := k.turns.take(ctx); err != nil {
		return err
	}
	var res cases.Result
	// How far back the sources that look back a limited time reach: as far
	// as the user asked (listing.Query.Older).
	ctx = cases.WithOlder(ctx, q.Older)
	err := k.turns.during(ctx, func() (err error) {
		res, err = k.source.Overview(ctx, subject)
		return err
	})
	if err != nil {
		return err
	}
	defer k.turns.give()
	ov := k.compile(ctx, res, subject, q, p)
	return use(&ov)
}

func (k *Kit) compile(ctx context.Context, res cases.Result, subject identity.Subject, q listing.Query, p preferences.Preferences) overview.Overview {
	all := overview.Senders(res.Cases)
	shown := p.Apply(res.Cases)
	ov := overview.Overview{
		CompiledAt: k.cfg.Now().UTC().Truncate(time.Second),
		Customer:   overview.CustomerOf(subject),
		Query:      q,
		Total:      len(shown),
		Sources:    res.Outcomes,
		Senders:    all,
		Hidden:     []cases.Actor{},

		PreferencesUnavailable: p.IsFallback(),
	}
	if len(shown) < len(res.Cases) { // some hidden: their actors are no senders
		ov.Senders = overview.Senders(shown)
	}
	for _, a := range all {
		if slices.Contains(p.HiddenActors, a.ID) {
			ov.Hidden = append(ov.Hidden, a)
		}
	}
	if p.Discreet {
		// Redacted before sorting, so not even the order by title tells
		// what the hidden titles are.
		placeholder := k.view.bundle.Localizer(cases.LanguageOf(ctx)).Text("discreet.title")
		redacted := make([]cases.Case, len(shown))
		for i, c := range shown {
			redacted[i] = preferences.Redact(c, placeholder)
		}
		shown = redacted
	}
	ov.Cases = k.views(ctx, shown, listing.Select(shown, q))
	return ov
}

// views are the cases of cs at the positions idx, in that order.
func (k *Kit) views(ctx context.Context, cs []cases.Case, idx []int) []overview.CaseView {
	out := make([]overview.CaseView, len(idx))
	for n, i := range idx {
		v := &out[n]
		v.Case = &cs[i]
		if link, ok := k.link(ctx, v.Case); ok {
			v.Link = link
		} else {
			v.Info = k.cfg.InfoURL(v.Sender.ID)
		}
	}
	return out
}

func (k *Kit) link(ctx context.Context, c *cases.Case) (string, bool) {
	switch {
	case c.Link == "":
		return "", false
	case k.cfg.Links != nil:
		return k.cfg.Links(ctx, c.Sender.ID, c.Link) // checks the allow-list itself
	case k.cfg.Producers.Allows(c.Sender.ID, c.Link):
		return c.Link, true
	}
	return "", false
}

// DefaultQuery is the query applied when the request gives none.
func (k *Kit) DefaultQuery() listing.Query { return k.query }
