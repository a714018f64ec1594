package kit

import (
	"context"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/overview"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/supportcode"
)

// Query is the listing query for one request: the kit's default, then the
// customer's preferences, then the request's own parameters, which win.
// Asking for a query is a look at the overview: the preferences returned
// have this visit recorded (preferences.Visit), so the overview compiled
// with them marks what is new since the previous visit.
//
// Before the customer's consent, when the portal asks for it, the error is
// ErrConsentRequired and nothing is recorded (see Consent).
func (k *Kit) Query(ctx context.Context, subject identity.Subject, params url.Values) (listing.Query, preferences.Preferences, error) {
	if err := k.requireConsent(ctx, subject); err != nil {
		return listing.Query{}, preferences.Preferences{}, err
	}
	p := k.visit(ctx, subject, k.preferences(ctx, subject))
	q, err := listing.Parse(params, p.Query(k.query))
	if _, ok := p.Group(q.Group); !ok {
		// A group removed since the address was made: every case, as the
		// group choice then shows.
		q.Group = ""
	}
	q.NewSince = p.NewSince() // what "new" means for the filter and sort
	return q, p, err
}

// visit records this look at the overview in the customer's preferences
// and returns them with it. The previous visit was read with them, before
// anything is written, so the page and the element asking seconds apart
// both mark the same cases new (see preferences.Visit for what a visit is).
// Nothing is recorded over fallback preferences, which are not the
// customer's, and a failed write only means the next visit marks a little
// more as new: it is logged, and the overview still shown.
func (k *Kit) visit(ctx context.Context, subject identity.Subject, p preferences.Preferences) preferences.Preferences {
	if k.cfg.Preferences == nil || p.IsFallback() {
		return p
	}
	next, changed := p.Visit(k.cfg.Now())
	if changed {
		if err := k.cfg.Preferences.Put(ctx, subject.Customer(), next); err != nil {
			k.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "last visit not recorded", slog.String("error", err.Error()))
		}
	}
	return next
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
// use, which encodes it; all of it in turns (see turns). Each overview gets
// a support code and one log line under it (logSupport).
func (k *Kit) overview(ctx context.Context, subject identity.Subject, q listing.Query, p preferences.Preferences, use func(*overview.Overview) error) error {
	// How far back the sources that look back a limited time reach: as far
	// as the user asked (listing.Query.Older).
	res, err := k.ask(cases.WithOlder(ctx, q.Older), subject)
	if err != nil {
		return err
	}
	defer k.turns.give()
	ov := k.compile(ctx, res, subject, q, p)
	ov.SupportCode = supportcode.New()
	k.logSupport(ctx, ov.SupportCode, res.Outcomes)
	return use(&ov)
}

// ask asks every source for subject's cases in a turn, and returns holding
// it unless it returns an error.
func (k *Kit) ask(ctx context.Context, subject identity.Subject) (res cases.Result, err error) {
	if err := k.turns.take(ctx); err != nil {
		return res, err
	}
	err = k.turns.during(ctx, func() (err error) {
		res, err = k.source.Overview(ctx, subject)
		return err
	})
	return res, err
}

// casesOf are subject's cases as the sources tell them now, for a deep
// link being followed: asked in turns like an overview, and kept nowhere.
func (k *Kit) casesOf(ctx context.Context, subject identity.Subject) (cases.Result, error) {
	if err := k.requireConsent(ctx, subject); err != nil {
		return cases.Result{}, err
	}
	res, err := k.ask(ctx, subject)
	if err == nil {
		k.turns.give()
	}
	return res, err
}

// logSupport writes the one line a support code finds: per source, the
// correlation id its request carried, how long it took, and how each of its
// producers fared ("vaxholm:ok skatteverket:error"). Only configured names,
// states, durations and ids: the view keeps nothing, and neither does this.
func (k *Kit) logSupport(ctx context.Context, code string, outcomes []cases.Outcome) {
	var groups []any
	for i := 0; i < len(outcomes); {
		src := outcomes[i]
		var producers strings.Builder
		for ; i < len(outcomes) && outcomes[i].Source == src.Source; i++ {
			if producers.Len() > 0 {
				producers.WriteByte(' ')
			}
			producers.WriteString(k.source.Label(outcomes[i].Producer.ID) + ":" + string(outcomes[i].State))
		}
		groups = append(groups, slog.Group(src.Source,
			slog.String("correlation_id", src.CorrelationID),
			slog.Int64("ms", src.Duration.Milliseconds()),
			slog.String("producers", producers.String())))
	}
	k.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "overview", slog.String("support_code", code), slog.Group("sources", groups...))
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
	if k.cfg.Preferences != nil && !p.IsFallback() { // the mode can be switched
		ov.Discreet = &p.Discreet
	}
	if len(shown) < len(res.Cases) { // some hidden: their actors are no senders
		ov.Senders = overview.Senders(shown)
	}
	for _, a := range all {
		if slices.Contains(p.HiddenActors, a.ID) {
			ov.Hidden = append(ov.Hidden, a)
		}
	}
	key := k.groupKey(subject)
	refs := caseRefs(key, shown)
	revealed := ""
	if p.Discreet {
		// Redacted before sorting, so not even the order by title tells
		// what the hidden titles are. The one case the user asked to see
		// (q.Reveal) stays whole; a reference that names none of this
		// customer's cases (forged, another customer's, a case gone since)
		// reveals nothing.
		placeholder := k.view.bundle.Localizer(cases.LanguageOf(ctx)).Text("discreet.title")
		redacted := make([]cases.Case, len(shown))
		for i, c := range shown {
			if q.Reveal != "" && revealed == "" && refs != nil && refs[i] == q.Reveal {
				redacted[i], revealed = c, q.Reveal
				continue
			}
			redacted[i] = preferences.Redact(c, placeholder)
		}
		shown = redacted
	}
	ov.Groups, ov.Suggestions = groupsOf(p, shown, refs)
	if g, ok := p.Group(q.Group); ok && key != nil {
		inGroup := make([]cases.Case, 0, len(g.Refs))
		for i := range shown {
			if slices.Contains(g.Refs, refs[i]) {
				inGroup = append(inGroup, shown[i])
			}
		}
		shown = inGroup
	}
	ov.Cases = k.views(ctx, shown, listing.Select(shown, q), p, key, revealed)
	ov.New = overview.NewCount(ov.Cases)
	ov.Contacts = k.contacts(ov.Senders)
	return ov
}

// groupKey is the customer's key for their case references, or nil when
// the preferences store keeps no case groups (it is not a
// preferences.GroupKeyer, or there is none).
func (k *Kit) groupKey(subject identity.Subject) []byte {
	if keyer, ok := k.cfg.Preferences.(preferences.GroupKeyer); ok {
		return keyer.GroupKey(subject.Customer())
	}
	return nil
}

// keepsGroups reports whether the preferences store keeps case groups.
func (k *Kit) keepsGroups() bool {
	_, ok := k.cfg.Preferences.(preferences.GroupKeyer)
	return ok
}

// caseRefs are the references of cs under key, in their order; nil
// without a key.
func caseRefs(key []byte, cs []cases.Case) []string {
	if key == nil {
		return nil
	}
	refs := make([]string, len(cs))
	for i := range cs {
		refs[i] = preferences.CaseRef(key, &cs[i])
	}
	return refs
}

// maxSuggestions is how many groups an overview suggests at most: an
// offer, not a list to work through.
const maxSuggestions = 3

// groupsOf are the customer's groups with how many of cs each holds now
// (refs are cs's references; a case gone since is simply not counted),
// and the groups the data suggests: a tag (the life situation a source
// files a case under, Mina ärenden's taggar) or a category that two or
// more cases share and that no group is named after yet. A name counts
// once per case whatever its letter case, and a tag and a category of the
// same name are one suggestion; a name no group could have (over 60
// characters) is not offered. Nothing here is stored: the suggestions
// are worked out again on every overview, and only offered.
func groupsOf(p preferences.Preferences, cs []cases.Case, refs []string) ([]overview.Group, []overview.Suggestion) {
	if refs == nil {
		return nil, nil
	}
	var groups []overview.Group
	for _, g := range p.Groups {
		n := 0
		for _, ref := range refs {
			if slices.Contains(g.Refs, ref) {
				n++
			}
		}
		groups = append(groups, overview.Group{ID: g.ID, Name: g.Name, Count: n})
	}
	if len(p.Groups) >= preferences.MaxGroups {
		return groups, nil
	}
	sameName := func(name string) func(string) bool {
		return func(other string) bool { return strings.EqualFold(other, name) }
	}
	var suggestions []overview.Suggestion
	for i, c := range cs {
		var names []string
		for _, name := range append(slices.Clip(c.Tags), c.Category) {
			// Only a name a group can have is offered: a click on it
			// must make the group.
			name, err := preferences.CleanGroupName(name)
			if err != nil || slices.ContainsFunc(names, sameName(name)) ||
				slices.ContainsFunc(p.Groups, func(g preferences.Group) bool { return sameName(name)(g.Name) }) {
				continue
			}
			names = append(names, name)
			j := slices.IndexFunc(suggestions, func(s overview.Suggestion) bool { return sameName(name)(s.Name) })
			if j < 0 {
				suggestions = append(suggestions, overview.Suggestion{Name: name})
				j = len(suggestions) - 1
			}
			if len(suggestions[j].Refs) < preferences.MaxGroupRefs {
				suggestions[j].Refs = append(suggestions[j].Refs, refs[i])
			}
		}
	}
	suggestions = slices.DeleteFunc(suggestions, func(s overview.Suggestion) bool { return len(s.Refs) < 2 })
	slices.SortStableFunc(suggestions, func(a, b overview.Suggestion) int {
		if d := len(b.Refs) - len(a.Refs); d != 0 {
			return d
		}
		return listing.CompareText(a.Name, b.Name)
	})
	return groups, suggestions[:min(len(suggestions), maxSuggestions)]
}

// views are the cases of cs at the positions idx, in that order, each
// marked new when its date is after the customer's previous visit.
// With a group key, each also gets its reference in the customer's case
// groups and the groups that hold it; the one whose reference is revealed
// (if any) is marked so.
func (k *Kit) views(ctx context.Context, cs []cases.Case, idx []int, p preferences.Preferences, key []byte, revealed string) []overview.CaseView {
	link := k.linker(ctx)
	out := make([]overview.CaseView, len(idx))
	for n, i := range idx {
		v := &out[n]
		v.Case = &cs[i]
		v.New = p.IsNew(v.Date)
		if key != nil {
			v.Ref = preferences.CaseRef(key, v.Case)
			v.Groups = p.GroupsOf(v.Ref)
			v.Revealed = revealed != "" && v.Ref == revealed
		}
		if l, ok := link(v.Case); ok {
			v.Link = l
		} else {
			v.Info = k.info(ctx, v.Case)
		}
	}
	return out
}

// info is the information page for a case without a usable link: the
// portal's own page for this case (Config.InfoPath), else the producer's.
func (k *Kit) info(ctx context.Context, c *cases.Case) string {
	if k.links != nil && k.cfg.InfoPath != "" {
		if u, ok := k.links.Info(ctx, k.cfg.InfoPath, c); ok {
			return u
		}
	}
	return k.cfg.InfoURL(c.Sender.ID)
}

// contacts are the customer services of the senders, as the producer
// directory has them: every case's detail says whom to ask.
func (k *Kit) contacts(senders []cases.Actor) []overview.Contact {
	var out []overview.Contact
	for _, a := range senders {
		if info, ok := k.cfg.Producers.Lookup(a.ID); ok {
			out = append(out, overview.Contact{Producer: a.ID, CustomerService: info.CustomerService})
		}
	}
	return out
}

// linker is what gives each case of one overview its link, if any.
func (k *Kit) linker(ctx context.Context) func(*cases.Case) (string, bool) {
	var rewrite func(*cases.Case) (string, bool)
	if k.cfg.Links != nil {
		rewrite = k.cfg.Links(ctx) // checks the allow-list itself
	}
	return func(c *cases.Case) (string, bool) {
		switch {
		case c.Link == "":
			return "", false
		case rewrite != nil:
			return rewrite(c)
		case k.cfg.Producers.Allows(c.Sender.ID, c.Link):
			return c.Link, true
		}
		return "", false
	}
}

// DefaultQuery is the query applied when the request gives none.
func (k *Kit) DefaultQuery() listing.Query { return k.query }
