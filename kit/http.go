package kit

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/arendevy/arendevy/kit/cases"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/overview"
	"github.com/arendevy/arendevy/kit/websec"
)

// noStore marks a response that carries case data: no cache may keep it, and
// the back button after logout must not show it.
func noStore(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
}

// problem is an RFC 9457 problem details body with the API's own members.
type problem struct {
	websec.Problem
	InvalidParams []listing.InvalidParam `json:"invalid-params,omitempty"`
	Login         string                 `json:"login,omitempty"`   // where to log in, on a 401
	Consent       string                 `json:"consent,omitempty"` // the consent page, on a 403 before consent
}

// newProblem is the catalogue's problem.<name> in the request's language.
func (k *Kit) newProblem(r *http.Request, status int, name string) problem {
	return problem{Problem: websec.NewProblem(r, k.view.bundle, status, name)}
}

func writeProblem(w http.ResponseWriter, p problem) { websec.WriteProblemBody(w, p.Status, p) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// serveOverview answers GET {mount}/api/overview: the subject's overview,
// sorted and filtered by the request's parameters over their preferences.
func (k *Kit) serveOverview(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	subject, ok := k.subject(w, r)
	if !ok || !k.admitted(w, r) {
		return
	}
	q, prefs, err := k.Query(r.Context(), subject, r.URL.Query())
	var pe *listing.ParamError
	switch {
	case errors.Is(err, ErrConsentRequired):
		k.writeConsentProblem(w, r)
		return
	case err != nil && !errors.As(err, &pe):
		k.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "consent unreadable", slog.String("error", err.Error()))
		writeProblem(w, k.newProblem(r, http.StatusServiceUnavailable, "settingsUnavailable"))
		return
	}
	if pe != nil {
		p := k.newProblem(r, http.StatusBadRequest, "invalidQuery")
		p.InvalidParams = pe.Params
		writeProblem(w, p)
		return
	}
	var answer *overview.Answer
	// The sources ask for texts in the language the element shows.
	ctx := cases.WithLanguage(r.Context(), k.view.bundle.Match(r.Header.Get("Accept-Language")).String())
	err = k.overview(ctx, subject, q, prefs, func(ov *overview.Overview) (err error) {
		answer, err = overview.Encode(ov)
		return err
	})
	var enc *overview.EncodeError
	switch {
	case err == nil:
		answer.Write(w)
	case r.Context().Err() != nil:
		// The client left while the overview waited its turn: nobody to answer.
	case errors.As(err, &enc):
		k.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "overview not encodable", slog.String("error", err.Error()))
		writeProblem(w, k.newProblem(r, http.StatusInternalServerError, "overviewNotSent"))
	default:
		k.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "overview failed", slog.String("error", err.Error()))
		writeProblem(w, k.newProblem(r, http.StatusServiceUnavailable, "overviewUnavailable"))
	}
}
