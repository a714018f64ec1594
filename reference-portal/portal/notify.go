package portal

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/memory"
	"github.com/arendevy/arendevy/kit/notification"
	"github.com/arendevy/arendevy/kit/preferences"
	"github.com/arendevy/arendevy/kit/producers"
)

// The pages of the consent step, its withdrawal and the development outbox.
const (
	ConsentPath  = "/samtycke"
	WithdrawPath = "/installningar/aterkalla"
	OutboxPath   = "/utveckling/utskick"
)

// noNotifications is the form's choice of no channel: nothing kept at the
// hub, nobody notified.
const noNotifications = "none"

// notifyForm is the notification part of the settings form, as shown or
// as posted. The scope is the preferences' Notify, in the same form.
type notifyForm struct {
	Channel     string // a notification.Channel or noNotifications
	Address     string
	Frequency   string
	Channels    []string
	Frequencies []notification.Frequency
}

func newNotifyForm(channel, address, frequency string) *notifyForm {
	f := &notifyForm{Channel: channel, Address: address, Frequency: frequency, Frequencies: notification.Frequencies,
		Channels: []string{noNotifications}}
	for _, ch := range notification.Channels {
		f.Channels = append(f.Channels, string(ch))
	}
	return f
}

// storedNotifyForm is the form filled from the account settings; nil when
// no notifications are offered. When they cannot be read the form shows
// none, and the error says so.
func (p *Portal) storedNotifyForm(ctx context.Context, s identity.Subject) (*notifyForm, error) {
	as := p.o.Kit.AccountSettings()
	if as == nil {
		return nil, nil
	}
	settings, found, err := as.Get(ctx, s.Customer())
	if err != nil || !found {
		return newNotifyForm(noNotifications, "", string(notification.Immediately)), err
	}
	return newNotifyForm(string(settings.Channel), settings.Address, string(settings.Frequency)), nil
}

// postedNotifyForm is the form as posted, and the settings it asks for.
func (p *Portal) postedNotifyForm(form url.Values, scope preferences.Notify) (*notifyForm, notification.Settings) {
	if p.o.Kit.AccountSettings() == nil {
		return nil, notification.Settings{}
	}
	f := newNotifyForm(form.Get("channel"), form.Get("address"), form.Get("frequency"))
	return f, notification.Settings{Channel: notification.Channel(f.Channel), Address: f.Address,
		Frequency: notification.Frequency(f.Frequency), Scope: scope}
}

// checkNotify validates the notification choices (scope aside: checkSettings
// has it) and normalises settings in place; each problem links to its field.
func (p *Portal) checkNotify(l *i18n.Localizer, f *notifyForm, settings *notification.Settings) []fieldError {
	if f == nil || f.Channel == noNotifications {
		return nil
	}
	if !slices.Contains(f.Channels, f.Channel) {
		return []fieldError{{"channel-none", l.Text("portal.notifications.err.channel")}}
	}
	normal, err := notification.Normalize(*settings)
	var ve *notification.ValidationError
	if !errors.As(err, &ve) {
		*settings = normal
		return nil
	}
	var errs []fieldError
	if ve.Field("address") {
		id := "portal.notifications.err." + f.Channel
		if settings.Channel == notification.MinaMeddelanden {
			id = "portal.notifications.err.addressNotUsed"
		}
		errs = append(errs, fieldError{"address", l.Text(id)})
	}
	if ve.Field("frequency") {
		errs = append(errs, fieldError{"frequency-immediately", l.Text("portal.notifications.err.frequency")})
	}
	return errs
}

// saveNotify sends the choice to whoever sends notifications: the settings,
// or a delete when the customer wants none. The view keeps none of it.
func (p *Portal) saveNotify(ctx context.Context, s identity.Subject, f *notifyForm, settings notification.Settings) error {
	as := p.o.Kit.AccountSettings()
	switch {
	case as == nil:
		return nil
	case f.Channel == noNotifications:
		return as.Delete(ctx, s.Customer())
	}
	return as.Put(ctx, s.Customer(), settings)
}

// consentPage is the consent step: what is shown, from whom, that nothing
// about a case is kept, and how to withdraw.
type consentPage struct {
	Actors []producers.Info
	Action string
}

// renderConsent shows the consent step at the address asked for (the
// overview's, before consent).
func (p *Portal) renderConsent(c *gin.Context, flash string) {
	v := p.view(c, "portal.consent.title")
	v.Flash = flash
	v.Page = consentPage{Actors: p.o.Producers.All(), Action: ConsentPath}
	p.render(c, http.StatusOK, "consent", v)
}

// consentFirst reports whether the page may go on: before the customer's
// consent, when one is asked, the page's address shows the consent step
// instead, so that no source is asked and nothing is saved for a customer
// who has not activated the overview. A consent that cannot be read is
// neither: the page says the settings are unavailable.
func (p *Portal) consentFirst(c *gin.Context, s identity.Subject) bool {
	given, err := p.o.Kit.Consented(c.Request.Context(), s)
	switch {
	case err != nil:
		p.o.Logger.Error("reading the consent failed", slog.String("error", err.Error()))
		v := p.view(c, "portal.cases.title")
		v.Flash = v.L.Text("problem.settingsUnavailable.detail")
		v.Page = casesPage{}
		p.render(c, http.StatusServiceUnavailable, "cases", v)
		return false
	case !given:
		flash := ""
		if c.Query("aterkallat") == "1" {
			flash = p.localizer(c).Text("portal.withdraw.done")
		}
		p.renderConsent(c, flash)
		return false
	}
	return true
}

// consent is the consent page the element links to; once given, or when
// none is asked, it leads to the overview.
func (p *Portal) consent(c *gin.Context) {
	s, ok := p.requireLogin(c)
	if !ok {
		return
	}
	if given, err := p.o.Kit.Consented(c.Request.Context(), s); err == nil && given {
		c.Header("Cache-Control", "no-store")
		c.Redirect(http.StatusSeeOther, "/mina-arenden")
		return
	}
	p.renderConsent(c, "")
}

// giveConsent records the consent ("Aktivera") or leaves without it
// ("Inte nu"), back to the start page, which says the overview waits.
func (p *Portal) giveConsent(c *gin.Context) {
	s, ok := p.requireLogin(c)
	if !ok {
		return
	}
	c.Header("Cache-Control", "no-store")
	if c.PostForm("action") != "activate" {
		c.Redirect(http.StatusSeeOther, "/?samtycke=senare")
		return
	}
	if err := p.o.Kit.GiveConsent(c.Request.Context(), s); err != nil {
		p.o.Logger.Error("saving the consent failed", slog.String("error", err.Error()))
		p.renderConsent(c, p.localizer(c).Text("portal.consent.failed"))
		return
	}
	c.Redirect(http.StatusSeeOther, "/mina-arenden?aktiverad=1")
}

// withdrawPage confirms the withdrawal: a form, so that it works without
// JavaScript and a link followed by accident deletes nothing.
type withdrawPage struct{ Action string }

func (p *Portal) confirmWithdraw(c *gin.Context) {
	if _, ok := p.requireLogin(c); !ok {
		return
	}
	v := p.view(c, "portal.withdraw.title")
	v.Page = withdrawPage{Action: WithdrawPath}
	p.render(c, http.StatusOK, "withdraw", v)
}

// withdraw deletes the consent, every preference and the notification
// settings at the hub; the overview then asks for consent again.
func (p *Portal) withdraw(c *gin.Context) {
	s, ok := p.requireLogin(c)
	if !ok {
		return
	}
	if err := p.o.Kit.WithdrawConsent(c.Request.Context(), s); err != nil {
		p.o.Logger.Error("withdrawing the consent failed", slog.String("error", err.Error()))
		v := p.view(c, "portal.withdraw.title")
		v.Flash = v.L.Text("portal.withdraw.failed")
		v.Page = withdrawPage{Action: WithdrawPath}
		p.render(c, http.StatusServiceUnavailable, "withdraw", v)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, "/mina-arenden?aterkallat=1")
}

// Outbox is the development outbox: what the demo's notifier would send,
// and a control that simulates a change of a demo persona's case.
type Outbox struct {
	Notifier *memory.Notifier
	Personas []memory.Persona
}

// outboxPage is the development outbox.
type outboxPage struct {
	Action   string
	Personas []identity.Party
	Actors   []producers.Info
	Statuses []cases.Status
	Messages []outboxMessage
}

// outboxMessage is one message as the page shows it: the channel, the
// address, how often and the text, never anything about the case.
type outboxMessage struct {
	At, When, Channel, To, Frequency, Text string
}

// parties are the customers a change can be simulated for: each persona
// and whom they act for, once each.
func (o *Outbox) parties() []identity.Party {
	var out []identity.Party
	for _, ps := range o.Personas {
		for _, party := range append([]identity.Party{ps.Party}, ps.ActsFor...) {
			if !slices.ContainsFunc(out, func(q identity.Party) bool { return q.Number == party.Number }) {
				out = append(out, party)
			}
		}
	}
	return out
}

func (p *Portal) outbox(c *gin.Context) {
	if _, ok := p.requireLogin(c); !ok {
		return
	}
	p.renderOutbox(c, http.StatusOK, "")
}

func (p *Portal) renderOutbox(c *gin.Context, status int, flash string) {
	v := p.view(c, "portal.outbox.title")
	v.Flash = flash
	page := outboxPage{Action: OutboxPath, Personas: p.o.Outbox.parties(), Actors: p.o.Producers.All(),
		Statuses: []cases.Status{cases.Received, cases.InProgress, cases.ActionRequired, cases.Closed}}
	for _, m := range p.o.Outbox.Notifier.Outbox() {
		page.Messages = append(page.Messages, p.outboxMessage(v.L, m))
	}
	v.Page = page
	p.render(c, status, "outbox", v)
}

// outboxMessage words a message in the page's language: what the customer
// would read, naming the producer and where to log in, and nothing else.
func (p *Portal) outboxMessage(l *i18n.Localizer, m memory.Message) outboxMessage {
	to := m.Address
	if m.Channel == notification.MinaMeddelanden {
		to = l.Text("portal.outbox.mailbox", "Name", m.To)
	}
	frequency := l.Text("portal.notifications.frequency." + string(m.Frequency))
	if m.Digest {
		frequency += " – " + l.Text("portal.outbox.digest."+string(m.Frequency))
	}
	portalName := l.Text("portal.brand."+p.o.Theme+".service") + " – " + l.Text("portal.brand."+p.o.Theme+".name")
	return outboxMessage{
		At: m.At.UTC().Format("2006-01-02T15:04:05Z"), When: l.Date(m.At),
		Channel: l.Text("portal.notifications.channel." + string(m.Channel)), To: to, Frequency: frequency,
		Text: l.Text("portal.outbox.text", "Producer", m.Producer.Name, "Portal", portalName, "URL", p.o.PublicURL),
	}
}

// simulate is a demo producer telling the demo hub that a case changed:
// the persona's choices decide what the outbox gets.
func (p *Portal) simulate(c *gin.Context) {
	if _, ok := p.requireLogin(c); !ok {
		return
	}
	l := p.localizer(c)
	parties := p.o.Outbox.parties()
	i, err := strconv.Atoi(c.PostForm("persona"))
	producer, known := p.o.Producers.Lookup(c.PostForm("producer"))
	status := cases.Status(c.PostForm("status"))
	if err != nil || i < 0 || i >= len(parties) || !known || !status.Valid() {
		p.renderOutbox(c, http.StatusUnprocessableEntity, l.Text("portal.outbox.result.invalid"))
		return
	}
	party := parties[i]
	outcome, m := p.o.Outbox.Notifier.Simulate(party, cases.Actor{ID: producer.ID, Name: producer.Name}, status)
	id := map[memory.Outcome]string{memory.Sent: "sent", memory.NotWanted: "notWanted", memory.NoSettings: "noSettings"}[outcome]
	if outcome == memory.Queued {
		id = string(m.Frequency)
	}
	p.renderOutbox(c, http.StatusOK, l.Text("portal.outbox.result."+id, "Name", party.Name))
}
