package saml

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/arendevy/arendevy/kit/session"
)

// Why a SAML message was refused. Messages never carry content of the
// message itself (no attribute values, no names), so they can be logged.
var (
	ErrTooLarge          = errors.New("saml: message too large")
	ErrMalformed         = errors.New("saml: malformed message")
	ErrDoctype           = errors.New("saml: document type declarations are not allowed")
	ErrUnsigned          = errors.New("saml: not signed")
	ErrSignature         = errors.New("saml: signature not valid")
	ErrWeakAlgorithm     = errors.New("saml: algorithm not allowed")
	ErrWrapped           = errors.New("saml: element in an unexpected place (signature wrapping)")
	ErrAssertionCount    = errors.New("saml: want exactly one assertion")
	ErrDecrypt           = errors.New("saml: cannot decrypt the assertion")
	ErrStatus            = errors.New("saml: the IdP answered with an error status")
	ErrCancelled         = errors.New("saml: the user cancelled the login")
	ErrFraud             = errors.New("saml: the IdP suspects fraud")
	ErrIssuer            = errors.New("saml: issuer is not our IdP")
	ErrDestination       = errors.New("saml: wrong destination")
	ErrRecipient         = errors.New("saml: wrong subject confirmation recipient")
	ErrAudience          = errors.New("saml: audience is not our entity ID")
	ErrExpired           = errors.New("saml: expired")
	ErrNotYetValid       = errors.New("saml: not yet valid")
	ErrMissingElement    = errors.New("saml: required element missing")
	ErrSubjectConfirm    = errors.New("saml: want one bearer subject confirmation")
	ErrLoA               = errors.New("saml: level of assurance not among those requested")
	ErrStaleAuthn        = errors.New("saml: authentication older than the login that forced a new one")
	ErrAttribute         = errors.New("saml: attribute missing, repeated or invalid")
	ErrUnsolicited       = errors.New("saml: unsolicited response")
	ErrUnknownRequest    = errors.New("saml: response to a request this browser did not make")
	ErrRequestMismatch   = errors.New("saml: response to another request")
	ErrRequestExpired    = errors.New("saml: the login took too long")
	ErrRequestReused     = errors.New("saml: request already answered")
	ErrReplay            = errors.New("saml: assertion already used")
	ErrReplayUnavailable = errors.New("saml: replay cache unavailable")
	ErrUnsafeReturn      = errors.New("saml: return target is not a local path")
	ErrLogin             = errors.New("saml: the session could not be started")
	ErrLogout            = errors.New("saml: the session could not be ended")
)

// StatusError is a non-success status from the IdP. It unwraps to
// ErrCancelled, ErrFraud or ErrStatus.
type StatusError struct{ Code, SubCode string }

func (e *StatusError) Error() string {
	s := "saml: IdP status " + e.Code
	if e.SubCode != "" {
		s += " / " + e.SubCode
	}
	return s
}

func (e *StatusError) Unwrap() error {
	switch e.SubCode {
	case StatusCancel:
		return ErrCancelled
	case StatusFraud:
		return ErrFraud
	}
	return ErrStatus
}

// outcome is what the user is told: a status and a message in Swedish and
// English. Never anything from the SAML message.
type outcome struct {
	status int
	sv, en string
}

var (
	generic = outcome{http.StatusBadRequest,
		"Inloggningen kunde inte genomföras. Försök igen.",
		"The login could not be completed. Please try again."}
	cancelled = outcome{http.StatusUnauthorized,
		"Du avbröt inloggningen.",
		"You cancelled the login."}
	tooSlow = outcome{http.StatusBadRequest,
		"Inloggningen tog för lång tid. Försök igen.",
		"The login took too long. Please try again."}
	otherPerson = outcome{http.StatusForbidden,
		"E-legitimationen tillhör en annan person än den som är inloggad på kontot.",
		"The e-identification belongs to another person than the one logged in to the account."}
	unavailable = outcome{http.StatusServiceUnavailable,
		"Inloggningen fungerar inte just nu. Försök igen om en stund.",
		"Logging in does not work right now. Please try again shortly."}
	logoutFailed = outcome{http.StatusServiceUnavailable,
		"Utloggningen kunde inte genomföras. Stäng webbläsaren för att vara säker.",
		"The logout could not be completed. Close the browser to be safe."}
	badReturn = outcome{http.StatusBadRequest,
		"Adressen att återvända till är inte tillåten.",
		"The address to return to is not allowed."}
	tooLarge = outcome{http.StatusRequestEntityTooLarge,
		"Meddelandet är för stort.",
		"The message is too large."}
)

func classify(err error) outcome {
	switch {
	case errors.Is(err, ErrCancelled):
		return cancelled
	case errors.Is(err, ErrRequestExpired):
		return tooSlow
	case errors.Is(err, session.ErrStepUpMismatch):
		return otherPerson
	case errors.Is(err, session.ErrLoANotAccepted), errors.Is(err, session.ErrNoIdentity):
		return generic
	case errors.Is(err, ErrReplayUnavailable), errors.Is(err, ErrLogin):
		return unavailable
	case errors.Is(err, ErrLogout):
		return logoutFailed
	case errors.Is(err, ErrUnsafeReturn):
		return badReturn
	case errors.Is(err, ErrTooLarge):
		return tooLarge
	}
	return generic
}

// fail logs why something was refused, with a reference the user can quote,
// and shows the user a plain page that says nothing about the message.
func (sp *SP) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	o := classify(err)
	ref := make([]byte, 6)
	_, _ = rand.Read(ref)
	level := slog.LevelWarn
	if o.status >= 500 {
		level = slog.LevelError
	}
	if errors.Is(err, ErrFraud) {
		level = slog.LevelError
	}
	sp.cfg.Logger.LogAttrs(r.Context(), level, "saml: "+what+" refused",
		slog.String("ref", hex.EncodeToString(ref)), slog.Any("error", err))
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(o.status)
	_ = failurePage.Execute(w, map[string]string{
		"SV": o.sv, "EN": o.en, "Ref": hex.EncodeToString(ref), "Home": sp.cfg.DefaultReturn,
	})
}

var failurePage = template.Must(template.New("failure").Parse(`<!doctype html>
<html lang="sv">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inloggning / Login</title></head>
<body>
<main>
<h1>Inloggning</h1>
<p>{{.SV}}</p>
<p lang="en">{{.EN}}</p>
<p>Referens / <span lang="en">Reference</span>: <code>{{.Ref}}</code></p>
<p><a href="{{.Home}}">Till startsidan</a> / <a href="{{.Home}}" lang="en">To the start page</a></p>
</main>
</body>
</html>
`))
