package preferences

import "time"

// Consent is the record of a customer's consent to the overview: which
// version of the portal's consent text they agreed to, and when. Nothing
// else: not what was shown, not a case. Withdrawing the consent deletes the
// record with every other preference (Store.Delete).
//
// Why it lives here: it belongs to the same pseudonymous customer as the
// rest of the preferences and must go with them, so one store, one key and
// one Delete keep the promise that withdrawal leaves nothing behind.
type Consent struct {
	Version int       `json:"version"`
	Given   time.Time `json:"given"`
}

// MaxConsentVersion bounds the version a stored record may carry.
const MaxConsentVersion = 1000

// IsZero reports whether no consent is recorded.
func (c Consent) IsZero() bool { return c.Version == 0 && c.Given.IsZero() }

// Covers reports whether the consent was given to version (or a later one
// of) the portal's consent text: a portal that changes what it shows raises
// its version and asks again.
func (c Consent) Covers(version int) bool { return !c.IsZero() && c.Version >= version }

// KeepConsent returns p with the consent of stored: the consent is given on
// its own step, never by a form or request that saves other choices.
func (p Preferences) KeepConsent(stored Preferences) Preferences {
	p.Consent = stored.Consent
	return p
}
