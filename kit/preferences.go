package kit

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/listing"
	"github.com/arendevy/arendevy/kit/localpath"
	"github.com/arendevy/arendevy/kit/preferences"
)

// maxPreferencesBody caps a PUT: preferences are a few hundred bytes.
const maxPreferencesBody = 16 << 10

// getPreferences answers GET {mount}/api/preferences with the customer's
// preferences (defaults when none are stored).
func (k *Kit) getPreferences(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	subject, ok := k.subject(w, r)
	if !ok {
		return
	}
	p, err := k.cfg.Preferences.Get(r.Context(), subject.Customer())
	if err != nil {
		k.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "reading preferences failed", slog.String("error", err.Error()))
		writeProblem(w, k.newProblem(r, http.StatusServiceUnavailable, "settingsUnavailable"))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// putPreferences replaces the customer's preferences. The body is validated
// whole; every problem is named in the 400.
func (k *Kit) putPreferences(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	subject, ok := k.subject(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPreferencesBody))
	if err != nil {
		writeProblem(w, k.newProblem(r, http.StatusRequestEntityTooLarge, "bodyTooLarge"))
		return
	}
	p, err := preferences.Decode(body)
	if err != nil {
		pr := k.newProblem(r, http.StatusBadRequest, "invalidPreferences")
		var ve *preferences.ValidationError
		if errors.As(err, &ve) {
			for _, vp := range ve.Problems {
				pr.InvalidParams = append(pr.InvalidParams, listing.InvalidParam{Name: vp.Field, Reason: vp.Reason})
			}
		}
		writeProblem(w, pr)
		return
	}
	// The visit instants, the consent and the case groups are the kit's
	// record, not the browser's to set: keep the stored ones (the groups
	// change only through their own route, serveGroups). A store that
	// cannot be read saves nothing, which would otherwise drop the consent.
	stored, err := k.cfg.Preferences.Get(r.Context(), subject.Customer())
	if err != nil {
		k.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "reading preferences failed", slog.String("error", err.Error()))
		writeProblem(w, k.newProblem(r, http.StatusServiceUnavailable, "settingsNotSaved"))
		return
	}
	p = p.KeepVisits(stored).KeepConsent(stored).KeepGroups(stored)
	if err := k.cfg.Preferences.Put(r.Context(), subject.Customer(), p); err != nil {
		k.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "saving preferences failed", slog.String("error", err.Error()))
		writeProblem(w, k.newProblem(r, http.StatusServiceUnavailable, "settingsNotSaved"))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// returnTarget is where a login started from this request should come
// back to: the page that asked, when the request says so and the target
// passes localpath.CheckAt (the element sends its page's path in
// X-Arendevy-Return, or the whole address when the page is on one of
// EmbedOrigins), else the portal's start.
func (k *Kit) returnTarget(r *http.Request) string {
	if target := r.Header.Get("X-Arendevy-Return"); localpath.CheckAt(target, k.cfg.EmbedOrigins) == nil {
		return target
	}
	return "/"
}

// subject is the logged-in subject, or a 401 problem already written.
func (k *Kit) subject(w http.ResponseWriter, r *http.Request) (identity.Subject, bool) {
	s, ok := identity.FromContext(r.Context())
	if !ok {
		p := k.newProblem(r, http.StatusUnauthorized, "casesLoginRequired")
		p.Login = k.LoginURL(k.returnTarget(r))
		writeProblem(w, p)
	}
	return s, ok
}
