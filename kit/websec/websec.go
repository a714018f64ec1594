// Package websec is the browser-facing armour of everything the kit serves:
// security headers on every response (CSP, nosniff, no referrer, HSTS over
// https, cross-origin isolation of the window) and CSRF protection on every
// state-changing request.
//
// The CSRF check needs both a same-origin request and the session's token.
// Same origin is decided by Sec-Fetch-Site when the browser sends it, else by
// Origin, else by Referer. Sec-Fetch-Site comes first because the
// Referrer-Policy no-referrer we send makes browsers send "Origin: null" on
// same-origin form posts.
package websec

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/arendevy/arendevy/kit/i18n"
	"github.com/arendevy/arendevy/kit/localpath"
)

// maxFormBody bounds a url-encoded body read to find the csrf field.
const maxFormBody = 1 << 20

// Config configures a Guard.
type Config struct {
	// CSRFToken returns the token of the request's session, "" when it has
	// none (session.Manager.CSRFToken). Required.
	CSRFToken func(*http.Request) string
	// Exempt lists exact paths whose state-changing requests skip the CSRF
	// check because another mechanism protects them, such as the SAML
	// assertion consumer service, which the IdP posts to cross-site and
	// which InResponseTo and the signature protect. The kit exempts its
	// own ACS and SLO endpoint when it is nil.
	Exempt []string
	// FormAction are origins besides 'self' that forms may post to (and
	// redirect to after a post): the IdP's SSO and SLO endpoints, e.g.
	// "https://idp.example.se". kit.New fills them in from the IdP's
	// metadata when they are nil.
	FormAction []string
	// FrameAncestors are the origins allowed to frame the kit's pages;
	// default none. A portal that shows the view in an iframe lists itself.
	FrameAncestors []string
	// Origins are the origins state-changing requests may come from; default
	// the request's own (scheme and Host).
	Origins []string
	// CrossOrigins are pages on other hosts of the same site that embed the
	// element and may make the kit's state-changing requests too
	// (kit.Config.EmbedOrigins, which the kit puts here); their browsers
	// call such a request same-site, and it passes only by its Origin.
	CrossOrigins []string
	// TrustForwardedProto believes X-Forwarded-Proto: https from a
	// TLS-terminating proxy in front of the kit (for HSTS and origins).
	TrustForwardedProto bool
	// Logger receives refused requests (method and reason, never a URL).
	Logger *slog.Logger
}

// Guard adds the headers and enforces CSRF protection.
type Guard struct {
	cfg      Config
	csp      string
	exempt   map[string]bool
	messages *i18n.Bundle // the refusal's texts
}

// New checks cfg and builds a Guard.
func New(cfg Config) (*Guard, error) {
	var problems []string
	if cfg.CSRFToken == nil {
		problems = append(problems, "CSRFToken: required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	for i, o := range cfg.FormAction {
		if err := localpath.CheckOrigin(o); err != nil {
			problems = append(problems, fmt.Sprintf("FormAction[%d]: %v", i, err))
		}
	}
	for i, o := range cfg.FrameAncestors {
		if o == "'self'" {
			continue
		}
		if err := localpath.CheckOrigin(o); err != nil {
			problems = append(problems, fmt.Sprintf("FrameAncestors[%d]: %v", i, err))
		}
	}
	for i, o := range cfg.Origins {
		if err := localpath.CheckOrigin(o); err != nil {
			problems = append(problems, fmt.Sprintf("Origins[%d]: %v", i, err))
		}
	}
	for i, o := range cfg.CrossOrigins {
		if err := localpath.CheckOrigin(o); err != nil {
			problems = append(problems, fmt.Sprintf("CrossOrigins[%d]: %v", i, err))
		}
	}
	if len(problems) > 0 {
		return nil, errors.New("websec config: " + strings.Join(problems, "; "))
	}
	messages, err := i18n.Default()
	if err != nil {
		return nil, err
	}
	g := &Guard{cfg: cfg, exempt: map[string]bool{}, messages: messages}
	for _, p := range cfg.Exempt {
		g.exempt[p] = true
	}
	ancestors := "'none'"
	if len(cfg.FrameAncestors) > 0 {
		ancestors = strings.Join(cfg.FrameAncestors, " ")
	}
	g.csp = strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self'",
		"connect-src 'self'",
		strings.Join(append([]string{"form-action 'self'"}, cfg.FormAction...), " "),
		"base-uri 'none'",
		"frame-ancestors " + ancestors,
	}, "; ")
	return g, nil
}

// CSP is the Content-Security-Policy the Guard sends.
func (g *Guard) CSP() string { return g.csp }

// Handler wraps next: headers on every response, CSRF check on every
// state-changing request. A handler that needs a different CSP for one page
// (say, the development IdP's auto-posting form) may overwrite the header
// before writing.
func (g *Guard) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", g.csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if g.https(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		if !safeMethod(r.Method) && !g.exempt[r.URL.Path] {
			if reason := g.refuse(w, r); reason != "" {
				g.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "request refused: CSRF check",
					slog.String("method", r.Method), slog.String("reason", reason))
				NewProblem(r, g.messages, http.StatusForbidden, "csrf").Write(w)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

// https reports whether the browser reached us over https.
func (g *Guard) https(r *http.Request) bool {
	return r.TLS != nil || (g.cfg.TrustForwardedProto && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}

// refuse returns why a state-changing request fails the CSRF check, or "".
func (g *Guard) refuse(w http.ResponseWriter, r *http.Request) string {
	if reason := g.crossOrigin(r); reason != "" {
		return reason
	}
	want := g.cfg.CSRFToken(r)
	if want == "" {
		return "no session"
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
			got = r.PostFormValue("csrf")
		}
	}
	if got == "" {
		return "no token"
	}
	if !TokenMatches(got, want) {
		return "wrong token"
	}
	return ""
}

// MaskToken is how a CSRF token leaves the server, in a page or in JSON:
// XORed with a fresh random one-time pad, the pad in front, base64url. The
// bytes differ in every response, so a compressed response's length tells
// nothing about the token however much request text sits beside it
// (BREACH); TokenMatches takes it back.
func MaskToken(token string) string {
	buf := make([]byte, 2*len(token))
	pad, masked := buf[:len(token)], buf[len(token):]
	_, _ = rand.Read(pad) // never fails: crypto/rand aborts the program instead
	for i := range masked {
		masked[i] = token[i] ^ pad[i]
	}
	return base64.RawURLEncoding.EncodeToString(buf)
}

// TokenMatches reports whether got, as a request carried it, is the
// session's token want: masked by MaskToken, or as it is, which is what a
// client that kept a token from before masking sends. Both comparisons
// take constant time.
func TokenMatches(got, want string) bool {
	if want == "" {
		return false
	}
	// The length first: the decoder skips line breaks, so a masked token
	// with one inside would decode to a match in another form.
	if len(got) == base64.RawURLEncoding.EncodedLen(2*len(want)) {
		buf, err := base64.RawURLEncoding.DecodeString(got)
		if err != nil || len(buf) != 2*len(want) {
			return false
		}
		pad, masked := buf[:len(want)], buf[len(want):]
		for i := range masked {
			masked[i] ^= pad[i]
		}
		return subtle.ConstantTimeCompare(masked, []byte(want)) == 1
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// OwnPagesOnly serves next only to a request from our own pages or from
// CrossOrigins, judged as the CSRF check judges origins, and answers
// anything else 403: for a GET whose answer is a secret, such as
// {mount}/api/csrf. A request without Sec-Fetch-Site and without Origin
// passes (a browser sends Origin on every cross-origin read it would let a
// page see, and a client that is not a browser has no cookies to spend).
func (g *Guard) OwnPagesOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reason := ""
		if r.Header.Get("Sec-Fetch-Site") != "" || r.Header.Get("Origin") != "" {
			reason = g.crossOrigin(r)
		}
		if reason != "" {
			g.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "request refused: not from our pages",
				slog.String("method", r.Method), slog.String("reason", reason))
			NewProblem(r, g.messages, http.StatusForbidden, "csrf").Write(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin returns why r does not come from one of our own pages, or "".
// Same-site is a page on another host of our site: it passes only as one
// of CrossOrigins, by its Origin.
func (g *Guard) crossOrigin(r *http.Request) string {
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "same-origin":
		return ""
	case "same-site":
		if o := r.Header.Get("Origin"); o != "" && slices.Contains(g.cfg.CrossOrigins, o) {
			return ""
		}
		return "same-site, not an allowed origin"
	case "":
	default:
		return "cross-site (Sec-Fetch-Site)"
	}
	if o := r.Header.Get("Origin"); o != "" {
		if o != "null" && g.ownOrigin(r, o) {
			return ""
		}
		return "foreign Origin"
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		if u, err := url.Parse(ref); err == nil && g.ownOrigin(r, u.Scheme+"://"+u.Host) {
			return ""
		}
		return "foreign Referer"
	}
	return "no Origin or Referer"
}

// ownOrigin compares origin with CrossOrigins and the configured origins,
// or with the request's own scheme and host.
func (g *Guard) ownOrigin(r *http.Request, origin string) bool {
	if slices.Contains(g.cfg.CrossOrigins, origin) {
		return true
	}
	if len(g.cfg.Origins) > 0 {
		return slices.Contains(g.cfg.Origins, origin)
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
		return false
	}
	if g.https(r) {
		return u.Scheme == "https"
	}
	// Plain http here may be a TLS-terminating proxy nobody told us about;
	// the host match is what counts then.
	return u.Scheme == "https" || u.Scheme == "http"
}

// NoStore marks a response that carries personal data: no cache may keep it,
// and the back button after logout must not show it.
func NoStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// NewProblem is the catalogue's problem.<name> — its title and detail — in
// the language the request's Accept-Language picks.
func NewProblem(r *http.Request, messages *i18n.Bundle, status int, name string) Problem {
	l := messages.Localizer(r.Header.Get("Accept-Language"))
	return Problem{Type: "about:blank", Title: l.Text("problem." + name + ".title"), Status: status,
		Detail: l.Text("problem." + name + ".detail")}
}

// Write answers with p as application/problem+json.
func (p Problem) Write(w http.ResponseWriter) { WriteProblemBody(w, p.Status, p) }

// WriteProblemBody answers with body, a Problem or a struct that embeds one
// to add members, as application/problem+json (RFC 9457).
func WriteProblemBody(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
