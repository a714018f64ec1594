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
	ErrAttributeMarkup   = errors.New("saml: attribute value is not text only")
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
	ErrLogoutSubject     = errors.New("saml: LogoutRequest is not for this session")
	ErrLogoutReplay      = errors.New("saml: LogoutRequest already used")
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

// outcome is what the user is told: a status and the catalogue's message
// saml.failed.<name>. Never anything from the SAML message.
type outcome struct {
	status int
	name   string
}

var (
	generic      = outcome{http.StatusBadRequest, "generic"}
	cancelled    = outcome{http.StatusUnauthorized, "cancelled"}
	tooSlow      = outcome{http.StatusBadRequest, "tooSlow"}
	otherPerson  = outcome{http.StatusForbidden, "otherPerson"}
	unavailable  = outcome{http.StatusServiceUnavailable, "unavailable"}
	logoutFailed = outcome{http.StatusServiceUnavailable, "logout"}
	badReturn    = outcome{http.StatusBadRequest, "badReturn"}
	tooLarge     = outcome{http.StatusRequestEntityTooLarge, "tooLarge"}
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
	// The page speaks every language of the catalogue, the source language
	// first: a failed login may come before anything told us which one.
	var texts []failureText
	for _, tag := range sp.messages.Languages() {
		l := sp.messages.Localizer(tag.String())
		texts = append(texts, failureText{Lang: l.Lang(), Dir: l.Dir(), Heading: l.Text("saml.heading"),
			Message: l.Text("saml.failed." + o.name), Reference: l.Text("saml.reference"), Home: l.Text("saml.home")})
	}
	_ = failurePage.Execute(w, map[string]any{"Texts": texts, "Ref": hex.EncodeToString(ref), "Home": sp.cfg.DefaultReturn})
}

// failureText is the failure page in one language.
type failureText struct{ Lang, Dir, Heading, Message, Reference, Home string }

var failurePage = template.Must(template.New("failure").Parse(`<!doctype html>
<html lang="{{(index .Texts 0).Lang}}" dir="{{(index .Texts 0).Dir}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{range $i, $t := .Texts}}{{if $i}} / {{end}}{{$t.Heading}}{{end}}</title></head>
<body>
<main>
<h1>{{(index .Texts 0).Heading}}</h1>
{{range $i, $t := .Texts}}<p{{if $i}} lang="{{$t.Lang}}" dir="{{$t.Dir}}"{{end}}>{{$t.Message}}</p>
{{end}}<p>{{range $i, $t := .Texts}}{{if $i}} / <span lang="{{$t.Lang}}" dir="{{$t.Dir}}">{{$t.Reference}}</span>{{else}}{{$t.Reference}}{{end}}{{end}}: <code>{{.Ref}}</code></p>
<p>{{range $i, $t := .Texts}}{{if $i}} / {{end}}<a href="{{$.Home}}"{{if $i}} lang="{{$t.Lang}}" dir="{{$t.Dir}}"{{end}}>{{$t.Home}}</a>{{end}}</p>
</main>
</body>
</html>
`))
