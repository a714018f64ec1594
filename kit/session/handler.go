package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/arendevy/arendevy/kit/identity"
	"github.com/arendevy/arendevy/kit/internal/errorpage"
	"github.com/arendevy/arendevy/kit/localpath"
	"github.com/arendevy/arendevy/kit/websec"
)

// maxActForBody bounds the act-for form; it carries two short fields.
const maxActForBody = 4 << 10

// Principal is one party the user may look at the cases of: themselves
// (Ref "0") or a principal they hold a mandate for. It never carries the
// identity number; Ref is a position in the list.
type Principal struct {
	Ref     string        `json:"ref"`
	Name    string        `json:"name"`
	Kind    identity.Kind `json:"kind"`
	Current bool          `json:"current"`
}

// Handler serves the session's routes under mount, the kit's path prefix:
//
//	POST {mount}/act-for         form field "party" = a Ref from the list; switches whose cases are shown
//	GET  {mount}/api/principals  the list of Principal, JSON
//	GET  {mount}/api/csrf        {"token": "..."} for the element's state-changing requests
//	GET  {mount}/api/session     Remaining: how long the session has, without counting as use
//	POST {mount}/api/session     the same after counting as use: "stay logged in"
//
// and scopes the cookie the SAML ACS needs to {mount}/saml/acs. kit.New
// calls it with the kit's Config.Mount, so the Manager has no mount of its
// own to disagree with; it serves one mount, and asking for another is an
// error. act-for changes state: serve it behind websec's CSRF check.
func (m *Manager) Handler(mount string) (http.Handler, error) {
	if !strings.HasPrefix(mount, "/") || strings.HasSuffix(mount, "/") {
		return nil, fmt.Errorf("session: mount %q must start with / and not end with one", mount)
	}
	if !m.mount.CompareAndSwap(nil, &mount) && *m.mount.Load() != mount {
		return nil, fmt.Errorf("session: the manager is mounted at %s already, not %s", *m.mount.Load(), mount)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+mount+"/act-for", m.serveActFor)
	mux.HandleFunc("GET "+mount+"/api/principals", m.servePrincipals)
	mux.HandleFunc("GET "+mount+"/api/csrf", m.serveCSRF)
	mux.HandleFunc("GET "+mount+"/api/session", m.serveSession)
	mux.HandleFunc("POST "+mount+"/api/session", m.serveSession)
	return m.Middleware(mux), nil
}

// acsPath is where the kit serves the SAML ACS; "" before Handler.
func (m *Manager) acsPath() string {
	if mount := m.mount.Load(); mount != nil {
		return *mount + "/saml/acs"
	}
	return ""
}

// sloPath is where the kit serves SAML single logout; "" before Handler.
func (m *Manager) sloPath() string {
	if mount := m.mount.Load(); mount != nil {
		return *mount + "/saml/slo"
	}
	return ""
}

// Principals lists the user and everyone they may act for, marking whose
// cases are shown now. For server-rendered pages; the element uses
// GET {mount}/api/principals.
func (m *Manager) Principals(r *http.Request) ([]Principal, error) {
	s, ok := identity.FromContext(r.Context())
	if !ok {
		return nil, errors.New("session: no subject in the request context")
	}
	parties, err := m.parties(r, s.User)
	if err != nil {
		return nil, err
	}
	out := make([]Principal, len(parties))
	current := 0
	if s.IsAgent() {
		current = -1
		for i, p := range parties {
			if i > 0 && p.Number == s.ActingFor.Number {
				current = i
				break
			}
		}
	}
	for i, p := range parties {
		out[i] = Principal{Ref: strconv.Itoa(i), Name: p.Name, Kind: p.Kind, Current: i == current}
	}
	return out, nil
}

// parties is the user followed by their principals; a Ref indexes it.
func (m *Manager) parties(r *http.Request, user identity.Party) ([]identity.Party, error) {
	out := []identity.Party{user}
	if m.cfg.Mandates == nil {
		return out, nil
	}
	ps, err := m.cfg.Mandates.Principals(r.Context(), user)
	if err != nil {
		return nil, fmt.Errorf("session: mandates: %w", err)
	}
	for _, p := range ps {
		if !p.IsZero() && p.Number != user.Number {
			out = append(out, p)
		}
	}
	return out, nil
}

func (m *Manager) servePrincipals(w http.ResponseWriter, r *http.Request) {
	websec.NoStore(w)
	if _, ok := identity.FromContext(r.Context()); !ok {
		m.loginRequired(w, r)
		return
	}
	list, err := m.Principals(r)
	if err != nil {
		m.mandatesFailed(w, r, err)
		return
	}
	writeJSON(w, list)
}

func (m *Manager) serveActFor(w http.ResponseWriter, r *http.Request) {
	websec.NoStore(w)
	s, ok := identity.FromContext(r.Context())
	if !ok {
		m.loginRequired(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxActForBody)
	ref := r.PostFormValue("party")
	parties, err := m.parties(r, s.User)
	if err != nil {
		m.mandatesFailed(w, r, err)
		return
	}
	i, err := strconv.Atoi(ref)
	if err != nil || strconv.Itoa(i) != ref || i < 0 || i >= len(parties) {
		m.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "act-for refused: not a principal of this user")
		websec.NewProblem(r, m.messages, http.StatusForbidden, "notAllowed").Write(w)
		return
	}
	var target identity.Party
	if i > 0 {
		target = parties[i]
	}
	gs, err := m.load(r)
	if err != nil {
		m.storeFailed(w, r, err)
		return
	}
	d, ok := m.valid(gs)
	if !ok {
		m.loginRequired(w, r)
		return
	}
	d.Subject.ActingFor = target
	gs.Values[dataKey{}] = d
	if err := gs.Save(r, w); err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, errTimedOut) {
			m.loginRequired(w, r)
			return
		}
		m.storeFailed(w, r, err)
		return
	}
	m.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "acting for", slog.Bool("agent", i > 0))
	if wantsJSON(r) {
		r = r.WithContext(identity.WithSubject(r.Context(), d.Subject))
		list, err := m.Principals(r)
		if err != nil {
			m.mandatesFailed(w, r, err)
			return
		}
		writeJSON(w, list)
		return
	}
	http.Redirect(w, r, localpath.Or(r.PostFormValue("return"), "/"), http.StatusSeeOther)
}

func (m *Manager) serveCSRF(w http.ResponseWriter, r *http.Request) {
	websec.NoStore(w)
	token := m.CSRFToken(r)
	if token == "" {
		m.loginRequired(w, r)
		return
	}
	writeJSON(w, struct {
		Token string `json:"token"`
	}{websec.MaskToken(token)})
}

func (m *Manager) mandatesFailed(w http.ResponseWriter, r *http.Request, err error) {
	m.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "mandate source failed", slog.String("error", err.Error()))
	websec.NewProblem(r, m.messages, http.StatusServiceUnavailable, "mandatesUnavailable").Write(w)
}

// retryAfter is what a client is told to wait while the session store is
// down: Redis failing over or restarting is back within seconds.
const retryAfter = "5"

// storeFailed answers while the session store cannot be reached: 503, a
// page that says so to a person's browser and a problem to the API. Never
// 401 or a login: the session may well be there once the store answers,
// and a person must not be told their login is gone when it is not.
func (m *Manager) storeFailed(w http.ResponseWriter, r *http.Request, err error) {
	m.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "session store unavailable", slog.String("error", err.Error()))
	w.Header().Set("Retry-After", retryAfter)
	if !wantsPage(r) {
		websec.NewProblem(r, m.messages, http.StatusServiceUnavailable, "sessionUnavailable").Write(w)
		return
	}
	loc := m.messages.Localizer(r.Header.Get("Accept-Language"))
	errorpage.Write(w, http.StatusServiceUnavailable, errorpage.Page{
		Lang: loc.Lang(), Dir: loc.Dir(), Title: loc.Text("unavailable.title"), Text: loc.Text("unavailable.text"),
	})
}

func (m *Manager) loginRequired(w http.ResponseWriter, r *http.Request) {
	websec.NewProblem(r, m.messages, http.StatusUnauthorized, "loginRequired").Write(w)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// wantsPage: a browser navigating or posting a form (text/html first among
// what it accepts) reads a page; the element's fetches and other clients
// get problem JSON.
func wantsPage(r *http.Request) bool {
	first, _, _ := strings.Cut(r.Header.Get("Accept"), ",")
	mt, _, err := mime.ParseMediaType(strings.TrimSpace(first))
	return err == nil && mt == "text/html"
}

// wantsJSON: the element posts with fetch and asks for JSON; a plain HTML
// form gets a redirect back instead.
func wantsJSON(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "application/json" {
			return true
		}
	}
	return false
}
