package kit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/localpath"
	"github.com/arendevy/arendevy/kit/notification"
	"github.com/arendevy/arendevy/kit/preferences"
)

// Consent is the consent step: the customer activates the overview with
// informed, explicit and revocable consent before any case is fetched for
// them (domain: consent at activation). The kit owns the rule and the
// record; the portal owns the page that informs and asks, in its own
// layout, and calls GiveConsent and WithdrawConsent.
//
// The record is a version and a time in the customer's preferences, under
// the same pseudonym, and nothing else (preferences.Consent). Withdrawing
// deletes the customer's preferences whole and their notification settings
// at the hub.
type Consent struct {
	// Required turns the step on: until the customer has consented, the
	// overview API answers 403 with the problem type ConsentRequiredType
	// and the consent page in "consent", RenderPage and a followed link
	// return ErrConsentRequired, and no source is asked. Needs Preferences.
	Required bool
	// Page is the portal's consent page, a path of this site ("/samtycke"):
	// the element links there.
	Page string
	// Version is the version of the portal's consent text; default 1.
	// Raise it when the text changes what the customer agrees to: everyone
	// is asked again.
	Version int
}

// ConsentRequiredType is the problem type of the overview's 403 before
// consent.
const ConsentRequiredType = "urn:arendevy:problem:consent-required"

// ErrConsentRequired is returned for a customer who has not consented to
// the overview, when Consent.Required.
var ErrConsentRequired = errors.New("kit: the customer has not consented to the overview")

func (cfg *Config) checkConsent() []string {
	c := &cfg.Consent
	if !c.Required {
		return nil
	}
	var problems []string
	if cfg.Preferences == nil {
		problems = append(problems, "Consent: needs Preferences, which keep the consent record")
	}
	if localpath.Check(c.Page) != nil {
		problems = append(problems, "Consent.Page: must be a path of this site (\"/samtycke\")")
	}
	if c.Version == 0 {
		c.Version = 1
	}
	if c.Version < 1 || c.Version > preferences.MaxConsentVersion {
		problems = append(problems, fmt.Sprintf("Consent.Version: from 1 to %d", preferences.MaxConsentVersion))
	}
	return problems
}

// ConsentRequired reports whether the portal asks for consent.
func (k *Kit) ConsentRequired() bool { return k.cfg.Consent.Required }

// Consented reports whether subject's customer may see the overview: true
// when no consent is required. An error means the record could not be
// read: neither yes nor no.
func (k *Kit) Consented(ctx context.Context, subject identity.Subject) (bool, error) {
	if !k.cfg.Consent.Required {
		return true, nil
	}
	p, err := k.cfg.Preferences.Get(ctx, subject.Customer())
	if err != nil {
		return false, fmt.Errorf("kit: reading the consent: %w", err)
	}
	return p.Consent.Covers(k.cfg.Consent.Version), nil
}

// requireConsent is nil when the overview may be compiled for subject,
// ErrConsentRequired when the customer has not consented, or the error
// reading the record.
func (k *Kit) requireConsent(ctx context.Context, subject identity.Subject) error {
	ok, err := k.Consented(ctx, subject)
	switch {
	case err != nil:
		return err
	case !ok:
		return ErrConsentRequired
	}
	return nil
}

// GiveConsent records that subject's customer consents to the overview,
// keeping their other preferences.
func (k *Kit) GiveConsent(ctx context.Context, subject identity.Subject) error {
	if !k.cfg.Consent.Required {
		return errors.New("kit: no consent is asked for (Consent.Required is off)")
	}
	p, err := k.cfg.Preferences.Get(ctx, subject.Customer())
	if err != nil {
		return fmt.Errorf("kit: reading preferences: %w", err)
	}
	p.Consent = preferences.Consent{Version: k.cfg.Consent.Version, Given: k.cfg.Now().UTC().Truncate(time.Second)}
	if err := k.cfg.Preferences.Put(ctx, subject.Customer(), p); err != nil {
		return fmt.Errorf("kit: saving the consent: %w", err)
	}
	return nil
}

// WithdrawConsent forgets everything kept for subject's customer: first
// their notification settings at the hub (so that nobody is notified about
// an overview they left), then their preferences with the consent record.
// When the hub cannot be told, nothing is deleted and the error says so:
// the customer can try again, and is never left notified without consent.
// It works whether or not consent is required, so it is also how a
// customer clears their settings.
func (k *Kit) WithdrawConsent(ctx context.Context, subject identity.Subject) error {
	if s := k.cfg.AccountSettings; s != nil {
		if err := s.Delete(ctx, subject.Customer()); err != nil {
			return fmt.Errorf("kit: deleting the notification settings: %w", err)
		}
	}
	if k.cfg.Preferences != nil {
		if err := k.cfg.Preferences.Delete(ctx, subject.Customer()); err != nil {
			return fmt.Errorf("kit: deleting preferences: %w", err)
		}
	}
	return nil
}

// writeConsentProblem answers the 403 of an overview before consent: the
// problem names the consent page, which the element links to.
func (k *Kit) writeConsentProblem(w http.ResponseWriter, r *http.Request) {
	p := k.newProblem(r, http.StatusForbidden, "consentRequired")
	p.Type = ConsentRequiredType
	p.Consent = k.cfg.Consent.Page
	writeProblem(w, p)
}

// AccountSettings is where the customers' notification settings go
// (Config.AccountSettings); nil when this portal's source sends none.
func (k *Kit) AccountSettings() notification.AccountSettings { return k.cfg.AccountSettings }

// consentState is the answer of GET {mount}/api/consent.
type consentState struct {
	Given   bool   `json:"given"`
	Version int    `json:"version"` // of the consent text the customer is asked about
	Page    string `json:"page"`    // the portal's consent page
}

// serveConsent answers {mount}/api/consent, the consent step for a portal
// that does not call the kit in Go: GET says whether the customer has
// consented, PUT gives the consent (204), DELETE withdraws it (204), as
// GiveConsent and WithdrawConsent do.
func (k *Kit) serveConsent(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	subject, ok := k.subject(w, r)
	if !ok {
		return
	}
	var err error
	switch r.Method {
	case http.MethodGet:
		var given bool
		if given, err = k.Consented(r.Context(), subject); err == nil {
			writeJSON(w, http.StatusOK, consentState{Given: given, Version: k.cfg.Consent.Version, Page: k.cfg.Consent.Page})
			return
		}
	case http.MethodPut:
		err = k.GiveConsent(r.Context(), subject)
	case http.MethodDelete:
		err = k.WithdrawConsent(r.Context(), subject)
	}
	if err != nil {
		k.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "consent not read or changed", slog.String("error", err.Error()))
		name := "settingsNotSaved"
		if r.Method == http.MethodGet {
			name = "settingsUnavailable"
		}
		writeProblem(w, k.newProblem(r, http.StatusServiceUnavailable, name))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
