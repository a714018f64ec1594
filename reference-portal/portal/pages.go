package portal

import (
	"bytes"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"github.com/arendevy/arendevy/kit"
	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/localpath"
	"github.com/arendevy/arendevy/kit/notification"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/producers"
	"github.com/arendevy/arendevy/kit/session"
	"github.com/arendevy/arendevy/kit/websec"
)

// langCookie remembers the language the user chose. It holds a language
// code of the portal ("sv", "fi"), nothing personal.
const langCookie = "arendevy-lang"

// view is what every page template gets.
type view struct {
	L         *i18n.Localizer
	Theme     string
	Title     string
	Path      string
	Return    string       // the page with its listing query: the language switch keeps the overview's sorting and filters
	Languages []langChoice // the language switch: every language of the portal, the page's own among them
	PortalCSS string
	Head      []template.HTML // the element's <link>/<script> tags, on pages that show it
	User      string          // the logged-in user's name, for the header
	ActingFor string          // whose cases the user sees as agent (ombud) or representative; "" for their own
	CSRF      string
	LogoutURL string
	Flash     string
	Page      any
}

// langChoice is one language of the switch, named in its own language
// ("Suomi" on a Swedish page too), so a reader finds theirs, and written
// in its own direction (Arabic right to left on a Swedish page).
type langChoice struct {
	Code, Dir, Name string
}

// returnTo is where the language switch comes back to: the page, with the
// overview's sorting and filters rebuilt from what the listing accepts. The
// raw query is the visitor's own text; written back beside the page's
// secrets in a compressed body it would help guess them (BREACH), so an
// address the listing refuses comes back without its query.
func returnTo(u *url.URL) string {
	q, err := listing.Parse(u.Query(), listing.Default())
	if err != nil || len(u.RawQuery) == 0 {
		return u.Path
	}
	return u.Path + "?" + q.Values().Encode()
}

func (p *Portal) localizer(c *gin.Context) *i18n.Localizer {
	var prefs []string
	if v, err := c.Cookie(langCookie); err == nil {
		prefs = append(prefs, v)
	}
	prefs = append(prefs, c.GetHeader("Accept-Language"))
	return p.bundle.Localizer(prefs...)
}

func (p *Portal) view(c *gin.Context, titleID string) view {
	l := p.localizer(c)
	v := view{L: l, Theme: p.o.Theme, Title: l.Text(titleID), Path: c.Request.URL.Path, Return: returnTo(c.Request.URL), PortalCSS: p.cssPath,
		LogoutURL: p.mount + "/saml/logout", Languages: p.langs}
	if d, ok := p.o.Sessions.Current(c.Request); ok {
		v.User = d.Subject.User.Name
		if d.Subject.IsAgent() {
			v.ActingFor = d.Subject.ActingFor.Name
		}
		v.CSRF = websec.MaskToken(d.CSRF) // masked afresh per page: see websec.MaskToken
	}
	return v
}

func (p *Portal) subject(c *gin.Context) (identity.Subject, bool) {
	return identity.FromContext(c.Request.Context())
}

// requireLogin sends a visitor without a sufficient login to e-legitimation,
// coming back to the page they asked for.
func (p *Portal) requireLogin(c *gin.Context) (identity.Subject, bool) {
	s, ok := p.subject(c)
	if !ok {
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusSeeOther, p.o.LoginURL(c.Request.URL.Path))
	}
	return s, ok
}

// SignedOutPath is where the kit sends a link to a case followed without a
// session (kit.View.SignedOutURL): the start page, which says why and
// offers the login, back to the overview. The case's own link is bound to
// the session that ended, so the new login cannot return to it.
const SignedOutPath = "/?utloggad=arende"

type startPage struct {
	Demo     bool
	LoginURL string
}

func (p *Portal) start(c *gin.Context) {
	v := p.view(c, "portal.start.title")
	if c.Query("utloggad") == "1" && v.User == "" {
		v.Flash = v.L.Text("portal.start.loggedOut")
	}
	if c.Query("utloggad") == "arende" && v.User == "" {
		v.Flash = v.L.Text("portal.signedOut.notice")
	}
	if c.Query("samtycke") == "senare" && v.User != "" {
		v.Flash = v.L.Text("portal.consent.notNow")
	}
	v.Page = startPage{Demo: p.o.Demo, LoginURL: p.o.LoginURL("/mina-arenden")}
	p.render(c, http.StatusOK, "start", v)
}

type casesPage struct {
	Trust      string // the trust line: who approved the service
	Principals []session.Principal
	ActForURL  string
	Overview   template.HTML
}

func (p *Portal) cases(c *gin.Context) {
	s, ok := p.requireLogin(c)
	if !ok {
		return
	}
	if !p.consentFirst(c, s) {
		return
	}
	v := p.view(c, "portal.cases.title")
	page := casesPage{ActForURL: p.mount + "/act-for", Trust: p.trust(v.L)}
	if c.Query("aktiverad") == "1" {
		v.Flash = v.L.Text("portal.consent.activated")
	}
	if ps, err := p.o.Sessions.Principals(c.Request); err == nil && len(ps) > 1 {
		page.Principals = ps
	}
	if ok, wait := p.o.Kit.Admit(c.Request); !ok {
		// A refresh storm: the page says so and no source is asked. No
		// element either, which would only ask again.
		c.Header("Retry-After", strconv.Itoa(kit.RetryAfterSeconds(wait)))
		v.Flash = v.L.Text("problem.tooManyRequests.detail")
		v.Page = page
		p.render(c, http.StatusTooManyRequests, "cases", v)
		return
	}
	head, fragment, err := p.overview(c, s, v.L)
	if err != nil {
		p.o.Logger.Error("rendering the overview failed", slog.String("error", err.Error()))
	}
	v.Head, page.Overview = head, fragment
	v.Page = page
	p.render(c, http.StatusOK, "cases", v)
}

// info is the information page of a case without an e-service, in the
// portal's layout: the producer, the case number to quote and how to reach
// its customer service (kit.RenderInfo), and the way back to the overview.
func (p *Portal) info(c *gin.Context) {
	subject, ok := p.requireLogin(c)
	if !ok {
		return
	}
	v := p.view(c, "portal.cases.title")
	var body bytes.Buffer
	page, err := p.o.Kit.RenderInfo(c.Request.Context(), &body, subject, c.Param("token"), v.L.Lang())
	if err != nil {
		p.o.Logger.Error("rendering the information page failed", slog.String("error", err.Error()))
		c.Status(http.StatusInternalServerError)
		return
	}
	// The address carries a token: the language switch comes back to the
	// overview rather than write it back into the page (see notFound).
	v.Return = "/mina-arenden"
	v.Title = page.Title
	v.Page = template.HTML(body.String()) // rendered by html/template in the kit
	p.render(c, page.Status, "info", v)
}

type aboutPage struct {
	Responsible string
	Trust       string
}

func (p *Portal) about(c *gin.Context) {
	v := p.view(c, "portal.about.title")
	v.Page = aboutPage{
		Responsible: v.L.Text("portal.brand." + p.o.Theme + ".name"),
		Trust:       p.trust(v.L),
	}
	p.render(c, http.StatusOK, "about", v)
}

func (p *Portal) trust(l *i18n.Localizer) string {
	if t := p.o.Trust[l.Lang()]; t != "" {
		return t
	}
	return p.o.Kit.TrustLine(l.Lang())
}

// switchLanguage remembers the chosen language and goes back. The return
// target is a local path only, never another site.
func (p *Portal) switchLanguage(c *gin.Context) {
	lang := c.Param("lang")
	if !slices.ContainsFunc(p.bundle.Languages(), func(t language.Tag) bool { return t.String() == lang }) {
		p.notFound(c)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: c.Request.TLS != nil, SameSite: http.SameSiteLaxMode})
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, localpath.Or(c.Query("return"), "/"))
}

func (p *Portal) notFound(c *gin.Context) {
	v := p.view(c, "portal.error.notFound")
	// The path is the visitor's own text: it must not come back beside the
	// CSRF token in a compressed page (BREACH), so the language link
	// returns to the start page.
	v.Path, v.Return = "/", "/"
	v.Page = v.L.Text("portal.error.notFoundText")
	p.render(c, http.StatusNotFound, "error", v)
}

// settingsPage is the settings form.
type settingsPage struct {
	Customer    string
	Prefs       preferences.Preferences
	Actors      []producers.Info
	SortKeys    []listing.Key
	NotifyModes []preferences.NotifyMode
	Errors      []fieldError
	// Notify is the notification part of the form; nil when this
	// portal's source sends no notifications (the page says so).
	Notify *notifyForm
	// OutboxURL is the development outbox, when the portal has one.
	OutboxURL string
	// WithdrawURL is the page that withdraws the consent, when one is asked.
	WithdrawURL string
	// GroupsAction is where the case groups' forms post (the kit's
	// {mount}/api/groups); empty when the store keeps no groups.
	GroupsAction string
}

// Invalid reports whether field has an error, for aria-invalid.
func (s settingsPage) Invalid(field string) bool {
	return slices.ContainsFunc(s.Errors, func(e fieldError) bool { return e.Field == field })
}

type fieldError struct{ Field, Message string }

// Hidden reports whether the actor is hidden, for the template.
func (s settingsPage) Hidden(id string) bool { return slices.Contains(s.Prefs.HiddenActors, id) }

// Notified reports whether the actor is chosen for notifications.
func (s settingsPage) Notified(id string) bool { return slices.Contains(s.Prefs.Notify.Actors, id) }

func (p *Portal) settingsView(c *gin.Context, s identity.Subject, prefs preferences.Preferences) (view, settingsPage) {
	v := p.view(c, "portal.settings.title")
	page := settingsPage{
		Customer:     s.Customer().Name,
		Prefs:        prefs,
		Actors:       p.o.Producers.All(),
		SortKeys:     []listing.Key{listing.ByDate, listing.BySender, listing.ByStatus, listing.ByTitle},
		NotifyModes:  []preferences.NotifyMode{preferences.NotifyAll, preferences.NotifyActors, preferences.NotifyActionRequired},
		GroupsAction: p.groupsAction(),
	}
	if p.o.Outbox != nil {
		page.OutboxURL = OutboxPath
	}
	if p.o.Kit.ConsentRequired() {
		page.WithdrawURL = WithdrawPath
	}
	return v, page
}

// groupsAction is the kit's route for the case groups, when the
// preferences store keeps them.
func (p *Portal) groupsAction() string {
	if _, ok := p.o.Preferences.(preferences.GroupKeyer); ok {
		return p.mount + "/api/groups"
	}
	return ""
}

func (p *Portal) settings(c *gin.Context) {
	s, ok := p.requireLogin(c)
	if !ok {
		return
	}
	if !p.consentFirst(c, s) {
		return
	}
	prefs, err := p.o.Preferences.Get(c.Request.Context(), s.Customer())
	if err != nil {
		p.o.Logger.Warn("reading preferences failed", slog.String("error", err.Error()))
		prefs = preferences.Default()
	}
	v, page := p.settingsView(c, s, prefs)
	var notifyErr error
	page.Notify, notifyErr = p.storedNotifyForm(c.Request.Context(), s)
	switch {
	case err != nil: // the form shows the defaults, not what they saved: say so
		v.Flash = v.L.Text("state.preferences.unavailable")
	case notifyErr != nil:
		v.Flash = v.L.Text("portal.notifications.unavailable")
	case c.Query("sparat") == "1":
		v.Flash = v.L.Text("portal.settings.saved")
	}
	v.Page = page
	p.render(c, http.StatusOK, "settings", v)
}

// saveSettings validates the form whole; on any problem the form comes back
// with what the user chose and an error summary linking to each field.
func (p *Portal) saveSettings(c *gin.Context) {
	s, ok := p.requireLogin(c)
	if !ok {
		return
	}
	if !p.consentFirst(c, s) {
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	form := c.Request.PostForm
	// What the kit recorded (visits, consent) is kept; without it nothing
	// is saved, or the consent would be lost with it.
	stored, err := p.o.Preferences.Get(c.Request.Context(), s.Customer())
	if err != nil {
		p.o.Logger.Error("reading preferences failed", slog.String("error", err.Error()))
		v, page := p.settingsView(c, s, preferences.Default())
		page.Notify, _ = p.postedNotifyForm(form, preferences.Default().Notify) // what they chose, offered again
		page.Errors = []fieldError{{Field: "sort", Message: v.L.Text("portal.settings.unavailable")}}
		v.Page = page
		p.render(c, http.StatusServiceUnavailable, "settings", v)
		return
	}
	prefs := preferences.Preferences{
		Sort:         listing.Key(form.Get("sort")),
		Descending:   form.Get("order") == "desc",
		ShowClosed:   form.Get("closed") == "1",
		Discreet:     form.Get("discreet") == "1",
		HiddenActors: form["hide"],
		Notify:       preferences.Notify{Mode: preferences.NotifyMode(form.Get("notify"))},
	}
	if prefs.Notify.Mode == preferences.NotifyActors {
		prefs.Notify.Actors = form["notifyActor"]
	}
	if p.o.Kit.AccountSettings() == nil {
		// No notifications are offered: the form has no scope to change.
		prefs.Notify = stored.Notify
	}
	// The case groups are not part of this form: they stay as stored.
	prefs = prefs.KeepVisits(stored).KeepConsent(stored).KeepGroups(stored)
	v, page := p.settingsView(c, s, prefs)
	page.Errors = p.checkSettings(v.L, form, prefs)
	var notify notification.Settings
	page.Notify, notify = p.postedNotifyForm(form, prefs.Notify)
	page.Errors = append(page.Errors, p.checkNotify(v.L, page.Notify, &notify)...)
	if len(page.Errors) == 0 {
		err := p.o.Preferences.Put(c.Request.Context(), s.Customer(), prefs)
		var ve *preferences.ValidationError
		switch {
		case err == nil:
			if err := p.saveNotify(c.Request.Context(), s, page.Notify, notify); err != nil {
				p.o.Logger.Error("saving notification settings failed", slog.String("error", err.Error()))
				page.Errors = []fieldError{{Field: "channel-none", Message: v.L.Text("portal.notifications.notSaved")}}
				break
			}
			c.Redirect(http.StatusSeeOther, "/installningar?sparat=1")
			return
		case errors.As(err, &ve):
			page.Errors = []fieldError{{Field: "sort", Message: v.L.Text("portal.settings.err.sort")}}
		default:
			p.o.Logger.Error("saving preferences failed", slog.String("error", err.Error()))
			page.Errors = []fieldError{{Field: "sort", Message: v.L.Text("portal.settings.unavailable")}}
		}
	}
	v.Page = page
	p.render(c, http.StatusUnprocessableEntity, "settings", v)
}

func (p *Portal) checkSettings(l *i18n.Localizer, form url.Values, prefs preferences.Preferences) []fieldError {
	var errs []fieldError
	switch prefs.Sort {
	case listing.ByDate, listing.BySender, listing.ByStatus, listing.ByTitle:
	default:
		errs = append(errs, fieldError{"sort", l.Text("portal.settings.err.sort")})
	}
	if o := form.Get("order"); o != "asc" && o != "desc" {
		errs = append(errs, fieldError{"order-desc", l.Text("portal.settings.err.order")})
	}
	known := func(ids []string) bool {
		for _, id := range ids {
			if _, ok := p.o.Producers.Lookup(id); !ok {
				return false
			}
		}
		return true
	}
	if !known(prefs.HiddenActors) {
		errs = append(errs, fieldError{"hide-0", l.Text("portal.settings.err.actor")})
	}
	switch prefs.Notify.Mode {
	case preferences.NotifyAll, preferences.NotifyActionRequired:
	case preferences.NotifyActors:
		if len(prefs.Notify.Actors) == 0 {
			errs = append(errs, fieldError{"notify-actor-0", l.Text("portal.settings.err.notifyActors")})
		} else if !known(prefs.Notify.Actors) {
			errs = append(errs, fieldError{"notify-actor-0", l.Text("portal.settings.err.actor")})
		}
	default:
		errs = append(errs, fieldError{"notify-all", l.Text("portal.settings.err.notify")})
	}
	return errs
}
