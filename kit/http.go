package kit

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/overview"
)

// noStore marks a response that carries case data: no cache may keep it, and
// the back button after logout must not show it.
func noStore(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
}

// problem is an RFC 9457 problem details body.
type problem struct {
	Type          string                 `json:"type"`
	Title         string                 `json:"title"`
	Status        int                    `json:"status"`
	Detail        string                 `json:"detail,omitempty"`
	InvalidParams []listing.InvalidParam `json:"invalid-params,omitempty"`
	Login         string                 `json:"login,omitempty"` // where to log in, on a 401
}

func writeProblem(w http.ResponseWriter, p problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

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
	if !ok {
		return
	}
	q, prefs, err := k.Query(r.Context(), subject, r.URL.Query())
	var pe *listing.ParamError
	if errors.As(err, &pe) {
		writeProblem(w, problem{Status: http.StatusBadRequest, Title: "Invalid query parameter",
			Detail: pe.Error(), InvalidParams: pe.Params})
		return
	}
	var answer *overview.Answer
	err = k.overview(r.Context(), subject, q, prefs, func(ov *overview.Overview) (err error) {
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
		writeProblem(w, problem{Status: http.StatusInternalServerError, Title: "Overview unavailable",
			Detail: "The overview could not be sent. Try again shortly."})
	default:
		k.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "overview failed", slog.String("error", err.Error()))
		writeProblem(w, problem{Status: http.StatusServiceUnavailable, Title: "Overview unavailable",
			Detail: "The overview could not be compiled right now. Try again shortly."})
	}
}
